//! Seed 002 end to end with the real binary against the fake iLink server: the QR login saves
//! the account, `hermes gateway setup --non-interactive` writes the Weixin `.env` with the
//! DM policy `pairing`, `hermes gateway run` hands a stranger a pairing code,
//! `hermes pairing approve weixin CODE` lets them in, and `/status`, `/sethome` and a plain
//! message are answered through `sendmessage` echoing the user's `context_token`.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use hermes::config::dotenv::EnvFile;
use hermes::home::HermesPaths;
use hermes::platforms::weixin::config::account_file;
use hermes::platforms::weixin::{LoginOptions, qr_login};
use serde_json::json;

use super::dm;
use super::fake::Fake;

use crate::gateway_proc::sigterm;
use crate::model;

const BOT: &str = "hermesbot@im.bot";
const BOT_TOKEN: &str = "wx-seed-token";
const USER: &str = "o9cq80y9HMRyFHDRQ5NMyWk8cYcc@im.wechat";

fn hermes(home: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hermes"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hermes {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Waits (20 s at most) for a reply containing `needle`; returns its text and token.
async fn reply(fake: &Fake, home: &Path, needle: &str) -> (String, String) {
    let start = Instant::now();
    loop {
        if let Some(hit) = fake
            .sent_to(USER)
            .into_iter()
            .find(|(t, _)| t.contains(needle))
        {
            return hit;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no reply containing {needle:?}; sent: {:?}\nlog:\n{}",
            fake.sent_to(USER),
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_002_weixin_pairing_status_sethome_and_a_model_reply() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let fake = Fake::start(BOT_TOKEN).await;
    let model = model::Model::start(Duration::ZERO).await;

    // (a) The QR login the wizard runs in a terminal (scan, confirm), against the fake.
    fake.with(|s| {
        s.qr_script = [
            json!({"status": "wait"}),
            json!({"status": "scaned"}),
            json!({"status": "confirmed", "ilink_bot_id": BOT, "bot_token": BOT_TOKEN,
                   "baseurl": fake.base_url, "ilink_user_id": USER}),
        ]
        .into();
    });
    let paths = HermesPaths::at(&home.join(".hermes"), home);
    let opts = LoginOptions {
        base_url: fake.base_url.clone(),
        poll_interval: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3),
        redirect_scheme: "http".into(),
        ..LoginOptions::default()
    };
    let account = qr_login(&reqwest::Client::new(), &paths, &opts, |_| {})
        .await
        .unwrap();
    assert_eq!(account.account_id, BOT);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(account_file(&paths, BOT)).unwrap()).unwrap();
    assert_eq!(saved["token"], BOT_TOKEN);
    assert_eq!(saved["user_id"], USER);

    // … then the platform setup without a terminal, DMs by pairing approval.
    let setup = hermes(
        home,
        &[
            "gateway",
            "setup",
            "--non-interactive",
            "--platform",
            "weixin",
            "--weixin-account-id",
            BOT,
            "--weixin-token-env",
            "WX",
            "--weixin-base-url",
            &fake.base_url,
            "--weixin-dm-policy",
            "pairing",
        ],
        &[("WX", BOT_TOKEN)],
    );
    let stderr = String::from_utf8_lossy(&setup.stderr);
    assert!(
        stderr.contains(&format!("✓ Weixin account {BOT} is reachable.")),
        "{stderr}"
    );
    let env = EnvFile::load(&home.join(".hermes/.env")).unwrap().map();
    assert_eq!(env.get("WEIXIN_ACCOUNT_ID").map(String::as_str), Some(BOT));
    assert_eq!(env.get("WEIXIN_TOKEN").map(String::as_str), Some(BOT_TOKEN));
    assert_eq!(
        env.get("WEIXIN_DM_POLICY").map(String::as_str),
        Some("pairing")
    );
    assert!(account_file(&paths, BOT).exists());

    // (b) The model, then the gateway.
    for (key, value) in [
        ("model.provider", "custom"),
        ("model.base_url", model.url.as_str()),
        ("model.default", "test-model"),
    ] {
        hermes(home, &["config", "set", key, value], &[]);
    }
    let mut gw = Command::new(env!("CARGO_BIN_EXE_hermes"))
        .args(["gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // (c) A stranger's first DM gets a pairing code, and nothing reaches the model.
    fake.push(dm(1, USER, "/status", "ctx-1"));
    let (text, token) = reply(&fake, home, "Here's your pairing code:").await;
    assert_eq!(token, "ctx-1");
    assert!(text.starts_with("Hi~ I don't recognize you yet!"), "{text}");
    let code = text
        .split('`')
        .nth(1)
        .expect("the code in backticks")
        .to_string();
    assert_eq!(code.len(), 8, "{text}");
    assert!(
        text.contains(&format!("hermes pairing approve weixin {code}")),
        "{text}"
    );
    assert_eq!(model.requests(), 0);

    // (d) The owner sees the request (codes are stored hashed, so not the code) and approves
    // it with the CLI.
    let list = hermes(home, &["pairing", "list"], &[]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("Pending Pairing Requests (1)") && listed.contains(USER),
        "{listed}"
    );
    hermes(home, &["pairing", "approve", "weixin", &code], &[]);

    // (e) Now the same user is answered: /status, /sethome, then the model.
    fake.push(dm(2, USER, "/status", "ctx-2"));
    let (text, token) = reply(&fake, home, "Session status").await;
    assert_eq!(token, "ctx-2");
    assert!(text.contains("Session"), "{text}");

    fake.push(dm(3, USER, "/sethome", "ctx-3"));
    let (text, token) = reply(&fake, home, "✅ Home channel set to").await;
    assert_eq!(token, "ctx-3");
    assert!(text.contains(USER), "{text}");
    let env = EnvFile::load(&home.join(".hermes/.env")).unwrap().map();
    assert_eq!(
        env.get("WEIXIN_HOME_CHANNEL").map(String::as_str),
        Some(USER)
    );

    fake.push(dm(4, USER, "你好，用一句中文回复我", "ctx-4"));
    let (text, token) = reply(&fake, home, "answer: 你好，用一句中文回复我").await;
    assert_eq!(token, "ctx-4");
    assert_eq!(text, "answer: 你好，用一句中文回复我");
    assert_eq!(model.requests(), 1);

    // Only one pairing code was ever sent.
    let codes = fake
        .sent_to(USER)
        .iter()
        .filter(|(t, _)| t.contains("pairing code"))
        .count();
    assert_eq!(codes, 1);

    // (f) SIGTERM stops it cleanly.
    assert_eq!(sigterm(&mut gw), 0);
    fake.assert_clean();
}
