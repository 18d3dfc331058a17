//! Real `hermes gateway run` processes against a fake Telegram Bot API and a scripted model:
//! `kill -9` mid-turn then a restart delivers the reply exactly once; a bot token already
//! used by another profile's gateway is refused with exit 78, naming that profile and PID.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fake_api::FakeApi;
use crate::gateway_proc::{sigterm, write};
use crate::model::Model;

const TOKEN: &str = "123456:GatewayProcessTestTokenAAAAAAAAAAAAAAAA";

fn hermes() -> &'static str {
    env!("CARGO_BIN_EXE_hermes")
}

fn setup_home(home: &Path, telegram: &str, model: &str) {
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!(
            "TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_BASE_URL={telegram}\nTELEGRAM_ALLOWED_USERS=42\nTELEGRAM_HOME_CHANNEL=42\n"
        ),
    );
    write(
        &root.join("config.yaml"),
        &format!("model:\n  provider: custom\n  base_url: {model}\n  default: test-model\n"),
    );
}

fn spawn(home: &Path, args: &[&str]) -> Child {
    Command::new(hermes())
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn dm(text: &str) -> serde_json::Value {
    json!({"message": {"message_id": 1, "date": 1_700_000_000, "text": text,
        "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
        "chat": {"id": 42, "type": "private", "first_name": "Ann"}}})
}

async fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn sent_texts(api: &FakeApi) -> Vec<String> {
    api.calls("sendMessage")
        .iter()
        .filter_map(|r| r.body["text"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_turn_then_restart_delivers_the_reply_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = Model::start(Duration::from_secs(20)).await;
    setup_home(home, &api.base, &model.url);

    let mut first = spawn(home, &["gateway", "run"]);
    api.push_update(dm("what time is it"));
    let logs = home.join(".hermes/logs/agent.log");
    let ok = tokio::time::timeout(Duration::from_secs(20), async {
        while model.requests() < 1 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .is_ok();
    assert!(
        ok,
        "no model request; log:\n{}\nsent: {:?}",
        std::fs::read_to_string(&logs).unwrap_or_default(),
        sent_texts(&api)
    );
    // The run is stored and running; kill the gateway hard in the middle of the turn.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(!sent_texts(&api).iter().any(|t| t.contains("answer:")));

    let mut second = spawn(home, &["gateway", "run"]);
    wait_until("the reply", Duration::from_secs(20), || {
        sent_texts(&api)
            .iter()
            .any(|t| t.contains("answer: what time is it"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let replies = sent_texts(&api)
        .into_iter()
        .filter(|t| t.contains("answer: what time is it"))
        .count();
    assert_eq!(replies, 1, "delivered exactly once: {:?}", sent_texts(&api));
    assert_eq!(
        model.requests(),
        2,
        "the interrupted turn ran again once, nothing more"
    );
    assert_eq!(sigterm(&mut second), 0);
    // The state file says it stopped cleanly.
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.join(".hermes/gateway_state.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["gateway_state"], "stopped");
    assert!(!home.join(".hermes/gateway.pid").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_profile_with_the_same_bot_token_exits_78_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = Model::start(Duration::ZERO).await;
    setup_home(home, &api.base, &model.url);
    let mut first = spawn(home, &["gateway", "run"]);
    wait_until("the first gateway to poll", Duration::from_secs(20), || {
        !api.calls("getUpdates").is_empty()
    })
    .await;

    let st = Command::new(hermes())
        .args(["profile", "create", "coder", "--no-alias"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(st.status.success());
    let coder = home.join(".hermes/profiles/coder");
    setup_home_profile(&coder, &api.base, &model.url);
    let out = Command::new(hermes())
        .args(["-p", "coder", "gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "already in use by the 'default' profile gateway (PID {})",
            first.id()
        )),
        "{stderr}"
    );
    // The first gateway was not touched and still answers.
    api.push_update(dm("still there?"));
    wait_until("the first gateway's reply", Duration::from_secs(20), || {
        sent_texts(&api)
            .iter()
            .any(|t| t.contains("answer: still there?"))
    })
    .await;
    assert_eq!(sigterm(&mut first), 0);
}

fn setup_home_profile(profile: &Path, telegram: &str, model: &str) {
    write(
        &profile.join(".env"),
        &format!(
            "TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_BASE_URL={telegram}\nTELEGRAM_ALLOWED_USERS=42\n"
        ),
    );
    write(
        &profile.join("config.yaml"),
        &format!("model:\n  provider: custom\n  base_url: {model}\n  default: test-model\n"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cron_job_created_from_the_cli_is_delivered_by_the_running_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = Model::start(Duration::ZERO).await;
    setup_home(home, &api.base, &model.url);
    let mut gw = Command::new(hermes())
        .args(["gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("HERMES_CRON_TICK_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the gateway to poll", Duration::from_secs(20), || {
        !api.calls("getUpdates").is_empty()
    })
    .await;
    let cli = |args: &[&str]| {
        Command::new(hermes())
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap()
    };
    let out = cli(&[
        "cron",
        "create",
        "every 1m",
        "say the daily word",
        "--name",
        "word",
        "--deliver",
        "telegram:42",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["cron", "run", "word"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("the cron delivery", Duration::from_secs(20), || {
        sent_texts(&api).iter().any(|t| {
            t.contains("Cronjob Response: word") && t.contains("answer: say the daily word")
        })
    })
    .await;
    let out = cli(&["cron", "list", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let job = jobs
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or_else(|| jobs["jobs"][0].clone());
    assert_eq!(job["last_status"], "ok", "{job}");
    assert_eq!(sigterm(&mut gw), 0);
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_server_answers_a_hub_request_through_the_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let model = Model::start(Duration::ZERO).await;
    let port = free_port();
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!("API_SERVER_KEY=hub-secret-key-123\nAPI_SERVER_PORT={port}\n"),
    );
    write(
        &root.join("config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\n",
            model.url
        ),
    );
    let mut gw = spawn(home, &["gateway", "run"]);
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/v1/chat/completions");
    let mut answer = None;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        // The exact request seed 003's hub sends.
        let r = http
            .post(&url)
            .bearer_auth("hub-secret-key-123")
            .json(&json!({"model": "hermes-agent", "messages": [{"role": "user", "content": "你好"}]}))
            .send()
            .await;
        if let Ok(r) = r {
            assert_eq!(r.status(), 200);
            answer = Some(r.json::<serde_json::Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = answer.expect("the API server answered");
    assert_eq!(answer["choices"][0]["message"]["content"], "answer: 你好");
    let denied = http
        .post(&url)
        .bearer_auth("wrong")
        .json(&json!({"model": "hermes-agent", "messages": [{"role": "user", "content": "x"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    assert_eq!(sigterm(&mut gw), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_bind_without_a_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    write(
        &home.join(".hermes/.env"),
        "API_SERVER_ENABLED=true\nAPI_SERVER_HOST=0.0.0.0\n",
    );
    let out = Command::new(hermes())
        .args(["gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Refusing to start: binding to 0.0.0.0 requires API_SERVER_KEY"),
        "{stderr}"
    );
    assert!(
        !home.join(".hermes/gateway.pid").exists(),
        "nothing left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hermes_send_delivers_without_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    setup_home(home, &api.base, "http://127.0.0.1:1/v1");
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(hermes())
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["send", "--to", "telegram:42", "hello from cron-less"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bare platform goes to its home channel (TELEGRAM_HOME_CHANNEL=42), text from stdin.
    let out = run(
        &["send", "--to", "telegram", "-s", "Report"],
        "piped text\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts = sent_texts(&api);
    assert!(
        texts.iter().any(|t| t == "hello from cron-less"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("**Report**\n\npiped text")),
        "{texts:?}"
    );
    let out = run(&["send", "--list", "--json"], "");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["platform"], "telegram");
    assert_eq!(listed[0]["home_channel"], "42");
    for bad in [
        &["send", "--to", "discord:1", "x"][..],
        &["send", "--to", "origin", "x"][..],
        &["send", "--to", "nowhere", "x"][..],
    ] {
        let out = run(bad, "");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hermes_cron_tick_runs_agent_jobs_and_delivers_without_a_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = Model::start(Duration::ZERO).await;
    setup_home(home, &api.base, &model.url);
    let cli = |args: &[&str]| {
        Command::new(hermes())
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap()
    };
    let out = cli(&[
        "cron",
        "create",
        "every 1h",
        "the weather",
        "--name",
        "wx",
        "--deliver",
        "telegram",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(cli(&["cron", "run", "wx"]).status.success());
    let out = cli(&["cron", "tick"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts = sent_texts(&api);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Cronjob Response: wx") && t.contains("answer: the weather")),
        "{texts:?}"
    );
    assert_eq!(model.requests(), 1);
}
