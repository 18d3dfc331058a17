//! The agent's `ha_*` tools against the real Home Assistant: list, get and toggle
//! `input_boolean.test_switch`, observing the change over REST; bad arguments and a bad token
//! come back as clear errors. `ha_list_services` runs against a local fake: the peer's
//! `GET /api/services` answers 500 until numpy is installed in its venv (see the report).

use std::collections::BTreeMap;
use std::sync::Arc;

use hermes::agent::AgentConfig;
use hermes::agent::tools::{Processes, Registry, ToolContext, ToolOutput};
use hermes::config::Env;
use hermes::home::HermesPaths;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::{SWITCH, ha, serial, switch_state};

fn registry(token: &str) -> Registry {
    registry_at(&ha("URL"), token)
}

fn registry_at(url: &str, token: &str) -> Registry {
    Registry::default().with_homeassistant(&Env::from_pairs([
        ("HASS_TOKEN", token.to_string()),
        ("HASS_URL", url.to_string()),
    ]))
}

async fn call(r: &Registry, name: &str, args: Value) -> ToolOutput {
    let dir = tempfile::tempdir().unwrap();
    let cx = ToolContext {
        session_id: "s".into(),
        session_key: "k".into(),
        source: hermes::platforms::SessionSource::default(),
        paths: HermesPaths::at(dir.path(), dir.path()),
        config: Arc::new(AgentConfig::default()),
        env: Arc::new(BTreeMap::new()),
        cancel: CancellationToken::new(),
        processes: Arc::new(Processes::new(
            hermes::agent::config::NotifyMode::default(),
            None,
        )),
        state: Arc::default(),
    };
    r.get(name)
        .expect("the tool is registered")
        .call(args, &cx)
        .await
}

fn json_of(out: &ToolOutput) -> Value {
    assert!(out.ok, "{}", out.content);
    serde_json::from_str(&out.content).unwrap()
}

#[tokio::test]
async fn the_tools_list_get_and_toggle_the_test_switch() {
    let _serial = serial().await;
    let r = registry(&ha("TOKEN"));

    let listed = json_of(&call(&r, "ha_list_entities", json!({"domain": "input_boolean"})).await);
    let entities = listed["result"]["entities"].as_array().unwrap();
    assert_eq!(listed["result"]["count"], entities.len());
    assert!(entities.iter().all(|e| {
        e["entity_id"]
            .as_str()
            .unwrap()
            .starts_with("input_boolean.")
    }));
    assert!(
        entities
            .iter()
            .any(|e| e["entity_id"] == SWITCH && e["friendly_name"] == "Test switch")
    );

    let before = switch_state().await;
    let got = json_of(&call(&r, "ha_get_state", json!({"entity_id": SWITCH})).await);
    assert_eq!(got["result"]["state"], before.as_str());
    assert_eq!(got["result"]["attributes"]["friendly_name"], "Test switch");

    let after = if before == "on" { "off" } else { "on" };
    let called = json_of(
        &call(
            &r,
            "ha_call_service",
            json!({"domain": "input_boolean", "service": "toggle", "entity_id": SWITCH}),
        )
        .await,
    );
    assert_eq!(called["result"]["success"], true);
    assert_eq!(called["result"]["service"], "input_boolean.toggle");
    assert_eq!(switch_state().await, after, "the switch really changed");
    let got = json_of(&call(&r, "ha_get_state", json!({"entity_id": SWITCH})).await);
    assert_eq!(got["result"]["state"], after);

    // Turning it on or off with `data` as a JSON string, as models send it.
    let _ = json_of(
        &call(&r, "ha_call_service", json!({"domain": "input_boolean", "service": "turn_on", "data": format!("{{\"entity_id\": \"{SWITCH}\"}}")})).await,
    );
    assert_eq!(switch_state().await, "on");
}

#[tokio::test]
async fn bad_arguments_and_tokens_are_clear_errors() {
    let _serial = serial().await;
    let r = registry(&ha("TOKEN"));
    let out = call(&r, "ha_get_state", json!({"entity_id": "../config"})).await;
    assert!(
        !out.ok && out.content.contains("Invalid entity_id format"),
        "{}",
        out.content
    );
    let out = call(&r, "ha_get_state", json!({})).await;
    assert!(
        !out.ok && out.content.contains("entity_id"),
        "{}",
        out.content
    );
    let out = call(
        &r,
        "ha_call_service",
        json!({"domain": "shell_command", "service": "run"}),
    )
    .await;
    assert!(
        !out.ok && out.content.contains("blocked for security"),
        "{}",
        out.content
    );
    let out = call(
        &r,
        "ha_call_service",
        json!({"domain": "light/../api", "service": "x"}),
    )
    .await;
    assert!(
        !out.ok && out.content.contains("Invalid domain format"),
        "{}",
        out.content
    );
    let out = call(
        &r,
        "ha_call_service",
        json!({"domain": "input_boolean", "service": "toggle", "data": "{oops"}),
    )
    .await;
    assert!(
        !out.ok && out.content.contains("Invalid JSON"),
        "{}",
        out.content
    );
    let out = call(
        &r,
        "ha_get_state",
        json!({"entity_id": "input_boolean.nope"}),
    )
    .await;
    assert!(
        !out.ok && out.content.contains("not found"),
        "{}",
        out.content
    );

    let bad = registry("not-a-valid-token-0123456789");
    let out = call(&bad, "ha_list_entities", json!({})).await;
    assert!(!out.ok, "{}", out.content);
    assert!(
        out.content.contains("rejected the access token (HTTP 401)"),
        "{}",
        out.content
    );

    assert_eq!(
        Registry::default()
            .with_homeassistant(&Env::default())
            .names()
            .count(),
        0
    );
}

/// A fake of `GET /api/services`, following the REST API reference
/// (developers.home-assistant.io/docs/api/rest: a list of `{domain, services}` objects whose
/// services carry `name`, `description` and `fields`), as Home Assistant 2024.3 answers it.
async fn fake_services() -> String {
    let body = json!([
        {"domain": "input_boolean", "services": {
            "toggle": {"name": "Toggle", "description": "Toggles an input boolean.", "fields": {}},
            "turn_on": {"name": "Turn on", "description": "Turns on an input boolean.",
                "fields": {"entity_id": {"description": "Entity to turn on", "selector": {"entity": {}}}}}}},
        {"domain": "light", "services": {"turn_on": {"description": "Turn on", "fields": {}}}}
    ]);
    let app = axum::Router::new().route(
        "/api/services",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let body = body.clone();
            async move {
                if headers.get("authorization").and_then(|v| v.to_str().ok())
                    == Some("Bearer good-token")
                {
                    (axum::http::StatusCode::OK, axum::Json(body))
                } else {
                    (
                        axum::http::StatusCode::UNAUTHORIZED,
                        axum::Json(json!({"message": "401: Unauthorized"})),
                    )
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn ha_list_services_compacts_each_domain() {
    let url = fake_services().await;
    let r = registry_at(&url, "good-token");
    let all = json_of(&call(&r, "ha_list_services", json!({})).await);
    assert_eq!(all["result"]["count"], 2);
    let only = json_of(&call(&r, "ha_list_services", json!({"domain": "input_boolean"})).await);
    assert_eq!(
        only["result"],
        json!({"count": 1, "domains": [{"domain": "input_boolean", "services": {
            "toggle": {"description": "Toggles an input boolean."},
            "turn_on": {"description": "Turns on an input boolean.", "fields": {"entity_id": "Entity to turn on"}}}}]})
    );
    let out = call(&registry_at(&url, "bad"), "ha_list_services", json!({})).await;
    assert!(
        !out.ok && out.content.contains("HTTP 401"),
        "{}",
        out.content
    );
}
