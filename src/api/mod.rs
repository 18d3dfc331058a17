//! The OpenAI-compatible API server (upstream's `api_server` platform): chat completions,
//! responses and runs over the agent (`TurnRunner`), sessions in the store. It owns HTTP and
//! its shapes; the agent, the transcript store and `gateway run`'s lifecycle belong to others.

mod chat;
mod config;
mod content;
mod error;
mod idempotency;
mod info;
mod middleware;
mod response_store;
mod responses;
mod runs;
mod session;
mod sse;
mod state;
mod writer;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use config::{
    ApiKey, ApiServerConfig, DEFAULT_HOST, DEFAULT_PORT, MAX_BODY_BYTES, MAX_STORED_RESPONSES,
    MIN_NETWORK_KEY_CHARS, StartupWarning, is_loopback_host, model_name_for,
};
pub use error::ApiServerError;
pub use session::{
    SOURCE, bearer_matches, derive_session_id, is_valid_session_id, scoped_session_key,
};
pub use state::ApiState;

use crate::gateway::turn::TurnRunner;
use crate::store::SessionStore;

/// The HTTP routes over `state`, with every layer (security headers, CORS, body limit, auth).
pub fn router(state: ApiState) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    Router::new()
        .route("/health", get(info::health))
        .route("/v1/health", get(info::health))
        .route("/health/detailed", get(info::health_detailed))
        .route("/v1/models", get(info::models))
        .route("/v1/capabilities", get(info::capabilities))
        .route("/v1/chat/completions", post(chat::completions))
        .route("/v1/responses", post(responses::create))
        .route(
            "/v1/responses/{id}",
            get(responses::get).delete(responses::delete),
        )
        .route("/v1/runs", post(runs::create))
        .route("/v1/runs/{id}", get(runs::status))
        .route("/v1/runs/{id}/events", get(runs::events))
        .route("/v1/runs/{id}/approval", post(runs::approval))
        .route("/v1/runs/{id}/stop", post(runs::stop))
        .fallback(info::not_found)
        // Layers run outermost-last: security headers wrap CORS, which wraps the body limit
        // and auth.
        .layer(from_fn_with_state(state.clone(), middleware::auth))
        .layer(from_fn_with_state(state.clone(), middleware::body_limit))
        .layer(from_fn_with_state(state.clone(), middleware::cors))
        .layer(from_fn(middleware::security_headers))
        .with_state(state)
}

/// A bound, not yet serving, API server.
#[derive(Debug)]
pub struct ApiServer {
    listener: TcpListener,
    addr: SocketAddr,
    state: ApiState,
    warnings: Vec<StartupWarning>,
}

impl ApiServer {
    /// Checks the startup rules, opens the response store and binds the port.
    pub async fn bind(
        config: ApiServerConfig,
        runner: Arc<dyn TurnRunner>,
        store: Arc<dyn SessionStore>,
    ) -> Result<Self, ApiServerError> {
        let warnings = config.check()?;
        let host = config.host.trim_start_matches('[').trim_end_matches(']');
        let bind_to = format!("{host}:{}", config.port);
        let listener = TcpListener::bind(&bind_to).await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                ApiServerError::PortInUse { port: config.port }
            } else {
                ApiServerError::Bind {
                    addr: bind_to.clone(),
                    source,
                }
            }
        })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ApiServerError::Bind {
                addr: bind_to,
                source,
            })?;
        let state = tokio::task::spawn_blocking(move || ApiState::new(config, runner, store))
            .await
            .map_err(|e| ApiServerError::Bind {
                addr: addr.to_string(),
                source: std::io::Error::other(e.to_string()),
            })?;
        Ok(Self {
            listener,
            addr,
            state,
            warnings,
        })
    }

    /// The address actually bound (port 0 resolved).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the operator should be told before serving.
    #[must_use]
    pub fn warnings(&self) -> &[StartupWarning] {
        &self.warnings
    }

    /// The shared state (tests and `gateway run` read counters from it).
    #[must_use]
    pub fn state(&self) -> &ApiState {
        &self.state
    }

    /// Upstream's startup line: `[API Server] API server listening on http://… (model: …)`.
    #[must_use]
    pub fn listening_message(&self) -> String {
        format!(
            "[API Server] API server listening on http://{} (model: {})",
            self.addr,
            self.state.config().model_name
        )
    }

    /// Serves until `cancel` fires, then stops running turns and finishes in-flight requests.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), ApiServerError> {
        for w in &self.warnings {
            crate::logs::warn(state::LOG, w);
        }
        crate::logs::info(state::LOG, self.listening_message());
        let state = self.state.clone();
        let state_for_flush = self.state.clone();
        let stop = cancel.clone();
        let watcher = tokio::spawn(async move {
            stop.cancelled().await;
            state.shutdown();
        });
        // SSE writes many small frames: without TCP_NODELAY, Nagle and delayed ACKs add 40 ms.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let result = axum::serve(listener, router(self.state))
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await
            .map_err(|source| ApiServerError::Serve {
                addr: self.addr,
                source,
            });
        watcher.abort();
        // Answers went out before their transcripts were written: finish writing them.
        state_for_flush.flush().await;
        result
    }
}

/// Binds and serves until `cancel` fires (what `gateway run` calls).
pub async fn serve(
    config: ApiServerConfig,
    runner: Arc<dyn TurnRunner>,
    store: Arc<dyn SessionStore>,
    cancel: CancellationToken,
) -> Result<(), ApiServerError> {
    ApiServer::bind(config, runner, store)
        .await?
        .run(cancel)
        .await
}
