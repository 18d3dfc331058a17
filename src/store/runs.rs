//! Durable runs: each inbound message that needs an agent turn, written before the platform is
//! acknowledged, so a crash loses nothing. Types, states and the `RunStore` trait.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use super::StoreError;
use crate::gateway::session_key::SessionSource;

/// Where a run is in its life.
///
/// `queued → running → sent`; from `running` also `retry_pending` (provider unreachable; a
/// retry loop resumes it), `awaiting_review` (a policy wants a human: `hermes runs approve`)
/// or `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunState {
    /// Waiting for a worker.
    Queued,
    /// A worker has it.
    Running,
    /// The reply was delivered.
    Sent,
    /// Failed for now; due again at `next_attempt_at`.
    RetryPending,
    /// Held until someone approves or discards it.
    AwaitingReview,
    /// Given up (or discarded).
    Error,
}

impl RunState {
    /// Every state, in life order.
    pub const ALL: [Self; 6] = [
        Self::Queued,
        Self::Running,
        Self::Sent,
        Self::RetryPending,
        Self::AwaitingReview,
        Self::Error,
    ];

    /// The stored name (`retry_pending`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Sent => "sent",
            Self::RetryPending => "retry_pending",
            Self::AwaitingReview => "awaiting_review",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of [`RunState::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown run state `{0}`")]
pub struct UnknownRunState(pub String);

impl FromStr for RunState {
    type Err = UnknownRunState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownRunState(s.to_string()))
    }
}

/// An inbound message to queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRun {
    /// The session key the message routes to.
    pub session_key: String,
    /// The platform name.
    pub platform: String,
    /// The chat.
    pub chat_id: String,
    /// The thread, if any.
    pub thread_id: Option<String>,
    /// The sender.
    pub user_id: Option<String>,
    /// The platform's message id; a redelivery with the same id is not stored twice.
    pub message_id: Option<String>,
    /// The full origin, for the reply.
    pub origin: Option<SessionSource>,
    /// The message text.
    pub text: String,
    /// Store it held for an operator's review (`awaiting_review`) with this reason, so no
    /// worker can claim it between the insert and the hold.
    pub held_for_review: Option<String>,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The run id.
    pub id: i64,
    /// The session key.
    pub session_key: String,
    /// The platform name.
    pub platform: String,
    /// The chat.
    pub chat_id: String,
    /// The thread, if any.
    pub thread_id: Option<String>,
    /// The sender.
    pub user_id: Option<String>,
    /// The platform's message id.
    pub message_id: Option<String>,
    /// The full origin, when stored.
    pub origin: Option<SessionSource>,
    /// The message text.
    pub text: String,
    /// Where it is.
    pub state: RunState,
    /// How many times a worker claimed it.
    pub attempts: u32,
    /// When a `retry_pending` run is due.
    pub next_attempt_at: Option<Timestamp>,
    /// The agent's reply, stored before delivery: when present, deliver it, never re-run.
    pub reply: Option<String>,
    /// The last error.
    pub error: Option<String>,
    /// When it was queued.
    pub created_at: Timestamp,
    /// Its last change.
    pub updated_at: Timestamp,
}

/// What a finished turn writes, in one transaction (see [`RunStore::finish_turn`]).
#[derive(Debug, Clone, Default)]
pub struct FinishedTurn {
    /// The run, `running`.
    pub run_id: i64,
    /// Its session.
    pub session_id: String,
    /// Its session key (the route's last activity moves to now).
    pub session_key: String,
    /// The turn's messages after the user's (tool calls, tool results, the answer).
    pub messages: Vec<crate::store::NewMessage>,
    /// Tokens the turn used.
    pub input_tokens: u64,
    /// Tokens the turn produced.
    pub output_tokens: u64,
    /// The model that answered, when known.
    pub model: Option<String>,
    /// The reply to deliver.
    pub reply: String,
}

/// The result of queueing: the run, and whether it is new (false for a redelivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// The stored run (the earlier one on a duplicate).
    pub run: Run,
    /// `false` when the platform delivered the same message before.
    pub inserted: bool,
}

/// The durable run queue.
pub trait RunStore: Send + Sync {
    /// Queues a message; a duplicate `(platform, message_id)` returns the existing run.
    fn insert_queued(&self, new: &NewRun) -> Result<Enqueued, StoreError>;
    /// Like [`RunStore::insert_queued`], but a message for a session with nothing running or
    /// waiting is stored already claimed (`running`, one attempt), so the caller starts its
    /// turn at once without a second write.
    fn insert_claimed(&self, new: &NewRun) -> Result<Enqueued, StoreError>;
    /// The end of a successful turn, in one transaction: the turn's messages appended to the
    /// transcript, its tokens and model counted, the route's activity time moved, and the
    /// reply stored on the run (which stays `running` until delivered).
    fn finish_turn(&self, done: &FinishedTurn) -> Result<Run, StoreError>;
    /// Atomically takes the oldest due run (`queued`, or `retry_pending` whose time has come)
    /// whose session key has no run in progress, and marks it `running`.
    fn claim(&self) -> Result<Option<Run>, StoreError>;
    /// Like [`RunStore::claim`], for one session key only (an index lookup: what the
    /// dispatcher does when a message arrives or a turn of that session ends).
    fn claim_for(&self, session_key: &str) -> Result<Option<Run>, StoreError>;
    /// Claims, in one statement, the oldest due run of every session key that has no run in
    /// progress; returned oldest first.
    fn claim_due(&self) -> Result<Vec<Run>, StoreError>;
    /// Stores the reply of a `running` run before it is delivered.
    fn set_reply(&self, id: i64, reply: &str) -> Result<Run, StoreError>;
    /// `running → sent`.
    fn mark_sent(&self, id: i64) -> Result<Run, StoreError>;
    /// `running → retry_pending`, due at `next_at`.
    fn mark_retry(&self, id: i64, next_at: Timestamp, error: &str) -> Result<Run, StoreError>;
    /// `queued|running|retry_pending → awaiting_review`.
    fn mark_awaiting_review(&self, id: i64, reason: &str) -> Result<Run, StoreError>;
    /// `awaiting_review → queued`.
    fn approve(&self, id: i64) -> Result<Run, StoreError>;
    /// `retry_pending|error → queued`, due now.
    fn retry_now(&self, id: i64) -> Result<Run, StoreError>;
    /// `queued|retry_pending|awaiting_review → error` ("discarded").
    fn discard(&self, id: i64) -> Result<Run, StoreError>;
    /// Any unfinished state `→ error`.
    fn mark_error(&self, id: i64, error: &str) -> Result<Run, StoreError>;
    /// Takes every other `queued` run of `session_key` into run `into` (messages sent while a
    /// turn was interrupted are answered by one follow-up): they become `sent` with the note
    /// "merged into run #N"; returns them, oldest first, so the caller can merge their texts.
    fn absorb_queued(&self, into: i64, session_key: &str) -> Result<Vec<Run>, StoreError>;
    /// `queued → sent` with a note, for a message answered as part of another turn (busy
    /// mode `steer`).
    fn mark_folded(&self, id: i64, note: &str) -> Result<Run, StoreError>;
    /// How many runs wait for a turn (`queued` or `retry_pending`).
    fn count_waiting(&self) -> Result<usize, StoreError>;
    /// One run.
    fn run(&self, id: i64) -> Result<Option<Run>, StoreError>;
    /// Runs, newest first, optionally in one state.
    fn list_runs(&self, state: Option<RunState>, limit: usize) -> Result<Vec<Run>, StoreError>;
    /// For a gateway starting up (holding the profile lock): returns every run left `running`
    /// by a crash to `queued` (its stored reply, if any, is kept), then lists all `queued` and
    /// `retry_pending` runs, oldest first.
    fn unfinished(&self) -> Result<Vec<Run>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_round_trip() {
        for st in RunState::ALL {
            assert_eq!(st.as_str().parse::<RunState>(), Ok(st));
        }
        assert_eq!(
            "paused".parse::<RunState>(),
            Err(UnknownRunState("paused".into()))
        );
    }
}
