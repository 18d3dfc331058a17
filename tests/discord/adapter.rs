//! The adapter against the fake: identify and heartbeats, resume after a drop without losing
//! or repeating a message, zombie connections, Reconnect and Invalid Session, close codes
//! 4004 and 4014, 429 retries, auto-threads, mention rules, reactions, typing, edits, files.

use std::sync::Arc;
use std::time::Duration;

use hermes::gateway::supervisor::{self, RestartPolicy};
use hermes::platforms::discord::AllowMentions;
use hermes::platforms::{ChatRef, ChatType, OutboundMessage, Platform, PlatformError};
use serde_json::json;

use crate::fake::{self, BOT_ID, Fake, wait_until};
use crate::{Gateway, Home, TOKEN, platform_cx};

#[tokio::test]
async fn identify_heartbeat_and_resume_after_a_drop_lose_and_repeat_nothing() {
    let fake = Fake::start(TOKEN).await;
    fake.set_heartbeat_ms(150);
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    let id = &fake.identifies()[0];
    assert_eq!(id["token"], TOKEN);
    assert_eq!(
        id["intents"],
        json!(37377),
        "GUILDS|GUILD_MESSAGES|DIRECT_MESSAGES|MESSAGE_CONTENT"
    );
    assert_eq!(adapter.bot_user().unwrap().id, BOT_ID);

    fake.dm("42", "one");
    let m = gw.accept().await;
    assert_eq!(m.text, "one");
    assert_eq!(m.source.chat_type, ChatType::Dm);
    assert_eq!(m.source.chat_id, "542");
    assert_eq!(m.source.user_id.as_deref(), Some("42"));
    // Heartbeats carry the last sequence handled (READY = 1, the DM = 2).
    wait_until("a heartbeat with seq 2", || {
        fake.heartbeats().iter().any(|h| h == &json!(2))
    })
    .await;

    // The socket dies; a DM sent meanwhile arrives through resume, exactly once.
    fake.drop_and_dm("42", "two");
    let m = gw.accept().await;
    assert_eq!(m.text, "two");
    let resumes = fake.resumes();
    assert_eq!(resumes.len(), 1, "{resumes:?}");
    assert_eq!(resumes[0]["session_id"], "session-1");
    assert_eq!(resumes[0]["seq"], json!(2));
    assert_eq!(fake.identifies().len(), 1, "resumed, not identified again");
    fake.dm("42", "three");
    assert_eq!(gw.accept().await.text, "three");
    gw.assert_quiet(Duration::from_millis(300)).await;
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn an_unacknowledged_message_is_replayed_after_a_drop() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    fake.dm("42", "not stored yet");
    // The gateway has it but has not stored it when the socket dies: never acknowledged.
    let first = gw.receive().await;
    fake.drop_connection();
    drop(first);
    let m = gw.accept().await;
    assert_eq!(m.text, "not stored yet");
    assert_eq!(
        fake.resumes()[0]["seq"],
        json!(1),
        "resumed from READY, before the DM"
    );
    gw.assert_quiet(Duration::from_millis(300)).await;
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn zombie_connection_reconnect_and_invalid_session() {
    let fake = Fake::start(TOKEN).await;
    fake.set_heartbeat_ms(100);
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    // No ACKs: the connection is a zombie and is replaced, resuming the session.
    fake.set_ack_heartbeats(false);
    wait_until("a resume after missed ACKs", || !fake.resumes().is_empty()).await;
    fake.set_ack_heartbeats(true);
    wait_until("a live connection", || fake.connected()).await;
    // op 7 Reconnect: resume again.
    let before = fake.resumes().len();
    fake.send_reconnect();
    wait_until("a resume after op 7", || fake.resumes().len() > before).await;
    wait_until("a live connection", || fake.connected()).await;
    // op 9 Invalid Session (not resumable): identify afresh.
    fake.send_invalid_session(false);
    wait_until("a new identify", || fake.identifies().len() == 2).await;
    wait_until("a live connection", || fake.connected()).await;
    fake.dm("42", "still here");
    assert_eq!(gw.accept().await.text, "still here");
    assert!(fake.connections() >= 4);
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn close_4004_is_unauthorized_and_parked() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let (cx, _inbound, _status) = platform_cx();
    let (st_tx, mut st_rx) = tokio::sync::mpsc::unbounded_channel();
    let policy = RestartPolicy {
        base: Duration::from_millis(10),
        max: Duration::from_millis(50),
        healthy_after: Duration::from_mins(1),
    };
    let platform: Arc<dyn Platform> = adapter.clone();
    let task = tokio::spawn(supervisor::supervise(platform, cx, policy, st_tx));
    wait_until("a connection", || fake.connected()).await;
    fake.revoke();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the supervisor parks the platform")
        .unwrap();
    let last = std::iter::from_fn(|| st_rx.try_recv().ok()).last().unwrap();
    assert_eq!(last.state, "fatal");
    let (code, message) = last.error.unwrap();
    assert_eq!(code, "unauthorized");
    assert!(message.contains("4004"), "{message}");
    assert_eq!(fake.connections(), 1, "not restarted");
}

#[tokio::test]
async fn close_4014_names_the_message_content_intent() {
    let fake = Fake::start(TOKEN).await;
    fake.disallow_intents();
    let home = Home::new();
    let gw = Gateway::start(home.adapter(home.config(&fake)));
    match gw.finish().await {
        Err(PlatformError::Fatal { code, message, .. }) => {
            assert_eq!(code, "discord_disallowed_intents");
            assert!(message.contains("MESSAGE CONTENT INTENT"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_revoked_token_at_start_is_unauthorized() {
    let fake = Fake::start(TOKEN).await;
    fake.revoke();
    let home = Home::new();
    let gw = Gateway::start(home.adapter(home.config(&fake)));
    assert!(matches!(
        gw.finish().await,
        Err(PlatformError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    fake.rate_limit("POST", "/channels/542/messages", 1, 0.3);
    let to = ChatRef {
        platform: "discord".into(),
        chat_id: "542".into(),
        thread_id: None,
    };
    let sent = adapter
        .outbox()
        .send(&to, &OutboundMessage::text("hello"))
        .await
        .unwrap();
    assert!(sent.message_id.is_some());
    let posts = fake.requests("POST", "/channels/542/messages");
    assert_eq!(posts.len(), 2, "one 429, one retry");
    assert!(posts[1].at - posts[0].at >= Duration::from_millis(280));
    // A retry_after beyond the wait limit is reported instead.
    fake.rate_limit("POST", "/channels/542/messages", 1, 60.0);
    let err = adapter
        .outbox()
        .send(&to, &OutboundMessage::text("later"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_mins(1)
    ));
}

#[tokio::test]
async fn mentions_auto_threads_reactions_typing_and_edits() {
    let fake = Fake::start(TOKEN).await;
    fake.add_channel(json!({"id": "10", "type": 0, "name": "general", "guild_id": "1"}));
    let home = Home::new();
    let adapter = home.adapter(home.config(&fake));
    let outbox = adapter.outbox();
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;

    fake.guild_message("10", "42", "just chatting", false);
    gw.assert_quiet(Duration::from_millis(300)).await;
    let msg_id = fake.guild_message("10", "42", "what is 6x7?", true);
    let m = gw.accept().await;
    assert_eq!(m.text, "what is 6x7?");
    assert!(m.mentioned);
    assert_eq!(m.roles, ["role-1"]);
    assert_eq!(m.source.chat_type, ChatType::Thread);
    let thread = m.source.thread_id.clone().expect("an auto-thread");
    assert_eq!(m.source.chat_id, thread);
    let created = fake.requests("POST", &format!("/channels/10/messages/{msg_id}/threads"));
    assert_eq!(created[0].body["name"], "what is 6x7?");

    // Typing while the turn runs: the indicator in the thread and 👀 on the message.
    let chat = m.source.chat();
    outbox.typing(&chat).await.unwrap();
    assert_eq!(
        fake.requests("POST", &format!("/channels/{thread}/typing"))
            .len(),
        1
    );
    let eyes = format!("/channels/10/messages/{msg_id}/reactions/%F0%9F%91%80/@me");
    assert_eq!(fake.requests("PUT", &eyes).len(), 1);
    outbox.typing(&chat).await.unwrap();
    assert_eq!(fake.requests("PUT", &eyes).len(), 1, "once per message");

    // The answer goes to the thread, without a cross-channel reference; ✅ replaces 👀.
    let reply = OutboundMessage {
        text: "42".into(),
        reply_to: Some(msg_id.clone()),
        attachments: Vec::new(),
        subject: None,
    };
    let sent = outbox.send(&chat, &reply).await.unwrap();
    let posts = fake.requests("POST", &format!("/channels/{thread}/messages"));
    assert_eq!(posts[0].body["content"], "42");
    assert!(posts[0].body.get("message_reference").is_none());
    assert_eq!(fake.requests("DELETE", &eyes).len(), 1);
    let check = format!("/channels/10/messages/{msg_id}/reactions/%E2%9C%85/@me");
    assert_eq!(fake.requests("PUT", &check).len(), 1);

    // Edits.
    let sent_id = sent.message_id.unwrap();
    outbox.edit(&chat, &sent_id, "forty-two").await.unwrap();
    let patch = fake.requests("PATCH", &format!("/channels/{thread}/messages/{sent_id}"));
    assert_eq!(patch[0].body["content"], "forty-two");

    // In the bot's thread no mention is needed.
    fake.guild_message(&thread, "42", "and 7x8?", false);
    let m = gw.accept().await;
    assert_eq!(m.text, "and 7x8?");
    assert_eq!(m.source.thread_id.as_deref(), Some(thread.as_str()));
    assert_eq!(created.len(), 1);

    // DMs reply with a message reference; long text is chunked at 2000.
    let dm_id = fake.dm("42", "hi");
    let m = gw.accept().await;
    let long = "word ".repeat(900);
    outbox
        .send(
            &m.source.chat(),
            &OutboundMessage {
                text: long,
                reply_to: Some(dm_id.clone()),
                attachments: Vec::new(),
                subject: None,
            },
        )
        .await
        .unwrap();
    let posts = fake.requests("POST", "/channels/542/messages");
    assert_eq!(posts.len(), 3);
    assert_eq!(
        posts[0].body["message_reference"]["message_id"],
        json!(dm_id)
    );
    assert!(
        posts[1].body.get("message_reference").is_none(),
        "first only"
    );
    assert!(
        posts
            .iter()
            .all(|p| p.body["content"].as_str().unwrap().chars().count() <= 2000)
    );
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn a_failed_auto_thread_tells_the_user_and_delivers_nothing() {
    let fake = Fake::start(TOKEN).await;
    fake.fail_threads();
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config(&fake)));
    gw.wait_status("connected").await;
    fake.guild_message("10", "42", "help", true);
    wait_until("the notice", || !fake.posted("10").is_empty()).await;
    assert!(fake.posted("10")[0].contains("could not create a Discord thread"));
    gw.assert_quiet(Duration::from_millis(300)).await;
    assert!(gw.stop().await.is_ok());
}

#[tokio::test]
async fn attachments_in_and_out() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let mut cfg = home.config(&fake);
    cfg.media_max_bytes = 1024;
    let adapter = home.adapter(cfg);
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    let url = fake.add_file("cat.png", b"\x89PNG fake image");
    let mut d = fake::dm_message("77", "42", "look");
    d["attachments"] = json!([
        {"id": "3001", "filename": "cat.png", "size": 15, "url": url, "content_type": "image/png"},
        {"id": "3002", "filename": "big.zip", "size": 4096, "url": url, "content_type": "application/zip"}
    ]);
    fake.dispatch("MESSAGE_CREATE", d);
    let m = gw.accept().await;
    assert_eq!(m.media.len(), 1);
    assert_eq!(m.media[0].kind, "image");
    assert_eq!(
        std::fs::read(&m.media[0].path).unwrap(),
        b"\x89PNG fake image"
    );
    assert!(
        m.media[0]
            .path
            .starts_with(home.paths.cache_dir().join("discord"))
    );
    assert!(m.text.contains("big.zip skipped"), "{}", m.text);

    let file = home.paths.home().join("report.txt");
    std::fs::write(&file, "the report").unwrap();
    adapter
        .outbox()
        .send(
            &m.source.chat(),
            &OutboundMessage {
                text: String::new(),
                reply_to: None,
                attachments: vec![file],
                subject: None,
            },
        )
        .await
        .unwrap();
    let up = &fake.requests("POST", "/channels/542/messages")[0];
    assert!(up.raw.contains("filename=\"report.txt\""));
    assert!(up.raw.contains("the report"));
    assert!(gw.stop().await.is_ok());
}

/// `DISCORD_PROXY`: REST calls (absolute-form) and the gateway websocket (a `CONNECT`
/// tunnel) both go through the proxy; the adapter connects and receives as usual.
#[tokio::test]
async fn discord_proxy_carries_rest_and_the_gateway() {
    let fake = Fake::start(TOKEN).await;
    let proxy = crate::proxy::Proxy::start().await;
    let home = Home::new();
    let mut config = home.config(&fake);
    config.proxy = Some(reqwest::Url::parse(&proxy.url).unwrap());
    let adapter = home.adapter(config);
    let mut gw = Gateway::start(&adapter);
    gw.wait_status("connected").await;
    fake.dm("300", "through the proxy");
    let m = gw.accept().await;
    assert_eq!(m.text, "through the proxy");
    let lines = proxy.lines();
    let gateway_host = fake
        .gateway
        .trim_start_matches("ws://")
        .trim_end_matches('/');
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("CONNECT {gateway_host} "))),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET http://") && l.contains("/users/@me")),
        "{lines:?}"
    );
    gw.stop().await.unwrap();
}

/// `DISCORD_ALLOW_MENTION_*` shape `allowed_mentions` on every message; by default users and
/// the replied-to author may be pinged, `@everyone` and roles may not.
#[tokio::test]
async fn allowed_mentions_follow_the_settings() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let to = ChatRef {
        platform: "discord".into(),
        chat_id: "542".into(),
        thread_id: None,
    };
    let adapter = home.adapter(home.config(&fake));
    adapter
        .outbox()
        .send(&to, &OutboundMessage::text("@everyone hi"))
        .await
        .unwrap();
    let mut config = home.config(&fake);
    config.allow_mentions = AllowMentions {
        everyone: true,
        roles: true,
        users: false,
        replied_user: false,
    };
    config.typing_indicator = false;
    config.reactions = false;
    let adapter = home.adapter(config);
    adapter
        .outbox()
        .send(&to, &OutboundMessage::text("@everyone hi"))
        .await
        .unwrap();
    let posts = fake.requests("POST", "/channels/542/messages");
    assert_eq!(
        posts[0].body["allowed_mentions"],
        json!({"parse": ["users"], "replied_user": true})
    );
    assert_eq!(
        posts[1].body["allowed_mentions"],
        json!({"parse": ["everyone", "roles"], "replied_user": false})
    );
    // typing_indicator: false sends no typing request.
    adapter.outbox().typing(&to).await.unwrap();
    assert!(fake.requests("POST", "/typing").is_empty());
}

/// An unusable `DISCORD_PROXY` parks the adapter with the reason instead of connecting
/// directly.
#[tokio::test]
async fn a_socks_proxy_is_refused_with_the_reason() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let mut config = home.config(&fake);
    config.proxy_error = Some("DISCORD_PROXY is a SOCKS proxy".into());
    let err = Gateway::start(home.adapter(config))
        .finish()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "discord_proxy");
    assert!(err.to_string().contains("SOCKS"), "{err}");
    assert_eq!(fake.connections(), 0);
}

/// A second adapter on the same bot token is refused, naming the gateway that holds it.
#[tokio::test]
async fn a_second_adapter_on_the_same_token_is_refused() {
    let fake = Fake::start(TOKEN).await;
    let home = Home::new();
    let mut first = Gateway::start(home.adapter(home.config(&fake)));
    first.wait_status("connected").await;
    let err = Gateway::start(home.adapter(home.config(&fake)))
        .finish()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "discord-bot-token_lock");
    let text = err.to_string();
    assert!(
        text.contains("Discord bot token already in use by the")
            && text.contains(&format!("(PID {})", std::process::id())),
        "{text}"
    );
    first.stop().await.unwrap();
}
