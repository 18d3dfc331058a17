//! `hermes sessions` and `hermes runs` against real `state.db` files: ones made through the
//! library, and one shaped exactly like upstream's.

use std::sync::Arc;

use hermes::store::{
    ManualClock, NewMessage, NewRun, NewSession, RunState, RunStore, SessionStore, Store,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::{TestEnv, mode};

/// Upstream 0.19's `state.db`: schema, FTS triggers, two sessions and a routing entry.
const UPSTREAM_SQL: &str = include_str!("../../src/store/testdata/upstream_state.sql");

/// A store in the test home, with the clock at `at`.
fn store_at(env: &TestEnv, at: &str) -> (Store, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at.parse::<Timestamp>().unwrap()));
    let store = Store::open_with_clock(&env.root().join("state.db"), clock.clone()).unwrap();
    (store, clock)
}

/// Two sessions: a titled Telegram chat with a tool call, and a Discord one.
fn two_sessions(env: &TestEnv) -> (String, String) {
    let (store, clock) = store_at(env, "2025-06-01T12:00:00Z");
    let tg = store
        .create_session(&NewSession {
            source: "telegram".into(),
            chat_id: Some("42".into()),
            chat_type: Some("dm".into()),
            model: Some("anthropic/claude-sonnet-4".into()),
            ..NewSession::default()
        })
        .unwrap();
    store
        .append_message(&tg.id, &NewMessage::user("What is in my home directory?"))
        .unwrap();
    store
        .append_message(
            &tg.id,
            &NewMessage {
                role: "assistant".into(),
                tool_calls: Some(serde_json::json!([{"id": "c1", "type": "function",
                    "function": {"name": "terminal", "arguments": "{\"cmd\":\"ls\"}"}}])),
                ..NewMessage::default()
            },
        )
        .unwrap();
    store
        .append_message(&tg.id, &NewMessage::tool("c1", "terminal", "notes.txt"))
        .unwrap();
    store
        .append_message(&tg.id, &NewMessage::assistant("Just notes.txt."))
        .unwrap();
    store.add_tokens(&tg.id, 120, 30).unwrap();
    store.set_title(&tg.id, Some("Home dir")).unwrap();
    clock.advance(SignedDuration::from_mins(1));
    let dc = store
        .create_session(&NewSession {
            source: "discord".into(),
            ..NewSession::default()
        })
        .unwrap();
    store
        .append_message(&dc.id, &NewMessage::user("hello from discord"))
        .unwrap();
    (tg.id, dc.id)
}

fn json(run: &crate::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"))
}

#[test]
fn list_without_a_database_creates_nothing() {
    let env = TestEnv::new();
    let run = env.run(["sessions", "list"]).ok();
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "No sessions found.\n");
    assert_eq!(
        json(&env.run(["sessions", "list", "--json"]).ok()),
        Value::Array(vec![])
    );
    assert!(!env.root().join("state.db").exists());
}

#[test]
fn list_filters_and_json() {
    let env = TestEnv::new();
    let (tg, dc) = two_sessions(&env);
    let run = env.run(["sessions", "list"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("Title") && lines[0].ends_with("ID"),
        "{run}"
    );
    assert!(
        lines[1].contains(&dc) && lines[1].contains("hello from discord"),
        "{run}"
    );
    assert!(
        lines[2].starts_with("Home dir") && lines[2].contains(&tg),
        "{run}"
    );

    let only = json(
        &env.run(["sessions", "list", "--platform", "telegram", "--json"])
            .ok(),
    );
    let items = only.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], tg.as_str());
    assert_eq!(items[0]["total_tokens"], 150);
    assert_eq!(items[0]["preview"], "What is in my home directory?");
    // Upstream's flag name works too.
    let via_source = json(
        &env.run(["sessions", "list", "--source", "discord", "--json"])
            .ok(),
    );
    assert_eq!(via_source[0]["id"], dc.as_str());
    let limited = json(&env.run(["sessions", "list", "--limit", "1", "--json"]).ok());
    assert_eq!(limited.as_array().unwrap().len(), 1);
}

#[test]
fn show_prints_the_transcript() {
    let env = TestEnv::new();
    let (tg, _) = two_sessions(&env);
    let run = env
        .run_with(["sessions", "show", &tg[..18]], &[("TZ", "UTC")], "")
        .ok();
    let expected_head = format!(
        "Session:  {tg}\nTitle:    Home dir\nSource:   telegram (dm 42)\n\
         Model:    anthropic/claude-sonnet-4\nStarted:  2025-06-01 12:00\n\
         Tokens:   120 in, 30 out, 150 total\nMessages: 4\n"
    );
    assert!(run.stdout.starts_with(&expected_head), "{run}");
    assert!(
        run.stdout
            .contains("[12:00] user: What is in my home directory?\n")
    );
    assert!(
        run.stdout
            .contains("[12:00] assistant → terminal({\"cmd\":\"ls\"})\n")
    );
    assert!(run.stdout.contains("[12:00] tool (terminal): notes.txt\n"));

    let data = json(&env.run(["sessions", "show", &tg, "--json"]).ok());
    assert_eq!(data["session"]["title"], "Home dir");
    assert_eq!(data["messages"].as_array().unwrap().len(), 4);
    assert_eq!(
        data["messages"][1]["tool_calls"][0]["function"]["name"],
        "terminal"
    );
}

#[test]
fn unknown_ids_fail_with_a_hint() {
    let env = TestEnv::new();
    two_sessions(&env);
    for args in [
        ["sessions", "show", "nope"],
        ["sessions", "export", "nope"],
        ["sessions", "delete", "nope"],
    ] {
        let run = env.run(args).code(1);
        assert_eq!(
            run.stderr,
            "Error: no session `nope`\nhint: run `hermes sessions list` to see session ids\n"
        );
    }
    let run = env.run(["sessions", "show", "2025"]).code(1);
    assert!(
        run.stderr
            .starts_with("Error: `2025` matches several sessions"),
        "{run}"
    );
    let run = env.run(["runs", "show", "7"]).code(1);
    assert_eq!(
        run.stderr,
        "Error: no run 7\nhint: run `hermes runs list` to see runs\n"
    );
}

#[test]
fn upstream_state_db_lists_shows_and_exports() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.root()).unwrap();
    rusqlite::Connection::open(env.root().join("state.db"))
        .unwrap()
        .execute_batch(UPSTREAM_SQL)
        .unwrap();

    let list = json(&env.run(["sessions", "list", "--json"]).ok());
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"20250101_120000_abc123"));

    let show = env.run(["sessions", "show", "20250101_120000_abc123"]).ok();
    assert!(show.stdout.contains("Title:    Upstream chat"), "{show}");
    assert!(
        show.stdout
            .contains("user: Hello from upstream\n  second line"),
        "{show}"
    );

    let out = env.home().join("export.jsonl");
    let out_arg = out.display().to_string();
    let run = env
        .run(["sessions", "export", "20250101_12", "-o", &out_arg])
        .ok();
    assert!(
        run.stderr.contains("Exported 1 session (4 messages)"),
        "{run}"
    );
    assert_eq!(mode(&out), 0o600);
    let text = env.read(&out);
    assert_eq!(text.lines().count(), 1);
    let line: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(line["title"], "Upstream chat");
    assert_eq!(line["input_tokens"], 100);
    assert_eq!(line["messages"][0]["timestamp"], 1_735_732_800.0);
    assert_eq!(line["messages"][3]["tool_name"], "terminal");

    let md = env
        .run([
            "sessions",
            "export",
            "20250101_120000_abc123",
            "--format",
            "md",
        ])
        .ok();
    assert!(md.stdout.starts_with("# Upstream chat\n"), "{md}");
    assert!(md.stdout.contains("## Tool `terminal`"), "{md}");

    let stats = json(&env.run(["sessions", "stats", "--json"]).ok());
    assert_eq!(
        (stats["sessions"].as_u64(), stats["messages"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(stats["by_platform"]["telegram"], 1);
}

#[test]
fn rename_delete_and_prune() {
    let env = TestEnv::new();
    let (tg, dc) = two_sessions(&env);
    let run = env
        .run(["sessions", "rename", &dc, "Discord", "small", "talk"])
        .ok();
    assert_eq!(
        run.stderr,
        format!("✓ Session '{dc}' renamed to: Discord small talk\n")
    );
    let taken = env.run(["sessions", "rename", &dc, "Home dir"]).code(1);
    assert!(
        taken
            .stderr
            .contains(&format!("already used by session {tg}")),
        "{taken}"
    );

    let refused = env.run(["sessions", "delete", &dc, "--no-input"]).code(1);
    assert!(refused.stderr.contains("pass `--yes`"), "{refused}");
    let kept = env
        .run_with(["sessions", "delete", &dc], &[], "n\n")
        .code(130);
    assert!(kept.stderr.contains("Cancelled"), "{kept}");
    env.run_with(["sessions", "delete", &dc], &[], "y\n").ok();
    env.run(["sessions", "show", &dc]).code(1);

    // Prune takes only ended sessions older than the cut-off.
    let none = env
        .run(["sessions", "prune", "--older-than", "1", "-y"])
        .ok();
    assert!(none.stderr.starts_with("No sessions match"), "{none}");
    let (store, _) = store_at(&env, "2025-06-02T00:00:00Z");
    store.end_session(&tg, "idle").unwrap();
    let dry = env
        .run(["sessions", "prune", "--older-than", "1", "--dry-run"])
        .ok();
    assert!(
        dry.stderr.contains(&tg) && dry.stderr.contains("Dry run"),
        "{dry}"
    );
    let pruned = env
        .run(["sessions", "prune", "--older-than", "1", "-y"])
        .ok();
    assert_eq!(pruned.stderr, "✓ Pruned 1 session(s).\n");
    assert!(store.session(&tg).unwrap().is_none());
    let stats = env.run(["sessions", "stats"]).ok();
    assert!(
        stats
            .stdout
            .starts_with("Total sessions: 0\nTotal messages: 0\n"),
        "{stats}"
    );
}

#[test]
fn runs_list_approve_discard_retry() {
    let env = TestEnv::new();
    let (store, _) = store_at(&env, "2025-06-01T12:00:00Z");
    let queue = |m: &str| {
        store
            .insert_queued(&NewRun {
                session_key: "agent:main:telegram:dm:42".into(),
                platform: "telegram".into(),
                chat_id: "42".into(),
                message_id: Some(m.into()),
                text: format!("please do {m}"),
                ..NewRun::default()
            })
            .unwrap()
            .run
            .id
    };
    let held = queue("a");
    let failed = queue("b");
    store.mark_awaiting_review(held, "new user").unwrap();
    store.claim().unwrap();
    store.claim().unwrap();
    store.mark_error(failed, "provider said no").unwrap();

    let list = json(
        &env.run(["runs", "list", "--state", "awaiting_review", "--json"])
            .ok(),
    );
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], held);
    let table = env.run(["runs", "list"]).ok();
    assert!(table.stdout.starts_with("ID  State"), "{table}");
    assert!(
        table.stdout.contains("awaiting_review  telegram:42"),
        "{table}"
    );

    let show = env.run(["runs", "show", &failed.to_string()]).ok();
    assert!(show.stdout.contains("State:    error\n"), "{show}");
    assert!(
        show.stdout.contains("Error:    provider said no\n"),
        "{show}"
    );

    let approved = env.run(["runs", "approve", &held.to_string()]).ok();
    assert_eq!(
        approved.stderr,
        format!("✓ Run {held} approved; it is queued again.\n")
    );
    assert_eq!(store.run(held).unwrap().unwrap().state, RunState::Queued);
    let twice = env.run(["runs", "approve", &held.to_string()]).code(1);
    assert_eq!(
        twice.stderr,
        format!("Error: run {held} is queued; cannot approve it\n")
    );
    env.run(["runs", "discard", &held.to_string()]).ok();
    assert_eq!(
        store.run(held).unwrap().unwrap().error.as_deref(),
        Some("discarded")
    );

    let bad = env.run(["runs", "approve", &failed.to_string()]).code(1);
    assert!(
        bad.stderr.contains("hint: use `hermes runs retry`"),
        "{bad}"
    );
    env.run(["runs", "retry", &failed.to_string()]).ok();
    assert_eq!(store.run(failed).unwrap().unwrap().state, RunState::Queued);
    env.run(["runs", "list", "--state", "bogus"]).code(2);
}
