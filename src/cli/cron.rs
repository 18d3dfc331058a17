//! `hermes cron` — create, list, edit, pause, resume, run and remove scheduled jobs, show
//! their run history, and run due jobs once (`tick`). The work lives in `hermes::cron`.

use std::time::Duration;

use hermes::cron::history::{RunHistory, RunRow};
use hermes::cron::jobs::{JobEdit, JobRules, NewJob};
use hermes::cron::script::{Executors, ScriptExecutor};
use hermes::cron::tick::{DeliveryStatus, TickEnv};
use hermes::cron::{CronError, HomeChannels, Job, JobStore};
use hermes::gateway::pid;
use jiff::Zoned;
use jiff::tz::TimeZone;

use super::Context;
use super::error::CliError;

/// Manage scheduled tasks.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List scheduled jobs.
    List {
        /// Include paused and completed jobs.
        #[arg(long)]
        all: bool,
        /// Print the job records as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a scheduled job.
    #[command(visible_alias = "add")]
    Create(CreateArgs),
    /// Edit an existing scheduled job.
    Edit(EditArgs),
    /// Pause a scheduled job.
    Pause {
        /// Job id or name.
        job: String,
    },
    /// Resume a paused job.
    Resume {
        /// Job id or name.
        job: String,
    },
    /// Run a job on the next scheduler tick.
    Run {
        /// Job id or name.
        job: String,
    },
    /// Remove a scheduled job.
    #[command(visible_aliases = ["rm", "delete"])]
    Remove {
        /// Job id or name.
        job: String,
    },
    /// Check if the cron scheduler is running.
    Status,
    /// Show recorded runs, newest first.
    #[command(visible_alias = "history")]
    Runs {
        /// Only this job (id or name).
        job: Option<String>,
        /// How many runs to show.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        /// Print runs as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run due jobs once and exit.
    Tick,
}

#[derive(Debug, clap::Args)]
struct CreateArgs {
    /// Schedule like '30m', 'every 2h', '0 9 * * mon-fri' or 'weekdays at 9am'.
    schedule: String,
    /// Optional self-contained prompt or task instruction.
    prompt: Option<String>,
    /// Optional human-friendly job name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`,
    /// `all`; comma-separated for several.
    #[arg(long, value_name = "TARGET")]
    deliver: Option<String>,
    /// Where to report failures of a job that delivers locally.
    #[arg(long, value_name = "TARGET")]
    failure_deliver: Option<String>,
    /// How many times to run (default: once for one-shots, forever otherwise).
    #[arg(long, value_name = "N")]
    repeat: Option<i64>,
    /// Attach a skill. Repeat to add multiple skills.
    #[arg(long = "skill", value_name = "SKILL")]
    skills: Vec<String>,
    /// Path to a script under the profile's `scripts/` directory.
    #[arg(long, value_name = "PATH")]
    script: Option<String>,
    /// Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent.
    #[arg(long)]
    no_agent: bool,
    /// Absolute path for the job to run from.
    #[arg(long, value_name = "DIR")]
    workdir: Option<String>,
}

#[derive(Debug, clap::Args)]
struct EditArgs {
    /// Job id or name.
    job: String,
    /// New schedule.
    #[arg(long, value_name = "SCHEDULE")]
    schedule: Option<String>,
    /// New prompt.
    #[arg(long, value_name = "PROMPT")]
    prompt: Option<String>,
    /// New name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// New delivery target.
    #[arg(long, value_name = "TARGET")]
    deliver: Option<String>,
    /// New repeat count (0: forever).
    #[arg(long, value_name = "N")]
    repeat: Option<i64>,
    /// Replace the skills with these. Repeat to add multiple skills.
    #[arg(long = "skill", value_name = "SKILL")]
    skills: Vec<String>,
    /// Add a skill to the existing ones.
    #[arg(long = "add-skill", value_name = "SKILL")]
    add_skills: Vec<String>,
    /// Remove a skill.
    #[arg(long = "remove-skill", value_name = "SKILL")]
    remove_skills: Vec<String>,
    /// Remove every skill.
    #[arg(long)]
    clear_skills: bool,
    /// New script (empty to clear).
    #[arg(long, value_name = "PATH")]
    script: Option<String>,
    /// New working directory (empty to clear).
    #[arg(long, value_name = "DIR")]
    workdir: Option<String>,
    /// New failure target (empty to clear).
    #[arg(long, value_name = "TARGET")]
    failure_deliver: Option<String>,
    /// Skip the agent: run the job's script and deliver its stdout.
    #[arg(long, conflicts_with = "agent")]
    no_agent: bool,
    /// Run the agent again (undoes `--no-agent`).
    #[arg(long)]
    agent: bool,
}

/// What every verb needs: the store, rules, and the time.
struct Cron {
    store: JobStore,
    rules: JobRules,
    now: Zoned,
    env: TickEnv,
    script_timeout: Duration,
}

impl Cron {
    fn open(cx: &Context) -> anyhow::Result<Self> {
        let env = cx.env()?;
        let settings = cx.settings()?;
        let tz = match settings.timezone.trim() {
            "" => TimeZone::system(),
            name => TimeZone::get(name).unwrap_or_else(|_| {
                cx.out.warn(format_args!(
                    "unknown timezone '{name}'; using the system zone"
                ));
                TimeZone::system()
            }),
        };
        let homes = HomeChannels::from_config(&env, &settings);
        let retention = hermes::cron::output_retention(&settings);
        // Targets must name a platform that is set up; its setup errors are shown as they are.
        let http = reqwest::Client::new();
        let built = hermes::platforms::registry::build(&cx.paths, &settings, &env, &http);
        let rules = JobRules {
            configured: Some(
                built
                    .platforms
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect(),
            ),
            platform_problems: built.errors,
            skills_home: Some(cx.paths.clone()),
            ..JobRules::new(homes.clone(), cx.paths.scripts_dir())
        };
        Ok(Self {
            store: JobStore::open(&cx.paths, tz.clone()),
            rules,
            now: jiff::Timestamp::now().to_zoned(tz),
            env: TickEnv {
                homes,
                wrap_response: settings.cron.wrap_response,
                output_retention: retention,
                state_db: Some(cx.paths.state_db()),
            },
            script_timeout: Duration::from_secs(match settings.cron.script_timeout_seconds {
                0 => 3600,
                n => n,
            }),
        })
    }
}

/// Turns a library error into one with the library's hints.
fn cli_err(e: CronError) -> anyhow::Error {
    let hints = e.hints();
    let mut err = CliError::user(e.to_string());
    if let CronError::Ambiguous { .. } = e {
        err = err.hint("use the job id instead (see `hermes cron list --all`)");
    }
    for h in hints {
        err = err.hint(h);
    }
    if let Some(src) = std::error::Error::source(&e) {
        err = err.caused_by(anyhow::anyhow!("{src}"));
    }
    err.into()
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let cron = Cron::open(cx)?;
    match args.action.unwrap_or(Action::List {
        all: false,
        json: false,
    }) {
        Action::List { all, json } => list(cx, &cron, all, json),
        Action::Create(a) => create(cx, &cron, a),
        Action::Edit(a) => edit(cx, &cron, a),
        Action::Pause { job } => {
            let j = cron.store.pause(&job, &cron.now).map_err(cli_err)?;
            cx.out
                .data(format_args!("Paused job: {} ({})", j.display_name(), j.id));
            Ok(())
        }
        Action::Resume { job } => {
            let j = cron.store.resume(&job, &cron.now).map_err(cli_err)?;
            cx.out
                .data(format_args!("Resumed job: {} ({})", j.display_name(), j.id));
            cx.out.data(format_args!(
                "  Next run: {}",
                j.next_run_at.unwrap_or_default()
            ));
            Ok(())
        }
        Action::Run { job } => {
            let j = cron.store.trigger(&job, &cron.now).map_err(cli_err)?;
            cx.out.data(format_args!(
                "Triggered job: {} ({})",
                j.display_name(),
                j.id
            ));
            cx.out.data(format_args!(
                "  Next run: {}",
                j.next_run_at.unwrap_or_default()
            ));
            cx.out.data("  It will run on the next scheduler tick.");
            warn_if_no_gateway(cx);
            Ok(())
        }
        Action::Remove { job } => {
            let j = cron.store.remove(&job).map_err(cli_err)?;
            cx.out
                .data(format_args!("Removed job: {} ({})", j.display_name(), j.id));
            Ok(())
        }
        Action::Status => status(cx, &cron),
        Action::Runs { job, limit, json } => runs(cx, &cron, job.as_deref(), limit, json),
        Action::Tick => tick(cx, &cron),
    }
}

fn warn_if_no_gateway(cx: &Context) {
    if pid::running_gateway(&cx.paths).is_some() {
        return;
    }
    cx.out
        .warn("Gateway is not running — jobs won't fire automatically.");
    cx.out.status(
        "   Start it with: hermes gateway install   (or `hermes gateway run` in the foreground)",
    );
    cx.out.status("   Or run due jobs once: hermes cron tick");
    cx.out.status("   Check status:  hermes cron status");
}

fn list(cx: &Context, cron: &Cron, all: bool, json: bool) -> anyhow::Result<()> {
    let jobs: Vec<Job> = cron
        .store
        .load()
        .map_err(cli_err)?
        .into_iter()
        .filter(|j| all || j.enabled)
        .collect();
    if json {
        cx.out.json(&serde_json::to_value(&jobs)?);
        return Ok(());
    }
    if jobs.is_empty() {
        cx.out.status("No scheduled jobs.");
        cx.out
            .status("Create one with 'hermes cron create ...' or the /cron command in chat.");
        return Ok(());
    }
    for job in &jobs {
        let badge = match job.state() {
            "paused" => "[paused]",
            "completed" => "[completed]",
            "running" => "[running]",
            _ if job.enabled => "[active]",
            _ => "[disabled]",
        };
        let repeat = match &job.repeat {
            Some(r) if r.times.is_some_and(|t| t > 0) => {
                format!("{}/{}", r.completed, r.times.unwrap_or_default())
            }
            _ => "∞".into(),
        };
        cx.out.data(format_args!("  {} {badge}", job.id));
        cx.out
            .data(format_args!("    Name:      {}", job.display_name()));
        cx.out
            .data(format_args!("    Schedule:  {}", job.schedule_display()));
        cx.out.data(format_args!("    Repeat:    {repeat}"));
        cx.out.data(format_args!(
            "    Next run:  {}",
            job.next_run_at.as_deref().unwrap_or("not scheduled")
        ));
        cx.out.data(format_args!(
            "    Deliver:   {}",
            job.deliver().split(',').collect::<Vec<_>>().join(", ")
        ));
        if !job.skills.is_empty() {
            cx.out
                .data(format_args!("    Skills:    {}", job.skills.join(", ")));
        }
        if let Some(s) = &job.script {
            cx.out.data(format_args!("    Script:    {s}"));
        }
        if job.no_agent {
            cx.out
                .data("    Mode:      no-agent (script stdout delivered directly)");
        }
        if let Some(w) = &job.workdir {
            cx.out.data(format_args!("    Workdir:   {w}"));
        }
        if let Some(st) = &job.last_status {
            let last = job.last_run_at.as_deref().unwrap_or("never ran");
            // A delivery failure's reason is on its own line below.
            match job
                .last_error
                .as_deref()
                .filter(|_| st != "delivery_failed")
            {
                Some(err) if st != "ok" => {
                    let err = err.lines().next().unwrap_or_default();
                    cx.out
                        .data(format_args!("    Last run:  {last}  {st}: {err}"));
                }
                _ => cx.out.data(format_args!("    Last run:  {last}  {st}")),
            }
        }
        if let Some(de) = &job.last_delivery_error {
            cx.out.data(format_args!("    ⚠ Delivery failed: {de}"));
        }
        cx.out.data("");
    }
    warn_if_no_gateway(cx);
    Ok(())
}

fn create(cx: &Context, cron: &Cron, a: CreateArgs) -> anyhow::Result<()> {
    let new = NewJob {
        schedule: a.schedule,
        prompt: a.prompt,
        name: a.name,
        deliver: a.deliver,
        failure_deliver: a.failure_deliver,
        repeat: a.repeat,
        skills: a.skills,
        script: a.script,
        no_agent: a.no_agent,
        workdir: a.workdir,
        origin: None,
    };
    let job = cron
        .store
        .create(new, &cron.now, &cron.rules)
        .map_err(cli_err)?;
    cx.out.data(format_args!("Created job: {}", job.id));
    describe(cx, &job);
    cx.out.data(format_args!(
        "  Next run: {}",
        job.next_run_at.as_deref().unwrap_or("not scheduled")
    ));
    warn_if_no_gateway(cx);
    Ok(())
}

fn describe(cx: &Context, job: &Job) {
    cx.out.data(format_args!("  Name: {}", job.display_name()));
    cx.out
        .data(format_args!("  Schedule: {}", job.schedule_display()));
    cx.out.data(format_args!("  Deliver: {}", job.deliver()));
    if !job.skills.is_empty() {
        cx.out
            .data(format_args!("  Skills: {}", job.skills.join(", ")));
    }
    if let Some(s) = &job.script {
        cx.out.data(format_args!("  Script: {s}"));
    }
    if job.no_agent {
        cx.out
            .data("  Mode: no-agent (script stdout delivered directly)");
    }
    if let Some(w) = &job.workdir {
        cx.out.data(format_args!("  Workdir: {w}"));
    }
}

fn edit(cx: &Context, cron: &Cron, a: EditArgs) -> anyhow::Result<()> {
    let current = cron.store.get(&a.job).map_err(cli_err)?;
    let skills = if a.clear_skills {
        Some(Vec::new())
    } else if !a.skills.is_empty() {
        Some(a.skills)
    } else if !a.add_skills.is_empty() || !a.remove_skills.is_empty() {
        let mut s: Vec<String> = current
            .skills
            .iter()
            .filter(|s| !a.remove_skills.contains(s))
            .cloned()
            .collect();
        s.extend(a.add_skills);
        Some(s)
    } else {
        None
    };
    let edit = JobEdit {
        schedule: a.schedule,
        prompt: a.prompt,
        name: a.name,
        deliver: a.deliver,
        repeat: a.repeat,
        skills,
        script: a.script,
        workdir: a.workdir,
        failure_deliver: a.failure_deliver,
        no_agent: if a.no_agent {
            Some(true)
        } else if a.agent {
            Some(false)
        } else {
            None
        },
    };
    let job = cron
        .store
        .edit(&current.id, edit, &cron.now, &cron.rules)
        .map_err(cli_err)?;
    cx.out.data(format_args!("Updated job: {}", job.id));
    describe(cx, &job);
    if job.skills.is_empty() {
        cx.out.data("  Skills: none");
    }
    Ok(())
}

fn status(cx: &Context, cron: &Cron) -> anyhow::Result<()> {
    if let Some(p) = pid::running_gateway(&cx.paths) {
        cx.out
            .data("✓ Gateway is running — cron jobs will fire automatically");
        cx.out.data(format_args!("  PID: {p}"));
    } else {
        cx.out
            .data("✗ Gateway is not running — cron jobs will NOT fire");
        cx.out.data("");
        cx.out.data("  To enable automatic execution:");
        cx.out
            .data("    hermes gateway install    # Install as a user service");
        cx.out
            .data("    hermes gateway run        # Or run in foreground");
        cx.out
            .data("    hermes cron tick          # Or run due jobs once (e.g. from system cron)");
    }
    cx.out.data("");
    let jobs: Vec<Job> = cron
        .store
        .load()
        .map_err(cli_err)?
        .into_iter()
        .filter(|j| j.enabled)
        .collect();
    if jobs.is_empty() {
        cx.out.data("  No active jobs");
    } else {
        cx.out.data(format_args!("  {} active job(s)", jobs.len()));
        if let Some(next) = jobs
            .iter()
            .filter_map(|j| Some((j.next_run()?, j)))
            .min_by_key(|(t, _)| *t)
        {
            cx.out.data(format_args!(
                "  Next run: {} ({})",
                next.1.next_run_at.as_deref().unwrap_or_default(),
                next.1.display_name()
            ));
        }
    }
    Ok(())
}

fn runs(
    cx: &Context,
    cron: &Cron,
    job: Option<&str>,
    limit: usize,
    json: bool,
) -> anyhow::Result<()> {
    let id = match job {
        None => None,
        Some(r) => Some(match cron.store.get(r) {
            Ok(j) => j.id,
            // A removed job's history is still there under its id.
            Err(CronError::NotFound { .. }) => r.to_string(),
            Err(e) => return Err(cli_err(e)),
        }),
    };
    let rows: Vec<RunRow> =
        RunHistory::list_if_exists(&cx.paths.state_db(), id.as_deref(), limit).map_err(cli_err)?;
    if json {
        cx.out.json(&serde_json::to_value(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        cx.out.status("No cron execution attempts recorded.");
        return Ok(());
    }
    for r in rows {
        cx.out.data(format_args!(
            "{}  {:<14}  job={}  delivery={}  {}",
            r.id,
            r.status,
            r.job_id,
            r.delivery_status.as_deref().unwrap_or("-"),
            r.started_at
        ));
        if let Some(e) = &r.error {
            cx.out
                .data(format_args!("    {}", e.lines().next().unwrap_or_default()));
        }
        if let Some(e) = &r.delivery_error {
            cx.out.data(format_args!("    delivery: {e}"));
        }
    }
    Ok(())
}

fn tick(cx: &Context, cron: &Cron) -> anyhow::Result<()> {
    // The same agent and adapters the gateway uses: agent jobs run here, and delivery goes
    // straight to each platform's API (a running gateway is not needed).
    let settings = cx.settings()?;
    let env = cx.env()?;
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()?;
    let built = hermes::platforms::registry::build(&cx.paths, &settings, &env, &http);
    let outboxes: std::collections::HashMap<_, _> = built
        .platforms
        .iter()
        .map(|p| (p.name().to_string(), (p.outbox(), p.capabilities())))
        .collect();
    let agent: Option<Box<dyn hermes::cron::JobExecutor>> =
        match hermes::agent::Agent::from_settings(cx.paths.clone(), &settings, env.clone()) {
            Ok(agent) => {
                let store = std::sync::Arc::new(hermes::store::Store::open_home(&cx.paths)?);
                let timeout = std::time::Duration::from_secs(
                    env.number("HERMES_CRON_TIMEOUT").unwrap_or(600),
                );
                Some(Box::new(hermes::gateway::cron_bridge::AgentJobs {
                    runner: std::sync::Arc::new(agent),
                    store,
                    timeout,
                }))
            }
            // Without a model, agent jobs stay due and say why (blocked_config); scripts still run.
            Err(_) => None,
        };
    let executor = Executors {
        script: ScriptExecutor::new(cx.paths.scripts_dir(), cron.script_timeout),
        agent,
        skills_home: Some(cx.paths.clone()),
    };
    let deliverer = hermes::gateway::cron_bridge::OutboxDeliverer { outboxes };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = rt
        .block_on(hermes::cron::tick(
            &cron.now,
            &cron.store,
            &cron.env,
            &executor,
            &deliverer,
        ))
        .map_err(cli_err)?;
    if report.busy {
        cx.out
            .status("Another cron tick is running; nothing to do.");
        return Ok(());
    }
    for p in &report.interrupted {
        cx.out
            .warn(format_args!("Job '{}' ({}) {}", p.name, p.job_id, p.reason));
    }
    for p in &report.broken {
        cx.out.warn(format_args!(
            "Job '{}' ({}): {}",
            p.name, p.job_id, p.reason
        ));
    }
    for p in &report.skipped {
        cx.out
            .warn(format_args!("Job '{}' ({}) {}", p.name, p.job_id, p.reason));
    }
    for p in &report.blocked {
        cx.out.warn(format_args!(
            "Job '{}' ({}) not run (blocked_config): {}",
            p.name, p.job_id, p.reason
        ));
    }
    for r in &report.runs {
        cx.out.data(format_args!(
            "Ran job: {} ({}) — {}",
            r.name, r.job_id, r.status
        ));
        if let Some(e) = &r.error {
            cx.out.data(format_args!(
                "  Error: {}",
                e.lines().next().unwrap_or_default()
            ));
        }
        if let Some(p) = &r.output_path {
            cx.out.data(format_args!("  Output: {}", p.display()));
        }
        match r.delivery {
            DeliveryStatus::Failed => cx.out.warn(format_args!(
                "  Delivery failed: {}",
                r.delivery_error.as_deref().unwrap_or("no detail")
            )),
            d => cx.out.data(format_args!("  Delivery: {}", d.as_str())),
        }
    }
    if report.runs.is_empty() {
        cx.out.status("No jobs due.");
    }
    Ok(())
}
