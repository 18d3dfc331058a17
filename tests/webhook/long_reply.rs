//! A long answer through the real `hermes gateway run` binary with the webhook platform, the
//! fake Telegram Bot API (`fake_api`, written from <https://core.telegram.org/bots/api>) and a
//! scripted model (`tests/support/long_model.rs`). A webhook has no peer to reply to: the
//! answer to a signed POST goes to the route's `deliver` target, here a Telegram chat, so this
//! tests what the webhook platform does with a long answer. It arrives in that chat chunked
//! at the target's limit (Telegram's 4096 characters), in order, quoting nothing (there is
//! no user message in that chat); and, with `streaming.enabled`, it is still sent, not
//! streamed by edits, since the run belongs to the webhook platform, which cannot edit.

use std::time::{Duration, Instant};

use hermes::platforms::webhook::signature::github_signature;
use serde_json::json;

use crate::fake_api::FakeApi;

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway::{SECRET, start_webhook_gateway};

use long_model::{LongModel, assert_chunked, long_answer};

const TOKEN: &str = "123456:WebhookLongReplyTestTokenAAAAAAAAAAAAAA";
/// The target's limit: Telegram's `sendMessage` takes 1-4096 characters.
const LIMIT: usize = 4096;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_reaches_the_deliver_target_as_ordered_chunks_not_edits() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    // Streamed slowly, with streaming on: a platform that could edit would show edits.
    let model = LongModel::start(&answer, 6, Duration::from_millis(200)).await;
    let (_gw, base) =
        start_webhook_gateway(home, TOKEN, &api.base, &model.streaming_config_yaml()).await;
    let root = home.join(".hermes");
    let log = || std::fs::read_to_string(root.join("logs/agent.log")).unwrap_or_default();
    let http = reqwest::Client::new();

    let body = serde_json::to_vec(&json!({"pull_request": {"title": "Faster sync"}})).unwrap();
    let ok = http
        .post(format!("{base}/webhooks/github"))
        .header("X-Hub-Signature-256", github_signature(SECRET, &body))
        .header("X-GitHub-Delivery", "long-1")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 202);

    let sends = || -> Vec<serde_json::Value> {
        api.calls("sendMessage")
            .into_iter()
            .map(|r| r.body)
            .filter(|b| b["chat_id"].to_string().trim_matches('"') == "42")
            .collect()
    };
    let expected = hermes::platforms::chunk::chunk_text(&answer, LIMIT).len();
    let start = Instant::now();
    while sends().len() < expected {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "{} of {expected} chunks; log:\n{}",
            sends().len(),
            log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bodies = sends();
    let texts: Vec<String> = bodies
        .iter()
        .map(|b| b["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_chunked(&texts, &answer, LIMIT);
    assert!(
        bodies.iter().all(|b| b.get("reply_parameters").is_none()),
        "nothing to quote in the target chat"
    );
    assert!(
        api.calls("editMessageText").is_empty(),
        "a webhook run is delivered, not streamed by edits"
    );
    assert_eq!(model.asked(), vec!["Review PR Faster sync".to_string()]);
}
