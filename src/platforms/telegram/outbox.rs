//! Sending to Telegram: chunked plain-text messages with reply-quotes and topic ids,
//! edits, the typing indicator, file uploads and, with `TELEGRAM_REACTIONS`, the 👀 → 👍
//! reactions on the user's message (`setMessageReaction`; Telegram allows only its own set
//! of reaction emoji, which has 👀 and 👍 but no ✅). A 429 waits and retries once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::api::{Api, ApiError, Multipart, PLATFORM};
use super::config::ReplyToMode;
use super::convert::GENERAL_TOPIC;
use crate::platforms::chunk::chunk_text;
use crate::platforms::{ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// Telegram's limit for one message, in UTF-16 code units.
pub const MAX_MESSAGE_LENGTH: usize = 4096;
/// The longest `retry_after` a send waits out before giving up with `RateLimited`.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
struct SentMessage {
    message_id: i64,
}

/// The reaction while a message is being worked on.
const WORKING: &str = "👀";
/// The reaction once it is answered.
const DONE: &str = "👍";
/// How many messages awaiting an answer are remembered for reactions.
const MAX_PENDING: usize = 256;

/// A delivered message waiting for its answer: its chat, and whether 👀 was set.
#[derive(Debug, Clone)]
struct Pending {
    chat_id: String,
    reacted: bool,
}

/// The Telegram [`Outbox`]: cheap to clone, shared by every sender.
#[derive(Debug, Clone)]
pub struct TelegramOutbox {
    api: Api,
    reply_to_mode: ReplyToMode,
    reactions: bool,
    typing_indicator: bool,
    /// Delivered messages not yet answered, by message id (reactions only).
    pending: Arc<Mutex<HashMap<String, Pending>>>,
}

/// A chat id as Telegram wants it: a number, or `@channelname`.
fn chat_id(raw: &str) -> Value {
    raw.parse::<i64>().map_or_else(|_| json!(raw), |n| json!(n))
}

/// `message_thread_id` for sends: the General topic (`1`) must be omitted.
fn send_thread(to: &ChatRef) -> Option<i64> {
    to.thread_id
        .as_deref()
        .filter(|t| *t != GENERAL_TOPIC)
        .and_then(|t| t.parse().ok())
}

/// Splits `text` into chunks that fit Telegram's UTF-16 limit.
#[must_use]
pub fn split_message(text: &str) -> Vec<String> {
    let fits = |chunks: &[String]| {
        chunks
            .iter()
            .all(|c| c.encode_utf16().count() <= MAX_MESSAGE_LENGTH)
    };
    let chunks = chunk_text(text, MAX_MESSAGE_LENGTH);
    if fits(&chunks) {
        return chunks;
    }
    // Astral characters (emoji) count twice; half the characters always fit.
    chunk_text(text, MAX_MESSAGE_LENGTH / 2)
}

fn bad_request(message: String) -> PlatformError {
    PlatformError::Fatal {
        platform: PLATFORM.into(),
        message,
        code: "telegram_bad_request".into(),
    }
}

impl TelegramOutbox {
    pub(crate) fn new(
        api: Api,
        reply_to_mode: ReplyToMode,
        reactions: bool,
        typing_indicator: bool,
    ) -> Self {
        Self {
            api,
            reply_to_mode,
            reactions,
            typing_indicator,
            pending: Arc::default(),
        }
    }

    /// Remembers a delivered message so that its turn can react on it.
    pub(crate) fn track(&self, message_id: &str, chat_id: &str) {
        if let Ok(mut p) = self.pending.lock() {
            if p.len() >= MAX_PENDING {
                p.clear();
            }
            p.insert(
                message_id.to_string(),
                Pending {
                    chat_id: chat_id.to_string(),
                    reacted: false,
                },
            );
        }
    }

    /// Sets `emoji` as the bot's one reaction on a message (`setMessageReaction` replaces
    /// the bot's reactions, so no removal step is needed). Cosmetic: failures are ignored.
    async fn react(&self, chat: &str, message_id: &str, emoji: &str) {
        let Ok(id) = message_id.parse::<i64>() else {
            return;
        };
        let body = json!({"chat_id": chat_id(chat), "message_id": id,
            "reaction": [{"type": "emoji", "emoji": emoji}]});
        let _ = self
            .api
            .call::<Value>("setMessageReaction", &body, None)
            .await;
    }

    /// 👀 on the messages of `chat` waiting for an answer that have none yet.
    async fn start_working(&self, chat: &str) {
        let due: Vec<String> = match self.pending.lock() {
            Ok(mut p) => p
                .iter_mut()
                .filter(|(_, v)| v.chat_id == chat && !v.reacted)
                .map(|(id, v)| {
                    v.reacted = true;
                    id.clone()
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        for id in due {
            self.react(chat, &id, WORKING).await;
        }
    }

    /// The answer to `message_id` went out: 👍 on it, and on older messages of the same
    /// chat that were merged into this turn.
    async fn finish(&self, message_id: &str) {
        let done: Vec<(String, String)> = match self.pending.lock() {
            Ok(mut p) => {
                let Some(first) = p.remove(message_id) else {
                    return;
                };
                let same: Vec<String> = p
                    .iter()
                    .filter(|(_, v)| v.chat_id == first.chat_id && v.reacted)
                    .map(|(k, _)| k.clone())
                    .collect();
                let mut done: Vec<(String, String)> = same
                    .into_iter()
                    .filter_map(|k| p.remove(&k).map(|v| (k, v.chat_id)))
                    .collect();
                done.push((message_id.to_string(), first.chat_id));
                done
            }
            Err(_) => Vec::new(),
        };
        for (id, chat) in done {
            self.react(&chat, &id, DONE).await;
        }
    }

    /// Calls a method; a 429 with a short enough `retry_after` is waited out once.
    async fn call<T: DeserializeOwned>(&self, method: &str, body: &Value) -> Result<T, ApiError> {
        match self.api.call(method, body, None).await {
            Err(ApiError::Telegram(f)) if f.code == 429 => {
                let wait = f.retry_after.unwrap_or(Duration::from_secs(1));
                if wait > MAX_RATE_LIMIT_WAIT {
                    return Err(ApiError::Telegram(f));
                }
                tokio::time::sleep(wait).await;
                self.api.call(method, body, None).await
            }
            other => other,
        }
    }

    async fn upload(
        &self,
        to: &ChatRef,
        path: &Path,
        reply: Option<i64>,
    ) -> Result<i64, PlatformError> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: format!("cannot read attachment {}: {e}", path.display()),
                code: "telegram_attachment".into(),
            })?;
        let name = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let is_image = matches!(ext.as_str(), "jpg" | "jpeg" | "png" | "webp");
        let form = |field: &str| {
            let mut f = Multipart::new().text("chat_id", &to.chat_id);
            if let Some(t) = send_thread(to) {
                f = f.text("message_thread_id", &t.to_string());
            }
            if let Some(r) = reply {
                f = f.text(
                    "reply_parameters",
                    &json!({"message_id": r, "allow_sending_without_reply": true}).to_string(),
                );
            }
            f.file(field, &name, &bytes)
        };
        if is_image {
            match self
                .api
                .call_multipart::<SentMessage>("sendPhoto", form("photo"))
                .await
            {
                Ok(m) => return Ok(m.message_id),
                // Photos have size and dimension rules; a document always goes through.
                Err(ApiError::Telegram(f)) if f.code == 400 => {}
                Err(e) => return Err(e.classify()),
            }
        }
        self.api
            .call_multipart::<SentMessage>("sendDocument", form("document"))
            .await
            .map(|m| m.message_id)
            .map_err(ApiError::classify)
    }
}

#[async_trait::async_trait]
impl Outbox for TelegramOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let reply: Option<i64> = match (&msg.reply_to, self.reply_to_mode) {
            (_, ReplyToMode::Off) | (None, _) => None,
            (Some(id), _) => id.parse().ok(),
        };
        let mut last = None;
        let mut first = true;
        if !msg.text.trim().is_empty() {
            for chunk in split_message(&msg.text) {
                let mut body = json!({"chat_id": chat_id(&to.chat_id), "text": chunk});
                if let Some(t) = send_thread(to) {
                    body["message_thread_id"] = json!(t);
                }
                if let Some(r) = reply
                    && (first || self.reply_to_mode == ReplyToMode::All)
                {
                    body["reply_parameters"] =
                        json!({"message_id": r, "allow_sending_without_reply": true});
                }
                let sent: SentMessage = self
                    .call("sendMessage", &body)
                    .await
                    .map_err(ApiError::classify)?;
                last = Some(sent.message_id);
                first = false;
            }
        }
        for path in &msg.attachments {
            let r = reply.filter(|_| first || self.reply_to_mode == ReplyToMode::All);
            last = Some(self.upload(to, path, r).await?);
            first = false;
        }
        if self.reactions
            && let Some(reply) = &msg.reply_to
        {
            self.finish(reply).await;
        }
        Ok(Sent {
            message_id: last.map(|id| id.to_string()),
        })
    }

    async fn edit(&self, to: &ChatRef, message_id: &str, text: &str) -> Result<(), PlatformError> {
        let id: i64 = message_id
            .parse()
            .map_err(|_| bad_request(format!("not a Telegram message id: {message_id}")))?;
        let text = split_message(text).into_iter().next().unwrap_or_default();
        let body = json!({"chat_id": chat_id(&to.chat_id), "message_id": id, "text": text});
        match self.call::<Value>("editMessageText", &body).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_modified() => Ok(()),
            Err(e) => Err(e.classify()),
        }
    }

    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        if self.reactions {
            self.start_working(&to.chat_id).await;
        }
        if !self.typing_indicator {
            return Ok(());
        }
        let mut body = json!({"chat_id": chat_id(&to.chat_id), "action": "typing"});
        // Unlike sends, the typing action needs the General topic's id to show there.
        if let Some(t) = to.thread_id.as_deref().and_then(|t| t.parse::<i64>().ok()) {
            body["message_thread_id"] = json!(t);
        }
        match self.api.call::<Value>("sendChatAction", &body, None).await {
            Ok(_) => Ok(()),
            // A typing indicator is cosmetic: server trouble or flood control is not an error.
            Err(e) if e.is_server_side() => Ok(()),
            Err(e) => match e.classify() {
                PlatformError::RateLimited { .. } => Ok(()),
                other => Err(other),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_utf16_units() {
        let long = "word ".repeat(2000);
        let chunks = split_message(&long);
        assert!(chunks.len() >= 3);
        assert!(
            chunks
                .iter()
                .all(|c| c.chars().count() <= MAX_MESSAGE_LENGTH)
        );
        let emoji = "😀".repeat(3000);
        let chunks = split_message(&emoji);
        assert!(
            chunks
                .iter()
                .all(|c| c.encode_utf16().count() <= MAX_MESSAGE_LENGTH)
        );
        assert_eq!(chunks.concat(), emoji);
        assert_eq!(chat_id("-100"), json!(-100));
        assert_eq!(chat_id("@chan"), json!("@chan"));
    }
}
