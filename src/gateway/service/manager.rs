//! The [`ServiceManager`] trait, which backend applies on this host ([`detect`]), the
//! [`CommandRunner`] seam that lets tests script `systemctl`/`launchctl`, and the errors.
//! The backends themselves live beside this file (systemd, launchd, detached).

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Which service manager runs (or would run) a profile's gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// `systemctl --user` units in `~/.config/systemd/user`.
    SystemdUser,
    /// System units in `/etc/systemd/system` (boot-time, needs root).
    SystemdSystem,
    /// launchd agents in `~/Library/LaunchAgents` (macOS).
    Launchd,
    /// No service manager (containers, WSL, a bare machine): `hermes gateway start` runs a
    /// detached supervisor instead.
    None,
}

impl Backend {
    /// A short label for tables and JSON.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::SystemdUser => "systemd (user)",
            Self::SystemdSystem => "systemd (system)",
            Self::Launchd => "launchd",
            Self::None => "none (detached supervisor)",
        }
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CommandOutput {
    /// Whether the command exited 0.
    #[must_use]
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// What it said (stderr, else stdout), trimmed.
    #[must_use]
    pub fn message(&self) -> String {
        let e = self.stderr.trim();
        if e.is_empty() {
            self.stdout.trim().to_string()
        } else {
            e.to_string()
        }
    }
}

/// Runs external programs (`systemctl`, `launchctl`, `loginctl`); tests substitute a script.
pub trait CommandRunner: Send + Sync {
    /// Runs `program args…` to completion and captures its output.
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<CommandOutput>;
}

/// The real runner: `std::process::Command` with stdin closed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRunner;

impl CommandRunner for SystemRunner {
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<CommandOutput> {
        let out = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()?;
        Ok(CommandOutput {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A file could not be read, written or removed.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `systemctl`/`launchctl` could not be run or reported failure.
    #[error("`{command}` failed: {message}")]
    Command {
        /// The command line.
        command: String,
        /// What it said.
        message: String,
    },
    /// A system unit needs root.
    #[error("System gateway {action} requires root. Re-run with sudo.")]
    NeedsRoot {
        /// `install`, `uninstall`, `start`…
        action: &'static str,
    },
    /// `install`/`uninstall` without a service manager.
    #[error("no service manager is available here (no systemd user session, not macOS)")]
    NoManager,
    /// The service file is not installed.
    #[error("the gateway service `{name}` is not installed")]
    NotInstalled {
        /// Unit name or launchd label.
        name: String,
    },
    /// The installed file differs from what this version writes.
    #[error("{} is outdated (it differs from what this version of hermes writes)", path.display())]
    Outdated {
        /// The installed unit or plist.
        path: PathBuf,
    },
    /// A gateway already runs for this profile.
    #[error("the gateway of profile {profile} is already running (PID {pid})")]
    AlreadyRunning {
        /// The profile.
        profile: String,
        /// The running gateway or supervisor.
        pid: u32,
    },
    /// The detached supervisor exited before the gateway came up.
    #[error("the gateway exited during startup{}", code.map(|c| format!(" (exit {c})")).unwrap_or_default())]
    StartFailed {
        /// The supervisor's exit code.
        code: Option<i32>,
        /// The log with its output.
        log: PathBuf,
        /// Its last lines.
        tail: String,
    },
    /// The gateway did not come up in time.
    #[error("the gateway did not report running within {seconds} s")]
    StartTimeout {
        /// How long we waited.
        seconds: u64,
        /// The log with its output.
        log: PathBuf,
    },
    /// A process ignored SIGTERM and SIGKILL.
    #[error("the gateway (PID {pid}) did not stop")]
    DidNotStop {
        /// The process.
        pid: u32,
    },
}

impl ServiceError {
    /// Things the user can do.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::NeedsRoot { .. } => vec![
                "`sudo hermes gateway install --system --run-as-user $USER`".into(),
                "or use a user service: `hermes gateway install` (no sudo)".into(),
            ],
            Self::NoManager => vec![
                "`hermes gateway start` runs the gateway detached with its own supervisor".into(),
                "in a container, let Docker restart it: `restart: unless-stopped` in compose.yaml"
                    .into(),
            ],
            Self::NotInstalled { .. } => vec!["install it: `hermes gateway install`".into()],
            Self::Outdated { .. } => {
                vec!["rewrite it: `hermes gateway install --force`".into()]
            }
            Self::AlreadyRunning { .. } => vec![
                "`hermes gateway restart` restarts it; `hermes gateway status` shows it".into(),
            ],
            Self::StartFailed { log, tail, .. } => {
                let mut h = vec![format!("its output is in {}", log.display())];
                if !tail.is_empty() {
                    h.push(format!("last lines:\n{tail}"));
                }
                h.push("run it in the foreground to see why: `hermes gateway run -v`".into());
                h
            }
            Self::StartTimeout { log, .. } => vec![
                format!("see {}", log.display()),
                "`hermes gateway status` shows whether it came up later".into(),
            ],
            _ => Vec::new(),
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallOutcome {
    /// The unit or plist.
    pub path: PathBuf,
    /// Whether the file was (re)written.
    pub written: bool,
    /// Whether an existing file was outdated (and rewritten because of `--force`).
    pub was_outdated: bool,
    /// Whether the service was started.
    pub started: bool,
    /// For a user unit: linger.
    pub linger: Option<Linger>,
    /// Both a user and a system unit exist for this profile.
    pub both_scopes: bool,
}

/// Whether a user's services keep running after logout (`loginctl enable-linger`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Linger {
    /// `/var/lib/systemd/linger/<user>` exists.
    Enabled,
    /// We just enabled it.
    EnabledNow,
    /// Off, and `loginctl enable-linger` failed.
    Failed {
        /// The user.
        user: String,
        /// Why.
        detail: String,
    },
}

/// Options of `hermes gateway install`.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstallOptions {
    /// Rewrite an existing (outdated) file.
    pub force: bool,
    /// Start (or restart) the service once installed.
    pub start_now: bool,
}

/// What `start` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Started {
    /// The supervisor (detached mode) or service manager's main pid, if known.
    pub supervisor_pid: Option<u32>,
    /// The gateway process, if known.
    pub gateway_pid: Option<u32>,
    /// launchd had dropped the job (`gateway stop` unloads it) and it was loaded again.
    pub reloaded: bool,
}

/// A way to run one profile's gateway as a service.
pub trait ServiceManager {
    /// Which backend this is.
    fn backend(&self) -> Backend;
    /// The unit name or launchd label.
    fn name(&self) -> String;
    /// The service file, when the backend has one.
    fn file(&self) -> Option<PathBuf>;
    /// Whether the service file is installed.
    fn is_installed(&self) -> bool {
        self.file().is_some_and(|p| p.exists())
    }
    /// Whether the installed file differs from `expected`.
    fn is_outdated(&self, expected: &str) -> bool {
        self.file()
            .filter(|p| p.exists())
            .is_some_and(|p| super::is_outdated(&p, expected))
    }
    /// Writes the service file, registers it, and starts it when asked.
    fn install(&self, contents: &str, opts: InstallOptions)
    -> Result<InstallOutcome, ServiceError>;
    /// Stops, unregisters and removes the service file; `false` when nothing was installed.
    fn uninstall(&self) -> Result<bool, ServiceError>;
    /// Starts the gateway.
    fn start(&self) -> Result<Started, ServiceError>;
    /// Stops the gateway; `false` when it was not running.
    fn stop(&self) -> Result<bool, ServiceError>;
    /// Restarts the gateway.
    fn restart(&self) -> Result<Started, ServiceError>;
    /// Whether the service manager reports it running (`None`: cannot tell).
    fn is_active(&self) -> Option<bool>;
}

/// Facts about the host that decide the backend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// Running on macOS.
    pub macos: bool,
    /// Inside a container (`/.dockerenv`, `/run/.containerenv`).
    pub container: bool,
    /// systemd is PID 1 (`/run/systemd/system` exists).
    pub systemd_booted: bool,
    /// `systemctl --user` reaches a user manager (no "Failed to connect to bus").
    pub user_bus: bool,
}

impl HostFacts {
    /// Looks at this machine.
    #[must_use]
    pub fn probe(runner: &dyn CommandRunner) -> Self {
        let macos = cfg!(target_os = "macos");
        let container =
            Path::new("/.dockerenv").exists() || Path::new("/run/.containerenv").exists();
        let systemd_booted = Path::new("/run/systemd/system").is_dir();
        let user_bus = !macos
            && runner
                .run("systemctl", &["--user".into(), "show-environment".into()])
                .is_ok_and(|o| o.success() && !o.message().contains("Failed to connect to bus"));
        Self {
            macos,
            container,
            systemd_booted,
            user_bus,
        }
    }
}

/// Picks the backend: `HERMES_SERVICE_MANAGER` (`none`, `systemd`, `launchd`) wins; then
/// macOS → launchd; a container or a host without systemd → none; `system` → the system
/// scope; a reachable user bus → the user scope; otherwise none.
#[must_use]
pub fn detect(facts: &HostFacts, system: bool, forced: Option<&str>) -> Backend {
    match forced.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("none" | "detached") => return Backend::None,
        Some("launchd") => return Backend::Launchd,
        Some("systemd") => {
            return if system {
                Backend::SystemdSystem
            } else {
                Backend::SystemdUser
            };
        }
        _ => {}
    }
    if facts.macos {
        return Backend::Launchd;
    }
    if facts.container || !facts.systemd_booted {
        return Backend::None;
    }
    if system {
        return Backend::SystemdSystem;
    }
    if facts.user_bus {
        Backend::SystemdUser
    } else {
        Backend::None
    }
}

/// A scripted [`CommandRunner`] for tests.
#[cfg(test)]
pub(crate) mod script {
    use std::sync::Mutex;

    use super::{CommandOutput, CommandRunner};

    /// Records every command and answers from a script (`program arg…` prefix → output);
    /// anything unscripted succeeds silently.
    #[derive(Default)]
    pub(crate) struct Script {
        pub(crate) calls: Mutex<Vec<String>>,
        pub(crate) answers: Vec<(String, CommandOutput)>,
    }

    impl CommandRunner for Script {
        fn run(&self, program: &str, args: &[String]) -> std::io::Result<CommandOutput> {
            let line = format!("{program} {}", args.join(" "));
            self.calls.lock().unwrap().push(line.clone());
            Ok(self
                .answers
                .iter()
                .find(|(prefix, _)| line.starts_with(prefix.as_str()))
                .map_or_else(
                    || CommandOutput {
                        code: Some(0),
                        ..CommandOutput::default()
                    },
                    |(_, o)| o.clone(),
                ))
        }
    }

    /// An output.
    pub(crate) fn out(code: i32, stdout: &str, stderr: &str) -> CommandOutput {
        CommandOutput {
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_order() {
        let linux = HostFacts {
            systemd_booted: true,
            user_bus: true,
            ..HostFacts::default()
        };
        assert_eq!(detect(&linux, false, None), Backend::SystemdUser);
        assert_eq!(detect(&linux, true, None), Backend::SystemdSystem);
        let no_bus = HostFacts {
            user_bus: false,
            ..linux
        };
        assert_eq!(
            detect(&no_bus, false, None),
            Backend::None,
            "Failed to connect to bus"
        );
        let container = HostFacts {
            container: true,
            ..linux
        };
        assert_eq!(detect(&container, true, None), Backend::None);
        let mac = HostFacts {
            macos: true,
            ..HostFacts::default()
        };
        assert_eq!(detect(&mac, false, None), Backend::Launchd);
        assert_eq!(detect(&linux, false, Some("none")), Backend::None);
        assert_eq!(
            detect(&HostFacts::default(), true, Some("systemd")),
            Backend::SystemdSystem
        );
        assert_eq!(
            detect(&HostFacts::default(), false, None),
            Backend::None,
            "no systemd at all"
        );
    }

    #[test]
    fn output_message_prefers_stderr() {
        let o = CommandOutput {
            code: Some(1),
            stdout: "out\n".into(),
            stderr: "  Failed to connect to bus\n".into(),
        };
        assert_eq!(o.message(), "Failed to connect to bus");
        assert!(!o.success());
    }
}
