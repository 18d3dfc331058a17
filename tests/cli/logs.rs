//! `hermes logs` over real files in the original's format, including follow across rotation.

use std::io::Write;
use std::time::Duration;

use crate::TestEnv;

fn stamp(ago_secs: i64) -> String {
    let t = jiff::Zoned::now()
        .checked_sub(jiff::SignedDuration::from_secs(ago_secs))
        .unwrap();
    t.strftime("%Y-%m-%d %H:%M:%S,123").to_string()
}

fn sample(env: &TestEnv) -> std::path::PathBuf {
    let log = env.root().join("logs/agent.log");
    let text = format!(
        "{} INFO gateway.run: ✓ telegram connected\n\
         {} WARNING [20260406_185100_abc123] agent.loop: tool failed\n  Traceback line\n\
         {} ERROR platforms.discord: [Discord] gateway closed 4004\n\
         {} INFO cron: tick ran 0 jobs\n",
        stamp(7200),
        stamp(3000),
        stamp(600),
        stamp(60)
    );
    env.write(&log, &text);
    log
}

#[test]
fn tail_and_filters() {
    let env = TestEnv::new();
    sample(&env);
    let r = env.run(["logs"]).ok();
    assert_eq!(r.stdout.lines().count(), 5, "{r}");
    assert!(
        r.stderr
            .contains("--- ~/.hermes/logs/agent.log (last 50) ---"),
        "{r}"
    );
    let r = env.run(["logs", "-n", "1"]).ok();
    assert!(
        r.stdout.contains("tick ran 0 jobs") && r.stdout.lines().count() == 1,
        "{r}"
    );
    let r = env.run(["logs", "--level", "warning"]).ok();
    assert!(
        r.stdout.contains("tool failed")
            && r.stdout.contains("Traceback line")
            && r.stdout.contains("4004"),
        "{r}"
    );
    assert!(!r.stdout.contains("connected"), "{r}");
    assert!(r.stderr.contains("[level>=WARNING]"), "{r}");
    let r = env.run(["logs", "--component", "gateway"]).ok();
    assert_eq!(r.stdout.lines().count(), 2, "{r}");
    let r = env.run(["logs", "--platform", "discord"]).ok();
    assert_eq!(r.stdout.lines().count(), 1, "{r}");
    let r = env.run(["logs", "--session", "abc123"]).ok();
    assert!(r.stdout.contains("tool failed"), "{r}");
    let r = env.run(["logs", "--since", "1h"]).ok();
    assert_eq!(
        r.stdout.lines().count(),
        4,
        "the 2 h old record is out: {r}"
    );
    let r = env.run(["logs", "--json", "--level", "ERROR"]).ok();
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["component"], "platforms.discord");
    assert_eq!(v["level"], "ERROR");
    let r = env.run(["logs", "list"]).ok();
    assert!(r.stdout.contains("agent.log"), "{r}");
}

#[test]
fn errors() {
    let env = TestEnv::new();
    let r = env.run(["logs"]).code(1);
    assert!(
        r.stderr
            .contains("Log file not found: [TMP]/home/.hermes/logs/agent.log"),
        "{r}"
    );
    sample(&env);
    let r = env.run(["logs", "nope"]).code(1);
    assert!(
        r.stderr
            .contains("Unknown log: 'nope'. Available: agent, errors, gateway, list"),
        "{r}"
    );
    let r = env.run(["logs", "--since", "yesterday"]).code(1);
    assert!(
        r.stderr
            .contains("Invalid --since value: 'yesterday'. Use format like '1h', '30m', '2d'."),
        "{r}"
    );
    env.run(["logs", "--level", "LOUD"]).code(1);
    env.run(["logs", "--component", "kitchen"]).code(1);
}

#[test]
fn follow_survives_rotation_and_stops_on_ctrl_c() {
    let env = TestEnv::new();
    let log = sample(&env);
    let child = std::process::Command::new(TestEnv::bin())
        .args(["logs", "-f", "-n", "0"])
        .env_clear()
        .env("HOME", env.home())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let append = |text: &str| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&log)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append(&format!("{} INFO gateway.run: before rotation\n", stamp(0)));
    std::thread::sleep(Duration::from_millis(700));
    std::fs::rename(&log, log.with_extension("log.1")).unwrap();
    append(&format!("{} INFO gateway.run: after rotation\n", stamp(0)));
    std::thread::sleep(Duration::from_millis(900));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("before rotation") && stdout.contains("after rotation"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("tick ran"),
        "-n 0 prints no history: {stdout}"
    );
    assert!(stderr.contains("--- stopped ---"), "{stderr}");
}

/// The descriptors of `pid` that point at `path` (what the follower holds open).
fn holds_open(pid: u32, path: &std::path::Path) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|rd| {
        rd.filter_map(Result::ok)
            .any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l == path))
    })
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn follow_json_keeps_lines_written_just_before_rotation_and_their_traceback() {
    let env = TestEnv::new();
    let log = sample(&env);
    let rotated = log.with_extension("log.1");
    let child = std::process::Command::new(TestEnv::bin())
        .args(["logs", "-f", "-n", "0", "--json"])
        .env_clear()
        .env("HOME", env.home())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The follower holds agent.log open once it is following.
    wait_until("the follower opens agent.log", || {
        holds_open(child.id(), &log)
    });
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(
        format!(
            "{} ERROR gateway.run: before rotation\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom\n{} INFO gateway.run: last before rotation\n",
            stamp(0),
            stamp(0)
        )
        .as_bytes(),
    )
    .unwrap();
    drop(f);
    // Rotated at once, like a logging handler does: rename, then a new file in its place
    // (written whole, so the follower never sees it empty).
    std::fs::rename(&log, &rotated).unwrap();
    let fresh = log.with_extension("new");
    std::fs::write(
        &fresh,
        format!("{} INFO gateway.run: after rotation\n", stamp(0)),
    )
    .unwrap();
    std::fs::rename(&fresh, &log).unwrap();
    // Switched: the descriptor it holds is the new agent.log, not agent.log.1.
    wait_until("the follower switches to the new file", || {
        holds_open(child.id(), &log)
    });
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let messages: Vec<&str> = records
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "before rotation\nTraceback (most recent call last):\nFile \"x.py\", line 1\nValueError: boom",
            "last before rotation",
            "after rotation"
        ],
        "{stdout}"
    );
    assert_eq!(records[0]["level"], "ERROR");
}
