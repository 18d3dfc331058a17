//! A long reply through the real `hermes gateway run` binary, against the fake iLink server
//! (`fake`, written from the shared reference §10, as iLink has no public API document) and a
//! scripted model (`tests/support/long_model.rs`): an allowlisted user's message is answered
//! with a reply longer than Weixin's 4000 characters, which arrives as several `sendmessage`
//! calls in order, each echoing the user's `context_token`. Weixin has no quoting reply (the
//! `context_token` is what ties a reply to the conversation) and cannot edit a sent message
//! (`Capabilities.edits` is false), so there is no streaming by edits to test.

use std::time::{Duration, Instant};

use super::dm;
use super::fake::Fake;

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway_proc::{run_gateway, write};

use long_model::{LongModel, assert_chunked, long_answer};

const BOT: &str = "hermesbot@im.bot";
const BOT_TOKEN: &str = "wx-long-reply-token";
const USER: &str = "o9cq80y9LongReplyUserAAAAAAAA@im.wechat";
/// The adapter's chunk size (§10: 4000 characters per text message).
const LIMIT: usize = hermes::platforms::weixin::MAX_MESSAGE_LENGTH;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_arrives_as_ordered_messages_each_echoing_the_context_token() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let fake = Fake::start(BOT_TOKEN).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    let model = LongModel::start(&answer, 4, Duration::ZERO).await;
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!(
            "WEIXIN_ACCOUNT_ID={BOT}\nWEIXIN_TOKEN={BOT_TOKEN}\nWEIXIN_BASE_URL={}\nWEIXIN_DM_POLICY=allowlist\nWEIXIN_ALLOWED_USERS={USER}\nWEIXIN_HOME_CHANNEL={USER}\n",
            fake.base_url
        ),
    );
    // No pause between chunks: the order must hold without it.
    write(
        &root.join("config.yaml"),
        &format!(
            "{}platforms:\n  weixin:\n    extra:\n      send_chunk_delay_seconds: 0\n",
            model.config_yaml()
        ),
    );
    let _gw = run_gateway(home);

    fake.push(dm(1, USER, "tell me everything", "ctx-long"));
    let expected = hermes::platforms::chunk::chunk_text(&answer, LIMIT).len();
    let start = Instant::now();
    while fake.sent_to(USER).len() < expected {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "only {} of {expected} chunks; log:\n{}",
            fake.sent_to(USER).len(),
            std::fs::read_to_string(root.join("logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = fake.sent_to(USER);
    let texts: Vec<String> = sent.iter().map(|(t, _)| t.clone()).collect();
    assert_chunked(&texts, &answer, LIMIT);
    assert!(
        sent.iter().all(|(_, token)| token == "ctx-long"),
        "every chunk echoes the context token: {sent:?}"
    );
    assert_eq!(model.asked(), vec!["tell me everything".to_string()]);
    fake.assert_clean();
}
