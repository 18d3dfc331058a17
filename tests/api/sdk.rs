//! Real clients: the official `openai` Python SDK (through `peers/openai-client.sh`) and the
//! exact `curl` request of the `WeChat` hub in seed 003.

use std::path::PathBuf;
use std::process::Output;

use serde_json::{Value, json};
use tokio::process::Command;

use crate::fake::HOLD;
use crate::{KEY, TestServer};

/// The shared peers folder (`HERMES_PEERS_SCRIPTS` overrides).
fn peers_dir() -> PathBuf {
    std::env::var_os("HERMES_PEERS_SCRIPTS")
        .map_or_else(|| PathBuf::from("/work/shared/peers"), PathBuf::from)
}

fn show(out: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn client_script(args: &[&str]) -> Output {
    let script = peers_dir().join("openai-client.sh");
    assert!(
        script.exists(),
        "the openai SDK peer is missing: {} (set HERMES_PEERS_SCRIPTS)",
        script.display()
    );
    Command::new("bash")
        .arg(&script)
        .args(args)
        .output()
        .await
        .expect("bash runs")
}

#[tokio::test]
async fn official_openai_sdk() {
    let install = client_script(&["install"]).await;
    assert!(
        install.status.success(),
        "installing the official openai SDK failed, so the SDK test cannot run:\n{}",
        show(&install)
    );
    let s = TestServer::with(|c| c.max_concurrent_runs = 1).await;
    let base = format!("http://{}/v1", s.addr);
    let probe = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/sdk_probe.py");
    let out = client_script(&["run", probe, "main", &base, KEY, "hermes-agent"]).await;
    assert!(out.status.success(), "SDK probe failed:\n{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for check in [
        "ok non-stream",
        "ok stream",
        "ok models",
        "ok responses:",
        "ok responses stream",
        "ok wrong key",
    ] {
        assert!(stdout.contains(check), "missing `{check}`:\n{}", show(&out));
    }

    // Fill the only run slot, then the SDK must see a RateLimitError.
    let held = tokio::spawn(s.post("/v1/chat/completions", &crate::chat(HOLD)).send());
    s.runner.wait_running(1).await;
    let out = client_script(&["run", probe, "ratelimit", &base, KEY, "hermes-agent"]).await;
    assert!(
        out.status.success(),
        "SDK rate-limit probe failed:\n{}",
        show(&out)
    );
    s.runner.release.notify_waiters();
    assert_eq!(held.await.unwrap().unwrap().status(), 200);
    s.stop().await;
}

#[tokio::test]
async fn seed_003_hub_request() {
    // The hub's verification request, byte for byte: Bearer key, `model: hermes-agent`.
    let s =
        TestServer::with(|c| c.key = Some(hermes::api::ApiKey::new("change-me-local-dev"))).await;
    let body = json!({
        "model": "hermes-agent",
        "messages": [{"role": "user", "content": "Hello, please give a brief reply. "}],
    });
    let out = Command::new("curl")
        .args(["-sS", "-X", "POST"])
        .arg(format!("http://{}/v1/chat/completions", s.addr))
        .args(["-H", "Authorization: Bearer change-me-local-dev"])
        .args(["-H", "Content-Type: application/json"])
        .args(["-d", &body.to_string()])
        .output()
        .await
        .expect("curl runs");
    assert!(out.status.success(), "{}", show(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON answer");
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "you said: Hello, please give a brief reply. "
    );
    assert_eq!(v["model"], "hermes-agent");
    s.stop().await;
}
