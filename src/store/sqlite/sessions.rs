//! `SessionStore` over `SQLite`: upstream's `sessions` and `messages` tables, times as epoch
//! seconds, multimodal content as upstream's `\0json:` prefixed text.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use super::{Cached as _, Store, db};
use crate::store::clock::{from_epoch, to_epoch};
use crate::store::{
    Message, NewMessage, NewSession, RecordedTurn, Session, SessionQuery, SessionStore,
    SessionSummary, StoreError, StoreStats, sanitize_title,
};

/// Upstream's marker for content stored as JSON (a list of parts).
const JSON_CONTENT_PREFIX: &str = "\u{0}json:";

const SESSION_COLS: &str = "s.id, s.source, s.user_id, s.session_key, s.chat_id, s.chat_type, \
    s.thread_id, s.display_name, s.model, s.parent_session_id, s.title, s.started_at, \
    s.ended_at, s.end_reason, s.message_count, s.tool_call_count, s.input_tokens, \
    s.output_tokens, s.archived";

const MESSAGE_COLS: &str = "id, session_id, role, content, tool_calls, tool_call_id, tool_name, \
    timestamp, token_count, finish_reason";

fn count(v: Option<i64>) -> u64 {
    v.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: r.get(0)?,
        source: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        user_id: r.get(2)?,
        session_key: r.get(3)?,
        chat_id: r.get(4)?,
        chat_type: r.get(5)?,
        thread_id: r.get(6)?,
        display_name: r.get(7)?,
        model: r.get(8)?,
        parent_id: r.get(9)?,
        title: r.get(10)?,
        started_at: from_epoch(r.get::<_, Option<f64>>(11)?.unwrap_or_default()),
        ended_at: r.get::<_, Option<f64>>(12)?.map(from_epoch),
        end_reason: r.get(13)?,
        message_count: count(r.get(14)?),
        tool_call_count: count(r.get(15)?),
        input_tokens: count(r.get(16)?),
        output_tokens: count(r.get(17)?),
        archived: r.get::<_, Option<i64>>(18)?.unwrap_or(0) != 0,
    })
}

/// Splits stored content into display text and, for multimodal content, its parts.
fn decode_content(raw: Option<String>) -> (Option<String>, Option<Value>) {
    let Some(raw) = raw else {
        return (None, None);
    };
    let Some(json) = raw.strip_prefix(JSON_CONTENT_PREFIX) else {
        return (Some(raw), None);
    };
    let Ok(parts) = serde_json::from_str::<Value>(json) else {
        return (Some(raw), None);
    };
    let text = match &parts {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    };
    (Some(text), Some(parts))
}

fn message_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    let (content, parts) = decode_content(r.get(3)?);
    let tool_calls = r
        .get::<_, Option<String>>(4)?
        .filter(|s| !s.is_empty())
        .map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s)));
    Ok(Message {
        id: r.get(0)?,
        session_id: r.get(1)?,
        role: r.get(2)?,
        content,
        parts,
        tool_calls,
        tool_call_id: r.get(5)?,
        tool_name: r.get(6)?,
        timestamp: from_epoch(r.get::<_, Option<f64>>(7)?.unwrap_or_default()),
        token_count: r
            .get::<_, Option<i64>>(8)?
            .and_then(|n| u64::try_from(n).ok()),
        finish_reason: r.get(9)?,
    })
}

/// First user message on one line, cut at 60 characters as upstream's listing does.
fn preview(raw: Option<String>) -> String {
    let (text, _) = decode_content(raw);
    let line = text
        .unwrap_or_default()
        .replace(['\n', '\r'], " ")
        .trim()
        .to_string();
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(60).collect();
        format!("{cut}...")
    } else {
        line
    }
}

/// `YYYYMMDD_HHMMSS_<6 hex>` from local time and 3 random bytes.
pub(super) fn new_session_id(now: Timestamp, tz: &TimeZone) -> String {
    let mut bytes = [0u8; 3];
    // Without OS randomness fall back to the sub-second clock; ids stay unique per second
    // in practice and a collision is retried by the caller.
    if getrandom::fill(&mut bytes).is_err() {
        bytes = now.subsec_nanosecond().to_le_bytes()[..3]
            .try_into()
            .unwrap_or([0; 3]);
    }
    format!(
        "{}_{:02x}{:02x}{:02x}",
        now.to_zoned(tz.clone()).strftime("%Y%m%d_%H%M%S"),
        bytes[0],
        bytes[1],
        bytes[2]
    )
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    pub(super) fn exists(tx: &rusqlite::Connection, id: &str) -> Result<bool, StoreError> {
        tx.row_cached("SELECT 1 FROM sessions WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(db("look up a session"))
    }

    /// Deletes sessions (children detached, routes to them dropped) inside `tx`.
    fn delete_in(tx: &Transaction<'_>, ids: &[String]) -> Result<usize, StoreError> {
        let op = "delete sessions";
        let mut n = 0;
        for id in ids {
            tx.exec_cached(
                "UPDATE sessions SET parent_session_id = NULL WHERE parent_session_id = ?1",
                [id],
            )
            .map_err(db(op))?;
            tx.exec_cached("DELETE FROM messages WHERE session_id = ?1", [id])
                .map_err(db(op))?;
            tx.exec_cached("DELETE FROM hermes_routes WHERE session_id = ?1", [id])
                .map_err(db(op))?;
            n += tx
                .exec_cached("DELETE FROM sessions WHERE id = ?1", [id])
                .map_err(db(op))?;
        }
        Ok(n)
    }

    fn messages_where(
        &self,
        session_id: &str,
        limit: Option<usize>,
    ) -> Result<Vec<Message>, StoreError> {
        Self::messages_in(&self.conn(), session_id, limit)
    }

    /// A session's active messages (the last `limit`, if given) on the caller's connection.
    pub(super) fn messages_in(
        conn: &rusqlite::Connection,
        session_id: &str,
        limit: Option<usize>,
    ) -> Result<Vec<Message>, StoreError> {
        let op = "read messages";
        let sql = match limit {
            None => format!(
                "SELECT {MESSAGE_COLS} FROM messages WHERE session_id = ?1 \
                 AND COALESCE(active, 1) = 1 ORDER BY id"
            ),
            Some(_) => format!(
                "SELECT * FROM (SELECT {MESSAGE_COLS} FROM messages WHERE session_id = ?1 \
                 AND COALESCE(active, 1) = 1 ORDER BY id DESC LIMIT ?2) ORDER BY id"
            ),
        };
        let mut stmt = conn.prepare_cached(&sql).map_err(db(op))?;
        let rows = match limit {
            None => stmt.query_map([session_id], message_row),
            Some(n) => stmt.query_map(params![session_id, i64_of(n as u64)], message_row),
        }
        .map_err(db(op))?;
        rows.collect::<rusqlite::Result<_>>().map_err(db(op))
    }
}

impl SessionStore for Store {
    fn create_session(&self, new: &NewSession) -> Result<Session, StoreError> {
        let now = self.now();
        let op = "create a session";
        let id = self.write(op, |tx| {
            if let Some(parent) = &new.parent_id
                && !Self::exists(tx, parent)?
            {
                return Err(StoreError::SessionNotFound { id: parent.clone() });
            }
            for _ in 0..8 {
                let id = new_session_id(now, &self.tz);
                let inserted = tx
                    .exec_cached(
                        "INSERT OR IGNORE INTO sessions (id, source, user_id, session_key, \
                         chat_id, chat_type, thread_id, display_name, model, parent_session_id, \
                         started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                        params![
                            id,
                            new.source,
                            new.user_id,
                            new.session_key,
                            new.chat_id,
                            new.chat_type,
                            new.thread_id,
                            new.display_name,
                            new.model,
                            new.parent_id,
                            to_epoch(now)
                        ],
                    )
                    .map_err(db(op))?;
                if inserted == 1 {
                    return Ok(id);
                }
            }
            Err(StoreError::Query {
                op,
                source: "no free session id after 8 tries".into(),
            })
        })?;
        self.session(&id)?.ok_or(StoreError::SessionNotFound { id })
    }

    fn ensure_session(&self, id: &str, new: &NewSession) -> Result<Session, StoreError> {
        let now = self.now();
        let op = "create a session";
        self.write(op, |tx| {
            tx.exec_cached(
                "INSERT OR IGNORE INTO sessions (id, source, user_id, session_key, chat_id, \
                 chat_type, thread_id, display_name, model, parent_session_id, started_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    id,
                    new.source,
                    new.user_id,
                    new.session_key,
                    new.chat_id,
                    new.chat_type,
                    new.thread_id,
                    new.display_name,
                    new.model,
                    new.parent_id,
                    to_epoch(now)
                ],
            )
            .map_err(db(op))?;
            Ok(())
        })?;
        self.session(id)?
            .ok_or_else(|| StoreError::SessionNotFound { id: id.to_string() })
    }

    fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        self.conn()
            .row_cached(
                &format!("SELECT {SESSION_COLS} FROM sessions s WHERE s.id = ?1"),
                [id],
                session_row,
            )
            .optional()
            .map_err(db("read a session"))
    }

    fn resolve_session_id(&self, id_or_prefix: &str) -> Result<String, StoreError> {
        if self.session(id_or_prefix)?.is_some() {
            return Ok(id_or_prefix.to_string());
        }
        let not_found = || StoreError::SessionNotFound {
            id: id_or_prefix.to_string(),
        };
        if id_or_prefix.is_empty() {
            return Err(not_found());
        }
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id FROM sessions WHERE id LIKE ?1 ESCAPE '\\' LIMIT 2")
            .map_err(db("resolve a session id"))?;
        let ids: Vec<String> = stmt
            .query_map([format!("{}%", escape_like(id_or_prefix))], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(db("resolve a session id"))?;
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(not_found()),
            _ => Err(StoreError::AmbiguousSession {
                prefix: id_or_prefix.to_string(),
            }),
        }
    }

    fn list_sessions(&self, query: &SessionQuery) -> Result<Vec<SessionSummary>, StoreError> {
        let op = "list sessions";
        let sql = format!(
            "SELECT {SESSION_COLS},
                (SELECT m.content FROM messages m WHERE m.session_id = s.id AND m.role = 'user'
                   AND m.content IS NOT NULL AND COALESCE(m.active, 1) = 1
                 ORDER BY m.timestamp, m.id LIMIT 1),
                COALESCE((SELECT MAX(m2.timestamp) FROM messages m2 WHERE m2.session_id = s.id),
                         s.started_at)
             FROM sessions s
             WHERE (?1 IS NULL AND s.source != 'tool' OR s.source = ?1)
               AND (?2 IS NULL OR s.title LIKE '%' || ?2 || '%' ESCAPE '\\')
               AND (?3 OR COALESCE(s.archived, 0) = 0)
             ORDER BY s.started_at DESC, s.id DESC
             LIMIT ?4"
        );
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).map_err(db(op))?;
        let search = query.search.as_deref().map(escape_like);
        let rows = stmt
            .query_map(
                params![
                    query.platform,
                    search,
                    query.include_archived,
                    i64_of(query.limit as u64)
                ],
                |r| {
                    Ok(SessionSummary {
                        session: session_row(r)?,
                        preview: preview(r.get(19)?),
                        last_active: from_epoch(r.get::<_, Option<f64>>(20)?.unwrap_or_default()),
                    })
                },
            )
            .map_err(db(op))?;
        rows.collect::<rusqlite::Result<_>>().map_err(db(op))
    }

    fn set_title(&self, id: &str, title: Option<&str>) -> Result<Option<String>, StoreError> {
        let title = match title {
            Some(t) => sanitize_title(t)?,
            None => None,
        };
        let op = "set a title";
        self.write(op, |tx| {
            if !Self::exists(tx, id)? {
                return Err(StoreError::SessionNotFound { id: id.to_string() });
            }
            if let Some(t) = &title {
                let other: Option<String> = tx
                    .row_cached(
                        "SELECT id FROM sessions WHERE title = ?1 AND id != ?2",
                        [t, id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(db(op))?;
                if let Some(other) = other {
                    return Err(StoreError::TitleInUse {
                        title: t.clone(),
                        other,
                    });
                }
            }
            tx.exec_cached(
                "UPDATE sessions SET title = ?1 WHERE id = ?2",
                params![title, id],
            )
            .map_err(db(op))?;
            Ok(title.clone())
        })
    }

    fn set_model(&self, id: &str, model: &str) -> Result<(), StoreError> {
        self.update_one(
            "set the model",
            id,
            "UPDATE sessions SET model = ?2 WHERE id = ?1",
            &[&model],
        )
    }

    fn add_tokens(&self, id: &str, input: u64, output: u64) -> Result<(), StoreError> {
        self.update_one(
            "count tokens",
            id,
            "UPDATE sessions SET input_tokens = COALESCE(input_tokens, 0) + ?2, \
             output_tokens = COALESCE(output_tokens, 0) + ?3 WHERE id = ?1",
            &[&i64_of(input), &i64_of(output)],
        )
    }

    fn end_session(&self, id: &str, reason: &str) -> Result<(), StoreError> {
        let now = to_epoch(self.now());
        self.update_one(
            "end a session",
            id,
            "UPDATE sessions SET ended_at = ?2, end_reason = ?3 WHERE id = ?1",
            &[&now, &reason],
        )
    }

    fn delete_session(&self, id: &str) -> Result<bool, StoreError> {
        self.write("delete a session", |tx| {
            Ok(Self::delete_in(tx, &[id.to_string()])? > 0)
        })
    }

    fn prune_candidates(
        &self,
        older_than: SignedDuration,
        platform: Option<&str>,
    ) -> Result<Vec<Session>, StoreError> {
        let op = "list prune candidates";
        let cutoff = to_epoch(
            self.now()
                .saturating_sub(older_than)
                .unwrap_or(Timestamp::MIN),
        );
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {SESSION_COLS} FROM sessions s WHERE s.ended_at IS NOT NULL \
                 AND s.started_at < ?1 AND COALESCE(s.archived, 0) = 0 \
                 AND (?2 IS NULL OR s.source = ?2) ORDER BY s.started_at, s.id"
            ))
            .map_err(db(op))?;
        stmt.query_map(params![cutoff, platform], session_row)
            .and_then(Iterator::collect)
            .map_err(db(op))
    }

    fn prune_sessions(
        &self,
        older_than: SignedDuration,
        platform: Option<&str>,
    ) -> Result<usize, StoreError> {
        let ids: Vec<String> = self
            .prune_candidates(older_than, platform)?
            .into_iter()
            .map(|s| s.id)
            .collect();
        self.write("prune sessions", |tx| Self::delete_in(tx, &ids))
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        let op = "count sessions";
        let conn = self.conn();
        let one = |sql: &str| -> Result<u64, StoreError> {
            conn.row_cached(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| count(Some(n)))
                .map_err(db(op))
        };
        let sessions = one("SELECT COUNT(*) FROM sessions")?;
        let messages = one("SELECT COUNT(*) FROM messages WHERE COALESCE(active, 1) = 1")?;
        let mut stmt = conn
            .prepare(
                "SELECT source, COUNT(*) AS n FROM sessions GROUP BY source \
                 ORDER BY n DESC, source",
            )
            .map_err(db(op))?;
        let by_platform = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    count(r.get(1)?),
                ))
            })
            .and_then(Iterator::collect)
            .map_err(db(op))?;
        let file_bytes = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        Ok(StoreStats {
            sessions,
            messages,
            by_platform,
            file_bytes,
        })
    }

    fn append_message(&self, session_id: &str, message: &NewMessage) -> Result<i64, StoreError> {
        let op = "append a message";
        let now = self.now();
        self.write(op, |tx| {
            Self::append_message_in(tx, op, now, session_id, message)
        })
    }

    fn record_turns(&self, turns: &[RecordedTurn]) -> Result<(), StoreError> {
        let op = "record turns";
        let now = self.now();
        self.write(op, |tx| {
            // Cached statements and one transaction per batch: the API server records
            // thousands of turns a second.
            let mut session = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO sessions (id, source, user_id, session_key, chat_id, \
                     chat_type, thread_id, display_name, model, parent_session_id, started_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(db(op))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO messages (session_id, role, content, tool_call_id, tool_calls, \
                     tool_name, timestamp, token_count, finish_reason, platform_message_id, \
                     active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
                )
                .map_err(db(op))?;
            let mut counters = tx
                .prepare_cached(
                    "UPDATE sessions SET message_count = COALESCE(message_count, 0) + ?2, \
                     tool_call_count = COALESCE(tool_call_count, 0) + ?3, \
                     input_tokens = COALESCE(input_tokens, 0) + ?4, \
                     output_tokens = COALESCE(output_tokens, 0) + ?5 WHERE id = ?1",
                )
                .map_err(db(op))?;
            for t in turns {
                let new = &t.session;
                session
                    .execute(params![
                        t.session_id,
                        new.source,
                        new.user_id,
                        new.session_key,
                        new.chat_id,
                        new.chat_type,
                        new.thread_id,
                        new.display_name,
                        new.model,
                        new.parent_id,
                        to_epoch(now)
                    ])
                    .map_err(db(op))?;
                let mut calls = 0usize;
                for m in &t.messages {
                    calls += match &m.tool_calls {
                        Some(Value::Array(a)) => a.len(),
                        Some(Value::Null) | None => 0,
                        Some(_) => 1,
                    };
                    insert
                        .execute(params![
                            t.session_id,
                            m.role,
                            m.content,
                            m.tool_call_id,
                            m.tool_calls.as_ref().map(Value::to_string),
                            m.tool_name,
                            to_epoch(m.timestamp.unwrap_or(now)),
                            m.token_count.map(i64_of),
                            m.finish_reason,
                            m.platform_message_id,
                        ])
                        .map_err(db(op))?;
                }
                counters
                    .execute(params![
                        t.session_id,
                        i64_of(t.messages.len() as u64),
                        i64_of(calls as u64),
                        i64_of(t.input_tokens),
                        i64_of(t.output_tokens)
                    ])
                    .map_err(db(op))?;
            }
            Ok(())
        })
    }

    fn messages(&self, session_id: &str) -> Result<Vec<Message>, StoreError> {
        self.messages_where(session_id, None)
    }

    fn last_messages(&self, session_id: &str, n: usize) -> Result<Vec<Message>, StoreError> {
        self.messages_where(session_id, Some(n))
    }

    fn remove_last_exchange(&self, session_id: &str) -> Result<usize, StoreError> {
        let op = "undo the last exchange";
        self.write(op, |tx| {
            let from: Option<i64> = tx
                .row_cached(
                    "SELECT MAX(id) FROM messages WHERE session_id = ?1 AND role = 'user' \
                     AND COALESCE(active, 1) = 1",
                    [session_id],
                    |r| r.get(0),
                )
                .map_err(db(op))?;
            let Some(from) = from else {
                return Ok(0);
            };
            // Hidden, not deleted: upstream's rewind works the same way and can restore.
            let n = tx
                .exec_cached(
                    "UPDATE messages SET active = 0 WHERE session_id = ?1 AND id >= ?2 \
                     AND COALESCE(active, 1) = 1",
                    params![session_id, from],
                )
                .map_err(db(op))?;
            tx.exec_cached(
                "UPDATE sessions SET message_count = MAX(COALESCE(message_count, 0) - ?2, 0) \
                 WHERE id = ?1",
                params![session_id, i64_of(n as u64)],
            )
            .map_err(db(op))?;
            Ok(n)
        })
    }
}

impl Store {
    /// Appends one message to a session's transcript inside the caller's transaction.
    pub(super) fn append_message_in(
        tx: &rusqlite::Connection,
        op: &'static str,
        now: Timestamp,
        session_id: &str,
        message: &NewMessage,
    ) -> Result<i64, StoreError> {
        let at = to_epoch(message.timestamp.unwrap_or(now));
        let tool_calls = message.tool_calls.as_ref().map(Value::to_string);
        let calls = match &message.tool_calls {
            Some(Value::Array(a)) => a.len(),
            Some(Value::Null) | None => 0,
            Some(_) => 1,
        };
        {
            if !Self::exists(tx, session_id)? {
                return Err(StoreError::SessionNotFound {
                    id: session_id.to_string(),
                });
            }
            tx.exec_cached(
                "INSERT INTO messages (session_id, role, content, tool_call_id, tool_calls, \
                 tool_name, timestamp, token_count, finish_reason, platform_message_id, active) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
                params![
                    session_id,
                    message.role,
                    message.content,
                    message.tool_call_id,
                    tool_calls,
                    message.tool_name,
                    at,
                    message.token_count.map(i64_of),
                    message.finish_reason,
                    message.platform_message_id,
                ],
            )
            .map_err(db(op))?;
            let id = tx.last_insert_rowid();
            tx.exec_cached(
                "UPDATE sessions SET message_count = COALESCE(message_count, 0) + 1, \
                 tool_call_count = COALESCE(tool_call_count, 0) + ?2 WHERE id = ?1",
                params![session_id, i64_of(calls as u64)],
            )
            .map_err(db(op))?;
            Ok(id)
        }
    }

    /// Runs an UPDATE of one session (`?1` is its id) and reports a missing session.
    fn update_one(
        &self,
        op: &'static str,
        id: &str,
        sql: &str,
        rest: &[&dyn rusqlite::ToSql],
    ) -> Result<(), StoreError> {
        let mut all: Vec<&dyn rusqlite::ToSql> = vec![&id];
        all.extend_from_slice(rest);
        let n = self
            .conn()
            .exec_cached(sql, all.as_slice())
            .map_err(db(op))?;
        if n == 0 {
            return Err(StoreError::SessionNotFound { id: id.to_string() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_use_local_time_and_six_hex() {
        let t: Timestamp = "2025-03-01T23:30:05Z".parse().unwrap();
        let id = new_session_id(t, &TimeZone::get("Asia/Shanghai").unwrap());
        assert!(id.starts_with("20250302_073005_"), "{id}");
        let hex = &id[16..];
        assert_eq!(hex.len(), 6);
        assert!(
            hex.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn multimodal_content_decodes_to_text() {
        let raw = format!(
            "{JSON_CONTENT_PREFIX}{}",
            r#"[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"x"}}]"#
        );
        let (text, parts) = decode_content(Some(raw));
        assert_eq!(text.as_deref(), Some("look"));
        assert!(parts.unwrap().is_array());
        assert_eq!(
            decode_content(Some("plain".into())).0.as_deref(),
            Some("plain")
        );
        assert_eq!(preview(Some(format!("{}\nmore", "a".repeat(70)))).len(), 63);
    }
}
