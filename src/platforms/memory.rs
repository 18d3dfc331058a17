//! An in-process platform for tests and benchmarks: inject user messages through a handle,
//! read back what the gateway sent. It follows the same contract as the real adapters
//! (delivery is acknowledged only once the gateway stored the message).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, mpsc};

use super::{
    Capabilities, ChatRef, InboundMessage, OutboundMessage, Outbox, Platform, PlatformCx,
    PlatformError, Sent,
};

/// At most this many messages are handed over before their acceptances are awaited.
const BATCH: usize = 256;

/// What the gateway did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new message.
    Message {
        chat: ChatRef,
        text: String,
        id: String,
        reply_to: Option<String>,
        /// Files sent with it.
        attachments: Vec<std::path::PathBuf>,
    },
    /// An edit of an earlier message.
    Edit {
        chat: ChatRef,
        id: String,
        text: String,
    },
    /// A typing indicator.
    Typing { chat: ChatRef },
}

/// The shared record of a memory platform.
#[derive(Debug, Default)]
struct Shared {
    sent: Mutex<Vec<Recorded>>,
    changed: Notify,
    next_id: AtomicU64,
}

/// A memory platform; give it to the gateway, keep the [`MemoryHandle`].
pub struct MemoryPlatform {
    name: String,
    caps: Capabilities,
    shared: Arc<Shared>,
    inbox: tokio::sync::Mutex<
        mpsc::UnboundedReceiver<(InboundMessage, Option<tokio::sync::oneshot::Sender<bool>>)>,
    >,
}

/// The test's side of a memory platform.
#[derive(Clone)]
pub struct MemoryHandle {
    shared: Arc<Shared>,
    tx: mpsc::UnboundedSender<(InboundMessage, Option<tokio::sync::oneshot::Sender<bool>>)>,
}

struct MemoryOutbox {
    shared: Arc<Shared>,
}

/// Creates a platform named `name` with `caps`, and its handle.
#[must_use]
pub fn memory_platform(name: &str, caps: Capabilities) -> (MemoryPlatform, MemoryHandle) {
    let shared = Arc::new(Shared::default());
    let (tx, rx) = mpsc::unbounded_channel();
    (
        MemoryPlatform {
            name: name.into(),
            caps,
            shared: shared.clone(),
            inbox: tokio::sync::Mutex::new(rx),
        },
        MemoryHandle { shared, tx },
    )
}

impl MemoryHandle {
    /// Queues a user message (delivered when the platform runs).
    pub fn send(&self, msg: InboundMessage) {
        let _ = self.tx.send((msg, None));
    }

    /// Queues a message and returns whether the gateway accepted (stored) it.
    pub async fn send_and_wait(&self, msg: InboundMessage) -> bool {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let _ = self.tx.send((msg, Some(tx)));
        rx.await.unwrap_or(false)
    }

    /// Everything sent so far.
    #[must_use]
    pub fn sent(&self) -> Vec<Recorded> {
        self.shared
            .sent
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// The texts of sent messages (not edits or typing), in order.
    #[must_use]
    pub fn texts(&self) -> Vec<String> {
        self.sent()
            .into_iter()
            .filter_map(|s| match s {
                Recorded::Message { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    /// Waits until `pred` holds for the sent list, or the timeout passes; returns whether it held.
    pub async fn wait_for(
        &self,
        timeout: std::time::Duration,
        pred: impl Fn(&[Recorded]) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        // The predicate sees the list under its lock: cloning it on every change made long
        // waits quadratic.
        let holds = || self.shared.sent.lock().is_ok_and(|s| pred(&s));
        loop {
            let notified = self.shared.changed.notified();
            if holds() {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return holds();
            }
        }
    }
}

impl Shared {
    fn push(&self, s: Recorded) {
        if let Ok(mut v) = self.sent.lock() {
            v.push(s);
        }
        self.changed.notify_waiters();
    }
}

#[async_trait::async_trait]
impl Outbox for MemoryOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        let id = format!(
            "m{}",
            self.shared.next_id.fetch_add(1, Ordering::SeqCst) + 1
        );
        self.shared.push(Recorded::Message {
            chat: to.clone(),
            text: msg.text.clone(),
            id: id.clone(),
            reply_to: msg.reply_to.clone(),
            attachments: msg.attachments.clone(),
        });
        Ok(Sent {
            message_id: Some(id),
        })
    }

    async fn edit(&self, to: &ChatRef, message_id: &str, text: &str) -> Result<(), PlatformError> {
        self.shared.push(Recorded::Edit {
            chat: to.clone(),
            id: message_id.into(),
            text: text.into(),
        });
        Ok(())
    }

    async fn typing(&self, to: &ChatRef) -> Result<(), PlatformError> {
        self.shared.push(Recorded::Typing { chat: to.clone() });
        Ok(())
    }
}

#[async_trait::async_trait]
impl Platform for MemoryPlatform {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        Arc::new(MemoryOutbox {
            shared: self.shared.clone(),
        })
    }

    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
        cx.set_status(&self.name, "connected");
        let mut inbox = self.inbox.lock().await;
        loop {
            tokio::select! {
                () = cx.cancel.cancelled() => return Ok(()),
                next = inbox.recv() => {
                    let Some(first) = next else { return Ok(()) };
                    // Like an adapter that fetches updates in batches (Telegram's getUpdates
                    // returns up to 100): everything waiting is handed over, then each
                    // acceptance is awaited in order.
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match inbox.try_recv() {
                            Ok(m) => batch.push(m),
                            Err(_) => break,
                        }
                    }
                    let mut submitted = Vec::with_capacity(batch.len());
                    for (msg, done) in batch {
                        submitted.push((cx.submit(msg).await, done));
                    }
                    for (s, done) in submitted {
                        let ok = s.accepted().await;
                        if let Some(done) = done {
                            let _ = done.send(ok);
                        }
                    }
                }
            }
        }
    }
}
