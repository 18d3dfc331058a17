//! Run history: the `cron_runs` table in `<home>/state.db`, created here if missing so this
//! module stands alone beside the main store's migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::CronError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cron_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id          TEXT NOT NULL,
    job_name        TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL,
    delivery_status TEXT,
    error           TEXT,
    delivery_error  TEXT,
    output_path     TEXT
);
CREATE INDEX IF NOT EXISTS cron_runs_job ON cron_runs(job_id, id);
";

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRow {
    /// Row id.
    pub id: i64,
    /// The job's id.
    pub job_id: String,
    /// The job's name at the time.
    pub job_name: Option<String>,
    /// Start (ISO with offset).
    pub started_at: String,
    /// End (ISO with offset), unset while running.
    pub finished_at: Option<String>,
    /// `running|ok|error|blocked_config|interrupted|skipped`.
    pub status: String,
    /// `delivered|local|silent|failed`, unset while running.
    pub delivery_status: Option<String>,
    /// The run's error.
    pub error: Option<String>,
    /// The delivery's error.
    pub delivery_error: Option<String>,
    /// The saved output file.
    pub output_path: Option<String>,
}

/// How a finished run went.
#[derive(Debug, Clone, Default)]
pub struct Finish<'a> {
    /// End time.
    pub finished_at: &'a str,
    /// Run status.
    pub status: &'a str,
    /// Delivery status.
    pub delivery_status: Option<&'a str>,
    /// Run error.
    pub error: Option<&'a str>,
    /// Delivery error.
    pub delivery_error: Option<&'a str>,
    /// Output file.
    pub output_path: Option<&'a Path>,
}

/// The run history table.
#[derive(Debug)]
pub struct RunHistory {
    path: PathBuf,
    // Behind a mutex so a tick's future can be `Send` while it holds the history.
    conn: std::sync::Mutex<Connection>,
}

impl RunHistory {
    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A poisoned lock only means a panic mid-statement; the connection itself is fine.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens `state.db` (creating it and the table if needed).
    pub fn open(path: &Path) -> Result<Self, CronError> {
        let err = |source| CronError::History {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| CronError::Io {
                action: "create",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn: std::sync::Mutex::new(conn),
        })
    }

    fn err(&self) -> impl FnOnce(rusqlite::Error) -> CronError {
        let path = self.path.clone();
        move |source| CronError::History { path, source }
    }

    /// Records a run starting; returns its row id.
    pub fn start(&self, job_id: &str, job_name: &str, started_at: &str) -> Result<i64, CronError> {
        self.conn()
            .execute(
                "INSERT INTO cron_runs (job_id, job_name, started_at, status) VALUES (?1, ?2, ?3, 'running')",
                params![job_id, job_name, started_at],
            )
            .map_err(self.err())?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Records how a run ended.
    pub fn finish(&self, id: i64, f: &Finish<'_>) -> Result<(), CronError> {
        self.conn()
            .execute(
                "UPDATE cron_runs SET finished_at = ?2, status = ?3, delivery_status = ?4, error = ?5,
                 delivery_error = ?6, output_path = ?7 WHERE id = ?1",
                params![
                    id,
                    f.finished_at,
                    f.status,
                    f.delivery_status,
                    f.error,
                    f.delivery_error,
                    f.output_path.map(|p| p.display().to_string()),
                ],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Records a run that never started (skipped after downtime).
    pub fn skipped(
        &self,
        job_id: &str,
        job_name: &str,
        at: &str,
        why: &str,
    ) -> Result<(), CronError> {
        self.conn()
            .execute(
                "INSERT INTO cron_runs (job_id, job_name, started_at, finished_at, status, error)
                 VALUES (?1, ?2, ?3, ?3, 'skipped', ?4)",
                params![job_id, job_name, at, why],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Marks a job's runs still `running` as interrupted (the scheduler died mid-run).
    pub fn interrupt_running(&self, job_id: &str, at: &str, why: &str) -> Result<usize, CronError> {
        self.conn()
            .execute(
                "UPDATE cron_runs SET status = 'interrupted', finished_at = ?2, error = ?3
                 WHERE job_id = ?1 AND status = 'running'",
                params![job_id, at, why],
            )
            .map_err(self.err())
    }

    /// The newest runs first, of one job or all.
    pub fn list(&self, job_id: Option<&str>, limit: usize) -> Result<Vec<RunRow>, CronError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, job_id, job_name, started_at, finished_at, status, delivery_status, error,
                        delivery_error, output_path
                 FROM cron_runs WHERE (?1 IS NULL OR job_id = ?1) ORDER BY id DESC LIMIT ?2",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(
                params![job_id, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| {
                    Ok(RunRow {
                        id: r.get(0)?,
                        job_id: r.get(1)?,
                        job_name: r.get(2)?,
                        started_at: r.get(3)?,
                        finished_at: r.get(4)?,
                        status: r.get(5)?,
                        delivery_status: r.get(6)?,
                        error: r.get(7)?,
                        delivery_error: r.get(8)?,
                        output_path: r.get(9)?,
                    })
                },
            )
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Reads the history without creating `state.db` when it does not exist.
    pub fn list_if_exists(
        path: &Path,
        job_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RunRow>, CronError> {
        if !path.exists() {
            return Ok(Vec::new());
        }
        let h = Self::open(path)?;
        h.list(job_id, limit)
    }

    /// The latest run of a job.
    pub fn latest(&self, job_id: &str) -> Result<Option<RunRow>, CronError> {
        Ok(self.list(Some(job_id), 1)?.into_iter().next())
    }

    /// The number of runs recorded for a job.
    pub fn count(&self, job_id: &str) -> Result<i64, CronError> {
        self.conn()
            .query_row(
                "SELECT COUNT(*) FROM cron_runs WHERE job_id = ?1",
                params![job_id],
                |r| r.get(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_lists_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("state.db");
        assert!(
            RunHistory::list_if_exists(&db, None, 10)
                .unwrap()
                .is_empty()
        );
        assert!(!db.exists(), "reading does not create state.db");
        let h = RunHistory::open(&db).unwrap();
        let a = h.start("aaa", "one", "2026-01-01T00:00:00+00:00").unwrap();
        h.finish(
            a,
            &Finish {
                finished_at: "2026-01-01T00:00:01+00:00",
                status: "ok",
                delivery_status: Some("local"),
                ..Finish::default()
            },
        )
        .unwrap();
        let b = h.start("bbb", "two", "2026-01-01T00:01:00+00:00").unwrap();
        h.skipped("aaa", "one", "2026-01-01T00:02:00+00:00", "missed")
            .unwrap();
        assert_eq!(
            h.interrupt_running("bbb", "2026-01-01T00:03:00+00:00", "crash")
                .unwrap(),
            1
        );
        let all = h.list(None, 10).unwrap();
        assert_eq!(
            all.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
            ["skipped", "interrupted", "ok"]
        );
        assert_eq!(all[1].id, b);
        assert_eq!(h.list(Some("aaa"), 1).unwrap()[0].status, "skipped");
        assert_eq!(h.count("aaa").unwrap(), 2);
        assert_eq!(
            h.latest("bbb").unwrap().unwrap().error.as_deref(),
            Some("crash")
        );
        // Reopening keeps the table and rows.
        drop(h);
        assert_eq!(
            RunHistory::open(&db).unwrap().list(None, 10).unwrap().len(),
            3
        );
    }
}
