//! One scheduler step, shared by the gateway's ticker and `hermes cron tick`: under the tick
//! lock, claim due jobs (advancing `next_run_at` and saving BEFORE running, so a crash never
//! fires a job twice), run them, save output, deliver, and record run and delivery status
//! separately. Running agents and sending to chats are the caller's, through the traits here.

use std::path::{Path, PathBuf};
use std::time::Instant;

use async_trait::async_trait;
use jiff::{SignedDuration, Zoned};

use super::CronError;
use super::history::{Finish, RunHistory};
use super::jobs::{Job, JobStore, Repeat, find};
use super::schedule::format_time;
use super::targets::{self, ChatTarget, HomeChannels};

/// Why a job's run failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// It ran and failed (script exit code, provider error, timeout).
    #[error("{message}")]
    Failed { message: String },
    /// It cannot run as configured (recorded as `blocked_config`).
    #[error("{reason}")]
    Blocked { reason: String },
}

/// Runs a job and returns its output text.
#[async_trait]
pub trait JobExecutor: Send + Sync {
    /// Runs `job` once. An agent executor maps an empty response to an error itself; an empty
    /// `Ok` means "nothing to report" and delivers nothing.
    async fn execute(&self, job: &Job) -> Result<String, ExecError>;

    /// Whether this executor can run `job` at all; a refusal leaves the job due for a
    /// scheduler that can (the job is not claimed), and records `blocked_config`.
    fn check(&self, _job: &Job) -> Result<(), ExecError> {
        Ok(())
    }
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// What went wrong, for `last_delivery_error`.
    pub message: String,
}

/// Sends text to a chat.
#[async_trait]
pub trait Deliverer: Send + Sync {
    /// Sends `text` to `to`.
    async fn deliver(&self, to: &ChatTarget, text: &str) -> Result<(), DeliveryError>;
}

/// What a tick needs besides the store.
#[derive(Debug, Clone)]
pub struct TickEnv {
    /// Home channels, for bare-platform targets and `all`.
    pub homes: HomeChannels,
    /// `cron.wrap_response`.
    pub wrap_response: bool,
    /// Output files kept per job (0 keeps all).
    pub output_retention: usize,
    /// `state.db`, for the run history (`None`: no history).
    pub state_db: Option<PathBuf>,
}

impl Default for TickEnv {
    fn default() -> Self {
        Self {
            homes: HomeChannels::default(),
            wrap_response: true,
            output_retention: 50,
            state_db: None,
        }
    }
}

/// How delivery of one run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Delivered to every target.
    Delivered,
    /// Local only: the output file is the delivery.
    Local,
    /// `[SILENT]` or empty output: nothing sent.
    Silent,
    /// At least one target failed.
    Failed,
}

impl DeliveryStatus {
    /// The word stored in the history.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Local => "local",
            Self::Silent => "silent",
            Self::Failed => "failed",
        }
    }
}

/// One run a tick made.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The job's id.
    pub job_id: String,
    /// Its display name.
    pub name: String,
    /// `ok|error|blocked_config`.
    pub status: &'static str,
    /// The run's error.
    pub error: Option<String>,
    /// Delivery outcome.
    pub delivery: DeliveryStatus,
    /// Delivery error(s).
    pub delivery_error: Option<String>,
    /// The saved output file.
    pub output_path: Option<PathBuf>,
}

/// A job that was not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    /// The job's id.
    pub job_id: String,
    /// Its display name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// What a tick did.
#[derive(Debug, Clone, Default)]
pub struct TickReport {
    /// Another tick held the lock; nothing was done.
    pub busy: bool,
    /// Runs, in order.
    pub runs: Vec<RunOutcome>,
    /// Missed runs skipped (older than the grace window).
    pub skipped: Vec<Passed>,
    /// Due jobs this scheduler cannot run (left due).
    pub blocked: Vec<Passed>,
    /// Jobs found `running` from a scheduler that died, now recovered.
    pub interrupted: Vec<Passed>,
    /// Jobs whose stored schedule is unreadable.
    pub broken: Vec<Passed>,
    /// Ids of blocked or broken jobs that were not already in that state (their failure
    /// is reported once, not on every tick).
    pub newly_blocked: Vec<String>,
}

struct Claim {
    job: Job,
    final_state: &'static str,
}

/// Marker set by `hermes cron run`: run on the next tick however late that is.
pub const RUN_NOW_KEY: &str = "run_requested";

/// Runs one scheduler step at `now` (see the module docs).
pub async fn tick(
    now: &Zoned,
    store: &JobStore,
    env: &TickEnv,
    executor: &dyn JobExecutor,
    deliverer: &dyn Deliverer,
) -> Result<TickReport, CronError> {
    let mut report = TickReport::default();
    let Some(_lock) = store.try_tick_lock()? else {
        report.busy = true;
        return Ok(report);
    };
    let now_ts = now.timestamp();
    let work = store.read(|jobs| {
        jobs.iter().any(|j| {
            j.is_due(now_ts)
                || j.state() == "running"
                || (j.enabled && j.state() == "scheduled" && j.next_run().is_none())
        })
    })?;
    if !work {
        return Ok(report);
    }
    let history = env.state_db.as_deref().map(RunHistory::open).transpose()?;
    let claims = claim(now, store, executor, &mut report, history.as_ref())?;
    // Runs that did not happen are failures too: interrupted, missed beyond the grace,
    // refused as configured (reported once, not every tick), or with an unreadable schedule.
    let mut notices: Vec<(String, String)> = Vec::new();
    for p in &report.interrupted {
        notices.push((p.job_id.clone(), failure_notice(&p.name, &p.reason)));
    }
    for p in &report.skipped {
        notices.push((
            p.job_id.clone(),
            format!("⚠️ Cron '{}' did not run: {}", p.name, p.reason),
        ));
    }
    for p in report.blocked.iter().chain(&report.broken) {
        if !report.newly_blocked.contains(&p.job_id) {
            continue;
        }
        notices.push((
            p.job_id.clone(),
            format!("⚠️ Cron '{}' cannot run: {}", p.name, p.reason),
        ));
    }
    for (id, notice) in notices {
        if let Some(job) = store.read(|jobs| jobs.iter().find(|j| j.id == id).cloned())? {
            notify_failure(&job, &notice, env, deliverer, &[]).await;
        }
    }
    for c in claims {
        report
            .runs
            .push(run_one(now, store, env, history.as_ref(), executor, deliverer, c).await?);
    }
    Ok(report)
}

/// Selects due jobs and advances them, saving before anything runs.
fn claim(
    now: &Zoned,
    store: &JobStore,
    executor: &dyn JobExecutor,
    report: &mut TickReport,
    history: Option<&RunHistory>,
) -> Result<Vec<Claim>, CronError> {
    let tz = store.time_zone().clone();
    let now_ts = now.timestamp();
    let stamp = format_time(now);
    let mut claims = Vec::new();
    let mut skipped_rows = Vec::new();
    store.update(|jobs| {
        for job in jobs.iter_mut() {
            let name = job.display_name();
            let id = job.id.clone();
            let passed = |reason: String| Passed {
                job_id: id.clone(),
                name: name.clone(),
                reason,
            };
            if job.state() == "running" {
                // Ticks are serialised by the tick lock we hold, so no run is in flight.
                let reason = format!(
                    "interrupted: the scheduler stopped while this job was running (started {})",
                    job.last_run_at.as_deref().unwrap_or("at an unknown time")
                );
                let done = job.next_run().is_none();
                job.state = Some(if done { "completed" } else { "scheduled" }.into());
                job.enabled = job.enabled && !done;
                job.last_status = Some("error".into());
                job.last_error = Some(reason.clone());
                report.interrupted.push(passed(reason));
                continue;
            }
            if !(job.enabled && job.state() == "scheduled") {
                continue;
            }
            let parsed = match job.parsed_schedule(&tz) {
                Ok(p) => p,
                Err(e) => {
                    if job.next_run().is_none_or(|t| t <= now_ts) {
                        let reason = format!("cannot read the schedule: {e}");
                        report.newly_blocked.push(job.id.clone());
                        job.state = Some("error".into());
                        job.last_status = Some("error".into());
                        job.last_error = Some(reason.clone());
                        report.broken.push(passed(reason));
                    }
                    continue;
                }
            };
            if job.next_run().is_none() {
                // A hand-edited or legacy record: give it a time, judged below like any other.
                let first = parsed.schedule.first_run(now);
                job.set_next_run(first.as_ref());
            }
            let Some(due_at) = job.next_run().filter(|t| *t <= now_ts) else {
                continue;
            };
            if let Err(e) = executor.check(job) {
                let again = job.last_status.as_deref() == Some("blocked_config")
                    && job.last_error.as_deref() == Some(e.to_string().as_str());
                if !again {
                    report.newly_blocked.push(job.id.clone());
                }
                job.last_status = Some("blocked_config".into());
                job.last_error = Some(e.to_string());
                report.blocked.push(passed(e.to_string()));
                continue;
            }
            let requested = job.extra.remove(RUN_NOW_KEY).is_some();
            let late = now_ts.duration_since(due_at);
            let grace = parsed.schedule.grace(now);
            if late > grace && !requested {
                let next = parsed.schedule.next_after(now);
                let missed = format!(
                    "missed its run at {} ({} late; catch-up grace {})",
                    job.next_run_at.as_deref().unwrap_or("(unknown)"),
                    human(late),
                    human(grace)
                );
                let reason = if let Some(n) = &next {
                    format!("{missed}: skipped to {}", format_time(n))
                } else {
                    job.enabled = false;
                    job.state = Some("completed".into());
                    job.last_status = Some("error".into());
                    format!("{missed}: one-shot not run")
                };
                job.set_next_run(next.as_ref());
                job.last_error = Some(reason.clone());
                skipped_rows.push((job.id.clone(), name.clone(), reason.clone()));
                report.skipped.push(passed(reason));
                continue;
            }
            let repeat = job.repeat.get_or_insert_with(Repeat::default);
            repeat.completed = repeat.completed.saturating_add(1);
            let exhausted = repeat.times.is_some_and(|t| repeat.completed >= t);
            let next = if exhausted {
                None
            } else {
                parsed.schedule.next_after(now)
            };
            job.set_next_run(next.as_ref());
            job.state = Some("running".into());
            job.last_run_at = Some(stamp.clone());
            claims.push(Claim {
                job: job.clone(),
                final_state: if next.is_some() {
                    "scheduled"
                } else {
                    "completed"
                },
            });
        }
        Ok(())
    })?;
    if let Some(h) = history {
        for p in &report.interrupted {
            h.interrupt_running(&p.job_id, &stamp, &p.reason)?;
        }
        for (id, name, why) in &skipped_rows {
            h.skipped(id, name, &stamp, why)?;
        }
    }
    Ok(claims)
}

fn human(d: SignedDuration) -> String {
    let s = d.as_secs();
    if s >= 3600 && s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s >= 60 && s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

async fn run_one(
    now: &Zoned,
    store: &JobStore,
    env: &TickEnv,
    history: Option<&RunHistory>,
    executor: &dyn JobExecutor,
    deliverer: &dyn Deliverer,
    claim: Claim,
) -> Result<RunOutcome, CronError> {
    let job = claim.job;
    let name = job.display_name();
    let started = format_time(now);
    let row = history
        .map(|h| h.start(&job.id, &name, &started))
        .transpose()?;
    let clock = Instant::now();
    let result = executor.execute(&job).await;
    let finished = now
        .checked_add(SignedDuration::try_from(clock.elapsed()).unwrap_or_default())
        .unwrap_or_else(|_| now.clone());
    let (status, error, output) = match result {
        Ok(text) => ("ok", None, text),
        Err(ExecError::Blocked { reason }) => ("blocked_config", Some(reason), String::new()),
        Err(ExecError::Failed { message }) => ("error", Some(message), String::new()),
    };
    let doc = output_doc(&job, &name, &started, status, error.as_deref(), &output);
    let mut delivery_errors = Vec::new();
    let output_path = match save_output(store, &job.id, now, &doc, env.output_retention) {
        Ok(p) => Some(p),
        Err(e) => {
            delivery_errors.push(format!("cannot save output: {e}"));
            None
        }
    };
    let origin = targets::origin_chat(job.origin.as_ref());
    let mut reached: Vec<ChatTarget> = Vec::new();
    let mut failed_chats: Vec<ChatTarget> = Vec::new();
    let delivery = if let Some(err) = &error {
        // A failed run is reported to its own targets (like its output would be), and to
        // the failure target or a home channel when it has none.
        let notice = failure_notice(&name, err);
        let resolved = targets::resolve(&job.deliver(), origin.as_ref(), &env.homes);
        let status = send_all(
            &resolved,
            &wrap(env, &name, &notice),
            deliverer,
            &mut delivery_errors,
            &mut failed_chats,
        )
        .await;
        reached.extend(
            resolved
                .chats
                .iter()
                .filter(|c| !failed_chats.contains(c))
                .cloned(),
        );
        if status == DeliveryStatus::Local || job.extra_str("failure_deliver").is_some() {
            notify_failure(&job, &notice, env, deliverer, &reached).await;
        }
        status
    } else if output.trim().is_empty() || is_silent(&output) {
        DeliveryStatus::Silent
    } else {
        let resolved = targets::resolve(&job.deliver(), origin.as_ref(), &env.homes);
        send_all(
            &resolved,
            &wrap(env, &name, &output),
            deliverer,
            &mut delivery_errors,
            &mut failed_chats,
        )
        .await
    };
    let delivery = if delivery_errors.is_empty() {
        delivery
    } else {
        DeliveryStatus::Failed
    };
    let delivery_error = (!delivery_errors.is_empty()).then(|| delivery_errors.join("; "));
    if let Some(de) = &delivery_error {
        let notice = format!("⚠️ Cron '{name}' could not deliver its output: {de}");
        // Never back to a chat that just failed; a chat that got the run's own failure
        // notice is fine (it learns the rest went missing).
        notify_failure(&job, &notice, env, deliverer, &failed_chats).await;
    }
    let last_status = match (status, delivery) {
        ("ok", DeliveryStatus::Failed) => "delivery_failed",
        (s, _) => s,
    };
    let final_state = claim.final_state;
    store.update(|jobs| {
        let Ok(i) = find(jobs, &job.id) else {
            return Ok(()); // Removed while it ran.
        };
        let j = &mut jobs[i];
        if j.state() == "running" {
            j.state = Some(final_state.into());
            if final_state == "completed" {
                j.enabled = false;
            }
        }
        j.last_status = Some(last_status.into());
        j.last_error.clone_from(&error);
        j.last_delivery_error.clone_from(&delivery_error);
        Ok(())
    })?;
    if let (Some(h), Some(row)) = (history, row) {
        h.finish(
            row,
            &Finish {
                finished_at: &format_time(&finished),
                status,
                delivery_status: Some(delivery.as_str()),
                error: error.as_deref(),
                delivery_error: delivery_error.as_deref(),
                output_path: output_path.as_deref(),
            },
        )?;
    }
    Ok(RunOutcome {
        job_id: job.id.clone(),
        name,
        status,
        error,
        delivery,
        delivery_error,
        output_path,
    })
}

async fn send_all(
    resolved: &targets::Resolved,
    text: &str,
    deliverer: &dyn Deliverer,
    errors: &mut Vec<String>,
    failed: &mut Vec<ChatTarget>,
) -> DeliveryStatus {
    if resolved.chats.is_empty() && resolved.unresolved.is_empty() {
        return DeliveryStatus::Local;
    }
    errors.extend(resolved.unresolved.iter().cloned());
    for chat in &resolved.chats {
        if let Err(e) = deliverer.deliver(chat, text).await {
            errors.push(format!("{chat}: {e}"));
            failed.push(chat.clone());
        }
    }
    DeliveryStatus::Delivered
}

/// Where a job's failures are reported: its `failure_deliver` target when set; else the home
/// channels of the platforms it delivers to; else (a local job, or platforms without a home
/// channel) every configured home channel. Empty only when no home channel exists at all.
#[must_use]
pub fn failure_targets(job: &Job, homes: &HomeChannels) -> Vec<ChatTarget> {
    let origin = targets::origin_chat(job.origin.as_ref());
    if let Some(target) = job.extra_str("failure_deliver") {
        let resolved = targets::resolve(target, origin.as_ref(), homes);
        if !resolved.chats.is_empty() {
            return resolved.chats;
        }
    }
    let mut platforms: Vec<String> = Vec::new();
    for t in targets::parse(&job.deliver()).unwrap_or_default() {
        let p = match t {
            targets::Target::Home { platform } | targets::Target::Chat { platform, .. } => {
                Some(platform)
            }
            targets::Target::Origin => origin.as_ref().map(|o| o.platform.clone()),
            targets::Target::All | targets::Target::Local => None,
        };
        if let Some(p) = p
            && !platforms.contains(&p)
        {
            platforms.push(p);
        }
    }
    let own: Vec<ChatTarget> = platforms
        .iter()
        .filter_map(|p| homes.get(p).cloned())
        .collect();
    if own.is_empty() {
        homes.all().to_vec()
    } else {
        own
    }
}

/// Sends a failure notice to the job's [`failure_targets`], skipping `except` (chats that
/// already have it, or that just failed). A notice that cannot go anywhere is logged.
async fn notify_failure(
    job: &Job,
    notice: &str,
    env: &TickEnv,
    deliverer: &dyn Deliverer,
    except: &[ChatTarget],
) {
    let chats: Vec<ChatTarget> = failure_targets(job, &env.homes)
        .into_iter()
        .filter(|c| !except.contains(c))
        .collect();
    if chats.is_empty() && except.is_empty() {
        crate::logs::warn(
            "cron",
            format!(
                "{notice} (no failure target and no home channel to report it to; set --failure-deliver or a home channel)"
            ),
        );
    }
    for chat in &chats {
        if let Err(e) = deliverer.deliver(chat, notice).await {
            // Nowhere further to go: the job record and the log keep it.
            crate::logs::warn(
                "cron",
                format!("could not report to {chat}: {e} (notice: {notice})"),
            );
        }
    }
}

fn wrap(env: &TickEnv, name: &str, content: &str) -> String {
    if env.wrap_response {
        format!(
            "Cronjob Response: {name}\n-------------\n\n{content}\n\nNote: The agent cannot see this message, and therefore cannot respond to it."
        )
    } else {
        content.to_string()
    }
}

/// A one-line failure message for chat: `⚠️ Cron 'NAME' failed: REASON`.
#[must_use]
pub fn failure_notice(name: &str, error: &str) -> String {
    let cleaned: String = error.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = if cleaned.chars().count() > 180 {
        format!(
            "{}...",
            cleaned.chars().take(177).collect::<String>().trim_end()
        )
    } else {
        cleaned
    };
    format!("⚠️ Cron '{name}' failed: {cleaned}")
}

/// Whether output asks for no delivery: `[SILENT]` (or `SILENT`, `NO_REPLY`) as the whole
/// response or its own first or last line, or `[SILENT]` as a prefix.
#[must_use]
pub fn is_silent(text: &str) -> bool {
    let token = |line: &str| {
        let norm = line
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        matches!(
            norm.as_str(),
            "[SILENT]" | "SILENT" | "NO_REPLY" | "NO REPLY"
        )
    };
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let lines: Vec<&str> = t.lines().filter(|l| !l.trim().is_empty()).collect();
    token(t)
        || lines.first().is_some_and(|l| token(l))
        || lines.last().is_some_and(|l| token(l))
        || t.to_uppercase().starts_with("[SILENT]")
}

fn output_doc(
    job: &Job,
    name: &str,
    started: &str,
    status: &str,
    error: Option<&str>,
    output: &str,
) -> String {
    let mode = if job.no_agent {
        "no_agent (script)"
    } else {
        "agent"
    };
    let body = match error {
        Some(e) => e,
        None if output.trim().is_empty() => "(no output)",
        None => output,
    };
    format!(
        "# Cron Job: {name}\n\n**Job ID:** {}\n**Run Time:** {started}\n**Schedule:** {}\n**Mode:** {mode}\n**Status:** {status}\n\n---\n\n{body}\n",
        job.id,
        job.schedule_display()
    )
}

/// Saves a run's output as `cron/output/<job_id>/<YYYY-mm-dd_HH-MM-SS>.md` and prunes old ones.
fn save_output(
    store: &JobStore,
    job_id: &str,
    now: &Zoned,
    doc: &str,
    keep: usize,
) -> Result<PathBuf, CronError> {
    if !super::jobs::is_safe_id(job_id) {
        return Err(CronError::Io {
            action: "write output for",
            path: PathBuf::from(job_id),
            source: std::io::Error::other("unsafe job id"),
        });
    }
    let dir = store.output_dir(job_id);
    let stem = now.strftime("%Y-%m-%d_%H-%M-%S").to_string();
    let mut path = dir.join(format!("{stem}.md"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}_{n}.md"));
        n += 1;
    }
    crate::fsutil::write_atomic(&path, doc.as_bytes(), Some(crate::fsutil::SECRET_MODE)).map_err(
        |source| CronError::Io {
            action: "write",
            path: path.clone(),
            source,
        },
    )?;
    prune(&dir, keep);
    Ok(path)
}

fn prune(dir: &Path, keep: usize) {
    if keep == 0 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(keep);
    for old in &files[..excess] {
        // Pruning is housekeeping; a file that will not go is tried again next run.
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
#[path = "tick_tests.rs"]
mod tests;
