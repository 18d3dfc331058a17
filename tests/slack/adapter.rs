//! The adapter against the fake: envelopes acknowledged only after delivery, redelivery of
//! what was not stored, `disconnect` → reconnect, `invalid_auth` → Unauthorized, threads,
//! mentions and `app_mention`, `SLACK_ALLOW_BOTS`, reactions, edits, 429s, files, commands.

use std::time::Duration;

use hermes::platforms::slack::AllowBots;
use hermes::platforms::{ChatType, OutboundMessage, Platform, PlatformError};
use serde_json::json;

use crate::fake::{BOT_ID, BOT_USER, Fake, wait_until};
use crate::{APP_TOKEN, BOT_TOKEN, Gateway, Home};

fn dm_event(fake: &Fake, user: &str, text: &str) -> (String, String) {
    let ts = fake.ts();
    let env = fake.event(
        json!({"type": "message", "user": user, "text": text, "ts": ts,
        "channel": format!("D{user}"), "channel_type": "im"}),
    );
    (env, ts)
}

#[tokio::test]
async fn envelopes_are_acknowledged_only_after_delivery() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    assert_eq!(adapter.bot_identity().unwrap().user_id, BOT_USER);
    let (env, ts) = dm_event(&fake, "U1", "hi");
    let inbound = gw.receive().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !fake.acked(&env),
        "not acknowledged before the gateway stored it"
    );
    let m = inbound.message.clone();
    let _ = inbound.accepted.send(());
    wait_until("the ack", || fake.acked(&env)).await;
    assert_eq!(m.text, "hi");
    assert_eq!(m.source.chat_type, ChatType::Dm);
    assert_eq!(m.source.chat_id, "DU1");
    assert_eq!(m.message_id.as_deref(), Some(ts.as_str()));

    // Not stored: never acknowledged, so Slack sends it again on a new connection.
    let (env, _) = dm_event(&fake, "U1", "again");
    let inbound = gw.receive().await;
    drop(inbound);
    let m = gw.accept().await;
    assert_eq!(m.text, "again");
    wait_until("the ack after redelivery", || fake.acked(&env)).await;
    assert_eq!(fake.connections(), 2);
    gw.assert_quiet(Duration::from_millis(300)).await;
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn a_disconnect_envelope_opens_a_new_connection() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config(&fake)));
    gw.wait_status("connected").await;
    fake.disconnect("refresh_requested");
    wait_until("a second connection", || {
        fake.connections() == 2 && fake.connected()
    })
    .await;
    assert_eq!(fake.calls("apps.connections.open").len(), 2);
    assert!(
        fake.calls("apps.connections.open")
            .iter()
            .all(|c| c.token == APP_TOKEN)
    );
    // A dropped socket reconnects too.
    fake.drop_connection();
    wait_until("a third connection", || {
        fake.connections() == 3 && fake.connected()
    })
    .await;
    dm_event(&fake, "U1", "still there?");
    assert_eq!(gw.accept().await.text, "still there?");
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn invalid_auth_is_unauthorized() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config(&fake)));
    gw.wait_status("connected").await;
    // Revoked while running: the reconnect's apps.connections.open says invalid_auth.
    fake.revoke();
    match gw.finish().await {
        Err(PlatformError::Unauthorized { message, .. }) => {
            assert!(message.contains("invalid_auth"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // At start: auth.test says so.
    let gw = Gateway::start(home.adapter(home.config(&fake)));
    assert!(matches!(
        gw.finish().await,
        Err(PlatformError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn threads_mentions_app_mention_reactions_and_edits() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    fake.add_channel("C1", "general");
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let outbox = adapter.outbox();
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;

    // Not mentioned: skipped, but acknowledged.
    let ts = fake.ts();
    let env = fake.event(
        json!({"type": "message", "user": "U1", "text": "chatting", "ts": ts,
        "channel": "C1", "channel_type": "channel"}),
    );
    wait_until("the skipped message's ack", || fake.acked(&env)).await;
    gw.assert_quiet(Duration::from_millis(200)).await;

    // A mention arrives as `message` and `app_mention` with the same ts: delivered once.
    let ts = fake.ts();
    let text = format!("<@{BOT_USER}> what is 6x7?");
    let e1 = fake.event(
        json!({"type": "message", "user": "U1", "text": text, "ts": ts,
        "channel": "C1", "channel_type": "channel"}),
    );
    let e2 = fake.event(
        json!({"type": "app_mention", "user": "U1", "text": text, "ts": ts,
        "channel": "C1"}),
    );
    let m = gw.accept().await;
    assert_eq!(m.text, "what is 6x7?");
    assert!(m.mentioned);
    assert_eq!(m.source.chat_type, ChatType::Thread);
    assert_eq!(m.source.thread_id.as_deref(), Some(ts.as_str()));
    assert_eq!(m.source.chat_name.as_deref(), Some("#general"));
    wait_until("both acks", || fake.acked(&e1) && fake.acked(&e2)).await;
    gw.assert_quiet(Duration::from_millis(200)).await;

    // Working: 👀; answered in the thread: ✅ replaces it.
    let chat = m.source.chat();
    outbox.typing(&chat).await.unwrap();
    let add = fake.calls("reactions.add");
    assert_eq!(
        add[0].args,
        json!({"channel": "C1", "timestamp": ts, "name": "eyes"})
    );
    let reply = OutboundMessage {
        text: "42".into(),
        reply_to: Some(ts.clone()),
        attachments: Vec::new(),
        subject: None,
    };
    let sent = outbox.send(&chat, &reply).await.unwrap();
    let post = &fake.calls("chat.postMessage")[0];
    assert_eq!(post.args["thread_ts"], json!(ts));
    assert_eq!(post.args["text"], "42");
    assert_eq!(post.token, BOT_TOKEN);
    assert_eq!(fake.calls("reactions.remove")[0].args["name"], "eyes");
    assert_eq!(
        fake.calls("reactions.add")[1].args["name"],
        "white_check_mark"
    );
    outbox
        .edit(&chat, sent.message_id.as_deref().unwrap(), "forty-two")
        .await
        .unwrap();
    assert_eq!(fake.calls("chat.update")[0].args["text"], "forty-two");

    // In a thread the bot answered in, no mention is needed.
    fake.channel_message("C1", "U1", "and 7x8?", Some(&ts));
    let m = gw.accept().await;
    assert_eq!(m.text, "and 7x8?");
    assert_eq!(m.source.thread_id.as_deref(), Some(ts.as_str()));
    // In another thread it is.
    fake.channel_message("C1", "U1", "unrelated", Some("1.000001"));
    gw.assert_quiet(Duration::from_millis(200)).await;

    // Long answers are chunked at 4000 characters.
    outbox
        .send(&chat, &OutboundMessage::text("word ".repeat(1800)))
        .await
        .unwrap();
    let posts = fake.calls("chat.postMessage");
    assert_eq!(posts.len(), 4);
    assert!(
        posts
            .iter()
            .all(|p| p.args["text"].as_str().unwrap().chars().count() <= 4000)
    );
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn other_bots_follow_allow_bots() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let mut cfg = home.config(&fake);
    cfg.allow_bots = AllowBots::Mentions;
    let mut gw = Gateway::start(home.adapter(cfg));
    gw.wait_status("connected").await;
    let bot = |text: String| {
        json!({"type": "message", "subtype": "bot_message", "bot_id": "BOTHER", "text": text,
            "ts": fake.ts(), "channel": "C1", "channel_type": "channel"})
    };
    fake.event(bot("no mention".into()));
    gw.assert_quiet(Duration::from_millis(200)).await;
    fake.event(bot(format!("<@{BOT_USER}> ping")));
    let m = gw.accept().await;
    assert_eq!(m.text, "ping");
    assert!(m.source.is_bot);
    // Our own messages never come back, whatever the setting.
    fake.event(
        json!({"type": "message", "bot_id": BOT_ID, "user": BOT_USER,
        "text": format!("<@{BOT_USER}> echo"), "ts": fake.ts(), "channel": "C1"}),
    );
    gw.assert_quiet(Duration::from_millis(200)).await;
    assert!(gw.stop().await.is_ok());

    let mut none = home.config(&fake);
    none.allow_bots = AllowBots::None;
    let mut gw = Gateway::start(home.adapter(none));
    gw.wait_status("connected").await;
    fake.event(bot(format!("<@{BOT_USER}> ping")));
    gw.assert_quiet(Duration::from_millis(300)).await;
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    fake.rate_limit("chat.postMessage", 1, 1);
    let to = hermes::platforms::ChatRef {
        platform: "slack".into(),
        chat_id: "D1".into(),
        thread_id: None,
    };
    adapter
        .outbox()
        .send(&to, &OutboundMessage::text("hello"))
        .await
        .unwrap();
    assert_eq!(fake.calls("chat.postMessage").len(), 2);
    fake.rate_limit("chat.postMessage", 1, 120);
    let err = adapter
        .outbox()
        .send(&to, &OutboundMessage::text("later"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_mins(2)
    ));
}

#[tokio::test]
async fn files_in_and_out_and_slash_commands() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let mut cfg = home.config(&fake);
    cfg.media_max_bytes = 1024;
    let adapter = home.adapter(cfg);
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    let url = fake.add_file("cat.png", b"fake png");
    fake.add_file("F2.txt", b"hello");
    fake.event(json!({"type": "message", "subtype": "file_share", "user": "U1", "text": "look",
        "ts": fake.ts(), "channel": "DU1", "channel_type": "im", "files": [
            {"id": "F1", "name": "cat.png", "mimetype": "image/png", "size": 8, "url_private_download": url},
            {"id": "F2", "file_access": "check_file_info"},
            {"id": "F3", "name": "big.zip", "mimetype": "application/zip", "size": 4096, "url_private_download": url}
        ]}));
    let m = gw.accept().await;
    assert_eq!(m.media.len(), 2, "{m:?}");
    assert_eq!(m.media[0].kind, "image");
    assert_eq!(std::fs::read(&m.media[0].path).unwrap(), b"fake png");
    assert_eq!(std::fs::read(&m.media[1].path).unwrap(), b"hello");
    assert_eq!(fake.calls("files.info")[0].args["file"], "F2");
    assert!(m.text.contains("big.zip skipped"), "{}", m.text);

    let file = home.paths.home().join("report.txt");
    std::fs::write(&file, "the report").unwrap();
    let mut chat = m.source.chat();
    chat.thread_id = Some("1.5".into());
    adapter
        .outbox()
        .send(
            &chat,
            &OutboundMessage {
                text: String::new(),
                reply_to: None,
                attachments: vec![file],
                subject: None,
            },
        )
        .await
        .unwrap();
    let ticket = &fake.calls("files.getUploadURLExternal")[0];
    assert_eq!(ticket.args["filename"], "report.txt");
    assert_eq!(ticket.args["length"], "10");
    let done = &fake.calls("files.completeUploadExternal")[0];
    assert_eq!(done.args["channel_id"], "DU1");
    assert_eq!(done.args["thread_ts"], "1.5");
    let id = done.args["files"][0]["id"].as_str().unwrap();
    assert_eq!(fake.upload(id).unwrap(), b"the report");

    let env = fake.envelope(
        "slash_commands",
        json!({"command": "/hermes", "text": "status", "user_id": "U1", "user_name": "ann",
            "channel_id": "C1", "channel_name": "general", "team_id": "T1"}),
    );
    let m = gw.accept().await;
    assert_eq!(m.text, "/status");
    assert_eq!(m.source.chat_type, ChatType::Group);
    wait_until("the command's ack", || fake.acked(&env)).await;
    assert!(gw.stop().await.is_ok());
}

/// A second adapter on the same app token is refused, naming the gateway that holds it.
#[tokio::test]
async fn a_second_adapter_on_the_same_token_is_refused() {
    let fake = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let home = Home::new();
    let mut first = Gateway::start(home.adapter(home.config(&fake)));
    first.wait_status("connected").await;
    let err = Gateway::start(home.adapter(home.config(&fake)))
        .finish()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "slack-app-token_lock");
    let text = err.to_string();
    assert!(
        text.contains("Slack app token already in use by the")
            && text.contains(&format!("(PID {})", std::process::id())),
        "{text}"
    );
    first.stop().await.unwrap();
}
