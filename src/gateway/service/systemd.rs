//! systemd units, user scope (`systemctl --user`, `~/.config/systemd/user`) or system scope
//! (`/etc/systemd/system`, root only), with linger handling for user units.

use std::path::PathBuf;
use std::sync::Arc;

use super::manager::{
    Backend, CommandRunner, InstallOptions, InstallOutcome, Linger, ServiceError, ServiceManager,
    Started,
};
use crate::fsutil;
use crate::home::HermesPaths;

/// Where linger flags live.
pub const LINGER_DIR: &str = "/var/lib/systemd/linger";

/// Which unit directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `systemctl --user`.
    User,
    /// `systemctl` (system manager).
    System,
}

/// One profile's unit in one scope.
pub struct Systemd {
    scope: Scope,
    name: String,
    user_dir: PathBuf,
    system_dir: PathBuf,
    linger_dir: PathBuf,
    user: String,
    runner: Arc<dyn CommandRunner>,
    needs_root: bool,
}

impl std::fmt::Debug for Systemd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Systemd")
            .field("scope", &self.scope)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Systemd {
    /// The unit of `paths`' profile; `user` is whose linger matters.
    #[must_use]
    pub fn new(
        paths: &HermesPaths,
        scope: Scope,
        user: &str,
        runner: Arc<dyn CommandRunner>,
    ) -> Self {
        Self {
            scope,
            name: super::systemd_unit_name(paths),
            user_dir: paths.systemd_user_dir(),
            system_dir: PathBuf::from("/etc/systemd/system"),
            linger_dir: PathBuf::from(LINGER_DIR),
            user: user.to_string(),
            runner,
            needs_root: scope == Scope::System && !super::account::is_root(),
        }
    }

    /// Looks for and writes system units in `dir` instead of `/etc/systemd/system`
    /// (`HERMES_SYSTEMD_SYSTEM_DIR`: tests, images built in a chroot).
    #[must_use]
    pub fn with_system_dir(mut self, dir: PathBuf) -> Self {
        self.system_dir = dir;
        self
    }

    /// Overrides the system unit and linger directories and the root check (tests).
    #[must_use]
    pub fn with_dirs(mut self, system_dir: PathBuf, linger_dir: PathBuf) -> Self {
        self.system_dir = system_dir;
        self.linger_dir = linger_dir;
        self.needs_root = false;
        self
    }

    fn unit_file(&self, scope: Scope) -> PathBuf {
        let dir = match scope {
            Scope::User => &self.user_dir,
            Scope::System => &self.system_dir,
        };
        dir.join(format!("{}.service", self.name))
    }

    /// Whether both a user and a system unit exist for this profile.
    #[must_use]
    pub fn both_scopes_installed(&self) -> bool {
        self.unit_file(Scope::User).exists() && self.unit_file(Scope::System).exists()
    }

    /// The linger state of the user, without changing it.
    #[must_use]
    pub fn linger_enabled(&self) -> bool {
        self.linger_dir.join(&self.user).exists()
    }

    /// Makes sure the user's services survive logout: the flag file, else `loginctl
    /// enable-linger`, else [`Linger::Failed`] with the reason.
    #[must_use]
    pub fn ensure_linger(&self) -> Linger {
        if self.linger_enabled() {
            return Linger::Enabled;
        }
        match self.runner.run(
            "loginctl",
            &["enable-linger".to_string(), self.user.clone()],
        ) {
            Ok(o) if o.success() => Linger::EnabledNow,
            Ok(o) => Linger::Failed {
                user: self.user.clone(),
                detail: if o.message().is_empty() {
                    format!("exit {}", o.code.unwrap_or(-1))
                } else {
                    o.message()
                },
            },
            Err(e) => Linger::Failed {
                user: self.user.clone(),
                detail: format!("loginctl: {e}"),
            },
        }
    }

    fn systemctl(&self, args: &[&str]) -> Result<super::manager::CommandOutput, ServiceError> {
        let mut full: Vec<String> = Vec::new();
        if self.scope == Scope::User {
            full.push("--user".into());
        }
        full.extend(args.iter().map(|s| (*s).to_string()));
        let command = format!("systemctl {}", full.join(" "));
        let out = self
            .runner
            .run("systemctl", &full)
            .map_err(|e| ServiceError::Command {
                command: command.clone(),
                message: e.to_string(),
            })?;
        Ok(out)
    }

    fn systemctl_ok(&self, args: &[&str]) -> Result<(), ServiceError> {
        let out = self.systemctl(args)?;
        if out.success() {
            Ok(())
        } else {
            let scope = if self.scope == Scope::User {
                "--user "
            } else {
                ""
            };
            Err(ServiceError::Command {
                command: format!("systemctl {scope}{}", args.join(" ")),
                message: out.message(),
            })
        }
    }

    fn unit(&self) -> String {
        format!("{}.service", self.name)
    }

    fn check_root(&self, action: &'static str) -> Result<(), ServiceError> {
        if self.needs_root {
            Err(ServiceError::NeedsRoot { action })
        } else {
            Ok(())
        }
    }
}

impl ServiceManager for Systemd {
    fn backend(&self) -> Backend {
        match self.scope {
            Scope::User => Backend::SystemdUser,
            Scope::System => Backend::SystemdSystem,
        }
    }

    fn name(&self) -> String {
        self.name.clone()
    }

    fn file(&self) -> Option<PathBuf> {
        Some(self.unit_file(self.scope))
    }

    fn install(
        &self,
        contents: &str,
        opts: InstallOptions,
    ) -> Result<InstallOutcome, ServiceError> {
        self.check_root("install")?;
        let path = self.unit_file(self.scope);
        let exists = path.exists();
        let was_outdated = exists && super::is_outdated(&path, contents);
        if was_outdated && !opts.force {
            return Err(ServiceError::Outdated { path });
        }
        let written = !exists || was_outdated;
        if written {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(ServiceError::io("create", dir))?;
            }
            fsutil::write_atomic(&path, contents.as_bytes(), Some(0o644))
                .map_err(ServiceError::io("write", &path))?;
        }
        self.systemctl_ok(&["daemon-reload"])?;
        self.systemctl_ok(&["enable", &self.unit()])?;
        let mut started = false;
        // A running service keeps its old unit until restarted: restart it after a rewrite
        // even with --no-start-now.
        let active = self.is_active() == Some(true);
        if opts.start_now || (was_outdated && active) {
            let verb = if active { "restart" } else { "start" };
            self.systemctl_ok(&[verb, &self.unit()])?;
            started = true;
        }
        let linger = (self.scope == Scope::User).then(|| self.ensure_linger());
        Ok(InstallOutcome {
            path,
            written,
            was_outdated,
            started,
            linger,
            both_scopes: self.both_scopes_installed(),
        })
    }

    fn uninstall(&self) -> Result<bool, ServiceError> {
        self.check_root("uninstall")?;
        let path = self.unit_file(self.scope);
        if !path.exists() {
            return Ok(false);
        }
        // Stopping or disabling an already stopped unit is not an error worth failing on.
        let _ = self.systemctl(&["stop", &self.unit()]);
        let _ = self.systemctl(&["disable", &self.unit()]);
        std::fs::remove_file(&path).map_err(ServiceError::io("remove", &path))?;
        self.systemctl_ok(&["daemon-reload"])?;
        Ok(true)
    }

    fn start(&self) -> Result<Started, ServiceError> {
        self.check_root("start")?;
        if !self.is_installed() {
            return Err(ServiceError::NotInstalled { name: self.unit() });
        }
        self.systemctl_ok(&["start", &self.unit()])?;
        Ok(Started {
            supervisor_pid: self.main_pid(),
            gateway_pid: self.main_pid(),
            reloaded: false,
        })
    }

    fn stop(&self) -> Result<bool, ServiceError> {
        self.check_root("stop")?;
        let was = self.is_active() == Some(true);
        self.systemctl_ok(&["stop", &self.unit()])?;
        Ok(was)
    }

    fn restart(&self) -> Result<Started, ServiceError> {
        self.check_root("restart")?;
        self.systemctl_ok(&["restart", &self.unit()])?;
        Ok(Started {
            supervisor_pid: self.main_pid(),
            gateway_pid: self.main_pid(),
            reloaded: false,
        })
    }

    fn is_active(&self) -> Option<bool> {
        let out = self.systemctl(&["is-active", &self.unit()]).ok()?;
        match out.stdout.trim() {
            "active" | "activating" | "reloading" => Some(true),
            "inactive" | "failed" | "deactivating" => Some(false),
            _ => None,
        }
    }
}

impl Systemd {
    fn main_pid(&self) -> Option<u32> {
        let out = self
            .systemctl(&["show", "--property=MainPID", "--value", &self.unit()])
            .ok()?;
        out.stdout.trim().parse().ok().filter(|p| *p != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::manager::CommandOutput;
    use super::super::manager::script::{Script, out};
    use super::*;

    fn setup(answers: Vec<(String, CommandOutput)>) -> (tempfile::TempDir, Arc<Script>, Systemd) {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&t.path().join(".hermes"), t.path());
        let script = Arc::new(Script {
            answers,
            ..Script::default()
        });
        let sd = Systemd::new(&paths, Scope::User, "ann", script.clone())
            .with_dirs(t.path().join("etc"), t.path().join("linger"));
        (t, script, sd)
    }

    #[test]
    fn install_writes_0644_reloads_enables_starts_and_enables_linger() {
        let (t, script, sd) = setup(vec![(
            "systemctl --user is-active".into(),
            out(3, "inactive\n", ""),
        )]);
        let o = sd
            .install(
                "[Unit]\n",
                InstallOptions {
                    force: false,
                    start_now: true,
                },
            )
            .unwrap();
        let path = t.path().join(".config/systemd/user/hermes-gateway.service");
        assert_eq!(o.path, path);
        assert!(o.written && o.started && !o.was_outdated);
        assert_eq!(fsutil::mode_of(&path), Some(0o644));
        assert_eq!(o.linger, Some(Linger::EnabledNow));
        let calls = script.calls.lock().unwrap().clone();
        assert_eq!(
            calls,
            [
                "systemctl --user daemon-reload",
                "systemctl --user enable hermes-gateway.service",
                "systemctl --user is-active hermes-gateway.service",
                "systemctl --user start hermes-gateway.service",
                "loginctl enable-linger ann",
            ]
        );
    }

    #[test]
    fn outdated_unit_needs_force_and_linger_failure_is_reported() {
        let (t, _script, sd) = setup(vec![(
            "loginctl enable-linger".into(),
            out(1, "", "Could not enable linger: Access denied\n"),
        )]);
        let path = t.path().join(".config/systemd/user/hermes-gateway.service");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "old").unwrap();
        assert!(sd.is_outdated("new"));
        let opts = InstallOptions {
            force: false,
            start_now: false,
        };
        assert!(matches!(
            sd.install("new", opts),
            Err(ServiceError::Outdated { .. })
        ));
        let o = sd
            .install(
                "new",
                InstallOptions {
                    force: true,
                    ..opts
                },
            )
            .unwrap();
        assert!(o.was_outdated && o.written && !o.started);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            o.linger,
            Some(Linger::Failed {
                user: "ann".into(),
                detail: "Could not enable linger: Access denied".into()
            })
        );
        std::fs::create_dir_all(t.path().join("linger")).unwrap();
        std::fs::write(t.path().join("linger/ann"), "").unwrap();
        assert_eq!(sd.ensure_linger(), Linger::Enabled);
    }

    #[test]
    fn both_scopes_and_uninstall() {
        let (t, script, sd) = setup(Vec::new());
        let user = t.path().join(".config/systemd/user/hermes-gateway.service");
        let system = t.path().join("etc/hermes-gateway.service");
        for p in [&user, &system] {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        assert!(sd.both_scopes_installed());
        assert!(sd.uninstall().unwrap());
        assert!(!user.exists() && system.exists());
        assert!(!sd.uninstall().unwrap(), "nothing left to remove");
        assert!(
            script
                .calls
                .lock()
                .unwrap()
                .contains(&"systemctl --user disable hermes-gateway.service".to_string())
        );
        assert!(matches!(sd.start(), Err(ServiceError::NotInstalled { .. })));
    }

    #[test]
    fn failed_systemctl_is_an_error_with_its_message() {
        let (_t, _s, sd) = setup(vec![(
            "systemctl --user daemon-reload".into(),
            out(1, "", "Failed to connect to bus: No medium found"),
        )]);
        let err = sd.install("x", InstallOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`systemctl --user daemon-reload` failed: Failed to connect to bus: No medium found"
        );
    }
}
