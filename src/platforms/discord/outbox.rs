//! Sending to Discord: chunked messages (2000 characters) with `message_reference` replies,
//! threads, file uploads, edits, the typing indicator, and the 👀 → ✅ reactions that show a
//! message is being worked on and then answered.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};

use super::config::{AllowMentions, ReplyToMode};
use super::rest::{Body, PLATFORM, Rest, RestError, encode_segment, multipart};
use crate::platforms::chunk::chunk_text;
use crate::platforms::{ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// Discord's limit for one message, in characters.
pub const MAX_MESSAGE_LENGTH: usize = 2000;
/// The reaction while a message is being worked on.
const WORKING: &str = "👀";
/// The reaction once it is answered.
const DONE: &str = "✅";
/// How many messages awaiting an answer are remembered for reactions.
const MAX_PENDING: usize = 256;

/// A delivered message that may get reactions.
#[derive(Debug, Clone)]
struct Pending {
    /// Where replies go (a thread, for auto-threaded messages).
    target: String,
    /// The channel the message itself lives in.
    channel_id: String,
    /// 👀 was added.
    reacted: bool,
}

/// State shared by the adapter and its outbox.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Threads the bot opened or answered in (no mention needed there).
    pub(crate) bot_threads: Mutex<HashSet<String>>,
    /// Auto-created threads → the message they were opened from.
    pub(crate) auto_threads: Mutex<HashMap<String, String>>,
    /// Messages delivered and not yet answered, by message id.
    pending: Mutex<HashMap<String, Pending>>,
}

impl Shared {
    /// Whether `thread` is one the bot takes part in.
    pub(crate) fn is_bot_thread(&self, thread: &str) -> bool {
        self.bot_threads.lock().is_ok_and(|t| t.contains(thread))
    }

    /// Remembers a thread the bot takes part in.
    pub(crate) fn mark_bot_thread(&self, thread: &str) {
        if let Ok(mut t) = self.bot_threads.lock() {
            t.insert(thread.to_string());
        }
    }

    /// Remembers a delivered message for reactions.
    pub(crate) fn track(&self, message_id: &str, channel_id: &str, target: &str) {
        if let Ok(mut p) = self.pending.lock() {
            if p.len() >= MAX_PENDING {
                p.clear();
            }
            p.insert(
                message_id.to_string(),
                Pending {
                    target: target.to_string(),
                    channel_id: channel_id.to_string(),
                    reacted: false,
                },
            );
        }
    }
}

/// The Discord [`Outbox`]: cheap to clone, shared by every sender.
#[derive(Debug, Clone)]
pub struct DiscordOutbox {
    rest: Rest,
    shared: Arc<Shared>,
    reply_to_mode: ReplyToMode,
    reactions: bool,
    allow_mentions: AllowMentions,
    typing_indicator: bool,
}

/// The channel a message to `to` is posted in: its thread, else the chat.
fn target(to: &ChatRef) -> &str {
    to.thread_id.as_deref().unwrap_or(&to.chat_id)
}

fn attachment_error(path: &Path, e: &std::io::Error) -> PlatformError {
    PlatformError::Fatal {
        platform: PLATFORM.into(),
        message: format!("cannot read attachment {}: {e}", path.display()),
        code: "discord_attachment".into(),
    }
}

impl DiscordOutbox {
    pub(crate) fn new(
        rest: Rest,
        shared: Arc<Shared>,
        reply_to_mode: ReplyToMode,
        reactions: bool,
    ) -> Self {
        Self {
            rest,
            shared,
            reply_to_mode,
            reactions,
            allow_mentions: AllowMentions::default(),
            typing_indicator: true,
        }
    }

    /// The pings sent messages may trigger, and whether "typing…" is shown.
    pub(crate) fn with_options(mut self, allow_mentions: AllowMentions, typing: bool) -> Self {
        self.allow_mentions = allow_mentions;
        self.typing_indicator = typing;
        self
    }

    async fn post(&self, channel: &str, body: Body) -> Result<Option<String>, PlatformError> {
        let v = self
            .rest
            .call(
                Method::POST,
                &format!("/channels/{channel}/messages"),
                &body,
            )
            .await
            .map_err(RestError::classify)?;
        Ok(v.get("id").and_then(Value::as_str).map(str::to_string))
    }

    async fn reaction(&self, method: Method, channel: &str, message: &str, emoji: &str) {
        let path = format!(
            "/channels/{channel}/messages/{message}/reactions/{}/@me",
            encode_segment(emoji)
        );
        // Reactions are cosmetic: a failure never fails the send it decorates.
        let _ = self.rest.call(method, &path, &Body::Empty).await;
    }

    /// 👀 on the messages waiting in `target` that have none yet.
    async fn start_working(&self, target: &str) {
        let due: Vec<(String, String)> = match self.shared.pending.lock() {
            Ok(mut p) => p
                .iter_mut()
                .filter(|(_, v)| v.target == target && !v.reacted)
                .map(|(id, v)| {
                    v.reacted = true;
                    (v.channel_id.clone(), id.clone())
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        for (channel, id) in due {
            self.reaction(Method::PUT, &channel, &id, WORKING).await;
        }
    }

    /// The answer to `message_id` went out: 👀 off (there and on older messages of the same
    /// conversation, merged into this turn), ✅ on.
    async fn finish(&self, message_id: &str) {
        let (done, cleared): (Option<Pending>, Vec<(String, Pending)>) =
            match self.shared.pending.lock() {
                Ok(mut p) => {
                    let Some(done) = p.remove(message_id) else {
                        return;
                    };
                    let same: Vec<String> = p
                        .iter()
                        .filter(|(_, v)| v.target == done.target && v.reacted)
                        .map(|(k, _)| k.clone())
                        .collect();
                    let cleared = same
                        .into_iter()
                        .filter_map(|k| p.remove(&k).map(|v| (k, v)))
                        .collect();
                    (Some(done), cleared)
                }
                Err(_) => (None, Vec::new()),
            };
        for (id, p) in cleared {
            self.reaction(Method::DELETE, &p.channel_id, &id, WORKING)
                .await;
        }
        if let Some(p) = done {
            if p.reacted {
                self.reaction(Method::DELETE, &p.channel_id, message_id, WORKING)
                    .await;
            }
            self.reaction(Method::PUT, &p.channel_id, message_id, DONE)
                .await;
        }
    }

    /// The reference to put on a reply, unless it would point across channels (the message
    /// an auto-thread was opened from lives in the parent channel).
    fn reference(&self, channel: &str, reply_to: Option<&str>) -> Option<String> {
        let reply = reply_to.filter(|_| self.reply_to_mode != ReplyToMode::Off)?;
        let starter = self
            .shared
            .auto_threads
            .lock()
            .ok()
            .and_then(|t| t.get(channel).cloned());
        (starter.as_deref() != Some(reply)).then(|| reply.to_string())
    }
}

#[async_trait::async_trait]
impl Outbox for DiscordOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let channel = target(to);
        let reference = self.reference(channel, msg.reply_to.as_deref());
        let mut last = None;
        let mut first = true;
        let payload = |content: &str, first: bool| {
            let mut body = json!({
                "content": content,
                "allowed_mentions": self.allow_mentions.to_json(),
            });
            if let Some(r) = &reference
                && (first || self.reply_to_mode == ReplyToMode::All)
            {
                body["message_reference"] = json!({"message_id": r, "fail_if_not_exists": false});
            }
            body
        };
        if !msg.text.trim().is_empty() {
            for chunk in chunk_text(&msg.text, MAX_MESSAGE_LENGTH) {
                last = self
                    .post(channel, Body::Json(payload(&chunk, first)))
                    .await?;
                first = false;
            }
        }
        for path in &msg.attachments {
            let bytes = tokio::fs::read(path)
                .await
                .map_err(|e| attachment_error(path, &e))?;
            let name = path
                .file_name()
                .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
            last = self
                .post(channel, multipart(&payload("", first), &name, &bytes))
                .await?;
            first = false;
        }
        if to.thread_id.is_some() {
            self.shared.mark_bot_thread(channel);
        }
        if self.reactions
            && let Some(reply) = &msg.reply_to
        {
            self.finish(reply).await;
        }
        Ok(Sent { message_id: last })
    }

    async fn edit(&self, to: &ChatRef, message_id: &str, text: &str) -> Result<(), PlatformError> {
        let content = chunk_text(text, MAX_MESSAGE_LENGTH)
            .into_iter()
            .next()
            .unwrap_or_default();
        self.rest
            .call(
                Method::PATCH,
                &format!("/channels/{}/messages/{message_id}", target(to)),
                &Body::Json(json!({"content": content})),
            )
            .await
            .map(|_| ())
            .map_err(RestError::classify)
    }

    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        let channel = target(to);
        if self.reactions {
            self.start_working(channel).await;
        }
        if !self.typing_indicator {
            return Ok(());
        }
        match self
            .rest
            .call(
                Method::POST,
                &format!("/channels/{channel}/typing"),
                &Body::Empty,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match e.classify() {
                // A typing indicator is cosmetic.
                PlatformError::RateLimited { .. } | PlatformError::Transient { .. } => Ok(()),
                other => Err(other),
            },
        }
    }
}
