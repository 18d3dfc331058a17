//! The durable update cursor, `<home>/telegram/offset.json`: the next update id to ask for,
//! plus the updates fetched but not yet accepted by the gateway. Updates leave `pending`
//! only once delivered (or deliberately skipped), so a crash or a cancel never loses one,
//! even against a server that hands each update out only once.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fsutil;

/// The cursor file's contents.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Cursor {
    /// The next `offset` for `getUpdates`: every id below it is acknowledged.
    #[serde(default)]
    pub(crate) offset: i64,
    /// Fetched, not yet acknowledged updates, oldest first (raw JSON, as received).
    #[serde(default)]
    pub(crate) pending: Vec<Value>,
    #[serde(skip)]
    path: PathBuf,
}

fn update_id(v: &Value) -> i64 {
    v.get("update_id").and_then(Value::as_i64).unwrap_or(0)
}

impl Cursor {
    /// Loads the cursor (a missing or unreadable file starts from scratch).
    pub(crate) fn load(path: &Path) -> Self {
        let mut c: Self = fsutil::read_optional(path)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        c.path = path.to_path_buf();
        c
    }

    fn save(&self) -> io::Result<()> {
        let text = serde_json::to_vec_pretty(self).unwrap_or_default();
        // Pending updates hold message text: private to the user.
        fsutil::write_atomic(&self.path, &text, Some(0o600))
    }

    /// Adds newly fetched updates, dropping ones already acknowledged or pending; saves.
    /// Returns how many were new.
    pub(crate) fn add(&mut self, updates: Vec<Value>) -> io::Result<usize> {
        let mut newest = self
            .pending
            .iter()
            .map(update_id)
            .max()
            .unwrap_or(i64::MIN)
            .max(self.offset - 1);
        let mut added = 0;
        for u in updates {
            let id = update_id(&u);
            if id > newest {
                newest = id;
                self.pending.push(u);
                added += 1;
            }
        }
        if added > 0 {
            self.save()?;
        }
        Ok(added)
    }

    /// Whether an update id was already acknowledged (a redelivery).
    pub(crate) fn is_acknowledged(&self, id: i64) -> bool {
        id < self.offset
    }

    /// The oldest pending update.
    #[cfg(test)]
    pub(crate) fn next(&self) -> Option<&Value> {
        self.pending.first()
    }

    /// Acknowledges `id` (and anything older): advances the offset and saves.
    pub(crate) fn ack(&mut self, id: i64) -> io::Result<()> {
        self.offset = self.offset.max(id + 1);
        self.pending.retain(|u| update_id(u) > id);
        self.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_reload_and_skips_redeliveries() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("telegram/offset.json");
        let mut c = Cursor::load(&path);
        let u = |id: i64| serde_json::json!({"update_id": id});
        assert_eq!(c.add(vec![u(5), u(6)]).unwrap(), 2);
        assert_eq!(c.add(vec![u(5), u(6), u(7)]).unwrap(), 1, "no duplicates");
        c.ack(5).unwrap();
        let mut c = Cursor::load(&path);
        assert_eq!(c.offset, 6);
        assert_eq!(c.next(), Some(&u(6)));
        assert!(c.is_acknowledged(5));
        assert_eq!(
            c.add(vec![u(5)]).unwrap(),
            0,
            "an acknowledged id is not re-added"
        );
        c.ack(7).unwrap();
        assert!(Cursor::load(&path).pending.is_empty());
        assert_eq!(fsutil::mode_of(&path), Some(0o600));
    }
}
