//! What the Matrix adapter keeps across restarts, in `<home>/matrix/session.json` (0600): the
//! access token of a password login (so a restart does not create a new device), the device,
//! the `/sync` position (`since`, saved only after the batch was accepted), the threads the bot
//! takes part in, and the encrypted rooms already told that E2EE is not supported.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::fsutil;

/// Threads remembered for the mention rule (the newest win).
const MAX_THREADS: usize = 500;

/// The saved record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// The homeserver the rest belongs to.
    #[serde(default)]
    pub homeserver: String,
    /// The account.
    #[serde(default)]
    pub user_id: String,
    /// The device of the saved token.
    #[serde(default)]
    pub device_id: Option<String>,
    /// A token from a password login (never one from `MATRIX_ACCESS_TOKEN`).
    #[serde(default)]
    pub access_token: Option<String>,
    /// The `next_batch` of the last fully accepted `/sync`.
    #[serde(default)]
    pub since: Option<String>,
    /// Thread roots the bot answered in (no mention needed there).
    #[serde(default)]
    pub threads: Vec<String>,
    /// Encrypted rooms that got the one-time notice.
    #[serde(default)]
    pub e2ee_noticed: Vec<String>,
    /// Events of the batch after `since` that the gateway already accepted (a batch cut short
    /// by a stop or crash is fetched again; these are not delivered twice).
    #[serde(default)]
    pub acked: Vec<String>,
}

/// The state file, read once and written atomically on every change.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    saved: Mutex<Saved>,
}

impl StateFile {
    /// Loads `path` (a missing or unreadable file is an empty record).
    #[must_use]
    pub fn load(path: &Path) -> Self {
        let saved = fsutil::read_optional(path)
            .ok()
            .flatten()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        Self {
            path: path.to_path_buf(),
            saved: Mutex::new(saved),
        }
    }

    /// A copy of the record.
    #[must_use]
    pub fn get(&self) -> Saved {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Saved> {
        // The record is replaced field by field; a poisoned lock still holds a usable value.
        self.saved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Changes the record and writes it.
    pub fn update(&self, f: impl FnOnce(&mut Saved)) -> std::io::Result<()> {
        let mut s = self.lock();
        let before = s.clone();
        f(&mut s);
        if *s == before {
            return Ok(());
        }
        let json = serde_json::to_vec_pretty(&*s).unwrap_or_default();
        fsutil::write_atomic(&self.path, &json, Some(fsutil::SECRET_MODE))
    }

    /// Whether the bot takes part in thread `root`.
    #[must_use]
    pub fn in_thread(&self, root: &str) -> bool {
        self.lock().threads.iter().any(|t| t == root)
    }

    /// Remembers a thread the bot takes part in.
    pub fn join_thread(&self, root: &str) {
        if self.in_thread(root) {
            return;
        }
        let _ = self.update(|s| {
            s.threads.push(root.to_string());
            if s.threads.len() > MAX_THREADS {
                let extra = s.threads.len() - MAX_THREADS;
                s.threads.drain(..extra);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_private() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("matrix/session.json");
        let st = StateFile::load(&path);
        st.update(|s| {
            s.user_id = "@b:x".into();
            s.since = Some("s1".into());
        })
        .unwrap();
        st.join_thread("$t");
        let again = StateFile::load(&path);
        assert_eq!(again.get().since.as_deref(), Some("s1"));
        assert!(again.in_thread("$t"));
        assert_eq!(fsutil::mode_of(&path), Some(0o600));
    }
}
