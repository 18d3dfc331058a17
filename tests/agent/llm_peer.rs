//! Against real software: llama.cpp's `llama-server` with a tiny random-weight model
//! (`../shared/peers/llm.sh`). Proves our request and SSE stream formats, usage, `/v1/models`
//! and 401 handling with a real OpenAI-compatible server, and `hermes chat -q` on a fresh home.
//! The peer is installed and started by the test (the build is cached); if it cannot start the
//! test fails with the script's output.

use std::sync::OnceLock;

use hermes::agent::provider::{OpenAiCompatible, ProviderError};
use hermes::agent::{ChatRequest, FinishReason, Message};

struct Peer {
    base_url: String,
    api_key: String,
    model: String,
}

fn peer() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        // `llm.sh install` builds llama.cpp from PyPI; it needs a C++ toolchain.
        let get = |k: &str| crate::peer::fact("llm", k);
        Peer {
            base_url: get("BASE_URL"),
            api_key: get("API_KEY"),
            model: get("MODEL"),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_chat_with_usage_against_llama_server() {
    let p = peer();
    let provider = OpenAiCompatible::new("llamacpp", &p.base_url, reqwest::Client::new())
        .with_key(&p.api_key, "OPENAI_API_KEY");
    let mut req = ChatRequest::new(p.model.clone(), vec![Message::user("Say hello.")]);
    req.max_tokens = Some(8);
    let (result, events) = crate::run(&provider, &req).await;
    let resp = result.expect("llama-server answered");
    assert!(!resp.message.content.is_empty(), "some text came back");
    assert!(!crate::texts(&events).is_empty(), "it streamed deltas");
    assert_eq!(
        crate::texts(&events).concat(),
        resp.message.content,
        "deltas assemble the reply"
    );
    assert_eq!(
        resp.finish_reason,
        FinishReason::Length,
        "the tiny model stops at max_tokens"
    );
    let usage = resp.usage.expect("usage from stream_options.include_usage");
    assert_eq!(usage.completion_tokens, 8);
    assert!(usage.prompt_tokens > 0);
    // A wrong key is the real server's 401, classified as a bad key.
    let bad = OpenAiCompatible::new("llamacpp", &p.base_url, reqwest::Client::new())
        .with_key("wrong", "OPENAI_API_KEY");
    let (result, _) = crate::run(&bad, &req).await;
    assert!(
        matches!(result, Err(ProviderError::BadKey { .. })),
        "{result:?}"
    );
    // /v1/models lists the model.
    let models: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/models", p.base_url))
        .bearer_auth(&p.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        models["data"].as_array().is_some_and(|d| !d.is_empty()),
        "{models}"
    );
}

#[test]
fn hermes_chat_one_shot_against_llama_server_on_a_fresh_home() {
    let p = peer();
    let dir = tempfile::tempdir().unwrap();
    let hermes = env!("CARGO_BIN_EXE_hermes");
    let run = |args: &[&str]| {
        std::process::Command::new(hermes)
            .args(args)
            .env_clear()
            .env("HOME", dir.path())
            .env("PATH", "/usr/bin:/bin")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    for (k, v) in [
        ("model.provider", "custom"),
        ("model.base_url", p.base_url.as_str()),
        ("model.default", p.model.as_str()),
        ("model.api_key", p.api_key.as_str()),
        ("model.max_tokens", "12"),
    ] {
        let out = run(&["config", "set", k, v]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = run(&["chat", "-q", "hi"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "an answer on stdout; stderr: {stderr}"
    );
    let listed = run(&["sessions", "list", "--json"]);
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("\"cli\""),
        "the session is stored"
    );
}
