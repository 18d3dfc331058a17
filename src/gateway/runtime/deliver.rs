//! Delivery of reply text: chunked at the platform's limit, the first chunk replying to the
//! user's message, rate limits and transient failures retried a bounded number of times.

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
    let mut last = None;
    for (i, chunk) in chunk_text(&whole.text, caps.max_message_length)
        .into_iter()
        .enumerate()
    {
        let msg = OutboundMessage {
            text: chunk,
            reply_to: if i == 0 { whole.reply_to.clone() } else { None },
            attachments: if i == 0 {
                whole.attachments.clone()
            } else {
                Vec::new()
            },
            subject: whole.subject.clone(),
        };
        let mut attempt = 0;
        loop {
            match outbox.send(chat, &msg).await {
                Ok(sent) => {
                    last = sent.message_id;
                    break;
                }
                Err(e) if e.is_retryable() && attempt + 1 < ATTEMPTS => {
                    let wait = match &e {
                        PlatformError::RateLimited {
                            retry_after: Some(d),
                            ..
                        } => (*d).min(Duration::from_mins(1)),
                        _ => backoff::delay(
                            attempt,
                            Duration::from_millis(500),
                            Duration::from_secs(10),
                        ),
                    };
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(last)
}
