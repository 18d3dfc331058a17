//! Tests of the `SQLite` store against real files in temp dirs: opening, migrations and
//! upstream files here; sessions, runs and routes in the submodules.

mod routes;
mod runs;
mod sessions;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

use super::{Store, schema};
use crate::gateway::session_key::{ChatType, SessionSource};
use crate::store::{
    Clock, ManualClock, NewMessage, NewRun, NewSession, Route, RouteStore, RunState, RunStore,
    SessionQuery, SessionStore, StoreError,
};

/// Upstream 0.19's schema and a few rows, as written by its `hermes_state.py`.
const UPSTREAM_SQL: &str = include_str!("../../testdata/upstream_state.sql");

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    clock: Arc<ManualClock>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        Self {
            _dir: dir,
            path,
            clock: Arc::new(ManualClock::new(t("2025-06-01T12:00:00Z"))),
        }
    }

    fn open(&self) -> Store {
        Store::open_with_clock(&self.path, self.clock.clone())
            .unwrap()
            .with_time_zone(TimeZone::UTC)
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap()
    }
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn telegram(chat: &str) -> NewSession {
    NewSession {
        source: "telegram".into(),
        chat_id: Some(chat.into()),
        chat_type: Some("dm".into()),
        session_key: Some(format!("agent:main:telegram:dm:{chat}")),
        model: Some("anthropic/claude-sonnet-4".into()),
        ..NewSession::default()
    }
}

fn run_for(chat: &str, message_id: &str) -> NewRun {
    NewRun {
        session_key: format!("agent:main:telegram:dm:{chat}"),
        platform: "telegram".into(),
        chat_id: chat.into(),
        user_id: Some(chat.into()),
        message_id: Some(message_id.into()),
        text: format!("hello {message_id}"),
        origin: Some(SessionSource {
            platform: "telegram".into(),
            chat_id: chat.into(),
            chat_type: ChatType::Dm,
            ..SessionSource::default()
        }),
        ..NewRun::default()
    }
}

// ---- opening and migrations -------------------------------------------------------------

#[test]
fn open_creates_private_wal_database() {
    let f = Fixture::new();
    let store = f.open();
    let mode = std::fs::metadata(&f.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let conn = store.conn();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    assert_eq!(schema::recorded_version(&conn).unwrap(), schema::VERSION);
}

#[test]
fn migrations_are_idempotent() {
    let f = Fixture::new();
    let id = f.open().create_session(&telegram("1")).unwrap().id;
    let again = f.open();
    let third = f.open();
    assert_eq!(
        schema::recorded_version(&again.conn()).unwrap(),
        schema::VERSION
    );
    let rows: i64 = third
        .conn()
        .query_row("SELECT COUNT(*) FROM hermes_schema_version", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows, 1);
    assert!(again.session(&id).unwrap().is_some());
    // Upstream's own version table is never created or touched by us.
    let upstream: Option<String> = again
        .conn()
        .query_row(
            "SELECT name FROM sqlite_master WHERE name = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .ok();
    assert_eq!(upstream, None);
}

#[test]
fn open_reports_unusable_path() {
    let f = Fixture::new();
    std::fs::create_dir(f.dir().join("state.db")).unwrap();
    let err = Store::open(&f.path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(!err.hints().is_empty());
}

// ---- upstream compatibility -------------------------------------------------------------

#[test]
fn upstream_database_opens_and_extends_without_loss() {
    let f = Fixture::new();
    Connection::open(&f.path)
        .unwrap()
        .execute_batch(UPSTREAM_SQL)
        .unwrap();
    let store = f.open();

    let listed = store.list_sessions(&SessionQuery::default()).unwrap();
    let ids: Vec<&str> = listed.iter().map(|s| s.session.id.as_str()).collect();
    assert!(ids.contains(&"20250101_120000_abc123") && ids.contains(&"20250102_090000_def456"));
    let tg = listed
        .iter()
        .find(|s| s.session.id == "20250101_120000_abc123")
        .unwrap();
    assert_eq!(tg.session.title.as_deref(), Some("Upstream chat"));
    assert_eq!(tg.preview, "Hello from upstream second line");
    assert_eq!(tg.session.total_tokens(), 150);
    assert_eq!(tg.last_active, t("2025-01-01T12:00:07Z"));

    let msgs = store.messages("20250101_120000_abc123").unwrap();
    assert_eq!(msgs.len(), 4);
    assert_eq!(
        msgs[2].tool_calls.as_ref().unwrap()[0]["function"]["name"],
        "terminal"
    );
    assert_eq!(msgs[3].tool_name.as_deref(), Some("terminal"));

    // Appending goes through upstream's FTS triggers, and upstream-only columns stay.
    store
        .append_message("20250101_120000_abc123", &NewMessage::user("from rust"))
        .unwrap();
    let conn = store.conn();
    let fts: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'rust'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fts, 1);
    let (version, cols): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT version FROM schema_version), \
             (SELECT COUNT(*) FROM pragma_table_info('sessions'))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(version, 22);
    assert!(cols > 40, "upstream's columns are kept: {cols}");
    drop(conn);

    // The routing index comes over from upstream's gateway_routing table.
    assert_eq!(
        store
            .import_upstream_routes(&f.dir().join("sessions.json"))
            .unwrap(),
        1
    );
    let route = store.route("agent:main:telegram:dm:42").unwrap().unwrap();
    assert_eq!(route.session_id, "20250101_120000_abc123");
    assert!(route.resume_pending);
    assert_eq!(route.origin.unwrap().user_name.as_deref(), Some("ann"));
    assert_eq!(route.updated_at, t("2025-01-01T12:05:00Z"));
}

#[test]
fn older_upstream_tables_gain_missing_columns() {
    let f = Fixture::new();
    Connection::open(&f.path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT NULL, model TEXT,
                started_at REAL NOT NULL, ended_at REAL, end_reason TEXT,
                message_count INTEGER DEFAULT 0);
             CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL,
                content TEXT, timestamp REAL NOT NULL);
             INSERT INTO sessions VALUES ('20240101_000000_aaaaaa', 'cli', 'gpt-4', 1704067200, NULL, NULL, 1);
             INSERT INTO messages (session_id, role, content, timestamp)
                VALUES ('20240101_000000_aaaaaa', 'user', 'old times', 1704067201);",
        )
        .unwrap();
    let store = f.open();
    let s = store.session("20240101_000000_aaaaaa").unwrap().unwrap();
    assert_eq!(
        (s.source.as_str(), s.title, s.archived),
        ("cli", None, false)
    );
    let msgs = store.messages(&s.id).unwrap();
    assert_eq!(msgs[0].content.as_deref(), Some("old times"));
    store.set_title(&s.id, Some("kept")).unwrap();
    assert_eq!(store.remove_last_exchange(&s.id).unwrap(), 1);
    assert!(store.messages(&s.id).unwrap().is_empty());
}
