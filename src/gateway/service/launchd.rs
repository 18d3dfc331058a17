//! launchd agents (macOS): the plist in `~/Library/LaunchAgents`, loaded with
//! `launchctl bootstrap gui/<uid>` and unloaded with `bootout`. `start` reloads a job that
//! `stop` unloaded ("Could not find service").

use std::path::PathBuf;
use std::sync::Arc;

use super::manager::{
    Backend, CommandOutput, CommandRunner, InstallOptions, InstallOutcome, ServiceError,
    ServiceManager, Started,
};
use crate::fsutil;
use crate::home::HermesPaths;

/// One profile's launchd job.
pub struct Launchd {
    label: String,
    plist: PathBuf,
    uid: u32,
    runner: Arc<dyn CommandRunner>,
}

impl std::fmt::Debug for Launchd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launchd")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// launchd's answer when a job is not loaded.
fn not_loaded(o: &CommandOutput) -> bool {
    let m = o.message();
    m.contains("Could not find service") || m.contains("No such process")
}

impl Launchd {
    /// The job of `paths`' profile in the GUI domain of this user.
    #[must_use]
    pub fn new(paths: &HermesPaths, runner: Arc<dyn CommandRunner>) -> Self {
        Self {
            label: super::launchd_label(paths),
            plist: super::launchd_plist_path(paths),
            uid: rustix::process::getuid().as_raw(),
            runner,
        }
    }

    fn domain(&self) -> String {
        format!("gui/{}", self.uid)
    }

    fn target(&self) -> String {
        format!("{}/{}", self.domain(), self.label)
    }

    fn launchctl(&self, args: &[String]) -> Result<CommandOutput, ServiceError> {
        self.runner
            .run("launchctl", args)
            .map_err(|e| ServiceError::Command {
                command: format!("launchctl {}", args.join(" ")),
                message: e.to_string(),
            })
    }

    fn check(args: &[String], o: &CommandOutput) -> Result<(), ServiceError> {
        if o.success() {
            Ok(())
        } else {
            Err(ServiceError::Command {
                command: format!("launchctl {}", args.join(" ")),
                message: o.message(),
            })
        }
    }

    fn bootstrap(&self) -> Result<(), ServiceError> {
        let args = vec![
            "bootstrap".into(),
            self.domain(),
            self.plist.display().to_string(),
        ];
        let o = self.launchctl(&args)?;
        Self::check(&args, &o)
    }

    fn bootout(&self) -> Result<bool, ServiceError> {
        let args = vec!["bootout".into(), self.target()];
        let o = self.launchctl(&args)?;
        if not_loaded(&o) {
            return Ok(false);
        }
        Self::check(&args, &o).map(|()| true)
    }

    fn kickstart(&self, kill: bool) -> Result<CommandOutput, ServiceError> {
        let mut args = vec!["kickstart".to_string()];
        if kill {
            args.push("-k".into());
        }
        args.push(self.target());
        self.launchctl(&args)
    }

    fn start_inner(&self, kill: bool) -> Result<Started, ServiceError> {
        if !self.is_installed() {
            return Err(ServiceError::NotInstalled {
                name: self.label.clone(),
            });
        }
        let o = self.kickstart(kill)?;
        let mut reloaded = false;
        if not_loaded(&o) {
            // `gateway stop` unloads the job; load the plist again and kick it.
            self.bootstrap()?;
            reloaded = true;
            let again = self.kickstart(kill)?;
            Self::check(&["kickstart".into(), self.target()], &again)?;
        } else {
            Self::check(&["kickstart".into(), self.target()], &o)?;
        }
        Ok(Started {
            supervisor_pid: None,
            gateway_pid: self.pid(),
            reloaded,
        })
    }

    fn pid(&self) -> Option<u32> {
        let o = self.launchctl(&["print".into(), self.target()]).ok()?;
        o.stdout.lines().find_map(|l| {
            l.trim()
                .strip_prefix("pid = ")
                .and_then(|p| p.trim().parse().ok())
        })
    }
}

impl ServiceManager for Launchd {
    fn backend(&self) -> Backend {
        Backend::Launchd
    }

    fn name(&self) -> String {
        self.label.clone()
    }

    fn file(&self) -> Option<PathBuf> {
        Some(self.plist.clone())
    }

    fn install(
        &self,
        contents: &str,
        opts: InstallOptions,
    ) -> Result<InstallOutcome, ServiceError> {
        let exists = self.plist.exists();
        let was_outdated = exists && super::is_outdated(&self.plist, contents);
        if was_outdated && !opts.force {
            return Err(ServiceError::Outdated {
                path: self.plist.clone(),
            });
        }
        let written = !exists || was_outdated;
        if written {
            if let Some(dir) = self.plist.parent() {
                std::fs::create_dir_all(dir).map_err(ServiceError::io("create", dir))?;
            }
            if exists {
                // launchd keeps the old definition until the job is unloaded.
                self.bootout()?;
            }
            fsutil::write_atomic(&self.plist, contents.as_bytes(), Some(0o644))
                .map_err(ServiceError::io("write", &self.plist))?;
        }
        let mut started = false;
        if opts.start_now {
            // RunAtLoad starts it as soon as it is loaded.
            let o = self.launchctl(&[
                "bootstrap".into(),
                self.domain(),
                self.plist.display().to_string(),
            ])?;
            if !o.success() && !o.message().contains("already") {
                self.start_inner(true)?;
            }
            started = true;
        }
        Ok(InstallOutcome {
            path: self.plist.clone(),
            written,
            was_outdated,
            started,
            linger: None,
            both_scopes: false,
        })
    }

    fn uninstall(&self) -> Result<bool, ServiceError> {
        if !self.plist.exists() {
            return Ok(false);
        }
        self.bootout()?;
        std::fs::remove_file(&self.plist).map_err(ServiceError::io("remove", &self.plist))?;
        Ok(true)
    }

    fn start(&self) -> Result<Started, ServiceError> {
        self.start_inner(false)
    }

    fn stop(&self) -> Result<bool, ServiceError> {
        self.bootout()
    }

    fn restart(&self) -> Result<Started, ServiceError> {
        self.start_inner(true)
    }

    fn is_active(&self) -> Option<bool> {
        let o = self.launchctl(&["print".into(), self.target()]).ok()?;
        if not_loaded(&o) {
            return Some(false);
        }
        Some(o.success() && o.stdout.contains("state = running"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::manager::script::{Script, out};
    use super::*;

    #[test]
    fn start_reloads_an_unloaded_job() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&t.path().join(".hermes"), t.path());
        let script = Arc::new(Script {
            answers: vec![(
                "launchctl kickstart".into(),
                out(
                    113,
                    "",
                    "Could not find service \"ai.hermes.gateway\" in domain for user gui: 501",
                ),
            )],
            ..Script::default()
        });
        let l = Launchd::new(&paths, script.clone());
        assert!(matches!(l.start(), Err(ServiceError::NotInstalled { .. })));
        let o = l
            .install(
                "<plist/>",
                InstallOptions {
                    force: false,
                    start_now: false,
                },
            )
            .unwrap();
        assert!(
            o.path
                .ends_with("Library/LaunchAgents/ai.hermes.gateway.plist")
        );
        // The scripted kickstart keeps failing, so the retry after the reload fails too;
        // what matters is that the plist was bootstrapped in between.
        let err = l.start().unwrap_err();
        assert!(matches!(err, ServiceError::Command { .. }));
        let calls = script.calls.lock().unwrap().clone();
        let uid = rustix::process::getuid().as_raw();
        assert_eq!(
            calls[0],
            format!("launchctl kickstart gui/{uid}/ai.hermes.gateway")
        );
        assert!(calls[1].starts_with(&format!("launchctl bootstrap gui/{uid} ")));
        assert!(l.uninstall().unwrap());
        assert!(!o.path.exists());
    }
}
