//! QR login through the fake: statuses, redirect, refresh of expired codes, saving.

use std::time::Duration;

use hermes::fsutil;
use hermes::platforms::weixin::config::{account_file, load_account};
use hermes::platforms::weixin::{LoginError, LoginEvent, LoginOptions, qr_login};
use serde_json::json;

use super::fake::Fake;
use super::home;

fn opts(fake: &Fake) -> LoginOptions {
    LoginOptions {
        base_url: fake.base_url.clone(),
        poll_interval: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3),
        redirect_scheme: "http".into(),
        ..LoginOptions::default()
    }
}

#[tokio::test]
async fn wait_scanned_redirect_confirmed_saves_the_account() {
    let fake = Fake::start("unused").await;
    let redirect = fake.mirror("redirect").await;
    fake.with(|s| {
        s.qr_script = [
            json!({"status": "wait"}),
            json!({"status": "scaned"}),
            json!({"status": "scaned_but_redirect", "redirect_host": redirect}),
            json!({"status": "confirmed", "ilink_bot_id": "abc@im.bot", "bot_token": "t-123",
                   "baseurl": "https://ilinkai.weixin.qq.com", "ilink_user_id": "owner@im.wechat"}),
        ]
        .into();
    });
    let home = home();
    let mut events = Vec::new();
    let acc = qr_login(&reqwest::Client::new(), &home.paths, &opts(&fake), |e| {
        events.push(e);
    })
    .await
    .unwrap();

    assert_eq!(acc.account_id, "abc@im.bot");
    assert_eq!(acc.token, "t-123");
    assert_eq!(acc.base_url, "https://ilinkai.weixin.qq.com");
    assert_eq!(acc.user_id, "owner@im.wechat");
    let LoginEvent::QrCode { url, terminal } = &events[0] else {
        panic!("first event is the code: {events:?}");
    };
    assert!(url.starts_with("https://liteapp.weixin.qq.com/q/"), "{url}");
    assert!(terminal.as_ref().is_some_and(|t| t.lines().count() > 10));
    assert_eq!(
        events[1..],
        [
            LoginEvent::Waiting,
            LoginEvent::Scanned,
            LoginEvent::Redirected {
                base_url: format!("http://{redirect}")
            },
            LoginEvent::Confirmed {
                account_id: "abc@im.bot".into()
            },
        ]
    );
    // After the redirect the status is polled on the new host.
    let polls = fake.requests("get_qrcode_status");
    assert_eq!(polls.len(), 4);
    assert_eq!(polls[2].server, "main");
    assert_eq!(polls[3].server, "redirect");

    let file = account_file(&home.paths, "abc@im.bot");
    assert_eq!(fsutil::mode_of(&file), Some(0o600));
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(raw["token"], "t-123");
    assert_eq!(raw["user_id"], "owner@im.wechat");
    assert!(raw["saved_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        load_account(&home.paths, "abc@im.bot")
            .unwrap()
            .unwrap()
            .token,
        "t-123"
    );
    fake.assert_clean();
}

#[tokio::test]
async fn expired_code_is_refreshed() {
    let fake = Fake::start("unused").await;
    fake.with(|s| {
        s.qr_script = [
            json!({"status": "expired"}),
            json!({"status": "confirmed", "ilink_bot_id": "abc@im.bot", "bot_token": "t"}),
        ]
        .into();
    });
    let home = home();
    let mut events = Vec::new();
    let acc = qr_login(&reqwest::Client::new(), &home.paths, &opts(&fake), |e| {
        events.push(e);
    })
    .await
    .unwrap();
    // No baseurl in the answer: the one the login started from is kept.
    assert_eq!(acc.base_url, fake.base_url);
    assert!(matches!(
        events[1],
        LoginEvent::Expired { refresh: 1, max: 3 }
    ));
    assert!(matches!(events[2], LoginEvent::QrCode { .. }));
    assert_eq!(fake.requests("get_bot_qrcode").len(), 2);
    // The new code is the one polled (the fake rejects polls of a stale code).
    fake.assert_clean();
}

#[tokio::test]
async fn too_many_expiries_and_timeouts_fail() {
    let fake = Fake::start("unused").await;
    fake.with(|s| s.qr_script = vec![json!({"status": "expired"}); 3].into());
    let home = home();
    let o = LoginOptions {
        max_refreshes: 2,
        ..opts(&fake)
    };
    let e = qr_login(&reqwest::Client::new(), &home.paths, &o, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e, LoginError::Expired));
    assert_eq!(e.to_string(), "二维码多次过期，请重新执行登录。");

    let o = LoginOptions {
        timeout: Duration::from_millis(60),
        ..opts(&fake)
    };
    let e = qr_login(&reqwest::Client::new(), &home.paths, &o, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e, LoginError::TimedOut), "{e}");
    assert!(!e.hints().is_empty());
    fake.assert_clean();
}
