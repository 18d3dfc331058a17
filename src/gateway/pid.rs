//! `gateway.pid` records (upstream's JSON or a legacy bare integer) and the liveness test
//! "is this profile's gateway running": a live, non-zombie pid whose start time matches and
//! whose command line is a hermes gateway.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};
use serde::{Deserialize, Serialize};

use crate::home::HermesPaths;

/// The record written to `gateway.pid` and `gateway.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PidRecord {
    /// The gateway's process id.
    pub pid: u32,
    /// Always `hermes-gateway`.
    #[serde(default)]
    pub kind: String,
    /// The command line it was started with.
    #[serde(default)]
    pub argv: Vec<String>,
    /// Field 22 of `/proc/<pid>/stat`, to tell a reused pid from ours.
    #[serde(default)]
    pub start_time: Option<u64>,
    /// The canonical `HERMES_HOME` of the gateway.
    #[serde(default)]
    pub hermes_home: String,
}

/// Reads a pid file: JSON record or a bare integer (legacy).
#[must_use]
pub fn read_record(path: &Path) -> Option<PidRecord> {
    let text = fs::read_to_string(path).ok()?;
    let text = text.trim();
    if let Ok(pid) = text.parse::<u32>() {
        return Some(PidRecord {
            pid,
            kind: String::new(),
            argv: Vec::new(),
            start_time: None,
            hermes_home: String::new(),
        });
    }
    serde_json::from_str(text).ok()
}

/// Field 22 (start time in clock ticks since boot) of `/proc/<pid>/stat`.
#[must_use]
pub fn start_time(pid: u32) -> Option<u64> {
    stat_fields(pid).and_then(|f| f.get(19).and_then(|s| s.parse().ok()))
}

/// The one-letter state of a process (`R`, `S`, `Z`, `T`, …).
fn state(pid: u32) -> Option<char> {
    stat_fields(pid).and_then(|f| f.first().and_then(|s| s.chars().next()))
}

/// The fields of `/proc/<pid>/stat` after the command name (field 3 onwards).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself contain spaces or parentheses.
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_string).collect())
}

/// The command line of a process.
#[must_use]
pub fn cmdline(pid: u32) -> Option<Vec<String>> {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect(),
    )
}

/// Whether a process exists and is neither a zombie nor stopped.
#[must_use]
pub fn is_alive(pid: u32) -> bool {
    matches!(state(pid), Some(c) if c != 'Z' && c != 'T' && c != 'X')
}

/// Whether `argv` looks like a hermes gateway process.
fn looks_like_gateway(argv: &[String]) -> bool {
    let joined = argv.join(" ");
    (joined.contains("hermes")
        && joined.contains("gateway")
        && (joined.contains(" run") || joined.contains("__supervise")))
        || joined.contains("gateway/run.py")
        || joined.contains("hermes-gateway")
}

/// The pid of this home's running gateway, or `None` when none runs (a stale pid file counts
/// as none).
#[must_use]
pub fn running_gateway(paths: &HermesPaths) -> Option<u32> {
    let record = read_record(&paths.gateway_pid_file())?;
    record_is_live(&record).then_some(record.pid)
}

/// Whether a record names a live gateway process (pid alive, start time and command line match).
#[must_use]
pub fn record_is_live(record: &PidRecord) -> bool {
    if record.pid == 0 || !is_alive(record.pid) {
        return false;
    }
    if let (Some(expected), Some(actual)) = (record.start_time, start_time(record.pid))
        && expected != actual
    {
        return false;
    }
    cmdline(record.pid).is_some_and(|argv| looks_like_gateway(&argv))
}

/// Sends SIGTERM, waits up to `grace`, then SIGKILL. Returns true when the process is gone.
#[must_use]
pub fn terminate(pid: u32, grace: Duration) -> bool {
    let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return false;
    };
    if rustix::process::kill_process(p, Signal::TERM).is_err() {
        return !is_alive(pid);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if !is_alive(pid) {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = rustix::process::kill_process(p, Signal::KILL);
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if !is_alive(pid) {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_and_bare_records() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("gateway.pid");
        fs::write(&p, "1234\n").unwrap();
        assert_eq!(read_record(&p).unwrap().pid, 1234);
        fs::write(&p, r#"{"pid": 77, "kind": "hermes-gateway", "argv": ["hermes","gateway","run"], "start_time": 5, "hermes_home": "/x"}"#).unwrap();
        let r = read_record(&p).unwrap();
        assert_eq!((r.pid, r.start_time), (77, Some(5)));
        fs::write(&p, "garbage").unwrap();
        assert!(read_record(&p).is_none());
    }

    #[test]
    fn own_process_is_alive_but_not_a_gateway() {
        let me = std::process::id();
        assert!(is_alive(me));
        assert!(start_time(me).is_some());
        let rec = PidRecord {
            pid: me,
            kind: "hermes-gateway".into(),
            argv: vec![],
            start_time: start_time(me),
            hermes_home: String::new(),
        };
        assert!(!record_is_live(&rec), "a test binary is not a gateway");
        assert!(looks_like_gateway(&[
            "/usr/bin/hermes".into(),
            "-p".into(),
            "x".into(),
            "gateway".into(),
            "run".into()
        ]));
    }
}
