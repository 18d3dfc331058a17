//! One profile's gateway as `gateway status`, `gateway list`, `hermes status` and `doctor`
//! report it: liveness from the pid files, details from `gateway_state.json`, queued runs
//! from the store. Reading clears stale pid files.

use serde::Serialize;

use super::detached::{self, StaleCleared};
use super::{pid, state};
use crate::home::HermesPaths;
use crate::store::{RunState, RunStore, Store};

/// One platform's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformRow {
    /// Platform name.
    pub name: String,
    /// `connected`, `retrying`, `fatal`, …
    pub state: String,
    /// The last error, if any.
    pub error: Option<String>,
}

/// A profile's gateway.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// Profile name.
    pub profile: String,
    /// Whether a live gateway process exists.
    pub running: bool,
    /// Its pid.
    pub pid: Option<u32>,
    /// The detached supervisor's pid (none mode).
    pub supervisor_pid: Option<u32>,
    /// `starting|running|draining|stopped|startup_failed`.
    pub state: Option<String>,
    /// Per platform (only while running).
    pub platforms: Vec<PlatformRow>,
    /// Agent turns running now.
    pub active_runs: u32,
    /// Runs waiting (`queued` or `retry_pending`).
    pub queued_runs: u32,
    /// The last error the gateway recorded.
    pub last_error: Option<String>,
    /// When it started (RFC 3339).
    pub started_at: Option<String>,
    /// Seconds since it started.
    pub uptime_seconds: Option<i64>,
    /// Pid files that named dead processes and were removed.
    pub stale_cleared: StaleCleared,
}

/// Queued and retry-pending runs in the store (0 when there is no store yet).
fn queued_in_store(paths: &HermesPaths) -> Option<u32> {
    if !paths.state_db().exists() {
        return None;
    }
    let store = Store::open_home(paths).ok()?;
    let n = [RunState::Queued, RunState::RetryPending]
        .iter()
        .filter_map(|s| store.list_runs(Some(*s), 10_000).ok())
        .map(|v| v.len())
        .sum::<usize>();
    u32::try_from(n).ok()
}

/// Reads a profile's gateway at `now`, clearing stale pid files.
#[must_use]
pub fn collect(paths: &HermesPaths, now: jiff::Timestamp) -> Overview {
    let stale_cleared = detached::clear_stale(paths);
    let gw = pid::running_gateway(paths);
    let supervisor_pid = detached::supervisor_pid(paths);
    let live = gw.is_some();
    let st = state::read(paths);
    let live_state = st.as_ref().filter(|_| live);
    let started_at = live_state.and_then(|s| s.started_at.clone());
    let uptime_seconds = started_at
        .as_deref()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| (now.as_second() - t.as_second()).max(0));
    Overview {
        profile: paths.profile().to_string(),
        running: live,
        pid: gw,
        supervisor_pid,
        state: st.as_ref().map(|s| {
            if live {
                s.gateway_state.clone()
            } else if supervisor_pid.is_some() {
                "restarting".into()
            } else {
                "stopped".into()
            }
        }),
        platforms: live_state
            .map(|s| {
                s.platforms
                    .iter()
                    .map(|(k, v)| PlatformRow {
                        name: k.clone(),
                        state: v.state.clone(),
                        error: v.error_message.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        active_runs: live_state.map_or(0, |s| s.active_agents),
        queued_runs: queued_in_store(paths)
            .or_else(|| st.as_ref().map(|s| s.queued_runs))
            .unwrap_or(0),
        last_error: st.as_ref().and_then(|s| s.last_error.clone()),
        started_at,
        uptime_seconds,
        stale_cleared,
    }
}

/// `3d 4h`, `2h 5m`, `7m 3s`, `12s`.
#[must_use]
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {sec}s")
    } else {
        format!("{sec}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_profile_with_stale_pid() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        std::fs::write(paths.gateway_pid_file(), "999999999").unwrap();
        let o = collect(&paths, jiff::Timestamp::now());
        assert!(!o.running && o.pid.is_none());
        assert!(o.stale_cleared.gateway);
        assert_eq!(o.queued_runs, 0);
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600 + 5), "3d 4h");
        assert_eq!(human_duration(125), "2m 5s");
        assert_eq!(human_duration(7), "7s");
    }
}
