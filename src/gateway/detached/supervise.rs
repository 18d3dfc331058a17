//! The supervisor loop behind `hermes gateway start` when no service manager exists: run
//! `hermes gateway run` as a child and restart it as a unit with `Restart=always`,
//! `RestartForceExitStatus=75` and `RestartPreventExitStatus=78` would, bounded by the
//! respawn-storm breaker. Signals reach it as [`Control`] messages from the binary.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use rustix::process::{Pid, Signal};
use tokio::sync::mpsc;

use super::storm::{self, StormLimits, Verdict};
use crate::store::Clock;

/// What the binary asks of a running supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// SIGTERM/SIGINT: stop the gateway (SIGTERM, then SIGKILL after the grace) and exit.
    Stop,
    /// SIGUSR1: ask the gateway to restart (it exits 75 and is started again at once).
    Restart,
}

/// How the supervisor runs its child.
#[derive(Debug, Clone)]
pub struct Supervision {
    /// The hermes binary.
    pub program: PathBuf,
    /// Its arguments (`--profile X gateway run --replace`).
    pub args: Vec<String>,
    /// Extra environment for the child.
    pub envs: Vec<(String, String)>,
    /// `gateway-starts.log`.
    pub starts_log: PathBuf,
    /// The storm limits.
    pub limits: StormLimits,
    /// Pause before restarting a crashed gateway (none after exit 75).
    pub restart_delay: Duration,
    /// How long a stopping gateway may drain before SIGKILL.
    pub stop_grace: Duration,
}

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildExit {
    /// Exit code.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl std::fmt::Display for ChildExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Code(c) => write!(f, "exit {c}"),
            Self::Signal(s) => write!(f, "signal {s}"),
        }
    }
}

/// Something worth a log line.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A gateway was started.
    Started {
        /// Its pid.
        pid: u32,
        /// Crash restarts inside the storm window, this one included (0: not after a crash).
        recent: usize,
    },
    /// It ended.
    Exited {
        /// Its pid.
        pid: u32,
        /// How.
        how: ChildExit,
    },
    /// A restart was asked for and passed on (SIGUSR1).
    RestartRequested {
        /// The gateway.
        pid: u32,
    },
    /// A stop was asked for and passed on (SIGTERM).
    Stopping {
        /// The gateway.
        pid: u32,
    },
}

/// Why the supervisor returned.
#[derive(Debug)]
pub enum Outcome {
    /// Asked to stop; the gateway was stopped.
    Stopped,
    /// The gateway exited 0 by itself (someone stopped it, or `--replace` took over): not
    /// restarted, so two supervisors never fight over one profile.
    GatewayStopped,
    /// The gateway exited 78 (a non-retryable startup conflict): not restarted.
    ConfigConflict,
    /// Too many crash restarts inside the window.
    Storm {
        /// Crash restarts inside the window (this attempt included).
        recent: usize,
        /// The window.
        window_seconds: u64,
    },
    /// The gateway could not be spawned at all.
    SpawnFailed(std::io::Error),
}

impl Outcome {
    /// The supervisor's own exit code.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Stopped | Self::GatewayStopped => 0,
            Self::ConfigConflict => 78,
            Self::Storm { .. } | Self::SpawnFailed(_) => 1,
        }
    }
}

fn signal(pid: u32, sig: Signal) {
    if let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process(p, sig);
    }
}

fn exit_of(status: std::process::ExitStatus) -> ChildExit {
    status.code().map_or_else(
        || ChildExit::Signal(status.signal().unwrap_or(0)),
        ChildExit::Code,
    )
}

/// Runs and restarts the gateway until told to stop, it stops by itself, or a storm trips.
/// Only restarts after a crash count towards the storm: the first start, and restarts the
/// gateway asked for (exit 75: SIGUSR1, `gateway restart`, `/restart`) are deliberate.
pub async fn supervise(
    cfg: &Supervision,
    clock: &dyn Clock,
    mut control: mpsc::UnboundedReceiver<Control>,
    mut on_event: impl FnMut(Event),
) -> Outcome {
    let mut crashed = false;
    loop {
        let recent = if crashed {
            #[allow(clippy::cast_precision_loss)] // epoch milliseconds fit an f64 exactly
            let now = clock.now().as_millisecond() as f64 / 1000.0;
            match storm::record_start(&cfg.starts_log, now, cfg.limits) {
                Verdict::Allowed { recent } => recent,
                Verdict::Storm { recent } => {
                    return Outcome::Storm {
                        recent,
                        window_seconds: cfg.limits.window_seconds,
                    };
                }
            }
        } else {
            0
        };
        let mut child = match tokio::process::Command::new(&cfg.program)
            .args(&cfg.args)
            .envs(cfg.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => return Outcome::SpawnFailed(e),
        };
        let pid = child.id().unwrap_or(0);
        on_event(Event::Started { pid, recent });
        let mut stopping = false;
        let how = loop {
            tokio::select! {
                status = child.wait() => {
                    break status.map_or(ChildExit::Code(-1), exit_of);
                }
                msg = control.recv(), if !stopping => match msg {
                    Some(Control::Restart) => {
                        on_event(Event::RestartRequested { pid });
                        signal(pid, Signal::USR1);
                    }
                    Some(Control::Stop) | None => {
                        on_event(Event::Stopping { pid });
                        signal(pid, Signal::TERM);
                        stopping = true;
                    }
                },
                () = tokio::time::sleep(cfg.stop_grace), if stopping => {
                    let _ = child.start_kill();
                }
            }
        };
        on_event(Event::Exited { pid, how });
        if stopping {
            return Outcome::Stopped;
        }
        crashed = false;
        match how {
            ChildExit::Code(0) => return Outcome::GatewayStopped,
            ChildExit::Code(78) => return Outcome::ConfigConflict,
            ChildExit::Code(75) => {}
            _ => {
                crashed = true;
                // A crash: pause briefly, but a stop during the pause wins.
                tokio::select! {
                    () = tokio::time::sleep(cfg.restart_delay) => {}
                    msg = control.recv() => {
                        if !matches!(msg, Some(Control::Restart)) {
                            return Outcome::Stopped;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SystemClock;

    fn cfg(dir: &std::path::Path, script: &str) -> Supervision {
        Supervision {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            envs: vec![],
            starts_log: dir.join("gateway-starts.log"),
            limits: StormLimits {
                max_starts: 3,
                window_seconds: 120,
            },
            restart_delay: Duration::from_millis(10),
            stop_grace: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn crashes_restart_until_the_storm_breaker_trips() {
        let t = tempfile::tempdir().unwrap();
        let (_tx, rx) = mpsc::unbounded_channel();
        let mut events = Vec::new();
        let out = supervise(&cfg(t.path(), "exit 3"), &SystemClock, rx, |e| {
            events.push(e);
        })
        .await;
        assert!(
            matches!(
                out,
                Outcome::Storm {
                    recent: 4,
                    window_seconds: 120
                }
            ),
            "{out:?}"
        );
        let exits = events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::Exited {
                        how: ChildExit::Code(3),
                        ..
                    }
                )
            })
            .count();
        // The first start is not a crash restart: it runs, then three restarts are allowed.
        assert_eq!(exits, 4);
        assert_eq!(out.exit_code(), 1);
    }

    #[tokio::test]
    async fn exit_78_and_exit_0_are_not_restarted_and_75_is() {
        let t = tempfile::tempdir().unwrap();
        let (_tx, rx) = mpsc::unbounded_channel();
        let out = supervise(&cfg(t.path(), "exit 78"), &SystemClock, rx, |_| {}).await;
        assert!(matches!(out, Outcome::ConfigConflict));
        assert_eq!(out.exit_code(), 78);

        // First run exits 75 (restart asked), the second exits 0: two starts, then done.
        let t = tempfile::tempdir().unwrap();
        let marker = t.path().join("ran-once");
        let script = format!(
            "if [ -e {m} ]; then exit 0; else touch {m}; exit 75; fi",
            m = marker.display()
        );
        let (_tx, rx) = mpsc::unbounded_channel();
        let mut starts = 0;
        let out = supervise(&cfg(t.path(), &script), &SystemClock, rx, |e| {
            if matches!(e, Event::Started { .. }) {
                starts += 1;
            }
        })
        .await;
        assert!(matches!(out, Outcome::GatewayStopped), "{out:?}");
        assert_eq!(starts, 2);
    }

    #[tokio::test]
    async fn restarts_the_gateway_asked_for_never_trip_the_breaker() {
        // Ten runs that each exit 75 (a requested restart), then one that exits 0: with a
        // limit of 3, none of them counts and nothing is written to the starts log.
        let t = tempfile::tempdir().unwrap();
        let count = t.path().join("count");
        let script = format!(
            "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; [ $n -gt 10 ] && exit 0; exit 75",
            c = count.display()
        );
        let (_tx, rx) = mpsc::unbounded_channel();
        let c = cfg(t.path(), &script);
        let out = supervise(&c, &SystemClock, rx, |_| {}).await;
        assert!(matches!(out, Outcome::GatewayStopped), "{out:?}");
        assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "11");
        assert!(!c.starts_log.exists());
    }

    #[tokio::test]
    async fn stop_forwards_sigterm_and_waits() {
        let t = tempfile::tempdir().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let done = t.path().join("got-term");
        // `exec sleep` would not run the trap; sleep in the background and wait for it.
        let script = format!(
            "trap 'touch {d}; kill $!; exit 0' TERM; sleep 30 & wait",
            d = done.display()
        );
        let c = cfg(t.path(), &script);
        let handle = tokio::spawn(async move {
            let mut events = Vec::new();
            let out = supervise(&c, &SystemClock, rx, |e| events.push(e)).await;
            (out, events)
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        tx.send(Control::Stop).unwrap();
        let (out, events) = handle.await.unwrap();
        assert!(matches!(out, Outcome::Stopped));
        assert!(done.exists(), "the child got SIGTERM");
        assert!(events.iter().any(|e| matches!(e, Event::Stopping { .. })));
    }
}
