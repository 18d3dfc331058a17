//! Telegram adapter integration tests: against the real Bot API emulator (`emulator`) and
//! against a local fake written from the Bot API reference for what the emulator lacks
//! (`fake_api` is the fake, `fake` the tests), plus the wizard spec. One binary, as
//! `tests/cli` does.

mod cron;
mod emulator;
mod fake;
mod fake_api;
mod gateway;
mod long_reply;
#[path = "../support/peer.rs"]
mod peer;
mod wizard;

use std::sync::Arc;
use std::time::Duration;

use hermes::home::HermesPaths;
use hermes::platforms::telegram::{Telegram, TelegramConfig};
use hermes::platforms::{Inbound, InboundMessage, Platform, PlatformCx, PlatformError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should happen at once.
const WAIT: Duration = Duration::from_secs(15);

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

    /// A config pointing at `base` with this home's lock dir and a quick idle poll.
    pub(crate) fn config(&self, token: &str, base: &str) -> TelegramConfig {
        let mut c = TelegramConfig::new(token, base);
        c.lock_dir = Some(self.dir.path().join("locks"));
        c.idle_poll_delay = Duration::from_millis(50);
        c.poll_timeout = Duration::from_secs(2);
        c
    }

    pub(crate) fn adapter(&self, config: TelegramConfig) -> Arc<Telegram> {
        Arc::new(Telegram::new(config, &self.paths, reqwest::Client::new()))
    }
}

/// A stand-in gateway: runs an adapter and receives what it delivers.
pub(crate) struct Gateway {
    inbound: mpsc::Receiver<Inbound>,
    status: mpsc::UnboundedReceiver<(String, String)>,
    pub(crate) cancel: CancellationToken,
    task: JoinHandle<Result<(), PlatformError>>,
}

impl Gateway {
    pub(crate) fn start(adapter: &Arc<Telegram>) -> Self {
        let (tx, inbound) = mpsc::channel(8);
        let (status_tx, status) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let cx = PlatformCx {
            inbound: tx,
            cancel: cancel.clone(),
            http: reqwest::Client::new(),
            status: status_tx,
        };
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
