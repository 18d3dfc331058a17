//! Inbound webhooks: an HTTP server (port 8644) whose routes turn signed JSON payloads from
//! GitHub, GitLab, monitoring and the like into agent prompts, and forward the agent's reply
//! to the route's `deliver` target on another platform. Authorization is by signature; the
//! gateway's auth module always admits `webhook`.

pub mod config;
mod outbox;
pub mod render;
mod server;
pub mod signature;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use config::{Route, RouteTable, WebhookConfig, WebhookConfigError};
pub use outbox::{Destination, Targets, WebhookOutbox, destination};

use super::{Capabilities, Outbox, Platform, PlatformCx, PlatformError};

/// The platform name.
pub const PLATFORM: &str = "webhook";

/// The webhook server of one profile.
#[derive(Debug)]
pub struct Webhook {
    routes: Arc<RouteTable>,
    outbox: Arc<WebhookOutbox>,
    bound: Mutex<Option<SocketAddr>>,
}

impl Webhook {
    /// A server for `config`; replies are forwarded once [`Webhook::bind_targets`] ran.
    #[must_use]
    pub fn new(config: WebhookConfig) -> Self {
        let routes = Arc::new(RouteTable::new(config));
        Self {
            outbox: Arc::new(WebhookOutbox::new(Arc::clone(&routes))),
            routes,
            bound: Mutex::new(None),
        }
    }

    /// Hands the webhook the other platforms' outboxes and the home channels it forwards to.
    /// The registry calls this once, after building every adapter.
    pub fn bind_targets(&self, targets: Targets) {
        self.outbox.bind(targets);
    }

    /// The address the server listens on, once `run` has bound it.
    #[must_use]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.bound.lock().ok().and_then(|b| *b)
    }

    /// The route table (static and hot-reloaded routes).
    #[must_use]
    pub fn routes(&self) -> &RouteTable {
        &self.routes
    }
}

#[async_trait::async_trait]
impl Platform for Webhook {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        // Replies are chunked again at the target's own limit when forwarded.
        Capabilities {
            max_message_length: 65_536,
            edits: false,
            threads: false,
            reactions: false,
            typing: true,
            files: true,
        }
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        Arc::clone(&self.outbox) as Arc<dyn Outbox>
    }

    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
        let config = self.routes.config();
        let addr = SocketAddr::new(config.host, config.port);
        let listener =
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| PlatformError::Transient {
                    platform: PLATFORM.into(),
                    message: format!(
                        "could not bind {addr}: {e}; set another port with WEBHOOK_PORT"
                    ),
                })?;
        let local = listener.local_addr().ok();
        if let Ok(mut b) = self.bound.lock() {
            *b = local;
        }
        let names = self.routes.names();
        crate::logs::info(
            "gateway.platforms.webhook",
            format!(
                "Listening on {} — routes: {}",
                local.unwrap_or(addr),
                if names.is_empty() {
                    "(none configured)".to_string()
                } else {
                    names.join(", ")
                }
            ),
        );
        let state = Arc::new(server::Server::new(
            Arc::clone(&self.routes),
            Arc::clone(&self.outbox),
            cx.clone(),
        ));
        let app = axum::Router::new()
            .route("/health", axum::routing::get(server::health))
            .fallback(server::handle)
            .with_state(state);
        cx.set_status(PLATFORM, "connected");
        axum::serve(listener, app)
            .with_graceful_shutdown(cx.cancel.clone().cancelled_owned())
            .await
            .map_err(|e| PlatformError::Transient {
                platform: PLATFORM.into(),
                message: format!("the webhook server stopped: {e}"),
            })
    }
}
