//! The gateway runtime that `hermes gateway run` hands off to: it supervises the platform
//! adapters, authorizes and stores every inbound message as a durable run before the platform
//! may acknowledge it, runs one agent turn at a time per session, delivers replies at least
//! once, and drains on shutdown.

mod cron_cmd;
mod deliver;
mod inbound;
mod slash;
mod stream;
mod worker;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::PairingStore;
use crate::config::{Env, Settings};
use crate::gateway::reset::{ResetPolicies, resolve_time_zone};
use crate::gateway::state::StateFile;
use crate::gateway::supervisor::{self, RestartPolicy, StatusChange};
use crate::gateway::turn::TurnRunner;
use crate::home::HermesPaths;
use crate::logs;
use crate::platforms::{Capabilities, ChatRef, Inbound, Outbox, Platform, PlatformCx};
use crate::store::{RunStore, Store};

pub use deliver::{deliver_message, deliver_text};

/// Tunables, with production defaults; tests shorten them.
#[derive(Debug, Clone)]
pub struct Options {
    /// How often the dispatcher looks for runs made due by others (retries, `runs approve`).
    pub poll: Duration,
    /// First delay before retrying a run whose provider was unreachable.
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// How often a typing indicator is refreshed while a turn runs.
    pub typing_every: Duration,
    /// How long shutdown waits for turns to notice cancellation.
    pub drain: Duration,
    /// Adapter restart backoff.
    pub restart: RestartPolicy,
    /// How long after start all-platform lock conflicts count as a startup conflict (exit 78).
    pub startup_window: Duration,
    /// Whether such a conflict ends the gateway (false when something else, like the API
    /// server, still makes it useful).
    pub exit_on_startup_conflict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(1),
            retry_base: Duration::from_secs(15),
            retry_max: Duration::from_mins(10),
            typing_every: Duration::from_secs(4),
            drain: Duration::from_mins(1),
            restart: RestartPolicy::default(),
            startup_window: Duration::from_secs(30),
            exit_on_startup_conflict: true,
        }
    }
}

/// Everything the runtime needs, built by the caller.
pub struct Deps {
    /// The profile's paths.
    pub paths: HermesPaths,
    /// Typed settings.
    pub settings: Settings,
    /// The merged environment.
    pub env: Env,
    /// The adapters to run.
    pub platforms: Vec<Arc<dyn Platform>>,
    /// The agent.
    pub runner: Arc<dyn TurnRunner>,
    /// The session store.
    pub store: Arc<Store>,
    /// The status record writer.
    pub state: Arc<StateFile>,
    /// Tunables.
    pub options: Options,
    /// Notices from the agent's background processes, each delivered to the chat of the
    /// session that started the process (`display.background_process_notifications`).
    pub process_notices: Option<mpsc::UnboundedReceiver<crate::agent::tools::ProcessNotice>>,
}

/// How the gateway ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// Stopped by a signal or by the caller.
    Stopped,
    /// A restart was requested (exit 75 so the service manager relaunches).
    Restart,
    /// Nothing could start because another gateway holds the platforms' tokens (exit 78).
    StartupConflict(String),
}

/// Why a running turn was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelReason {
    /// A newer message interrupts it (busy mode `interrupt`).
    Interrupt,
    /// `/stop` or `/new`.
    Stop,
    /// The gateway is shutting down or restarting.
    Shutdown,
}

/// A turn in progress.
pub(crate) struct Active {
    pub(crate) run_id: i64,
    /// The newest run this turn answers (its own or merged ones): a message stored at or
    /// before it is already part of the turn and must not interrupt it.
    pub(crate) covers_up_to: i64,
    pub(crate) chat: ChatRef,
    pub(crate) cancel: CancellationToken,
    pub(crate) reason: Option<CancelReason>,
    pub(crate) acked_busy: bool,
    /// Guidance for the running turn (busy mode `steer`).
    pub(crate) steer: crate::gateway::turn::Steer,
}

/// State shared by the inbound handler, the dispatcher and the workers.
pub(crate) struct Shared {
    pub(crate) paths: HermesPaths,
    pub(crate) settings: Settings,
    pub(crate) env: RwLock<Arc<Env>>,
    pub(crate) runner: Arc<dyn TurnRunner>,
    pub(crate) store: Arc<Store>,
    pub(crate) pairing: PairingStore,
    pub(crate) outboxes: HashMap<String, (Arc<dyn Outbox>, Capabilities)>,
    pub(crate) platform_states: Mutex<HashMap<String, String>>,
    pub(crate) active: Mutex<HashMap<String, Active>>,
    pub(crate) home_prompted: Mutex<HashSet<String>>,
    pub(crate) resets: ResetPolicies,
    pub(crate) tz: jiff::tz::TimeZone,
    pub(crate) wake: Notify,
    /// Session keys whose next run may now be claimable (a message arrived, a turn ended).
    pub(crate) wake_keys: Mutex<Vec<String>>,
    /// Runs stored already claimed by the inbound handler, for the dispatcher to start.
    pub(crate) ready: Mutex<Vec<crate::store::Run>>,
    /// This value's own `Arc`, for tasks the handlers spawn.
    me: std::sync::OnceLock<std::sync::Weak<Shared>>,
    pub(crate) state: Arc<StateFile>,
    pub(crate) options: Options,
    pub(crate) workers: TaskTracker,
    pub(crate) shutting_down: CancellationToken,
    pub(crate) counts_dirty: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// This value's own `Arc` (set once it is built).
    pub(crate) fn me(&self) -> Option<Arc<Shared>> {
        self.me.get().and_then(std::sync::Weak::upgrade)
    }

    /// Hands a run that is already claimed to the dispatcher, which starts its worker.
    pub(crate) fn start_claimed(&self, run: crate::store::Run) {
        if let Ok(mut ready) = self.ready.lock() {
            ready.push(run);
        }
        self.wake.notify_one();
    }

    /// Tells the dispatcher that session `key` may have a claimable run.
    pub(crate) fn wake_session(&self, key: &str) {
        if let Ok(mut keys) = self.wake_keys.lock() {
            keys.push(key.to_string());
        }
        self.wake.notify_one();
    }

    /// The environment as it is now (`/sethome` replaces it when it writes `.env`).
    pub(crate) fn env(&self) -> Arc<Env> {
        self.env.read().map(|e| Arc::clone(&e)).unwrap_or_default()
    }

    /// The outbox of a platform.
    pub(crate) fn outbox(&self, platform: &str) -> Option<(Arc<dyn Outbox>, Capabilities)> {
        self.outboxes.get(platform).cloned()
    }

    /// Sends text to a chat (chunked), logging failures.
    pub(crate) async fn say(&self, chat: &ChatRef, text: &str) {
        if let Some((outbox, caps)) = self.outbox(&chat.platform)
            && let Err(e) = deliver_text(outbox.as_ref(), caps, chat, text, None).await
        {
            logs::warn(
                &format!("gateway.{}", chat.platform),
                format!("could not send a notice: {e}"),
            );
        }
    }

    /// Marks the run counters as changed; a background task writes them (at most twice a
    /// second), so busy gateways do not rewrite `gateway_state.json` for every message.
    fn publish_counts(&self) {
        self.counts_dirty
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Writes the counters to `gateway_state.json` if they changed.
    fn flush_counts(&self) {
        if !self
            .counts_dirty
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        let active = self.active.lock().map_or(0, |a| a.len());
        let queued = self.store.count_waiting().unwrap_or(0);
        let _ = self.state.update(|s| {
            s.active_agents = u32::try_from(active).unwrap_or(u32::MAX);
            s.queued_runs = u32::try_from(queued).unwrap_or(u32::MAX);
        });
    }
}

/// Runs the gateway until `cancel` fires (or `restart` is requested through it).
pub async fn run(
    deps: Deps,
    cancel: CancellationToken,
    restart: Arc<std::sync::atomic::AtomicBool>,
) -> Exit {
    let tz =
        resolve_time_zone(&deps.settings.timezone).unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let resets = ResetPolicies::load(&deps.paths, &deps.settings).unwrap_or_else(|e| {
        logs::warn(
            "gateway.run",
            format!("{e}; using the session_reset defaults"),
        );
        ResetPolicies {
            default: (&deps.settings.session_reset).into(),
            by_platform: std::collections::BTreeMap::new(),
            by_type: std::collections::BTreeMap::new(),
        }
    });
    let outboxes: HashMap<String, (Arc<dyn Outbox>, Capabilities)> = deps
        .platforms
        .iter()
        .map(|p| (p.name().to_string(), (p.outbox(), p.capabilities())))
        .collect();
    let shared = Arc::new(Shared {
        pairing: PairingStore::open(&deps.paths),
        paths: deps.paths,
        settings: deps.settings,
        env: RwLock::new(Arc::new(deps.env)),
        runner: deps.runner,
        store: deps.store,
        outboxes,
        platform_states: Mutex::new(HashMap::new()),
        active: Mutex::new(HashMap::new()),
        home_prompted: Mutex::new(HashSet::new()),
        resets,
        tz,
        wake: Notify::new(),
        wake_keys: Mutex::new(Vec::new()),
        ready: Mutex::new(Vec::new()),
        me: std::sync::OnceLock::new(),
        state: deps.state,
        options: deps.options,
        workers: TaskTracker::new(),
        shutting_down: CancellationToken::new(),
        counts_dirty: std::sync::atomic::AtomicBool::new(true),
    });
    let _ = shared.me.set(Arc::downgrade(&shared));
    logs::info("gateway.run", "Starting Hermes Gateway...");

    // Runs left unfinished by a crash or a restart go back to the queue.
    match shared.store.unfinished() {
        Ok(runs) if !runs.is_empty() => {
            logs::info(
                "gateway.run",
                format!("Resuming {} unfinished run(s)", runs.len()),
            );
        }
        Ok(_) => {}
        Err(e) => logs::error("gateway.run", format!("cannot read unfinished runs: {e}")),
    }

    let (inbound_tx, mut inbound_rx) = mpsc::channel::<Inbound>(256);
    let (status_tx, mut status_rx) = mpsc::unbounded_channel::<StatusChange>();
    let (adapter_status_tx, mut adapter_status_rx) = mpsc::unbounded_channel::<(String, String)>();
    let platforms_root = CancellationToken::new();
    let tracker = TaskTracker::new();
    let template = PlatformCx {
        inbound: inbound_tx,
        cancel: platforms_root.clone(),
        http: reqwest::Client::new(),
        status: adapter_status_tx,
    };
    for p in &deps.platforms {
        logs::info("gateway.run", format!("Connecting to {}...", p.name()));
    }
    supervisor::spawn_all(
        &deps.platforms,
        &template,
        &platforms_root,
        &tracker,
        shared.options.restart,
        status_tx,
    );
    drop(template);
    let _ = shared.state.update(|s| s.gateway_state = "running".into());
    logs::info(
        "gateway.run",
        format!("Gateway running with {} platform(s)", deps.platforms.len()),
    );
    announce_restart(&shared).await;

    let counts = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(500));
            loop {
                every.tick().await;
                shared.flush_counts();
            }
        })
    };
    let dispatcher = {
        let shared = shared.clone();
        tokio::spawn(async move { worker::dispatch_loop(shared).await })
    };
    let notices = deps.process_notices.map(|rx| {
        let shared = shared.clone();
        tokio::spawn(forward_process_notices(shared, rx))
    });
    let started = tokio::time::Instant::now();
    let platform_count = deps.platforms.len();
    let mut exit = Exit::Stopped;
    loop {
        tokio::select! {
            () = cancel.cancelled() => break,
            Some(msg) = inbound_rx.recv() => inbound::handle(&shared, msg).await,
            Some(change) = status_rx.recv() => {
                if let Some(conflict) = record_status(&shared, &change, platform_count, started.elapsed()) {
                    exit = Exit::StartupConflict(conflict);
                    break;
                }
            }
            Some((name, state)) = adapter_status_rx.recv() => {
                if state == "connected" {
                    logs::info("gateway.run", format!("✓ {name} connected"));
                }
                let _ = shared.state.platform(&name, &state, None);
                if let Ok(mut m) = shared.platform_states.lock() {
                    m.insert(name, state);
                }
            }
        }
    }
    let restarting = restart.load(std::sync::atomic::Ordering::SeqCst);
    if exit == Exit::Stopped && restarting {
        exit = Exit::Restart;
    }
    shutdown(&shared, &exit).await;
    shared.shutting_down.cancel();
    shared.wake.notify_waiters();
    let _ = tokio::time::timeout(shared.options.drain, async {
        shared.workers.close();
        shared.workers.wait().await;
    })
    .await;
    dispatcher.abort();
    counts.abort();
    if let Some(n) = notices {
        n.abort();
    }
    shared.flush_counts();
    platforms_root.cancel();
    tracker.close();
    let _ = tokio::time::timeout(Duration::from_secs(10), tracker.wait()).await;
    let reason = match &exit {
        Exit::Stopped => "stopped".to_string(),
        Exit::Restart => "restart".to_string(),
        Exit::StartupConflict(m) => format!("startup conflict: {m}"),
    };
    let _ = shared.state.update(|s| {
        s.gateway_state = if matches!(exit, Exit::StartupConflict(_)) {
            "startup_failed".into()
        } else {
            "stopped".into()
        };
        s.exit_reason = Some(reason.clone());
        s.restart_requested = exit == Exit::Restart;
        s.active_agents = 0;
    });
    logs::info("gateway.run", format!("Gateway stopped ({reason})"));
    exit
}

/// Records a platform state change; returns the startup-conflict message when every platform
/// failed early and at least one because another gateway holds its token.
fn record_status(
    shared: &Shared,
    change: &StatusChange,
    total: usize,
    since_start: Duration,
) -> Option<String> {
    // The supervisor's "connecting" and the adapter's own "connected" travel on two channels;
    // a "connecting" read after the "connected" of the same run must not overwrite it.
    if change.state == "connecting"
        && shared
            .platform_states
            .lock()
            .is_ok_and(|m| m.get(&change.platform).is_some_and(|s| s == "connected"))
    {
        return None;
    }
    let error = change.error.clone();
    if let Some((code, message)) = &error {
        let level = if change.state == "fatal" {
            logs::Level::Error
        } else {
            logs::Level::Warning
        };
        logs::log(
            level,
            &format!("gateway.{}", change.platform),
            None,
            format!("{} ({code}): {message}", change.state),
        );
    }
    let _ = shared.state.platform(
        &change.platform,
        &change.state,
        error.as_ref().map(|(c, m)| (c.as_str(), m.clone())),
    );
    let mut states = shared.platform_states.lock().ok()?;
    states.insert(
        change.platform.clone(),
        if change.state == "fatal" {
            format!("fatal:{}", error.as_ref().map_or("", |e| e.0.as_str()))
        } else {
            change.state.clone()
        },
    );
    if !shared.options.exit_on_startup_conflict
        || since_start > shared.options.startup_window
        || total == 0
        || states.len() < total
    {
        return None;
    }
    let all_fatal = states.values().all(|s| s.starts_with("fatal:"));
    let conflict = states.values().any(|s| s.ends_with("_lock"));
    if all_fatal && conflict {
        let msg = error
            .map(|(_, m)| format!("{}: {m}", change.platform))
            .unwrap_or_default();
        logs::error(
            "gateway.run",
            format!("Gateway hit a non-retryable startup conflict: {msg}"),
        );
        return Some(msg);
    }
    None
}

/// After a restart, tells each home channel the gateway is back.
async fn announce_restart(shared: &Shared) {
    let marker = shared.paths.home().join(".clean_shutdown");
    let Ok(text) = std::fs::read_to_string(&marker) else {
        return;
    };
    let _ = std::fs::remove_file(&marker);
    if !text.contains("restart") {
        return;
    }
    let homes = crate::cron::HomeChannels::from_config(&shared.env(), &shared.settings);
    for name in shared.outboxes.keys() {
        let notify = shared
            .settings
            .gateway
            .platforms
            .get(name)
            .and_then(|v| v.get("gateway_restart_notification"))
            .and_then(serde_yaml_ng::Value::as_bool)
            .unwrap_or(true);
        if let (Some(home), true) = (homes.get(name), notify) {
            let chat_id = home.chat_id.as_str();
            let chat = ChatRef {
                platform: name.clone(),
                chat_id: chat_id.to_string(),
                thread_id: None,
            };
            shared
                .say(&chat, "♻️ Gateway online — Hermes is back and ready.")
                .await;
        }
    }
}

/// Tells chats with a running task that it will be interrupted, then cancels the turns.
async fn shutdown(shared: &Shared, exit: &Exit) {
    let _ = shared.state.update(|s| s.gateway_state = "draining".into());
    let restarting = *exit == Exit::Restart;
    let chats: Vec<ChatRef> = {
        let mut active = shared.active.lock().map_or_else(
            |_| Vec::new(),
            |mut a| {
                a.values_mut()
                    .map(|t| {
                        t.reason = Some(CancelReason::Shutdown);
                        t.cancel.cancel();
                        t.chat.clone()
                    })
                    .collect::<Vec<_>>()
            },
        );
        active.dedup();
        active
    };
    let notice = if restarting {
        "⚠️ Gateway restarting — Your current task will be interrupted. Send any message after restart and I'll try to resume where you left off."
    } else {
        "⚠️ Gateway shutting down — Your current task will be interrupted."
    };
    for chat in &chats {
        shared.say(chat, notice).await;
    }
    if restarting {
        let marker = shared.paths.home().join(".clean_shutdown");
        let _ = crate::fsutil::write_atomic(&marker, br#"{"reason": "restart"}"#, None);
    }
}

/// Delivers each background-process notice to the chat of the session that started the
/// process (its route's origin); a notice for a session with no chat is logged.
async fn forward_process_notices(
    shared: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<crate::agent::tools::ProcessNotice>,
) {
    use crate::store::RouteStore;
    while let Some(n) = rx.recv().await {
        let chat = shared
            .store
            .route(&n.session_key)
            .ok()
            .flatten()
            .and_then(|r| r.origin)
            .map(|o| o.chat());
        match chat {
            Some(chat) => shared.say(&chat, &n.text).await,
            None => logs::info(
                "gateway.run",
                format!(
                    "background process {} of {} has no chat to tell: {}",
                    n.process_id, n.session_key, n.text
                ),
            ),
        }
    }
}
