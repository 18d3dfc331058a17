//! End-to-end tests of the `hermes` binary: each runs the real binary with HOME and
//! `HERMES_HOME` in a temp dir, a clean environment, and no colour.

mod chat;
mod config;
mod cron;
mod help;
mod logs;
mod ops_docker;
mod ops_doctor;
mod ops_gateway;
mod ops_http;
mod ops_status;
mod ops_update;
mod output;
mod pairing;
mod profile;
mod sessions;
mod setup;
mod setup_fake;
mod setup_keychain;
mod setup_tty;
mod startup_order;
mod upstream_home;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A scratch user: `$HOME` in a temp dir, `~/.hermes` beneath it.
pub(crate) struct TestEnv {
    dir: tempfile::TempDir,
}

/// What a run produced.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Asserts success and returns self.
    #[track_caller]
    pub(crate) fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success\n{self}");
        self
    }

    /// Asserts this exit code and returns self.
    #[track_caller]
    pub(crate) fn code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "expected exit {code}\n{self}");
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl TestEnv {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        Self { dir }
    }

    /// `$HOME`.
    pub(crate) fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `~/.hermes`.
    pub(crate) fn root(&self) -> PathBuf {
        self.home().join(".hermes")
    }

    /// A named profile's home.
    pub(crate) fn profile(&self, name: &str) -> PathBuf {
        self.root().join("profiles").join(name)
    }

    /// The binary under test.
    pub(crate) fn bin() -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_hermes"))
    }

    fn base_env(&self) -> Vec<(String, String)> {
        let env = vec![
            ("HOME".to_string(), self.home().display().to_string()),
            ("PATH".to_string(), "/usr/bin:/bin".to_string()),
            ("NO_COLOR".to_string(), "1".to_string()),
            ("COLUMNS".to_string(), "100".to_string()),
            // A developer's own keychain stays out of the tests (setup_keychain turns it on).
            ("HERMES_NO_KEYCHAIN".to_string(), "1".to_string()),
        ];
        env
    }

    /// Runs `hermes ARGS` with stdin empty.
    pub(crate) fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_with(args, &[], "")
    }

    /// Runs `hermes ARGS` with extra environment and stdin text.
    pub(crate) fn run_with<I, S>(&self, args: I, env: &[(&str, &str)], stdin: &str) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = assert_cmd::Command::new(Self::bin());
        cmd.env_clear()
            .args(args)
            .current_dir(self.dir.path())
            .write_stdin(stdin.to_string());
        for (k, v) in self.base_env() {
            cmd.env(k, v);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.finish(&cmd.output().expect("run hermes"))
    }

    /// Runs any program (e.g. an alias wrapper) in this environment.
    pub(crate) fn run_program(&self, program: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear().args(args).current_dir(self.dir.path());
        for (k, v) in self.base_env() {
            cmd.env(k, v);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.finish(&cmd.output().expect("run program"))
    }

    fn finish(&self, out: &Output) -> Run {
        let clean = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .replace(&self.dir.path().display().to_string(), "[TMP]")
                .replace(&Self::bin().display().to_string(), "[HERMES]")
        };
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: clean(&out.stdout),
            stderr: clean(&out.stderr),
        }
    }

    /// Reads a file under the temp dir.
    pub(crate) fn read(&self, p: &Path) -> String {
        std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    /// Writes a file, creating parents.
    pub(crate) fn write(&self, p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// The permission bits of a file.
pub(crate) fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}
