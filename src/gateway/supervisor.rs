//! Runs every platform adapter under a child cancellation token: restarts retryable failures
//! with jittered backoff, parks unauthorized/fatal ones while the rest keep running, and
//! reports each platform's state.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::backoff;
use crate::platforms::{Platform, PlatformCx, PlatformError};

/// A platform's state change, as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// Platform name.
    pub platform: String,
    /// `connecting|connected|retrying|fatal|stopped`.
    pub state: String,
    /// Error code and message, for failures.
    pub error: Option<(String, String)>,
}

/// Backoff settings for adapter restarts.
#[derive(Debug, Clone, Copy)]
pub struct RestartPolicy {
    /// First delay.
    pub base: Duration,
    /// Longest delay.
    pub max: Duration,
    /// A run that lasted this long resets the attempt counter.
    pub healthy_after: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            max: Duration::from_mins(1),
            healthy_after: Duration::from_mins(1),
        }
    }
}

/// Spawns one supervised task per platform on `tracker`. Each task ends when `root` is
/// cancelled or its platform is parked.
pub fn spawn_all(
    platforms: &[Arc<dyn Platform>],
    template: &PlatformCx,
    root: &CancellationToken,
    tracker: &TaskTracker,
    policy: RestartPolicy,
    status: mpsc::UnboundedSender<StatusChange>,
) {
    for p in platforms {
        let platform = Arc::clone(p);
        let cancel = root.child_token();
        let cx = PlatformCx {
            cancel: cancel.clone(),
            ..template.clone()
        };
        let status = status.clone();
        tracker.spawn(async move { supervise(platform, cx, policy, status).await });
    }
}

/// Supervises one platform until cancelled or parked.
pub async fn supervise(
    platform: Arc<dyn Platform>,
    cx: PlatformCx,
    policy: RestartPolicy,
    status: mpsc::UnboundedSender<StatusChange>,
) {
    let name = platform.name().to_string();
    let send = |state: &str, error: Option<(String, String)>| {
        let _ = status.send(StatusChange {
            platform: name.clone(),
            state: state.into(),
            error,
        });
    };
    let mut attempt: u32 = 0;
    loop {
        if cx.cancel.is_cancelled() {
            break;
        }
        send("connecting", None);
        let started = Instant::now();
        let result = platform.run(cx.clone()).await;
        if cx.cancel.is_cancelled() {
            break;
        }
        if started.elapsed() >= policy.healthy_after {
            attempt = 0;
        }
        let err = match result {
            Ok(()) => PlatformError::Transient {
                platform: name.clone(),
                message: "the connection ended".into(),
            },
            Err(e) => e,
        };
        if !err.is_retryable() {
            send("fatal", Some((err.code(), err.to_string())));
            return;
        }
        let wait = match &err {
            PlatformError::RateLimited {
                retry_after: Some(d),
                ..
            } => (*d).min(Duration::from_mins(10)),
            _ => backoff::delay(attempt, policy.base, policy.max),
        };
        send("retrying", Some((err.code(), err.to_string())));
        attempt = attempt.saturating_add(1);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cx.cancel.cancelled() => break,
        }
    }
    send("stopped", None);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::platforms::{Capabilities, ChatRef, OutboundMessage, Outbox, Sent};

    struct NullOutbox;
    #[async_trait::async_trait]
    impl Outbox for NullOutbox {
        async fn send(&self, _: &ChatRef, _: &OutboundMessage) -> Result<Sent, PlatformError> {
            Ok(Sent::default())
        }
    }

    /// Fails with the scripted errors in turn, then waits for cancellation.
    struct Flaky {
        runs: AtomicU32,
        script: Vec<fn() -> PlatformError>,
    }

    #[async_trait::async_trait]
    impl Platform for Flaky {
        fn name(&self) -> &'static str {
            "flaky"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::default()
        }
        fn outbox(&self) -> Arc<dyn Outbox> {
            Arc::new(NullOutbox)
        }
        async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
            let n = self.runs.fetch_add(1, Ordering::SeqCst) as usize;
            if let Some(make) = self.script.get(n) {
                return Err(make());
            }
            cx.set_status("flaky", "connected");
            cx.cancel.cancelled().await;
            Ok(())
        }
    }

    fn make_cx() -> (PlatformCx, CancellationToken) {
        let (tx, _rx) = mpsc::channel(8);
        let (st, _srx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        (
            PlatformCx {
                inbound: tx,
                cancel: cancel.clone(),
                http: reqwest::Client::new(),
                status: st,
            },
            cancel,
        )
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_restart_and_fatal_parks() {
        let policy = RestartPolicy {
            base: Duration::from_millis(10),
            max: Duration::from_millis(50),
            healthy_after: Duration::from_mins(1),
        };
        let flaky = Arc::new(Flaky {
            runs: AtomicU32::new(0),
            script: vec![
                || PlatformError::Transient {
                    platform: "flaky".into(),
                    message: "reset".into(),
                },
                || PlatformError::RateLimited {
                    platform: "flaky".into(),
                    retry_after: Some(Duration::from_secs(2)),
                },
            ],
        });
        let (cx, cancel) = make_cx();
        let (st, mut srx) = mpsc::unbounded_channel();
        let task = tokio::spawn(supervise(flaky.clone(), cx, policy, st));
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(
            flaky.runs.load(Ordering::SeqCst),
            3,
            "two failures, then a healthy run"
        );
        cancel.cancel();
        task.await.unwrap();
        let mut states = Vec::new();
        while let Ok(c) = srx.try_recv() {
            states.push(c.state);
        }
        assert_eq!(
            states,
            [
                "connecting",
                "retrying",
                "connecting",
                "retrying",
                "connecting",
                "stopped"
            ]
        );

        let fatal = Arc::new(Flaky {
            runs: AtomicU32::new(0),
            script: vec![|| PlatformError::Unauthorized {
                platform: "flaky".into(),
                message: "401".into(),
            }],
        });
        let (cx, _cancel) = make_cx();
        let (st, mut srx) = mpsc::unbounded_channel();
        supervise(fatal.clone(), cx, policy, st).await;
        assert_eq!(
            fatal.runs.load(Ordering::SeqCst),
            1,
            "parked, not restarted"
        );
        let last = std::iter::from_fn(|| srx.try_recv().ok()).last().unwrap();
        assert_eq!(last.state, "fatal");
        assert_eq!(last.error.unwrap().0, "unauthorized");
    }
}
