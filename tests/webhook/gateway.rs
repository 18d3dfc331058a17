//! The real `hermes gateway run` with the webhook platform and a fake Telegram: a signed POST
//! becomes an agent run whose answer (from the scripted model) arrives in the Telegram chat
//! named by the route's `deliver`.

use std::time::{Duration, Instant};

use hermes::platforms::webhook::signature::github_signature;
use serde_json::json;

use crate::fake_api::FakeApi;
use crate::gateway_proc::{Gateway, run_gateway, write};
use crate::model::Model;

const TOKEN: &str = "123456:WebhookGatewayTestTokenAAAAAAAAAAAAAAAAA";
pub(crate) const SECRET: &str = "gh-secret";

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Writes a home whose gateway runs Telegram (bot `token` at `telegram_base`, user 42
/// allowed) and the webhook platform with a `github` route delivering to Telegram chat 42,
/// with `model_yaml` (config.yaml's model part, plus any more settings) first; starts
/// `hermes gateway run` and waits until the webhook server answers. Returns the gateway and
/// the server's base URL.
pub(crate) async fn start_webhook_gateway(
    home: &std::path::Path,
    token: &str,
    telegram_base: &str,
    model_yaml: &str,
) -> (Gateway, String) {
    let port = free_port();
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!(
            "TELEGRAM_BOT_TOKEN={token}\nTELEGRAM_BASE_URL={telegram_base}\nTELEGRAM_ALLOWED_USERS=42\nTELEGRAM_HOME_CHANNEL=42\nWEBHOOK_ENABLED=true\nWEBHOOK_PORT={port}\n"
        ),
    );
    write(
        &root.join("config.yaml"),
        &format!(
            "{model_yaml}platforms:\n  webhook:\n    extra:\n      host: 127.0.0.1\n      routes:\n        github:\n          secret: {SECRET}\n          deliver: 'telegram:42'\n          prompt: 'Review PR {{pull_request.title}}'\n"
        ),
    );
    let gw = run_gateway(home);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let start = Instant::now();
    while http.get(format!("{base}/health")).send().await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the webhook server did not come up; log:\n{}",
            std::fs::read_to_string(root.join("logs/gateway.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (gw, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_post_is_answered_in_the_telegram_chat_of_the_route() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let model = Model::start(Duration::ZERO).await;
    let model_yaml = format!(
        "model:\n  provider: custom\n  base_url: {}\n  default: test-model\n",
        model.url
    );
    let (mut gw, base) = start_webhook_gateway(home, TOKEN, &api.base, &model_yaml).await;
    let root = home.join(".hermes");
    let http = reqwest::Client::new();

    let body = serde_json::to_vec(&json!({"pull_request": {"title": "Faster sync"}})).unwrap();
    let bad = http
        .post(format!("{base}/webhooks/github"))
        .header("X-Hub-Signature-256", github_signature("nope", &body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    let ok = http
        .post(format!("{base}/webhooks/github"))
        .header("X-Hub-Signature-256", github_signature(SECRET, &body))
        .header("X-GitHub-Delivery", "abc-123")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 202);
    let answer: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(answer["status"], "accepted");

    let sent = |api: &FakeApi| -> Vec<(String, String)> {
        api.calls("sendMessage")
            .iter()
            .map(|r| {
                (
                    r.body["chat_id"].to_string().trim_matches('"').to_string(),
                    r.body["text"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let start = Instant::now();
    while !sent(&api)
        .iter()
        .any(|(chat, text)| chat == "42" && text.contains("answer: Review PR Faster sync"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no answer in Telegram: {:?}; log:\n{}",
            sent(&api),
            std::fs::read_to_string(root.join("logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(model.requests(), 1, "one run for one delivery");
    assert_eq!(gw.terminate(), 0);
}
