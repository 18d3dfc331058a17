//! Token-scoped locks across profiles: one gateway per bot identity on this machine. A second
//! profile using the same bot token is refused with a message naming the other profile and its
//! PID — never killed (upstream #79048, #91435).

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::pid;
use crate::home::HermesPaths;

/// The record kept in a token lock file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenLockRecord {
    /// The holding gateway's pid.
    pub pid: u32,
    /// Its start time (field 22 of /proc/<pid>/stat).
    #[serde(default)]
    pub start_time: Option<u64>,
    /// Its command line.
    #[serde(default)]
    pub argv: Vec<String>,
    /// Its `HERMES_HOME`.
    #[serde(default)]
    pub hermes_home: String,
    /// Its profile name.
    #[serde(default)]
    pub profile: String,
}

/// Another live gateway holds the identity.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{label} already in use by the '{profile}' profile gateway (PID {pid}). Stop that gateway first."
)]
pub struct TokenConflict {
    /// What is locked, for people: "Telegram bot token".
    pub label: String,
    /// The other profile.
    pub profile: String,
    /// The other gateway's pid.
    pub pid: u32,
    /// Whether the holder runs on the same home (then `--replace` may take over).
    pub same_home: bool,
}

/// A held token lock; released (file removed) on drop.
#[derive(Debug)]
pub struct TokenLock {
    file: File,
    path: PathBuf,
}

/// The directory of token locks: `HERMES_GATEWAY_LOCK_DIR` or `~/.local/state/hermes/gateway-locks`.
#[must_use]
pub fn lock_dir(paths: &HermesPaths, override_dir: Option<&str>) -> PathBuf {
    override_dir.map_or_else(|| paths.gateway_lock_dir(), PathBuf::from)
}

/// `<scope>-<first 16 hex of sha256(identity)>.lock`.
#[must_use]
pub fn lock_file_name(scope: &str, identity: &str) -> String {
    let digest = Sha256::digest(identity.as_bytes());
    let hex: String = digest.iter().take(8).fold(String::new(), |mut acc, b| {
        use std::fmt::Write as _;
        let _ = write!(acc, "{b:02x}");
        acc
    });
    format!("{scope}-{hex}.lock")
}

impl TokenLock {
    /// Takes the lock for `identity` (a bot token, an account id) under `scope`
    /// (e.g. `telegram-bot-token`). `label` names it in the conflict message.
    pub fn acquire(
        dir: &Path,
        scope: &str,
        identity: &str,
        label: &str,
        paths: &HermesPaths,
    ) -> Result<Result<Self, TokenConflict>, std::io::Error> {
        fs::create_dir_all(dir)?;
        let path = dir.join(lock_file_name(scope, identity));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let existing: Option<TokenLockRecord> = fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(t.trim()).ok());
        let home = fs::canonicalize(paths.home())
            .unwrap_or_else(|_| paths.home().to_path_buf())
            .display()
            .to_string();
        let conflict = |rec: &TokenLockRecord| TokenConflict {
            label: label.to_string(),
            profile: if rec.profile.is_empty() {
                "another".into()
            } else {
                rec.profile.clone()
            },
            pid: rec.pid,
            same_home: rec.hermes_home == home,
        };
        if file.try_lock().is_err() {
            let rec = existing.unwrap_or(TokenLockRecord {
                pid: 0,
                start_time: None,
                argv: vec![],
                hermes_home: String::new(),
                profile: String::new(),
            });
            return Ok(Err(conflict(&rec)));
        }
        // A holder that does not take OS locks (an older release) is judged by its record.
        if let Some(rec) = &existing {
            let live = rec.pid != std::process::id()
                && pid::is_alive(rec.pid)
                && rec
                    .start_time
                    .is_none_or(|t| pid::start_time(rec.pid) == Some(t));
            if live {
                let _ = file.unlock();
                return Ok(Err(conflict(rec)));
            }
        }
        let me = std::process::id();
        let record = TokenLockRecord {
            pid: me,
            start_time: pid::start_time(me),
            argv: std::env::args().collect(),
            hermes_home: home,
            profile: paths.profile().to_string(),
        };
        let mut f = &file;
        f.set_len(0)?;
        f.seek(SeekFrom::Start(0))?;
        f.write_all(
            serde_json::to_string(&record)
                .unwrap_or_default()
                .as_bytes(),
        )?;
        f.sync_all()?;
        Ok(Ok(Self { file, path }))
    }
}

impl Drop for TokenLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::home::ProfileName;

    #[test]
    fn names_and_conflicts() {
        assert_eq!(
            lock_file_name("telegram-bot-token", "123:abc").len(),
            "telegram-bot-token-".len() + 16 + 5
        );
        let t = tempfile::tempdir().unwrap();
        let root = HermesPaths::at(&t.path().join(".hermes"), t.path());
        let work = root.for_profile(&ProfileName::parse("work").unwrap());
        let dir = t.path().join("locks");
        let held = TokenLock::acquire(
            &dir,
            "telegram-bot-token",
            "123:abc",
            "Telegram bot token",
            &work,
        )
        .unwrap()
        .unwrap();
        // Same process, second profile: the OS lock is per open file description, so this
        // exercises the record path (our own pid is skipped) only after release.
        let other = TokenLock::acquire(
            &dir,
            "telegram-bot-token",
            "123:abc",
            "Telegram bot token",
            &root,
        )
        .unwrap();
        let conflict = other.expect_err("the token is held");
        assert_eq!(conflict.profile, "work");
        assert_eq!(conflict.pid, std::process::id());
        assert_eq!(
            conflict.to_string(),
            format!(
                "Telegram bot token already in use by the 'work' profile gateway (PID {}). Stop that gateway first.",
                std::process::id()
            )
        );
        drop(held);
        let again = TokenLock::acquire(
            &dir,
            "telegram-bot-token",
            "123:abc",
            "Telegram bot token",
            &root,
        )
        .unwrap();
        assert!(again.is_ok(), "released on drop");
        // A different token is independent.
        assert!(
            TokenLock::acquire(
                &dir,
                "telegram-bot-token",
                "999:zzz",
                "Telegram bot token",
                &work
            )
            .unwrap()
            .is_ok()
        );
    }
}
