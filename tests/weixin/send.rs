//! Sending: context-token echo, chunking, the stale-token retry, rate limits, typing,
//! attachments, the doctor probe, and the fake's own header checks.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hermes::platforms::weixin::{Weixin, probe};
use hermes::platforms::{ChatRef, OutboundMessage, Platform, PlatformError};
use serde_json::json;

use super::fake::{Fake, ecb_decrypt};
use super::{ACCOUNT, TOKEN, adapter, config, dm, home, start};

fn chat(id: &str) -> ChatRef {
    ChatRef {
        platform: "weixin".into(),
        chat_id: id.into(),
        thread_id: None,
    }
}

fn tokens_file(home: &super::Home) -> std::path::PathBuf {
    home.paths
        .weixin_dir()
        .join(format!("accounts/{ACCOUNT}.context-tokens.json"))
}

#[tokio::test]
async fn a_long_reply_echoes_the_context_token_in_ordered_chunks() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let w = adapter(&fake, &home);
    let mut run = start(&w);
    fake.push(dm(1, "alice@im.wechat", "write a lot", "ctx-latest"));
    let m = run.accept().await;

    let paragraphs: Vec<String> = (0..60)
        .map(|i| {
            format!(
                "段落 {i}: {}",
                "lorem ipsum dolor sit amet ".repeat(6).trim_end()
            )
        })
        .collect();
    let text = paragraphs.join("\n\n");
    assert!(text.chars().count() > 9000);
    let sent = w
        .outbox()
        .send(&m.source.chat(), &OutboundMessage::text(text.clone()))
        .await
        .unwrap();

    let sends = fake.requests("sendmessage");
    assert!(sends.len() >= 3, "{} chunks", sends.len());
    let mut joined = String::new();
    for r in &sends {
        let msg = &r.body["msg"];
        assert_eq!(msg["from_user_id"], "");
        assert_eq!(msg["to_user_id"], "alice@im.wechat");
        assert_eq!(msg["message_type"], 2);
        assert_eq!(msg["message_state"], 2);
        assert_eq!(msg["context_token"], "ctx-latest");
        let id = msg["client_id"].as_str().unwrap();
        assert!(
            id.starts_with("hermes-weixin-") && id.len() == 14 + 32,
            "{id}"
        );
        let items = msg["item_list"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["type"], 1);
        let chunk = items[0]["text_item"]["text"].as_str().unwrap();
        assert!(chunk.chars().count() <= 4000);
        joined.push_str(chunk);
        joined.push_str("\n\n");
    }
    // In order, nothing lost.
    assert_eq!(joined.trim_end(), text);
    let last = sends.last().unwrap().body["msg"]["client_id"]
        .as_str()
        .unwrap();
    assert_eq!(sent.message_id.as_deref(), Some(last));
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn a_stale_context_token_is_dropped_and_the_send_retried_once_without_it() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    // A token saved by an earlier run is restored at start.
    std::fs::create_dir_all(tokens_file(&home).parent().unwrap()).unwrap();
    std::fs::write(tokens_file(&home), r#"{"bob@im.wechat":"ctx-old"}"#).unwrap();
    fake.with(|s| {
        s.send_script
            .push_back(json!({"ret": -2, "errmsg": "unknown error"}));
    });
    let w = adapter(&fake, &home);
    w.outbox()
        .send(
            &chat("bob@im.wechat"),
            &OutboundMessage::text("cron digest"),
        )
        .await
        .unwrap();
    let sends = fake.requests("sendmessage");
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0].body["msg"]["context_token"], "ctx-old");
    assert!(sends[1].body["msg"].get("context_token").is_none());
    assert_eq!(
        sends[0].body["msg"]["client_id"], sends[1].body["msg"]["client_id"],
        "the retry is the same message"
    );
    assert_eq!(std::fs::read_to_string(tokens_file(&home)).unwrap(), "{}");

    // A real rate limit is reported as such, without a retry.
    fake.with(|s| {
        s.send_script
            .push_back(json!({"ret": -2, "errmsg": "frequency limit"}));
    });
    let err = w
        .outbox()
        .send(&chat("bob@im.wechat"), &OutboundMessage::text("again"))
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RateLimited { .. }), "{err}");
    assert_eq!(fake.requests("sendmessage").len(), 3);
    fake.assert_clean();
}

#[tokio::test]
async fn typing_fetches_a_ticket_then_sends_typing() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let w = adapter(&fake, &home);
    let mut run = start(&w);
    fake.push(dm(3, "carol@im.wechat", "hi", "ctx-c"));
    let m = run.accept().await;
    let out = w.outbox();
    out.typing(&m.source.chat()).await.unwrap();
    out.typing(&m.source.chat()).await.unwrap();

    let order: Vec<String> = fake.with(|s| {
        s.requests
            .iter()
            .filter(|r| r.endpoint == "getconfig" || r.endpoint == "sendtyping")
            .map(|r| r.endpoint.clone())
            .collect()
    });
    assert_eq!(
        order,
        ["getconfig", "sendtyping", "sendtyping"],
        "the ticket is cached"
    );
    let cfg = &fake.requests("getconfig")[0].body;
    assert_eq!(cfg["ilink_user_id"], "carol@im.wechat");
    assert_eq!(cfg["context_token"], "ctx-c");
    let typing = &fake.requests("sendtyping")[0].body;
    assert_eq!(typing["ilink_user_id"], "carol@im.wechat");
    assert_eq!(typing["typing_ticket"], "ticket-1");
    assert_eq!(typing["status"], 1);
    run.stop().await.unwrap();
    fake.assert_clean();
}

#[tokio::test]
async fn an_attachment_is_encrypted_uploaded_and_referenced() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let file = home.paths.home().join("notes.txt");
    let content = "附件内容 attachment body\n".repeat(100);
    std::fs::create_dir_all(home.paths.home()).unwrap();
    std::fs::write(&file, &content).unwrap();
    let w = adapter(&fake, &home);
    let msg = OutboundMessage {
        text: "here it is".into(),
        reply_to: None,
        attachments: vec![file],
        subject: None,
    };
    w.outbox().send(&chat("dan@im.wechat"), &msg).await.unwrap();

    let up = &fake.requests("getuploadurl")[0].body;
    assert_eq!(up["media_type"], 3);
    assert_eq!(up["to_user_id"], "dan@im.wechat");
    assert_eq!(up["rawsize"], content.len());
    assert_eq!(up["filesize"], (content.len() / 16 + 1) * 16);
    assert_eq!(up["no_need_thumb"], true);
    let key_hex = up["aeskey"].as_str().unwrap();
    let key: [u8; 16] = (0..16)
        .map(|i| u8::from_str_radix(&key_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let upload = &fake.requests("cdn_upload")[0];
    let filekey = up["filekey"].as_str().unwrap();
    assert_eq!(
        upload.query,
        format!("encrypted_query_param=up-{filekey}&filekey={filekey}")
    );
    let stored = fake.with(|s| s.cdn["dl-0"].clone());
    assert_eq!(ecb_decrypt(&stored, &key), content.as_bytes());

    let sends = fake.requests("sendmessage");
    assert_eq!(sends.len(), 2, "the file, then the text");
    let item = &sends[0].body["msg"]["item_list"][0];
    assert_eq!(item["type"], 4);
    assert_eq!(item["file_item"]["file_name"], "notes.txt");
    assert_eq!(item["file_item"]["len"], content.len().to_string());
    assert_eq!(item["file_item"]["media"]["encrypt_query_param"], "dl-0");
    assert_eq!(
        item["file_item"]["media"]["aes_key"],
        B64.encode(key_hex.as_bytes())
    );
    assert_eq!(
        sends[1].body["msg"]["item_list"][0]["text_item"]["text"],
        "here it is"
    );
    fake.assert_clean();
}

#[tokio::test]
async fn probe_checks_the_token() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let http = reqwest::Client::new();
    probe(&config(&fake, &home, TOKEN), &http).await.unwrap();
    let err = probe(&config(&fake, &home, "tok-revoked"), &http)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err}");
    assert_eq!(fake.requests("getconfig")[0].body["ilink_user_id"], ACCOUNT);
    fake.assert_clean();
}

#[tokio::test]
async fn the_fake_rejects_requests_without_the_ilink_headers() {
    // Guards the fake itself: a plain request without the protocol's headers is refused.
    let fake = Fake::start(TOKEN).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/ilink/bot/sendmessage", fake.base_url))
        .json(&json!({"msg": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(fake.with(|s| s.violations.len()), 1);
    // And the adapter's own requests pass the same checks.
    let home = home();
    let w: Arc<Weixin> = adapter(&fake, &home);
    w.outbox()
        .send(&chat("x@im.wechat"), &OutboundMessage::text("ok"))
        .await
        .unwrap();
    assert_eq!(fake.with(|s| s.violations.len()), 1);
}

/// `WEIXIN_SPLIT_MULTILINE_MESSAGES`: off, a multi-line reply is one bubble; on, each
/// top-level line is its own bubble and a code block stays whole.
#[tokio::test]
async fn multiline_replies_split_into_bubbles_only_when_asked() {
    let fake = Fake::start(TOKEN).await;
    let home = home();
    let text = "Done.\nThe result:\n```\na\n\nb\n```";
    let texts = |fake: &Fake| -> Vec<String> {
        fake.requests("sendmessage")
            .iter()
            .map(|r| {
                r.body["msg"]["item_list"][0]["text_item"]["text"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let w = adapter(&fake, &home);
    w.outbox()
        .send(&chat("alice@im.wechat"), &OutboundMessage::text(text))
        .await
        .unwrap();
    assert_eq!(texts(&fake), [text]);
    let mut c = config(&fake, &home, TOKEN);
    c.split_multiline = true;
    c.typing_indicator = false;
    let w = Arc::new(Weixin::new(c, reqwest::Client::new()));
    w.outbox()
        .send(&chat("alice@im.wechat"), &OutboundMessage::text(text))
        .await
        .unwrap();
    assert_eq!(
        texts(&fake)[1..],
        ["Done.", "The result:", "```\na\n\nb\n```"]
    );
    // typing_indicator: false: no getconfig/sendtyping at all.
    w.outbox().typing(&chat("alice@im.wechat")).await.unwrap();
    assert!(fake.requests("getconfig").is_empty());
    assert!(fake.requests("sendtyping").is_empty());
    fake.assert_clean();
}
