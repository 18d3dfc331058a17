//! Sending to Weixin: text in ≤4000-character bubbles with a short pause between them,
//! attachments through the CDN, the peer's context token echoed on every message (dropped and
//! retried once when iLink says it is stale), and typing through `getconfig` tickets.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::api::{EP_GET_CONFIG, EP_SEND_MESSAGE, EP_SEND_TYPING, Ret};
use super::convert::ITEM_TEXT;
use super::{MAX_MESSAGE_LENGTH, PLATFORM, Shared, TARGET, crypto, safe_id, upload};
use crate::logs;
use crate::platforms::chunk::chunk_text;
use crate::platforms::{ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// `message_type` of a bot message.
const MSG_TYPE_BOT: i64 = 2;
/// `message_state`: finished.
const MSG_STATE_FINISH: i64 = 2;
/// `sendtyping` status: start.
const TYPING_START: i64 = 1;

/// The sending half of a Weixin account; cheap to clone through its `Arc`.
pub struct WeixinOutbox {
    pub(super) shared: Arc<Shared>,
}

impl std::fmt::Debug for WeixinOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeixinOutbox")
            .field("account_id", &self.shared.config.account_id)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Outbox for WeixinOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        // One send at a time, so the bubbles of two replies never interleave.
        let _gate = self.shared.send_gate.lock().await;
        let chat = to.chat_id.as_str();
        let mut last = None;
        for path in &msg.attachments {
            let item = upload::upload(&self.shared, chat, path).await?;
            last = Some(self.send_items(chat, vec![item]).await?);
        }
        let chunks = split_for_delivery(
            &msg.text,
            MAX_MESSAGE_LENGTH,
            self.shared.config.split_multiline,
        );
        for (i, chunk) in chunks.iter().enumerate() {
            if i > 0 || last.is_some() {
                tokio::time::sleep(self.shared.config.timings.chunk_delay).await;
            }
            let item = json!({"type": ITEM_TEXT, "text_item": {"text": chunk}});
            last = Some(self.send_items(chat, vec![item]).await?);
        }
        Ok(Sent { message_id: last })
    }

    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        let shared = &self.shared;
        if !shared.config.typing_indicator {
            return Ok(());
        }
        let peer = to.chat_id.as_str();
        let timeout = shared.config.timings.config;
        let ticket = if let Some(t) = shared.typing_ticket(peer) {
            t
        } else {
            {
                let mut p = Map::new();
                p.insert("ilink_user_id".into(), peer.into());
                if let Some(token) = shared.tokens.get(peer) {
                    p.insert("context_token".into(), token.into());
                }
                let v = shared
                    .api
                    .post(EP_GET_CONFIG, p, timeout)
                    .await
                    .map_err(|e| super::api_error(&e))?;
                let ret = Ret::of(&v);
                if !ret.is_ok() {
                    return Err(super::transient(format!("iLink getconfig failed: {ret}")));
                }
                let Some(ticket) = v
                    .get("typing_ticket")
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
                else {
                    // No ticket, no typing indicator: nothing else to do.
                    return Ok(());
                };
                shared.remember_ticket(peer, ticket);
                ticket.to_string()
            }
        };
        let mut p = Map::new();
        p.insert("ilink_user_id".into(), peer.into());
        p.insert("typing_ticket".into(), ticket.into());
        p.insert("status".into(), TYPING_START.into());
        let v = shared
            .api
            .post(EP_SEND_TYPING, p, timeout)
            .await
            .map_err(|e| super::api_error(&e))?;
        let ret = Ret::of(&v);
        if ret.is_ok() {
            Ok(())
        } else {
            Err(super::transient(format!("iLink sendtyping failed: {ret}")))
        }
    }
}

/// The bubbles a reply is sent as. By default one bubble while it fits, else chunks split at
/// markdown block boundaries. With `WEIXIN_SPLIT_MULTILINE_MESSAGES`, each top-level line is
/// its own bubble: a fenced code block stays whole, an indented line stays with the line
/// above it (nested list items), blank lines only separate.
#[must_use]
pub(crate) fn split_for_delivery(text: &str, max: usize, per_line: bool) -> Vec<String> {
    let units = if per_line {
        delivery_units(text)
    } else {
        vec![text.to_string()]
    };
    units
        .iter()
        .flat_map(|u| chunk_text(u, max))
        .filter(|c| !c.trim().is_empty())
        .collect()
}

fn delivery_units(text: &str) -> Vec<String> {
    let mut units = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut fence: Option<String> = None;
    let flush = |current: &mut Vec<&str>, units: &mut Vec<String>| {
        let unit = current.join("\n");
        if !unit.trim().is_empty() {
            units.push(unit.trim_end().to_string());
        }
        current.clear();
    };
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(marker) = &fence {
            current.push(line);
            if trimmed.starts_with(marker.as_str()) && trimmed.trim_end() == marker.as_str() {
                fence = None;
                flush(&mut current, &mut units);
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            flush(&mut current, &mut units);
            let marker: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            fence = Some(marker);
            current.push(line);
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut current, &mut units);
        } else if !current.is_empty() && (line.starts_with(' ') || line.starts_with('\t')) {
            current.push(line);
        } else {
            flush(&mut current, &mut units);
            current.push(line);
        }
    }
    flush(&mut current, &mut units);
    units
}

impl WeixinOutbox {
    /// Sends one message of `items` to `peer` with its context token; returns the client id.
    /// A stale token (`-14`, or `-2` with `unknown error`/empty/`rate limited`) is dropped and
    /// the message sent once more without it (upstream #35949, #48222).
    async fn send_items(&self, peer: &str, items: Vec<Value>) -> Result<String, PlatformError> {
        let shared = &self.shared;
        let client_id = format!("hermes-weixin-{}", crypto::uuid_hex());
        let mut token = shared.tokens.get(peer);
        loop {
            let mut msg = Map::new();
            msg.insert("from_user_id".into(), "".into());
            msg.insert("to_user_id".into(), peer.into());
            msg.insert("client_id".into(), client_id.clone().into());
            msg.insert("message_type".into(), MSG_TYPE_BOT.into());
            msg.insert("message_state".into(), MSG_STATE_FINISH.into());
            msg.insert("item_list".into(), Value::Array(items.clone()));
            if let Some(t) = &token {
                msg.insert("context_token".into(), t.clone().into());
            }
            let mut payload = Map::new();
            payload.insert("msg".into(), Value::Object(msg));
            let v = shared
                .api
                .post(EP_SEND_MESSAGE, payload, shared.config.timings.api)
                .await
                .map_err(|e| super::api_error(&e))?;
            let ret = Ret::of(&v);
            if ret.is_ok() {
                return Ok(client_id);
            }
            let stale = ret.is_session_expired() || ret.is_stale_context();
            if stale && token.is_some() {
                logs::warn(
                    TARGET,
                    format!(
                        "[Weixin] stale context token for {} ({ret}); retrying without it",
                        safe_id(peer)
                    ),
                );
                if let Err(e) = shared.tokens.remove(peer) {
                    logs::warn(TARGET, format!("[Weixin] cannot save context tokens: {e}"));
                }
                token = None;
                continue;
            }
            if ret.is_rate_limited() {
                return Err(PlatformError::RateLimited {
                    platform: PLATFORM.into(),
                    retry_after: None,
                });
            }
            if stale {
                return Err(super::transient(format!(
                    "iLink refused the message ({ret}): the chat's session expired; it \
                     resumes when the user writes to the bot again"
                )));
            }
            return Err(super::transient(format!("iLink sendmessage failed: {ret}")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_replies_split_per_line_only_when_asked() {
        let text = "Hi there!\nHere is the plan:\n- one\n  - nested\n- two\n\n```rust\nfn a() {}\n\nfn b() {}\n```\nBye";
        assert_eq!(split_for_delivery(text, 4000, false), [text]);
        assert_eq!(
            split_for_delivery(text, 4000, true),
            [
                "Hi there!",
                "Here is the plan:",
                "- one\n  - nested",
                "- two",
                "```rust\nfn a() {}\n\nfn b() {}\n```",
                "Bye"
            ]
        );
        // A unit longer than the limit is still chunked.
        let long = "x".repeat(50);
        assert!(split_for_delivery(&long, 20, true).len() >= 3);
        assert!(split_for_delivery("  \n\n", 4000, true).is_empty());
    }
}
