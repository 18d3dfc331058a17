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
