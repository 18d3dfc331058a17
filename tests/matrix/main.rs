//! Matrix adapter tests against the real Synapse of `../shared/peers/synapse.sh`: the
//! adapter with a stand-in gateway (`adapter`), faults injected by a proxy in front of
//! Synapse (`proxy`), and the real `hermes gateway run` end to end (`gateway`).

mod adapter;
#[path = "../support/adapter_gateway.rs"]
mod adapter_gateway;
mod gateway;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
mod peer;
#[path = "../support/peer.rs"]
mod peers;
mod proxy;
mod wizard;

use std::sync::Arc;
use std::time::Duration;

use hermes::home::HermesPaths;
use hermes::platforms::matrix::{Matrix, MatrixConfig};
use hermes::platforms::{Inbound, InboundMessage, Platform, PlatformCx, PlatformError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should happen soon.
const WAIT: Duration = Duration::from_secs(30);

/// A temporary hermes home with its own token-lock directory.
pub(crate) struct Home {
    dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
}

impl Home {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        Self { dir, paths }
    }

    /// A token config for `hs` with a short long-poll, accepting invites from `allowed`.
    pub(crate) fn config(&self, hs: &str, token: Option<&str>, allowed: &[&str]) -> MatrixConfig {
        let mut c = MatrixConfig::with_token(hs, token.unwrap_or(""));
        c.access_token = token.map(str::to_string);
        c.allowed_users = allowed.iter().map(|s| (*s).to_string()).collect();
        c.lock_dir = Some(self.dir.path().join("locks"));
        c.sync_timeout = Duration::from_secs(1);
        c
    }

    pub(crate) fn adapter(&self, config: MatrixConfig) -> Arc<Matrix> {
        Arc::new(Matrix::new(config, &self.paths, reqwest::Client::new()))
    }
}

/// A stand-in gateway: runs the adapter, stores (accepts) everything it delivers.
pub(crate) struct Gateway {
    received: mpsc::UnboundedReceiver<InboundMessage>,
    status: mpsc::UnboundedReceiver<(String, String)>,
    pub(crate) states: Vec<String>,
    cancel: CancellationToken,
    task: JoinHandle<Result<(), PlatformError>>,
}

impl Gateway {
    pub(crate) fn start(adapter: &Arc<Matrix>) -> Self {
        let (inbound_tx, mut inbound_rx) = mpsc::channel::<Inbound>(16);
        let (received_tx, received) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            // Stored first, as the gateway does, then shown to the test.
            while let Some(Inbound { message, accepted }) = inbound_rx.recv().await {
                let _ = accepted.send(());
                let _ = received_tx.send(message);
            }
        });
        let (status_tx, status) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let cx = PlatformCx {
            inbound: inbound_tx,
            cancel: cancel.clone(),
            http: reqwest::Client::new(),
            status: status_tx,
        };
        let a = adapter.clone();
        let task = tokio::spawn(async move { a.run(cx).await });
        Self {
            received,
            status,
            states: Vec::new(),
            cancel,
            task,
        }
    }

    /// The next delivered message.
    pub(crate) async fn next(&mut self) -> InboundMessage {
        match tokio::time::timeout(WAIT, self.received.recv()).await {
            Ok(Some(m)) => m,
            _ => panic!(
                "no message was delivered; adapter finished: {}",
                self.task.is_finished()
            ),
        }
    }

    /// Waits for the adapter to report `state`.
    pub(crate) async fn wait_state(&mut self, state: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.states.iter().any(|s| s == state) {
            match tokio::time::timeout_at(deadline, self.status.recv()).await {
                Ok(Some((_, s))) => self.states.push(s),
                _ => panic!(
                    "the adapter never reported {state} (saw {:?}, finished: {})",
                    self.states,
                    self.task.is_finished()
                ),
            }
        }
    }

    /// Whether the adapter is still running.
    pub(crate) fn running(&self) -> bool {
        !self.task.is_finished()
    }

    /// Waits for `run` to end by itself and returns its result.
    pub(crate) async fn finished(self) -> Result<(), PlatformError> {
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the adapter stopped")
            .unwrap()
    }

    /// Cancels the adapter and waits for it.
    pub(crate) async fn stop(self) -> Result<(), PlatformError> {
        self.cancel.cancel();
        self.finished().await
    }
}
