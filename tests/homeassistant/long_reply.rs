//! A long reply through the real `hermes gateway run` binary, against the real Home Assistant
//! instance and a scripted model (`tests/support/long_model.rs`). Home Assistant's "peer" is
//! the persistent notification list: the agent's answer to a watched state change is posted
//! with `persistent_notification.create`, one notification per chunk of at most 4096
//! characters (the adapter's `max_message_length`). A notification has no reply-to and
//! cannot be edited (`Capabilities.edits` is false), so this tests what Home Assistant does
//! with a long answer: several notifications, ordered by `created_at`, that put together are
//! the model's answer, code fence closed and reopened.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{SWITCH, WAIT, ha, notifications, rest, serial, switch_state};

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway_proc::{run_gateway, write};

use long_model::{LongModel, assert_chunked, long_answer};

const LIMIT: usize = hermes::platforms::homeassistant::MAX_MESSAGE_LENGTH;

fn ha_state(home: &Path) -> Value {
    std::fs::read_to_string(home.join(".hermes/gateway_state.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map(|v| v["platforms"]["homeassistant"].clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_is_posted_as_ordered_notifications() {
    let _serial = serial().await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    let model = LongModel::start(&answer, 4, Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "HASS_TOKEN={}\nHASS_URL={}\nHERMES_GATEWAY_LOCK_DIR={}\n",
            ha("TOKEN"),
            ha("URL"),
            home.join("locks").display(),
        ),
    );
    write(
        &home.join(".hermes/config.yaml"),
        &format!(
            "{}platforms:\n  homeassistant:\n    extra:\n      watch_entities: [{SWITCH}]\n      cooldown_seconds: 0\n",
            model.config_yaml()
        ),
    );
    let _gw = run_gateway(home);
    let log = || std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default();
    let start = Instant::now();
    while ha_state(home)["state"] != "connected" {
        assert!(start.elapsed() < WAIT, "not connected; log:\n{}", log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let known: Vec<Value> = notifications().await;
    let before = switch_state().await;
    rest(
        "POST",
        "/api/services/input_boolean/toggle",
        Some(json!({"entity_id": SWITCH})),
    )
    .await;
    let expected = hermes::platforms::chunk::chunk_text(&answer, LIMIT).len();
    let fresh = || async {
        notifications()
            .await
            .into_iter()
            .filter(|n| !known.contains(n) && n["title"] == "Hermes Agent")
            .collect::<Vec<Value>>()
    };
    let start = Instant::now();
    while fresh().await.len() < expected {
        assert!(
            start.elapsed() < WAIT,
            "{} of {expected} notifications; log:\n{}",
            fresh().await.len(),
            log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut notes = fresh().await;
    // Home Assistant lists notifications by id; `created_at` (microseconds) gives the order.
    notes.sort_by(|a, b| {
        a["created_at"]
            .as_str()
            .unwrap_or_default()
            .cmp(b["created_at"].as_str().unwrap_or_default())
    });
    let ids: std::collections::HashSet<&str> = notes
        .iter()
        .filter_map(|n| n["notification_id"].as_str())
        .collect();
    assert_eq!(ids.len(), notes.len(), "each chunk is its own notification");
    let texts: Vec<String> = notes
        .iter()
        .map(|n| n["message"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_chunked(&texts, &answer, LIMIT);
    // Leave the shared instance's notification list as it was.
    for id in &ids {
        rest(
            "POST",
            "/api/services/persistent_notification/dismiss",
            Some(json!({"notification_id": id})),
        )
        .await;
    }
    let asked = model.asked();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].contains(SWITCH) && asked[0].contains(&format!("changed from '{before}'")),
        "{asked:?}"
    );
}
