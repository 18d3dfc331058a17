//! The real `hermes gateway run` with the email adapter against the real mail servers and
//! the scripted model: alice (allowlisted) gets the model's answer in her thread, a stranger
//! is ignored (email never pairs), and a revoked Home Assistant token beside it is parked as
//! fatal in `gateway_state.json` while email keeps answering.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::gateway_proc::{platform_state, sigterm, write};
use crate::model::Model;
use crate::{
    WAIT, alice_replies_to, alice_sends, mail, message, peer, replies_now, serial, smtp_deliver,
    unique_id,
};

fn spawn(home: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hermes"))
        .args(["gateway", "run"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_for_state(home: &Path, platform: &str, state: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let s = platform_state(home, platform);
        if s["state"] == state {
            return s;
        }
        assert!(
            start.elapsed() < WAIT,
            "{platform} never reached `{state}`: {s}; log:\n{}",
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_answers_alice_ignores_strangers_and_parks_a_revoked_token() {
    let _serial = serial().await;
    let ha_url = peer::fact("homeassistant", "URL");
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let model = Model::start(Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "EMAIL_ADDRESS={}\nEMAIL_PASSWORD={}\nEMAIL_IMAP_HOST={}\nEMAIL_IMAP_PORT={}\nEMAIL_IMAP_TLS=starttls\nEMAIL_SMTP_HOST={}\nEMAIL_SMTP_PORT={}\nEMAIL_TLS_CA_FILE={}\nEMAIL_POLL_INTERVAL=1\nEMAIL_ALLOWED_USERS={}\nEMAIL_HOME_ADDRESS={}\nEMAIL_TRUST_FROM_HEADER=true\nHASS_TOKEN=revoked-token-0123456789abcdefghijklmnopqrstuvwxyz\nHASS_URL={ha_url}\nHERMES_GATEWAY_LOCK_DIR={}\n",
            mail("BOT_EMAIL"),
            mail("BOT_PASSWORD"),
            mail("IMAP_HOST"),
            mail("IMAP_PORT"),
            mail("SMTP_HOST"),
            mail("SUBMISSION_PORT"),
            mail("TLS_CERT"),
            mail("ALICE_EMAIL"),
            mail("ALICE_EMAIL"),
            home.join("locks").display(),
        ),
    );
    write(
        &home.join(".hermes/config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\nplatforms:\n  homeassistant:\n    extra:\n      watch_all: true\n",
            model.url
        ),
    );
    let mut gateway = spawn(home);
    wait_for_state(home, "email", "connected").await;
    let ha = wait_for_state(home, "homeassistant", "fatal").await;
    assert_eq!(ha["error_code"], "unauthorized", "{ha}");

    let asked = alice_sends("Question", "what is two plus two", "").await;
    let start = Instant::now();
    let answers = loop {
        // The gateway may also send its one-time home-channel notice into the thread.
        let answers: Vec<_> = alice_replies_to(&asked, 1)
            .await
            .into_iter()
            .filter(|r| r.body.contains("answer:"))
            .collect();
        if !answers.is_empty() || start.elapsed() > WAIT {
            break answers;
        }
    };
    assert_eq!(answers.len(), 1, "one answer in alice's mailbox");
    assert!(
        answers[0].body.contains("what is two plus two"),
        "{:?}",
        answers[0].body
    );
    assert_eq!(answers[0].subject, "Re: Question");
    assert_eq!(answers[0].in_reply_to.as_deref(), Some(asked.as_str()));
    assert_eq!(answers[0].references, std::slice::from_ref(&asked));

    // A stranger's mail reaches alice's mailbox if answered (plus addressing), so silence is
    // observable there.
    let stranger = "alice+stranger@example.test";
    let id = unique_id("stranger");
    smtp_deliver(
        stranger,
        &mail("BOT_EMAIL"),
        &message(
            &format!("Stranger <{stranger}>"),
            "hello",
            &id,
            "",
            "let me in",
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        replies_now(&id).await.is_empty(),
        "no answer, no pairing code"
    );
    assert_eq!(
        model.requests(),
        1,
        "only alice's message reached the model"
    );
    assert_eq!(platform_state(home, "email")["state"], "connected");
    assert_eq!(sigterm(&mut gateway), 0);
}
