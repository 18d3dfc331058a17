//! The adapter against the real servers: delivery with the right source, threaded replies
//! read back from alice's mailbox, the UID cursor across restarts, skipped automated mail,
//! rejected passwords, implicit TLS, and reconnecting after dovecot kicks the session.

use std::process::Command;
use std::time::Duration;

use hermes::platforms::email::{Cursor, EmailConfig, Security, TlsOptions};
use hermes::platforms::{ChatRef, ChatType, OutboundMessage, Platform, PlatformError};

use crate::{Gateway, Home, alice_replies_to, alice_sends, mail, mailbox, port, serial};

fn chat(thread: Option<String>) -> ChatRef {
    ChatRef {
        platform: "email".into(),
        chat_id: mail("ALICE_EMAIL"),
        thread_id: thread,
    }
}

#[tokio::test]
async fn a_mail_is_delivered_with_its_source_and_marked_seen() {
    let _serial = serial().await;
    let home = Home::new();
    let email = home.adapter(home.config());
    let mut gw = Gateway::start(email.clone());
    gw.wait_status("connected").await;
    let id = alice_sends("Lunch?", "Are you free at noon?", "").await;
    let msg = gw.accept().await;
    assert_eq!(msg.source.platform, "email");
    assert_eq!(msg.source.chat_id, "alice@example.test");
    assert_eq!(msg.source.user_id.as_deref(), Some("alice@example.test"));
    assert_eq!(msg.source.user_name.as_deref(), Some("Alice"));
    assert_eq!(msg.source.chat_type, ChatType::Dm);
    assert_eq!(
        msg.source.thread_id.as_deref(),
        Some(id.as_str()),
        "a new thread's root is itself"
    );
    assert_eq!(msg.message_id.as_deref(), Some(id.as_str()));
    assert_eq!(msg.text, "[Subject: Lunch?]\n\nAre you free at noon?");
    tokio::time::sleep(Duration::from_millis(300)).await;
    gw.stop().await.expect("a clean stop");

    let cursor: Cursor =
        serde_json::from_str(&std::fs::read_to_string(email.cursor_file()).unwrap()).unwrap();
    let mut bot = mailbox(&mail("BOT_EMAIL"), &mail("BOT_PASSWORD")).await;
    let seen = bot
        .uid_search(&format!("UID {} SEEN", cursor.last_uid))
        .await
        .unwrap();
    assert_eq!(
        seen,
        [cursor.last_uid],
        "the delivered message is marked \\Seen"
    );
    bot.logout().await;
}

#[tokio::test]
async fn a_long_reply_arrives_threaded_in_one_mail_with_its_attachment() {
    let _serial = serial().await;
    let home = Home::new();
    let email = home.adapter(home.config());
    let mut gw = Gateway::start(email.clone());
    gw.wait_status("connected").await;
    let first = alice_sends("Trip plans", "Where should we go?", "").await;
    let msg = gw.accept().await;

    let text: String = (0..400)
        .map(|i| format!("line {i:03} of a long answer\n"))
        .collect();
    assert!(text.len() > 10_000);
    let file = home.dir.path().join("itinerary.txt");
    std::fs::write(&file, "day 1: mountains\n").unwrap();
    let out = OutboundMessage {
        text: text.clone(),
        reply_to: msg.message_id.clone(),
        attachments: vec![file],
        subject: None,
    };
    assert!(
        email.capabilities().max_message_length > text.len(),
        "never chunked"
    );
    let sent = email
        .outbox()
        .send(&chat(msg.source.thread_id.clone()), &out)
        .await
        .expect("sent over submission with STARTTLS and AUTH");
    let replies = alice_replies_to(&first, 1).await;
    assert_eq!(replies.len(), 1, "one mail");
    let r = &replies[0];
    assert_eq!(r.from, "bot@example.test");
    assert_eq!(r.subject, "Re: Trip plans");
    assert_eq!(r.in_reply_to.as_deref(), Some(first.as_str()));
    assert_eq!(r.references, std::slice::from_ref(&first));
    assert_eq!(r.message_id, sent.message_id);
    assert_eq!(r.body.trim_end(), text.trim_end());
    assert_eq!(r.attachments.len(), 1);
    assert_eq!(r.attachments[0].filename, "itinerary.txt");
    assert_eq!(r.attachments[0].data, b"day 1: mountains\n");

    // Alice answers the reply: the message joins the same thread.
    let refs = format!(
        "In-Reply-To: {}\r\nReferences: {first} {}\r\n",
        r.message_id.clone().unwrap(),
        r.message_id.clone().unwrap()
    );
    alice_sends("Re: Trip plans", "Sounds good", &refs).await;
    let follow_up = gw.accept().await;
    assert_eq!(follow_up.source.thread_id.as_deref(), Some(first.as_str()));
    assert_eq!(
        follow_up.text, "Sounds good",
        "a reply subject is not repeated"
    );
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn a_restart_does_not_redeliver_and_an_unaccepted_mail_comes_back() {
    let _serial = serial().await;
    let home = Home::new();
    // Implicit TLS on the IMAPS port this time.
    let mut config = home.config();
    config.imap_port = port("IMAPS_PORT");
    config.imap_security = Security::Tls;
    let first = home.adapter(config.clone());
    let mut gw = Gateway::start(first);
    gw.wait_status("connected").await;
    alice_sends("one", "first", "").await;
    assert_eq!(gw.accept().await.text, "[Subject: one]\n\nfirst");
    tokio::time::sleep(Duration::from_millis(300)).await;
    gw.stop().await.expect("a clean stop");

    alice_sends("two", "second", "").await;
    let second = home.adapter(config.clone());
    let mut gw = Gateway::start(second);
    let inbound = gw.receive().await;
    assert_eq!(
        inbound.message.text, "[Subject: two]\n\nsecond",
        "`one` is not delivered again"
    );
    drop(inbound); // never stored: deliver() returns false and the cursor stays
    gw.finish()
        .await
        .expect("the adapter stops when the gateway stops taking messages");

    let third = home.adapter(config);
    let mut gw = Gateway::start(third);
    assert_eq!(
        gw.accept().await.text,
        "[Subject: two]\n\nsecond",
        "redelivered"
    );
    gw.assert_quiet(Duration::from_millis(1500)).await;
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn automated_mail_and_old_mail_are_not_delivered() {
    let _serial = serial().await;
    // Mail that arrived before the first start is not answered.
    alice_sends("before", "old news", "").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config()));
    gw.wait_status("connected").await;
    alice_sends(
        "Out of office",
        "I am away",
        "Auto-Submitted: auto-replied\r\n",
    )
    .await;
    alice_sends("Newsletter", "Deals!", "Precedence: bulk\r\n").await;
    alice_sends("real", "a person wrote this", "").await;
    assert_eq!(
        gw.accept().await.text,
        "[Subject: real]\n\na person wrote this"
    );
    gw.assert_quiet(Duration::from_millis(1500)).await;
    gw.stop().await.expect("a clean stop");
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized() {
    let _serial = serial().await;
    let home = Home::new();
    let mut config = home.config();
    config.password = "not-the-password".into();
    let email = home.adapter(config.clone());
    let gw = Gateway::start(email.clone());
    let err = gw.finish().await.expect_err("the login fails");
    assert!(
        matches!(err, PlatformError::Unauthorized { .. }),
        "IMAP [AUTHENTICATIONFAILED] is Unauthorized: {err:?}"
    );
    let err = email
        .outbox()
        .send(&chat(None), &OutboundMessage::text("hi"))
        .await
        .expect_err("SMTP 535");
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    let err = hermes::platforms::email::probe(&config).await.unwrap_err();
    assert!(matches!(err, PlatformError::Unauthorized { .. }), "{err:?}");
    hermes::platforms::email::probe(&home.config())
        .await
        .expect("the right password logs in to both servers");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_unless_verification_is_off() {
    let _serial = serial().await;
    let home = Home::new();
    let mut config: EmailConfig = home.config();
    config.tls = TlsOptions::default();
    let err = hermes::platforms::email::probe(&config).await.unwrap_err();
    assert!(
        matches!(&err, PlatformError::Fatal { code, .. } if code == "email_tls"),
        "a refused certificate is not retried: {err:?}"
    );
    config.tls.insecure = true;
    hermes::platforms::email::probe(&config)
        .await
        .expect("EMAIL_TLS_INSECURE skips verification");
}

#[tokio::test]
async fn the_adapter_reconnects_after_the_server_drops_the_session() {
    let _serial = serial().await;
    let home = Home::new();
    let mut gw = Gateway::start(home.adapter(home.config()));
    gw.wait_status("connected").await;
    let conf = std::path::Path::new(&mail("DOVECOT_PID_FILE"))
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .join("dovecot.conf");
    let out = Command::new("doveadm")
        .args(["-c", conf.to_str().unwrap(), "kick", &mail("BOT_EMAIL")])
        .output()
        .expect("doveadm runs");
    assert!(
        out.status.success(),
        "doveadm kick failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    gw.wait_status("retrying").await;
    gw.wait_status("connected").await;
    alice_sends("after the drop", "still there?", "").await;
    assert_eq!(
        gw.accept().await.text,
        "[Subject: after the drop]\n\nstill there?"
    );
    gw.stop().await.expect("a clean stop");
}

/// A second adapter on the same mailbox is refused, naming the gateway holding it.
#[tokio::test]
async fn a_second_adapter_on_the_same_address_is_refused() {
    let _serial = serial().await;
    let home = Home::new();
    let mut first = Gateway::start(home.adapter(home.config()));
    first.wait_status("connected").await;
    let err = Gateway::start(home.adapter(home.config()))
        .finish()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "email-address_lock");
    let text = err.to_string();
    assert!(
        text.contains("Email address already in use by the")
            && text.contains(&format!("(PID {})", std::process::id())),
        "{text}"
    );
    first.stop().await.unwrap();
}

/// Inbound attachments are saved into the profile's cache (`cache/email/`); one over
/// `attachment_max_bytes` is not saved and the text says so.
#[tokio::test]
async fn attachments_are_saved_to_the_cache_within_the_size_limit() {
    let _serial = serial().await;
    let home = Home::new();
    let mut config = home.config();
    config.attachment_max_bytes = 1000;
    let email = home.adapter(config);
    let mut gw = Gateway::start(email.clone());
    gw.wait_status("connected").await;
    let small = "small attachment body\n".repeat(10);
    let big = "x".repeat(3000);
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    let body = format!(
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTwo files attached.\r\n\
         --b1\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"huge.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1--",
        b64(&small),
        b64(&big)
    );
    alice_sends(
        "Files",
        &body,
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n",
    )
    .await;
    let msg = gw.accept().await;
    assert!(msg.text.contains("Two files attached."), "{}", msg.text);
    assert!(
        msg.text
            .contains("[Attachment huge.bin skipped: 3000 bytes is over the 1000 byte limit]"),
        "{}",
        msg.text
    );
    assert_eq!(msg.media.len(), 1, "{:?}", msg.media);
    let saved = &msg.media[0].path;
    assert!(
        saved.starts_with(home.paths.cache_dir().join("email")),
        "{}",
        saved.display()
    );
    assert_eq!(std::fs::read_to_string(saved).unwrap(), small);
    gw.stop().await.unwrap();
}
