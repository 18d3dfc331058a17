//! `RunStore` over `SQLite` (`hermes_runs`). Every transition is one conditional UPDATE, so two
//! processes never both move the same run; a refused transition says which state blocked it.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, params};

use super::{Cached as _, Store, db};
use crate::store::clock::{from_epoch, to_epoch};
use crate::store::{Enqueued, FinishedTurn, NewRun, Run, RunState, RunStore, StoreError};

const RUN_COLS: &str = "id, session_key, platform, chat_id, thread_id, user_id, message_id, \
    origin_json, text, state, attempts, next_attempt_at, reply, error, created_at, updated_at";

fn run_row(r: &Row<'_>) -> rusqlite::Result<Run> {
    let state: String = r.get(9)?;
    Ok(Run {
        id: r.get(0)?,
        session_key: r.get(1)?,
        platform: r.get(2)?,
        chat_id: r.get(3)?,
        thread_id: r.get(4)?,
        user_id: r.get(5)?,
        message_id: r.get(6)?,
        origin: r
            .get::<_, Option<String>>(7)?
            .and_then(|s| serde_json::from_str(&s).ok()),
        text: r.get(8)?,
        // The CHECK constraint admits only known states.
        state: state.parse().unwrap_or(RunState::Error),
        attempts: u32::try_from(r.get::<_, i64>(10)?).unwrap_or(u32::MAX),
        next_attempt_at: r.get::<_, Option<f64>>(11)?.map(from_epoch),
        reply: r.get(12)?,
        error: r.get(13)?,
        created_at: from_epoch(r.get(14)?),
        updated_at: from_epoch(r.get(15)?),
    })
}

/// A `'a', 'b'` list for an `IN (…)` clause (state names are fixed identifiers).
fn state_list(states: &[RunState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Moves run `id` from one of `from` with `set` (SQL assignments; `?1` is the id, `?2`
    /// now, `?3`/`?4` the extra values), or explains why it could not.
    fn transition(
        &self,
        id: i64,
        from: &[RunState],
        action: &'static str,
        set: &str,
        extra: (Option<&str>, Option<f64>),
    ) -> Result<Run, StoreError> {
        let conn = self.conn();
        Self::transition_in(&conn, self.now(), id, from, action, set, extra)
    }

    /// [`Store::transition`] on a connection or transaction the caller holds.
    fn transition_in(
        conn: &rusqlite::Connection,
        now: Timestamp,
        id: i64,
        from: &[RunState],
        action: &'static str,
        set: &str,
        extra: (Option<&str>, Option<f64>),
    ) -> Result<Run, StoreError> {
        let op = "change a run";
        let now = to_epoch(now);
        let sql = format!(
            "UPDATE hermes_runs SET {set}, updated_at = ?2 WHERE id = ?1 AND state IN ({}) \
             RETURNING {RUN_COLS}",
            state_list(from)
        );
        let updated = {
            let mut stmt = conn.prepare_cached(&sql).map_err(db(op))?;
            // Bind only the parameters this statement uses (rusqlite rejects extra ones).
            let all: [&dyn rusqlite::ToSql; 4] = [&id, &now, &extra.0, &extra.1];
            let used = stmt.parameter_count().min(all.len());
            stmt.query_row(&all[..used], run_row)
                .optional()
                .map_err(db(op))?
        };
        if let Some(run) = updated {
            return Ok(run);
        }
        let current = conn
            .row_cached(
                &format!("SELECT {RUN_COLS} FROM hermes_runs WHERE id = ?1"),
                [id],
                run_row,
            )
            .optional()
            .map_err(db(op))?;
        match current {
            Some(run) => Err(StoreError::InvalidTransition {
                id,
                from: run.state,
                action,
            }),
            None => Err(StoreError::RunNotFound { id }),
        }
    }
}

impl Store {
    /// Stores a new run: held for review, claimed at once (`claim`, when its session has
    /// nothing running or waiting), or queued. A redelivered message returns the stored run.
    fn insert_run(&self, new: &NewRun, claim: bool) -> Result<Enqueued, StoreError> {
        let now = self.now();
        self.write("queue a run", |tx| Self::insert_run_in(tx, now, new, claim))
    }

    /// [`Store::insert_run`] on the caller's connection or transaction.
    pub(super) fn insert_run_in(
        tx: &rusqlite::Connection,
        now: Timestamp,
        new: &NewRun,
        claim: bool,
    ) -> Result<Enqueued, StoreError> {
        let op = "queue a run";
        let now = to_epoch(now);
        let origin = new
            .origin
            .as_ref()
            .and_then(|o| serde_json::to_string(o).ok());
        {
            let idle = claim
                && new.held_for_review.is_none()
                && !tx
                    .row_cached(
                        "SELECT EXISTS (SELECT 1 FROM hermes_runs WHERE session_key = ?1 \
                         AND state IN ('running', 'queued', 'retry_pending'))",
                        [&new.session_key],
                        |r| r.get::<_, bool>(0),
                    )
                    .map_err(db(op))?;
            let state = if new.held_for_review.is_some() {
                RunState::AwaitingReview
            } else if idle {
                RunState::Running
            } else {
                RunState::Queued
            };
            let inserted = tx
                .row_cached(
                    &format!(
                        "INSERT INTO hermes_runs (session_key, platform, chat_id, thread_id, \
                         user_id, message_id, origin_json, text, state, attempts, created_at, \
                         updated_at, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, ?12, \
                         ?9, ?9, ?10) \
                         ON CONFLICT (platform, message_id) DO NOTHING RETURNING {RUN_COLS}"
                    ),
                    params![
                        new.session_key,
                        new.platform,
                        new.chat_id,
                        new.thread_id,
                        new.user_id,
                        new.message_id,
                        origin,
                        new.text,
                        now,
                        new.held_for_review,
                        state.as_str(),
                        i64::from(idle)
                    ],
                    run_row,
                )
                .optional()
                .map_err(db(op))?;
            if let Some(run) = inserted {
                return Ok(Enqueued {
                    run,
                    inserted: true,
                });
            }
            let run = tx
                .row_cached(
                    &format!(
                        "SELECT {RUN_COLS} FROM hermes_runs WHERE platform = ?1 AND message_id = ?2"
                    ),
                    params![new.platform, new.message_id],
                    run_row,
                )
                .map_err(db(op))?;
            Ok(Enqueued {
                run,
                inserted: false,
            })
        }
    }
}

impl RunStore for Store {
    fn insert_queued(&self, new: &NewRun) -> Result<Enqueued, StoreError> {
        self.insert_run(new, false)
    }

    fn insert_claimed(&self, new: &NewRun) -> Result<Enqueued, StoreError> {
        self.insert_run(new, true)
    }

    fn finish_turn(&self, done: &FinishedTurn) -> Result<Run, StoreError> {
        let now = self.now();
        self.write("finish a turn", |tx| Self::finish_turn_in(tx, now, done))
    }

    fn claim(&self) -> Result<Option<Run>, StoreError> {
        let sql = format!(
            "UPDATE hermes_runs SET state = 'running', attempts = attempts + 1, updated_at = ?1
             WHERE id = (
                SELECT r.id FROM hermes_runs r
                WHERE r.state IN ('queued', 'retry_pending')
                  AND COALESCE(r.next_attempt_at, 0) <= ?1
                  AND NOT EXISTS (SELECT 1 FROM hermes_runs b
                                  WHERE b.session_key = r.session_key AND b.state = 'running')
                ORDER BY r.id LIMIT 1)
             RETURNING {RUN_COLS}"
        );
        self.conn()
            .row_cached(&sql, [to_epoch(self.now())], run_row)
            .optional()
            .map_err(db("claim a run"))
    }

    fn claim_for(&self, session_key: &str) -> Result<Option<Run>, StoreError> {
        Self::claim_for_in(&self.conn(), self.now(), session_key)
    }

    fn claim_due(&self) -> Result<Vec<Run>, StoreError> {
        let sql = format!(
            "UPDATE hermes_runs SET state = 'running', attempts = attempts + 1, updated_at = ?1
             WHERE id IN (
                SELECT MIN(r.id) FROM hermes_runs r
                WHERE r.state IN ('queued', 'retry_pending')
                  AND COALESCE(r.next_attempt_at, 0) <= ?1
                  AND NOT EXISTS (SELECT 1 FROM hermes_runs b
                                  WHERE b.session_key = r.session_key AND b.state = 'running')
                GROUP BY r.session_key)
             RETURNING {RUN_COLS}"
        );
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).map_err(db("claim runs"))?;
        let mut runs: Vec<Run> = stmt
            .query_map([to_epoch(self.now())], run_row)
            .map_err(db("claim runs"))?
            .collect::<Result<_, _>>()
            .map_err(db("claim runs"))?;
        runs.sort_by_key(|r| r.id);
        Ok(runs)
    }

    fn absorb_queued(&self, into: i64, session_key: &str) -> Result<Vec<Run>, StoreError> {
        let sql = format!(
            "UPDATE hermes_runs SET state = 'sent', error = ?3, next_attempt_at = NULL, updated_at = ?2
             WHERE session_key = ?1 AND state = 'queued' AND id != ?4
             RETURNING {RUN_COLS}"
        );
        let note = format!("merged into run #{into}");
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).map_err(db("merge runs"))?;
        let mut runs: Vec<Run> = stmt
            .query_map(
                params![session_key, to_epoch(self.now()), note, into],
                run_row,
            )
            .map_err(db("merge runs"))?
            .collect::<Result<_, _>>()
            .map_err(db("merge runs"))?;
        runs.sort_by_key(|r| r.id);
        Ok(runs)
    }

    fn count_waiting(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn()
            .row_cached(
                "SELECT COUNT(*) FROM hermes_runs WHERE state IN ('queued', 'retry_pending')",
                [],
                |r| r.get(0),
            )
            .map_err(db("count runs"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn mark_folded(&self, id: i64, note: &str) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[RunState::Queued],
            "fold into a running turn",
            "state = 'sent', error = ?3, next_attempt_at = NULL",
            (Some(note), None),
        )
    }

    fn set_reply(&self, id: i64, reply: &str) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[RunState::Running],
            "store a reply for",
            "reply = ?3",
            (Some(reply), None),
        )
    }

    fn mark_sent(&self, id: i64) -> Result<Run, StoreError> {
        Self::mark_sent_in(&self.conn(), self.now(), id)
    }

    fn mark_retry(&self, id: i64, next_at: Timestamp, error: &str) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[RunState::Running],
            "schedule a retry of",
            "state = 'retry_pending', error = ?3, next_attempt_at = ?4",
            (Some(error), Some(to_epoch(next_at))),
        )
    }

    fn mark_awaiting_review(&self, id: i64, reason: &str) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[RunState::Queued, RunState::Running, RunState::RetryPending],
            "hold for review",
            "state = 'awaiting_review', error = ?3, next_attempt_at = NULL",
            (Some(reason), None),
        )
    }

    fn approve(&self, id: i64) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[RunState::AwaitingReview],
            "approve",
            "state = 'queued', error = NULL, next_attempt_at = NULL",
            (None, None),
        )
    }

    fn retry_now(&self, id: i64) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[RunState::RetryPending, RunState::Error],
            "retry",
            "state = 'queued', error = NULL, next_attempt_at = NULL",
            (None, None),
        )
    }

    fn discard(&self, id: i64) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[
                RunState::Queued,
                RunState::RetryPending,
                RunState::AwaitingReview,
            ],
            "discard",
            "state = 'error', error = 'discarded', next_attempt_at = NULL",
            (None, None),
        )
    }

    fn mark_error(&self, id: i64, error: &str) -> Result<Run, StoreError> {
        self.transition(
            id,
            &[
                RunState::Queued,
                RunState::Running,
                RunState::RetryPending,
                RunState::AwaitingReview,
            ],
            "fail",
            "state = 'error', error = ?3, next_attempt_at = NULL",
            (Some(error), None),
        )
    }

    fn run(&self, id: i64) -> Result<Option<Run>, StoreError> {
        self.conn()
            .row_cached(
                &format!("SELECT {RUN_COLS} FROM hermes_runs WHERE id = ?1"),
                [id],
                run_row,
            )
            .optional()
            .map_err(db("read a run"))
    }

    fn list_runs(&self, state: Option<RunState>, limit: usize) -> Result<Vec<Run>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {RUN_COLS} FROM hermes_runs WHERE (?1 IS NULL OR state = ?1) \
                 ORDER BY id DESC LIMIT ?2"
            ))
            .map_err(db("list runs"))?;
        stmt.query_map(
            params![
                state.map(RunState::as_str),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            run_row,
        )
        .and_then(Iterator::collect)
        .map_err(db("list runs"))
    }

    fn unfinished(&self) -> Result<Vec<Run>, StoreError> {
        let op = "resume unfinished runs";
        let now = to_epoch(self.now());
        self.write(op, |tx| {
            tx.exec_cached(
                "UPDATE hermes_runs SET state = 'queued', updated_at = ?1 WHERE state = 'running'",
                [now],
            )
            .map_err(db(op))?;
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT {RUN_COLS} FROM hermes_runs \
                     WHERE state IN ('queued', 'retry_pending') ORDER BY id"
                ))
                .map_err(db(op))?;
            stmt.query_map([], run_row)
                .and_then(Iterator::collect)
                .map_err(db(op))
        })
    }
}

impl Store {
    /// [`RunStore::claim_for`] on the caller's connection.
    pub(super) fn claim_for_in(
        conn: &rusqlite::Connection,
        now: Timestamp,
        session_key: &str,
    ) -> Result<Option<Run>, StoreError> {
        let sql = format!(
            "UPDATE hermes_runs SET state = 'running', attempts = attempts + 1, updated_at = ?1
             WHERE id = (
                SELECT r.id FROM hermes_runs r
                WHERE r.session_key = ?2 AND r.state IN ('queued', 'retry_pending')
                  AND COALESCE(r.next_attempt_at, 0) <= ?1
                ORDER BY r.id LIMIT 1)
               AND NOT EXISTS (SELECT 1 FROM hermes_runs b
                               WHERE b.session_key = ?2 AND b.state = 'running')
             RETURNING {RUN_COLS}"
        );
        conn.row_cached(&sql, params![to_epoch(now), session_key], run_row)
            .optional()
            .map_err(db("claim a run"))
    }

    /// [`RunStore::mark_sent`] on the caller's connection.
    pub(super) fn mark_sent_in(
        conn: &rusqlite::Connection,
        now: Timestamp,
        id: i64,
    ) -> Result<Run, StoreError> {
        Self::transition_in(
            conn,
            now,
            id,
            &[RunState::Running],
            "mark as sent",
            "state = 'sent', error = NULL, next_attempt_at = NULL",
            (None, None),
        )
    }

    /// [`RunStore::finish_turn`] inside the caller's transaction.
    pub(super) fn finish_turn_in(
        tx: &rusqlite::Connection,
        now: Timestamp,
        done: &FinishedTurn,
    ) -> Result<Run, StoreError> {
        let op = "finish a turn";
        // A session deleted while the turn ran loses the transcript, not the reply.
        if Self::exists(tx, &done.session_id)? {
            Self::finish_transcript(tx, op, now, done)?;
        } else {
            crate::logs::warn(
                "gateway.run",
                format!(
                    "run #{}: session {} is gone; its reply is kept, its transcript is not",
                    done.run_id, done.session_id
                ),
            );
        }
        tx.exec_cached(
            "UPDATE hermes_routes SET updated_at = ?2 WHERE session_key = ?1",
            params![done.session_key, to_epoch(now)],
        )
        .map_err(db(op))?;
        Self::transition_in(
            tx,
            now,
            done.run_id,
            &[RunState::Running],
            "store a reply for",
            "reply = ?3",
            (Some(&done.reply), None),
        )
    }

    /// The transcript part of [`RunStore::finish_turn`].
    fn finish_transcript(
        tx: &rusqlite::Connection,
        op: &'static str,
        now: Timestamp,
        done: &FinishedTurn,
    ) -> Result<(), StoreError> {
        {
            for m in &done.messages {
                Self::append_message_in(tx, op, now, &done.session_id, m)?;
            }
            let n = tx
                .exec_cached(
                    "UPDATE sessions SET input_tokens = COALESCE(input_tokens, 0) + ?2, \
                     output_tokens = COALESCE(output_tokens, 0) + ?3, model = COALESCE(?4, model) \
                     WHERE id = ?1",
                    params![
                        done.session_id,
                        i64::try_from(done.input_tokens).unwrap_or(i64::MAX),
                        i64::try_from(done.output_tokens).unwrap_or(i64::MAX),
                        done.model.as_deref().filter(|m| !m.is_empty())
                    ],
                )
                .map_err(db(op))?;
            if n == 0 {
                return Err(StoreError::SessionNotFound {
                    id: done.session_id.clone(),
                });
            }
            Ok(())
        }
    }
}
