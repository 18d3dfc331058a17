//! The API server's one path to the session store: a dedicated thread that records finished
//! turns after their answer has gone out, and serves transcript reads in the same FIFO order,
//! so a client that continues a session at once always sees its previous turn.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::session::{self, SessionRef};
use super::state::LOG;
use crate::gateway::turn::{HistoryMessage, TurnResult};
use crate::store::{RecordedTurn, SessionStore, StoreError};

/// Turns waiting to be written before new requests wait (backpressure, bounded memory).
const QUEUE: usize = 4096;
/// Most turns written in one transaction.
const MAX_BATCH: usize = 256;

type History = Result<Option<Vec<HistoryMessage>>, StoreError>;

enum Job {
    Record(Box<RecordedTurn>),
    History {
        id: String,
        reply: oneshot::Sender<History>,
    },
    Flush(oneshot::Sender<()>),
}

/// The handle; the thread ends when every handle is dropped, after finishing the queue.
#[derive(Debug, Clone)]
pub(crate) struct StoreWriter {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Record(_) => "Record",
            Self::History { .. } => "History",
            Self::Flush(_) => "Flush",
        })
    }
}

impl StoreWriter {
    /// Starts the writer thread over `store`.
    pub(crate) fn start(store: Arc<dyn SessionStore>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("api-store-writer".into())
            .spawn(move || {
                let mut next = None;
                while let Some(job) = next.take().or_else(|| rx.blocking_recv()) {
                    let Job::Record(first) = job else {
                        run(store.as_ref(), job);
                        continue;
                    };
                    // Whatever queued up meanwhile goes into the same transaction, in order.
                    let mut batch = vec![*first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(Job::Record(t)) => batch.push(*t),
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    write(store.as_ref(), &batch);
                }
            });
        if let Err(e) = spawned {
            // Without the thread every job is dropped: reads answer "unknown", writes are lost.
            crate::logs::error(LOG, format_args!("cannot start the transcript writer: {e}"));
        }
        Self { tx }
    }

    /// Queues a finished turn (waits only when the queue is full).
    pub(crate) async fn record(&self, session: &SessionRef, user_text: &str, result: &TurnResult) {
        let job = Job::Record(Box::new(session::recorded_turn(session, user_text, result)));
        if self.tx.send(job).await.is_err() {
            crate::logs::warn(LOG, "the transcript writer is gone; a turn was not saved");
        }
    }

    /// The stored transcript of an API session, after every queued write.
    pub(crate) async fn history(&self, id: &str) -> History {
        let (reply, answer) = oneshot::channel();
        let job = Job::History {
            id: id.to_string(),
            reply,
        };
        if self.tx.send(job).await.is_err() {
            return Ok(None);
        }
        answer.await.unwrap_or(Ok(None))
    }

    /// Waits until everything queued so far is written.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Job::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

fn write(store: &dyn SessionStore, batch: &[RecordedTurn]) {
    if batch.len() > 1 && store.record_turns(batch).is_ok() {
        return;
    }
    // One at a time, so a turn the store refuses does not take the others with it.
    for turn in batch {
        if let Err(e) = store.record_turns(std::slice::from_ref(turn)) {
            crate::logs::warn(
                LOG,
                format_args!("cannot save the transcript of {}: {e}", turn.session_id),
            );
        }
    }
}

fn run(store: &dyn SessionStore, job: Job) {
    match job {
        Job::Record(turn) => write(store, std::slice::from_ref(&turn)),
        Job::History { id, reply } => {
            let _ = reply.send(session::stored_history(store, &id));
        }
        Job::Flush(done) => {
            let _ = done.send(());
        }
    }
}
