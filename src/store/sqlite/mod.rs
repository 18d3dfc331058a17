//! `Store`: the `SQLite` backend (WAL, 5 s busy timeout, foreign keys on). One connection per
//! `Store`, guarded by a mutex; other processes (CLI, gateway) share the file through WAL.

mod group;
pub use group::BegunTurn;
mod routes;
mod runs;
mod schema;
mod sessions;

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::clock::{Clock, SystemClock};
use super::{RouteStore, StoreError};
use crate::home::HermesPaths;

/// The write-ahead log length (in pages) past which the background checkpointer makes it
/// start over (`SQLite`'s own default checkpoint point).
const CHECKPOINT_FRAMES: i64 = 1000;
/// The size a restarted write-ahead log file is truncated to.
const WAL_KEEP_BYTES: i64 = 8 * 1024 * 1024;
/// How often the background checkpointer looks at the log.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The `SQLite` session store (`state.db`).
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    clock: Arc<dyn Clock>,
    tz: TimeZone,
    /// Dropping it stops the background checkpointer, if one runs.
    checkpointer: Option<std::sync::mpsc::Sender<()>>,
    /// Changes waiting for a group commit.
    group: group::Group,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Like [`Store::open`], with a clock (tests control time through it).
    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.into()))?;
        }
        // Create the file ourselves so it is private from the first byte; SQLite then gives
        // the -wal and -shm files the same mode.
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(open_err(e.into())),
        }
        let mut conn = Connection::open(path).map_err(|e| open_err(e.into()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_err(e.into()))?;
        // journal_mode answers with a row, so it is queried rather than executed.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| open_err(e.into()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_err(
                format!("the filesystem does not support WAL (journal mode is {mode})").into(),
            ));
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(|e| open_err(e.into()))?;
        schema::migrate(&mut conn)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
            clock,
            tz: TimeZone::system(),
            checkpointer: None,
            group: group::Group::default(),
        })
    }

    /// Moves WAL checkpoints off the writers' path, for long-running processes (the gateway,
    /// the API server). By default `SQLite` copies the log back into the database inside
    /// the commit that crosses 1,000 pages, with an fsync, so that one write stalls; here a
    /// thread with its own connection copies it every [`CHECKPOINT_EVERY`] while writers go
    /// on. A log that writers keep appending to is never wholly copied that way, and `SQLite`
    /// only starts it over once it is; so past [`CHECKPOINT_FRAMES`] the thread copies the
    /// rest while holding the store's connection (a short pause: most of the log is already
    /// copied), and the next write starts the log over, truncated to [`WAL_KEEP_BYTES`].
    /// Stops when the store is dropped.
    pub fn with_background_checkpoints(mut self) -> Result<Self, StoreError> {
        let path = self.path.clone();
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.clone(),
            source,
        };
        let own = Connection::open(&self.path).map_err(|e| open_err(e.into()))?;
        own.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_err(e.into()))?;
        {
            let conn = self.conn();
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(|e| open_err(e.into()))?;
            conn.pragma_update(None, "journal_size_limit", WAL_KEEP_BYTES)
                .map_err(|e| open_err(e.into()))?;
        }
        let shared = Arc::clone(&self.conn);
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("state.db checkpoints".into())
            .spawn(move || {
                // PASSIVE: copies what it can without waiting for readers or writers, and
                // says how long the log is.
                let passive =
                    || own.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1));
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    match passive() {
                        Ok(frames) if frames >= CHECKPOINT_FRAMES => {
                            // Writers appended while that pass ran, so the log is not wholly
                            // copied and would never start over. Copy the rest with the
                            // store's connection held (no writer of this process can append
                            // meanwhile); the next write then starts the log over.
                            let _quiet = shared
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            if let Err(e) = passive() {
                                crate::logs::warn("store", format!("WAL checkpoint failed: {e}"));
                            }
                        }
                        Ok(_) => {}
                        Err(e) => {
                            crate::logs::warn("store", format!("WAL checkpoint failed: {e}"));
                        }
                    }
                }
            })
            .map_err(|e| open_err(e.into()))?;
        self.checkpointer = Some(stop);
        Ok(self)
    }

    /// Opens a profile's `state.db` and, the first time, imports upstream's routing index.
    pub fn open_home(paths: &HermesPaths) -> Result<Self, StoreError> {
        let store = Self::open(&paths.state_db())?;
        store.import_upstream_routes(&paths.sessions_index_file())?;
        Ok(store)
    }

    /// Uses `tz` for local times (session ids, upstream's naive timestamps).
    #[must_use]
    pub fn with_time_zone(mut self, tz: TimeZone) -> Self {
        self.tz = tz;
        self
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's clock (tests control it with a `ManualClock`).
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back on drop), so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` in an IMMEDIATE transaction (the write lock is taken up front, so the busy
    /// timeout applies instead of a failed lock upgrade) and commits.
    fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(op))?;
        let out = f(&tx)?;
        tx.commit().map_err(db(op))?;
        Ok(out)
    }
}

/// `execute` and `query_row` through the connection's prepared-statement cache: the gateway
/// runs the same few statements for every message, and parsing them each time cost more
/// than running them.
pub(super) trait Cached {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// How many prepared statements a connection keeps (the store has about fifty).
const STATEMENT_CACHE: usize = 96;

/// Maps a `SQLite` error to a `StoreError` for `op`.
fn db(op: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { op },
        _ => StoreError::Query {
            op,
            source: Box::new(e),
        },
    }
}

#[cfg(test)]
mod tests;
