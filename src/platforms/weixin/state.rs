//! State that outlives one poll: the `get_updates_buf` cursor and the per-peer context tokens
//! (both files beside the account file, in upstream's formats), plus the in-memory typing
//! tickets and message-id dedup, which take the current instant so tests control time.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::fsutil;

/// `<account_id>.sync.json`: `{"get_updates_buf": "…"}`.
#[derive(Debug, Clone)]
pub struct SyncCursor {
    path: PathBuf,
}

impl SyncCursor {
    /// The cursor file of `account_id` in `dir`.
    #[must_use]
    pub fn new(dir: &Path, account_id: &str) -> Self {
        Self {
            path: dir.join(format!("{account_id}.sync.json")),
        }
    }

    /// The saved cursor, or empty (start from the server's default).
    #[must_use]
    pub fn load(&self) -> String {
        fsutil::read_optional(&self.path)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("get_updates_buf")?.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Saves the cursor atomically.
    pub fn save(&self, buf: &str) -> std::io::Result<()> {
        let body = serde_json::json!({ "get_updates_buf": buf }).to_string();
        fsutil::write_atomic(&self.path, body.as_bytes(), Some(fsutil::SECRET_MODE))
    }
}

/// `<account_id>.context-tokens.json`: `{peer_id: context_token}`, echoed on every send.
#[derive(Debug)]
pub struct ContextTokens {
    path: PathBuf,
    tokens: Mutex<BTreeMap<String, String>>,
}

impl ContextTokens {
    /// Restores the tokens of `account_id` from `dir` (a missing or broken file is empty).
    #[must_use]
    pub fn restore(dir: &Path, account_id: &str) -> Self {
        let path = dir.join(format!("{account_id}.context-tokens.json"));
        let tokens = fsutil::read_optional(&path)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&t).ok())
            .map(|m| {
                m.into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                    .filter(|(_, v)| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            path,
            tokens: Mutex::new(tokens),
        }
    }

    /// The latest token of `peer`.
    #[must_use]
    pub fn get(&self, peer: &str) -> Option<String> {
        self.lock().get(peer).cloned()
    }

    /// Records `token` for `peer` and persists the map when it changed.
    pub fn set(&self, peer: &str, token: &str) -> std::io::Result<()> {
        let snapshot = {
            let mut map = self.lock();
            if map.get(peer).is_some_and(|t| t == token) {
                return Ok(());
            }
            map.insert(peer.to_string(), token.to_string());
            map.clone()
        };
        self.persist(&snapshot)
    }

    /// Forgets a stale token of `peer`.
    pub fn remove(&self, peer: &str) -> std::io::Result<()> {
        let snapshot = {
            let mut map = self.lock();
            if map.remove(peer).is_none() {
                return Ok(());
            }
            map.clone()
        };
        self.persist(&snapshot)
    }

    fn persist(&self, map: &BTreeMap<String, String>) -> std::io::Result<()> {
        let body = serde_json::to_vec(map).map_err(std::io::Error::other)?;
        fsutil::write_atomic(&self.path, &body, Some(fsutil::SECRET_MODE))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        // A panic while holding this lock leaves a plain map behind; keep using it.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A map of keys to values that expire after a fixed time.
#[derive(Debug)]
pub struct Expiring<V> {
    ttl: Duration,
    entries: HashMap<String, (V, Instant)>,
}

impl<V: Clone> Expiring<V> {
    /// Entries live for `ttl`.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: HashMap::new(),
        }
    }

    /// The live value of `key` at `now`.
    pub fn get(&mut self, key: &str, now: Instant) -> Option<V> {
        match self.entries.get(key) {
            Some((v, at)) if now.saturating_duration_since(*at) < self.ttl => Some(v.clone()),
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` for `key` from `now`, dropping expired entries now and then.
    pub fn insert(&mut self, key: &str, value: V, now: Instant) {
        if self.entries.len() >= 4096 {
            let ttl = self.ttl;
            self.entries
                .retain(|_, (_, at)| now.saturating_duration_since(*at) < ttl);
        }
        self.entries.insert(key.to_string(), (value, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_and_tokens_persist() {
        let t = tempfile::tempdir().unwrap();
        let c = SyncCursor::new(t.path(), "bot@im.bot");
        assert_eq!(c.load(), "");
        c.save("abc").unwrap();
        assert_eq!(SyncCursor::new(t.path(), "bot@im.bot").load(), "abc");
        let raw = std::fs::read_to_string(t.path().join("bot@im.bot.sync.json")).unwrap();
        assert_eq!(raw, r#"{"get_updates_buf":"abc"}"#);

        let tokens = ContextTokens::restore(t.path(), "bot@im.bot");
        tokens.set("u1", "tok1").unwrap();
        tokens.set("u2", "tok2").unwrap();
        tokens.remove("u2").unwrap();
        let again = ContextTokens::restore(t.path(), "bot@im.bot");
        assert_eq!(again.get("u1").as_deref(), Some("tok1"));
        assert_eq!(again.get("u2"), None);
    }

    #[test]
    fn entries_expire() {
        let mut m = Expiring::new(Duration::from_mins(5));
        let t0 = Instant::now();
        m.insert("id", (), t0);
        assert!(m.get("id", t0 + Duration::from_secs(299)).is_some());
        assert!(m.get("id", t0 + Duration::from_mins(5)).is_none());
        assert!(m.get("id", t0).is_none(), "an expired entry is gone");
    }
}
