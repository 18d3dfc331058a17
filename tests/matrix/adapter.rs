//! The adapter against the real Synapse: invites, DMs, groups and threads, media, replies,
//! edits, reactions, restarts without redelivery, password login that keeps its device, a
//! revoked token, and rate limits and dropped connections injected by the proxy.

use hermes::platforms::{ChatType, OutboundMessage, Platform, PlatformError};
use serde_json::{Value, json};

use crate::peer::peer;
use crate::proxy::{Fault, Proxy};
use crate::{Gateway, Home};

fn relates(ev: &Value) -> &Value {
    &ev["content"]["m.relates_to"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invites_dms_groups_threads_media_replies_edits_reactions_and_restart() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("bot").await;
    let (carol, _) = p.user("carol").await;
    // Invites waiting before the first start: one from an allowed user, one from a stranger.
    let dm = alice.create_room(&[&bot.id], true).await;
    let refused = carol.create_room(&[&bot.id], false).await;

    let home = Home::new();
    let adapter = home.adapter(home.config(&p.hs, Some(&bot.token), &[&alice.id]));
    let mut g = Gateway::start(&adapter);
    g.wait_state("connected").await;
    alice.wait_joined(&dm, &bot.id).await;
    assert_eq!(
        carol.membership(&refused, &bot.id).await.as_deref(),
        Some("invite"),
        "a stranger's invite is not accepted"
    );

    let e1 = alice.say(&dm, "hello bot").await;
    let m = g.next().await;
    assert_eq!(m.text, "hello bot");
    assert_eq!(m.message_id.as_deref(), Some(e1.as_str()));
    assert_eq!(m.source.chat_type, ChatType::Dm);
    assert_eq!(m.source.user_id.as_deref(), Some(alice.id.as_str()));
    assert_eq!(m.source.thread_id, None);
    let eyes = alice
        .wait_for(&dm, "the 👀 reaction", |ev| {
            ev["type"] == "m.reaction" && relates(ev)["event_id"] == e1.as_str()
        })
        .await;
    assert_eq!(relates(&eyes)["key"], "👀");
    assert_eq!(eyes["sender"], bot.id.as_str());

    // The reply quotes the user's message, renders Markdown, and clears the 👀.
    let outbox = adapter.outbox();
    let chat = m.source.chat();
    let sent = outbox
        .send(
            &chat,
            &OutboundMessage {
                text: "**hi** there".into(),
                reply_to: Some(e1.clone()),
                attachments: Vec::new(),
                subject: None,
            },
        )
        .await
        .unwrap();
    let reply_id = sent.message_id.unwrap();
    let reply = alice
        .wait_for(&dm, "the reply", |ev| ev["event_id"] == reply_id.as_str())
        .await;
    assert_eq!(reply["content"]["body"], "**hi** there");
    assert_eq!(
        reply["content"]["formatted_body"],
        "<strong>hi</strong> there"
    );
    assert_eq!(relates(&reply)["m.in_reply_to"]["event_id"], e1.as_str());
    let eyes_id = eyes["event_id"].as_str().unwrap().to_string();
    alice
        .wait_for(&dm, "the 👀 to be redacted", |ev| {
            ev["event_id"] == eyes_id.as_str()
                && ev["content"]
                    .as_object()
                    .is_some_and(serde_json::Map::is_empty)
        })
        .await;
    outbox.edit(&chat, &reply_id, "edited text").await.unwrap();
    let edit = alice
        .wait_for(&dm, "the edit", |ev| relates(ev)["rel_type"] == "m.replace")
        .await;
    assert_eq!(relates(&edit)["event_id"], reply_id.as_str());
    assert_eq!(edit["content"]["m.new_content"]["body"], "edited text");
    outbox.typing(&chat).await.unwrap();

    // An image: uploaded by alice, downloaded by the adapter into the profile's cache.
    let png = b"\x89PNG\r\n\x1a\nnot-really-an-image".to_vec();
    let upload: Value = reqwest::Client::new()
        .post(format!("{}/_matrix/media/v3/upload?filename=cat.png", p.hs))
        .bearer_auth(&alice.token)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let img = alice
        .send(
            &dm,
            &json!({"msgtype": "m.image", "body": "cat.png", "url": upload["content_uri"],
                "info": {"mimetype": "image/png", "size": png.len()}}),
        )
        .await;
    let m = g.next().await;
    assert_eq!(m.message_id.as_deref(), Some(img.as_str()));
    assert_eq!(m.media.len(), 1, "{m:?}");
    assert_eq!(m.media[0].kind, "image");
    assert!(
        m.media[0]
            .path
            .starts_with(home.paths.cache_dir().join("matrix"))
    );
    assert_eq!(std::fs::read(&m.media[0].path).unwrap(), png);

    // A group: three members, a mention needed; the reply goes into an automatic thread.
    let group = alice.create_room(&[&bot.id, &carol.id], false).await;
    carol.join(&group).await;
    alice.wait_joined(&group, &bot.id).await;
    alice.say(&group, "hi everyone").await;
    let e2 = alice.say(&group, &format!("{}: what's up?", bot.id)).await;
    let m = g.next().await;
    assert_eq!(m.text, "what's up?", "the unmentioned message was skipped");
    assert_eq!(m.source.chat_type, ChatType::Group);
    assert_eq!(m.source.thread_id.as_deref(), Some(e2.as_str()));
    assert!(m.mentioned);
    let sent = outbox
        .send(&m.source.chat(), &OutboundMessage::text("threaded answer"))
        .await
        .unwrap();
    let threaded = alice
        .wait_for(&group, "the thread reply", |ev| {
            ev["event_id"] == sent.message_id.as_deref().unwrap()
        })
        .await;
    assert_eq!(relates(&threaded)["rel_type"], "m.thread");
    assert_eq!(relates(&threaded)["event_id"], e2.as_str());
    // In the bot's thread no mention is needed.
    alice
        .send(
            &group,
            &json!({"msgtype": "m.text", "body": "follow-up", "m.relates_to": {"rel_type": "m.thread",
                "event_id": e2, "is_falling_back": true, "m.in_reply_to": {"event_id": e2}}}),
        )
        .await;
    let m = g.next().await;
    assert_eq!(m.text, "follow-up");
    assert_eq!(m.source.thread_id.as_deref(), Some(e2.as_str()));
    assert_eq!(m.reply_to, None, "a thread fallback is not a reply");

    // A restart resumes after the acknowledged position: nothing is delivered twice.
    g.stop().await.unwrap();
    let adapter = home.adapter(home.config(&p.hs, Some(&bot.token), &[&alice.id]));
    let mut g = Gateway::start(&adapter);
    g.wait_state("connected").await;
    alice.say(&dm, "after restart").await;
    assert_eq!(g.next().await.text, "after restart");
    g.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_login_saves_the_token_and_restarts_reuse_the_device() {
    let p = peer();
    let (bot, password) = p.user("pwbot").await;
    let home = Home::new();
    let config = || {
        let mut c = home.config(&p.hs, None, &[]);
        c.user_id = Some(bot.id.clone());
        c.password = Some(password.clone());
        c
    };
    let adapter = home.adapter(config());
    let state_file = adapter.state_file();
    let mut g = Gateway::start(&adapter);
    g.wait_state("connected").await;
    let read = || -> Value {
        std::fs::read_to_string(&state_file)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null)
    };
    let start = std::time::Instant::now();
    while !read()["since"].is_string() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "no sync position saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    g.stop().await.unwrap();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    let token = saved["access_token"].as_str().unwrap().to_string();
    let device = saved["device_id"].as_str().unwrap().to_string();
    assert_eq!(saved["user_id"], bot.id.as_str());
    assert_eq!(hermes::fsutil::mode_of(&state_file), Some(0o600));

    let mut g = Gateway::start(&home.adapter(config()));
    g.wait_state("connected").await;
    g.stop().await.unwrap();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    assert_eq!(saved["access_token"], token.as_str(), "no second login");
    let mut me = bot.clone();
    me.token = token;
    let devices = me
        .call("GET", "/_matrix/client/v3/devices", &Value::Null)
        .await;
    let ids: Vec<&str> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["device_id"].as_str())
        .collect();
    assert!(ids.contains(&device.as_str()), "{ids:?}");
    // The test's own login plus the adapter's one device.
    assert_eq!(ids.len(), 2, "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_stops_the_adapter_as_unauthorized() {
    let p = peer();
    let (bot, _) = p.user("revoked").await;
    let home = Home::new();
    let mut g = Gateway::start(&home.adapter(home.config(&p.hs, Some(&bot.token), &[])));
    g.wait_state("connected").await;
    bot.logout().await;
    match g.finished().await {
        Err(PlatformError::Unauthorized { message, .. }) => {
            assert!(message.contains("M_UNKNOWN_TOKEN"), "{message}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_dropped_connections_are_retried_without_losing_messages() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("flaky").await;
    let proxy = Proxy::start(&p.hs).await;
    let dm = alice.create_room(&[&bot.id], true).await;
    let home = Home::new();
    let mut g =
        Gateway::start(&home.adapter(home.config(&proxy.url, Some(&bot.token), &[&alice.id])));
    g.wait_state("connected").await;
    alice.wait_joined(&dm, &bot.id).await;
    proxy.fail_syncs(&[
        Fault::RateLimited(300),
        Fault::HangUp,
        Fault::RateLimited(100),
    ]);
    proxy.wait_served(3).await;
    g.wait_state("retrying").await;
    alice.say(&dm, "still there?").await;
    assert_eq!(g.next().await.text, "still there?");
    assert!(g.running(), "faults never stop the adapter");
    g.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_room_gets_one_notice_that_e2ee_is_not_supported() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("e2ee").await;
    let v = alice
        .call(
            "POST",
            "/_matrix/client/v3/createRoom",
            &json!({"preset": "private_chat", "invite": [bot.id], "is_direct": true,
                "initial_state": [{"type": "m.room.encryption", "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]}),
        )
        .await;
    let room = v["room_id"].as_str().unwrap().to_string();
    let home = Home::new();
    let mut g = Gateway::start(&home.adapter(home.config(&p.hs, Some(&bot.token), &[&alice.id])));
    g.wait_state("connected").await;
    alice.wait_joined(&room, &bot.id).await;
    let encrypted = json!({"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEp...",
        "device_id": "ALICEDEV", "sender_key": "k", "session_id": "s"});
    for n in 0..2 {
        alice
            .call(
                "PUT",
                &format!(
                    "/_matrix/client/v3/rooms/{}/send/m.room.encrypted/enc{n}{}",
                    crate::peer::enc(&room),
                    crate::peer::unique()
                ),
                &encrypted,
            )
            .await;
    }
    let notice = alice
        .wait_for(&room, "the E2EE notice", |ev| {
            ev["sender"] == bot.id.as_str() && ev["content"]["msgtype"] == "m.notice"
        })
        .await;
    assert_eq!(
        notice["content"]["body"],
        hermes::platforms::matrix::E2EE_NOTICE
    );
    // A plain message afterwards shows the adapter kept going; still only one notice.
    alice.say(&room, "plain text").await;
    assert_eq!(g.next().await.text, "plain text");
    let notices = alice
        .events(&room)
        .await
        .into_iter()
        .filter(|ev| ev["sender"] == bot.id.as_str() && ev["content"]["msgtype"] == "m.notice")
        .count();
    assert_eq!(notices, 1);
    g.stop().await.unwrap();
}

/// A second adapter on the same Matrix account is refused, naming the gateway holding it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_adapter_on_the_same_account_is_refused() {
    let p = peer();
    let (bot, _) = p.user("bot").await;
    let home = Home::new();
    let mut first = Gateway::start(&home.adapter(home.config(&p.hs, Some(&bot.token), &[])));
    first.wait_state("connected").await;
    let err = Gateway::start(&home.adapter(home.config(&p.hs, Some(&bot.token), &[])))
        .finished()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "matrix-user_lock");
    let text = err.to_string();
    assert!(
        text.contains("Matrix account already in use by the")
            && text.contains(&format!("(PID {})", std::process::id())),
        "{text}"
    );
    first.stop().await.unwrap();
}

/// Inbound media over `media_max_bytes` is not downloaded (the text says so); a long reply is
/// sent in Markdown-aware chunks at `max_message_length` with code fences kept intact, only
/// the first replying to the user; an attachment is uploaded and sent as `m.file`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_limit_chunked_replies_and_outbound_files() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("bot").await;
    let dm = alice.create_room(&[&bot.id], true).await;
    let home = Home::new();
    let mut config = home.config(&p.hs, Some(&bot.token), &[&alice.id]);
    config.media_max_bytes = 10;
    config.max_message_length = 120;
    let adapter = home.adapter(config);
    let mut g = Gateway::start(&adapter);
    g.wait_state("connected").await;
    alice.wait_joined(&dm, &bot.id).await;

    // Too large: announced with 40 bytes, over the 10-byte limit.
    let data = vec![b'z'; 40];
    let upload: Value = reqwest::Client::new()
        .post(format!("{}/_matrix/media/v3/upload?filename=big.bin", p.hs))
        .bearer_auth(&alice.token)
        .header("content-type", "application/octet-stream")
        .body(data)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ev = alice
        .send(
            &dm,
            &json!({"msgtype": "m.file", "body": "big.bin", "url": upload["content_uri"],
                "info": {"mimetype": "application/octet-stream", "size": 40}}),
        )
        .await;
    let m = g.next().await;
    assert!(m.media.is_empty(), "{m:?}");
    assert!(
        m.text
            .contains("'big.bin' skipped: 40 bytes is over the 10-byte limit"),
        "{}",
        m.text
    );

    // A long reply with a code block, chunked.
    let code: String = (0..12).map(|i| format!("let x{i} = {i};\n")).collect();
    let text = format!("Here is the code:\n\n```rust\n{code}```\n\nThat is all.");
    let chat = m.source.chat();
    let outbox = adapter.outbox();
    let sent = outbox
        .send(
            &chat,
            &OutboundMessage {
                text: text.clone(),
                reply_to: Some(ev.clone()),
                ..OutboundMessage::default()
            },
        )
        .await
        .unwrap();
    let last = sent.message_id.unwrap();
    alice
        .wait_for(&dm, "the last chunk", |e| e["event_id"] == last.as_str())
        .await;
    let bodies: Vec<Value> = alice
        .events(&dm)
        .await
        .into_iter()
        .filter(|e| e["sender"] == bot.id.as_str() && e["content"]["msgtype"] == "m.text")
        .collect();
    assert!(bodies.len() >= 2, "{bodies:#?}");
    for b in &bodies {
        let body = b["content"]["body"].as_str().unwrap();
        assert!(body.chars().count() <= 120, "{body}");
        assert_eq!(body.matches("```").count() % 2, 0, "fences closed: {body}");
    }
    assert_eq!(
        relates(&bodies[0])["m.in_reply_to"]["event_id"],
        ev.as_str(),
        "the first chunk replies"
    );
    assert!(
        bodies[1..]
            .iter()
            .all(|b| relates(b).get("m.in_reply_to").is_none())
    );
    let joined: String = bodies
        .iter()
        .map(|b| b["content"]["body"].as_str().unwrap())
        .collect();
    for i in 0..12 {
        assert!(joined.contains(&format!("let x{i} = {i};")), "{joined}");
    }

    // An attachment from the agent.
    let file = home.paths.home().join("report.txt");
    std::fs::create_dir_all(home.paths.home()).unwrap();
    std::fs::write(&file, "quarterly numbers").unwrap();
    let sent = outbox
        .send(
            &chat,
            &OutboundMessage {
                attachments: vec![file],
                ..OutboundMessage::default()
            },
        )
        .await
        .unwrap();
    let id = sent.message_id.unwrap();
    let ev = alice
        .wait_for(&dm, "the file event", |e| e["event_id"] == id.as_str())
        .await;
    assert_eq!(ev["content"]["msgtype"], "m.file");
    assert_eq!(ev["content"]["body"], "report.txt");
    let mxc = ev["content"]["url"].as_str().unwrap();
    let (server, media_id) = mxc.trim_start_matches("mxc://").split_once('/').unwrap();
    let bytes = reqwest::Client::new()
        .get(format!(
            "{}/_matrix/client/v1/media/download/{server}/{media_id}",
            p.hs
        ))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"quarterly numbers");
    g.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_burst_is_handed_over_whole_and_acknowledged_as_far_as_stored() {
    let p = peer();
    let (alice, _) = p.user("alice").await;
    let (bot, _) = p.user("burstbot").await;
    let dm = alice.create_room(&[&bot.id], true).await;
    let home = Home::new();
    let config = || home.config(&p.hs, Some(&bot.token), &[&alice.id]);
    // First start: the bot joins and the sync position moves past the join.
    let mut g = Gateway::start(&home.adapter(config()));
    g.wait_state("connected").await;
    alice.wait_joined(&dm, &bot.id).await;
    alice.say(&dm, "warm up").await;
    assert_eq!(g.next().await.text, "warm up");
    g.stop().await.unwrap();

    // Three messages while the adapter is down: one sync timeline on the next start.
    for text in ["one", "two", "three"] {
        alice.say(&dm, text).await;
    }
    let mut manual = crate::adapter_gateway::Gateway::start(home.adapter(config()));
    // All three reach the gateway before any of them is stored.
    let one = manual.receive().await;
    let two = manual.receive().await;
    let three = manual.receive().await;
    assert_eq!(
        [&one, &two, &three].map(|i| i.message.text.as_str()),
        ["one", "two", "three"]
    );
    let _ = one.accepted.send(());
    let _ = two.accepted.send(());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    manual.stop().await.unwrap();
    drop(three);

    // Only the one never stored comes again.
    let mut again = crate::adapter_gateway::Gateway::start(home.adapter(config()));
    assert_eq!(again.accept().await.text, "three");
    again
        .assert_quiet(std::time::Duration::from_millis(2500))
        .await;
    again.stop().await.unwrap();
}
