//! Where a webhook run's replies go. A webhook has no chat to answer in: the reply is
//! forwarded to the route's `deliver` target through another adapter's outbox. Those outboxes
//! are bound once, after the registry has built every platform ([`WebhookOutbox::bind`]);
//! the chat id (`webhook:<route>:<delivery>`) names the route, so a run resumed after a
//! restart still finds its target.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::PLATFORM;
use super::config::{Route, RouteTable};
use crate::cron::HomeChannels;
use crate::logs;
use crate::platforms::chunk::chunk_text;
use crate::platforms::{Capabilities, ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// The other adapters' outboxes and the home channels, for forwarding.
#[derive(Clone, Default)]
pub struct Targets {
    /// Outboxes by platform name.
    pub outboxes: HashMap<String, (Arc<dyn Outbox>, Capabilities)>,
    /// Home channels (a bare platform `deliver` goes there).
    pub homes: HomeChannels,
}

/// Where one delivery's replies go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Only the log.
    Log,
    /// A chat on another platform.
    Chat(ChatRef),
}

/// Splits `<chat>[:<thread>]` of a `deliver` value. Matrix room ids hold a colon
/// (`!id:server`); a Matrix thread is an event id (`$…`), so only `:$` splits there.
fn split_chat(platform: &str, rest: &str) -> (String, Option<String>) {
    let split = if platform == "matrix" {
        rest.find(":$").map(|i| (&rest[..i], &rest[i + 1..]))
    } else {
        rest.rsplit_once(':')
    };
    match split {
        Some((chat, thread)) if !chat.is_empty() && !thread.is_empty() => {
            (chat.to_string(), Some(thread.to_string()))
        }
        _ => (rest.to_string(), None),
    }
}

/// Resolves a route's `deliver` (and `deliver_extra`) to a destination.
pub fn destination(route: &Route, homes: &HomeChannels) -> Result<Destination, String> {
    let deliver = route.deliver.trim();
    if deliver.is_empty() || deliver.eq_ignore_ascii_case("log") {
        return Ok(Destination::Log);
    }
    let (platform, chat_id, thread_id) = if let Some((p, rest)) = deliver.split_once(':') {
        let p = p.to_ascii_lowercase();
        let (chat, thread) = split_chat(&p, rest);
        (p, chat, thread)
    } else {
        let p = deliver.to_ascii_lowercase();
        if let Some(chat) = &route.deliver_chat_id {
            (p, chat.clone(), None)
        } else if let Some(home) = homes.get(&p) {
            (p, home.chat_id.clone(), home.thread_id.clone())
        } else {
            return Err(format!(
                "No chat_id or home channel for {p} (set {}_HOME_CHANNEL)",
                crate::auth::env_prefix(&p)
            ));
        }
    };
    Ok(Destination::Chat(ChatRef {
        platform,
        chat_id,
        thread_id: route.deliver_thread_id.clone().or(thread_id),
    }))
}

/// The webhook platform's outbox: forwards to the destination of the run's route.
pub struct WebhookOutbox {
    routes: Arc<RouteTable>,
    targets: OnceLock<Targets>,
    /// Destinations resolved when the request came in (by chat id).
    known: Mutex<HashMap<String, Destination>>,
}

impl std::fmt::Debug for WebhookOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookOutbox")
            .field("bound", &self.targets.get().is_some())
            .finish_non_exhaustive()
    }
}

fn failed(message: impl Into<String>) -> PlatformError {
    PlatformError::Fatal {
        platform: PLATFORM.into(),
        message: message.into(),
        code: "webhook_deliver".into(),
    }
}

impl WebhookOutbox {
    pub(super) fn new(routes: Arc<RouteTable>) -> Self {
        Self {
            routes,
            targets: OnceLock::new(),
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Binds the other platforms' outboxes; only the first call takes effect.
    pub fn bind(&self, targets: Targets) {
        let _ = self.targets.set(targets);
    }

    /// The home channels known to the outbox.
    pub(super) fn homes(&self) -> HomeChannels {
        self.targets
            .get()
            .map(|t| t.homes.clone())
            .unwrap_or_default()
    }

    /// Remembers where a delivery's replies go.
    pub(super) fn remember(&self, chat_id: &str, dest: Destination) {
        if let Ok(mut k) = self.known.lock() {
            // One entry per request; a long-running gateway keeps the newest few thousand.
            if k.len() > 4096 {
                k.clear();
            }
            k.insert(chat_id.to_string(), dest);
        }
    }

    fn destination_of(&self, chat_id: &str) -> Result<Destination, PlatformError> {
        if let Some(d) = self.known.lock().ok().and_then(|k| k.get(chat_id).cloned()) {
            return Ok(d);
        }
        let route = chat_id
            .strip_prefix("webhook:")
            .and_then(|rest| rest.rsplit_once(':'))
            .map(|(route, _)| route)
            .ok_or_else(|| failed(format!("'{chat_id}' is not a webhook delivery")))?;
        let route = self
            .routes
            .by_name(route)
            .ok_or_else(|| failed(format!("webhook route '{route}' no longer exists")))?;
        destination(&route, &self.homes()).map_err(failed)
    }

    fn target(&self, chat: &ChatRef) -> Result<(Arc<dyn Outbox>, Capabilities), PlatformError> {
        self.targets
            .get()
            .and_then(|t| t.outboxes.get(&chat.platform).cloned())
            .ok_or_else(|| failed(format!("Platform {} not connected", chat.platform)))
    }

    /// Sends `msg` to a destination (chunked at the target's limit).
    pub async fn forward(
        &self,
        dest: &Destination,
        msg: &OutboundMessage,
    ) -> Result<Sent, PlatformError> {
        let chat = match dest {
            Destination::Log => {
                let preview: String = msg.text.chars().take(200).collect();
                logs::info(
                    "gateway.platforms.webhook",
                    format!("Response (deliver: log): {preview}"),
                );
                return Ok(Sent::default());
            }
            Destination::Chat(chat) => chat,
        };
        let (outbox, caps) = self.target(chat)?;
        let mut last = Sent::default();
        for (i, chunk) in chunk_text(&msg.text, caps.max_message_length)
            .into_iter()
            .enumerate()
        {
            let part = OutboundMessage {
                text: chunk,
                reply_to: None,
                attachments: if i == 0 {
                    msg.attachments.clone()
                } else {
                    Vec::new()
                },
                subject: msg.subject.clone(),
            };
            last = outbox.send(chat, &part).await?;
        }
        Ok(last)
    }
}

#[async_trait::async_trait]
impl Outbox for WebhookOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let dest = self.destination_of(&to.chat_id)?;
        self.forward(&dest, msg).await
    }

    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        if let Ok(Destination::Chat(chat)) = self.destination_of(&to.chat_id) {
            let (outbox, caps) = self.target(&chat)?;
            if caps.typing {
                return outbox.typing(&chat).await;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cron::targets::ChatTarget;

    #[test]
    fn deliver_targets() {
        let homes = HomeChannels::from_list(vec![ChatTarget {
            platform: "telegram".into(),
            chat_id: "42".into(),
            thread_id: None,
        }]);
        let route = |v: serde_json::Value| Route::from_value("r", &v);
        let chat = |p: &str, c: &str, t: Option<&str>| {
            Ok(Destination::Chat(ChatRef {
                platform: p.into(),
                chat_id: c.into(),
                thread_id: t.map(str::to_string),
            }))
        };
        assert_eq!(destination(&route(json!({})), &homes), Ok(Destination::Log));
        assert_eq!(
            destination(&route(json!({"deliver": "telegram"})), &homes),
            chat("telegram", "42", None)
        );
        assert_eq!(
            destination(&route(json!({"deliver": "telegram:-100:7"})), &homes),
            chat("telegram", "-100", Some("7"))
        );
        assert_eq!(
            destination(&route(json!({"deliver": "matrix:!a:example.org"})), &homes),
            chat("matrix", "!a:example.org", None)
        );
        assert_eq!(
            destination(&route(json!({"deliver": "matrix:!a:ex.org:$ev"})), &homes),
            chat("matrix", "!a:ex.org", Some("$ev"))
        );
        assert_eq!(
            destination(
                &route(
                    json!({"deliver": "discord", "deliver_extra": {"chat_id": "9", "thread_id": 3}})
                ),
                &homes
            ),
            chat("discord", "9", Some("3"))
        );
        assert!(destination(&route(json!({"deliver": "slack"})), &homes).is_err());
    }
}
