//! The adapter against the real Home Assistant: an event fired through the REST API is
//! delivered from the `ha_events` channel, a reply lands as a persistent notification, a real
//! state change is delivered, a bad token is `Unauthorized`, and a cut connection reconnects.

use std::time::Duration;

use hermes::platforms::homeassistant::EVENTS_CHAT;
use hermes::platforms::{ChatRef, ChatType, OutboundMessage, Platform, PlatformError};
use serde_json::json;

use crate::{Gateway, Home, Proxy, SWITCH, ha, notifications, rest, serial, switch_state, unique};

/// Fires a `state_changed` event for `entity` through `POST /api/events/state_changed`.
async fn fire(entity: &str, name: &str, old: &str, new: &str) {
    let state =
        |s: &str| json!({"entity_id": entity, "state": s, "attributes": {"friendly_name": name}});
    rest(
        "POST",
        "/api/events/state_changed",
        Some(json!({"entity_id": entity, "old_state": state(old), "new_state": state(new)})),
    )
    .await;
}

fn events_chat() -> ChatRef {
    ChatRef {
        platform: "homeassistant".into(),
        chat_id: EVENTS_CHAT.into(),
        thread_id: None,
    }
}

#[tokio::test]
async fn a_fired_event_is_delivered_and_the_reply_becomes_a_notification() {
    let _serial = serial().await;
    let home = Home::new();
    let adapter = home.adapter(home.config(&ha("URL"), &ha("TOKEN")));
    let mut gw = Gateway::start(adapter.clone());
    gw.wait_status("connected").await;

    fire("light.not_watched", "Other light", "off", "on").await;
    let name = unique("Porch switch");
    fire(SWITCH, &name, "off", "on").await;
    let msg = gw.accept().await;
    assert_eq!(
        msg.text,
        format!("[Home Assistant] {name} ({SWITCH}): changed from 'off' to 'on'"),
        "the unwatched light was filtered out"
    );
    assert_eq!(msg.source.platform, "homeassistant");
    assert_eq!(msg.source.chat_id, EVENTS_CHAT);
    assert_eq!(msg.source.chat_type, ChatType::Channel);
    assert_eq!(msg.source.user_id.as_deref(), Some("homeassistant"));
    assert!(
        msg.message_id
            .unwrap()
            .starts_with(&format!("ha_{SWITCH}_"))
    );

    let reply = unique("The porch switch is on");
    let sent = adapter
        .outbox()
        .send(&events_chat(), &OutboundMessage::text(reply.clone()))
        .await
        .expect("persistent_notification.create");
    let id = sent.message_id.expect("the notification id");
    let found = notifications()
        .await
        .into_iter()
        .find(|n| n["notification_id"] == id.as_str())
        .expect("the notification exists in Home Assistant");
    assert_eq!(found["title"], "Hermes Agent");
    assert_eq!(found["message"], reply.as_str());
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn a_real_state_change_is_delivered() {
    let _serial = serial().await;
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config(&ha("URL"), &ha("TOKEN"))));
    gw.wait_status("connected").await;
    let before = switch_state().await;
    rest(
        "POST",
        "/api/services/input_boolean/toggle",
        Some(json!({"entity_id": SWITCH})),
    )
    .await;
    let after = if before == "on" { "off" } else { "on" };
    let msg = gw.accept().await;
    assert_eq!(
        msg.text,
        format!("[Home Assistant] Test switch ({SWITCH}): changed from '{before}' to '{after}'")
    );
    gw.assert_quiet(Duration::from_millis(500)).await;
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn a_bad_token_is_unauthorized() {
    let _serial = serial().await;
    let home = Home::new();
    let config = home.config(&ha("URL"), "not-a-valid-token-0123456789");
    let adapter = home.adapter(config.clone());
    let err = Gateway::start(adapter.clone())
        .finish()
        .await
        .expect_err("auth_invalid ends the adapter");
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    let err = adapter
        .outbox()
        .send(&events_chat(), &OutboundMessage::text("hi"))
        .await
        .expect_err("401");
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    let http = reqwest::Client::new();
    let err = hermes::platforms::homeassistant::probe(&config, &http)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    hermes::platforms::homeassistant::probe(&home.config(&ha("URL"), &ha("TOKEN")), &http)
        .await
        .expect("the real token is accepted");
}

#[tokio::test]
async fn the_adapter_reconnects_after_the_connection_drops() {
    let _serial = serial().await;
    let upstream = ha("URL").trim_start_matches("http://").to_string();
    let proxy = Proxy::start(upstream).await;
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config(&proxy.url, &ha("TOKEN"))));
    gw.wait_status("connected").await;
    proxy.cut();
    gw.wait_status("retrying").await;
    gw.wait_status("connected").await;
    let name = unique("After the drop");
    fire(SWITCH, &name, "on", "off").await;
    assert!(gw.accept().await.text.contains(&name));
    gw.stop().await.expect("a clean stop");
}

/// A second adapter on the same token is refused, naming the gateway holding it.
#[tokio::test]
async fn a_second_adapter_on_the_same_token_is_refused() {
    let _serial = serial().await;
    let home = Home::new();
    let mut first = Gateway::start(home.adapter(home.config(&ha("URL"), &ha("TOKEN"))));
    first.wait_status("connected").await;
    let err = Gateway::start(home.adapter(home.config(&ha("URL"), &ha("TOKEN"))))
        .finish()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "homeassistant-token_lock");
    let text = err.to_string();
    assert!(
        text.contains("Home Assistant token already in use by the")
            && text.contains(&format!("(PID {})", std::process::id())),
        "{text}"
    );
    first.stop().await.unwrap();
}

/// A rate-limiting front for Home Assistant's REST API, written from RFC 9110 §15.5.x/§10.2.3
/// (`429 Too Many Requests` with `Retry-After: <seconds>`): it answers the next `limit` calls
/// with 429 and `Retry-After`, then `200 []` as HA's `POST /api/services/<d>/<s>` does.
async fn rate_limiting_front(
    limit: usize,
    retry_after: &'static str,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
) {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let calls: std::sync::Arc<std::sync::Mutex<Vec<std::time::Instant>>> =
        std::sync::Arc::default();
    let seen = calls.clone();
    let app = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        async move {
            let n = {
                let mut s = seen.lock().unwrap();
                s.push(std::time::Instant::now());
                s.len()
            };
            if n <= limit {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", retry_after)],
                    "slow down",
                )
                    .into_response()
            } else {
                axum::Json(json!([])).into_response()
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

/// A 429 on a notification is retried once after `Retry-After`; a `Retry-After` too long to
/// wait out is reported as `RateLimited` with that delay.
#[tokio::test]
async fn a_429_honours_retry_after() {
    let home = Home::new();
    let (url, calls) = rate_limiting_front(1, "1").await;
    let adapter = home.adapter(home.config(&url, "token-for-the-front"));
    adapter
        .outbox()
        .send(&events_chat(), &OutboundMessage::text("hello"))
        .await
        .unwrap();
    let at = calls.lock().unwrap().clone();
    assert_eq!(at.len(), 2, "one 429, one retry");
    assert!(
        at[1] - at[0] >= Duration::from_millis(950),
        "{:?}",
        at[1] - at[0]
    );

    let (url, calls) = rate_limiting_front(5, "120").await;
    let adapter = home.adapter(home.config(&url, "token-for-the-front"));
    let err = adapter
        .outbox()
        .send(&events_chat(), &OutboundMessage::text("hello"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_mins(2)),
        "{err:?}"
    );
    assert_eq!(calls.lock().unwrap().len(), 1);
}
