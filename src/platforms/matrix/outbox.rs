//! Sending to Matrix rooms: text (with a simple HTML rendering of the Markdown), replies,
//! thread replies, files, edits (`m.replace`), typing, and the 👀 reaction lifecycle. Each
//! event goes out under a transaction id that a retry of the same send reuses, so the
//! homeserver never stores it twice.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use super::api::enc;
use super::{PLATFORM, Shared, format};
use crate::platforms::{ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// The Matrix adapter's outbox.
#[derive(Debug)]
pub struct MatrixOutbox {
    pub(super) shared: Arc<Shared>,
}

/// The relation of an outbound event: a reply, a thread reply, or both.
fn relate(content: &mut Value, reply_to: Option<&str>, thread: Option<&str>) {
    let mut rel = serde_json::Map::new();
    if let Some(r) = reply_to {
        rel.insert("m.in_reply_to".into(), json!({"event_id": r}));
    }
    if let Some(t) = thread {
        rel.insert("rel_type".into(), json!("m.thread"));
        rel.insert("event_id".into(), json!(t));
        rel.insert("is_falling_back".into(), json!(reply_to.is_none()));
        rel.entry("m.in_reply_to")
            .or_insert_with(|| json!({"event_id": t}));
    }
    if !rel.is_empty() {
        content["m.relates_to"] = Value::Object(rel);
    }
}

/// `m.text` content with an HTML rendering when the text has Markdown in it.
pub(super) fn text_content(text: &str, msgtype: &str) -> Value {
    let mut content = json!({"msgtype": msgtype, "body": text});
    if let Some(html) = format::markdown_to_html(text) {
        content["format"] = json!("org.matrix.custom.html");
        content["formatted_body"] = json!(html);
    }
    content
}

fn mime_of(path: &Path) -> (&'static str, &'static str) {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => ("image/png", "m.image"),
        "jpg" | "jpeg" => ("image/jpeg", "m.image"),
        "gif" => ("image/gif", "m.image"),
        "webp" => ("image/webp", "m.image"),
        "mp3" => ("audio/mpeg", "m.audio"),
        "ogg" | "oga" | "opus" => ("audio/ogg", "m.audio"),
        "wav" => ("audio/wav", "m.audio"),
        "mp4" => ("video/mp4", "m.video"),
        "webm" => ("video/webm", "m.video"),
        "pdf" => ("application/pdf", "m.file"),
        "txt" | "md" | "log" => ("text/plain", "m.file"),
        "json" => ("application/json", "m.file"),
        _ => ("application/octet-stream", "m.file"),
    }
}

impl Shared {
    /// Sends one event. The transaction id depends on what is sent and stays the same for
    /// retries of a failed send; it is dropped once the send succeeded.
    pub(super) async fn send_event(
        &self,
        room: &str,
        event_type: &str,
        key: &impl Hash,
        content: &Value,
    ) -> Result<String, PlatformError> {
        let mut h = DefaultHasher::new();
        (room, event_type).hash(&mut h);
        key.hash(&mut h);
        let fingerprint = h.finish();
        let txn = {
            let mut pending = super::lock(&self.retry_txns);
            pending
                .entry(fingerprint)
                .or_insert_with(|| {
                    let n = self.txn_counter.fetch_add(1, Ordering::Relaxed);
                    format!("hermes{}.{n}", jiff::Timestamp::now().as_millisecond())
                })
                .clone()
        };
        let result = self.api.send_event(room, event_type, &txn, content).await;
        if result.is_ok() {
            super::lock(&self.retry_txns).remove(&fingerprint);
        }
        result.map_err(super::api::ApiError::classify)
    }

    /// Reacts to `event` with `key`; returns the reaction's event id.
    pub(super) async fn react(&self, room: &str, event: &str, key: &str) -> Option<String> {
        let content =
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": event, "key": key}});
        self.send_event(room, "m.reaction", &(event, key), &content)
            .await
            .ok()
    }

    /// Removes the 👀 reaction of `event`, if one is pending.
    pub(super) async fn finish_reaction(&self, event: &str) {
        let pending = super::lock(&self.pending_reactions).remove(event);
        if let Some((room, reaction)) = pending {
            let n = self.txn_counter.fetch_add(1, Ordering::Relaxed);
            let path = format!(
                "/rooms/{}/redact/{}/{}",
                enc(&room),
                enc(&reaction),
                enc(&format!("hermesredact{n}"))
            );
            let _ = self
                .api
                .put(&path, &json!({"reason": "processing complete"}))
                .await;
        }
    }

    async fn send_file(
        &self,
        to: &ChatRef,
        path: &Path,
        reply_to: Option<&str>,
    ) -> Result<String, PlatformError> {
        let bytes = std::fs::read(path).map_err(|e| PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: format!("cannot read {}: {e}", path.display()),
            code: "matrix_attachment".into(),
        })?;
        let name = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().to_string());
        let (mime, msgtype) = mime_of(path);
        let size = bytes.len();
        let uri = self
            .api
            .upload(bytes, mime, &name)
            .await
            .map_err(super::api::ApiError::classify)?;
        let mut content = json!({"msgtype": msgtype, "body": name, "filename": name, "url": uri,
            "info": {"mimetype": mime, "size": size}});
        relate(&mut content, reply_to, to.thread_id.as_deref());
        self.send_event(
            &to.chat_id,
            "m.room.message",
            &(to.thread_id.as_deref(), reply_to, path),
            &content,
        )
        .await
    }
}

#[async_trait::async_trait]
impl Outbox for MatrixOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let shared = &self.shared;
        let thread = to.thread_id.as_deref();
        let mut last = None;
        let mut reply_to = msg.reply_to.as_deref();
        if !msg.text.trim().is_empty() {
            // Markdown-aware chunks (code fences closed and reopened) at the configured limit.
            let chunks = crate::platforms::chunk::chunk_text(
                &msg.text,
                shared.config.max_message_length.max(1),
            );
            for (i, chunk) in chunks.iter().enumerate() {
                let mut content = text_content(chunk, "m.text");
                relate(&mut content, reply_to, thread);
                // The index keeps two equal chunks apart (one transaction id each).
                let id = shared
                    .send_event(
                        &to.chat_id,
                        "m.room.message",
                        &(thread, reply_to, i, chunk),
                        &content,
                    )
                    .await?;
                last = Some(id);
                reply_to = None;
            }
        }
        for path in &msg.attachments {
            last = Some(shared.send_file(to, path, reply_to).await?);
            reply_to = None;
        }
        if let Some(t) = thread {
            shared.state.join_thread(t);
        }
        for event in [msg.reply_to.as_deref(), thread].into_iter().flatten() {
            shared.finish_reaction(event).await;
        }
        Ok(Sent { message_id: last })
    }

    async fn edit(&self, to: &ChatRef, message_id: &str, text: &str) -> Result<(), PlatformError> {
        let new_content = text_content(text, "m.text");
        let mut content = json!({"msgtype": "m.text", "body": format!("* {text}"),
            "m.new_content": new_content,
            "m.relates_to": {"rel_type": "m.replace", "event_id": message_id}});
        if let Some(html) = new_content.get("formatted_body").and_then(Value::as_str) {
            content["format"] = json!("org.matrix.custom.html");
            content["formatted_body"] = json!(format!("* {html}"));
        }
        self.shared
            .send_event(
                &to.chat_id,
                "m.room.message",
                &("edit", message_id, text),
                &content,
            )
            .await
            .map(|_| ())
    }

    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        if !self.shared.config.typing_indicator {
            return Ok(());
        }
        let me = self.shared.me().user_id;
        if me.is_empty() {
            return Ok(());
        }
        let path = format!("/rooms/{}/typing/{}", enc(&to.chat_id), enc(&me));
        self.shared
            .api
            .put(&path, &json!({"typing": true, "timeout": 30_000}))
            .await
            .map(|_| ())
            .map_err(super::api::ApiError::classify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations() {
        let mut c = json!({});
        relate(&mut c, Some("$r"), None);
        assert_eq!(
            c["m.relates_to"],
            json!({"m.in_reply_to": {"event_id": "$r"}})
        );
        let mut c = json!({});
        relate(&mut c, None, Some("$t"));
        assert_eq!(
            c["m.relates_to"],
            json!({"rel_type": "m.thread", "event_id": "$t", "is_falling_back": true,
                "m.in_reply_to": {"event_id": "$t"}})
        );
        assert_eq!(mime_of(Path::new("a.PNG")), ("image/png", "m.image"));
    }
}
