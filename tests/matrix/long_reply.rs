//! Long and streamed replies through the real `hermes gateway run` binary, against the real
//! Synapse homeserver (`peer`) and a scripted model (`tests/support/long_model.rs`): a reply
//! longer than Matrix's `max_message_length` (16 000 characters unless configured) arrives in
//! the room as several `m.room.message` events in order, the first an `m.in_reply_to` reply to
//! the user's message; with `streaming.enabled`, a streamed answer is sent once and then
//! replaced by `m.replace` edits (client-server API, "Event replacements").

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::peer::{User, peer};

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway_proc::{Gateway, run_gateway, write};

use long_model::{LongModel, assert_chunked, assert_growing_preview, long_answer};

/// The adapter's default `max_message_length`.
const LIMIT: usize = hermes::platforms::matrix::config::DEFAULT_MAX_MESSAGE_LENGTH;

fn spawn(home: &Path, bot: &User, alice: &User, room: &str, config: &str) -> Gateway {
    let root = home.join(".hermes");
    write(
        &root.join(".env"),
        &format!(
            "MATRIX_HOMESERVER={}\nMATRIX_ACCESS_TOKEN={}\nMATRIX_ALLOWED_USERS={}\nMATRIX_HOME_CHANNEL={room}\n",
            peer().hs,
            bot.token,
            alice.id
        ),
    );
    write(&root.join("config.yaml"), config);
    run_gateway(home)
}

fn is_edit(ev: &Value) -> bool {
    ev["content"]["m.relates_to"]["rel_type"] == "m.replace"
}

/// The bot's messages in the room, oldest first: `(created, edits)`.
async fn bot_messages(alice: &User, room: &str, bot: &str) -> (Vec<Value>, Vec<Value>) {
    alice
        .events(room)
        .await
        .into_iter()
        .filter(|e| e["sender"] == bot && e["type"] == "m.room.message")
        .partition(|e| !is_edit(e))
}

fn body(ev: &Value) -> String {
    ev["content"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The text an edit replaces its target's with.
fn new_body(ev: &Value) -> String {
    ev["content"]["m.new_content"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    home: &Path,
    mut f: impl FnMut() -> F,
) {
    let start = Instant::now();
    while !f().await {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "timed out waiting for {what}; log:\n{}",
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_arrives_as_ordered_events_the_first_replying_to_the_user() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("longbot").await;
    let room = alice.create_room(&[&bot.id], true).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    let model = LongModel::start(&answer, 8, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let _gw = spawn(home, &bot, &alice, &room, &model.config_yaml());
    alice.wait_joined(&room, &bot.id).await;

    let asked = alice.say(&room, "tell me everything").await;
    let expected = hermes::platforms::chunk::chunk_text(&answer, LIMIT).len();
    wait_until("every chunk", home, || async {
        bot_messages(&alice, &room, &bot.id).await.0.len() >= expected
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (created, edits) = bot_messages(&alice, &room, &bot.id).await;
    let texts: Vec<String> = created.iter().map(body).collect();
    assert_chunked(&texts, &answer, LIMIT);
    assert_eq!(model.asked(), vec!["tell me everything".to_string()]);
    assert_eq!(
        created[0]["content"]["m.relates_to"]["m.in_reply_to"]["event_id"],
        Value::String(asked),
        "{}",
        created[0]
    );
    assert!(
        created[1..]
            .iter()
            .all(|e| e["content"].get("m.relates_to").is_none()),
        "only the first chunk is a reply"
    );
    assert!(edits.is_empty(), "not streaming: {edits:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_reply_is_sent_once_then_replaced_by_edits() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("streambot").await;
    let room = alice.create_room(&[&bot.id], true).await;
    let answer = "Streaming answer: one, two, three, four, five, six, seven, eight, nine, \
                  ten, eleven, twelve, and that is all there is to count today.";
    // Six pieces 400 ms apart, edits at most every 0.1 s: the text grows visibly.
    let model = LongModel::start(answer, 6, Duration::from_millis(400)).await;
    let config = model.streaming_config_yaml();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let _gw = spawn(home, &bot, &alice, &room, &config);
    alice.wait_joined(&room, &bot.id).await;

    alice.say(&room, "count for me").await;
    wait_until("the final edit", home, || async {
        let (_, edits) = bot_messages(&alice, &room, &bot.id).await;
        edits.last().is_some_and(|e| new_body(e) == answer)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (created, edits) = bot_messages(&alice, &room, &bot.id).await;
    assert_eq!(created.len(), 1, "one message created: {created:#?}");
    let first = body(&created[0]);
    let target = created[0]["event_id"].clone();
    assert!(edits.len() >= 2, "the preview grew by several edits");
    for e in &edits {
        assert_eq!(
            e["content"]["m.relates_to"]["event_id"], target,
            "every edit replaces the sent message"
        );
        assert_eq!(body(e), format!("* {}", new_body(e)), "the fallback body");
    }
    let texts: Vec<String> = edits.iter().map(new_body).collect();
    assert_growing_preview(answer, &first, &texts);
    assert_eq!(new_body(edits.last().unwrap()), answer);
    assert_eq!(model.asked().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_long_reply_becomes_the_first_chunk_by_an_edit_and_the_rest_follow() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("streamlongbot").await;
    let room = alice.create_room(&[&bot.id], true).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    // Ten pieces 150 ms apart: the preview grows, then outgrows one message.
    let model = LongModel::start(&answer, 10, Duration::from_millis(150)).await;
    let config = model.streaming_config_yaml();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let _gw = spawn(home, &bot, &alice, &room, &config);
    alice.wait_joined(&room, &bot.id).await;

    alice.say(&room, "tell me everything, live").await;
    let chunks = hermes::platforms::chunk::chunk_text(&answer, LIMIT);
    wait_until("every chunk", home, || async {
        bot_messages(&alice, &room, &bot.id).await.0.len() >= chunks.len()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (created, edits) = bot_messages(&alice, &room, &bot.id).await;
    assert_eq!(
        created.len(),
        chunks.len(),
        "the preview and the other chunks"
    );
    assert!(!edits.is_empty(), "the preview was edited");
    let target = created[0]["event_id"].clone();
    assert!(
        edits
            .iter()
            .all(|e| e["content"]["m.relates_to"]["event_id"] == target),
        "every edit replaces the preview"
    );
    // The preview's final text is the first chunk; the messages after it are the others.
    let mut seen = vec![new_body(edits.last().unwrap())];
    seen.extend(created[1..].iter().map(body));
    assert_chunked(&seen, &answer, LIMIT);
    let first = body(&created[0]);
    assert!(answer.starts_with(first.trim_end_matches(" ▉")), "{first}");
    assert_eq!(model.asked().len(), 1);
}
