//! `hermes gateway run` as a real process for the per-platform end-to-end tests: a clean
//! environment (only `HOME`, `PATH`, `NO_COLOR`), killed when the test ends or fails midway.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Writes a file, creating its directory.
pub(crate) fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A running gateway; dropping it kills the process.
pub(crate) struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `hermes gateway run` for the home under `home` (`$HOME/.hermes`).
#[allow(dead_code)] // not every suite uses it
pub(crate) fn run_gateway(home: &Path) -> Gateway {
    Gateway(
        Command::new(env!("CARGO_BIN_EXE_hermes"))
            .args(["gateway", "run"])
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

impl Gateway {
    /// Sends SIGTERM and returns the exit code once the process is gone.
    #[allow(dead_code)] // not every suite stops its gateway this way
    pub(crate) fn terminate(&mut self) -> i32 {
        sigterm(&mut self.0)
    }
}

/// Sends SIGTERM to `child` and waits (up to 30 s) for its exit code.
#[allow(dead_code)] // not every suite uses it
pub(crate) fn sigterm(child: &mut Child) -> i32 {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let start = std::time::Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st.code().unwrap_or(-1);
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "gateway did not stop on SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// One platform's entry in `<home>/.hermes/gateway_state.json` (null until it is written).
#[allow(dead_code)] // not every suite uses it
pub(crate) fn platform_state(home: &Path, platform: &str) -> serde_json::Value {
    std::fs::read_to_string(home.join(".hermes/gateway_state.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map_or(serde_json::Value::Null, |v| {
            v["platforms"][platform].clone()
        })
}
