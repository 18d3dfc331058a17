//! Long and streamed replies through the real `hermes gateway run` binary, against the fake
//! Slack (`fake`, written from Slack's Web API and Socket Mode documentation,
//! <https://api.slack.com/methods/chat.postMessage>, <https://api.slack.com/methods/chat.update>)
//! and a scripted model (`tests/support/long_model.rs`). Slack has no quoting reply: the
//! answer to a channel mention goes into the thread of the user's message (`thread_ts`), and
//! the ✅ reaction marks the message answered. A reply longer than the 4000 characters a
//! message's `text` takes arrives as several `chat.postMessage` calls in order, every one in
//! that thread; with `streaming.enabled`, a streamed answer is posted once and then grown by
//! `chat.update`.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::fake::{BOT_USER, Fake, wait_until};
use crate::{APP_TOKEN, BOT_TOKEN};

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway_proc::{Gateway, run_gateway, write};

use long_model::{LongModel, assert_chunked, long_answer};

/// The longest `text` the adapter posts in one message (Slack truncates beyond 40 000 and
/// recommends at most 4000 characters).
const LIMIT: usize = 4000;

fn spawn(home: &Path, slack: &Fake, config: &str) -> Gateway {
    write(
        &home.join(".hermes/.env"),
        &format!(
            "SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_APP_TOKEN={APP_TOKEN}\nSLACK_API_BASE_URL={}\nSLACK_ALLOWED_USERS=U42\nSLACK_HOME_CHANNEL=DU42\n",
            slack.api
        ),
    );
    write(&home.join(".hermes/config.yaml"), config);
    run_gateway(home)
}

fn text(args: &Value) -> String {
    args["text"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_arrives_as_ordered_messages_in_the_users_thread() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let slack = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    slack.add_channel("C1", "general");
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    let model = LongModel::start(&answer, 4, Duration::ZERO).await;
    let _gw = spawn(home, &slack, &model.config_yaml());
    wait_until("Slack to connect", || slack.connected()).await;

    let ts = slack.channel_message(
        "C1",
        "U42",
        &format!("<@{BOT_USER}> tell me everything"),
        None,
    );
    let posts = || -> Vec<Value> {
        slack
            .calls("chat.postMessage")
            .into_iter()
            .map(|c| c.args)
            .collect()
    };
    let expected = hermes::platforms::chunk::chunk_text(&answer, LIMIT).len();
    wait_until("every chunk", || posts().len() >= expected).await;
    wait_until("✅ on the user's message", || {
        slack
            .calls("reactions.add")
            .iter()
            .any(|c| c.args["timestamp"] == json!(ts) && c.args["name"] == "white_check_mark")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posts = posts();
    let texts: Vec<String> = posts.iter().map(text).collect();
    assert_chunked(&texts, &answer, LIMIT);
    assert_eq!(model.asked(), vec!["tell me everything".to_string()]);
    for p in &posts {
        assert_eq!(p["channel"], "C1");
        assert_eq!(
            p["thread_ts"],
            json!(ts),
            "every chunk is in the user's thread"
        );
    }
    assert!(slack.calls("chat.update").is_empty(), "not streaming");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_reply_is_posted_once_then_updated_to_the_final_text() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let slack = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let answer = "Streaming answer: one, two, three, four, five, six, seven, eight, nine, \
                  ten, eleven, twelve, and that is all there is to count today.";
    // Six pieces 400 ms apart, edits at most every 0.1 s: the text grows visibly.
    let model = LongModel::start(answer, 6, Duration::from_millis(400)).await;
    let config = model.streaming_config_yaml();
    let _gw = spawn(home, &slack, &config);
    wait_until("Slack to connect", || slack.connected()).await;

    slack.dm("U42", "count for me");
    let updates = || -> Vec<Value> {
        slack
            .calls("chat.update")
            .into_iter()
            .map(|c| c.args)
            .collect()
    };
    wait_until("the final update", || {
        updates().last().is_some_and(|u| text(u) == answer)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posts = slack.calls("chat.postMessage");
    assert_eq!(posts.len(), 1, "one message created: {posts:#?}");
    let first = text(&posts[0].args);
    let updates = updates();
    assert!(updates.len() >= 2, "the preview grew by several updates");
    // Only one message was created, so the updates all naming one ts name that message.
    let ts = updates[0]["ts"].clone();
    assert!(
        ts.as_str().is_some_and(|t| t.starts_with("1800000000.")),
        "{ts}"
    );
    let mut shown = first.trim_end_matches(" ▉").len();
    assert!(first.ends_with(" ▉") && shown < answer.len(), "{first}");
    assert!(answer.starts_with(first.trim_end_matches(" ▉")), "{first}");
    for u in &updates {
        assert_eq!(u["channel"], "DU42");
        assert_eq!(u["ts"], ts, "every update targets the posted message");
        let t = text(u);
        let prefix = t.trim_end_matches(" ▉");
        assert!(answer.starts_with(prefix), "{t}");
        assert!(prefix.len() >= shown, "updates only grow");
        shown = prefix.len();
    }
    assert_eq!(text(updates.last().unwrap()), answer);
    assert_eq!(model.asked().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_long_reply_becomes_the_first_chunk_by_an_update_and_the_rest_follow() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let slack = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let answer = long_answer(LIMIT * 5 / 2, LIMIT);
    // Ten pieces 150 ms apart: the preview grows, then outgrows one message.
    let model = LongModel::start(&answer, 10, Duration::from_millis(150)).await;
    let config = model.streaming_config_yaml();
    let _gw = spawn(home, &slack, &config);
    wait_until("Slack to connect", || slack.connected()).await;

    slack.dm("U42", "tell me everything, live");
    let chunks = hermes::platforms::chunk::chunk_text(&answer, LIMIT);
    let posts = || -> Vec<Value> {
        slack
            .calls("chat.postMessage")
            .into_iter()
            .map(|c| c.args)
            .collect()
    };
    wait_until("every chunk", || posts().len() >= chunks.len()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created = posts();
    assert_eq!(
        created.len(),
        chunks.len(),
        "the preview and the other chunks"
    );
    let updates: Vec<Value> = slack
        .calls("chat.update")
        .into_iter()
        .map(|c| c.args)
        .collect();
    assert!(!updates.is_empty(), "the preview was updated");
    assert!(
        updates.iter().all(|u| u["ts"] == updates[0]["ts"]),
        "one message updated"
    );
    // The preview's final text is the first chunk; the messages after it are the others.
    let mut seen = vec![text(updates.last().unwrap())];
    seen.extend(created[1..].iter().map(text));
    assert_chunked(&seen, &answer, LIMIT);
    let first = text(&created[0]);
    assert!(answer.starts_with(first.trim_end_matches(" ▉")), "{first}");
    for u in &updates[..updates.len() - 1] {
        let t = text(u);
        assert!(answer.starts_with(t.trim_end_matches(" ▉")), "{t}");
    }
    assert_eq!(model.asked().len(), 1);
}
