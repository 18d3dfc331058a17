//! The Telegram adapter: Bot API long polling (or a webhook), durable update cursor, media
//! downloads into the profile's cache, and the [`TelegramOutbox`]. Authorization, sessions
//! and replies are the gateway's; this module only speaks Telegram.

mod api;
mod config;
mod convert;
mod cursor;
mod outbox;
mod webhook;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub use api::{BotInfo, PLATFORM};
pub(crate) use config::typing_indicator;
pub use config::{
    DEFAULT_BASE_URL, DEFAULT_MEDIA_MAX_BYTES, DEFAULT_WEBHOOK_PORT, ReplyToMode, TelegramConfig,
    TelegramConfigError, WebhookConfig,
};
pub use outbox::{MAX_MESSAGE_LENGTH, TelegramOutbox, split_message};

use api::{Api, ApiError, Update};
use convert::{MediaRequest, Outcome};
use cursor::Cursor;

use super::{Capabilities, InboundMessage, Media, Outbox, Platform, PlatformCx, PlatformError};
use crate::backoff;
use crate::gateway::token_lock::TokenLock;
use crate::home::HermesPaths;

/// The update kinds we ask for.
const ALLOWED_UPDATES: [&str; 3] = ["message", "edited_message", "callback_query"];
/// The token lock's scope (shared with upstream's lock files).
const LOCK_SCOPE: &str = "telegram-bot-token";

/// Checks a token with `getMe` (for `doctor` and the setup wizard).
pub async fn probe(
    config: &TelegramConfig,
    http: &reqwest::Client,
) -> Result<BotInfo, PlatformError> {
    Api::new(http.clone(), &config.base_url, &config.token)
        .call("getMe", &json!({}), None)
        .await
        .map_err(ApiError::classify)
}

/// One Telegram bot account.
pub struct Telegram {
    config: TelegramConfig,
    /// Why the proxy/fallback clients could not be built (the adapter then refuses to run).
    client_error: Option<String>,
    paths: HermesPaths,
    api: Api,
    outbox: Arc<TelegramOutbox>,
    bot: Mutex<Option<BotInfo>>,
}

impl std::fmt::Debug for Telegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telegram")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn io_error(what: &str, e: &std::io::Error) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message: format!("cannot {what}: {e}"),
    }
}

fn update_id(raw: &Value) -> i64 {
    raw.get("update_id").and_then(Value::as_i64).unwrap_or(0)
}

/// Appends a note (a skipped or failed download) to the message text.
fn add_note(text: &mut String, note: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(note);
}

/// The Bot API client: the shared one, or one through `TELEGRAM_PROXY`, plus one client
/// per `TELEGRAM_FALLBACK_IPS` address pinned for the Bot API host.
fn build_api(config: &TelegramConfig, shared: reqwest::Client) -> Result<Api, String> {
    let proxy = config.proxy.as_ref();
    let primary = if proxy.is_some() {
        super::proxy::client(proxy, None)?
    } else {
        shared
    };
    let api = Api::new(primary, &config.base_url, &config.token);
    if config.fallback_ips.is_empty() {
        return Ok(api);
    }
    let host = reqwest::Url::parse(&config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .ok_or_else(|| format!("TELEGRAM_BASE_URL has no host: {}", config.base_url))?;
    let mut clients = Vec::new();
    for ip in &config.fallback_ips {
        clients.push((*ip, super::proxy::client(proxy, Some((&host, *ip)))?));
    }
    Ok(api.with_fallbacks(api::Fallbacks::new(clients)))
}

impl Telegram {
    /// An adapter for `config`, keeping its state under `paths` and talking through `http`.
    #[must_use]
    /// With `TELEGRAM_PROXY` or `TELEGRAM_FALLBACK_IPS` it talks through its own clients.
    pub fn new(config: TelegramConfig, paths: &HermesPaths, http: reqwest::Client) -> Self {
        let (api, client_error) = match build_api(&config, http.clone()) {
            Ok(api) => (api, None),
            Err(e) => (Api::new(http, &config.base_url, &config.token), Some(e)),
        };
        let outbox = Arc::new(TelegramOutbox::new(
            api.clone(),
            config.reply_to_mode,
            config.reactions,
            config.typing_indicator,
        ));
        Self {
            config,
            client_error,
            paths: paths.clone(),
            api,
            outbox,
            bot: Mutex::new(None),
        }
    }

    /// `<home>/telegram/offset.json`: the acknowledged offset and pending updates.
    #[must_use]
    pub fn cursor_file(&self) -> PathBuf {
        self.paths.platform_state_dir(PLATFORM).join("offset.json")
    }

    /// `<home>/cache/telegram/`: downloaded media.
    #[must_use]
    pub fn media_dir(&self) -> PathBuf {
        self.paths.cache_dir().join(PLATFORM)
    }

    /// The bot account, once `run` has connected.
    #[must_use]
    pub fn bot_info(&self) -> Option<BotInfo> {
        // A poisoned lock only means a panic elsewhere; the value is still a plain Option.
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
                label: "Telegram bot token",
                noun: "token",
            },
        )
    }

    /// Turns one raw update into the message to hand over (media downloaded); `Ok(None)`
    /// means there is nothing to deliver and it may be acknowledged as is.
    async fn prepare(
        &self,
        raw: &Value,
        bot: &BotInfo,
    ) -> Result<Option<InboundMessage>, PlatformError> {
        let Ok(update) = serde_json::from_value::<Update>(raw.clone()) else {
            return Ok(None); // not an update we can read: nothing to deliver
        };
        let converted = match convert::convert(&update, bot, &self.config) {
            Outcome::Skip(_) => return Ok(None),
            Outcome::Deliver(c) => *c,
        };
        let mut message = converted.message;
        for request in &converted.media {
            self.fetch_media(request, &mut message).await?;
        }
        if self.config.reactions
            && !message.text.starts_with('/')
            && let Some(id) = &message.message_id
        {
            self.outbox.track(id, &message.source.chat_id);
        }
        if let Some(id) = converted.callback_id {
            // Best effort: it only stops the button's spinner.
            let _ = self
                .api
                .call::<Value>(
                    "answerCallbackQuery",
                    &json!({"callback_query_id": id}),
                    None,
                )
                .await;
        }
        Ok(Some(message))
    }

    /// Downloads one file into the media cache, or notes why not in the text.
    async fn fetch_media(
        &self,
        req: &MediaRequest,
        msg: &mut InboundMessage,
    ) -> Result<(), PlatformError> {
        let max = self.config.media_max_bytes;
        let Some(file) = req
            .files
            .iter()
            .find(|f| f.file_size.is_none_or(|s| s <= max))
        else {
            let size = req.files.last().and_then(|f| f.file_size).unwrap_or(0);
            add_note(
                &mut msg.text,
                &convert::too_large_note(req.label, size, max),
            );
            return Ok(());
        };
        let info: api::File = match self
            .api
            .call("getFile", &json!({"file_id": file.file_id}), None)
            .await
        {
            Ok(f) => f,
            Err(e) => return self.download_failed(req, e, msg),
        };
        if let Some(size) = info.file_size.filter(|s| *s > max) {
            add_note(
                &mut msg.text,
                &convert::too_large_note(req.label, size, max),
            );
            return Ok(());
        }
        let Some(remote) = info.file_path else {
            add_note(
                &mut msg.text,
                &format!("[Telegram {} could not be downloaded]", req.label),
            );
            return Ok(());
        };
        let ext = std::path::Path::new(&remote)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let stem: String = file
            .file_unique_id
            .as_deref()
            .unwrap_or(&file.file_id)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let dest = self.media_dir().join(format!("{stem}{ext}"));
        match self.api.download(&remote, &dest, max).await {
            Ok(_) => {
                msg.media.push(Media {
                    kind: req.kind.to_string(),
                    path: dest,
                    mime: req.mime.clone(),
                });
                Ok(())
            }
            Err(ApiError::Telegram(f)) if f.code == 413 => {
                add_note(
                    &mut msg.text,
                    &convert::too_large_note(req.label, max + 1, max),
                );
                Ok(())
            }
            Err(e) => self.download_failed(req, e, msg),
        }
    }

    fn download_failed(
        &self,
        req: &MediaRequest,
        e: ApiError,
        msg: &mut InboundMessage,
    ) -> Result<(), PlatformError> {
        match e.classify() {
            err @ PlatformError::Unauthorized { .. } => Err(err),
            err => {
                add_note(
                    &mut msg.text,
                    &format!("[Telegram {} could not be downloaded: {err}]", req.label),
                );
                Ok(())
            }
        }
    }

    /// Delivers every pending update in order. `Ok(false)`: the gateway stopped taking them.
    /// The whole batch is handed over first, then acknowledged up to the last update the
    /// gateway has stored, so a burst is stored in a few shared commits. An update handed
    /// over but not acknowledged (a stop or an error midway) comes again and is recognised
    /// as a duplicate by its message id.
    async fn drain(
        &self,
        cursor: &mut Cursor,
        bot: &BotInfo,
        cx: &PlatformCx,
    ) -> Result<bool, PlatformError> {
        let batch = cursor.pending.clone();
        let mut handed = Vec::with_capacity(batch.len());
        let mut outcome = Ok(true);
        for raw in &batch {
            if cx.cancel.is_cancelled() {
                outcome = Ok(false);
                break;
            }
            match self.prepare(raw, bot).await {
                Ok(Some(message)) => handed.push((update_id(raw), Some(cx.submit(message).await))),
                Ok(None) => handed.push((update_id(raw), None)),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        let mut stored = None;
        for (id, submitted) in handed {
            if let Some(s) = submitted
                && !s.accepted().await
            {
                outcome = Ok(false);
                break;
            }
            stored = Some(id);
        }
        if let Some(id) = stored {
            cursor
                .ack(id)
                .map_err(|e| io_error("save the Telegram cursor", &e))?;
        }
        outcome
    }

    async fn connect(&self, cx: &PlatformCx) -> Result<Option<BotInfo>, PlatformError> {
        let empty = json!({});
        let me = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(None),
            r = self.api.call::<BotInfo>("getMe", &empty, None) => r.map_err(ApiError::classify)?,
        };
        if let Ok(mut slot) = self.bot.lock() {
            *slot = Some(me.clone());
        }
        Ok(Some(me))
    }

    /// Long polling until cancelled.
    async fn poll(&self, bot: &BotInfo, cx: &PlatformCx) -> Result<(), PlatformError> {
        // A webhook left behind would make every getUpdates answer 409.
        self.api
            .call::<Value>(
                "deleteWebhook",
                &json!({"drop_pending_updates": false}),
                None,
            )
            .await
            .map_err(ApiError::classify)?;
        let mut cursor = Cursor::load(&self.cursor_file());
        cx.set_status(PLATFORM, "connected");
        let mut failures: u32 = 0;
        let timeout = self.config.poll_timeout;
        loop {
            if !self.drain(&mut cursor, bot, cx).await? {
                return Ok(());
            }
            let body = json!({
                "offset": cursor.offset,
                "timeout": timeout.as_secs(),
                "allowed_updates": ALLOWED_UPDATES,
            });
            let started = Instant::now();
            let result = tokio::select! {
                biased;
                () = cx.cancel.cancelled() => return Ok(()),
                r = self.api.call::<Vec<Value>>("getUpdates", &body, Some(timeout + Duration::from_secs(10))) => r,
            };
            let pause = match result {
                Ok(updates) => {
                    if failures > 0 {
                        failures = 0;
                        cx.set_status(PLATFORM, "connected");
                    }
                    let empty = updates.is_empty();
                    cursor
                        .add(updates)
                        .map_err(|e| io_error("save the Telegram cursor", &e))?;
                    // A server that does not long-poll answers at once; do not spin on it.
                    (empty && started.elapsed() < timeout / 2)
                        .then_some(self.config.idle_poll_delay)
                }
                Err(e) => match e.classify() {
                    PlatformError::RateLimited { retry_after, .. } => {
                        Some(retry_after.unwrap_or(Duration::from_secs(5)))
                    }
                    PlatformError::Transient { .. } => {
                        cx.set_status(PLATFORM, "retrying");
                        failures = failures.saturating_add(1);
                        Some(backoff::delay(
                            failures - 1,
                            Duration::from_millis(500),
                            Duration::from_mins(1),
                        ))
                    }
                    fatal => return Err(fatal),
                },
            };
            if let Some(d) = pause {
                tokio::select! {
                    biased;
                    () = cx.cancel.cancelled() => return Ok(()),
                    () = tokio::time::sleep(d) => {}
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl Platform for Telegram {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_message_length: MAX_MESSAGE_LENGTH,
            edits: true,
            threads: true,
            reactions: self.config.reactions,
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
                code: "telegram_client".into(),
            });
        }
        let _lock = self.take_lock()?;
        let Some(bot) = self.connect(&cx).await? else {
            return Ok(());
        };
        match &self.config.webhook {
            Some(w) => webhook::serve(self, &bot, w, &cx).await,
            None => self.poll(&bot, &cx).await,
        }
    }
}
