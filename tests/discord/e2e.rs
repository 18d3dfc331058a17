//! Through the real `hermes gateway run` binary, with the fake Discord and a fake Slack as the
//! other platform, and the scripted model: an allowlisted user gets the model's answer, a
//! stranger gets a pairing code, a dropped gateway socket is resumed, a 429 is waited out, and
//! a revoked token parks Discord as fatal (`gateway_state.json`) while Slack keeps answering.

use std::time::Duration;

use serde_json::Value;

use crate::TOKEN;
use crate::fake::{Fake, wait_until};
use crate::gateway_proc::{platform_state, run_gateway, write};
use crate::model::Model;
use crate::slack_fake;

const SLACK_BOT: &str = "xoxb-111-222-e2etestbottoken";
const SLACK_APP: &str = "xapp-1-A111-222-e2etestapptoken";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_gateway_answers_pairs_resumes_retries_and_parks_a_revoked_token() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let discord = Fake::start(TOKEN).await;
    let slack = slack_fake::Fake::start(SLACK_BOT, SLACK_APP).await;
    let model = Model::start(Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "DISCORD_BOT_TOKEN={TOKEN}\nDISCORD_API_BASE_URL={}\nDISCORD_ALLOWED_USERS=42\nDISCORD_ALLOWED_ROLES=role-1\nDISCORD_DM_POLICY=pairing\nDISCORD_HOME_CHANNEL=542\n\
             SLACK_BOT_TOKEN={SLACK_BOT}\nSLACK_APP_TOKEN={SLACK_APP}\nSLACK_API_BASE_URL={}\nSLACK_ALLOWED_USERS=U42\nSLACK_HOME_CHANNEL=DU42\n",
            discord.api, slack.api
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
    wait_until("Discord to connect", || discord.connected()).await;
    wait_until("Slack to connect", || slack.connected()).await;

    // An allowlisted user gets the model's answer, as a reply, and ✅ on their message.
    let id = discord.dm("42", "hello");
    wait_until("the answer", || {
        discord.posted("542").iter().any(|t| t == "answer: hello")
    })
    .await;
    let reply = discord
        .requests("POST", "/channels/542/messages")
        .into_iter()
        .find(|r| r.body["content"] == "answer: hello")
        .unwrap();
    assert_eq!(
        reply.body["message_reference"]["message_id"],
        Value::String(id.clone())
    );
    let done = format!("/channels/542/messages/{id}/reactions/%E2%9C%85/@me");
    wait_until("✅", || !discord.requests("PUT", &done).is_empty()).await;

    // A stranger in a DM gets a pairing code (an allowlist alone would ignore them).
    discord.dm("77", "who are you");
    wait_until("a pairing code", || {
        discord
            .posted("577")
            .iter()
            .any(|t| t.contains("pairing code") && t.contains("hermes pairing approve discord"))
    })
    .await;

    // A server member who is not allowlisted but has an allowed role mentions the bot: the
    // answer goes to the thread opened from their message.
    discord.guild_message("10", "55", "role check", true);
    wait_until("the answer in the thread", || {
        discord
            .all_posted()
            .iter()
            .any(|t| t == "answer: role check")
    })
    .await;
    let thread_post = discord
        .requests("POST", "/messages")
        .into_iter()
        .find(|r| r.body["content"] == "answer: role check")
        .unwrap();
    assert!(
        !thread_post.path.starts_with("/channels/10/"),
        "{}",
        thread_post.path
    );
    assert_eq!(discord.requests("POST", "/threads").len(), 1);

    // The socket drops; the message sent meanwhile is answered after resume, once.
    discord.drop_and_dm("42", "after the drop");
    wait_until("the answer after resume", || {
        discord
            .posted("542")
            .iter()
            .any(|t| t == "answer: after the drop")
    })
    .await;
    assert!(!discord.resumes().is_empty());
    assert_eq!(discord.identifies().len(), 1);

    // A 429 on the reply is waited out.
    discord.rate_limit("POST", "/channels/542/messages", 1, 0.2);
    discord.dm("42", "limited");
    let replies = |text: &str| discord.posted("542").iter().filter(|t| *t == text).count();
    // Recorded twice: the attempt that got the 429, then its retry.
    wait_until("the rate-limited answer", || {
        replies("answer: limited") == 2
    })
    .await;
    assert_eq!(replies("answer: after the drop"), 1);

    // Slack answers too.
    slack.dm("U42", "hi slack");
    wait_until("Slack's answer", || {
        slack.posted().iter().any(|t| t == "answer: hi slack")
    })
    .await;

    // The Discord token is revoked: parked as fatal, Slack keeps going.
    discord.revoke();
    wait_until("discord parked as fatal", || {
        platform_state(home, "discord")["state"] == "fatal"
    })
    .await;
    let state = platform_state(home, "discord");
    assert_eq!(state["error_code"], "unauthorized");
    assert!(
        state["error_message"].as_str().unwrap().contains("4004"),
        "{state}"
    );
    slack.dm("U42", "still there?");
    wait_until("Slack's answer after Discord was parked", || {
        slack.posted().iter().any(|t| t == "answer: still there?")
    })
    .await;
    // Not "connected" exactly: the supervisor's "connecting" and the adapter's "connected"
    // travel on two channels, so their order in the state file is not guaranteed.
    assert_ne!(platform_state(home, "slack")["state"], "fatal");
    assert!(model.requests() >= 4, "every answer came from the model");
    assert_eq!(gw.terminate(), 0);
}
