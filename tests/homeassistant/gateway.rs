//! The real `hermes gateway run` with the Home Assistant adapter against the real instance
//! and the scripted model: a state change of the watched switch reaches the agent and the
//! answer lands as a persistent notification; an email account with a wrong password beside
//! it is parked as fatal in `gateway_state.json` while Home Assistant keeps working.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::gateway_proc::{sigterm, write};
use crate::model::Model;
use crate::{SWITCH, WAIT, ha, notifications, peer, rest, serial, switch_state};

async fn wait_for_state(home: &Path, platform: &str, state: &str) -> Value {
    let start = Instant::now();
    loop {
        let s = std::fs::read_to_string(home.join(".hermes/gateway_state.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .map(|v| v["platforms"][platform].clone())
            .unwrap_or_default();
        if s["state"] == state {
            return s;
        }
        assert!(
            start.elapsed() < WAIT,
            "{platform} never reached `{state}`: {s}; log:\n{}",
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_change_is_answered_as_a_notification_beside_a_parked_platform() {
    let _serial = serial().await;
    let mail = |k: &str| peer::fact("mail", k);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let model = Model::start(Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "HASS_TOKEN={}\nHASS_URL={}\nEMAIL_ADDRESS={}\nEMAIL_PASSWORD=wrong-password\nEMAIL_IMAP_HOST={}\nEMAIL_IMAP_PORT={}\nEMAIL_IMAP_TLS=none\nEMAIL_SMTP_HOST={}\nEMAIL_SMTP_PORT={}\nHERMES_GATEWAY_LOCK_DIR={}\n",
            ha("TOKEN"),
            ha("URL"),
            mail("BOT_EMAIL"),
            mail("IMAP_HOST"),
            mail("IMAP_PORT"),
            mail("SMTP_HOST"),
            mail("SUBMISSION_PORT"),
            home.join("locks").display(),
        ),
    );
    write(
        &home.join(".hermes/config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\nplatforms:\n  homeassistant:\n    extra:\n      watch_entities: [{SWITCH}]\n      cooldown_seconds: 0\n",
            model.url
        ),
    );
    let mut gateway = Command::new(env!("CARGO_BIN_EXE_hermes"))
        .args(["gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_state(home, "homeassistant", "connected").await;
    let email = wait_for_state(home, "email", "fatal").await;
    assert_eq!(email["error_code"], "unauthorized", "{email}");

    let known: Vec<Value> = notifications().await;
    let before = switch_state().await;
    let after = if before == "on" { "off" } else { "on" };
    rest(
        "POST",
        "/api/services/input_boolean/toggle",
        Some(json!({"entity_id": SWITCH})),
    )
    .await;
    let want = format!("changed from '{before}' to '{after}'");
    let start = Instant::now();
    let note = loop {
        let fresh = notifications()
            .await
            .into_iter()
            // Other state changes may arrive meanwhile (and the busy notice with them): wait
            // for the answer to this one.
            .find(|n| {
                !known.contains(n)
                    && n["title"] == "Hermes Agent"
                    && n["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("answer:") && m.contains(&want))
            });
        if let Some(n) = fresh {
            break n;
        }
        assert!(
            start.elapsed() < WAIT,
            "no notification; log:\n{}",
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let text = note["message"].as_str().unwrap();
    assert!(
        text.starts_with("answer:") && text.contains(SWITCH) && text.contains(&want),
        "{text}"
    );
    assert!(model.requests() >= 1);
    assert_eq!(sigterm(&mut gateway), 0);
}
