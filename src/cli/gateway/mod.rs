//! `hermes gateway` — run the messaging gateway in the foreground (`run`), as a service
//! (`install`, `start`, `stop`, `restart`, `uninstall`), and see it (`status`, `list`).
//! Service verbs live in `service.rs`, the views in `status.rs`, the hidden supervisor in
//! `supervise.rs`.

pub(crate) mod service;
mod status;
mod supervise;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hermes::gateway::cron_bridge;
use hermes::gateway::lock::InstanceLock;
use hermes::gateway::runtime::{self, Deps, Exit, Options};
use hermes::gateway::state::StateFile;
use hermes::gateway::turn::{TurnRunner, UnconfiguredRunner};
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
    /// Install the gateway as a service (systemd unit or launchd agent) that starts at boot.
    Install(service::InstallArgs),
    /// Remove the gateway service.
    Uninstall(service::ScopeArgs),
    /// Start the gateway in the background (the service, or a detached supervisor).
    Start(service::ControlArgs),
    /// Stop the gateway (SIGTERM; it drains and tells busy chats).
    Stop(service::ControlArgs),
    /// Restart the gateway (picks up `.env` and `config.yaml` changes).
    Restart(service::ControlArgs),
    /// Show whether this profile's gateway runs: PID, uptime, platforms, runs, service.
    Status(status::StatusArgs),
    /// Show every profile's gateway in one table.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run and restart the gateway in the background (used by `gateway start`).
    #[command(name = "__supervise", hide = true)]
    Supervise,
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
        Action::Install(a) => service::install(cx, &a),
        Action::Uninstall(a) => service::uninstall(cx, &a),
        Action::Start(a) => service::start(cx, &a),
        Action::Stop(a) => service::stop(cx, &a),
        Action::Restart(a) => service::restart(cx, &a),
        Action::Status(a) => status::status(cx, &a),
        Action::List { json } => status::list(cx, json),
        Action::Supervise => supervise::run(cx),
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
    let store = Arc::new(
        Store::open_home(&cx.paths)?
            .with_time_zone(tz)
            .with_background_checkpoints()?,
    );
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
    let (runner, process_notices) = build_runner(cx, &settings, &env, &outboxes);
    let cron_timeout = Duration::from_secs(env.number("HERMES_CRON_TIMEOUT").unwrap_or(600));
    let ticker = Arc::new(cron_bridge::Ticker::new(
        cx.paths.clone(),
        settings.clone(),
        env.clone(),
        Some(cron_bridge::AgentJobs {
            runner: runner.clone(),
            store: store.clone(),
            timeout: cron_timeout,
        }),
        cron_bridge::OutboxDeliverer { outboxes },
    ));
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
        process_notices,
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
/// gateway still runs: pairing, commands and script jobs work without a model); and the
/// notices of the agent's background processes, for the runtime to deliver.
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
) -> (
    Arc<dyn TurnRunner>,
    Option<tokio::sync::mpsc::UnboundedReceiver<hermes::agent::tools::ProcessNotice>>,
) {
    match hermes::agent::Agent::from_settings(cx.paths.clone(), settings, env.clone()) {
        Ok(agent) => {
            let sender = cron_bridge::OutboxSender {
                outboxes: outboxes.clone(),
                homes: hermes::cron::HomeChannels::from_config(env, settings),
            };
            let jobs = cron_bridge::JobsTool {
                paths: cx.paths.clone(),
                settings: settings.clone(),
                env: env.clone(),
            };
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let agent = agent
                .with_message_sender(Arc::new(sender))
                .with_cron(Arc::new(jobs))
                .with_process_notices(tx);
            (Arc::new(agent), Some(rx))
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
            (Arc::new(UnconfiguredRunner { message }), None)
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

/// Every profile's paths, `default` first.
pub(super) fn all_profiles(cx: &Context) -> anyhow::Result<Vec<hermes::home::HermesPaths>> {
    Ok(home::list_profiles(&cx.paths)?
        .into_iter()
        .filter_map(|p| ProfileName::parse(&p.name).ok())
        .map(|n| cx.paths.for_profile(&n))
        .collect())
}

fn env_tick_seconds(cx: &Context) -> u64 {
    cx.var("HERMES_CRON_TICK_SECONDS")
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(60)
}
