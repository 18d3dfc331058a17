//! Weixin (personal `WeChat`) through Tencent's iLink bot API: a `getupdates` long poll with a
//! durable cursor, per-peer context tokens echoed on every send, AES-128-ECB media over the
//! CDN, typing tickets, and the QR login the setup wizard drives. Who may talk to the bot
//! (DM and group policies, pairing) is the gateway's auth module's business, not this one's.

pub mod api;
pub mod config;
pub mod convert;
pub mod crypto;
pub mod login;
pub mod media;
mod outbox;
mod poll;
pub mod state;
mod upload;

use std::sync::{Arc, Mutex};

use tokio::time::Instant;

pub use config::{
    DEFAULT_BASE_URL, DEFAULT_CDN_BASE_URL, Timings, WeixinAccount, WeixinConfig,
    WeixinConfigError, group_policy_warning,
};
pub use login::{LoginError, LoginEvent, LoginOptions, probe, qr_login};
pub use outbox::WeixinOutbox;

use self::api::Ilink;
use self::state::{ContextTokens, Expiring};
use crate::platforms::{Capabilities, Outbox, Platform, PlatformCx, PlatformError};

/// The platform name.
pub const PLATFORM: &str = "weixin";
/// Longest text in one bubble.
pub const MAX_MESSAGE_LENGTH: usize = 4000;
/// The log component.
const TARGET: &str = "gateway.platforms.weixin";
/// The token-lock scope: upstream's (§4.2 `weixin-token`), so that an upstream gateway and
/// this one on the same bot token see each other's lock.
pub const TOKEN_LOCK_SCOPE: &str = "weixin-token";

/// State shared by the poll loop and the outbox.
#[derive(Debug)]
struct Shared {
    config: WeixinConfig,
    http: reqwest::Client,
    api: Ilink,
    tokens: ContextTokens,
    typing: Mutex<Expiring<String>>,
    dedup: Mutex<Expiring<()>>,
    send_gate: tokio::sync::Mutex<()>,
}

impl Shared {
    fn typing_ticket(&self, peer: &str) -> Option<String> {
        lock(&self.typing).get(peer, Instant::now())
    }

    fn remember_ticket(&self, peer: &str, ticket: &str) {
        lock(&self.typing).insert(peer, ticket.to_string(), Instant::now());
    }

    fn seen(&self, message_id: &str) -> bool {
        lock(&self.dedup).get(message_id, Instant::now()).is_some()
    }

    fn mark_seen(&self, message_id: &str) {
        lock(&self.dedup).insert(message_id, (), Instant::now());
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded maps stay consistent even if a holder panicked; keep using them.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The first characters of an id, for logs.
fn safe_id(id: &str) -> String {
    let s: String = id.chars().take(8).collect();
    if s.is_empty() { "?".into() } else { s }
}

/// One iLink bot account.
#[derive(Debug)]
pub struct Weixin {
    shared: Arc<Shared>,
    outbox: Arc<WeixinOutbox>,
}

impl Weixin {
    /// An adapter for `config`, using `http` for every call (also before `run`, for sends).
    /// The saved context tokens are restored here.
    #[must_use]
    pub fn new(config: WeixinConfig, http: reqwest::Client) -> Self {
        let api = Ilink::new(http.clone(), &config.base_url, Some(&config.token));
        let tokens = ContextTokens::restore(&config.accounts_dir(), &config.account_id);
        let shared = Arc::new(Shared {
            typing: Mutex::new(Expiring::new(config.timings.typing_ticket_ttl)),
            dedup: Mutex::new(Expiring::new(config.timings.dedup_ttl)),
            send_gate: tokio::sync::Mutex::new(()),
            config,
            http,
            api,
            tokens,
        });
        let outbox = Arc::new(WeixinOutbox {
            shared: Arc::clone(&shared),
        });
        Self { shared, outbox }
    }

    /// The adapter's configuration.
    #[must_use]
    pub fn config(&self) -> &WeixinConfig {
        &self.shared.config
    }
}

#[async_trait::async_trait]
impl Platform for Weixin {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_message_length: MAX_MESSAGE_LENGTH,
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
        poll::run(&self.shared, &cx).await
    }
}

fn transient(message: impl Into<String>) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message: message.into(),
    }
}

fn unauthorized(message: impl Into<String>) -> PlatformError {
    PlatformError::Unauthorized {
        platform: PLATFORM.into(),
        message: message.into(),
    }
}

/// What to tell a user whose token was refused.
const RELOGIN: &str =
    "log in again with `hermes gateway setup` (choose Weixin and scan the QR code)";

/// Maps a transport failure: 401/403 mean the token, anything else is worth a retry.
fn api_error(e: &api::ApiError) -> PlatformError {
    if e.is_auth() {
        unauthorized(format!("{}; {RELOGIN}", e.detail()))
    } else {
        transient(e.detail())
    }
}
