//! Against the real Bot API emulator (npm `telegram-test-api`, started once per test binary
//! through `shared/peers/telegram.sh`). Each test uses its own bot token, so tests running
//! in parallel never see each other's updates. The test plays the user through the
//! emulator's own routes.

use std::fmt::Write as _;
use std::time::Duration;

use hermes::platforms::{ChatRef, ChatType, OutboundMessage, Platform};
use serde_json::{Value, json};

use crate::{Gateway, Home};

/// One fact `telegram.sh start` prints (`BOT_API_URL`, `TOKEN`, …); the emulator is
/// installed and started on first use.
fn fact(key: &str) -> String {
    crate::peer::fact("telegram", key)
}

/// A bot token of this test's own (the emulator keeps updates per token).
fn token(test: &str) -> String {
    format!("4000001:AAHermesTest_{test}")
}

const ALICE: i64 = 4242;

fn alice() -> Value {
    json!({"id": ALICE, "is_bot": false, "first_name": "Alice", "last_name": "Liddell", "username": "alice"})
}

/// The user sends `text` to the bot in a private chat.
async fn user_says(token: &str, text: &str) {
    let mut body = json!({
        "botToken": token,
        "date": 1_700_000_000,
        "text": text,
        "from": alice(),
        "chat": {"id": ALICE, "type": "private", "first_name": "Alice", "username": "alice"},
    });
    let route = if text.starts_with('/') {
        let len = text.find(' ').unwrap_or(text.len());
        body["entities"] = json!([{"offset": 0, "length": len, "type": "bot_command"}]);
        "USER_SEND_COMMAND_URL"
    } else {
        "USER_SEND_MESSAGE_URL"
    };
    let r = reqwest::Client::new()
        .post(fact(route))
        .json(&body)
        .send()
        .await
        .expect("emulator reachable");
    assert!(r.status().is_success(), "{}", r.status());
}

/// What the bot sent to the user's chat (each message returned once).
async fn user_reads(token: &str) -> Vec<Value> {
    let v: Value = reqwest::Client::new()
        .post(fact("USER_GET_UPDATES_URL"))
        .json(&json!({"token": token, "chatId": ALICE}))
        .send()
        .await
        .expect("emulator reachable")
        .json()
        .await
        .expect("json");
    v["result"].as_array().cloned().unwrap_or_default()
}

fn alice_chat() -> ChatRef {
    ChatRef {
        platform: "telegram".into(),
        chat_id: ALICE.to_string(),
        thread_id: None,
    }
}

#[tokio::test]
async fn a_dm_is_delivered_with_its_source() {
    let token = token("dm_delivered");
    let home = Home::new();
    let tg = home.adapter(home.config(&token, &fact("BOT_API_URL")));
    let mut gw = Gateway::start(&tg);
    user_says(&token, "hello there").await;
    user_says(&token, "/start@TestNameBot please").await;

    let m = gw.accept().await;
    assert_eq!(m.text, "hello there");
    assert_eq!(m.source.platform, "telegram");
    assert_eq!(m.source.chat_id, ALICE.to_string());
    assert_eq!(m.source.chat_type, ChatType::Dm);
    assert_eq!(m.source.user_id.as_deref(), Some("4242"));
    assert_eq!(m.source.user_name.as_deref(), Some("Alice Liddell"));
    assert!(m.message_id.is_some());
    let cmd = gw.accept().await;
    assert_eq!(cmd.text, "/start please", "the @bot suffix is stripped");
    assert_eq!(
        tg.bot_info().map(|b| b.username).as_deref(),
        Some("TestNameBot")
    );
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn a_long_reply_arrives_in_ordered_chunks() {
    let token = token("long_reply");
    let home = Home::new();
    let tg = home.adapter(home.config(&token, &fact("BOT_API_URL")));
    let text = (0..900).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "line {i:04} of a long answer");
        s
    });
    assert!(text.len() > 3 * 4096);
    let sent = tg
        .outbox()
        .send(&alice_chat(), &OutboundMessage::text(text.clone()))
        .await
        .expect("sent");
    let got = user_reads(&token).await;
    assert!(got.len() >= 4, "{} chunk(s)", got.len());
    let texts: Vec<String> = got
        .iter()
        .map(|u| {
            u["message"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(texts.iter().all(|t| t.encode_utf16().count() <= 4096));
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert!(
        words(&texts.join("\n")) == words(&text),
        "the chunks, in order, hold the whole reply"
    );
    let last_id = got.last().unwrap()["messageId"].as_i64().unwrap();
    assert_eq!(sent.message_id, Some(last_id.to_string()));
}

#[tokio::test]
async fn edits_replace_the_text() {
    let token = token("edits");
    let home = Home::new();
    let tg = home.adapter(home.config(&token, &fact("BOT_API_URL")));
    let outbox = tg.outbox();
    let sent = outbox
        .send(&alice_chat(), &OutboundMessage::text("thinking…"))
        .await
        .expect("sent");
    let id = sent.message_id.expect("an id to edit");
    outbox
        .edit(&alice_chat(), &id, "the final answer")
        .await
        .expect("edited");
    let got = user_reads(&token).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["message"]["text"], "the final answer");
}

#[tokio::test]
async fn an_acknowledged_update_is_not_redelivered_after_a_restart() {
    let token = token("acked_restart");
    let home = Home::new();
    let config = home.config(&token, &fact("BOT_API_URL"));
    let first = home.adapter(config.clone());
    let mut gw = Gateway::start(&first);
    user_says(&token, "one").await;
    assert_eq!(gw.accept().await.text, "one");
    // Let the acknowledgement land before stopping.
    tokio::time::sleep(Duration::from_millis(200)).await;
    gw.stop().await.expect("a clean stop");
    let cursor: Value =
        serde_json::from_str(&std::fs::read_to_string(first.cursor_file()).unwrap()).unwrap();
    assert!(cursor["offset"].as_i64().unwrap() > 0);
    assert_eq!(cursor["pending"], json!([]));

    user_says(&token, "two").await;
    let second = home.adapter(config);
    let mut gw = Gateway::start(&second);
    assert_eq!(
        gw.accept().await.text,
        "two",
        "`one` is not delivered again"
    );
    gw.assert_quiet(Duration::from_millis(500)).await;
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn an_unacknowledged_update_is_redelivered_after_a_restart() {
    let token = token("unacked_restart");
    let home = Home::new();
    let config = home.config(&token, &fact("BOT_API_URL"));
    let first = home.adapter(config.clone());
    let mut gw = Gateway::start(&first);
    user_says(&token, "three").await;
    let inbound = gw.receive().await;
    assert_eq!(inbound.message.text, "three");
    drop(inbound); // the gateway never stored it: deliver() returns false
    gw.finish()
        .await
        .expect("the adapter stops when the gateway stops taking messages");

    let second = home.adapter(config);
    let mut gw = Gateway::start(&second);
    assert_eq!(gw.accept().await.text, "three", "redelivered");
    gw.stop().await.expect("a clean stop");
}
