//! Delivery of reply text: chunked at the platform's limit, the first chunk replying to the
//! user's message, rate limits and transient failures retried a bounded number of times.

use std::path::PathBuf;
use std::time::Duration;

use crate::backoff;
use crate::platforms::chunk::chunk_text;
use crate::platforms::{Capabilities, ChatRef, OutboundMessage, Outbox, PlatformError};

/// Attempts per chunk before delivery is reported failed.
const ATTEMPTS: u32 = 4;

/// Sends `text` to `chat`; returns the id of the last message sent.
pub async fn deliver_text(
    outbox: &dyn Outbox,
    caps: Capabilities,
    chat: &ChatRef,
    text: &str,
    reply_to: Option<&str>,
) -> Result<Option<String>, PlatformError> {
    let msg = OutboundMessage {
        text: text.to_string(),
        reply_to: reply_to.map(str::to_string),
        ..OutboundMessage::default()
    };
    deliver_message(outbox, caps, chat, &msg).await
}

/// Sends a message, its text chunked at the platform's limit; the reply-to, subject and
/// attachments go with the first chunk. Returns the id of the last message sent.
pub async fn deliver_message(
    outbox: &dyn Outbox,
    caps: Capabilities,
    chat: &ChatRef,
    whole: &OutboundMessage,
) -> Result<Option<String>, PlatformError> {
    send_chunks(outbox, caps, chat, whole, false, None).await
}

/// An agent's reply on its way to a chat.
pub(crate) struct Reply<'a> {
    /// The reply's text; `MEDIA:<path>` lines name files to attach.
    pub(crate) text: &'a str,
    /// The user's message it answers.
    pub(crate) quote: Option<&'a str>,
    /// `reply_to_mode: all`: every chunk quotes the user's message, not only the first.
    pub(crate) quote_every_chunk: bool,
    /// A streamed preview the first chunk replaces by an edit.
    pub(crate) replaces: Option<&'a str>,
}

/// Delivers an agent's reply: files named by `MEDIA:<path>` lines go as attachments where
/// the platform takes files, the text is chunked, and a streamed preview becomes the first
/// chunk. Returns the id of the last message sent.
pub(crate) async fn deliver_reply(
    outbox: &dyn Outbox,
    caps: Capabilities,
    chat: &ChatRef,
    reply: &Reply<'_>,
) -> Result<Option<String>, PlatformError> {
    let (text, attachments) = if caps.files {
        split_media(reply.text)
    } else {
        (reply.text.to_string(), Vec::new())
    };
    let whole = OutboundMessage {
        text,
        reply_to: reply.quote.map(str::to_string),
        attachments,
        subject: None,
    };
    send_chunks(
        outbox,
        caps,
        chat,
        &whole,
        reply.quote_every_chunk,
        reply.replaces,
    )
    .await
}

/// Takes the `MEDIA:<path>` lines of a reply whose file exists out of its text; they become
/// attachments. Lines naming a missing file stay in the text, so nothing is silently dropped.
pub(crate) fn split_media(text: &str) -> (String, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut kept: Vec<&str> = Vec::new();
    for line in text.lines() {
        let path = line
            .trim()
            .strip_prefix("MEDIA:")
            .map(|p| p.trim().trim_matches('`').trim_matches('"'))
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        match path {
            Some(p) if p.is_file() => files.push(p),
            _ => kept.push(line),
        }
    }
    if files.is_empty() {
        return (text.to_string(), files);
    }
    (kept.join("\n").trim().to_string(), files)
}

/// Sends `whole` chunked; with `replaces`, the first chunk is an edit of that message (a sent
/// message when the edit fails, or when there are attachments to send).
async fn send_chunks(
    outbox: &dyn Outbox,
    caps: Capabilities,
    chat: &ChatRef,
    whole: &OutboundMessage,
    reply_every_chunk: bool,
    replaces: Option<&str>,
) -> Result<Option<String>, PlatformError> {
    let mut last = None;
    let mut chunks = chunk_text(&whole.text, caps.max_message_length);
    if chunks.is_empty() && !whole.attachments.is_empty() {
        chunks.push(String::new());
    }
    for (i, chunk) in chunks.into_iter().enumerate() {
        if i == 0
            && let Some(id) = replaces
            && !chunk.is_empty()
            && outbox.edit(chat, id, &chunk).await.is_ok()
        {
            last = Some(id.to_string());
            if !whole.attachments.is_empty() {
                let files = OutboundMessage {
                    attachments: whole.attachments.clone(),
                    ..OutboundMessage::default()
                };
                last = send_one(outbox, chat, &files).await?.or(last);
            }
            continue;
        }
        let msg = OutboundMessage {
            text: chunk,
            reply_to: if i == 0 || reply_every_chunk {
                whole.reply_to.clone()
            } else {
                None
            },
            attachments: if i == 0 {
                whole.attachments.clone()
            } else {
                Vec::new()
            },
            subject: whole.subject.clone(),
        };
        last = send_one(outbox, chat, &msg).await?;
    }
    Ok(last)
}

/// One send, retried on rate limits and transient failures.
async fn send_one(
    outbox: &dyn Outbox,
    chat: &ChatRef,
    msg: &OutboundMessage,
) -> Result<Option<String>, PlatformError> {
    let mut attempt = 0;
    loop {
        match outbox.send(chat, msg).await {
            Ok(sent) => return Ok(sent.message_id),
            Err(e) if e.is_retryable() && attempt + 1 < ATTEMPTS => {
                let wait = match &e {
                    PlatformError::RateLimited {
                        retry_after: Some(d),
                        ..
                    } => (*d).min(Duration::from_mins(1)),
                    _ => {
                        backoff::delay(attempt, Duration::from_millis(500), Duration::from_secs(10))
                    }
                };
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_media;

    #[test]
    fn media_lines_naming_files_become_attachments() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("chart.png");
        std::fs::write(&file, b"png").unwrap();
        let text = format!(
            "Here is the chart.\nMEDIA:{}\nMEDIA:/no/such/file.png\nDone.",
            file.display()
        );
        let (kept, files) = split_media(&text);
        assert_eq!(files, vec![file]);
        assert_eq!(kept, "Here is the chart.\nMEDIA:/no/such/file.png\nDone.");
        let (same, none) = split_media("no media here");
        assert_eq!(same, "no media here");
        assert!(none.is_empty());
    }
}
