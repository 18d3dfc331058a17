//! `Idempotency-Key`: a non-stream result is replayed for the same key and request fingerprint
//! for a while (5 minutes); concurrent requests with one key share one run.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::store::Clock;

/// Most keys remembered.
const MAX_KEYS: usize = 1000;

/// A finished answer worth replaying: its JSON body and session headers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cached {
    pub(crate) body: Value,
    pub(crate) headers: Vec<(&'static str, String)>,
}

struct Entry {
    fingerprint: String,
    at: Timestamp,
    cell: Arc<OnceCell<Cached>>,
}

/// The cache.
pub(crate) struct IdempotencyCache {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<String, Entry>>,
}

/// sha256 of the named request fields (absent ones as null), as upstream fingerprints.
pub(crate) fn fingerprint(body: &Map<String, Value>, keys: &[&str]) -> String {
    let subset: Map<String, Value> = keys
        .iter()
        .map(|k| {
            (
                (*k).to_string(),
                body.get(*k).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    let digest = Sha256::digest(Value::Object(subset).to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl IdempotencyCache {
    pub(crate) fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            ttl,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // The map holds no invariant a panic could break mid-update.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn expired(&self, at: Timestamp, now: Timestamp) -> bool {
        let ttl = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        now.as_millisecond().saturating_sub(at.as_millisecond()) > ttl
    }

    /// The cached answer for `key` + `fingerprint`, or runs `compute` once (errors are not
    /// cached, so a retry runs again).
    pub(crate) async fn get_or_run<E, F, Fut>(
        &self,
        key: &str,
        fingerprint: &str,
        compute: F,
    ) -> Result<Cached, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Cached, E>>,
    {
        let cell = {
            let now = self.clock.now();
            let mut map = self.lock();
            map.retain(|_, e| !(e.cell.initialized() && self.expired(e.at, now)));
            match map.get(key) {
                Some(e) if e.fingerprint == fingerprint => e.cell.clone(),
                _ => {
                    if map.len() >= MAX_KEYS
                        && let Some(oldest) =
                            map.iter().min_by_key(|(_, e)| e.at).map(|(k, _)| k.clone())
                    {
                        map.remove(&oldest);
                    }
                    let cell = Arc::new(OnceCell::new());
                    map.insert(
                        key.to_string(),
                        Entry {
                            fingerprint: fingerprint.to_string(),
                            at: now,
                            cell: cell.clone(),
                        },
                    );
                    cell
                }
            }
        };
        let fresh = !cell.initialized();
        let out = cell.get_or_try_init(compute).await?.clone();
        if fresh {
            // The replay window starts when the answer exists, not when the run began.
            let now = self.clock.now();
            if let Some(e) = self.lock().get_mut(key)
                && Arc::ptr_eq(&e.cell, &cell)
            {
                e.at = now;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use jiff::SignedDuration;
    use serde_json::json;

    use super::*;
    use crate::store::ManualClock;

    #[tokio::test]
    async fn replays_within_ttl_and_runs_again_after() {
        let clock = Arc::new(ManualClock::new(Timestamp::UNIX_EPOCH));
        let cache = IdempotencyCache::new(Duration::from_mins(5), clock.clone());
        let runs = AtomicUsize::new(0);
        let run = || async {
            let n = runs.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(Cached {
                body: json!(n),
                headers: Vec::new(),
            })
        };
        assert_eq!(
            cache.get_or_run("k", "fp", run).await.unwrap().body,
            json!(0)
        );
        assert_eq!(
            cache.get_or_run("k", "fp", run).await.unwrap().body,
            json!(0)
        );
        assert_eq!(
            cache.get_or_run("k", "other", run).await.unwrap().body,
            json!(1)
        );
        clock.advance(SignedDuration::from_secs(301));
        assert_eq!(
            cache.get_or_run("k", "other", run).await.unwrap().body,
            json!(2)
        );
        let failing = || async { Err::<Cached, _>("boom") };
        assert!(cache.get_or_run("e", "fp", failing).await.is_err());
        assert_eq!(
            cache.get_or_run("e", "fp", run).await.unwrap().body,
            json!(3)
        );
    }

    #[test]
    fn fingerprint_ignores_other_fields() {
        let a = json!({"model": "m", "messages": [1], "user": "x"});
        let b = json!({"model": "m", "messages": [1], "user": "y"});
        let keys = ["model", "messages"];
        assert_eq!(
            fingerprint(a.as_object().unwrap(), &keys),
            fingerprint(b.as_object().unwrap(), &keys)
        );
    }
}
