//! Real clients: the official `openai` Python SDK (through `peers/openai-client.sh`) and the
//! exact `curl` request of the `WeChat` hub in seed 003.

use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::Command;

use crate::fake::HOLD;
use crate::peer::{Ran, run_script};
use crate::{KEY, TestServer};

fn show(out: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `openai-client.sh ARGS…`, off the async runtime (the test server shares it).
async fn client_script(args: &[&str]) -> Ran {
    let args: Vec<String> = args.iter().map(ToString::to_string).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_script("openai-client", &args, Duration::from_mins(15))
    })
    .await
    .expect("the peer script ran")
}

#[tokio::test]
async fn official_openai_sdk() {
    let install = client_script(&["install"]).await;
    assert!(
        install.success,
        "installing the official openai SDK failed, so the SDK test cannot run:\n{}",
        install.show()
    );
    let s = TestServer::with(|c| c.max_concurrent_runs = 1).await;
    let base = format!("http://{}/v1", s.addr);
    let probe = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/sdk_probe.py");
    let out = client_script(&["run", probe, "main", &base, KEY, "hermes-agent"]).await;
    assert!(out.success, "SDK probe failed:\n{}", out.show());
    let stdout = &out.stdout;
    for check in [
        "ok non-stream",
        "ok stream",
        "ok models",
        "ok responses:",
        "ok responses stream",
        "ok wrong key",
    ] {
        assert!(stdout.contains(check), "missing `{check}`:\n{}", out.show());
    }

    // Fill the only run slot, then the SDK must see a RateLimitError.
    let held = tokio::spawn(s.post("/v1/chat/completions", &crate::chat(HOLD)).send());
    s.runner.wait_running(1).await;
    let out = client_script(&["run", probe, "ratelimit", &base, KEY, "hermes-agent"]).await;
    assert!(out.success, "SDK rate-limit probe failed:\n{}", out.show());
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
