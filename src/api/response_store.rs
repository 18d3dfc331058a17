//! Stored Responses for `previous_response_id` chaining and `GET /v1/responses/{id}`: upstream's
//! `response_store.db` (tables `responses` and `conversations`), bounded, least recently used
//! first out. Falls back to an in-memory database when the file cannot be opened.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::state::LOG;
use crate::store::Clock;

/// What is kept per response.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredResponse {
    /// The response object as returned to the client.
    pub(crate) response: Value,
    /// The whole conversation after this response (`OpenAI` message shape).
    #[serde(default)]
    pub(crate) conversation_history: Vec<Value>,
    /// The instructions in force (carried to the next response).
    #[serde(default)]
    pub(crate) instructions: Option<String>,
    /// The hermes session the chain belongs to.
    #[serde(default)]
    pub(crate) session_id: Option<String>,
}

/// The store.
pub(crate) struct ResponseStore {
    conn: Mutex<Connection>,
    max: usize,
    clock: Arc<dyn Clock>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS responses (
    response_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    accessed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
    name TEXT PRIMARY KEY,
    response_id TEXT NOT NULL
);";

fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // Conversation history is private: create the file 0600 before SQLite touches it.
    let _ = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

impl ResponseStore {
    /// Opens `path`, or an in-memory store when that fails.
    pub(crate) fn open(path: &Path, max: usize, clock: Arc<dyn Clock>) -> Self {
        let conn = open_file(path).unwrap_or_else(|e| {
            crate::logs::warn(
                LOG,
                format_args!(
                    "cannot open {} ({e}); stored responses are kept in memory",
                    path.display()
                ),
            );
            Self::memory()
        });
        Self {
            conn: Mutex::new(conn),
            max,
            clock,
        }
    }

    fn memory() -> Connection {
        // An in-memory SQLite database only fails to open when out of memory.
        let conn = Connection::open_in_memory().expect("in-memory SQLite opens");
        conn.execute_batch(SCHEMA)
            .expect("schema applies to an empty in-memory database");
        conn
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // SQLite rolls back unfinished statements; a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now(&self) -> f64 {
        // Millisecond precision is plenty for LRU order.
        #[allow(clippy::cast_precision_loss)]
        let ms = self.clock.now().as_millisecond() as f64;
        ms / 1000.0
    }

    /// The stored response (its access time refreshed), if any.
    pub(crate) fn get(&self, id: &str) -> Option<StoredResponse> {
        let conn = self.conn();
        let data: Option<String> = conn
            .query_row(
                "SELECT data FROM responses WHERE response_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten();
        let data = data?;
        let _ = conn.execute(
            "UPDATE responses SET accessed_at = ?1 WHERE response_id = ?2",
            params![self.now(), id],
        );
        if let Ok(v) = serde_json::from_str(&data) {
            Some(v)
        } else {
            // Corrupt rows are dropped, as upstream does.
            let _ = conn.execute("DELETE FROM responses WHERE response_id = ?1", [id]);
            None
        }
    }

    /// Stores a response, dropping the least recently used beyond the bound.
    pub(crate) fn put(&self, id: &str, data: &StoredResponse) {
        let Ok(text) = serde_json::to_string(data) else {
            return;
        };
        let conn = self.conn();
        let res = conn
            .execute(
                "INSERT OR REPLACE INTO responses (response_id, data, accessed_at) \
                 VALUES (?1, ?2, ?3)",
                params![id, text, self.now()],
            )
            .and_then(|_| {
                let max = i64::try_from(self.max).unwrap_or(i64::MAX);
                conn.execute(
                    "DELETE FROM conversations WHERE response_id IN (SELECT response_id FROM \
                     responses ORDER BY accessed_at DESC, rowid DESC LIMIT -1 OFFSET ?1)",
                    [max],
                )?;
                conn.execute(
                    "DELETE FROM responses WHERE response_id IN (SELECT response_id FROM \
                     responses ORDER BY accessed_at DESC, rowid DESC LIMIT -1 OFFSET ?1)",
                    [max],
                )
            });
        if let Err(e) = res {
            crate::logs::warn(LOG, format_args!("cannot store response {id}: {e}"));
        }
    }

    /// Deletes a response (and conversation names pointing at it); false if absent.
    pub(crate) fn delete(&self, id: &str) -> bool {
        let conn = self.conn();
        let _ = conn.execute("DELETE FROM conversations WHERE response_id = ?1", [id]);
        conn.execute("DELETE FROM responses WHERE response_id = ?1", [id])
            .is_ok_and(|n| n > 0)
    }

    /// The latest response of a named conversation.
    pub(crate) fn conversation(&self, name: &str) -> Option<String> {
        self.conn()
            .query_row(
                "SELECT response_id FROM conversations WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten()
    }

    /// Points a conversation name at its latest response.
    pub(crate) fn set_conversation(&self, name: &str, id: &str) {
        let _ = self.conn().execute(
            "INSERT OR REPLACE INTO conversations (name, response_id) VALUES (?1, ?2)",
            params![name, id],
        );
    }

    /// Responses stored.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.conn()
            .query_row("SELECT COUNT(*) FROM responses", [], |r| r.get::<_, i64>(0))
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};
    use serde_json::json;

    use super::*;
    use crate::store::ManualClock;

    fn stored(n: u32) -> StoredResponse {
        StoredResponse {
            response: json!({"id": n}),
            conversation_history: vec![json!({"role": "user", "content": "hi"})],
            instructions: None,
            session_id: Some("api-0000000000000000".into()),
        }
    }

    #[test]
    fn lru_bound_and_conversations() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::UNIX_EPOCH));
        let path = dir.path().join("response_store.db");
        let s = ResponseStore::open(&path, 2, clock.clone());
        s.put("a", &stored(1));
        clock.advance(SignedDuration::from_secs(1));
        s.put("b", &stored(2));
        clock.advance(SignedDuration::from_secs(1));
        s.set_conversation("chat", "a");
        assert_eq!(s.get("a").unwrap().response, json!({"id": 1}));
        clock.advance(SignedDuration::from_secs(1));
        s.put("c", &stored(3));
        assert_eq!(s.len(), 2);
        assert!(s.get("b").is_none(), "b was least recently used");
        assert_eq!(s.conversation("chat").as_deref(), Some("a"));
        assert!(s.delete("a"));
        assert!(!s.delete("a"));
        assert_eq!(s.conversation("chat"), None);
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        drop(s);
        let again = ResponseStore::open(&path, 2, clock);
        assert!(again.get("c").is_some(), "responses survive a restart");
    }
}
