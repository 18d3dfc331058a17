//! Schema and migrations. `sessions` and `messages` are shared with upstream's `state.db`:
//! created only if missing, and extended with `ADD COLUMN` when an older file lacks a column
//! we use. Our own tables are prefixed `hermes_`, and our version lives in
//! `hermes_schema_version` (upstream owns `schema_version`).

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::store::StoreError;

/// Upstream-compatible `sessions` and `messages` (a subset of upstream's columns, same names
/// and types; upstream adds the rest itself when it next opens the file).
const SHARED_TABLES: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    user_id TEXT,
    session_key TEXT,
    chat_id TEXT,
    chat_type TEXT,
    thread_id TEXT,
    display_name TEXT,
    origin_json TEXT,
    model TEXT,
    parent_session_id TEXT,
    started_at REAL NOT NULL,
    ended_at REAL,
    end_reason TEXT,
    message_count INTEGER DEFAULT 0,
    tool_call_count INTEGER DEFAULT 0,
    input_tokens INTEGER DEFAULT 0,
    output_tokens INTEGER DEFAULT 0,
    title TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (parent_session_id) REFERENCES sessions(id)
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    role TEXT NOT NULL,
    content TEXT,
    tool_call_id TEXT,
    tool_calls TEXT,
    tool_name TEXT,
    timestamp REAL NOT NULL,
    token_count INTEGER,
    finish_reason TEXT,
    platform_message_id TEXT,
    active INTEGER NOT NULL DEFAULT 1
);
";

/// Columns we read or write, added to an older upstream file that lacks them.
const SHARED_COLUMNS: &[(&str, &str, &str)] = &[
    ("sessions", "user_id", "TEXT"),
    ("sessions", "session_key", "TEXT"),
    ("sessions", "chat_id", "TEXT"),
    ("sessions", "chat_type", "TEXT"),
    ("sessions", "thread_id", "TEXT"),
    ("sessions", "display_name", "TEXT"),
    ("sessions", "origin_json", "TEXT"),
    ("sessions", "model", "TEXT"),
    ("sessions", "parent_session_id", "TEXT"),
    ("sessions", "ended_at", "REAL"),
    ("sessions", "end_reason", "TEXT"),
    ("sessions", "message_count", "INTEGER DEFAULT 0"),
    ("sessions", "tool_call_count", "INTEGER DEFAULT 0"),
    ("sessions", "input_tokens", "INTEGER DEFAULT 0"),
    ("sessions", "output_tokens", "INTEGER DEFAULT 0"),
    ("sessions", "title", "TEXT"),
    ("sessions", "archived", "INTEGER NOT NULL DEFAULT 0"),
    ("messages", "tool_call_id", "TEXT"),
    ("messages", "tool_calls", "TEXT"),
    ("messages", "tool_name", "TEXT"),
    ("messages", "token_count", "INTEGER"),
    ("messages", "finish_reason", "TEXT"),
    ("messages", "platform_message_id", "TEXT"),
    ("messages", "active", "INTEGER NOT NULL DEFAULT 1"),
];

/// Indexes on shared tables, named as upstream names them so neither side duplicates them.
const SHARED_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS idx_sessions_source ON sessions(source);
CREATE INDEX IF NOT EXISTS idx_sessions_started ON sessions(started_at DESC);
CREATE INDEX IF NOT EXISTS idx_sessions_parent ON sessions(parent_session_id);
CREATE INDEX IF NOT EXISTS idx_messages_session ON messages(session_id, timestamp);
";

/// Our migrations, in order; entry `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the routing index and durable runs.
    "
CREATE TABLE hermes_routes (
    session_key TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    origin_json TEXT,
    platform TEXT,
    chat_type TEXT,
    display_name TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    was_auto_reset INTEGER NOT NULL DEFAULT 0,
    auto_reset_reason TEXT,
    resume_pending INTEGER NOT NULL DEFAULT 0,
    model_override_json TEXT
);
CREATE INDEX idx_hermes_routes_session ON hermes_routes(session_id);
CREATE TABLE hermes_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_key TEXT NOT NULL,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    thread_id TEXT,
    user_id TEXT,
    message_id TEXT,
    origin_json TEXT,
    text TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('queued', 'running', 'sent', 'retry_pending', 'awaiting_review', 'error')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    reply TEXT,
    error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (platform, message_id)
);
CREATE INDEX idx_hermes_runs_state ON hermes_runs(state, next_attempt_at);
CREATE INDEX idx_hermes_runs_session ON hermes_runs(session_key, state);
",
];

/// The schema version this build writes.
pub(super) const VERSION: u32 = 1;

/// Brings the database to [`VERSION`] in one transaction; a failure leaves it untouched.
/// An up-to-date database is only read, so opening never waits for another process's writer.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    if is_current(conn).unwrap_or(false) {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| err(0, e))?;
    tx.execute_batch(SHARED_TABLES).map_err(|e| err(0, e))?;
    add_missing_columns(&tx).map_err(|e| err(0, e))?;
    tx.execute_batch(SHARED_INDEXES).map_err(|e| err(0, e))?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS hermes_schema_version (version INTEGER NOT NULL)")
        .map_err(|e| err(0, e))?;
    let current: Option<u32> = tx
        .query_row("SELECT MAX(version) FROM hermes_schema_version", [], |r| {
            r.get(0)
        })
        .map_err(|e| err(0, e))?;
    let current = current.unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if version <= current {
            continue;
        }
        tx.execute_batch(sql).map_err(|e| err(version, e))?;
    }
    if current < VERSION {
        tx.execute("DELETE FROM hermes_schema_version", [])
            .map_err(|e| err(VERSION, e))?;
        tx.execute(
            "INSERT INTO hermes_schema_version (version) VALUES (?1)",
            [VERSION],
        )
        .map_err(|e| err(VERSION, e))?;
    }
    tx.commit().map_err(|e| err(VERSION, e))
}

/// Whether our version is recorded and every shared column exists (a read, no write lock).
fn is_current(conn: &Connection) -> rusqlite::Result<bool> {
    let has_version_table = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'hermes_schema_version'",
            [],
            |r| r.get::<_, i64>(0),
        )?
        > 0;
    if !has_version_table || recorded_version(conn)? < VERSION {
        return Ok(false);
    }
    for table in ["sessions", "messages"] {
        let have = columns(conn, table)?;
        let complete = SHARED_COLUMNS
            .iter()
            .filter(|(t, _, _)| *t == table)
            .all(|(_, c, _)| have.iter().any(|h| h.eq_ignore_ascii_case(c)));
        if have.is_empty() || !complete {
            return Ok(false);
        }
    }
    Ok(true)
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
    stmt.query_map([], |r| r.get::<_, String>(1))?.collect()
}

fn err(version: u32, e: rusqlite::Error) -> StoreError {
    StoreError::Migrate {
        version,
        source: Box::new(e),
    }
}

fn add_missing_columns(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for table in ["sessions", "messages"] {
        let have = columns(tx, table)?;
        for (_, column, decl) in SHARED_COLUMNS.iter().filter(|(t, _, _)| *t == table) {
            if !have.iter().any(|h| h.eq_ignore_ascii_case(column)) {
                tx.execute_batch(&format!(
                    "ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" {decl}"
                ))?;
            }
        }
    }
    Ok(())
}

/// The version recorded in the database.
pub(super) fn recorded_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("SELECT MAX(version) FROM hermes_schema_version", [], |r| {
        r.get::<_, Option<u32>>(0)
    })
    .map(Option::unwrap_or_default)
}
