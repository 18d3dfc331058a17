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
