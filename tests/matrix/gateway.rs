//! The real `hermes gateway run` with Matrix (through the fault proxy in front of Synapse) and
//! the webhook platform: an allowlisted user gets the scripted model's answer, a stranger in a
//! DM gets a pairing code, a 429 and a dropped connection are survived, and a revoked token
//! parks Matrix as fatal in `gateway_state.json` while the webhook keeps serving.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hermes::platforms::webhook::signature::github_signature;
use serde_json::Value;

use crate::gateway_proc::{sigterm, write};
use crate::model::Model;
use crate::peer::peer;
use crate::proxy::{Fault, Proxy};

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn bot_said(ev: &Value, bot: &str, needle: &str) -> bool {
    ev["sender"] == bot
        && ev["type"] == "m.room.message"
        && ev["content"]["body"]
            .as_str()
            .is_some_and(|b| b.contains(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_answers_pairs_survives_faults_and_parks_a_revoked_token() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("gwbot").await;
    let (dan, _) = p.user("dan").await;
    let proxy = Proxy::start(&p.hs).await;
    let model = Model::start(Duration::ZERO).await;
    let alice_dm = alice.create_room(&[&bot.id], true).await;
    // A stranger's DM is joined only because the room is listed in MATRIX_ALLOWED_ROOMS. With
    // an allowlist set, upstream ignores strangers unless `unauthorized_dm_behavior: pair`.
    let dan_dm = dan.create_room(&[&bot.id], true).await;

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let root = home.join(".hermes");
    let port = free_port();
    write(
        &root.join(".env"),
        &format!(
            "MATRIX_HOMESERVER={}\nMATRIX_ACCESS_TOKEN={}\nMATRIX_ALLOWED_USERS={}\nMATRIX_ALLOWED_ROOMS={dan_dm}\nMATRIX_HOME_CHANNEL={alice_dm}\nWEBHOOK_ENABLED=true\nWEBHOOK_PORT={port}\nWEBHOOK_SECRET=hook-secret\n",
            proxy.url, bot.token, alice.id
        ),
    );
    write(
        &root.join("config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\nplatforms:\n  matrix:\n    unauthorized_dm_behavior: pair\n  webhook:\n    extra:\n      host: 127.0.0.1\n      routes:\n        ping:\n          deliver: log\n",
            model.url
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hermes"))
        .args(["gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log = || std::fs::read_to_string(root.join("logs/agent.log")).unwrap_or_default();

    alice.wait_joined(&alice_dm, &bot.id).await;
    dan.wait_joined(&dan_dm, &bot.id).await;
    alice.say(&alice_dm, "hello").await;
    alice
        .wait_for(&alice_dm, "the model's answer", |ev| {
            bot_said(ev, &bot.id, "answer: hello")
        })
        .await;

    dan.say(&dan_dm, "hi, who are you?").await;
    let pairing = dan
        .wait_for(&dan_dm, "a pairing code", |ev| {
            bot_said(ev, &bot.id, "Here's your pairing code")
        })
        .await;
    assert!(
        pairing["content"]["body"]
            .as_str()
            .unwrap()
            .contains("hermes pairing approve matrix"),
        "{pairing}"
    );
    assert_eq!(model.requests(), 1, "the stranger never reached the model");

    // A rate limit and a dropped connection on the next syncs (the one in flight ends with
    // the next message); a message after them is still answered.
    proxy.fail_syncs(&[Fault::RateLimited(500), Fault::HangUp]);
    alice.say(&alice_dm, "again").await;
    proxy.wait_served(2).await;
    alice.say(&alice_dm, "after the faults").await;
    alice
        .wait_for(&alice_dm, "the answer after the faults", |ev| {
            bot_said(ev, &bot.id, "answer: after the faults")
        })
        .await;
    assert!(log().contains("sync failed"), "log:\n{}", log());

    // The token is revoked: Matrix is parked as fatal, the webhook keeps running.
    bot.logout().await;
    let state_file = root.join("gateway_state.json");
    let start = Instant::now();
    let matrix_state = loop {
        let state: Value = std::fs::read_to_string(&state_file)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null);
        let m = state["platforms"]["matrix"].clone();
        if m["state"] == "fatal" {
            break m;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "matrix was not parked: {state}\nlog:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(matrix_state["error_code"], "unauthorized");
    let body = br#"{"check": true}"#.to_vec();
    let resp = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/webhooks/ping"))
        .header(
            "X-Hub-Signature-256",
            github_signature("hook-secret", &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202, "the webhook still serves");
    assert_eq!(sigterm(&mut child), 0);
}
