//! A scripted `TurnRunner`: the user's text picks the behaviour, and everything it saw
//! (requests, cancellations, approvals) is recorded for the tests to check.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hermes::gateway::turn::{
    ApprovalChoice, HistoryMessage, TokenUsage, TurnError, TurnEvent, TurnRequest, TurnResult,
    TurnRunner,
};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Inputs that change the behaviour (anything else is echoed back).
pub(crate) const SLOW: &str = "slow: wait until cancelled";
pub(crate) const HOLD: &str = "hold: wait until released";
pub(crate) const FAIL: &str = "fail please";
pub(crate) const UNAVAILABLE: &str = "provider down";
pub(crate) const TOOLS: &str = "use tools";
pub(crate) const APPROVAL: &str = "needs approval";
pub(crate) const LONG: &str = "long answer";

#[derive(Default)]
pub(crate) struct FakeRunner {
    pub(crate) requests: Mutex<Vec<TurnRequest>>,
    pub(crate) cancelled: AtomicUsize,
    pub(crate) cancelled_notify: Notify,
    pub(crate) release: Notify,
    pub(crate) running: AtomicUsize,
    approvals: Mutex<Vec<(String, oneshot::Sender<ApprovalChoice>)>>,
    pub(crate) approvals_seen: Mutex<Vec<(String, ApprovalChoice)>>,
}

impl FakeRunner {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub(crate) fn requests(&self) -> Vec<TurnRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub(crate) fn last(&self) -> TurnRequest {
        self.requests().pop().expect("a turn ran")
    }

    /// Waits (bounded) until `n` turns have observed cancellation.
    pub(crate) async fn wait_cancelled(&self, n: usize) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while self.cancelled.load(Ordering::SeqCst) < n {
                let notified = self.cancelled_notify.notified();
                if self.cancelled.load(Ordering::SeqCst) >= n {
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            }
        })
        .await
        .expect("the turn was cancelled");
    }

    /// Waits (bounded) until `n` turns are running.
    pub(crate) async fn wait_running(&self, n: usize) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while self.running.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("turns started");
    }

    fn observe_cancel(&self) -> TurnError {
        self.cancelled.fetch_add(1, Ordering::SeqCst);
        self.cancelled_notify.notify_waiters();
        TurnError::Cancelled
    }
}

fn result(text: &str, messages: Vec<HistoryMessage>) -> TurnResult {
    TurnResult {
        text: text.into(),
        messages,
        usage: TokenUsage {
            input: 12,
            output: 5,
        },
        model: "fake-model".into(),
        finish_reason: "stop".into(),
    }
}

struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl TurnRunner for FakeRunner {
    async fn run(
        &self,
        request: TurnRequest,
        events: mpsc::UnboundedSender<TurnEvent>,
        cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        self.requests.lock().unwrap().push(request.clone());
        self.running.fetch_add(1, Ordering::SeqCst);
        let _running = Running(&self.running);
        let input = request.input.as_str();
        let delta = |s: &str| {
            let _ = events.send(TurnEvent::TextDelta(s.into()));
        };
        match input {
            SLOW => {
                delta("thinking");
                cancel.cancelled().await;
                Err(self.observe_cancel())
            }
            HOLD => tokio::select! {
                () = cancel.cancelled() => Err(self.observe_cancel()),
                () = self.release.notified() => Ok(result("released", Vec::new())),
            },
            FAIL => Err(TurnError::Failed {
                message: "the model returned an error".into(),
            }),
            UNAVAILABLE => Err(TurnError::Unavailable {
                message: "the model provider is unreachable".into(),
            }),
            LONG => {
                let mut r = result("cut off", Vec::new());
                r.finish_reason = "length".into();
                delta("cut off");
                Ok(r)
            }
            TOOLS => {
                for (id, name) in [("call_1", "terminal"), ("call_x", "_thinking")] {
                    let _ = events.send(TurnEvent::ToolStarted {
                        id: id.into(),
                        name: name.into(),
                        emoji: "💻".into(),
                        label: "ls -la".into(),
                    });
                    let _ = events.send(TurnEvent::ToolFinished {
                        id: id.into(),
                        name: name.into(),
                        ok: true,
                    });
                }
                delta("files: a b");
                let call = r#"[{"id":"call_1","type":"function","function":{"name":"terminal","arguments":"{\"command\":\"ls -la\"}"}}]"#;
                Ok(result(
                    "files: a b",
                    vec![
                        HistoryMessage {
                            role: "assistant".into(),
                            tool_calls: Some(call.into()),
                            ..HistoryMessage::default()
                        },
                        HistoryMessage {
                            role: "tool".into(),
                            content: "a b".into(),
                            tool_call_id: Some("call_1".into()),
                            tool_name: Some("terminal".into()),
                            ..HistoryMessage::default()
                        },
                        HistoryMessage::text("assistant", "files: a b"),
                    ],
                ))
            }
            APPROVAL => {
                let (tx, rx) = oneshot::channel();
                self.approvals
                    .lock()
                    .unwrap()
                    .push((request.session_key.clone(), tx));
                let _ = events.send(TurnEvent::ApprovalRequested {
                    id: "appr_1".into(),
                    command: "rm -rf /tmp/x".into(),
                    reason: "recursive delete".into(),
                });
                tokio::select! {
                    () = cancel.cancelled() => Err(self.observe_cancel()),
                    choice = rx => {
                        let text = format!("approval: {:?}", choice.map_err(|_| TurnError::Cancelled)?);
                        delta(&text);
                        Ok(result(&text, Vec::new()))
                    }
                }
            }
            _ => {
                let reply = format!("you said: {input}");
                delta("you said: ");
                delta(input);
                Ok(result(&reply, Vec::new()))
            }
        }
    }

    fn resolve_approval(&self, session_key: &str, choice: ApprovalChoice) -> bool {
        self.approvals_seen
            .lock()
            .unwrap()
            .push((session_key.to_string(), choice));
        let mut pending = self.approvals.lock().unwrap();
        match pending.iter().position(|(k, _)| k == session_key) {
            Some(i) => pending.remove(i).1.send(choice).is_ok(),
            None => false,
        }
    }
}
