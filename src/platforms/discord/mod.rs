//! The Discord adapter: the gateway websocket (identify, heartbeat, resume after drops,
//! Reconnect and Invalid Session, close codes) for inbound messages and REST v10 for everything
//! else, plus the [`DiscordOutbox`]. Authorization, sessions and replies are the gateway's.

mod config;
mod convert;
mod gateway;
mod outbox;
mod rest;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

/// The env-over-config lookup, shared with the Slack adapter.
pub use config::{
    AllowMentions, DEFAULT_API_BASE_URL, DEFAULT_MEDIA_MAX_BYTES, DiscordConfig, ReplyToMode,
    Timings,
};
pub use gateway::INTENTS;
pub use outbox::{DiscordOutbox, MAX_MESSAGE_LENGTH};
pub use rest::{BotUser, PLATFORM};

use convert::{Context, Outcome, Place};
use gateway::{CloseAction, Connection, Event, op};
use outbox::Shared;
use rest::{Body, Rest, RestError};

use super::{Capabilities, InboundMessage, Media, Outbox, Platform, PlatformCx, PlatformError};
use crate::backoff;
use crate::gateway::token_lock::TokenLock;
use crate::home::HermesPaths;
use crate::logs;

/// The token lock's scope (shared with upstream's lock files).
const LOCK_SCOPE: &str = "discord-bot-token";
/// How many recent message ids are remembered to drop redeliveries.
const DEDUP: usize = 512;
/// What a user sees when the thread for their message could not be opened.
const THREAD_FAILED: &str = "⚠️ Hermes could not create a Discord thread for this message, so the request was not processed. Please retry.";

/// Checks a token with `GET /users/@me` (for `doctor` and the setup wizard).
pub async fn probe(
    config: &DiscordConfig,
    http: &reqwest::Client,
) -> Result<BotUser, PlatformError> {
    Rest::new(
        http.clone(),
        &config.api_base_url,
        &config.token,
        config.timings.max_rate_limit_wait,
    )
    .me()
    .await
    .map_err(RestError::classify)
}

/// A gateway session that can be resumed on a new connection.
#[derive(Debug, Clone)]
struct Session {
    id: String,
    /// The last sequence number handled (acknowledged to the gateway only through resume).
    seq: u64,
    resume_url: String,
}

/// How a connection ended, when it did not fail.
enum Ended {
    Cancelled,
    /// Reconnect and resume.
    Resume,
    /// Start over with Identify after a pause.
    Reidentify,
}

/// One Discord bot account.
pub struct Discord {
    config: DiscordConfig,
    /// Why `DISCORD_PROXY` cannot be used (the adapter then refuses to run).
    client_error: Option<String>,
    paths: HermesPaths,
    rest: Rest,
    shared: Arc<Shared>,
    outbox: Arc<DiscordOutbox>,
    session: Mutex<Option<Session>>,
    bot: Mutex<Option<BotUser>>,
    /// Channel id → where it is (server channel or thread), from `GUILD_CREATE` and lookups.
    places: Mutex<HashMap<String, Place>>,
    /// Guild id → name.
    guilds: Mutex<HashMap<String, String>>,
    /// Recently handled message ids.
    seen: super::RecentIds,
}

impl std::fmt::Debug for Discord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discord")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn lock_poisoned() -> PlatformError {
    PlatformError::Fatal {
        platform: PLATFORM.into(),
        message: "internal state lock poisoned".into(),
        code: "discord_internal".into(),
    }
}

impl Discord {
    /// An adapter for `config`, keeping media under `paths` and talking through `http`.
    #[must_use]
    pub fn new(config: DiscordConfig, paths: &HermesPaths, http: reqwest::Client) -> Self {
        let mut client_error = config.proxy_error.clone();
        let http = match &config.proxy {
            Some(p) => super::proxy::client(Some(p), None).unwrap_or_else(|e| {
                client_error = Some(e);
                http
            }),
            None => http,
        };
        let rest = Rest::new(
            http,
            &config.api_base_url,
            &config.token,
            config.timings.max_rate_limit_wait,
        );
        let shared = Arc::new(Shared::default());
        let outbox = Arc::new(
            DiscordOutbox::new(
                rest.clone(),
                shared.clone(),
                config.reply_to_mode,
                config.reactions,
            )
            .with_options(config.allow_mentions, config.typing_indicator),
        );
        Self {
            client_error,
            config,
            paths: paths.clone(),
            rest,
            shared,
            outbox,
            session: Mutex::new(None),
            bot: Mutex::new(None),
            places: Mutex::new(HashMap::new()),
            guilds: Mutex::new(HashMap::new()),
            seen: super::RecentIds::new(DEDUP),
        }
    }

    /// The bot account, once `run` has connected.
    #[must_use]
    pub fn bot_user(&self) -> Option<BotUser> {
        self.bot.lock().map_or(None, |b| b.clone())
    }

    fn take_lock(&self) -> Result<TokenLock, PlatformError> {
        super::take_credential_lock(
            &self.paths,
            self.config.lock_dir.as_deref(),
            &super::LockRequest {
                platform: PLATFORM,
                scope: LOCK_SCOPE,
                identity: &self.config.token,
                label: "Discord bot token",
                noun: "token",
            },
        )
    }

    fn seen(&self, id: &str) -> bool {
        self.seen.seen(id)
    }

    fn remember(&self, id: &str) {
        self.seen.remember(id);
    }

    /// Caches the channels and threads a `GUILD_CREATE`, `THREAD_CREATE` or `CHANNEL_*` lists.
    fn learn_channels(&self, guild: Option<&str>, channels: &[Value]) {
        let guild_name = guild.and_then(|g| self.guilds.lock().ok()?.get(g).cloned());
        let Ok(mut places) = self.places.lock() else {
            return;
        };
        for ch in channels {
            let Some(id) = ch.get("id").and_then(Value::as_str) else {
                continue;
            };
            let name = ch.get("name").and_then(Value::as_str);
            let kind = ch.get("type").and_then(Value::as_u64).unwrap_or(0);
            let place = match kind {
                1 | 3 => Place::Dm,
                10..=12 => Place::Thread {
                    parent: ch
                        .get("parent_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    name: name.map(str::to_string),
                },
                _ => Place::Channel {
                    name: name.map(|n| match &guild_name {
                        Some(g) => format!("{g} / #{n}"),
                        None => format!("#{n}"),
                    }),
                },
            };
            places.insert(id.to_string(), place);
        }
    }

    /// Where a message was posted: DMs have no guild; others come from the cache or
    /// `GET /channels/{id}` (a plain channel when that fails).
    async fn place(&self, msg: &convert::Message) -> Result<Place, PlatformError> {
        if msg.guild_id.is_none() {
            return Ok(Place::Dm);
        }
        if let Some(p) = self
            .places
            .lock()
            .ok()
            .and_then(|p| p.get(&msg.channel_id).cloned())
        {
            return Ok(p);
        }
        match self
            .rest
            .call(
                Method::GET,
                &format!("/channels/{}", msg.channel_id),
                &Body::Empty,
            )
            .await
        {
            Ok(ch) => {
                self.learn_channels(msg.guild_id.as_deref(), std::slice::from_ref(&ch));
                Ok(self
                    .places
                    .lock()
                    .ok()
                    .and_then(|p| p.get(&msg.channel_id).cloned())
                    .unwrap_or(Place::Channel { name: None }))
            }
            Err(e) => match e.classify() {
                err @ PlatformError::Unauthorized { .. } => Err(err),
                _ => Ok(Place::Channel { name: None }),
            },
        }
    }

    /// Downloads attachments into the media cache, or notes in the text why not.
    async fn fetch_media(&self, attachments: &[convert::Attachment], msg: &mut InboundMessage) {
        let max = self.config.media_max_bytes;
        let dir = self.paths.cache_dir().join(PLATFORM);
        for a in attachments {
            let note = |text: &mut String, note: &str| {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(note);
            };
            if a.size > max {
                note(
                    &mut msg.text,
                    &convert::too_large_note(&a.filename, a.size, max),
                );
                continue;
            }
            let ext = std::path::Path::new(&a.filename)
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            let stem: String = a.id.chars().filter(char::is_ascii_alphanumeric).collect();
            let dest = dir.join(format!("{stem}{ext}"));
            match self.rest.download(&a.url, &dest, max).await {
                Ok(true) => msg.media.push(Media {
                    kind: convert::media_kind(a.content_type.as_deref()).to_string(),
                    path: dest,
                    mime: a.content_type.clone(),
                }),
                Ok(false) => note(
                    &mut msg.text,
                    &convert::too_large_note(&a.filename, max + 1, max),
                ),
                Err(e) => note(
                    &mut msg.text,
                    &format!(
                        "[Discord attachment {} could not be downloaded: {}]",
                        a.filename,
                        e.classify()
                    ),
                ),
            }
        }
    }

    /// Handles one `MESSAGE_CREATE`. `Ok(false)`: the gateway stopped taking messages.
    async fn on_message(
        &self,
        d: &Value,
        bot: &BotUser,
        cx: &PlatformCx,
    ) -> Result<bool, PlatformError> {
        let Ok(msg) = serde_json::from_value::<convert::Message>(d.clone()) else {
            return Ok(true);
        };
        if self.seen(&msg.id) {
            return Ok(true);
        }
        let place = self.place(&msg).await?;
        let ctx = Context {
            bot,
            cfg: &self.config,
            bot_thread: self.shared.is_bot_thread(&msg.channel_id),
            place,
        };
        let converted = match convert::convert(&msg, &ctx) {
            Outcome::Skip(why) => {
                logs::debug(
                    "gateway.discord",
                    format!("message {} skipped: {why}", msg.id),
                );
                return Ok(true);
            }
            Outcome::Deliver(c) => *c,
        };
        let mut message = converted.message;
        if let Some(name) = converted.auto_thread {
            let path = format!("/channels/{}/messages/{}/threads", msg.channel_id, msg.id);
            let body = Body::Json(json!({"name": name, "auto_archive_duration": 1440}));
            match self.rest.call(Method::POST, &path, &body).await {
                Ok(thread) => {
                    let id = thread
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or(&msg.channel_id)
                        .to_string();
                    // The thread's starter message may arrive again as its own MESSAGE_CREATE.
                    self.remember(&id);
                    self.shared.mark_bot_thread(&id);
                    if let Ok(mut t) = self.shared.auto_threads.lock() {
                        t.insert(id.clone(), msg.id.clone());
                    }
                    self.learn_channels(msg.guild_id.as_deref(), &[thread]);
                    message.source.chat_type = super::ChatType::Thread;
                    message.source.chat_id.clone_from(&id);
                    message.source.thread_id = Some(id);
                    message.source.chat_name = Some(name);
                }
                Err(e) => {
                    let err = e.classify();
                    if matches!(err, PlatformError::Unauthorized { .. }) {
                        return Err(err);
                    }
                    logs::warn("gateway.discord", format!("auto-thread failed: {err}"));
                    let _ = self
                        .rest
                        .call(
                            Method::POST,
                            &format!("/channels/{}/messages", msg.channel_id),
                            &Body::Json(json!({"content": THREAD_FAILED})),
                        )
                        .await;
                    self.remember(&msg.id);
                    return Ok(true);
                }
            }
        }
        self.fetch_media(&converted.attachments, &mut message).await;
        if self.config.reactions && !message.text.starts_with('/') {
            let target = message
                .source
                .thread_id
                .clone()
                .unwrap_or_else(|| message.source.chat_id.clone());
            self.shared.track(&msg.id, &msg.channel_id, &target);
        }
        let delivered = cx.deliver(message).await;
        if delivered {
            self.remember(&msg.id);
        }
        Ok(delivered)
    }

    /// Handles a dispatch (op 0). `Ok(false)`: the gateway did not take a message.
    async fn on_dispatch(
        &self,
        p: &Value,
        bot: &BotUser,
        conn: &Connection,
        connected: &mut bool,
        cx: &PlatformCx,
    ) -> Result<bool, PlatformError> {
        let kind = p.get("t").and_then(Value::as_str).unwrap_or("");
        let seq = p.get("s").and_then(Value::as_u64);
        let d = p.get("d").cloned().unwrap_or(Value::Null);
        let last = self
            .session
            .lock()
            .map_err(|_| lock_poisoned())?
            .as_ref()
            .map_or(0, |s| s.seq);
        if kind != "READY" && seq.is_some_and(|s| s <= last) {
            return Ok(true); // replayed on resume, already handled
        }
        match kind {
            "READY" => {
                let id = d.get("session_id").and_then(Value::as_str).unwrap_or("");
                let url = d
                    .get("resume_gateway_url")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                *self.session.lock().map_err(|_| lock_poisoned())? = Some(Session {
                    id: id.to_string(),
                    seq: 0,
                    resume_url: url.to_string(),
                });
                *connected = true;
                cx.set_status(PLATFORM, "connected");
                logs::info(
                    "gateway.discord",
                    format!("connected as {} ({})", bot.username, bot.id),
                );
            }
            "RESUMED" => {
                *connected = true;
                cx.set_status(PLATFORM, "connected");
                logs::info("gateway.discord", "session resumed");
            }
            "GUILD_CREATE" => {
                if let (Some(id), Some(name)) = (
                    d.get("id").and_then(Value::as_str),
                    d.get("name").and_then(Value::as_str),
                ) && let Ok(mut g) = self.guilds.lock()
                {
                    g.insert(id.to_string(), name.to_string());
                }
                let guild = d.get("id").and_then(Value::as_str);
                for key in ["channels", "threads"] {
                    if let Some(list) = d.get(key).and_then(Value::as_array) {
                        self.learn_channels(guild, list);
                    }
                }
            }
            "THREAD_CREATE" | "THREAD_UPDATE" | "CHANNEL_CREATE" | "CHANNEL_UPDATE" => {
                let guild = d
                    .get("guild_id")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                self.learn_channels(guild.as_deref(), std::slice::from_ref(&d));
            }
            "MESSAGE_CREATE" => {
                let delivered = self.on_message(&d, bot, cx).await?;
                if !delivered {
                    return Ok(false);
                }
            }
            _ => {}
        }
        if let Some(s) = seq
            && let Some(session) = self.session.lock().map_err(|_| lock_poisoned())?.as_mut()
        {
            session.seq = session.seq.max(s);
            conn.seq
                .store(session.seq, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(true)
    }

    /// One websocket connection, from Hello to its end.
    async fn connection(
        &self,
        url: &str,
        bot: &BotUser,
        connected: &mut bool,
        cx: &PlatformCx,
    ) -> Result<Ended, PlatformError> {
        let mut conn = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(Ended::Cancelled),
            c = Connection::open(url, &self.config.timings, self.config.proxy.as_ref()) => c?,
        };
        let resume = self.session.lock().map_err(|_| lock_poisoned())?.clone();
        match &resume {
            Some(s) => {
                conn.seq.store(s.seq, std::sync::atomic::Ordering::SeqCst);
                conn.send(&gateway::resume(&self.config.token, &s.id, s.seq));
            }
            None => conn.send(&gateway::identify(&self.config.token)),
        }
        loop {
            let event = tokio::select! {
                biased;
                () = cx.cancel.cancelled() => {
                    conn.close(1000).await;
                    return Ok(Ended::Cancelled);
                }
                e = conn.next() => e,
            };
            let Some(event) = event else {
                return Ok(Ended::Resume);
            };
            match event {
                Event::Zombie => {
                    logs::warn("gateway.discord", "no heartbeat ACK: reconnecting");
                    conn.close(4000).await;
                    return Ok(Ended::Resume);
                }
                Event::Dropped(why) => {
                    logs::warn("gateway.discord", format!("connection dropped: {why}"));
                    return Ok(Ended::Resume);
                }
                Event::Closed(code, reason) => {
                    logs::warn(
                        "gateway.discord",
                        format!("gateway closed the connection ({code:?} {reason})"),
                    );
                    return match gateway::close_action(code, &reason) {
                        CloseAction::Resume => Ok(Ended::Resume),
                        CloseAction::Reidentify => Ok(Ended::Reidentify),
                        CloseAction::Fail(e) => Err(e),
                    };
                }
                Event::Payload(p) => match p.get("op").and_then(Value::as_u64) {
                    Some(op::DISPATCH) => {
                        let go_on = self.on_dispatch(&p, bot, &conn, connected, cx).await?;
                        if !go_on {
                            conn.close(4000).await;
                            if cx.cancel.is_cancelled() {
                                return Ok(Ended::Cancelled);
                            }
                            // Not stored: resuming from the last handled sequence replays it.
                            return Err(PlatformError::Transient {
                                platform: PLATFORM.into(),
                                message: "the gateway did not store a message; resuming to receive it again".into(),
                            });
                        }
                    }
                    Some(op::RECONNECT) => {
                        conn.close(4000).await;
                        return Ok(Ended::Resume);
                    }
                    Some(op::INVALID_SESSION) => {
                        let resumable = p.get("d").and_then(Value::as_bool) == Some(true);
                        conn.close(4000).await;
                        return Ok(if resumable {
                            Ended::Resume
                        } else {
                            Ended::Reidentify
                        });
                    }
                    _ => {}
                },
            }
        }
    }

    async fn sleep(cx: &PlatformCx, d: Duration) -> bool {
        tokio::select! {
            biased;
            () = cx.cancel.cancelled() => false,
            () = tokio::time::sleep(d) => true,
        }
    }
}

#[async_trait::async_trait]
impl Platform for Discord {
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
        if let Some(e) = &self.client_error {
            return Err(PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: e.clone(),
                code: "discord_proxy".into(),
            });
        }
        let _lock = self.take_lock()?;
        let (bot, gateway_url) = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(()),
            r = async {
                let bot = self.rest.me().await.map_err(RestError::classify)?;
                let url = match &self.config.gateway_url {
                    Some(u) => u.clone(),
                    None => self.rest.gateway_url().await.map_err(RestError::classify)?,
                };
                Ok::<_, PlatformError>((bot, url))
            } => r?,
        };
        if let Ok(mut slot) = self.bot.lock() {
            *slot = Some(bot.clone());
        }
        let timings = self.config.timings;
        let mut failures: u32 = 0;
        loop {
            let url = self
                .session
                .lock()
                .map_err(|_| lock_poisoned())?
                .as_ref()
                .map(|s| s.resume_url.clone())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| gateway_url.clone());
            let mut connected = false;
            let result = self.connection(&url, &bot, &mut connected, &cx).await;
            if connected {
                failures = 0;
            }
            let pause = match result {
                Ok(Ended::Cancelled) => return Ok(()),
                Ok(Ended::Resume) if connected => None,
                Ok(Ended::Resume) => {
                    failures = failures.saturating_add(1);
                    Some(backoff::delay(
                        failures - 1,
                        timings.backoff_base,
                        timings.backoff_max,
                    ))
                }
                Ok(Ended::Reidentify) => {
                    *self.session.lock().map_err(|_| lock_poisoned())? = None;
                    // Discord asks for a random 1–5 s pause before identifying again.
                    Some(
                        timings
                            .invalid_session
                            .mul_f64(0.2 + 0.8 * backoff::random_unit()),
                    )
                }
                Err(e) if !e.is_retryable() => return Err(e),
                Err(e) => {
                    logs::warn("gateway.discord", format!("{e}"));
                    failures = failures.saturating_add(1);
                    if failures >= 3 {
                        // The resume URL may be gone: start over from /gateway/bot's URL.
                        *self.session.lock().map_err(|_| lock_poisoned())? = None;
                    }
                    Some(backoff::delay(
                        failures - 1,
                        timings.backoff_base,
                        timings.backoff_max,
                    ))
                }
            };
            cx.set_status(PLATFORM, if connected { "connecting" } else { "retrying" });
            if let Some(d) = pause
                && !Self::sleep(&cx, d).await
            {
                return Ok(());
            }
        }
    }
}
