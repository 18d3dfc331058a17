//! `StoreError`: why a store operation failed, with hints for the user.

use std::path::PathBuf;

use super::runs::RunState;

/// A backend error, kept opaque so no database crate leaks into the API.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be created or opened.
    #[error("cannot open the session store at {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A schema migration failed (the database was left as it was).
    #[error("cannot upgrade the session store schema to version {version}")]
    Migrate {
        /// The version being applied.
        version: u32,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// Another process held the database longer than the busy timeout.
    #[error("the session store is busy ({op})")]
    Busy {
        /// What was being done.
        op: &'static str,
    },
    /// A query failed.
    #[error("session store: {op} failed")]
    Query {
        /// What was being done.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// No session has this id.
    #[error("no session `{id}`")]
    SessionNotFound {
        /// The id or prefix asked for.
        id: String,
    },
    /// A prefix matches more than one session.
    #[error("`{prefix}` matches several sessions")]
    AmbiguousSession {
        /// The prefix asked for.
        prefix: String,
    },
    /// Another session already has this title.
    #[error("title `{title}` is already used by session {other}")]
    TitleInUse {
        /// The title.
        title: String,
        /// The session that has it.
        other: String,
    },
    /// The title is longer than allowed.
    #[error("title too long ({len} characters, at most {max})")]
    TitleTooLong {
        /// Its length after cleaning.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// No run has this id.
    #[error("no run {id}")]
    RunNotFound {
        /// The run id.
        id: i64,
    },
    /// The run is not in a state that allows this change.
    #[error("run {id} is {from}; cannot {action} it")]
    InvalidTransition {
        /// The run id.
        id: i64,
        /// Its current state.
        from: RunState,
        /// The refused change, e.g. `approve`.
        action: &'static str,
    },
}

impl StoreError {
    /// What the user can do about it.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Open { path, .. } => vec![format!(
                "check that {} is writable and not on a network filesystem",
                path.display()
            )],
            Self::Migrate { .. } => {
                vec!["the database is unchanged; upgrade hermes or report the error".into()]
            }
            Self::Busy { .. } => {
                vec!["another hermes process is writing to state.db; try again in a moment".into()]
            }
            Self::Query { .. } => Vec::new(),
            Self::SessionNotFound { .. } | Self::AmbiguousSession { .. } => {
                vec!["run `hermes sessions list` to see session ids".into()]
            }
            Self::TitleInUse { .. } | Self::TitleTooLong { .. } => {
                vec!["choose a different title".into()]
            }
            Self::RunNotFound { .. } => vec!["run `hermes runs list` to see runs".into()],
            Self::InvalidTransition { from, .. } => match from {
                RunState::AwaitingReview => {
                    vec!["use `hermes runs approve` or `hermes runs discard`".into()]
                }
                RunState::Error | RunState::RetryPending => {
                    vec!["use `hermes runs retry` to queue it again".into()]
                }
                _ => Vec::new(),
            },
        }
    }
}
