//! Against the local fake Bot API (`fake_api`): what the emulator cannot show — typing,
//! file downloads with the size limit, error classes, webhooks, topics, group mention
//! rules, offset redelivery and reconnects. Assertions are on what the fake received.

use std::time::Duration;

use hermes::platforms::telegram::{TelegramConfig, WebhookConfig, probe};
use hermes::platforms::{ChatRef, ChatType, OutboundMessage, Platform, PlatformError};
use serde_json::{Value, json};

use crate::fake_api::{BOT_ID, BOT_USERNAME, FakeApi, Scripted};
use crate::{Gateway, Home};

const TOKEN: &str = "777:AAFakeBotToken";

fn dm(text: &str) -> Value {
    json!({"message": {"message_id": 1, "text": text,
        "from": {"id": 42, "first_name": "Alice"},
        "chat": {"id": 42, "type": "private", "first_name": "Alice"}}})
}

fn group(text: &str, extra: &Value) -> Value {
    let mut m = json!({"message_id": 2, "text": text,
        "from": {"id": 43, "first_name": "Bob"},
        "chat": {"id": -1001, "type": "supergroup", "title": "Team"}});
    if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
        m.extend(extra.clone());
    }
    json!({ "message": m })
}

fn chat(id: &str, thread: Option<&str>) -> ChatRef {
    ChatRef {
        platform: "telegram".into(),
        chat_id: id.into(),
        thread_id: thread.map(str::to_string),
    }
}

async fn setup() -> (FakeApi, Home) {
    (FakeApi::start(TOKEN).await, Home::new())
}

#[tokio::test]
async fn typing_sends_chat_action_and_tolerates_server_errors() {
    let (fake, home) = setup().await;
    let tg = home.adapter(home.config(TOKEN, &fake.base));
    let outbox = tg.outbox();
    outbox.typing(&chat("42", Some("1"))).await.expect("typing");
    fake.script(
        "sendChatAction",
        Scripted::Error {
            code: 500,
            description: "Internal Server Error",
            retry_after: None,
        },
    );
    outbox
        .typing(&chat("42", None))
        .await
        .expect("a 5xx on typing is not an error");
    let calls = fake.calls("sendChatAction");
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].body,
        json!({"chat_id": 42, "action": "typing", "message_thread_id": 1})
    );
}

#[tokio::test]
async fn media_is_downloaded_within_the_size_limit() {
    let (fake, home) = setup().await;
    let mut config = home.config(TOKEN, &fake.base);
    config.media_max_bytes = 1000;
    let tg = home.adapter(config);
    fake.add_file("small-photo", "photos/file_1.jpg", b"JPEGDATA", None);
    fake.add_file("lying-doc", "documents/file_2.pdf", &[b'x'; 1500], Some(10));
    let mut gw = Gateway::start(&tg);

    fake.push_update(
        json!({"message": {"message_id": 3, "caption": "look at this",
        "photo": [{"file_id": "small-photo", "file_size": 8, "width": 90, "height": 90},
                  {"file_id": "huge-photo", "file_size": 5_000_000, "width": 2000, "height": 2000}],
        "from": {"id": 42, "first_name": "Alice"}, "chat": {"id": 42, "type": "private"}}}),
    );
    let m = gw.accept().await;
    assert_eq!(m.text, "look at this");
    assert_eq!(m.media.len(), 1, "{m:?}");
    assert_eq!(m.media[0].kind, "image");
    assert!(m.media[0].path.starts_with(tg.media_dir()));
    assert_eq!(std::fs::read(&m.media[0].path).unwrap(), b"JPEGDATA");

    // Declared too big: a note, and no getFile at all.
    fake.push_update(json!({"message": {"message_id": 4,
        "document": {"file_id": "big-doc", "file_size": 25 * 1024 * 1024, "file_name": "big.pdf"},
        "from": {"id": 42, "first_name": "Alice"}, "chat": {"id": 42, "type": "private"}}}));
    let m = gw.accept().await;
    assert!(m.media.is_empty());
    assert!(
        m.text
            .starts_with("[Telegram document skipped: file size 25.0 MB"),
        "{}",
        m.text
    );
    // Declared small but actually bigger: the download stops at the limit.
    fake.push_update(json!({"message": {"message_id": 5, "caption": "doc",
        "document": {"file_id": "lying-doc", "file_size": 10},
        "from": {"id": 42, "first_name": "Alice"}, "chat": {"id": 42, "type": "private"}}}));
    let m = gw.accept().await;
    assert!(m.media.is_empty());
    assert!(
        m.text.starts_with("doc\n\n[Telegram document skipped"),
        "{}",
        m.text
    );
    let asked: Vec<Value> = fake
        .calls("getFile")
        .into_iter()
        .map(|r| r.body["file_id"].clone())
        .collect();
    assert_eq!(asked, [json!("small-photo"), json!("lying-doc")]);
    gw.stop().await.unwrap();
}

#[tokio::test]
async fn a_rejected_token_is_unauthorized() {
    let (fake, home) = setup().await;
    let config = home.config("777:wrong", &fake.base);
    let err = probe(&config, &reqwest::Client::new()).await.unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    assert!(
        !err.to_string().contains("777:wrong"),
        "the token is never shown"
    );
    let gw = Gateway::start(home.adapter(config));
    let err = gw.finish().await.unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    assert!(!err.is_retryable());

    let info = probe(&home.config(TOKEN, &fake.base), &reqwest::Client::new())
        .await
        .unwrap();
    assert_eq!((info.id, info.username.as_str()), (BOT_ID, BOT_USERNAME));
}

#[tokio::test]
async fn a_rate_limited_send_waits_and_retries_once() {
    let (fake, home) = setup().await;
    let tg = home.adapter(home.config(TOKEN, &fake.base));
    fake.script(
        "sendMessage",
        Scripted::Error {
            code: 429,
            description: "Too Many Requests: retry after 1",
            retry_after: Some(1),
        },
    );
    let sent = tg
        .outbox()
        .send(&chat("42", None), &OutboundMessage::text("hi"))
        .await
        .expect("sent after the wait");
    assert!(sent.message_id.is_some());
    assert_eq!(fake.calls("sendMessage").len(), 2);

    // A wait beyond the bound is handed back to the caller.
    fake.script(
        "sendMessage",
        Scripted::Error {
            code: 429,
            description: "Too Many Requests: retry after 3600",
            retry_after: Some(3600),
        },
    );
    let err = tg
        .outbox()
        .send(&chat("42", None), &OutboundMessage::text("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_hours(1)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_conflict_is_fatal_with_a_clear_message() {
    let (fake, home) = setup().await;
    fake.script(
        "getUpdates",
        Scripted::Error {
            code: 409,
            description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            retry_after: None,
        },
    );
    let gw = Gateway::start(home.adapter(home.config(TOKEN, &fake.base)));
    let err = gw.finish().await.unwrap_err();
    assert_eq!(err.code(), "telegram_conflict");
    assert!(
        err.to_string()
            .contains("another process is receiving updates"),
        "{err}"
    );
    assert_eq!(
        fake.calls("deleteWebhook").len(),
        1,
        "polling clears a webhook first"
    );
}

#[tokio::test]
async fn a_second_adapter_on_the_same_token_is_refused() {
    let (fake, home) = setup().await;
    let config = home.config(TOKEN, &fake.base);
    let mut first = Gateway::start(home.adapter(config.clone()));
    first.wait_status("connected").await;
    let err = Gateway::start(home.adapter(config))
        .finish()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "telegram-bot-token_lock");
    assert!(
        err.to_string()
            .contains("Telegram bot token already in use"),
        "{err}"
    );
    first.stop().await.unwrap();
}

#[tokio::test]
async fn sends_carry_reply_and_topic_ids() {
    let (fake, home) = setup().await;
    let mut config = home.config(TOKEN, &fake.base);
    let tg = home.adapter(config.clone());
    let mut gw = Gateway::start(&tg);
    fake.push_update(group(
        "in a topic",
        &json!({"message_thread_id": 7, "is_topic_message": true,
        "chat": {"id": -1001, "type": "supergroup", "title": "Team", "is_forum": true}}),
    ));
    let m = gw.accept().await;
    assert_eq!(m.source.chat_type, ChatType::Group);
    assert_eq!(m.source.thread_id.as_deref(), Some("7"));
    gw.stop().await.unwrap();

    let long = "paragraph\n\n".repeat(500);
    let reply = OutboundMessage {
        text: long,
        reply_to: m.message_id.clone(),
        attachments: vec![],
        subject: None,
    };
    tg.outbox().send(&m.source.chat(), &reply).await.unwrap();
    let calls = fake.calls("sendMessage");
    assert!(calls.len() >= 2);
    assert!(
        calls
            .iter()
            .all(|c| c.body["message_thread_id"] == json!(7) && c.body["chat_id"] == json!(-1001))
    );
    assert_eq!(
        calls[0].body["reply_parameters"]["message_id"],
        json!(2),
        "first chunk replies"
    );
    assert!(
        calls[1..]
            .iter()
            .all(|c| c.body.get("reply_parameters").is_none())
    );
    // The General topic is addressed without a thread id.
    tg.outbox()
        .send(&chat("-1001", Some("1")), &OutboundMessage::text("general"))
        .await
        .unwrap();
    assert!(
        fake.calls("sendMessage")
            .last()
            .unwrap()
            .body
            .get("message_thread_id")
            .is_none()
    );

    // reply_to_mode: off never quotes.
    config.reply_to_mode = hermes::platforms::telegram::ReplyToMode::Off;
    let off = home.adapter(config);
    off.outbox()
        .send(
            &chat("42", None),
            &OutboundMessage {
                text: "x".into(),
                reply_to: Some("9".into()),
                attachments: vec![],
                subject: None,
            },
        )
        .await
        .unwrap();
    assert!(
        fake.calls("sendMessage")
            .last()
            .unwrap()
            .body
            .get("reply_parameters")
            .is_none()
    );
}

#[tokio::test]
async fn attachments_are_uploaded_as_multipart() {
    let (fake, home) = setup().await;
    let tg = home.adapter(home.config(TOKEN, &fake.base));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    std::fs::write(&report, "REPORT-BYTES").unwrap();
    let msg = OutboundMessage {
        text: "here".into(),
        reply_to: None,
        attachments: vec![report],
        subject: None,
    };
    let sent = tg.outbox().send(&chat("42", None), &msg).await.unwrap();
    let docs = fake.calls("sendDocument");
    assert_eq!(docs.len(), 1);
    let raw = String::from_utf8_lossy(&docs[0].raw);
    assert!(raw.contains("name=\"chat_id\"\r\n\r\n42\r\n"), "{raw}");
    assert!(
        raw.contains("name=\"document\"; filename=\"report.txt\""),
        "{raw}"
    );
    assert!(raw.contains("REPORT-BYTES"));
    assert_eq!(
        sent.message_id.as_deref(),
        Some("502"),
        "the upload is the last message"
    );
}

#[tokio::test]
async fn group_messages_need_a_mention_but_are_still_acknowledged() {
    let (fake, home) = setup().await;
    let mut config = home.config(TOKEN, &fake.base);
    config.require_mention = true;
    let tg = home.adapter(config);
    let mut gw = Gateway::start(&tg);
    let skipped = fake.push_update(group("just chatting", &json!({})));
    fake.push_update(group(
        &format!("@{BOT_USERNAME} what time is it?"),
        &json!({"entities": [{"type": "mention", "offset": 0, "length": BOT_USERNAME.len() + 1}]}),
    ));
    fake.push_update(group("thanks", &json!({"reply_to_message": {"message_id": 9, "text": "noon",
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Hermes"}, "chat": {"id": -1001, "type": "supergroup"}}})));
    let m = gw.accept().await;
    assert_eq!(m.text, "what time is it?");
    assert!(m.mentioned);
    let m = gw.accept().await;
    assert_eq!(
        m.text,
        "[Replying to your previous message: \"noon\"]\n\nthanks"
    );
    assert_eq!(m.reply_to.as_deref(), Some("9"));
    gw.assert_quiet(Duration::from_millis(300)).await;
    gw.stop().await.unwrap();
    let cursor: Value =
        serde_json::from_str(&std::fs::read_to_string(tg.cursor_file()).unwrap()).unwrap();
    assert_eq!(
        cursor["offset"],
        json!(skipped + 3),
        "the skipped update was acknowledged too"
    );
    // The next poll confirmed them to the server.
    let last = fake.calls("getUpdates").last().unwrap().body.clone();
    assert_eq!(
        last["allowed_updates"],
        json!(["message", "edited_message", "callback_query"])
    );
}

#[tokio::test]
async fn cancel_before_acknowledgement_redelivers_and_acks_are_confirmed() {
    let (fake, home) = setup().await;
    let config = home.config(TOKEN, &fake.base);
    let mut gw = Gateway::start(home.adapter(config.clone()));
    let first = fake.push_update(dm("first"));
    assert_eq!(gw.accept().await.text, "first");
    fake.push_update(dm("second"));
    let inbound = gw.receive().await;
    assert_eq!(inbound.message.text, "second");
    gw.stop().await.unwrap(); // cancelled while the gateway still held it
    drop(inbound);

    let mut gw = Gateway::start(home.adapter(config));
    assert_eq!(
        gw.accept().await.text,
        "second",
        "redelivered, and `first` is not"
    );
    gw.assert_quiet(Duration::from_millis(300)).await;
    // The next poll tells the server both are handled.
    tokio::time::timeout(crate::WAIT, async {
        while !fake
            .calls("getUpdates")
            .iter()
            .any(|r| r.body["offset"] == json!(first + 2))
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("a poll confirming both updates");
    gw.stop().await.unwrap();
}

#[tokio::test]
async fn a_batch_is_handed_over_whole_and_acknowledged_up_to_what_was_stored() {
    let (fake, home) = setup().await;
    let config = home.config(TOKEN, &fake.base);
    // Three updates waiting before the adapter starts: one getUpdates answer.
    let first = fake.push_update(dm("one"));
    fake.push_update(dm("two"));
    fake.push_update(dm("three"));
    let mut gw = Gateway::start(home.adapter(config.clone()));
    // All three are with the gateway before any of them is stored.
    let one = gw.receive().await;
    let two = gw.receive().await;
    let three = gw.receive().await;
    assert_eq!(
        [&one, &two, &three].map(|i| i.message.text.as_str()),
        ["one", "two", "three"]
    );
    // Only the first two are stored before the stop.
    let _ = one.accepted.send(());
    let _ = two.accepted.send(());
    tokio::time::sleep(Duration::from_millis(200)).await;
    gw.stop().await.unwrap();
    drop(three);
    let tg = home.adapter(config);
    let cursor: Value =
        serde_json::from_str(&std::fs::read_to_string(tg.cursor_file()).unwrap()).unwrap();
    assert_eq!(
        cursor["offset"],
        json!(first + 2),
        "acknowledged up to `two`"
    );
    // The third comes again after a restart; the first two do not.
    let mut gw = Gateway::start(&tg);
    assert_eq!(gw.accept().await.text, "three");
    gw.assert_quiet(Duration::from_millis(300)).await;
    gw.stop().await.unwrap();
}

#[tokio::test]
async fn polling_reconnects_after_the_connection_drops() {
    let (fake, home) = setup().await;
    let mut config = home.config(TOKEN, &fake.base);
    config.poll_timeout = Duration::from_secs(1);
    let mut gw = Gateway::start(home.adapter(config));
    gw.wait_status("connected").await;
    fake.script("getUpdates", Scripted::HangUp);
    fake.script(
        "getUpdates",
        Scripted::Error {
            code: 502,
            description: "Bad Gateway",
            retry_after: None,
        },
    );
    gw.wait_status("retrying").await;
    fake.push_update(dm("after the outage"));
    assert_eq!(gw.accept().await.text, "after the outage");
    gw.wait_status("connected").await;
    gw.stop().await.unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn webhook_mode_checks_the_secret_header() {
    let (fake, home) = setup().await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/tg/hook");
    let mut config: TelegramConfig = home.config(TOKEN, &fake.base);
    config.webhook = Some(WebhookConfig {
        url: url.clone(),
        port,
        listen: "127.0.0.1".parse().unwrap(),
        secret: "s3cret-token".into(),
    });
    let mut gw = Gateway::start(home.adapter(config));
    gw.wait_status("connected").await;
    let set = fake.calls("setWebhook");
    assert_eq!(set[0].body["url"], json!(url));
    assert_eq!(set[0].body["secret_token"], json!("s3cret-token"));
    assert!(
        fake.calls("getUpdates").is_empty(),
        "no polling in webhook mode"
    );

    let http = reqwest::Client::new();
    let mut update = dm("via webhook");
    update["update_id"] = json!(900);
    let post = |secret: Option<&'static str>| {
        let mut r = http.post(&url).json(&update);
        if let Some(s) = secret {
            r = r.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        r.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 403);
    assert_eq!(post(Some("wrong")).await.unwrap().status(), 403);
    gw.assert_quiet(Duration::from_millis(200)).await;

    let accepted = tokio::spawn(post(Some("s3cret-token")));
    assert_eq!(gw.accept().await.text, "via webhook");
    assert_eq!(accepted.await.unwrap().unwrap().status(), 200);
    // Telegram retrying the same update is answered but not delivered twice.
    assert_eq!(post(Some("s3cret-token")).await.unwrap().status(), 200);
    gw.assert_quiet(Duration::from_millis(200)).await;

    gw.stop().await.unwrap();
    assert_eq!(
        fake.calls("deleteWebhook").len(),
        1,
        "the webhook is removed on stop"
    );
}

/// `TELEGRAM_REACTIONS`: 👀 (`setMessageReaction`) when the turn starts, 👍 when the answer
/// to the message goes out; with `typing_indicator: false` no chat action is sent, but the
/// reactions still are. Commands get no reactions.
#[tokio::test]
async fn reactions_mark_a_message_worked_on_then_answered() {
    let (fake, home) = setup().await;
    let mut config = home.config(TOKEN, &fake.base);
    config.reactions = true;
    config.typing_indicator = false;
    let tg = home.adapter(config);
    assert!(tg.capabilities().reactions);
    let mut gw = Gateway::start(&tg);
    fake.push_update(dm("hello"));
    let m = gw.accept().await;
    let outbox = tg.outbox();
    let to = chat("42", None);
    outbox.typing(&to).await.unwrap();
    outbox.typing(&to).await.unwrap();
    let reactions = fake.calls("setMessageReaction");
    assert_eq!(reactions.len(), 1, "👀 is set once: {reactions:?}");
    assert_eq!(
        reactions[0].body,
        json!({"chat_id": 42, "message_id": 1, "reaction": [{"type": "emoji", "emoji": "👀"}]})
    );
    assert!(
        fake.calls("sendChatAction").is_empty(),
        "typing_indicator: false sends no chat action"
    );
    outbox
        .send(
            &to,
            &OutboundMessage {
                text: "hi!".into(),
                reply_to: m.message_id.clone(),
                ..OutboundMessage::default()
            },
        )
        .await
        .unwrap();
    let reactions = fake.calls("setMessageReaction");
    assert_eq!(reactions.len(), 2);
    assert_eq!(reactions[1].body["reaction"][0]["emoji"], "👍");
    assert_eq!(reactions[1].body["message_id"], 1);

    // A command is not decorated.
    let mut cmd = dm("/status");
    cmd["message"]["message_id"] = json!(2);
    fake.push_update(cmd);
    gw.accept().await;
    outbox.typing(&to).await.unwrap();
    assert_eq!(fake.calls("setMessageReaction").len(), 2);
    gw.stop().await.unwrap();
}

#[tokio::test]
async fn reactions_are_off_by_default() {
    let (fake, home) = setup().await;
    let tg = home.adapter(home.config(TOKEN, &fake.base));
    assert!(!tg.capabilities().reactions);
    let mut gw = Gateway::start(&tg);
    fake.push_update(dm("hello"));
    let m = gw.accept().await;
    let to = chat("42", None);
    tg.outbox().typing(&to).await.unwrap();
    let reply = OutboundMessage {
        text: "hi".into(),
        reply_to: m.message_id,
        ..OutboundMessage::default()
    };
    tg.outbox().send(&to, &reply).await.unwrap();
    assert!(fake.calls("setMessageReaction").is_empty());
    assert_eq!(fake.calls("sendChatAction").len(), 1);
    gw.stop().await.unwrap();
}

/// `TELEGRAM_PROXY`: every call goes to the proxy (an HTTP proxy receives absolute-form
/// requests, RFC 9112 §3.2.2); the Bot API host itself is never resolved.
#[tokio::test]
async fn telegram_proxy_carries_every_call() {
    let (fake, home) = setup().await;
    let mut config = home.config(TOKEN, "http://bot-api.invalid");
    config.proxy = Some(reqwest::Url::parse(&fake.base).unwrap());
    let tg = home.adapter(config);
    let mut gw = Gateway::start(&tg);
    gw.wait_status("connected").await;
    assert!(
        !fake.calls("getMe").is_empty(),
        "getMe went through the proxy"
    );
    tg.outbox()
        .send(&chat("42", None), &OutboundMessage::text("via proxy"))
        .await
        .unwrap();
    assert_eq!(fake.calls("sendMessage")[0].body["text"], "via proxy");
    gw.stop().await.unwrap();
}

/// `TELEGRAM_FALLBACK_IPS`: when the Bot API host cannot be reached (here: it does not
/// resolve), the call is retried against the fallback address with the same URL.
#[tokio::test]
async fn fallback_ips_are_tried_when_the_host_is_unreachable() {
    let (fake, home) = setup().await;
    let port = reqwest::Url::parse(&fake.base).unwrap().port().unwrap();
    let mut config = home.config(TOKEN, &format!("http://bot-api.invalid:{port}"));
    // The config loader accepts only public IPv4 addresses; the fake is on loopback.
    config.fallback_ips = vec!["127.0.0.1".parse().unwrap()];
    let tg = home.adapter(config);
    let mut gw = Gateway::start(&tg);
    gw.wait_status("connected").await;
    for text in ["one", "two"] {
        tg.outbox()
            .send(&chat("42", None), &OutboundMessage::text(text))
            .await
            .unwrap();
    }
    let sent: Vec<Value> = fake
        .calls("sendMessage")
        .into_iter()
        .map(|r| r.body["text"].clone())
        .collect();
    assert_eq!(sent, [json!("one"), json!("two")]);
    gw.stop().await.unwrap();

    // Without fallback addresses the same host is a transient failure naming the host.
    let tg = home.adapter(home.config(TOKEN, &format!("http://bot-api.invalid:{port}")));
    let err = tg
        .outbox()
        .send(&chat("42", None), &OutboundMessage::text("x"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(err.is_retryable(), "{text}");
    assert!(
        text.contains("bot-api.invalid") && !text.contains(TOKEN),
        "{text}"
    );
}
