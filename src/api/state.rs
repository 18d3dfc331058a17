//! `ApiState`: the cheaply cloneable handle every handler gets (config, agent, stores, caches,
//! the run cap), and the one place a turn is run and recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{HeaderName, StatusCode};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::config::ApiServerConfig;
use super::content::Content;
use super::error::HttpError;
use super::idempotency::IdempotencyCache;
use super::response_store::ResponseStore;
use super::runs::RunRegistry;
use super::session::{self, SessionRef};
use super::writer::StoreWriter;
use crate::gateway::turn::{
    HistoryMessage, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use crate::platforms::{ChatType, SessionSource};
use crate::store::{Clock, SessionStore, SystemClock};

/// How long an interrupted turn gets to stop (its commands get SIGTERM, then SIGKILL after 1 s).
pub(crate) const WIND_DOWN: std::time::Duration = std::time::Duration::from_secs(5);

/// Log target, as upstream's logger name.
pub(crate) const LOG: &str = "gateway.platforms.api_server";

/// The server's shared state; clone freely.
#[derive(Clone)]
pub struct ApiState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) config: ApiServerConfig,
    pub(crate) runner: Arc<dyn TurnRunner>,
    pub(crate) writer: StoreWriter,
    pub(crate) responses: ResponseStore,
    pub(crate) idempotency: IdempotencyCache,
    pub(crate) limiter: RunLimiter,
    pub(crate) runs: RunRegistry,
    pub(crate) clock: Arc<dyn Clock>,
    /// Cancelled when the server shuts down: every running turn stops.
    pub(crate) shutdown: CancellationToken,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl ApiState {
    /// State over the profile's stores, with the system clock.
    #[must_use]
    pub fn new(
        config: ApiServerConfig,
        runner: Arc<dyn TurnRunner>,
        store: Arc<dyn SessionStore>,
    ) -> Self {
        Self::with_clock(config, runner, store, Arc::new(SystemClock))
    }

    /// Like [`ApiState::new`], with a clock (tests control idempotency expiry and LRU order).
    #[must_use]
    pub fn with_clock(
        config: ApiServerConfig,
        runner: Arc<dyn TurnRunner>,
        store: Arc<dyn SessionStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let responses = ResponseStore::open(
            &config.paths.response_store_db(),
            config.max_stored_responses,
            clock.clone(),
        );
        Self(Arc::new(Inner {
            idempotency: IdempotencyCache::new(config.idempotency_ttl, clock.clone()),
            limiter: RunLimiter::new(config.max_concurrent_runs),
            runs: RunRegistry::default(),
            responses,
            writer: StoreWriter::start(store),
            config,
            runner,
            clock,
            shutdown: CancellationToken::new(),
        }))
    }

    /// The resolved config.
    #[must_use]
    pub fn config(&self) -> &ApiServerConfig {
        &self.0.config
    }

    /// Agent turns running now (all endpoints).
    #[must_use]
    pub fn active_runs(&self) -> usize {
        self.0.limiter.active()
    }

    /// Waits until every finished turn is written to the session store (transcripts are
    /// written after the answer has gone out, in order).
    pub async fn flush(&self) {
        self.0.writer.flush().await;
    }

    /// Stops every running turn (the server is shutting down).
    pub fn shutdown(&self) {
        self.0.shutdown.cancel();
    }

    /// Seconds since the epoch by the state's clock.
    pub(crate) fn now_secs(&self) -> i64 {
        self.0.clock.now().as_second()
    }

    /// The server key, if any.
    pub(crate) fn key(&self) -> Option<&str> {
        self.0
            .config
            .key
            .as_ref()
            .map(super::config::ApiKey::expose)
    }

    /// Runs a turn and, on success, queues it for the session's transcript.
    pub(crate) async fn run_turn(
        &self,
        turn: &Turn,
        events: mpsc::UnboundedSender<TurnEvent>,
        cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        let result = self.0.runner.run(turn.request(), events, cancel).await?;
        self.0
            .writer
            .record(&turn.session, &turn.input.text, &result)
            .await;
        Ok(result)
    }
}

impl ApiState {
    /// Runs a turn for a request that waits for the whole answer. The turn runs in its own
    /// task: when the client hangs up, hyper drops the request's future, and the guard then
    /// interrupts the turn the way `/stop` does (its tools see the cancellation and stop
    /// their processes) instead of dropping it mid-step.
    pub(crate) async fn run_turn_for_request(&self, turn: &Turn) -> Result<TurnResult, TurnError> {
        let cancel = self.0.shutdown.child_token();
        let _guard = cancel.clone().drop_guard();
        let (events, _ignored) = mpsc::unbounded_channel();
        let (state, turn) = (self.clone(), turn.clone());
        tokio::spawn(async move { state.run_turn(&turn, events, cancel).await })
            .await
            .unwrap_or_else(|e| {
                Err(TurnError::Failed {
                    message: format!("the turn ended abnormally: {e}"),
                })
            })
    }
}

/// One turn as the API server sees it.
#[derive(Debug, Clone)]
pub(crate) struct Turn {
    pub(crate) session: SessionRef,
    pub(crate) input: Content,
    pub(crate) history: Vec<HistoryMessage>,
    pub(crate) system: Option<String>,
}

impl Turn {
    fn request(&self) -> TurnRequest {
        TurnRequest {
            session_id: self.session.id.clone(),
            session_key: self.session.key.clone(),
            source: SessionSource {
                platform: session::SOURCE.into(),
                chat_id: self.session.id.clone(),
                chat_type: ChatType::Dm,
                user_id: Some(self.session.user_id.clone()),
                ..SessionSource::default()
            },
            history: self.history.clone(),
            input: self.input.text.clone(),
            images: self.input.images.clone(),
            ephemeral_system: self.system.clone().filter(|s| !s.trim().is_empty()),
            ..TurnRequest::default()
        }
    }
}

/// The cap on agent runs at once, shared by every endpoint.
#[derive(Debug)]
pub(crate) struct RunLimiter {
    max: usize,
    active: Arc<AtomicUsize>,
}

/// One admitted run; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct RunPermit(Arc<AtomicUsize>);

impl Drop for RunPermit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl RunLimiter {
    fn new(max: usize) -> Self {
        Self {
            max,
            active: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// Admits a run, or answers 429 `Too many concurrent runs (max N)`.
    pub(crate) fn acquire(&self) -> Result<RunPermit, HttpError> {
        let max = self.max;
        self.active
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (max == 0 || n < max).then_some(n + 1)
            })
            .map(|_| RunPermit(self.active.clone()))
            .map_err(|_| {
                HttpError::openai(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many concurrent runs (max {max})"),
                    "rate_limit_error",
                    None,
                    Some("rate_limit_exceeded"),
                )
                .header(HeaderName::from_static("retry-after"), "1")
            })
    }
}

/// The HTTP answer to a failed turn: 503 + `Retry-After` when the provider is unavailable
/// (a hub retries), 502 `agent_incomplete` otherwise; `X-Hermes-Completed: false` on both.
pub(crate) fn turn_error(state: &ApiState, err: &TurnError, session_id: &str) -> HttpError {
    let base = match err {
        TurnError::Unavailable { message } => HttpError::openai(
            StatusCode::SERVICE_UNAVAILABLE,
            message.clone(),
            "server_error",
            None,
            Some("provider_unavailable"),
        )
        .header(
            HeaderName::from_static("retry-after"),
            state.0.config.retry_after_secs.to_string(),
        ),
        TurnError::Cancelled => HttpError::openai(
            StatusCode::SERVICE_UNAVAILABLE,
            "The run was interrupted (the server is shutting down).",
            "server_error",
            None,
            Some("agent_interrupted"),
        )
        .header(
            HeaderName::from_static("retry-after"),
            state.0.config.retry_after_secs.to_string(),
        ),
        TurnError::Config { message } | TurnError::Failed { message } => {
            let mut e = HttpError::openai(
                StatusCode::BAD_GATEWAY,
                message.clone(),
                "server_error",
                None,
                Some("agent_incomplete"),
            );
            e.body["error"]["hermes"] =
                serde_json::json!({"completed": false, "partial": false, "failed": true});
            e.header(HeaderName::from_static("x-hermes-partial"), "false")
        }
    };
    base.header(HeaderName::from_static("x-hermes-completed"), "false")
        .header(
            HeaderName::from_static(session::SESSION_ID_HEADER),
            session_id,
        )
}
