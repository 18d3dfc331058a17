//! Running the gateway without a service manager (containers, WSL, a bare machine):
//! `start` spawns `hermes gateway __supervise` in its own session with output in
//! `logs/gateway.stdout.log`; the supervisor ([`supervise`]) runs and restarts the gateway.
//! `stop` signals the supervisor (or a lone gateway), `restart` sends it SIGUSR1.

pub mod storm;
pub mod supervise;

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};

use super::lock::own_record;
use super::pid::{self, PidRecord};
use super::service::manager::{
    Backend, InstallOptions, InstallOutcome, ServiceError, ServiceManager, Started,
};
use crate::fsutil;
use crate::home::HermesPaths;

/// The `kind` of a supervisor's pid record.
pub const SUPERVISOR_KIND: &str = "hermes-gateway-supervisor";

/// The live supervisor of a home, if any.
#[must_use]
pub fn supervisor_pid(paths: &HermesPaths) -> Option<u32> {
    let record = pid::read_record(&paths.gateway_supervisor_pid_file())?;
    pid::record_is_live(&record).then_some(record.pid)
}

/// Which stale pid files were removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StaleCleared {
    /// `gateway.pid` named a dead process.
    pub gateway: bool,
    /// `gateway-supervisor.pid` named a dead process.
    pub supervisor: bool,
}

/// Removes pid files whose process is gone (a crash or `kill -9` leaves them behind).
#[must_use]
pub fn clear_stale(paths: &HermesPaths) -> StaleCleared {
    let mut out = StaleCleared::default();
    let gw = paths.gateway_pid_file();
    if gw.exists() && pid::running_gateway(paths).is_none() {
        out.gateway = fs::remove_file(&gw).is_ok();
    }
    let sup = paths.gateway_supervisor_pid_file();
    if sup.exists() && supervisor_pid(paths).is_none() {
        out.supervisor = fs::remove_file(&sup).is_ok();
    }
    out
}

/// The supervisor's claim on a home: written at start, removed when dropped.
#[derive(Debug)]
pub struct SupervisorPidFile {
    path: PathBuf,
    pid: u32,
}

impl SupervisorPidFile {
    /// Writes this process's record, refusing when another live supervisor holds the home.
    pub fn create(paths: &HermesPaths, argv: &[String]) -> Result<Self, ServiceError> {
        let path = paths.gateway_supervisor_pid_file();
        if let Some(other) = supervisor_pid(paths).filter(|p| *p != std::process::id()) {
            return Err(ServiceError::AlreadyRunning {
                profile: paths.profile().to_string(),
                pid: other,
            });
        }
        let mut record = own_record(paths, argv);
        record.kind = SUPERVISOR_KIND.into();
        let json = serde_json::to_string(&record).unwrap_or_default();
        fsutil::write_atomic(&path, json.as_bytes(), None)
            .map_err(ServiceError::io("write", &path))?;
        Ok(Self {
            path,
            pid: record.pid,
        })
    }
}

impl Drop for SupervisorPidFile {
    fn drop(&mut self) {
        if pid::read_record(&self.path).is_some_and(|r: PidRecord| r.pid == self.pid) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The last `n` lines of a file.
#[must_use]
pub fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The none-mode "service manager": a detached supervisor per profile.
#[derive(Debug, Clone)]
pub struct Detached {
    paths: HermesPaths,
    exe: PathBuf,
    /// How long `start`/`restart` wait for the gateway to come up.
    pub start_timeout: Duration,
    /// How long `stop` waits before SIGKILL (the supervisor itself gives the gateway 60 s).
    pub stop_grace: Duration,
}

impl Detached {
    /// The detached gateway of `paths`' profile, run from the binary `exe`.
    #[must_use]
    pub fn new(paths: &HermesPaths, exe: &Path) -> Self {
        Self {
            paths: paths.clone(),
            exe: exe.to_path_buf(),
            start_timeout: Duration::from_secs(30),
            stop_grace: Duration::from_secs(75),
        }
    }

    /// The command line of the supervisor (and, with `run`, of the gateway it runs).
    #[must_use]
    pub fn args(paths: &HermesPaths, verb: &str) -> Vec<String> {
        let mut args = vec![
            "--profile".to_string(),
            paths.profile().to_string(),
            "gateway".into(),
            verb.into(),
        ];
        if verb == "run" {
            args.push("--replace".into());
        }
        args
    }

    /// Environment that pins the child to this home (the sticky profile must not apply).
    #[must_use]
    pub fn envs(paths: &HermesPaths) -> Vec<(String, String)> {
        vec![
            ("HERMES_HOME".into(), paths.root().display().to_string()),
            ("HERMES_SUPERVISED_CHILD".into(), "1".into()),
        ]
    }

    fn spawn_supervisor(&self) -> Result<std::process::Child, ServiceError> {
        let log = self.paths.gateway_stdout_log();
        if let Some(dir) = log.parent() {
            fs::create_dir_all(dir).map_err(ServiceError::io("create", dir))?;
        }
        let open = || {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .map_err(ServiceError::io("open", &log))
        };
        let (out, err) = (open()?, open()?);
        // The supervisor calls setsid() first thing, so it leaves this terminal's session:
        // closing the terminal (SIGHUP) or Ctrl-C here never reaches it.
        Command::new(&self.exe)
            .args(Self::args(&self.paths, "__supervise"))
            .envs(Self::envs(&self.paths))
            .current_dir(self.paths.home())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(ServiceError::io("run", &self.exe))
    }

    /// Waits until a gateway other than `old` runs; watches the supervisor (our `child`, or
    /// the running one's pid `supervisor`) for an early exit.
    fn wait_up(
        &self,
        old: Option<u32>,
        child: Option<&mut std::process::Child>,
        supervisor: Option<u32>,
    ) -> Result<Started, ServiceError> {
        let deadline = Instant::now() + self.start_timeout;
        let mut child = child;
        let up = |gw: u32| Started {
            supervisor_pid: supervisor_pid(&self.paths),
            gateway_pid: Some(gw),
            reloaded: false,
        };
        loop {
            let gw = pid::running_gateway(&self.paths).filter(|p| Some(*p) != old);
            // Up means it also wrote `gateway_state.json` saying it runs.
            if let Some(gw) = gw
                && super::state::read(&self.paths).is_some_and(|s| {
                    s.gateway_state == "running" && s.process.is_some_and(|p| p.pid == gw)
                })
            {
                return Ok(up(gw));
            }
            if let Some(c) = child.as_deref_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                let log = self.paths.gateway_stdout_log();
                return Err(ServiceError::StartFailed {
                    code: status.code(),
                    tail: tail(&log, 8),
                    log,
                });
            }
            if let Some(sup) = supervisor
                && !pid::is_alive(sup)
            {
                let log = self.paths.gateway_stdout_log();
                return Err(ServiceError::StartFailed {
                    code: None,
                    tail: tail(&log, 8),
                    log,
                });
            }
            if Instant::now() > deadline {
                if let Some(gw) = gw {
                    return Ok(up(gw));
                }
                return Err(ServiceError::StartTimeout {
                    seconds: self.start_timeout.as_secs(),
                    log: self.paths.gateway_stdout_log(),
                });
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl ServiceManager for Detached {
    fn backend(&self) -> Backend {
        Backend::None
    }

    fn name(&self) -> String {
        format!("gateway supervisor ({})", self.paths.profile())
    }

    fn file(&self) -> Option<PathBuf> {
        None
    }

    fn install(&self, _: &str, _: InstallOptions) -> Result<InstallOutcome, ServiceError> {
        Err(ServiceError::NoManager)
    }

    fn uninstall(&self) -> Result<bool, ServiceError> {
        Err(ServiceError::NoManager)
    }

    fn start(&self) -> Result<Started, ServiceError> {
        let running = supervisor_pid(&self.paths).or_else(|| pid::running_gateway(&self.paths));
        if let Some(pid) = running {
            return Err(ServiceError::AlreadyRunning {
                profile: self.paths.profile().to_string(),
                pid,
            });
        }
        let _ = clear_stale(&self.paths);
        // A deliberate start opens a new storm window: the crash restarts that tripped the
        // breaker before must not refuse the start that comes after fixing the cause.
        let _ = fs::remove_file(self.paths.gateway_starts_log());
        let mut child = self.spawn_supervisor()?;
        self.wait_up(None, Some(&mut child), None)
    }

    fn stop(&self) -> Result<bool, ServiceError> {
        let mut stopped = false;
        if let Some(sup) = supervisor_pid(&self.paths) {
            if !pid::terminate(sup, self.stop_grace) {
                return Err(ServiceError::DidNotStop { pid: sup });
            }
            stopped = true;
        }
        // A gateway without a supervisor (foreground, or its supervisor was killed).
        if let Some(gw) = pid::running_gateway(&self.paths) {
            if !pid::terminate(gw, self.stop_grace) {
                return Err(ServiceError::DidNotStop { pid: gw });
            }
            stopped = true;
        }
        let _ = clear_stale(&self.paths);
        Ok(stopped)
    }

    fn restart(&self) -> Result<Started, ServiceError> {
        let old = pid::running_gateway(&self.paths);
        if let (Some(sup), Some(_)) = (supervisor_pid(&self.paths), old)
            && let Some(p) = i32::try_from(sup).ok().and_then(Pid::from_raw)
            && rustix::process::kill_process(p, Signal::USR1).is_ok()
        {
            // The supervisor passes SIGUSR1 on; the gateway drains, exits 75, and is
            // started again at once.
            return self.wait_up(old, None, Some(sup));
        }
        self.stop()?;
        self.start()
    }

    fn is_active(&self) -> Option<bool> {
        Some(supervisor_pid(&self.paths).is_some() || pid::running_gateway(&self.paths).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_files_are_cleared_and_args_pin_the_profile() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        fs::write(paths.gateway_pid_file(), "999999999").unwrap();
        fs::write(
            paths.gateway_supervisor_pid_file(),
            r#"{"pid": 999999998, "kind": "hermes-gateway-supervisor"}"#,
        )
        .unwrap();
        assert_eq!(
            clear_stale(&paths),
            StaleCleared {
                gateway: true,
                supervisor: true
            }
        );
        assert!(!paths.gateway_pid_file().exists());
        assert_eq!(
            Detached::args(&paths, "run"),
            ["--profile", "default", "gateway", "run", "--replace"]
        );
        let d = Detached::new(&paths, Path::new("/bin/true"));
        assert!(matches!(
            d.install("", InstallOptions::default()),
            Err(ServiceError::NoManager)
        ));
        assert_eq!(d.is_active(), Some(false));
        assert!(!d.stop().unwrap(), "nothing to stop");
    }

    #[test]
    fn supervisor_pid_file_is_removed_on_drop() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let f = SupervisorPidFile::create(&paths, &["hermes".into()]).unwrap();
        let rec = pid::read_record(&paths.gateway_supervisor_pid_file()).unwrap();
        assert_eq!(
            (rec.pid, rec.kind.as_str()),
            (std::process::id(), SUPERVISOR_KIND)
        );
        drop(f);
        assert!(!paths.gateway_supervisor_pid_file().exists());
    }
}
