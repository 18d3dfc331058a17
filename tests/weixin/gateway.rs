//! The real `hermes gateway run` against the Weixin fake (§10): a dropped long poll and an
//! HTTP 429 on `getupdates` are survived, a rate-limited `sendmessage` (`ret=-2`) is retried,
//! and a revoked token parks Weixin as `fatal` (`unauthorized`) without a polling loop while
//! the process keeps running.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::dm;
use super::fake::{Fake, PollFault};

use crate::gateway_proc::sigterm;
use crate::model;

const BOT: &str = "gwbot@im.bot";
const BOT_TOKEN: &str = "wx-gateway-token";
const USER: &str = "o9cq80userGateway@im.wechat";

/// A home with Weixin configured against `fake` (open DMs, everyone allowed, no text
/// batching) and the scripted model.
fn setup_home(home: &Path, fake: &Fake, model: &model::Model) {
    let h = home.join(".hermes");
    std::fs::create_dir_all(&h).unwrap();
    std::fs::write(
        h.join(".env"),
        format!(
            "WEIXIN_ACCOUNT_ID={BOT}\nWEIXIN_TOKEN={BOT_TOKEN}\nWEIXIN_BASE_URL={}\nWEIXIN_CDN_BASE_URL={}\nWEIXIN_DM_POLICY=open\nWEIXIN_ALLOW_ALL_USERS=true\nHERMES_GATEWAY_LOCK_DIR={}\n",
            fake.base_url,
            fake.cdn_url,
            home.join("locks").display()
        ),
    )
    .unwrap();
    std::fs::write(
        h.join("config.yaml"),
        format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\nplatforms:\n  weixin:\n    extra:\n      text_batch_delay_seconds: 0\n",
            model.url
        ),
    )
    .unwrap();
}

fn spawn_gateway(home: &Path) -> Child {
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

/// The `sendmessage` texts to `USER`, rejected attempts included.
fn sent(fake: &Fake) -> Vec<String> {
    fake.requests("sendmessage")
        .iter()
        .filter(|r| r.body["msg"]["to_user_id"] == USER)
        .filter_map(|r| {
            r.body["msg"]["item_list"][0]["text_item"]["text"]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// Waits (30 s at most) for `cond`, showing the gateway log when it never holds.
async fn wait_until(what: &str, home: &Path, fake: &Fake, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what}: not in time; sent: {:?}\nlog:\n{}",
            sent(fake),
            std::fs::read_to_string(home.join(".hermes/logs/gateway.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn read_state(home: &Path) -> Value {
    std::fs::read_to_string(home.join(".hermes/gateway_state.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_survives_a_dropped_poll_a_429_and_a_rate_limited_send() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let fake = Fake::start(BOT_TOKEN).await;
    let model = model::Model::start(Duration::ZERO).await;
    setup_home(home, &fake, &model);
    // The first poll's connection is dropped mid-answer, the second gets HTTP 429.
    fake.with(|s| s.poll_faults = [PollFault::HangUp, PollFault::Status(429)].into());
    let mut gw = spawn_gateway(home);
    fake.push(dm(1, USER, "hello", "ctx-1"));
    wait_until("the first answer", home, &fake, || {
        sent(&fake).iter().any(|t| t == "answer: hello")
    })
    .await;
    assert!(
        fake.with(|s| s.poll_faults.is_empty()),
        "both faults were hit"
    );
    assert!(fake.requests("getupdates").len() >= 3);

    // iLink answers `ret=-2` (a real rate limit): the reply is sent again.
    fake.with(|s| {
        s.send_script
            .push_back(json!({"ret": -2, "errmsg": "frequency limit"}));
    });
    fake.push(dm(2, USER, "again", "ctx-2"));
    wait_until("the answer after the rate limit", home, &fake, || {
        sent(&fake).iter().filter(|t| *t == "answer: again").count() == 2
    })
    .await;
    assert_eq!(model.requests(), 2);
    assert_eq!(sigterm(&mut gw), 0);
    fake.assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_parks_weixin_without_a_polling_loop() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let fake = Fake::start(BOT_TOKEN).await;
    let model = model::Model::start(Duration::ZERO).await;
    setup_home(home, &fake, &model);
    let mut gw = spawn_gateway(home);
    fake.push(dm(1, USER, "first", "ctx-1"));
    wait_until("the first answer", home, &fake, || {
        sent(&fake).iter().any(|t| t == "answer: first")
    })
    .await;

    // The token is revoked: every getupdates now answers HTTP 401.
    fake.with(|s| s.poll_http_status = Some(401));
    wait_until("weixin to be fatal", home, &fake, || {
        read_state(home)["platforms"]["weixin"]["state"] == "fatal"
    })
    .await;
    let state = read_state(home);
    assert_eq!(
        state["platforms"]["weixin"]["error_code"], "unauthorized",
        "{state}"
    );
    assert_eq!(state["gateway_state"], "running", "{state}");

    // Parked: no more polling, and the process keeps running.
    let polls = fake.requests("getupdates").len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(gw.try_wait().unwrap().is_none(), "the gateway still runs");
    assert_eq!(
        fake.requests("getupdates").len(),
        polls,
        "no polling once parked"
    );
    assert_eq!(sigterm(&mut gw), 0);
    fake.assert_clean();
}
