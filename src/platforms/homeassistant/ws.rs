//! One websocket session with Home Assistant: `auth_required` → `auth` → `auth_ok` (or
//! `auth_invalid`, which is `Unauthorized`), `subscribe_events` for `state_changed`, then
//! events in and `ping`/`pong` keepalives until cancelled or the connection drops.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{HomeAssistant, PLATFORM, TARGET};
use crate::logs;
use crate::platforms::{ChatType, InboundMessage, PlatformCx, PlatformError, SessionSource};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The chat every event is posted in (as upstream).
pub const EVENTS_CHAT: &str = "ha_events";

fn transient(message: impl Into<String>) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message: message.into(),
    }
}

async fn send(ws: &mut Ws, v: &Value) -> Result<(), PlatformError> {
    ws.send(Message::text(v.to_string()))
        .await
        .map_err(|e| transient(format!("websocket send failed: {e}")))
}

/// The next JSON message (pings answered by tungstenite, other frames skipped).
async fn recv(ws: &mut Ws) -> Result<Value, PlatformError> {
    loop {
        match ws.next().await {
            None => return Err(transient("Home Assistant closed the websocket")),
            Some(Err(e)) => return Err(transient(format!("websocket error: {e}"))),
            Some(Ok(Message::Text(t))) => {
                return serde_json::from_str(t.as_str())
                    .map_err(|e| transient(format!("invalid JSON from Home Assistant: {e}")));
            }
            Some(Ok(Message::Close(_))) => {
                return Err(transient("Home Assistant closed the websocket"));
            }
            Some(Ok(_)) => {}
        }
    }
}

/// Connects and authenticates; `auth_invalid` is [`PlatformError::Unauthorized`].
pub(super) async fn connect(url: &str, token: &str) -> Result<Ws, PlatformError> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| transient(format!("cannot connect to {url}: {e}")))?;
    let hello = recv(&mut ws).await?;
    if hello["type"] != "auth_required" {
        return Err(transient(format!(
            "expected auth_required, got {}",
            hello["type"]
        )));
    }
    send(&mut ws, &json!({"type": "auth", "access_token": token})).await?;
    let answer = recv(&mut ws).await?;
    match answer["type"].as_str() {
        Some("auth_ok") => Ok(ws),
        Some("auth_invalid") => Err(PlatformError::Unauthorized {
            platform: PLATFORM.into(),
            message: answer["message"]
                .as_str()
                .unwrap_or("Invalid access token")
                .to_string(),
        }),
        other => Err(transient(format!("unexpected auth answer: {other:?}"))),
    }
}

fn event_message(text: String, entity_id: &str) -> InboundMessage {
    let secs = jiff::Timestamp::now().as_second();
    InboundMessage {
        source: SessionSource {
            platform: PLATFORM.into(),
            chat_id: EVENTS_CHAT.into(),
            chat_name: Some("Home Assistant Events".into()),
            chat_type: ChatType::Channel,
            user_id: Some("homeassistant".into()),
            user_name: Some("Home Assistant".into()),
            ..SessionSource::default()
        },
        text,
        message_id: Some(format!("ha_{entity_id}_{secs}")),
        reply_to: None,
        media: Vec::new(),
        mentioned: true,
        roles: Vec::new(),
    }
}

/// Runs one session until cancelled (`Ok`) or the connection fails (`Err`).
pub(super) async fn session(
    ha: &HomeAssistant,
    cx: &PlatformCx,
    failures: &mut u32,
) -> Result<(), PlatformError> {
    let cfg = &ha.config;
    let url = cfg.websocket_url();
    let mut ws = tokio::select! {
        biased;
        () = cx.cancel.cancelled() => return Ok(()),
        r = connect(&url, &cfg.token) => r?,
    };
    send(
        &mut ws,
        &json!({"id": 1, "type": "subscribe_events", "event_type": "state_changed"}),
    )
    .await?;
    loop {
        let r = recv(&mut ws).await?;
        if r["id"] == 1 && r["type"] == "result" {
            if r["success"] != true {
                return Err(PlatformError::Fatal {
                    platform: PLATFORM.into(),
                    message: format!("subscribe_events failed: {}", r["error"]),
                    code: "homeassistant_subscribe".into(),
                });
            }
            break;
        }
    }
    *failures = 0;
    cx.set_status(PLATFORM, "connected");
    logs::info(TARGET, format!("connected to {}", cfg.url));
    let mut next_id: u64 = 2;
    let mut awaiting_pong: Option<(u64, Instant)> = None;
    let mut ticker = tokio::time::interval(cfg.ping_interval);
    ticker.tick().await;
    loop {
        tokio::select! {
            biased;
            () = cx.cancel.cancelled() => {
                let _ = ws.close(None).await;
                return Ok(());
            }
            _ = ticker.tick() => {
                if awaiting_pong.is_some() {
                    return Err(transient("no pong from Home Assistant"));
                }
                send(&mut ws, &json!({"id": next_id, "type": "ping"})).await?;
                awaiting_pong = Some((next_id, Instant::now()));
                next_id += 1;
            }
            msg = recv(&mut ws) => {
                let msg = msg?;
                match msg["type"].as_str() {
                    Some("pong") if awaiting_pong.is_some_and(|(id, _)| msg["id"] == id) => {
                        awaiting_pong = None;
                    }
                    Some("event") => {
                        let event = &msg["event"];
                        if event["event_type"] != "state_changed" {
                            continue;
                        }
                        let data = &event["data"];
                        let accepted = ha.filter().accept(cfg, data, Instant::now());
                        if let Some(text) = accepted {
                            let entity = data["entity_id"].as_str().unwrap_or_default();
                            if !cx.deliver(event_message(text, entity)).await {
                                return Ok(());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
