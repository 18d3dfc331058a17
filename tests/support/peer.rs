//! Starting a real peer from `shared/peers/<name>.sh` once per test binary: `install`
//! (idempotent) then `start`, whose `KEY=VALUE` lines are the connection facts. A peer that
//! cannot start fails the test with the script's output; nothing is skipped.
//!
//! The scripts' output goes to files, not pipes: a server a script starts may keep the
//! script's stdout or stderr open for its whole life (dovecot keeps stderr), and reading a
//! pipe to its end would then wait forever. Every step also has a deadline, so a stuck
//! script fails the test with what it printed instead of hanging the run.

#![allow(
    dead_code,
    reason = "each test binary uses a part of this shared module"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The shared peers folder (`HERMES_PEERS_SCRIPTS` overrides; default `../shared/peers`
/// beside the project).
pub(crate) fn peers_dir() -> PathBuf {
    std::env::var_os("HERMES_PEERS_SCRIPTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peers"),
        PathBuf::from,
    )
}

/// The path of peer script `name.sh`; panics with a hint when it is missing.
pub(crate) fn script(name: &str) -> PathBuf {
    let path = peers_dir().join(format!("{name}.sh"));
    assert!(
        path.is_file(),
        "the peer script is missing: {} (set HERMES_PEERS_SCRIPTS to the peers folder)",
        path.display()
    );
    path
}

/// What a finished script printed.
pub(crate) struct Ran {
    pub(crate) success: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Ran {
    /// Both streams, for a failure message.
    pub(crate) fn show(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Runs `bash <peers>/<name>.sh <args…>` with its output in files, killing it after
/// `deadline`. Panics only when bash cannot be started or the deadline passes.
pub(crate) fn run_script(name: &str, args: &[&str], deadline: Duration) -> Ran {
    let path = script(name);
    let dir = std::env::temp_dir().join(format!(
        "hermes-peer-out-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a temp folder for the script's output");
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let mut child = Command::new("bash")
        .arg(&path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the peer script") {
            break Some(status);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let ran = Ran {
        success: status.is_some_and(|s| s.success()),
        stdout: read(&out_path),
        stderr: read(&err_path),
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        status.is_some(),
        "`{name}.sh {}` did not finish within {deadline:?}:\n{}",
        args.join(" "),
        ran.show()
    );
    ran
}

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// How long an `install` may take (llama.cpp builds from source on a fresh machine).
const INSTALL_DEADLINE: Duration = Duration::from_mins(40);
/// How long a `start` may take (Synapse and Home Assistant take tens of seconds).
const START_DEADLINE: Duration = Duration::from_mins(5);

/// The facts of peer `name`, installing and starting it on first use.
pub(crate) fn facts(name: &'static str) -> BTreeMap<String, String> {
    static STARTED: OnceLock<Mutex<BTreeMap<&'static str, BTreeMap<String, String>>>> =
        OnceLock::new();
    let all = STARTED.get_or_init(Mutex::default);
    let mut all = all
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(f) = all.get(name) {
        return f.clone();
    }
    let install = run_script(name, &["install"], INSTALL_DEADLINE);
    assert!(
        install.success,
        "`{name}.sh install` failed:\n{}",
        install.show()
    );
    // A first `start` can lose a race with the server writing its pid file; once more is
    // enough (the second call finds the server running).
    let mut start = run_script(name, &["start"], START_DEADLINE);
    if !start.success {
        start = run_script(name, &["start"], START_DEADLINE);
    }
    assert!(start.success, "`{name}.sh start` failed:\n{}", start.show());
    let facts: BTreeMap<String, String> = start
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.insert(name, facts.clone());
    facts
}

/// One fact of peer `name`.
pub(crate) fn fact(name: &'static str, key: &str) -> String {
    facts(name)
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("{name}.sh did not print {key}"))
}
