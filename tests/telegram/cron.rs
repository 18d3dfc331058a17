//! Cron end to end against the real Bot API emulator (npm `telegram-test-api`): while
//! `hermes gateway run` runs, a job made with `hermes cron create "every 1m" ... --deliver
//! telegram:<chat>` fires on the gateway's own tick and its answer reaches the chat.
//!
//! Test seams, both documented: `HERMES_CRON_TICK_SECONDS=1` makes the gateway tick every
//! second instead of every 60 s, and the job's `next_run_at` in `cron/jobs.json` (a file users
//! may edit by hand; the ticker re-reads it when it changes) is moved a few seconds into the
//! past, so the first run is due now instead of in a minute. Nothing forces the run: the
//! scheduler finds it due and fires it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::gateway_proc::{sigterm, write};
use serde_json::{Value, json};

// The scripted model server, as `gateway` uses it (that module keeps its copy private).
#[allow(clippy::duplicate_mod)]
#[path = "../gateway/model.rs"]
mod model;

const CHAT: i64 = 5151;

fn fact(key: &str) -> String {
    crate::peer::fact("telegram", key)
}

fn hermes(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hermes"));
    c.env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .env("HERMES_GATEWAY_LOCK_DIR", home.join("locks"));
    c
}

fn cli(home: &Path, args: &[&str]) -> std::process::Output {
    let out = hermes(home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "hermes {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What the bot has sent to `CHAT` and the user has not read yet (each returned once).
async fn chat_reads(token: &str) -> Vec<String> {
    let v: Value = reqwest::Client::new()
        .post(fact("USER_GET_UPDATES_URL"))
        .json(&json!({"token": token, "chatId": CHAT}))
        .send()
        .await
        .expect("emulator reachable")
        .json()
        .await
        .expect("json");
    v["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|u| u["message"]["text"].as_str().map(str::to_string))
        .collect()
}

/// Moves every job's `next_run_at` to a few seconds ago (within the catch-up grace).
fn make_due_now(home: &Path) {
    let path = home.join(".hermes/cron/jobs.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let past = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_secs(5))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    for job in doc["jobs"].as_array_mut().unwrap() {
        job["next_run_at"] = Value::String(past.clone());
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_every_minute_job_created_from_the_cli_reaches_the_chat_on_the_gateways_tick() {
    let token = "4000001:AAHermesTest_cron_every_minute";
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let model = model::Model::start(Duration::ZERO).await;
    write(
        &home.join(".hermes/.env"),
        &format!(
            "TELEGRAM_BOT_TOKEN={token}\nTELEGRAM_BASE_URL={}\nTELEGRAM_ALLOWED_USERS={CHAT}\n",
            fact("BOT_API_URL")
        ),
    );
    write(
        &home.join(".hermes/config.yaml"),
        &format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\n",
            model.url
        ),
    );
    let mut gw = hermes(home)
        .args(["gateway", "run"])
        .env("HERMES_CRON_TICK_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let target = format!("telegram:{CHAT}");
    cli(
        home,
        &[
            "cron",
            "create",
            "every 1m",
            "say the daily word",
            "--name",
            "word",
            "--deliver",
            &target,
        ],
    );
    make_due_now(home);

    let start = Instant::now();
    let mut got = Vec::new();
    while !got
        .iter()
        .any(|t: &String| t.contains("Cronjob Response: word"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "no cron delivery in time; chat got {got:?}\nlog:\n{}",
            std::fs::read_to_string(home.join(".hermes/logs/agent.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        got.extend(chat_reads(token).await);
    }
    let delivered = got
        .iter()
        .find(|t| t.contains("Cronjob Response: word"))
        .unwrap();
    assert!(
        delivered.contains("answer: say the daily word"),
        "the agent's answer is delivered: {delivered}"
    );
    assert_eq!(model.requests(), 1, "one fresh agent turn");

    let out = cli(home, &["cron", "list", "--json"]);
    let jobs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let job = &jobs[0];
    assert_eq!(job["last_status"], "ok", "{job}");
    assert_eq!(job["repeat"]["completed"], 1, "{job}");
    let next: jiff::Timestamp = job["next_run_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next > jiff::Timestamp::now(),
        "advanced to the next minute: {job}"
    );
    let runs = cli(home, &["cron", "runs", "--json"]);
    let runs: Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(runs[0]["status"], "ok", "{runs}");
    assert_eq!(runs[0]["delivery_status"], "delivered", "{runs}");
    assert_eq!(sigterm(&mut gw), 0);
}

/// `hermes send` against the project's Bot API fake (`fake_api`, written from the Bot API
/// reference: it records `sendMessage`, `sendPhoto` and `sendDocument`, which the emulator
/// lacks).
mod send {
    use std::io::Write as _;
    use std::path::Path;
    use std::process::{Output, Stdio};

    use crate::fake_api::FakeApi;

    const TOKEN: &str = "123456:SendTestTokenAAAAAAAAAAAAAAAAAAAAAAAAAA";

    fn home(api: &FakeApi) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        super::write(
            &dir.path().join(".hermes/.env"),
            &format!(
                "TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_BASE_URL={}\nTELEGRAM_HOME_CHANNEL=42\n",
                api.base
            ),
        );
        dir
    }

    fn send(home: &Path, args: &[&str], stdin: &str) -> Output {
        let mut child = super::hermes(home)
            .arg("send")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn texts(api: &FakeApi) -> Vec<String> {
        api.calls("sendMessage")
            .iter()
            .filter_map(|r| r.body["text"].as_str().map(str::to_string))
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn file_dash_reads_stdin_and_q_prints_nothing() {
        let api = FakeApi::start(TOKEN).await;
        let dir = home(&api);
        let out = send(
            dir.path(),
            &["-t", "telegram", "-f", "-", "-q"],
            "RAM 92%\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(texts(&api), ["RAM 92%"]);
        assert_eq!(
            api.calls("sendMessage")[0].body["chat_id"]
                .to_string()
                .trim_matches('"'),
            "42"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fan_out_reports_what_it_cannot_send_and_fails() {
        let api = FakeApi::start(TOKEN).await;
        let dir = home(&api);
        let out = send(
            dir.path(),
            &["-t", "telegram:7,discord:9,slack", "hello"],
            "",
        );
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(texts(&api), ["hello"], "the reachable target still gets it");
        assert!(err.contains("Sent to telegram:7"), "{err}");
        assert!(
            err.contains("Not sent to discord:9: discord is not configured in this profile"),
            "{err}"
        );
        assert!(err.contains("Not sent: slack: no home channel"), "{err}");
        assert!(err.contains("2 of 3 target(s) not sent"), "{err}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn setup_errors_are_shown_as_they_are_and_list_filters() {
        let api = FakeApi::start(TOKEN).await;
        let dir = home(&api);
        let out = send(dir.path(), &["--list", "telegram"], "");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success());
        assert!(
            stdout.contains("telegram") && stdout.contains("42"),
            "{stdout}"
        );
        let out = send(dir.path(), &["--list", "discord", "--json"], "");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");

        let broken = tempfile::tempdir().unwrap();
        super::write(
            &broken.path().join(".hermes/.env"),
            "TELEGRAM_BOT_TOKEN=xxxxxxxxxxxxxxxx\nTELEGRAM_HOME_CHANNEL=42\n",
        );
        let out = send(broken.path(), &["-t", "telegram", "hi"], "");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("Not sent to telegram:42: telegram is enabled but TELEGRAM_BOT_TOKEN is set to a placeholder value"),
            "{err}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn media_tags_go_out_as_attachments() {
        let api = FakeApi::start(TOKEN).await;
        let dir = home(&api);
        let report = dir.path().join("report.txt");
        std::fs::write(&report, "uptime 99.9%\n").unwrap();
        let text = format!("weekly report\nMEDIA:{}", report.display());
        let out = send(dir.path(), &["-t", "telegram", &text], "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let docs = api.calls("sendDocument");
        assert_eq!(docs.len(), 1, "{:?}", api.calls("sendMessage"));
        let raw = String::from_utf8_lossy(&docs[0].raw).to_string();
        assert!(raw.contains("uptime 99.9%"), "the file is uploaded: {raw}");
        assert!(
            !texts(&api).iter().any(|t| t.contains("MEDIA:")),
            "the tag is not sent as text"
        );
        let out = send(
            dir.path(),
            &["-t", "telegram", "MEDIA:/no/such/file.png"],
            "",
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("cannot attach /no/such/file.png: no such file")
        );
    }
}
