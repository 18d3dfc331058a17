//! The Telegram adapter inside the real `hermes gateway run` process, against the fake Bot
//! API and a scripted model: an allowlisted user is answered, an unknown DM user gets a
//! pairing code, a 429 on `sendMessage` and a dropped `getUpdates` connection are survived,
//! and a revoked token parks Telegram as fatal while the gateway keeps running.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fake_api::{FakeApi, Scripted};
use crate::gateway_proc::{sigterm, write};

#[path = "../gateway/model.rs"]
mod model;

const TOKEN: &str = "123456:TelegramGatewayTestTokenAAAAAAAAAAAAAA";
const OWNER: i64 = 42;
const STRANGER: i64 = 99;

/// A home with Telegram (owner allowlisted, DMs by pairing) and the scripted model.
fn setup_home(home: &Path, api: &FakeApi, model: &model::Model) {
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!(
            "TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_BASE_URL={}\nTELEGRAM_ALLOWED_USERS={OWNER}\nTELEGRAM_DM_POLICY=pairing\n",
            api.base
        ),
    );
    write(
        &root.join("config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\n",
            model.url
        ),
    );
}

fn hermes(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hermes"));
    c.env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1");
    c
}

fn spawn_gateway(home: &Path) -> Child {
    hermes(home)
        .args(["gateway", "run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn dm(from: i64, message_id: i64, text: &str) -> serde_json::Value {
    json!({"message": {"message_id": message_id, "date": 1_700_000_000, "text": text,
        "from": {"id": from, "is_bot": false, "first_name": "Ann"},
        "chat": {"id": from, "type": "private", "first_name": "Ann"}}})
}

/// `(chat_id, text)` of every `sendMessage` so far.
fn sent(api: &FakeApi) -> Vec<(i64, String)> {
    api.calls("sendMessage")
        .iter()
        .filter_map(|r| {
            let chat = r.body["chat_id"]
                .as_i64()
                .or_else(|| r.body["chat_id"].as_str()?.parse().ok())?;
            Some((chat, r.body["text"].as_str()?.to_string()))
        })
        .collect()
}

async fn wait_until(what: &str, home: &Path, api: &FakeApi, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}; sent: {:?}\nlog:\n{}",
            sent(api),
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn count(api: &FakeApi, chat: i64, needle: &str) -> usize {
    sent(api)
        .iter()
        .filter(|(c, t)| *c == chat && t.contains(needle))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_answers_pairs_and_survives_429_and_a_dropped_poll() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = model::Model::start(Duration::ZERO).await;
    setup_home(home, &api, &model);
    let mut gw = spawn_gateway(home);

    // The allowlisted owner gets the model's answer.
    api.push_update(dm(OWNER, 1, "hello there"));
    wait_until("the owner's answer", home, &api, || {
        count(&api, OWNER, "answer: hello there") == 1
    })
    .await;

    // An unknown DM user gets a pairing code, and the model is not asked.
    api.push_update(dm(STRANGER, 2, "hi"));
    wait_until("the pairing code", home, &api, || {
        count(&api, STRANGER, "Here's your pairing code:") == 1
    })
    .await;
    let (_, text) = sent(&api)
        .into_iter()
        .find(|(c, _)| *c == STRANGER)
        .unwrap();
    assert!(text.contains("hermes pairing approve telegram"), "{text}");
    assert_eq!(model.requests(), 1);

    // A 429 with retry_after 1 on the next sendMessage: the reply still arrives, once.
    let before = api.calls("sendMessage").len();
    api.script(
        "sendMessage",
        Scripted::Error {
            code: 429,
            description: "Too Many Requests: retry after 1",
            retry_after: Some(1),
        },
    );
    api.push_update(dm(OWNER, 3, "after the flood"));
    wait_until("the reply after a 429", home, &api, || {
        count(&api, OWNER, "answer: after the flood") >= 2
    })
    .await;
    assert!(
        api.calls("sendMessage").len() >= before + 2,
        "the rate-limited send was retried"
    );

    // The next getUpdates connection is dropped mid-answer; polling goes on.
    let polls = api.calls("getUpdates").len();
    api.script("getUpdates", Scripted::HangUp);
    // Wake the current long poll so the scripted one is the next.
    api.push_update(dm(OWNER, 4, "before the drop"));
    wait_until("the reply before the drop", home, &api, || {
        count(&api, OWNER, "answer: before the drop") == 1
    })
    .await;
    wait_until("the dropped poll and another", home, &api, || {
        api.calls("getUpdates").len() >= polls + 3
    })
    .await;
    api.push_update(dm(OWNER, 5, "after the drop"));
    wait_until("the reply after the drop", home, &api, || {
        count(&api, OWNER, "answer: after the drop") == 1
    })
    .await;
    assert_eq!(
        count(&api, OWNER, "answer: before the drop"),
        1,
        "nothing redelivered"
    );
    assert!(gw.try_wait().unwrap().is_none(), "the gateway still runs");
    assert_eq!(sigterm(&mut gw), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_parks_telegram_as_fatal_while_the_gateway_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = model::Model::start(Duration::ZERO).await;
    setup_home(home, &api, &model);
    let mut gw = spawn_gateway(home);
    api.push_update(dm(OWNER, 1, "first"));
    wait_until("the first answer", home, &api, || {
        count(&api, OWNER, "answer: first") == 1
    })
    .await;

    // The token is revoked: the next getUpdates answers 401.
    api.script(
        "getUpdates",
        Scripted::Error {
            code: 401,
            description: "Unauthorized",
            retry_after: None,
        },
    );
    api.push_update(dm(OWNER, 2, "wake the poll"));
    let state_file = home.join(".hermes/gateway_state.json");
    let read_state = || -> serde_json::Value {
        std::fs::read_to_string(&state_file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    wait_until("telegram to be fatal", home, &api, || {
        read_state()["platforms"]["telegram"]["state"] == "fatal"
    })
    .await;
    let state = read_state();
    assert_eq!(
        state["platforms"]["telegram"]["error_code"], "unauthorized",
        "{state}"
    );
    assert_eq!(state["gateway_state"], "running", "{state}");

    // Parked: no more polling; the process keeps running and says so.
    let polls = api.calls("getUpdates").len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(gw.try_wait().unwrap().is_none(), "the gateway still runs");
    assert_eq!(
        api.calls("getUpdates").len(),
        polls,
        "no polling once parked"
    );
    let out = hermes(home)
        .args(["gateway", "status", "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(status["running"], true, "{status:#}");
    let telegram = status["platforms"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "telegram"))
        .unwrap_or_else(|| panic!("no telegram entry: {status:#}"));
    assert_eq!(telegram["state"], "fatal", "{status:#}");
    assert!(
        telegram["error"]
            .as_str()
            .is_some_and(|e| e.contains("401 Unauthorized")),
        "{status:#}"
    );
    assert_eq!(sigterm(&mut gw), 0);
}
