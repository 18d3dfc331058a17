//! The long-poll loop: delivery, the durable cursor, dedup, pauses, errors, media, locks.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hermes::platforms::weixin::Weixin;
use hermes::platforms::{ChatType, PlatformError, SessionSource};
use serde_json::json;

use super::fake::{Fake, ecb_encrypt};
use super::{ACCOUNT, TOKEN, adapter, config, dm, home, start};

fn sync_file(home: &super::Home) -> std::path::PathBuf {
    home.paths
        .weixin_dir()
        .join(format!("accounts/{ACCOUNT}.sync.json"))
}

fn saved_cursor(home: &super::Home) -> Option<String> {
    let text = std::fs::read_to_string(sync_file(home)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["get_updates_buf"].as_str().map(str::to_string)
}

#[tokio::test]
async fn dm_is_delivered_and_the_cursor_saved_only_after_acceptance() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let w = adapter(&fake, &home);
    let mut run = start(&w);
    fake.push(dm(1001, "alice@im.wechat", "你好", "ctx-a1"));

    let got = run.next().await;
    assert_eq!(
        got.message.source,
        SessionSource {
            platform: "weixin".into(),
            chat_id: "alice@im.wechat".into(),
            chat_type: ChatType::Dm,
            user_id: Some("alice@im.wechat".into()),
            user_name: Some("alice@im.wechat".into()),
            ..SessionSource::default()
        }
    );
    assert_eq!(got.message.text, "你好");
    assert_eq!(got.message.message_id.as_deref(), Some("1001"));
    assert_eq!(
        saved_cursor(&home),
        None,
        "not acknowledged before acceptance"
    );
    got.accepted.send(()).unwrap();
    fake.wait_for("the next poll with c1", |s| {
        s.requests
            .iter()
            .any(|r| r.endpoint == "getupdates" && r.body["get_updates_buf"] == "c1")
    })
    .await;
    assert_eq!(saved_cursor(&home).as_deref(), Some("c1"));
    // The context token is kept on disk for replies.
    let tokens = std::fs::read_to_string(
        home.paths
            .weixin_dir()
            .join(format!("accounts/{ACCOUNT}.context-tokens.json")),
    )
    .unwrap();
    assert_eq!(tokens, r#"{"alice@im.wechat":"ctx-a1"}"#);
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn unaccepted_batch_is_redelivered_and_a_restart_sees_no_duplicate() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let w = adapter(&fake, &home);
    fake.push(dm(7, "bob@im.wechat", "first", "ctx-b"));

    // The gateway drops the message without storing it: run stops, nothing acknowledged.
    let mut run = start(&w);
    drop(run.next().await);
    let err = run.finish().await.unwrap_err();
    assert!(matches!(err, PlatformError::Transient { .. }), "{err}");
    assert_eq!(saved_cursor(&home), None);

    // The supervisor's restart fetches it again.
    let mut run = start(&w);
    assert_eq!(run.accept().await.text, "first");
    fake.wait_for("the cursor", |_| {
        saved_cursor(&home).as_deref() == Some("c1")
    })
    .await;
    run.stop().await.unwrap();

    // A fresh process (new adapter, empty memory) resumes from the saved cursor.
    let w2 = adapter(&fake, &home);
    let mut run = start(&w2);
    let polls_before = fake.requests("getupdates").len();
    fake.wait_for("two polls from the restarted adapter", |s| {
        s.requests
            .iter()
            .filter(|r| r.endpoint == "getupdates")
            .count()
            >= polls_before + 2
    })
    .await;
    assert!(run.rx.try_recv().is_err(), "no duplicate after restart");
    assert!(
        fake.requests("getupdates")[polls_before..]
            .iter()
            .all(|r| r.body["get_updates_buf"] == "c1")
    );
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn a_repeated_message_id_is_dropped() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let w = adapter(&fake, &home);
    let mut run = start(&w);
    fake.push(dm(55, "carol@im.wechat", "once", "c1"));
    assert_eq!(run.accept().await.text, "once");
    fake.push(dm(55, "carol@im.wechat", "once again", "c1"));
    fake.push(dm(56, "carol@im.wechat", "next", "c1"));
    let m = run.accept().await;
    assert_eq!(
        (m.text.as_str(), m.message_id.as_deref()),
        ("next", Some("56"))
    );
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn session_expired_pauses_then_resumes() {
    let fake = Fake::start(TOKEN).await;
    fake.with(|s| {
        s.poll_script
            .push_back(json!({"ret": -14, "errcode": -14, "errmsg": "session timeout"}));
    });
    let home = home();
    let w = adapter(&fake, &home);
    let mut run = start(&w);
    fake.push(dm(1, "dave@im.wechat", "after the pause", "c"));
    assert_eq!(run.accept().await.text, "after the pause");
    let polls = fake.requests("getupdates");
    let gap = polls[1].at - polls[0].at;
    assert!(gap >= Duration::from_millis(200), "paused only {gap:?}");
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn poll_errors_retry_quickly_then_back_off() {
    let fake = Fake::start(TOKEN).await;
    fake.with(|s| {
        for _ in 0..3 {
            s.poll_script
                .push_back(json!({"ret": -1, "errmsg": "system busy"}));
        }
    });
    let home = home();
    let mut c = config(&fake, &home, TOKEN);
    c.timings.retry_delay = Duration::from_millis(40);
    c.timings.backoff_delay = Duration::from_millis(250);
    let w = Arc::new(Weixin::new(c, reqwest::Client::new()));
    let mut run = start(&w);
    fake.push(dm(1, "erin@im.wechat", "hi", "c"));
    assert_eq!(run.accept().await.text, "hi");
    let at: Vec<_> = fake.requests("getupdates").iter().map(|r| r.at).collect();
    // Lower bounds only: the short wait after each of the first failures, the long one
    // after the third in a row.
    assert!(at[1] - at[0] >= Duration::from_millis(40));
    assert!(at[2] - at[1] >= Duration::from_millis(40));
    assert!(
        at[3] - at[2] >= Duration::from_millis(250),
        "the long wait after 3"
    );
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn a_revoked_token_is_unauthorized() {
    // The fake answers `-14` to an unknown token; after the allowed pauses that is final.
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let mut c = config(&fake, &home, "tok-revoked");
    c.timings.session_pause = Duration::from_millis(5);
    c.timings.session_expired_limit = 2;
    let w = Arc::new(Weixin::new(c, reqwest::Client::new()));
    let err = start(&w).finish().await.unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("hermes gateway setup"), "{err}");
    assert_eq!(fake.requests("getupdates").len(), 3);

    // An HTTP 401 is final at once.
    fake.with(|s| s.poll_http_status = Some(401));
    let w = adapter(&fake, &home);
    let err = start(&w).finish().await.unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err}");
    fake.assert_clean();
}

#[tokio::test]
async fn encrypted_media_is_downloaded_and_decrypted() {
    let fake = Fake::start(TOKEN).await;
    let image: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
    let doc = "季度报告 — quarterly report\n".repeat(40).into_bytes();
    let k1 = [0x11u8; 16];
    let k2 = [0x22u8; 16];
    let hex = |k: &[u8]| hermes::platforms::weixin::crypto::hex(k);
    fake.with(|s| {
        s.cdn.insert("img+1/=".into(), ecb_encrypt(&image, &k1));
        s.cdn.insert("doc-2".into(), ecb_encrypt(&doc, &k2));
    });
    let home = home();
    let w = adapter(&fake, &home);
    let mut run = start(&w);
    fake.push(json!({
        "message_id": 9, "from_user_id": "frank@im.wechat", "context_token": "c",
        "item_list": [
            {"type": 2, "image_item": {"aeskey": hex(&k1), "media": {"encrypt_query_param": "img+1/="}}},
            {"type": 4, "file_item": {"file_name": "report.pdf",
                "media": {"encrypt_query_param": "doc-2", "aes_key": B64.encode(hex(&k2))}}},
            // Not an allow-listed host: never fetched.
            {"type": 5, "video_item": {"media": {"full_url": format!("{}/c2c/download?x=1", fake.base_url)}}},
        ]
    }));
    let m = run.accept().await;
    assert_eq!(m.text, "");
    assert_eq!(m.media.len(), 2, "{:?}", m.media);
    assert_eq!(m.media[0].kind, "image");
    assert_eq!(m.media[0].mime.as_deref(), Some("image/jpeg"));
    assert_eq!(std::fs::read(&m.media[0].path).unwrap(), image);
    assert_eq!(m.media[1].kind, "file");
    assert_eq!(m.media[1].mime.as_deref(), Some("application/pdf"));
    assert!(m.media[1].path.to_string_lossy().ends_with("_report.pdf"));
    assert_eq!(std::fs::read(&m.media[1].path).unwrap(), doc);
    assert!(m.media[0].path.starts_with(home.paths.weixin_cache_dir()));
    assert_eq!(fake.requests("cdn_download").len(), 2);
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn a_second_gateway_on_the_same_token_is_refused() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let first = adapter(&fake, &home);
    let run = start(&first);
    fake.wait_for("the first poll", |s| !s.requests.is_empty())
        .await;
    let second = adapter(&fake, &home);
    let err = start(&second).finish().await.unwrap_err();
    assert_eq!(err.code(), "weixin-token_lock");
    assert!(
        err.to_string().contains("Weixin bot token already in use"),
        "{err}"
    );
    // The lock file has upstream's name (§4.2: `weixin-token-<16 hex of sha256>`), so an
    // upstream gateway on the same token finds it too.
    let name = hermes::gateway::token_lock::lock_file_name("weixin-token", TOKEN);
    assert!(name.starts_with("weixin-token-") && name.len() == "weixin-token-".len() + 16 + 5);
    assert!(
        home.paths.home().join("locks").join(&name).exists(),
        "{name} is held"
    );
    run.stop().await.unwrap();
    fake.assert_clean();
}

/// §10 text batching: rapid text fragments of one chat are joined (newline-separated) after
/// a quiet moment and handed on as one message; the cursor is saved only once that message
/// was accepted. A command is not held back, and earlier fragments go before it.
#[tokio::test]
async fn rapid_text_fragments_are_batched_into_one_message() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let mut c = config(&fake, &home, TOKEN);
    c.text_batch_delay = Duration::from_millis(300);
    let w = Arc::new(Weixin::new(c, reqwest::Client::new()));
    let mut run = start(&w);
    fake.push(dm(1, "alice@im.wechat", "first part", "ctx-1"));
    fake.push(dm(2, "alice@im.wechat", "second part", "ctx-2"));
    fake.push(dm(3, "bob@im.wechat", "bob alone", "ctx-b"));
    // Delivered one at a time, each after the one before it was accepted.
    let first = run.next().await;
    assert_eq!(first.message.source.chat_id, "alice@im.wechat");
    assert_eq!(first.message.text, "first part\nsecond part");
    assert_eq!(first.message.message_id.as_deref(), Some("2"));
    assert_eq!(saved_cursor(&home), None, "nothing acknowledged yet");
    first.accepted.send(()).unwrap();
    let second = run.next().await;
    assert_eq!(second.message.text, "bob alone");
    assert_eq!(
        saved_cursor(&home),
        None,
        "bob's message is not acknowledged yet"
    );
    second.accepted.send(()).unwrap();
    fake.wait_for("a poll after the batch", |s| {
        s.requests
            .iter()
            .filter(|r| r.endpoint == "getupdates" && r.body["get_updates_buf"] == "c3")
            .count()
            >= 1
    })
    .await;
    tokio::time::timeout(Duration::from_secs(5), async {
        while saved_cursor(&home).as_deref() != Some("c3") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the cursor is saved once the batch was accepted");

    // A command flushes the fragment before it and is delivered at once after it.
    fake.push(dm(4, "alice@im.wechat", "one more thing", "ctx-4"));
    fake.push(dm(5, "alice@im.wechat", "/status", "ctx-5"));
    assert_eq!(run.accept().await.text, "one more thing");
    assert_eq!(run.accept().await.text, "/status");
    run.stop().await.unwrap();
    fake.assert_clean();
}

/// Fragments held in a batch are not acknowledged: stopped before the quiet moment, the
/// adapter fetches them again on the next start.
#[tokio::test]
async fn a_batch_cut_short_by_a_stop_is_fetched_again() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let mut c = config(&fake, &home, TOKEN);
    c.text_batch_delay = Duration::from_secs(30);
    let w = Arc::new(Weixin::new(c, reqwest::Client::new()));
    let run = start(&w);
    fake.push(dm(1, "alice@im.wechat", "held", "ctx-1"));
    fake.wait_for("the next poll from c1", |s| {
        s.requests
            .iter()
            .any(|r| r.endpoint == "getupdates" && r.body["get_updates_buf"] == "c1")
    })
    .await;
    run.stop().await.unwrap();
    assert_eq!(saved_cursor(&home), None);
    let mut run = start(&adapter(&fake, &home));
    assert_eq!(run.accept().await.text, "held");
    run.stop().await.unwrap();
    fake.assert_clean();
}

/// A file over `max_media_bytes` is not downloaded into the cache; the message still arrives,
/// saying what was skipped, so the user gets an answer.
#[tokio::test]
async fn too_large_media_is_skipped_with_a_note() {
    let fake = Fake::start(TOKEN).await;
    let big: Vec<u8> = vec![7u8; 5000];
    let key = [0x33u8; 16];
    let hex = hermes::platforms::weixin::crypto::hex(&key);
    fake.with(|s| {
        s.cdn.insert("big-1".into(), ecb_encrypt(&big, &key));
    });
    let home = home();
    let mut c = config(&fake, &home, TOKEN);
    c.max_media_bytes = 1000;
    let w = Arc::new(Weixin::new(c, reqwest::Client::new()));
    let mut run = start(&w);
    fake.push(json!({
        "message_id": 21, "from_user_id": "gina@im.wechat", "context_token": "c",
        "item_list": [
            {"type": 1, "text_item": {"text": "see this"}},
            {"type": 2, "image_item": {"aeskey": hex, "media": {"encrypt_query_param": "big-1"}}},
        ]
    }));
    let m = run.accept().await;
    assert!(m.media.is_empty(), "{:?}", m.media);
    assert_eq!(
        m.text,
        "see this\n\n[Weixin image skipped: larger than the 1000-byte limit]"
    );
    let cached = std::fs::read_dir(home.paths.weixin_cache_dir()).map_or(0, Iterator::count);
    assert_eq!(cached, 0, "nothing was written to the cache");
    run.stop().await.unwrap();
    fake.assert_clean();
}
