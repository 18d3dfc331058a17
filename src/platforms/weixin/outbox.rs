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
        let chunks: Vec<String> = chunk_text(&msg.text, MAX_MESSAGE_LENGTH)
            .into_iter()
            .filter(|c| !c.trim().is_empty())
            .collect();
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
