//! Group commit for the gateway's hot writes. Many turns finish at once on a busy gateway;
//! each used to pay for its own transaction on the one connection, and the workers queued
//! for the lock. Here a writer adds its change to a queue and awaits it: whoever finds no
//! leader becomes the leader and runs everything queued in one transaction, each change in
//! its own savepoint (a failing change rolls back alone), then tells every writer the
//! outcome after the commit. Under light load a group is one change: the same as before.
//! The durability is unchanged: nobody hears "done" before the commit that holds its change.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{Cached as _, Store, db};
use crate::store::{Enqueued, FinishedTurn, Message, NewMessage, NewRun, Route, Run, StoreError};
use jiff::Timestamp;

/// What [`Store::begin_turn_grouped`] found.
#[derive(Debug)]
pub struct BegunTurn {
    /// The session key's route, if any.
    pub route: Option<Route>,
    /// The routed session's messages before the turn's own, when the session goes on (the
    /// turn's message is then already appended); `None` when a new session must start.
    pub history: Option<Vec<Message>>,
}

/// Tells a writer how its change ended, given the commit's error if it failed.
type Done = Box<dyn FnOnce(Option<&str>) + Send>;
/// A queued change: runs inside the group's transaction (or learns why it cannot) and says
/// whether it succeeded, plus how to tell its writer.
type Job = Box<dyn FnOnce(Result<&Connection, &str>) -> (bool, Done) + Send>;

/// The queue and the leader flag.
#[derive(Default)]
pub(super) struct Group {
    queue: Mutex<Vec<Job>>,
    leading: AtomicBool,
}

impl Store {
    /// Runs `f` in a group transaction and returns its result once that transaction is
    /// committed (or the error that stopped it).
    pub(super) async fn write_grouped<T, F>(&self, op: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let rx = self.queue_grouped(op, f);
        self.await_grouped(op, rx).await
    }

    /// Queues `f` for the next group (in call order) without waiting for it.
    fn queue_grouped<T, F>(
        &self,
        op: &'static str,
        f: F,
    ) -> oneshot::Receiver<Result<T, StoreError>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(c) => f(c),
                Err(e) => Err(StoreError::Query {
                    op,
                    source: e.to_string().into(),
                }),
            };
            let ok = result.is_ok();
            let done: Done = Box::new(move |commit_error| {
                let out = match (result, commit_error) {
                    (Ok(v), None) => Ok(v),
                    (Ok(_), Some(e)) => Err(StoreError::Query {
                        op,
                        source: e.to_string().into(),
                    }),
                    (Err(e), _) => Err(e),
                };
                let _ = tx.send(out);
            });
            (ok, done)
        });
        self.group
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(job);
        rx
    }

    /// Runs the queue (if nobody else is) and waits for the outcome of a queued change.
    async fn await_grouped<T>(
        &self,
        op: &'static str,
        rx: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        // Let the other ready tasks queue their changes first, so they share this commit.
        tokio::task::yield_now().await;
        self.lead_group();
        rx.await.unwrap_or_else(|_| {
            Err(StoreError::Query {
                op,
                source: "the change was dropped before it ran".into(),
            })
        })
    }

    /// [`crate::store::RunStore::insert_claimed`], queued now (so messages keep their
    /// arrival order) and committed with the next group; the returned future waits for it.
    /// The inbound handler goes on with the next message meanwhile.
    pub fn queue_insert_claimed(
        self: &std::sync::Arc<Self>,
        new: NewRun,
    ) -> impl std::future::Future<Output = Result<Enqueued, StoreError>> + Send + 'static {
        let now = self.now();
        let op = "queue a run";
        let rx = self.queue_grouped(op, move |c| Self::insert_run_in(c, now, &new, true));
        let store = std::sync::Arc::clone(self);
        async move { store.await_grouped(op, rx).await }
    }

    /// [`crate::store::RunStore::finish_turn`], group-committed.
    pub async fn finish_turn_grouped(&self, done: FinishedTurn) -> Result<Run, StoreError> {
        let now = self.now();
        self.write_grouped("finish a turn", move |c| {
            Self::finish_turn_in(c, now, &done)
        })
        .await
    }

    /// [`crate::store::RunStore::claim_for`], group-committed.
    pub async fn claim_for_grouped(&self, session_key: String) -> Result<Option<Run>, StoreError> {
        let now = self.now();
        self.write_grouped("claim a run", move |c| {
            Self::claim_for_in(c, now, &session_key)
        })
        .await
    }

    /// [`crate::store::SessionStore::messages`], read in the next group.
    pub async fn messages_grouped(&self, session_id: String) -> Result<Vec<Message>, StoreError> {
        self.write_grouped("read messages", move |c| {
            Self::messages_in(c, &session_id, None)
        })
        .await
    }

    /// The start of a turn in one group: the route of `session_key`; if there is one and
    /// `keep` accepts it (the reset policy says the session goes on), also the session's
    /// messages and then, appended after them, `user` (the turn's own message). Otherwise
    /// nothing is read or written beyond the route, and the caller starts a new session.
    pub async fn begin_turn_grouped(
        &self,
        session_key: String,
        keep: impl FnOnce(&Route) -> bool + Send + 'static,
        user: Option<NewMessage>,
    ) -> Result<BegunTurn, StoreError> {
        let now = self.now();
        self.write_grouped("start a turn", move |c| {
            Self::begin_turn_in(c, now, &session_key, keep, user.as_ref())
        })
        .await
    }

    /// See [`Self::begin_turn_grouped`].
    fn begin_turn_in(
        c: &Connection,
        now: Timestamp,
        session_key: &str,
        keep: impl FnOnce(&Route) -> bool,
        user: Option<&NewMessage>,
    ) -> Result<BegunTurn, StoreError> {
        let route = Self::route_in(c, session_key)?;
        let route = match route {
            Some(r) if keep(&r) => r,
            other => {
                return Ok(BegunTurn {
                    route: other,
                    history: None,
                });
            }
        };
        if !Self::exists(c, &route.session_id)? {
            return Ok(BegunTurn {
                route: Some(route),
                history: None,
            });
        }
        let history = Self::messages_in(c, &route.session_id, None)?;
        if let Some(m) = user {
            Self::append_message_in(c, "start a turn", now, &route.session_id, m)?;
        }
        Ok(BegunTurn {
            route: Some(route),
            history: Some(history),
        })
    }

    /// [`Self::queue_insert_claimed`], and when the run is stored claimed (its session was
    /// idle), the start of its turn ([`Self::begin_turn_grouped`]) in the same change. A
    /// failing start leaves the insert standing (the worker starts the turn the longer way).
    pub fn queue_insert_and_begin(
        self: &std::sync::Arc<Self>,
        new: NewRun,
        keep: impl FnOnce(&Route) -> bool + Send + 'static,
        user: NewMessage,
    ) -> impl std::future::Future<Output = Result<(Enqueued, Option<BegunTurn>), StoreError>>
    + Send
    + 'static {
        let now = self.now();
        let op = "queue a run";
        let rx = self.queue_grouped(op, move |c| {
            let enqueued = Self::insert_run_in(c, now, &new, true)?;
            if !(enqueued.inserted && enqueued.run.state == crate::store::RunState::Running) {
                return Ok((enqueued, None));
            }
            c.execute_batch("SAVEPOINT begin_turn").map_err(db(op))?;
            match Self::begin_turn_in(c, now, &new.session_key, keep, Some(&user)) {
                Ok(begun) => {
                    c.execute_batch("RELEASE begin_turn").map_err(db(op))?;
                    Ok((enqueued, Some(begun)))
                }
                Err(e) => {
                    c.execute_batch("ROLLBACK TO begin_turn; RELEASE begin_turn")
                        .map_err(db(op))?;
                    crate::logs::warn(
                        "store",
                        format!(
                            "run #{}: the turn's start is left to its worker: {e}",
                            enqueued.run.id
                        ),
                    );
                    Ok((enqueued, None))
                }
            }
        });
        let store = std::sync::Arc::clone(self);
        async move { store.await_grouped(op, rx).await }
    }

    /// [`crate::store::RunStore::mark_sent`] of `id`, then [`Self::claim_for_grouped`] of
    /// its session in the same change (a failing claim leaves the run marked sent): what a
    /// worker does after each delivered reply, in one commit.
    pub async fn mark_sent_and_claim_grouped(
        &self,
        id: i64,
        session_key: String,
    ) -> (Result<Run, StoreError>, Result<Option<Run>, StoreError>) {
        let now = self.now();
        let op = "mark a run sent";
        let out = self
            .write_grouped(op, move |c| {
                let sent = Self::mark_sent_in(c, now, id)?;
                c.execute_batch("SAVEPOINT claim_next").map_err(db(op))?;
                let claimed = Self::claim_for_in(c, now, &session_key);
                let end = if claimed.is_ok() {
                    "RELEASE claim_next"
                } else {
                    "ROLLBACK TO claim_next; RELEASE claim_next"
                };
                c.execute_batch(end).map_err(db(op))?;
                Ok((sent, claimed))
            })
            .await;
        match out {
            Ok((sent, claimed)) => (Ok(sent), claimed),
            Err(e) => {
                let again = StoreError::Query {
                    op: "claim a run",
                    source: e.to_string().into(),
                };
                (Err(e), Err(again))
            }
        }
    }

    /// [`crate::store::RunStore::mark_sent`], group-committed.
    pub async fn mark_sent_grouped(&self, id: i64) -> Result<Run, StoreError> {
        let now = self.now();
        self.write_grouped("mark a run sent", move |c| Self::mark_sent_in(c, now, id))
            .await
    }

    /// [`crate::store::SessionStore::append_message`], group-committed.
    pub async fn append_message_grouped(
        &self,
        session_id: String,
        message: NewMessage,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let op = "append a message";
        self.write_grouped(op, move |c| {
            Self::append_message_in(c, op, now, &session_id, &message)
        })
        .await
    }

    /// Becomes the leader if there is none, and runs groups until the queue is empty.
    fn lead_group(&self) {
        loop {
            if self
                .group
                .leading
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                // The leader runs this change with its next group.
                return;
            }
            // Cleared on the way out, a panic included: a flag left set would stall every
            // later change.
            let leading = Leading(&self.group.leading);
            loop {
                let jobs = std::mem::take(
                    &mut *self
                        .group
                        .queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                );
                if jobs.is_empty() {
                    break;
                }
                run_group(&self.conn(), jobs);
            }
            drop(leading);
            // A change queued after the last look but before the flag was cleared.
            let more = !self
                .group
                .queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .is_empty();
            if !more {
                return;
            }
        }
    }
}

/// Clears the leader flag when dropped.
struct Leading<'a>(&'a AtomicBool);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// One transaction for `jobs`, a savepoint each.
fn run_group(conn: &Connection, jobs: Vec<Job>) {
    if !conn.is_autocommit() {
        // A group that panicked midway left its transaction open.
        let _ = conn.exec_cached("ROLLBACK", []);
    }
    if let Err(e) = conn.exec_cached("BEGIN IMMEDIATE", []) {
        let reason = e.to_string();
        for job in jobs {
            let (_, done) = job(Err(&reason));
            done(None);
        }
        return;
    }
    let mut finished = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Err(e) = conn.exec_cached("SAVEPOINT one_change", []) {
            let reason = e.to_string();
            finished.push(job(Err(&reason)).1);
            continue;
        }
        let (ok, done) = job(Ok(conn));
        if !ok {
            let _ = conn.exec_cached("ROLLBACK TO one_change", []);
        }
        let _ = conn.exec_cached("RELEASE one_change", []);
        finished.push(done);
    }
    match conn.exec_cached("COMMIT", []) {
        Ok(_) => {
            for done in finished {
                done(None);
            }
        }
        Err(e) => {
            let _ = conn.exec_cached("ROLLBACK", []);
            let reason = e.to_string();
            for done in finished {
                done(Some(&reason));
            }
        }
    }
}
