//! Cron: schedules, the `cron/jobs.json` store, delivery targets and the scheduler tick.
//! Running agent jobs and sending to platforms belong to the gateway, behind the traits in
//! `tick`; script jobs run here (`script`).

pub mod cronexpr;
pub mod history;
pub mod jobs;
mod record;
pub mod schedule;
pub mod script;
pub mod targets;
pub mod tick;

use std::path::PathBuf;

pub use jobs::{Job, JobStore, NewJob};
pub use schedule::{ParsedSchedule, Schedule, ScheduleError};
pub use targets::{ChatTarget, HomeChannels, Target, TargetError};
pub use tick::{Deliverer, DeliveryError, ExecError, JobExecutor, TickEnv, TickReport, tick};

/// Why a cron operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CronError {
    /// A schedule did not parse.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A delivery target was refused.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// A script path was refused.
    #[error(transparent)]
    Script(#[from] script::ScriptError),
    /// No job has this id or name.
    #[error("Job not found: {reference}")]
    NotFound { reference: String },
    /// A name matches several jobs.
    #[error("Job name '{reference}' is ambiguous — matches {} jobs: {}. Use the job ID instead.", ids.len(), ids.join(", "))]
    Ambiguous { reference: String, ids: Vec<String> },
    /// A one-shot time already passed.
    #[error(
        "Requested one-shot time {run_at} is more than 120s in the past and cannot be scheduled."
    )]
    PastOneShot { run_at: String },
    /// `--no-agent` without a script.
    #[error(
        "--no-agent requires --script: with no agent and no script there is nothing for the job to run"
    )]
    NoAgentWithoutScript,
    /// A skill that is not installed.
    #[error("unknown skill '{name}': it is not installed in this profile")]
    UnknownSkill { name: String },
    /// A job with neither prompt, skill nor script.
    #[error("a job needs a prompt, a skill or a script")]
    EmptyJob,
    /// `--workdir` is not an existing absolute directory.
    #[error("Cron workdir {problem}: {}", path.display())]
    Workdir {
        path: PathBuf,
        problem: &'static str,
    },
    /// `jobs.json` is not valid.
    #[error("Cron database corrupted: {}", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The jobs lock stayed busy.
    #[error("timed out waiting for the cron jobs lock {}", path.display())]
    LockTimeout { path: PathBuf },
    /// A file operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The run history in `state.db` failed.
    #[error("cron run history ({}) failed", path.display())]
    History {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

/// `cron.output_retention` (output files kept per job; 0 keeps all), default 50: the same
/// setting for `hermes cron tick` and the gateway's ticker.
#[must_use]
pub fn output_retention(settings: &crate::config::Settings) -> usize {
    settings
        .cron
        .extra
        .get("output_retention")
        .and_then(serde_yaml_ng::Value::as_u64)
        .map_or(50, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// An error and its hints on one line each (`hint: ...`), for chat replies and the agent.
#[must_use]
pub fn with_hints(e: &CronError) -> String {
    let mut out = e.to_string();
    for h in e.hints() {
        out.push_str("\nhint: ");
        out.push_str(&h);
    }
    out
}

impl CronError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Schedule(e) => e.hints(),
            Self::Target(e) => e.hints(),
            Self::Script(e) => e.hints(),
            Self::NotFound { .. } => vec!["list jobs with `hermes cron list --all`".into()],
            Self::PastOneShot { .. } => {
                vec!["pick a future time, or a delay such as `in 30m`".into()]
            }
            Self::NoAgentWithoutScript => {
                vec!["add `--script NAME` (a file under the profile's `scripts/` directory)".into()]
            }
            Self::UnknownSkill { .. } => vec![
                "list installed skills with `hermes skills list`".into(),
                "skills live in the profile's `skills/<name>/SKILL.md`".into(),
            ],
            Self::EmptyJob => vec!["give a prompt, `--skill NAME` or `--script NAME`".into()],
            Self::Workdir { .. } => vec!["pass an absolute path to an existing directory".into()],
            Self::Corrupt { path, .. } => vec![format!(
                "fix the JSON in {} (it holds {{\"jobs\": [...]}})",
                path.display()
            )],
            _ => Vec::new(),
        }
    }
}
