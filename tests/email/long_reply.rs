//! A long reply through the real `hermes gateway run` binary, against the real mail servers
//! (postfix + dovecot) and a scripted model (`tests/support/long_model.rs`). Email's message
//! limit is 1 000 000 characters, far above any chat reply, so what email does with a long
//! reply is send it whole: an answer five times Telegram's limit, with a fenced code block,
//! arrives in alice's mailbox as one mail, threaded under her message (`In-Reply-To`), its
//! body the model's answer. Email cannot edit a sent mail (`Capabilities.edits` is false), so
//! there is no streaming by edits to test.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{WAIT, alice_replies_to, alice_sends, mail, replies_now, serial};

#[path = "../support/long_model.rs"]
mod long_model;

use crate::gateway_proc::{run_gateway, write};

use long_model::{LongModel, long_answer, words};

fn email_state(home: &Path) -> serde_json::Value {
    std::fs::read_to_string(home.join(".hermes/gateway_state.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|v| v["platforms"]["email"].clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_arrives_whole_in_one_threaded_mail() {
    let _serial = serial().await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let answer = long_answer(5 * 4096, 4096);
    let model = LongModel::start(&answer, 8, Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "EMAIL_ADDRESS={}\nEMAIL_PASSWORD={}\nEMAIL_IMAP_HOST={}\nEMAIL_IMAP_PORT={}\nEMAIL_IMAP_TLS=starttls\nEMAIL_SMTP_HOST={}\nEMAIL_SMTP_PORT={}\nEMAIL_TLS_CA_FILE={}\nEMAIL_POLL_INTERVAL=1\nEMAIL_ALLOWED_USERS={}\nEMAIL_HOME_ADDRESS={}\nEMAIL_TRUST_FROM_HEADER=true\nHERMES_GATEWAY_LOCK_DIR={}\n",
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
    write(&home.join(".hermes/config.yaml"), &model.config_yaml());
    let _gw = run_gateway(home);
    let start = Instant::now();
    while email_state(home)["state"] != "connected" {
        assert!(
            start.elapsed() < WAIT,
            "email did not connect: {}; log:\n{}",
            email_state(home),
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let asked = alice_sends("Everything", "tell me everything", "").await;
    assert!(!alice_replies_to(&asked, 1).await.is_empty(), "no answer");
    // Wait a little for a wrongly split second mail before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let replies = replies_now(&asked).await;
    assert_eq!(replies.len(), 1, "one mail for the whole answer");
    let reply = &replies[0];
    assert_eq!(reply.subject, "Re: Everything");
    assert_eq!(reply.in_reply_to.as_deref(), Some(asked.as_str()));
    let body = reply.body.replace("\r\n", "\n");
    assert_eq!(words(&body), words(&answer), "the body is the answer");
    assert_eq!(
        body.trim_end(),
        answer,
        "line breaks and the code fence kept"
    );
    // The adapter hands the agent the subject with the body.
    assert_eq!(
        model.asked(),
        vec!["[Subject: Everything]\n\ntell me everything".to_string()]
    );
}
