//! Discord adapter integration tests against a local fake (REST + gateway websocket) written
//! from Discord's API reference (`fake`), adapter-level (`adapter`) and through the real
//! `hermes gateway run` binary (`e2e`), plus the wizard spec.

mod adapter;
mod e2e;
mod fake;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
mod proxy;
#[path = "../slack/fake.rs"]
mod slack_fake;
mod wizard;

use std::sync::Arc;
use std::time::Duration;

use hermes::home::HermesPaths;
use hermes::platforms::discord::{Discord, DiscordConfig, Timings};
use hermes::platforms::{Inbound, InboundMessage, Platform, PlatformCx, PlatformError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should happen at once.
const WAIT: Duration = Duration::from_secs(15);
/// The token the fake accepts.
pub(crate) const TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAx.fake.discord-token-for-tests";

/// A temporary hermes home (and token lock directory).
pub(crate) struct Home {
    dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
}

impl Home {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        Self { dir, paths }
    }

    /// A config pointing at `fake` with short delays.
    pub(crate) fn config(&self, fake: &fake::Fake) -> DiscordConfig {
        let mut c = DiscordConfig::new(TOKEN, &fake.api);
        c.lock_dir = Some(self.dir.path().join("locks"));
        c.timings = Timings {
            connect: Duration::from_secs(5),
            hello: Duration::from_secs(5),
            invalid_session: Duration::from_millis(100),
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_millis(200),
            max_rate_limit_wait: Duration::from_secs(5),
        };
        c
    }

    pub(crate) fn adapter(&self, config: DiscordConfig) -> Arc<Discord> {
        Arc::new(Discord::new(config, &self.paths, reqwest::Client::new()))
    }
}

/// A stand-in gateway: runs an adapter and receives what it delivers.
pub(crate) struct Gateway {
    inbound: mpsc::Receiver<Inbound>,
    status: mpsc::UnboundedReceiver<(String, String)>,
    pub(crate) cancel: CancellationToken,
    task: JoinHandle<Result<(), PlatformError>>,
}

/// The channels of a [`PlatformCx`] for a test.
pub(crate) fn platform_cx() -> (
    PlatformCx,
    mpsc::Receiver<Inbound>,
    mpsc::UnboundedReceiver<(String, String)>,
) {
    let (tx, inbound) = mpsc::channel(8);
    let (status_tx, status) = mpsc::unbounded_channel();
    let cx = PlatformCx {
        inbound: tx,
        cancel: CancellationToken::new(),
        http: reqwest::Client::new(),
        status: status_tx,
    };
    (cx, inbound, status)
}

impl Gateway {
    pub(crate) fn start(adapter: &Arc<Discord>) -> Self {
        let (cx, inbound, status) = platform_cx();
        let cancel = cx.cancel.clone();
        let a = adapter.clone();
        let task = tokio::spawn(async move { a.run(cx).await });
        Self {
            inbound,
            status,
            cancel,
            task,
        }
    }

    /// The next delivered message, not yet accepted.
    pub(crate) async fn receive(&mut self) -> Inbound {
        tokio::time::timeout(WAIT, self.inbound.recv())
            .await
            .expect("no message delivered in time")
            .expect("the adapter stopped")
    }

    /// The next delivered message, accepted (stored durably).
    pub(crate) async fn accept(&mut self) -> InboundMessage {
        let inbound = self.receive().await;
        let _ = inbound.accepted.send(());
        inbound.message
    }

    /// Asserts nothing is delivered within `d`.
    pub(crate) async fn assert_quiet(&mut self, d: Duration) {
        if let Ok(Some(m)) = tokio::time::timeout(d, self.inbound.recv()).await {
            panic!("unexpected delivery: {:?}", m.message);
        }
    }

    /// Waits for the adapter to report `state`.
    pub(crate) async fn wait_status(&mut self, state: &str) {
        tokio::time::timeout(WAIT, async {
            while let Some((_, s)) = self.status.recv().await {
                if s == state {
                    return;
                }
            }
            panic!("status channel closed before `{state}`");
        })
        .await
        .unwrap_or_else(|_| panic!("no `{state}` status in time"));
    }

    /// Cancels the adapter and returns how `run` ended.
    pub(crate) async fn stop(self) -> Result<(), PlatformError> {
        self.cancel.cancel();
        self.finish().await
    }

    /// Waits for `run` to end on its own.
    pub(crate) async fn finish(self) -> Result<(), PlatformError> {
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the adapter did not stop in time")
            .expect("the adapter panicked")
    }
}
