//! The Slack adapter: Socket Mode (`apps.connections.open` with the app token, envelopes
//! acknowledged only once the gateway stored the message, `disconnect` → reconnect) for
//! inbound events and the Web API with the bot token for everything else, plus the
//! [`SlackOutbox`]. Authorization, sessions and replies are the gateway's.

mod api;
mod config;
mod convert;
mod outbox;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

pub use api::PLATFORM;
pub use config::{
    AllowBots, DEFAULT_API_BASE_URL, DEFAULT_MEDIA_MAX_BYTES, SlackConfig, SlackConfigError,
    Timings,
};
pub use outbox::{MAX_MESSAGE_LENGTH, SlackOutbox};

use api::{Api, ApiError, Args};
use convert::{Context, Outcome};
use outbox::Shared;

use super::{Capabilities, InboundMessage, Media, Outbox, Platform, PlatformCx, PlatformError};
use crate::backoff;
use crate::gateway::token_lock::TokenLock;
use crate::home::HermesPaths;
use crate::logs;

/// The token lock's scope (shared with upstream's lock files).
const LOCK_SCOPE: &str = "slack-app-token";
/// How many recent event keys are remembered to drop redeliveries (and the `message` /
/// `app_mention` pair Slack sends for one mention).
const DEDUP: usize = 1024;

/// Who the bot is, as `auth.test` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    /// The bot's user id (`U…`).
    pub user_id: String,
    /// The bot id (`B…`).
    pub bot_id: Option<String>,
    /// The bot user's name.
    pub user: String,
    /// The workspace name.
    pub team: String,
}

impl BotIdentity {
    fn from_auth_test(v: &Value) -> Self {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Self {
            user_id: s("user_id"),
            bot_id: Some(s("bot_id")).filter(|b| !b.is_empty()),
            user: s("user"),
            team: s("team"),
        }
    }
}

/// Checks the bot token with `auth.test` (for `doctor` and the setup wizard).
pub async fn probe(
    config: &SlackConfig,
    http: &reqwest::Client,
) -> Result<BotIdentity, PlatformError> {
    Api::new(
        http.clone(),
        &config.api_base_url,
        config.timings.max_rate_limit_wait,
    )
    .call("auth.test", &config.bot_token, &Args::Form(Vec::new()))
    .await
    .map(|v| BotIdentity::from_auth_test(&v))
    .map_err(ApiError::classify)
}

/// How a Socket Mode connection ended, when it did not fail.
enum Ended {
    Cancelled,
    Reconnect,
}

/// One Slack app (bot token + app token).
pub struct Slack {
    config: SlackConfig,
    paths: HermesPaths,
    api: Api,
    shared: Arc<Shared>,
    outbox: Arc<SlackOutbox>,
    bot: Mutex<Option<BotIdentity>>,
    /// Channel id → `#name` (or `None` when it has none or cannot be read).
    names: Mutex<HashMap<String, Option<String>>>,
    seen: super::RecentIds,
}

impl std::fmt::Debug for Slack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slack")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn note(text: &mut String, note: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(note);
}

impl Slack {
    /// An adapter for `config`, keeping media under `paths` and talking through `http`.
    #[must_use]
    pub fn new(config: SlackConfig, paths: &HermesPaths, http: reqwest::Client) -> Self {
        let api = Api::new(
            http,
            &config.api_base_url,
            config.timings.max_rate_limit_wait,
        );
        let shared = Arc::new(Shared::default());
        let outbox = Arc::new(SlackOutbox::new(
            api.clone(),
            &config.bot_token,
            shared.clone(),
            config.reactions,
        ));
        Self {
            config,
            paths: paths.clone(),
            api,
            shared,
            outbox,
            bot: Mutex::new(None),
            names: Mutex::new(HashMap::new()),
            seen: super::RecentIds::new(DEDUP),
        }
    }

    /// The bot, once `run` has connected.
    #[must_use]
    pub fn bot_identity(&self) -> Option<BotIdentity> {
        self.bot.lock().map_or(None, |b| b.clone())
    }

    fn take_lock(&self) -> Result<TokenLock, PlatformError> {
        super::take_credential_lock(
            &self.paths,
            self.config.lock_dir.as_deref(),
            &super::LockRequest {
                platform: PLATFORM,
                scope: LOCK_SCOPE,
                identity: &self.config.app_token,
                label: "Slack app token",
                noun: "token",
            },
        )
    }

    fn seen(&self, key: &str) -> bool {
        self.seen.seen(key)
    }

    fn remember(&self, key: &str) {
        self.seen.remember(key);
    }

    async fn bot_call(&self, method: &str, args: &Args) -> Result<Value, ApiError> {
        self.api.call(method, &self.config.bot_token, args).await
    }

    /// `#name` of a channel, from `conversations.info` (cached; `None` when unreadable).
    async fn channel_name(&self, channel: &str) -> Result<Option<String>, PlatformError> {
        if let Some(n) = self.names.lock().ok().and_then(|m| m.get(channel).cloned()) {
            return Ok(n);
        }
        let name = match self
            .bot_call(
                "conversations.info",
                &Args::Form(vec![("channel", channel.to_string())]),
            )
            .await
        {
            Ok(v) => v
                .pointer("/channel/name")
                .and_then(Value::as_str)
                .map(|n| format!("#{n}")),
            Err(e) => match e.classify() {
                err @ PlatformError::Unauthorized { .. } => return Err(err),
                _ => None,
            },
        };
        if let Ok(mut m) = self.names.lock() {
            m.insert(channel.to_string(), name.clone());
        }
        Ok(name)
    }

    /// Downloads the event's files into the media cache, or notes in the text why not.
    async fn fetch_files(
        &self,
        files: &[Value],
        msg: &mut InboundMessage,
    ) -> Result<(), PlatformError> {
        let max = self.config.media_max_bytes;
        let dir = self.paths.cache_dir().join(PLATFORM);
        for f in files {
            let mut file = f.clone();
            let id = f
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("file")
                .to_string();
            // Slack Connect files arrive as stubs: ask files.info for the real object.
            if f.get("file_access").and_then(Value::as_str) == Some("check_file_info") {
                match self
                    .bot_call("files.info", &Args::Form(vec![("file", id.clone())]))
                    .await
                {
                    Ok(v) => file = v.get("file").cloned().unwrap_or(Value::Null),
                    Err(e) => {
                        note(
                            &mut msg.text,
                            &format!("[Slack file {id} could not be read: {}]", e.classify()),
                        );
                        continue;
                    }
                }
            }
            let name = file
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&id)
                .to_string();
            let size = file.get("size").and_then(Value::as_u64).unwrap_or(0);
            let mime = file
                .get("mimetype")
                .and_then(Value::as_str)
                .unwrap_or("application/octet-stream")
                .to_string();
            let too_big = || {
                format!(
                    "[Slack file {name} skipped: it is larger than the {} MB limit. Ask the user to send a smaller file.]",
                    (max / (1024 * 1024)).max(1)
                )
            };
            if size > max {
                note(&mut msg.text, &too_big());
                continue;
            }
            let Some(url) = file
                .get("url_private_download")
                .or_else(|| file.get("url_private"))
                .and_then(Value::as_str)
            else {
                note(
                    &mut msg.text,
                    &format!("[Slack file {name} has no download URL]"),
                );
                continue;
            };
            let ext = std::path::Path::new(&name)
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            let stem: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
            let dest = dir.join(format!("{stem}{ext}"));
            match self
                .api
                .download(url, &self.config.bot_token, &dest, max)
                .await
            {
                Ok(true) => msg.media.push(Media {
                    kind: convert::media_kind(&mime).to_string(),
                    path: dest,
                    mime: Some(mime),
                }),
                Ok(false) => note(&mut msg.text, &too_big()),
                Err(e) => match e.classify() {
                    err @ PlatformError::Unauthorized { .. } => return Err(err),
                    err => note(
                        &mut msg.text,
                        &format!("[Slack file {name} could not be downloaded: {err}]"),
                    ),
                },
            }
        }
        Ok(())
    }

    /// Delivers a converted message. `Ok(false)`: the gateway stopped taking messages.
    async fn deliver(
        &self,
        outcome: Outcome,
        key: Option<String>,
        cx: &PlatformCx,
    ) -> Result<bool, PlatformError> {
        let c = match outcome {
            Outcome::Skip(why) => {
                logs::debug("gateway.slack", format!("event skipped: {why}"));
                return Ok(true);
            }
            Outcome::Deliver(c) => *c,
        };
        if let Some(t) = c.remember_thread {
            self.shared.remember_thread(t);
        }
        let mut message = c.message;
        if message.source.chat_type != super::ChatType::Dm {
            message.source.chat_name = match message.source.chat_name.take() {
                Some(n) => Some(n),
                None => self.channel_name(&message.source.chat_id).await?,
            };
        }
        self.fetch_files(&c.files, &mut message).await?;
        if self.config.reactions
            && !message.text.starts_with('/')
            && let Some(ts) = &message.message_id
        {
            self.shared.track(
                ts,
                &message.source.chat_id,
                message.source.thread_id.as_deref(),
            );
        }
        let delivered = cx.deliver(message).await;
        if delivered && let Some(k) = key {
            self.remember(&k);
        }
        Ok(delivered)
    }

    /// Handles an `events_api` payload. `Ok(false)`: do not acknowledge (shutting down).
    async fn on_event(
        &self,
        payload: &Value,
        bot: &BotIdentity,
        cx: &PlatformCx,
    ) -> Result<bool, PlatformError> {
        let ev = payload.get("event").cloned().unwrap_or(Value::Null);
        let kind = ev.get("type").and_then(Value::as_str).unwrap_or("");
        if kind != "message" && kind != "app_mention" {
            return Ok(true);
        }
        let channel = ev.get("channel").and_then(Value::as_str).unwrap_or("");
        let ts = ev.get("ts").and_then(Value::as_str).unwrap_or("");
        let key = format!("{channel}:{ts}");
        if self.seen(&key) {
            return Ok(true);
        }
        let known_thread = ev
            .get("thread_ts")
            .and_then(Value::as_str)
            .is_some_and(|t| self.shared.knows_thread(&convert::thread_key(channel, t)));
        let outcome = convert::convert_event(
            &ev,
            &Context {
                cfg: &self.config,
                bot_user: &bot.user_id,
                bot_id: bot.bot_id.as_deref(),
                known_thread,
            },
        );
        self.deliver(outcome, Some(key), cx).await
    }

    /// One Socket Mode connection, from `hello` to its end.
    async fn socket(
        &self,
        url: &str,
        bot: &BotIdentity,
        connected: &mut bool,
        cx: &PlatformCx,
    ) -> Result<Ended, PlatformError> {
        let timings = self.config.timings;
        let (mut ws, _) = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(Ended::Cancelled),
            r = tokio::time::timeout(timings.connect, tokio_tungstenite::connect_async(url)) => r
                .map_err(|_| transient("timed out opening the Socket Mode connection".into()))?
                .map_err(|e| transient(format!("cannot open the Socket Mode connection: {e}")))?,
        };
        let mut pinged = false;
        loop {
            let next = tokio::select! {
                biased;
                () = cx.cancel.cancelled() => {
                    let _ = ws.close(None).await;
                    return Ok(Ended::Cancelled);
                }
                n = tokio::time::timeout(timings.idle, ws.next()) => n,
            };
            let frame = match next {
                Err(_) if pinged => {
                    logs::warn(
                        "gateway.slack",
                        "Socket Mode connection is silent: reconnecting",
                    );
                    return Ok(Ended::Reconnect);
                }
                Err(_) => {
                    pinged = true;
                    if ws.send(Message::Ping(Vec::new().into())).await.is_err() {
                        return Ok(Ended::Reconnect);
                    }
                    continue;
                }
                Ok(None | Some(Err(_))) => return Ok(Ended::Reconnect),
                Ok(Some(Ok(m))) => m,
            };
            pinged = false;
            let text = match frame {
                Message::Text(t) => t.to_string(),
                Message::Close(_) => return Ok(Ended::Reconnect),
                _ => continue,
            };
            let Ok(envelope) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let kind = envelope.get("type").and_then(Value::as_str).unwrap_or("");
            let payload = envelope.get("payload").cloned().unwrap_or(Value::Null);
            let handled = match kind {
                "hello" => {
                    *connected = true;
                    cx.set_status(PLATFORM, "connected");
                    logs::info(
                        "gateway.slack",
                        format!("connected as {} in {}", bot.user, bot.team),
                    );
                    true
                }
                "disconnect" => {
                    let reason = envelope.get("reason").and_then(Value::as_str).unwrap_or("");
                    if reason == "link_disabled" {
                        return Err(PlatformError::Fatal {
                            platform: PLATFORM.into(),
                            message: "Socket Mode is turned off for this Slack app; turn it on under Settings → Socket Mode".into(),
                            code: "slack_link_disabled".into(),
                        });
                    }
                    logs::info(
                        "gateway.slack",
                        format!("Slack asked to reconnect ({reason})"),
                    );
                    let _ = ws.close(None).await;
                    return Ok(Ended::Reconnect);
                }
                "events_api" => self.on_event(&payload, bot, cx).await?,
                "slash_commands" => {
                    self.deliver(convert::convert_command(&payload), None, cx)
                        .await?
                }
                _ => true,
            };
            if !handled {
                let _ = ws.close(None).await;
                if cx.cancel.is_cancelled() {
                    return Ok(Ended::Cancelled);
                }
                // Not stored, so not acknowledged: Slack delivers it again on a new connection.
                return Err(transient(
                    "the gateway did not store a message; reconnecting to receive it again".into(),
                ));
            }
            if let Some(id) = envelope.get("envelope_id").and_then(Value::as_str) {
                let ack = json!({"envelope_id": id}).to_string();
                if ws.send(Message::text(ack)).await.is_err() {
                    return Ok(Ended::Reconnect);
                }
            }
        }
    }

    /// `apps.connections.open`: a fresh Socket Mode URL.
    async fn open_url(&self) -> Result<String, PlatformError> {
        let no_args = Args::Form(Vec::new());
        let v = self
            .api
            .call("apps.connections.open", &self.config.app_token, &no_args)
            .await
            .map_err(ApiError::classify)?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| transient("apps.connections.open answered without a url".into()))
    }
}

fn transient(message: String) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message,
    }
}

async fn sleep(cx: &PlatformCx, d: Duration) -> bool {
    tokio::select! {
        biased;
        () = cx.cancel.cancelled() => false,
        () = tokio::time::sleep(d) => true,
    }
}

#[async_trait::async_trait]
impl Platform for Slack {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_message_length: MAX_MESSAGE_LENGTH,
            edits: true,
            threads: true,
            reactions: true,
            typing: true,
            files: true,
        }
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
        let _lock = self.take_lock()?;
        let no_args = Args::Form(Vec::new());
        let bot = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(()),
            r = self.bot_call("auth.test", &no_args) => {
                BotIdentity::from_auth_test(&r.map_err(ApiError::classify)?)
            }
        };
        if let Ok(mut slot) = self.bot.lock() {
            *slot = Some(bot.clone());
        }
        let timings = self.config.timings;
        let mut failures: u32 = 0;
        loop {
            let mut connected = false;
            let result = match tokio::select! {
                biased;
                () = cx.cancel.cancelled() => return Ok(()),
                u = self.open_url() => u,
            } {
                Ok(url) => self.socket(&url, &bot, &mut connected, &cx).await,
                Err(e) => Err(e),
            };
            if connected {
                failures = 0;
            }
            let pause = match result {
                Ok(Ended::Cancelled) => return Ok(()),
                Ok(Ended::Reconnect) if connected => None,
                Err(e) if !e.is_retryable() => return Err(e),
                Err(PlatformError::RateLimited {
                    retry_after: Some(d),
                    ..
                }) => Some(d),
                other => {
                    if let Err(e) = other {
                        logs::warn("gateway.slack", format!("{e}"));
                    }
                    failures = failures.saturating_add(1);
                    Some(backoff::delay(
                        failures - 1,
                        timings.backoff_base,
                        timings.backoff_max,
                    ))
                }
            };
            cx.set_status(PLATFORM, if connected { "connecting" } else { "retrying" });
            if let Some(d) = pause
                && !sleep(&cx, d).await
            {
                return Ok(());
            }
        }
    }
}
