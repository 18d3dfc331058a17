//! Starting a real peer from `shared/peers/<name>.sh` once per test binary: `install`
//! (idempotent) then `start`, whose `KEY=VALUE` lines are the connection facts. A peer that
//! cannot start fails the test with the script's output; nothing is skipped.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

fn script(name: &str) -> PathBuf {
    std::env::var_os("HERMES_PEERS_SCRIPTS")
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peers"),
            PathBuf::from,
        )
        .join(format!("{name}.sh"))
}

fn run(name: &str, action: &str) -> Result<String, String> {
    let path = script(name);
    assert!(
        path.is_file(),
        "the peer script is missing: {} (set HERMES_PEERS_SCRIPTS to the peers folder)",
        path.display()
    );
    let out = Command::new("bash")
        .arg(&path)
        .arg(action)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} {action}: {e}", path.display()));
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The facts of peer `name`, starting it on first use.
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
    if let Err(e) = run(name, "install") {
        panic!("`{name}.sh install` failed:\n{e}");
    }
    // A first `start` can lose a race with the server writing its pid file; once more is
    // enough (the second call finds the server running).
    let out = run(name, "start")
        .or_else(|_| run(name, "start"))
        .unwrap_or_else(|e| panic!("`{name}.sh start` failed:\n{e}"));
    let facts: BTreeMap<String, String> = out
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
