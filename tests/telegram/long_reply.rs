//! Long and streamed replies through the real `hermes gateway run` process, against the fake
//! Bot API (`fake_api`, written from the Telegram Bot API reference, <https://core.telegram.org/bots/api>)
//! and a scripted model (`tests/support/long_model.rs`): an allowlisted user's message is
//! answered with a reply longer than Telegram's 4096 characters, which arrives as several
//! `sendMessage` calls in order, the first quoting the user's message; with
//! `streaming.enabled`, a streamed answer is posted once and then grown by `editMessageText`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fake_api::FakeApi;

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway_proc::{Gateway, run_gateway, write};

use long_model::{LongModel, assert_chunked, assert_growing_preview, long_answer};

const TOKEN: &str = "123456:TelegramLongReplyTestTokenAAAAAAAAAAAA";
const OWNER: i64 = 42;
/// Telegram's limit on a message's text (Bot API `sendMessage`: 1-4096 characters).
const LIMIT: usize = 4096;

fn spawn(home: &Path, api: &FakeApi, config: &str) -> Gateway {
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!(
            "TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_BASE_URL={}\nTELEGRAM_ALLOWED_USERS={OWNER}\nTELEGRAM_HOME_CHANNEL={OWNER}\n",
            api.base
        ),
    );
    write(&root.join("config.yaml"), config);
    run_gateway(home)
}

fn dm(message_id: i64, text: &str) -> serde_json::Value {
    json!({"message": {"message_id": message_id, "date": 1_700_000_000, "text": text,
        "from": {"id": OWNER, "is_bot": false, "first_name": "Ann"},
        "chat": {"id": OWNER, "type": "private", "first_name": "Ann"}}})
}

async fn wait_until(what: &str, home: &Path, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "timed out waiting for {what}; log:\n{}",
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `sendMessage` bodies to the owner's chat.
fn sends(api: &FakeApi) -> Vec<serde_json::Value> {
    api.calls("sendMessage")
        .into_iter()
        .map(|r| r.body)
        .filter(|b| b["chat_id"] == json!(OWNER) || b["chat_id"] == json!(OWNER.to_string()))
        .collect()
}

fn text(b: &serde_json::Value) -> String {
    b["text"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_reaches_the_chat_as_ordered_chunks_the_first_quoting_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    let model = LongModel::start(&answer, 4, Duration::ZERO).await;
    let _gw = spawn(home, &api, &model.config_yaml());

    api.push_update(dm(7, "tell me everything"));
    let expected = hermes::platforms::chunk::chunk_text(&answer, LIMIT).len();
    wait_until("every chunk", home, || sends(&api).len() >= expected).await;
    // Give a wrongly extra message time to show up before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bodies = sends(&api);
    let texts: Vec<String> = bodies.iter().map(text).collect();
    assert_chunked(&texts, &answer, LIMIT);
    assert_eq!(model.asked(), vec!["tell me everything".to_string()]);
    assert_eq!(
        bodies[0]["reply_parameters"]["message_id"],
        json!(7),
        "the first chunk quotes the user's message: {}",
        bodies[0]
    );
    assert!(
        bodies[1..]
            .iter()
            .all(|b| b.get("reply_parameters").is_none()),
        "only the first chunk quotes (reply_to_mode first)"
    );
    assert!(api.calls("editMessageText").is_empty(), "not streaming");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_reply_is_posted_once_then_edited_to_the_final_text() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let answer = "Streaming answer: one, two, three, four, five, six, seven, eight, nine, \
                  ten, eleven, twelve, and that is all there is to count today.";
    // Six pieces 400 ms apart, edits at most every 0.1 s: the text grows visibly.
    let model = LongModel::start(answer, 6, Duration::from_millis(400)).await;
    let config = model.streaming_config_yaml();
    let _gw = spawn(home, &api, &config);

    api.push_update(dm(9, "count for me"));
    let edits = || -> Vec<serde_json::Value> {
        api.calls("editMessageText")
            .into_iter()
            .map(|r| r.body)
            .collect()
    };
    wait_until("the final edit", home, || {
        edits().last().is_some_and(|b| text(b) == answer)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posted = sends(&api);
    assert_eq!(posted.len(), 1, "one message created: {posted:#?}");
    let first = text(&posted[0]);
    let edits = edits();
    // Only one message was created, so the edits all naming one id name that message.
    let id = edits[0]["message_id"].clone();
    assert!(id.as_i64().is_some(), "{id}");
    assert!(
        edits.len() >= 2,
        "the preview grew by several edits: {edits:#?}"
    );
    for e in &edits {
        assert_eq!(e["message_id"], id, "every edit targets the posted message");
        assert_eq!(e["chat_id"], json!(OWNER));
    }
    // The preview and each edit show a growing prefix of the answer.
    let texts: Vec<String> = edits.iter().map(text).collect();
    assert_growing_preview(answer, &first, &texts);
    assert!(
        first.trim_end_matches(" ▉").len() < answer.len(),
        "the preview was posted before the answer was complete"
    );
    assert_eq!(text(edits.last().unwrap()), answer);
    assert_eq!(model.asked().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_long_reply_becomes_the_first_chunk_by_an_edit_and_the_rest_follow() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let api = FakeApi::start(TOKEN).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    // Ten pieces 150 ms apart: the preview grows, then outgrows one message.
    let model = LongModel::start(&answer, 10, Duration::from_millis(150)).await;
    let config = model.streaming_config_yaml();
    let _gw = spawn(home, &api, &config);

    api.push_update(dm(11, "tell me everything, live"));
    let chunks = hermes::platforms::chunk::chunk_text(&answer, LIMIT);
    wait_until("every chunk", home, || sends(&api).len() >= chunks.len()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created = sends(&api);
    assert_eq!(
        created.len(),
        chunks.len(),
        "the preview and the other chunks"
    );
    let edits: Vec<serde_json::Value> = api
        .calls("editMessageText")
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert!(!edits.is_empty(), "the preview was edited");
    assert!(
        edits
            .iter()
            .all(|e| e["message_id"] == edits[0]["message_id"]),
        "one message edited"
    );
    // The preview's final text is the first chunk; the messages after it are the others.
    let mut seen = vec![text(edits.last().unwrap())];
    seen.extend(created[1..].iter().map(text));
    assert_chunked(&seen, &answer, LIMIT);
    // While streaming, the preview showed prefixes of the answer.
    let first = text(&created[0]);
    assert!(answer.starts_with(first.trim_end_matches(" ▉")), "{first}");
    for e in &edits[..edits.len() - 1] {
        let t = text(e);
        assert!(answer.starts_with(t.trim_end_matches(" ▉")), "{t}");
    }
    assert_eq!(model.asked().len(), 1);
}
