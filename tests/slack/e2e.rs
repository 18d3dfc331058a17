//! Through the real `hermes gateway run` binary, with the fake Slack and a fake Discord as the
//! other platform, and the scripted model: an allowlisted user gets the model's answer, a
//! stranger gets a pairing code, a dropped socket is reconnected and the unacknowledged
//! envelope redelivered, a 429 is waited out, and a revoked token parks Slack as fatal
//! (`gateway_state.json`) while Discord keeps answering.

use std::time::Duration;

use crate::discord_fake;
use crate::fake::{Fake, wait_until};
use crate::gateway_proc::{platform_state, run_gateway, write};
use crate::model::Model;
use crate::{APP_TOKEN, BOT_TOKEN};

const DISCORD_TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAy.fake.discord-token-for-slack-e2e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_gateway_answers_pairs_reconnects_retries_and_parks_a_revoked_token() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let slack = Fake::start(BOT_TOKEN, APP_TOKEN).await;
    let discord = discord_fake::Fake::start(DISCORD_TOKEN).await;
    let model = Model::start(Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_APP_TOKEN={APP_TOKEN}\nSLACK_API_BASE_URL={}\nSLACK_ALLOWED_USERS=U42\nSLACK_DM_POLICY=pairing\nSLACK_HOME_CHANNEL=DU42\n\
             DISCORD_BOT_TOKEN={DISCORD_TOKEN}\nDISCORD_API_BASE_URL={}\nDISCORD_ALLOWED_USERS=42\nDISCORD_HOME_CHANNEL=542\n",
            slack.api, discord.api
        ),
    );
    write(
        &home.join(".hermes/config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\n",
            model.url
        ),
    );
    let mut gw = run_gateway(home);
    wait_until("Slack to connect", || slack.connected()).await;
    wait_until("Discord to connect", || discord.connected()).await;
    let answered = |text: &str| slack.posted().iter().filter(|t| *t == text).count();

    // An allowlisted user gets the model's answer, and ✅ on their message.
    let ts = slack.dm("U42", "hello");
    wait_until("the answer", || answered("answer: hello") == 1).await;
    wait_until("✅", || {
        slack
            .calls("reactions.add")
            .iter()
            .any(|c| c.args["timestamp"] == ts && c.args["name"] == "white_check_mark")
    })
    .await;

    // A stranger in a DM gets a pairing code (an allowlist alone would ignore them).
    slack.dm("U77", "who are you");
    wait_until("a pairing code", || {
        slack.calls("chat.postMessage").iter().any(|c| {
            c.args["channel"] == "DU77"
                && c.args["text"].as_str().is_some_and(|t| {
                    t.contains("pairing code") && t.contains("hermes pairing approve slack")
                })
        })
    })
    .await;

    // The socket drops; the message sent meanwhile arrives on the new connection, once.
    slack.drop_connection();
    slack.dm("U42", "after the drop");
    wait_until("the answer after reconnecting", || {
        answered("answer: after the drop") == 1
    })
    .await;
    assert!(slack.connections() >= 2);

    // A 429 on the reply is waited out.
    slack.rate_limit("chat.postMessage", 1, 1);
    slack.dm("U42", "limited");
    wait_until("the rate-limited answer", || {
        answered("answer: limited") == 2
    })
    .await;

    // Discord answers too.
    discord.dm("42", "hi discord");
    wait_until("Discord's answer", || {
        discord
            .posted("542")
            .iter()
            .any(|t| t == "answer: hi discord")
    })
    .await;

    // The Slack tokens are revoked: parked as fatal, Discord keeps going.
    slack.revoke();
    wait_until("slack parked as fatal", || {
        platform_state(home, "slack")["state"] == "fatal"
    })
    .await;
    let state = platform_state(home, "slack");
    assert_eq!(state["error_code"], "unauthorized");
    assert!(
        state["error_message"]
            .as_str()
            .unwrap()
            .contains("invalid_auth"),
        "{state}"
    );
    discord.dm("42", "still there?");
    wait_until("Discord's answer after Slack was parked", || {
        discord
            .posted("542")
            .iter()
            .any(|t| t == "answer: still there?")
    })
    .await;
    // Not "connected" exactly: the supervisor's "connecting" and the adapter's "connected"
    // travel on two channels, so their order in the state file is not guaranteed.
    assert_ne!(platform_state(home, "discord")["state"], "fatal");
    assert_eq!(answered("answer: hello"), 1, "nothing answered twice");
    assert_eq!(answered("answer: after the drop"), 1);
    assert!(model.requests() >= 4, "every answer came from the model");
    assert_eq!(gw.terminate(), 0);
}
