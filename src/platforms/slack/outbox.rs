//! Sending to Slack: plain-text `chat.postMessage` chunks in the conversation's thread, edits
//! with `chat.update`, file uploads (`files.getUploadURLExternal` + `completeUploadExternal`),
//! and the 👀 → ✅ reactions that stand in for a typing indicator.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::api::{Api, ApiError, Args, PLATFORM};
use super::convert::thread_key;
use crate::platforms::chunk::chunk_text;
use crate::platforms::{ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// One message's text; Slack takes 40,000 characters, but shorter messages read better.
pub const MAX_MESSAGE_LENGTH: usize = 4000;
/// How many messages awaiting an answer are remembered for reactions.
const MAX_PENDING: usize = 256;
/// How many threads are remembered.
const MAX_THREADS: usize = 2048;

/// A delivered message that may get reactions.
#[derive(Debug, Clone)]
struct Pending {
    channel: String,
    thread: Option<String>,
    reacted: bool,
}

/// State shared by the adapter and its outbox.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Threads (`channel:thread_ts`) the bot posted or was mentioned in.
    threads: Mutex<HashSet<String>>,
    /// Messages delivered and not yet answered, by `ts`.
    pending: Mutex<HashMap<String, Pending>>,
}

impl Shared {
    /// Whether the bot takes part in this thread.
    pub(crate) fn knows_thread(&self, key: &str) -> bool {
        self.threads.lock().is_ok_and(|t| t.contains(key))
    }

    /// Remembers a thread the bot takes part in.
    pub(crate) fn remember_thread(&self, key: String) {
        if let Ok(mut t) = self.threads.lock() {
            if t.len() >= MAX_THREADS {
                t.clear();
            }
            t.insert(key);
        }
    }

    /// Remembers a delivered message for reactions.
    pub(crate) fn track(&self, ts: &str, channel: &str, thread: Option<&str>) {
        if let Ok(mut p) = self.pending.lock() {
            if p.len() >= MAX_PENDING {
                p.clear();
            }
            p.insert(
                ts.to_string(),
                Pending {
                    channel: channel.to_string(),
                    thread: thread.map(str::to_string),
                    reacted: false,
                },
            );
        }
    }
}

/// The Slack [`Outbox`]: cheap to clone, shared by every sender.
#[derive(Debug, Clone)]
pub struct SlackOutbox {
    api: Api,
    token: String,
    shared: Arc<Shared>,
    reactions: bool,
}

impl SlackOutbox {
    pub(crate) fn new(api: Api, token: &str, shared: Arc<Shared>, reactions: bool) -> Self {
        Self {
            api,
            token: token.to_string(),
            shared,
            reactions,
        }
    }

    async fn call(&self, method: &str, args: &Args) -> Result<Value, PlatformError> {
        self.api
            .call(method, &self.token, args)
            .await
            .map_err(ApiError::classify)
    }

    async fn reaction(&self, method: &str, channel: &str, ts: &str, name: &str) {
        // Reactions are cosmetic: a failure never fails what they decorate.
        let _ = self
            .call(
                method,
                &Args::Json(json!({"channel": channel, "timestamp": ts, "name": name})),
            )
            .await;
    }

    async fn start_working(&self, to: &ChatRef) {
        let due: Vec<(String, String)> = match self.shared.pending.lock() {
            Ok(mut p) => p
                .iter_mut()
                .filter(|(_, v)| v.channel == to.chat_id && v.thread == to.thread_id && !v.reacted)
                .map(|(ts, v)| {
                    v.reacted = true;
                    (v.channel.clone(), ts.clone())
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        for (channel, ts) in due {
            self.reaction("reactions.add", &channel, &ts, "eyes").await;
        }
    }

    async fn finish(&self, ts: &str) {
        let Some(p) = self
            .shared
            .pending
            .lock()
            .ok()
            .and_then(|mut p| p.remove(ts))
        else {
            return;
        };
        if p.reacted {
            self.reaction("reactions.remove", &p.channel, ts, "eyes")
                .await;
        }
        self.reaction("reactions.add", &p.channel, ts, "white_check_mark")
            .await;
    }

    async fn upload(&self, to: &ChatRef, path: &Path) -> Result<(), PlatformError> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: format!("cannot read attachment {}: {e}", path.display()),
                code: "slack_attachment".into(),
            })?;
        let name = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        let ticket = self
            .call(
                "files.getUploadURLExternal",
                &Args::Form(vec![
                    ("filename", name.clone()),
                    ("length", bytes.len().to_string()),
                ]),
            )
            .await?;
        let (Some(url), Some(file_id)) = (
            ticket.get("upload_url").and_then(Value::as_str),
            ticket.get("file_id").and_then(Value::as_str),
        ) else {
            return Err(PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: "files.getUploadURLExternal answered without upload_url".into(),
                code: "slack_upload".into(),
            });
        };
        self.api
            .upload(url, bytes)
            .await
            .map_err(ApiError::classify)?;
        let mut body = json!({"files": [{"id": file_id, "title": name}], "channel_id": to.chat_id});
        if let Some(t) = &to.thread_id {
            body["thread_ts"] = json!(t);
        }
        self.call("files.completeUploadExternal", &Args::Json(body))
            .await
            .map(|_| ())
    }
}

#[async_trait::async_trait]
impl Outbox for SlackOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let mut last = None;
        if !msg.text.trim().is_empty() {
            for chunk in chunk_text(&msg.text, MAX_MESSAGE_LENGTH) {
                let mut body = json!({"channel": to.chat_id, "text": chunk, "unfurl_links": false});
                if let Some(t) = &to.thread_id {
                    body["thread_ts"] = json!(t);
                }
                let sent = self.call("chat.postMessage", &Args::Json(body)).await?;
                last = sent.get("ts").and_then(Value::as_str).map(str::to_string);
            }
        }
        for path in &msg.attachments {
            self.upload(to, path).await?;
        }
        if let Some(t) = &to.thread_id {
            self.shared.remember_thread(thread_key(&to.chat_id, t));
        }
        if self.reactions
            && let Some(reply) = &msg.reply_to
        {
            self.finish(reply).await;
        }
        Ok(Sent { message_id: last })
    }

    async fn edit(&self, to: &ChatRef, message_id: &str, text: &str) -> Result<(), PlatformError> {
        let text = chunk_text(text, MAX_MESSAGE_LENGTH)
            .into_iter()
            .next()
            .unwrap_or_default();
        self.call(
            "chat.update",
            &Args::Json(json!({"channel": to.chat_id, "ts": message_id, "text": text})),
        )
        .await
        .map(|_| ())
    }

    /// Slack bots have no typing indicator; the 👀 reaction says the same.
    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        if self.reactions {
            self.start_working(to).await;
        }
        Ok(())
    }
}
