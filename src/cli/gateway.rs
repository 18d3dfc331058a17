//! `hermes gateway` — run the messaging gateway in the foreground, and see or stop it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hermes::gateway::lock::InstanceLock;
use hermes::gateway::runtime::{self, Deps, Exit, Options};
use hermes::gateway::state::{self, StateFile};
use hermes::gateway::turn::{TurnRunner, UnconfiguredRunner};
use hermes::gateway::{cron_bridge, pid};
use hermes::home::{self, ProfileName};
use hermes::logs::{self, Level, LogConfig, Redactor};
use hermes::platforms::registry;
use hermes::store::Store;
use tokio_util::sync::CancellationToken;

use super::Context;
use super::error::CliError;

/// Run and manage the messaging gateway (Telegram, Weixin, and more).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Run the gateway in the foreground (what services and containers run).
    Run(RunArgs),
    /// Show whether this profile's gateway runs, and its platforms.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show every profile's gateway in one table.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop this profile's running gateway (SIGTERM; it drains and tells busy chats).
    Stop {
        /// Stop the gateways of every profile.
        #[arg(long)]
        all: bool,
    },
    /// Configure messaging platforms (arrow keys, or a flag per answer).
    Setup(super::setup::GatewayArgs),
}

#[derive(Debug, Default, clap::Args)]
struct RunArgs {
    /// Log to stderr too: -v for INFO, -vv for DEBUG.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    verbose: u8,
    /// Print nothing to stderr (logs still go to files).
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// Take over from a gateway of this same profile that is already running.
    #[arg(long)]
    replace: bool,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    match args.action.unwrap_or(Action::Run(RunArgs::default())) {
        Action::Run(a) => run_gateway(cx, &a),
        Action::Status { json } => status(cx, json),
        Action::List { json } => list(cx, json),
        Action::Stop { all } => stop(cx, all),
        Action::Setup(a) => super::setup::run_gateway(cx, a),
    }
}

fn run_gateway(cx: &Context, args: &RunArgs) -> anyhow::Result<()> {
    let settings = cx.settings()?;
    let env = cx.env()?;
    let level = Level::parse(&settings.logging.level).unwrap_or(Level::Info);
    let stderr = if args.quiet {
        None
    } else {
        match args.verbose {
            0 => Some(Level::Warning),
            1 => Some(Level::Info),
            _ => Some(Level::Debug),
        }
    };
    logs::init(
        &LogConfig {
            dir: cx.paths.logs_dir(),
            level,
            max_bytes: settings.logging.max_size_mb.max(1) * 1024 * 1024,
            backups: settings.logging.backup_count,
            gateway: true,
            stderr,
        },
        Redactor::from_env(&env),
    )?;
    let argv: Vec<String> = std::env::args().collect();
    let lock = InstanceLock::acquire(&cx.paths, &argv, args.replace, Duration::from_secs(30))?;
    let tz = hermes::gateway::reset::resolve_time_zone(&settings.timezone)
        .unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let store = Arc::new(Store::open_home(&cx.paths)?.with_time_zone(tz));
    let state = Arc::new(StateFile::new(&cx.paths, lock.record().clone()));
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let built = registry::build(&cx.paths, &settings, &env, &http);
    for w in &built.warnings {
        logs::warn("gateway.run", w);
        cx.out.warn(w);
    }
    for e in &built.errors {
        logs::error("gateway.run", e);
        cx.out.warn(e);
    }
    if built.platforms.is_empty() {
        logs::warn(
            "gateway.run",
            "No messaging platforms are configured; the gateway runs cron only.",
        );
        cx.out.warn("No messaging platforms are configured; the gateway runs cron only (`hermes gateway setup` adds one).");
    }
    let outboxes: std::collections::HashMap<_, _> = built
        .platforms
        .iter()
        .map(|p| (p.name().to_string(), (p.outbox(), p.capabilities())))
        .collect();
    let runner = build_runner(cx, &settings, &env, &outboxes);
    let cron_timeout = Duration::from_secs(env.number("HERMES_CRON_TIMEOUT").unwrap_or(600));
    let ticker = Arc::new(cron_bridge::Ticker {
        paths: cx.paths.clone(),
        settings: settings.clone(),
        env: env.clone(),
        agent: Some(cron_bridge::AgentJobs {
            runner: runner.clone(),
            store: store.clone(),
            timeout: cron_timeout,
        }),
        deliverer: cron_bridge::OutboxDeliverer { outboxes },
    });
    let api_config = hermes::api::ApiServerConfig::from_settings(&settings, &cx.paths);
    let api_runner = runner.clone();
    let api_store: Arc<dyn hermes::store::SessionStore> = store.clone();
    let api_state = state.clone();
    let deps = Deps {
        paths: cx.paths.clone(),
        settings,
        env,
        platforms: built.platforms,
        runner,
        store,
        state,
        options: Options {
            exit_on_startup_conflict: !api_config.enabled,
            ..Options::default()
        },
    };
    // The scheduler ticks every 60 s; HERMES_CRON_TICK_SECONDS shortens it (tests, impatient users).
    let tick_every = Duration::from_secs(env_tick_seconds(cx));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let out = cx.out.clone();
    let exit = rt.block_on(async move {
        let cancel = CancellationToken::new();
        let restart = Arc::new(AtomicBool::new(false));
        // The API server is a platform too: it binds first, so a bad bind fails the start.
        let api = if api_config.enabled {
            let server = hermes::api::ApiServer::bind(api_config, api_runner, api_store).await?;
            for w in server.warnings() {
                logs::warn("api", w);
                out.warn(w);
            }
            logs::info("api", server.listening_message());
            out.status(server.listening_message());
            let _ = api_state.platform("api_server", "connected", None);
            let api_cancel = cancel.child_token();
            Some(tokio::spawn(async move { server.run(api_cancel).await }))
        } else {
            None
        };
        spawn_signal_handlers(cancel.clone(), restart.clone());
        let cron_cancel = cancel.child_token();
        let cron = tokio::spawn(ticker.run(tick_every, cron_cancel.clone()));
        let exit = runtime::run(deps, cancel.clone(), restart).await;
        cancel.cancel();
        cron_cancel.cancel();
        let _ = cron.await;
        if let Some(api) = api
            && let Ok(Err(e)) = api.await
        {
            logs::error("api", format!("API server stopped with an error: {e}"));
        }
        Ok::<_, hermes::api::ApiServerError>(exit)
    })?;
    drop(lock);
    match exit {
        Exit::Stopped => Ok(()),
        Exit::Restart => Err(CliError::exit(75).into()),
        Exit::StartupConflict(msg) => {
            cx.out.warn(format!(
                "Gateway hit a non-retryable startup conflict: {msg}"
            ));
            Err(CliError::exit(78).into())
        }
    }
}

/// The agent for this profile, or one that answers every turn with what is missing (the
/// gateway still runs: pairing, commands and script jobs work without a model).
fn build_runner(
    cx: &Context,
    settings: &hermes::config::Settings,
    env: &hermes::config::Env,
    outboxes: &std::collections::HashMap<
        String,
        (
            Arc<dyn hermes::platforms::Outbox>,
            hermes::platforms::Capabilities,
        ),
    >,
) -> Arc<dyn TurnRunner> {
    match hermes::agent::Agent::from_settings(cx.paths.clone(), settings, env.clone()) {
        Ok(agent) => {
            let sender = cron_bridge::OutboxSender {
                outboxes: outboxes.clone(),
                homes: hermes::cron::HomeChannels::from_config(env, settings),
            };
            Arc::new(agent.with_message_sender(Arc::new(sender)))
        }
        Err(e) => {
            let hints = e.hints().join("; ");
            let message = if hints.is_empty() {
                format!("The agent is not configured: {e}")
            } else {
                format!("The agent is not configured: {e} ({hints})")
            };
            logs::error("gateway.run", &message);
            cx.out.warn(&message);
            Arc::new(UnconfiguredRunner { message })
        }
    }
}

/// SIGTERM/SIGINT stop; SIGUSR1 restarts (exit 75 for the service manager).
fn spawn_signal_handlers(cancel: CancellationToken, restart: Arc<AtomicBool>) {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let (Ok(mut term), Ok(mut int), Ok(mut usr1)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::user_defined1()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => logs::info("gateway.run", "SIGTERM: shutting down"),
            _ = int.recv() => logs::info("gateway.run", "SIGINT: shutting down"),
            _ = usr1.recv() => {
                logs::info("gateway.run", "SIGUSR1: restarting");
                restart.store(true, Ordering::SeqCst);
            }
        }
        cancel.cancel();
    });
}

/// One profile's gateway as `status` and `list` report it.
#[derive(serde::Serialize)]
struct GatewayRow {
    profile: String,
    running: bool,
    pid: Option<u32>,
    state: Option<String>,
    platforms: Vec<(String, String)>,
    active_runs: u32,
    queued_runs: u32,
    last_error: Option<String>,
    started_at: Option<String>,
    stale_pid_file_removed: bool,
}

fn row(paths: &hermes::home::HermesPaths) -> GatewayRow {
    let running = pid::running_gateway(paths);
    let mut stale = false;
    if running.is_none() && paths.gateway_pid_file().exists() {
        // A pid file without a live gateway is stale: clear it so nothing trusts it.
        stale = std::fs::remove_file(paths.gateway_pid_file()).is_ok();
    }
    let st = state::read(paths);
    let live = running.is_some();
    GatewayRow {
        profile: paths.profile().to_string(),
        running: live,
        pid: running,
        state: st.as_ref().map(|s| {
            if live {
                s.gateway_state.clone()
            } else {
                "stopped".into()
            }
        }),
        platforms: st
            .as_ref()
            .filter(|_| live)
            .map(|s| {
                s.platforms
                    .iter()
                    .map(|(k, v)| (k.clone(), v.state.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        active_runs: st.as_ref().filter(|_| live).map_or(0, |s| s.active_agents),
        queued_runs: st.as_ref().map_or(0, |s| s.queued_runs),
        last_error: st.as_ref().and_then(|s| s.last_error.clone()),
        started_at: st
            .as_ref()
            .filter(|_| live)
            .and_then(|s| s.started_at.clone()),
        stale_pid_file_removed: stale,
    }
}

fn status(cx: &Context, json: bool) -> anyhow::Result<()> {
    let r = row(&cx.paths);
    if json {
        cx.out.json(&serde_json::to_value(&r)?);
        return Ok(());
    }
    if r.stale_pid_file_removed {
        cx.out
            .warn("Removed a stale gateway.pid (no gateway was running).");
    }
    match r.pid {
        Some(p) => cx.out.data(format!(
            "Gateway: running (PID {p}) — profile {}",
            r.profile
        )),
        None => cx
            .out
            .data(format!("Gateway: stopped — profile {}", r.profile)),
    }
    if let Some(s) = &r.started_at {
        cx.out.data(format!("Started: {s}"));
    }
    for (name, st) in &r.platforms {
        cx.out.data(format!("  {name}: {st}"));
    }
    if r.running {
        cx.out.data(format!(
            "Active runs: {}   Queued runs: {}",
            r.active_runs, r.queued_runs
        ));
    }
    if let Some(e) = &r.last_error {
        cx.out.data(format!("Last error: {e}"));
    }
    if !r.running {
        cx.out
            .status("Start it with `hermes gateway run` (foreground).");
    }
    Ok(())
}

fn all_profiles(cx: &Context) -> anyhow::Result<Vec<hermes::home::HermesPaths>> {
    Ok(home::list_profiles(&cx.paths)?
        .into_iter()
        .filter_map(|p| ProfileName::parse(&p.name).ok())
        .map(|n| cx.paths.for_profile(&n))
        .collect())
}

fn list(cx: &Context, json: bool) -> anyhow::Result<()> {
    let rows: Vec<GatewayRow> = all_profiles(cx)?.iter().map(row).collect();
    if json {
        cx.out.json(&serde_json::to_value(&rows)?);
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.profile.clone(),
                if r.running {
                    "running".into()
                } else {
                    "stopped".into()
                },
                r.pid.map_or_else(|| "—".into(), |p| p.to_string()),
                if r.platforms.is_empty() {
                    "—".into()
                } else {
                    r.platforms
                        .iter()
                        .map(|(n, s)| format!("{n}:{s}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                },
                r.queued_runs.to_string(),
            ]
        })
        .collect();
    cx.out.table(
        &["PROFILE", "GATEWAY", "PID", "PLATFORMS", "QUEUED"],
        &table,
    );
    Ok(())
}

fn stop(cx: &Context, all: bool) -> anyhow::Result<()> {
    let targets = if all {
        all_profiles(cx)?
    } else {
        vec![cx.paths.clone()]
    };
    let mut stopped = 0;
    for paths in targets {
        let Some(p) = pid::running_gateway(&paths) else {
            if !all {
                cx.out.status(format!(
                    "No gateway is running for profile {}.",
                    paths.profile()
                ));
            }
            continue;
        };
        if pid::terminate(p, Duration::from_secs(70)) {
            cx.out.success(format!(
                "Stopped the gateway of profile {} (PID {p})",
                paths.profile()
            ));
            stopped += 1;
        } else {
            return Err(CliError::user(format!(
                "the gateway of profile {} (PID {p}) did not stop",
                paths.profile()
            ))
            .into());
        }
    }
    if all && stopped == 0 {
        cx.out.status("No gateway was running.");
    }
    Ok(())
}

fn env_tick_seconds(cx: &Context) -> u64 {
    cx.var("HERMES_CRON_TICK_SECONDS")
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(60)
}
