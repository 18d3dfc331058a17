//! `hermes gateway __supervise` (hidden): the detached supervisor `gateway start` spawns when
//! no service manager exists. It leaves the terminal's session, claims
//! `gateway-supervisor.pid`, maps signals to [`Control`], and runs the library's loop.

use std::time::Duration;

use hermes::gateway::detached::storm::StormLimits;
use hermes::gateway::detached::supervise::{self, Control, Event, Outcome, Supervision};
use hermes::gateway::detached::{Detached, SupervisorPidFile};
use hermes::gateway::state;
use hermes::store::SystemClock;
use tokio::sync::mpsc;

use super::super::Context;
use super::super::error::CliError;

fn line(cx: &Context, msg: &str) {
    cx.out
        .status(format!("[{}] supervisor: {msg}", jiff::Timestamp::now()));
}

/// Forwards SIGTERM/SIGINT as `Stop` and SIGUSR1 as `Restart`; SIGHUP is ignored (a closed
/// terminal must not stop the gateway).
fn spawn_signals(tx: mpsc::UnboundedSender<Control>) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut usr1 = signal(SignalKind::user_defined1())?;
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                _ = term.recv() => Control::Stop,
                _ = int.recv() => Control::Stop,
                _ = usr1.recv() => Control::Restart,
                _ = hup.recv() => continue,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// Records why the supervisor gave up where `gateway status` looks.
fn record_error(cx: &Context, message: &str) {
    let mut st = state::read(&cx.paths).unwrap_or_default();
    st.gateway_state = "stopped".into();
    st.exit_reason = Some("respawn_storm".into());
    st.last_error = Some(message.to_string());
    st.updated_at = jiff::Timestamp::now().to_string();
    if let Ok(json) = serde_json::to_string_pretty(&st) {
        let _ = hermes::fsutil::write_atomic(&cx.paths.gateway_state_file(), json.as_bytes(), None);
    }
}

pub(crate) fn run(cx: &Context) -> anyhow::Result<()> {
    // Leave the session of the terminal that ran `gateway start` (we are not a group
    // leader: `start` spawns us without a process group of our own).
    let _ = rustix::process::setsid();
    let argv: Vec<String> = std::env::args().collect();
    let _claim = SupervisorPidFile::create(&cx.paths, &argv)?;
    let limits = cx
        .settings()
        .map(|s| StormLimits::from_settings(&s))
        .unwrap_or_default();
    let cfg = Supervision {
        program: cx.exe(),
        args: Detached::args(&cx.paths, "run"),
        envs: Detached::envs(&cx.paths),
        starts_log: cx.paths.gateway_starts_log(),
        limits,
        restart_delay: Duration::from_secs(1),
        stop_grace: Duration::from_mins(1),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = rt.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        spawn_signals(tx)?;
        line(
            cx,
            &format!("watching the gateway of profile {}", cx.paths.profile()),
        );
        let outcome = supervise::supervise(&cfg, &SystemClock, rx, |e| match e {
            Event::Started { pid, recent: 0 } => {
                line(cx, &format!("started the gateway (PID {pid})"));
            }
            Event::Started { pid, recent } => line(
                cx,
                &format!(
                    "restarted the gateway after a crash (PID {pid}; {recent} crash restart(s) in the window)"
                ),
            ),
            Event::Exited { pid, how } => line(cx, &format!("gateway PID {pid} ended ({how})")),
            Event::RestartRequested { pid } => {
                line(cx, &format!("restart requested; SIGUSR1 to PID {pid}"));
            }
            Event::Stopping { pid } => line(cx, &format!("stopping; SIGTERM to PID {pid}")),
        })
        .await;
        anyhow::Ok(outcome)
    })?;
    match &outcome {
        Outcome::Stopped => line(cx, "stopped"),
        Outcome::GatewayStopped => line(cx, "the gateway stopped by itself; not restarting"),
        Outcome::ConfigConflict => line(
            cx,
            "the gateway hit a non-retryable startup conflict (exit 78); not restarting",
        ),
        Outcome::Storm {
            recent,
            window_seconds,
        } => {
            let msg = format!(
                "respawn storm: {recent} crash restarts within {window_seconds} s; not restarting (see logs, then `hermes gateway start`)"
            );
            line(cx, &msg);
            record_error(cx, &msg);
        }
        Outcome::SpawnFailed(e) => line(cx, &format!("cannot run the gateway: {e}")),
    }
    match outcome.exit_code() {
        0 => Ok(()),
        code => Err(CliError::exit(code).into()),
    }
}
