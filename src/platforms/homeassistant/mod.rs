//! The Home Assistant adapter: `state_changed` events from the websocket API (filtered as
//! configured) go to the agent as messages in the `ha_events` channel; replies become
//! persistent notifications through the REST API. Events are system input: the gateway
//! authorizes them without an allowlist.

pub mod api;
mod config;
mod events;
mod ws;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use api::{Rest, RestError};
pub use config::{
    DEFAULT_COOLDOWN_SECS, DEFAULT_URL, HomeAssistantConfig, HomeAssistantConfigError, hass_url,
};
pub use events::{EventFilter, format_state_change};
pub use ws::EVENTS_CHAT;

use serde_json::json;

use super::{
    Capabilities, ChatRef, OutboundMessage, Outbox, Platform, PlatformCx, PlatformError, Sent,
};
use crate::backoff;
use crate::gateway::token_lock::TokenLock;
use crate::home::HermesPaths;
use crate::logs;

/// The platform name.
pub const PLATFORM: &str = "homeassistant";
/// Longest notification text (as upstream).
pub const MAX_MESSAGE_LENGTH: usize = 4096;
/// The notification title (as upstream).
pub const NOTIFICATION_TITLE: &str = "Hermes Agent";
const LOCK_SCOPE: &str = "homeassistant-token";
const TARGET: &str = "gateway.homeassistant";

/// Checks the token and URL with `GET /api/` and a websocket login (`doctor`).
pub async fn probe(
    config: &HomeAssistantConfig,
    http: &reqwest::Client,
) -> Result<(), PlatformError> {
    Rest::new(http.clone(), &config.url, &config.token)
        .check()
        .await
        .map_err(|e| e.classify())?;
    let mut ws = ws::connect(&config.websocket_url(), &config.token).await?;
    let _ = ws.close(None).await;
    Ok(())
}

/// Replies as persistent notifications.
/// The longest `Retry-After` a notification waits out before giving up with `RateLimited`.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct HomeAssistantOutbox {
    rest: Rest,
}

#[async_trait::async_trait]
impl Outbox for HomeAssistantOutbox {
    async fn send(&self, _to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let mut text = msg.text.clone();
        for f in &msg.attachments {
            // Notifications cannot carry files; name them so nothing is silently lost.
            text.push_str(&format!("\n\n[file: {}]", f.display()));
        }
        let text: String = text.chars().take(MAX_MESSAGE_LENGTH).collect();
        let mut id = [0u8; 6];
        let _ = getrandom::fill(&mut id);
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let body = json!({"title": NOTIFICATION_TITLE, "message": text, "notification_id": format!("hermes_{id}")});
        let create = || {
            self.rest
                .call_service("persistent_notification", "create", &body)
        };
        match create().await {
            Ok(_) => {}
            // A short `Retry-After` is waited out once; a long one is reported.
            Err(RestError::RateLimited { retry_after })
                if retry_after.unwrap_or(Duration::from_secs(1)) <= MAX_RATE_LIMIT_WAIT =>
            {
                tokio::time::sleep(retry_after.unwrap_or(Duration::from_secs(1))).await;
                create().await.map_err(|e| e.classify())?;
            }
            Err(e) => return Err(e.classify()),
        }
        Ok(Sent {
            message_id: Some(format!("hermes_{id}")),
        })
    }
}

/// One Home Assistant instance.
pub struct HomeAssistant {
    config: HomeAssistantConfig,
    paths: HermesPaths,
    outbox: Arc<HomeAssistantOutbox>,
    filter: Mutex<EventFilter>,
}

impl std::fmt::Debug for HomeAssistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomeAssistant")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HomeAssistant {
    /// An adapter for `config`, sending through `http`.
    #[must_use]
    pub fn new(config: HomeAssistantConfig, paths: &HermesPaths, http: reqwest::Client) -> Self {
        let rest = Rest::new(http, &config.url, &config.token);
        Self {
            config,
            paths: paths.clone(),
            outbox: Arc::new(HomeAssistantOutbox { rest }),
            filter: Mutex::new(EventFilter::default()),
        }
    }

    fn filter(&self) -> MutexGuard<'_, EventFilter> {
        // The filter only holds timestamps; a panic elsewhere leaves it usable.
        self.filter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take_lock(&self) -> Result<TokenLock, PlatformError> {
        super::take_credential_lock(
            &self.paths,
            self.config.lock_dir.as_deref(),
            &super::LockRequest {
                platform: PLATFORM,
                scope: LOCK_SCOPE,
                identity: &self.config.token,
                label: "Home Assistant token",
                noun: "token",
            },
        )
    }
}

#[async_trait::async_trait]
impl Platform for HomeAssistant {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_message_length: MAX_MESSAGE_LENGTH,
            ..Capabilities::default()
        }
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
        let _lock = self.take_lock()?;
        let mut failures: u32 = 0;
        loop {
            if cx.cancel.is_cancelled() {
                return Ok(());
            }
            let err = match ws::session(self, &cx, &mut failures).await {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            if !err.is_retryable() {
                return Err(err);
            }
            logs::warn(TARGET, format!("{err}; reconnecting"));
            cx.set_status(PLATFORM, "retrying");
            let wait = backoff::delay(failures, Duration::from_secs(1), Duration::from_mins(1));
            failures = failures.saturating_add(1);
            tokio::select! {
                biased;
                () = cx.cancel.cancelled() => return Ok(()),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
