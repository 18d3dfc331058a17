//! The session store: sessions and their transcripts, the routing index (session key → current
//! session), and durable runs. The API is plain structs and three traits (`SessionStore`,
//! `RouteStore`, `RunStore`); `Store` implements them over `SQLite` (`state.db`, shared with
//! upstream's transcripts), so a second backend is an addition behind the same traits.

mod clock;
mod error;
mod routes;
mod runs;
mod sessions;
mod sqlite;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::StoreError;
pub use routes::{Route, RouteStore};
pub use runs::{Enqueued, FinishedTurn, NewRun, Run, RunState, RunStore, UnknownRunState};
pub use sessions::{
    Message, NewMessage, NewSession, RecordedTurn, Session, SessionQuery, SessionStore,
    SessionSummary, StoreStats, TITLE_MAX_CHARS, sanitize_title,
};
pub use sqlite::{BegunTurn, Store};
