//! One gateway per home: an OS lock on `gateway.lock` held for the life of the process, and
//! `gateway.pid` naming the holder (both upstream's JSON record). `--replace` takes over only
//! a gateway of the same home; the lock lives inside the home, so no other home can be hit.

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::pid::{self, PidRecord};
use crate::fsutil;
use crate::home::HermesPaths;

/// Why the instance lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum InstanceLockError {
    /// Another gateway of this home runs.
    #[error("a gateway for this profile is already running (PID {pid})")]
    AlreadyRunning { pid: u32 },
    /// `--replace` asked the old gateway to stop, and it did not.
    #[error("the running gateway (PID {pid}) did not stop within {seconds} s")]
    ReplaceTimedOut { pid: u32, seconds: u64 },
    /// Another instance started while we were starting.
    #[error(
        "Another gateway instance (PID {pid}) started during our startup. Exiting to avoid double-running."
    )]
    Raced { pid: u32 },
    /// A file operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl InstanceLockError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::AlreadyRunning { .. } => vec![
                "stop it with `hermes gateway stop`, or take over with `hermes gateway run --replace`".into(),
            ],
            _ => Vec::new(),
        }
    }
}

/// The record describing this process.
#[must_use]
pub fn own_record(paths: &HermesPaths, argv: &[String]) -> PidRecord {
    let me = std::process::id();
    PidRecord {
        pid: me,
        kind: "hermes-gateway".into(),
        argv: argv.to_vec(),
        start_time: pid::start_time(me),
        hermes_home: fs::canonicalize(paths.home())
            .unwrap_or_else(|_| paths.home().to_path_buf())
            .display()
            .to_string(),
    }
}

/// The held lock; dropping it removes `gateway.pid` (if still ours) and releases the lock.
#[derive(Debug)]
pub struct InstanceLock {
    file: File,
    pid_path: PathBuf,
    record: PidRecord,
}

impl InstanceLock {
    /// Takes the lock for `paths`' home. With `replace`, a running gateway of the same home is
    /// sent SIGTERM (SIGKILL after `grace`) and the lock taken over.
    pub fn acquire(
        paths: &HermesPaths,
        argv: &[String],
        replace: bool,
        grace: Duration,
    ) -> Result<Self, InstanceLockError> {
        let lock_path = paths.gateway_lock_file();
        let io = |action: &'static str, path: &PathBuf| {
            let path = path.clone();
            move |source| InstanceLockError::Io {
                action,
                path,
                source,
            }
        };
        fs::create_dir_all(paths.home()).map_err(io("create", &paths.home().to_path_buf()))?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io("open", &lock_path))?;
        if file.try_lock().is_err() {
            let holder = pid::read_record(&paths.gateway_pid_file())
                .or_else(|| pid::read_record(&lock_path))
                .map_or(0, |r| r.pid);
            if !replace {
                return Err(InstanceLockError::AlreadyRunning { pid: holder });
            }
            if holder != 0 && holder != std::process::id() {
                let _ = pid::terminate(holder, grace);
            }
            let deadline = Instant::now() + grace + Duration::from_secs(3);
            while file.try_lock().is_err() {
                if Instant::now() > deadline {
                    return Err(InstanceLockError::ReplaceTimedOut {
                        pid: holder,
                        seconds: grace.as_secs() + 3,
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        } else if let Some(rec) = pid::read_record(&paths.gateway_pid_file()) {
            // We hold the OS lock, but a gateway that does not take it (an older release)
            // may still be alive: never run two gateways on one home.
            if rec.pid != std::process::id() && pid::record_is_live(&rec) {
                if !replace {
                    return Err(InstanceLockError::AlreadyRunning { pid: rec.pid });
                }
                if !pid::terminate(rec.pid, grace) {
                    return Err(InstanceLockError::ReplaceTimedOut {
                        pid: rec.pid,
                        seconds: grace.as_secs(),
                    });
                }
            }
        }
        let record = own_record(paths, argv);
        let json = serde_json::to_string(&record).unwrap_or_default();
        let mut f = &file;
        f.set_len(0).map_err(io("write", &lock_path))?;
        f.seek(SeekFrom::Start(0))
            .map_err(io("write", &lock_path))?;
        f.write_all(json.as_bytes())
            .map_err(io("write", &lock_path))?;
        let pid_path = paths.gateway_pid_file();
        fsutil::write_atomic(&pid_path, json.as_bytes(), None).map_err(io("write", &pid_path))?;
        // Race guard: someone else may have rewritten the pid file in between.
        if let Some(now) = pid::read_record(&pid_path)
            && now.pid != record.pid
        {
            return Err(InstanceLockError::Raced { pid: now.pid });
        }
        Ok(Self {
            file,
            pid_path,
            record,
        })
    }

    /// This process's record.
    #[must_use]
    pub fn record(&self) -> &PidRecord {
        &self.record
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        if pid::read_record(&self.pid_path).is_some_and(|r| r.pid == self.record.pid) {
            let _ = fs::remove_file(&self.pid_path);
        }
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_in_the_same_process_is_refused_until_released() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let argv = vec!["hermes".to_string(), "gateway".into(), "run".into()];
        let first = InstanceLock::acquire(&paths, &argv, false, Duration::from_secs(1)).unwrap();
        let rec = pid::read_record(&paths.gateway_pid_file()).unwrap();
        assert_eq!(rec.pid, std::process::id());
        assert_eq!(rec.kind, "hermes-gateway");
        match InstanceLock::acquire(&paths, &argv, false, Duration::from_secs(1)) {
            Err(InstanceLockError::AlreadyRunning { pid }) => assert_eq!(pid, std::process::id()),
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        drop(first);
        assert!(
            !paths.gateway_pid_file().exists(),
            "pid file removed by its owner"
        );
        let again = InstanceLock::acquire(&paths, &argv, false, Duration::from_secs(1)).unwrap();
        drop(again);
    }
}
