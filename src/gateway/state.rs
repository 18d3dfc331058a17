//! `gateway_state.json`: the running gateway's status record (upstream's fields plus ours),
//! rewritten atomically on every change so `gateway status`, `profile list` and the API
//! server's `/health/detailed` can read it without talking to the process.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::pid::PidRecord;
use crate::fsutil;
use crate::home::HermesPaths;

/// How long a record may go without an update before readers call it stale.
pub const STALE_AFTER_SECS: i64 = 120;

/// One platform's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformState {
    /// `connecting|connected|retrying|fatal|stopped|paused`.
    pub state: String,
    /// A short machine code (`unauthorized`, `telegram-bot-token_lock`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The last error, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// The whole record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GatewayState {
    /// The gateway's pid record fields.
    #[serde(flatten)]
    pub process: Option<PidRecord>,
    /// `starting|running|draining|stopped|startup_failed`.
    pub gateway_state: String,
    /// Why it stopped.
    #[serde(default)]
    pub exit_reason: Option<String>,
    /// A restart was asked for (SIGUSR1, `/restart`).
    #[serde(default)]
    pub restart_requested: bool,
    /// Agent turns running now.
    #[serde(default)]
    pub active_agents: u32,
    /// Runs waiting (queued or `retry_pending`).
    #[serde(default)]
    pub queued_runs: u32,
    /// Per platform.
    #[serde(default)]
    pub platforms: BTreeMap<String, PlatformState>,
    /// The last error anywhere.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the gateway started (RFC 3339, UTC).
    #[serde(default)]
    pub started_at: Option<String>,
    /// Last update (RFC 3339, UTC).
    #[serde(default)]
    pub updated_at: String,
    /// The version of the binary.
    #[serde(default)]
    pub code_version: String,
}

impl GatewayState {
    /// Whether the record was not updated for [`STALE_AFTER_SECS`].
    #[must_use]
    pub fn is_stale(&self, now: jiff::Timestamp) -> bool {
        self.updated_at
            .parse::<jiff::Timestamp>()
            .map_or(true, |t| now.as_second() - t.as_second() > STALE_AFTER_SECS)
    }
}

/// Reads the record of a home, if any.
#[must_use]
pub fn read(paths: &HermesPaths) -> Option<GatewayState> {
    let text = std::fs::read_to_string(paths.gateway_state_file()).ok()?;
    serde_json::from_str(&text).ok()
}

/// The writer held by a running gateway.
#[derive(Debug)]
pub struct StateFile {
    path: std::path::PathBuf,
    state: Mutex<GatewayState>,
}

impl StateFile {
    /// Starts a record for this process in state `starting`.
    #[must_use]
    pub fn new(paths: &HermesPaths, process: PidRecord) -> Self {
        let now = jiff::Timestamp::now().to_string();
        Self {
            path: paths.gateway_state_file(),
            state: Mutex::new(GatewayState {
                process: Some(process),
                gateway_state: "starting".into(),
                started_at: Some(now.clone()),
                updated_at: now,
                code_version: crate::VERSION.into(),
                ..GatewayState::default()
            }),
        }
    }

    /// Applies a change and writes the file atomically.
    pub fn update(&self, change: impl FnOnce(&mut GatewayState)) -> std::io::Result<()> {
        let snapshot = {
            // A poisoned lock only means another thread panicked mid-update; the record is
            // still a valid value to keep writing.
            let mut s = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            change(&mut s);
            s.updated_at = jiff::Timestamp::now().to_string();
            s.clone()
        };
        let json = serde_json::to_string_pretty(&snapshot).unwrap_or_default();
        fsutil::write_atomic(&self.path, json.as_bytes(), None)
    }

    /// Sets one platform's state.
    pub fn platform(
        &self,
        name: &str,
        state: &str,
        error: Option<(&str, String)>,
    ) -> std::io::Result<()> {
        self.update(|s| {
            let entry = s.platforms.entry(name.to_string()).or_default();
            entry.state = state.to_string();
            entry.error_code = error.as_ref().map(|(c, _)| (*c).to_string());
            entry.error_message = error.as_ref().map(|(_, m)| m.clone());
            if let Some((_, m)) = error {
                s.last_error = Some(format!("{name}: {m}"));
            }
        })
    }

    /// A copy of the current record.
    #[must_use]
    pub fn snapshot(&self) -> GatewayState {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let rec = PidRecord {
            pid: 7,
            kind: "hermes-gateway".into(),
            argv: vec![],
            start_time: Some(1),
            hermes_home: "/h".into(),
        };
        let f = StateFile::new(&paths, rec);
        f.update(|s| s.gateway_state = "running".into()).unwrap();
        f.platform(
            "telegram",
            "fatal",
            Some(("unauthorized", "bad token".into())),
        )
        .unwrap();
        let back = read(&paths).unwrap();
        assert_eq!(back.gateway_state, "running");
        assert_eq!(back.process.as_ref().unwrap().pid, 7);
        assert_eq!(
            back.platforms["telegram"].error_code.as_deref(),
            Some("unauthorized")
        );
        assert!(!back.is_stale(jiff::Timestamp::now()));
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(paths.gateway_state_file()).unwrap())
                .unwrap();
        assert_eq!(
            raw["pid"], 7,
            "pid fields are at the top level, as upstream writes them"
        );
    }
}
