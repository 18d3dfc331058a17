//! A stand-in gateway for adapter tests: runs one adapter with a real [`PlatformCx`] and
//! receives what it delivers, accepting (storing) each message only when the test says so.
//! Included with `#[path]` by each adapter's test crate, which defines `WAIT`.

use std::sync::Arc;
use std::time::Duration;

use hermes::platforms::{Inbound, InboundMessage, Platform, PlatformCx, PlatformError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::WAIT;

/// A running adapter and the gateway side of its channels.
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

/// What [`Gateway::start`] runs: an adapter by reference or by value.
pub(crate) trait Adapter {
    fn platform(self) -> Arc<dyn Platform>;
}

impl<P: Platform> Adapter for &Arc<P> {
    fn platform(self) -> Arc<dyn Platform> {
        self.clone()
    }
}

impl<P: Platform> Adapter for Arc<P> {
    fn platform(self) -> Arc<dyn Platform> {
        self
    }
}

impl Adapter for Arc<dyn Platform> {
    fn platform(self) -> Arc<dyn Platform> {
        self
    }
}

#[allow(dead_code)] // each test crate uses its own subset
impl Gateway {
    /// Starts `adapter`'s `run` on a fresh context.
    pub(crate) fn start(adapter: impl Adapter) -> Self {
        let adapter = adapter.platform();
        let (cx, inbound, status) = platform_cx();
        let cancel = cx.cancel.clone();
        let task = tokio::spawn(async move { adapter.run(cx).await });
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
