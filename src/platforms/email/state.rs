//! What outlives one IMAP session: the UID cursor (`<home>/email/cursor.json`, written only
//! after the gateway stored a message) and the thread context replies need
//! (`<home>/email/threads.json`: subject and references per received message).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::fsutil;

/// Thread contexts kept; older ones are forgotten.
const MAX_THREADS: usize = 500;

/// The last processed UID of INBOX, valid while `uid_validity` is unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The mailbox's `UIDVALIDITY` when the cursor was written.
    pub uid_validity: u32,
    /// Every UID up to this one is done (delivered or deliberately skipped).
    pub last_uid: u32,
}

impl Cursor {
    /// The saved cursor, if any.
    #[must_use]
    pub fn load(path: &Path) -> Option<Self> {
        let text = fsutil::read_optional(path).ok().flatten()?;
        serde_json::from_str(&text).ok()
    }

    /// Saves atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let body = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        fsutil::write_atomic(path, &body, Some(fsutil::SECRET_MODE))
    }
}

/// What a reply needs to stay in its thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadContext {
    /// The sender (chat id).
    pub chat: String,
    /// The thread root id.
    #[serde(default)]
    pub thread: Option<String>,
    /// The received subject.
    pub subject: String,
    /// The received `Message-ID`.
    pub message_id: String,
    /// The received `References`, oldest first.
    #[serde(default)]
    pub references: Vec<String>,
}

impl ThreadContext {
    /// `References` for an answer: the received ones plus the received message's id.
    #[must_use]
    pub fn reply_references(&self) -> Vec<String> {
        let mut refs = self.references.clone();
        if !refs.contains(&self.message_id) {
            refs.push(self.message_id.clone());
        }
        refs
    }
}

/// The thread contexts of received messages, newest last, persisted.
#[derive(Debug)]
pub struct Threads {
    path: PathBuf,
    entries: Mutex<Vec<ThreadContext>>,
}

impl Threads {
    /// Restores the contexts in `path` (missing or broken: empty).
    #[must_use]
    pub fn restore(path: PathBuf) -> Self {
        let entries = fsutil::read_optional(&path)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        Self {
            path,
            entries: Mutex::new(entries),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ThreadContext>> {
        // A panic while holding the lock leaves a plain list behind; keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers a received message and persists the list.
    pub fn record(&self, ctx: ThreadContext) -> std::io::Result<()> {
        let snapshot = {
            let mut list = self.lock();
            list.retain(|e| e.message_id != ctx.message_id);
            list.push(ctx);
            let excess = list.len().saturating_sub(MAX_THREADS);
            list.drain(..excess);
            list.clone()
        };
        let body = serde_json::to_vec(&snapshot).map_err(std::io::Error::other)?;
        fsutil::write_atomic(&self.path, &body, Some(fsutil::SECRET_MODE))
    }

    /// The context to answer in: the message replied to, else the newest of the thread,
    /// else the newest from the chat.
    #[must_use]
    pub fn lookup(
        &self,
        chat: &str,
        thread: Option<&str>,
        reply_to: Option<&str>,
    ) -> Option<ThreadContext> {
        let list = self.lock();
        let newest = |f: &dyn Fn(&ThreadContext) -> bool| list.iter().rev().find(|e| f(e)).cloned();
        if let Some(id) = reply_to
            && let Some(c) = newest(&|e| e.message_id == id)
        {
            return Some(c);
        }
        if let Some(t) = thread
            && let Some(c) = newest(&|e| e.chat == chat && e.thread.as_deref() == Some(t))
        {
            return Some(c);
        }
        newest(&|e| e.chat == chat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(chat: &str, thread: &str, id: &str) -> ThreadContext {
        ThreadContext {
            chat: chat.into(),
            thread: Some(thread.into()),
            subject: format!("s {id}"),
            message_id: id.into(),
            references: vec![thread.into()],
        }
    }

    #[test]
    fn lookups_prefer_the_replied_message_then_the_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("threads.json");
        let t = Threads::restore(path.clone());
        t.record(ctx("a@x", "<r1>", "<m1>")).unwrap();
        t.record(ctx("a@x", "<r2>", "<m2>")).unwrap();
        t.record(ctx("b@x", "<r3>", "<m3>")).unwrap();
        let t = Threads::restore(path);
        assert_eq!(
            t.lookup("a@x", None, Some("<m1>")).unwrap().message_id,
            "<m1>"
        );
        assert_eq!(
            t.lookup("a@x", Some("<r1>"), None).unwrap().message_id,
            "<m1>"
        );
        assert_eq!(t.lookup("a@x", None, None).unwrap().message_id, "<m2>");
        assert!(t.lookup("c@x", None, None).is_none());
        assert_eq!(
            t.lookup("a@x", Some("<r1>"), None)
                .unwrap()
                .reply_references(),
            ["<r1>", "<m1>"]
        );
    }

    #[test]
    fn cursor_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("email/cursor.json");
        assert!(Cursor::load(&path).is_none());
        let c = Cursor {
            uid_validity: 7,
            last_uid: 42,
        };
        c.save(&path).unwrap();
        assert_eq!(Cursor::load(&path), Some(c));
    }
}
