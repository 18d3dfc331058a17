//! The contract every chat platform adapter implements: a `Platform` that runs until
//! cancelled and pushes inbound messages, a cloneable `Outbox` to send, edit and type, and
//! `Capabilities` as data. Adapters live in one folder each beside this file.

pub mod chunk;
pub mod discord;
pub mod email;
pub mod homeassistant;
pub mod matrix;
pub mod memory;
pub mod proxy;
pub mod registry;
pub mod slack;
pub(crate) mod sources;
pub mod telegram;
pub mod webhook;
pub mod weixin;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

pub use crate::gateway::session_key::{ChatType, SessionSource};

/// A destination: platform, chat, optional thread.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatRef {
    /// Platform name.
    pub platform: String,
    /// Chat id.
    pub chat_id: String,
    /// Thread id.
    #[serde(default)]
    pub thread_id: Option<String>,
}

/// A media file that came with a message, already downloaded into the profile's cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// `image`, `voice`, `audio`, `video`, `file`.
    pub kind: String,
    /// Local path.
    pub path: PathBuf,
    /// MIME type, when known.
    #[serde(default)]
    pub mime: Option<String>,
}

/// A message from a user, normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// Who and where.
    pub source: SessionSource,
    /// The text (a quote of the replied-to message may be prefixed by the adapter).
    pub text: String,
    /// The platform's id of this message (for dedup and replies).
    #[serde(default)]
    pub message_id: Option<String>,
    /// The id of the message this one replies to.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Attached media.
    #[serde(default)]
    pub media: Vec<Media>,
    /// Whether the bot was mentioned (group rules use it).
    #[serde(default)]
    pub mentioned: bool,
    /// The sender's role ids in the chat's server (Discord), for `<P>_ALLOWED_ROLES`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// A message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundMessage {
    /// Markdown text.
    pub text: String,
    /// Reply to this platform message id.
    pub reply_to: Option<String>,
    /// Files to attach.
    pub attachments: Vec<PathBuf>,
    /// A subject, where the platform has one (email; `hermes send -s`).
    pub subject: Option<String>,
}

impl OutboundMessage {
    /// A plain text message.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

/// What a send returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// The platform's id of the (last) message sent, for edits.
    pub message_id: Option<String>,
}

/// What a platform can do, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Longest text one message may hold (characters).
    pub max_message_length: usize,
    /// Messages can be edited (streaming, progress bubbles).
    pub edits: bool,
    /// Threads or topics exist.
    pub threads: bool,
    /// Reactions exist.
    pub reactions: bool,
    /// A typing indicator exists.
    pub typing: bool,
    /// Files and images can be sent.
    pub files: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            max_message_length: 4000,
            edits: false,
            threads: false,
            reactions: false,
            typing: false,
            files: false,
        }
    }
}

/// Why a platform call failed, classified so the supervisor knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The credentials were rejected: park the platform and surface it in `doctor`.
    #[error("{platform} rejected the credentials: {message}")]
    Unauthorized { platform: String, message: String },
    /// Too many requests; retry after the given delay.
    #[error("rate limited by {platform}")]
    RateLimited {
        platform: String,
        retry_after: Option<Duration>,
    },
    /// A network or server problem worth retrying with backoff.
    #[error("connection to {platform} failed: {message}")]
    Transient { platform: String, message: String },
    /// The adapter cannot continue (bad configuration, a lock held by another profile).
    #[error("{platform} adapter cannot continue: {message}")]
    Fatal {
        platform: String,
        message: String,
        code: String,
    },
    /// The platform cannot do this (e.g. edit) — callers fall back.
    #[error("{platform} does not support {what}")]
    Unsupported {
        platform: String,
        what: &'static str,
    },
}

impl PlatformError {
    /// A short machine code for `gateway_state.json`.
    #[must_use]
    pub fn code(&self) -> String {
        match self {
            Self::Unauthorized { .. } => "unauthorized".into(),
            Self::RateLimited { .. } => "rate_limited".into(),
            Self::Transient { .. } => "transient".into(),
            Self::Fatal { code, .. } => code.clone(),
            Self::Unsupported { .. } => "unsupported".into(),
        }
    }

    /// Whether the supervisor should restart the adapter.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient { .. })
    }
}

/// The sending half of a platform, cheap to clone and share.
#[async_trait::async_trait]
pub trait Outbox: Send + Sync {
    /// Sends a message (the caller chunks it to `max_message_length`).
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError>;

    /// Replaces the text of a sent message.
    async fn edit(&self, to: &ChatRef, message_id: &str, text: &str) -> Result<(), PlatformError> {
        let _ = (to, message_id, text);
        Err(PlatformError::Unsupported {
            platform: to.platform.clone(),
            what: "edits",
        })
    }

    /// Shows "typing…" for a few seconds.
    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        let _ = to;
        Ok(())
    }
}

/// An inbound message handed to the gateway; `accepted` fires once it is stored durably, so
/// the adapter may then acknowledge its cursor.
#[derive(Debug)]
pub struct Inbound {
    /// The message.
    pub message: InboundMessage,
    /// Fired when the gateway has stored it.
    pub accepted: oneshot::Sender<()>,
}

/// What a running adapter gets.
#[derive(Debug, Clone)]
pub struct PlatformCx {
    /// Where inbound messages go (bounded: backpressure, not memory growth).
    pub inbound: mpsc::Sender<Inbound>,
    /// Fires when the adapter must stop.
    pub cancel: CancellationToken,
    /// The shared HTTP client.
    pub http: reqwest::Client,
    /// Reports connection state (`connected`, `retrying`, …) to the supervisor.
    pub status: mpsc::UnboundedSender<(String, String)>,
}

/// A message handed to the gateway with [`PlatformCx::submit`], not yet known to be stored.
#[derive(Debug)]
pub struct Submitted {
    accepted: Option<oneshot::Receiver<()>>,
    cancel: CancellationToken,
}

impl Submitted {
    /// Waits until the message is stored (true) or the gateway has stopped taking messages
    /// (false).
    pub async fn accepted(self) -> bool {
        let Some(rx) = self.accepted else {
            return false;
        };
        tokio::select! {
            // An acceptance that already arrived wins over a concurrent stop.
            biased;
            r = rx => r.is_ok(),
            () = self.cancel.cancelled() => false,
        }
    }
}

impl PlatformCx {
    /// Hands a message to the gateway and waits until it is stored, so the adapter can
    /// acknowledge its cursor only then. Returns false when the gateway is shutting down.
    pub async fn deliver(&self, message: InboundMessage) -> bool {
        self.submit(message).await.accepted().await
    }

    /// Hands a message to the gateway without waiting for it to be stored. An adapter that
    /// receives messages in batches submits the whole batch, then awaits each
    /// [`Submitted::accepted`] in order before acknowledging: the gateway stores the batch in
    /// a few shared commits instead of one round trip per message. Messages keep their order.
    pub async fn submit(&self, message: InboundMessage) -> Submitted {
        let (tx, rx) = oneshot::channel();
        let sent = self
            .inbound
            .send(Inbound {
                message,
                accepted: tx,
            })
            .await
            .is_ok();
        Submitted {
            accepted: sent.then_some(rx),
            cancel: self.cancel.clone(),
        }
    }

    /// Reports the adapter's connection state.
    pub fn set_status(&self, platform: &str, state: &str) {
        let _ = self.status.send((platform.to_string(), state.to_string()));
    }
}

/// A chat platform connection: one value per configured account. The supervisor calls
/// `run` again (after a backoff) when it fails with a retryable error, so `run` must be
/// restartable; state that outlives a connection (cursors, tokens) lives in the value.
#[async_trait::async_trait]
pub trait Platform: Send + Sync + 'static {
    /// `telegram`, `discord`, …
    fn name(&self) -> &str;
    /// What it can do.
    fn capabilities(&self) -> Capabilities;
    /// The handle the gateway sends through (stable across restarts of `run`).
    fn outbox(&self) -> Arc<dyn Outbox>;
    /// Receives until `cx.cancel` fires, delivering each message with [`PlatformCx::deliver`].
    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError>;
}

/// What an adapter's machine-wide credential lock guards: `identity` (a token, an
/// account) under `scope`, described to the user as `label` ("Telegram bot token").
pub struct LockRequest<'a> {
    pub platform: &'a str,
    pub scope: &'a str,
    pub identity: &'a str,
    pub label: &'a str,
    /// The noun used when the lock directory itself is unusable ("token", "mailbox").
    pub noun: &'a str,
}

/// Takes an adapter's credential lock in the profile's (or the configured) lock
/// directory. Another holder, or an unusable directory, is fatal for the adapter.
pub fn take_credential_lock(
    paths: &crate::home::HermesPaths,
    lock_dir: Option<&std::path::Path>,
    req: &LockRequest<'_>,
) -> Result<crate::gateway::token_lock::TokenLock, PlatformError> {
    use crate::gateway::token_lock::{TokenLock, lock_dir as dir_for};
    let dir = dir_for(paths, lock_dir.and_then(|p| p.to_str()));
    let fail = |message: String| PlatformError::Fatal {
        platform: req.platform.into(),
        message,
        code: format!("{}_lock", req.scope),
    };
    match TokenLock::acquire(&dir, req.scope, req.identity, req.label, paths) {
        Ok(Ok(lock)) => Ok(lock),
        Ok(Err(conflict)) => Err(fail(conflict.to_string())),
        Err(e) => Err(fail(format!(
            "cannot take the {} lock in {}: {e}",
            req.noun,
            dir.display()
        ))),
    }
}

/// Remembers the last `cap` event ids an adapter delivered, so redelivered events are skipped.
pub struct RecentIds {
    cap: usize,
    inner: std::sync::Mutex<(
        std::collections::HashSet<String>,
        std::collections::VecDeque<String>,
    )>,
}

impl RecentIds {
    #[must_use]
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            inner: std::sync::Mutex::new(Default::default()),
        }
    }

    /// Whether `id` was remembered.
    pub fn seen(&self, id: &str) -> bool {
        self.inner.lock().is_ok_and(|s| s.0.contains(id))
    }

    /// Remembers `id`, forgetting the oldest beyond the cap.
    pub fn remember(&self, id: &str) {
        if let Ok(mut s) = self.inner.lock()
            && s.0.insert(id.to_string())
        {
            s.1.push_back(id.to_string());
            if s.1.len() > self.cap
                && let Some(old) = s.1.pop_front()
            {
                s.0.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod submit_tests {
    use super::*;

    fn cx(capacity: usize) -> (PlatformCx, mpsc::Receiver<Inbound>) {
        let (inbound, rx) = mpsc::channel(capacity);
        let (status, _) = mpsc::unbounded_channel();
        let cx = PlatformCx {
            inbound,
            cancel: CancellationToken::new(),
            http: reqwest::Client::new(),
            status,
        };
        (cx, rx)
    }

    fn msg(text: &str) -> InboundMessage {
        InboundMessage {
            text: text.into(),
            ..InboundMessage::default()
        }
    }

    #[tokio::test]
    async fn a_batch_is_handed_over_before_any_acceptance_and_accepted_in_order() {
        let (cx, mut rx) = cx(8);
        let a = cx.submit(msg("a")).await;
        let b = cx.submit(msg("b")).await;
        // Both are with the gateway already, in order, neither stored yet.
        let first = rx.recv().await.unwrap();
        let second = rx.recv().await.unwrap();
        assert_eq!(
            (first.message.text.as_str(), second.message.text.as_str()),
            ("a", "b")
        );
        let waiting = tokio::spawn(a.accepted());
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "accepted only once stored");
        first.accepted.send(()).unwrap();
        assert!(waiting.await.unwrap());
        // A message the gateway drops without storing is not accepted.
        drop(second);
        assert!(!b.accepted().await);
    }

    #[tokio::test]
    async fn nothing_is_accepted_once_the_gateway_stops() {
        let (cx, rx) = cx(8);
        let pending = cx.submit(msg("a")).await;
        cx.cancel.cancel();
        assert!(
            !pending.accepted().await,
            "a stop wins over a missing acceptance"
        );
        drop(rx);
        assert!(
            !cx.submit(msg("b")).await.accepted().await,
            "the gateway is gone"
        );
        assert!(!cx.deliver(msg("c")).await);
    }
}
