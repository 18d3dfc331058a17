//! `POST /v1/responses` with `stream: true`: `response.created`, the message item and its text
//! deltas, `function_call` items as tools run, then `response.completed` (or `.failed`). A
//! client that hangs up interrupts the turn; a stored response is then kept as `incomplete`.

use std::collections::HashMap;

use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Request, envelope, items, save};
use crate::api::session;
use crate::api::sse::{self, Disconnected, SseSender};
use crate::api::state::{ApiState, RunPermit, WIND_DOWN};
use crate::gateway::turn::{TurnEvent, TurnResult};

/// Starts the turn and returns the event stream.
pub(crate) fn start(state: ApiState, req: Request, permit: RunPermit) -> Response {
    let cancel = state.0.shutdown.child_token();
    let (tx, resp) = sse::channel(&cancel);
    tokio::spawn(async move {
        let _permit = permit;
        let mut w = Writer::new(&state, &req, tx);
        if w.run(&cancel).await.is_err() {
            // The client went away: interrupt the agent and keep what there is.
            cancel.cancel();
            w.save_incomplete();
        }
    });
    resp
}

struct Writer<'a> {
    state: &'a ApiState,
    req: &'a Request,
    tx: SseSender,
    id: String,
    created_at: i64,
    seq: u64,
    next_index: u64,
    message: Option<(String, u64)>,
    text: String,
    /// Open `function_call` items by call id: (item id, output index, name).
    calls: HashMap<String, (String, u64, String)>,
    finished: bool,
}

impl<'a> Writer<'a> {
    fn new(state: &'a ApiState, req: &'a Request, tx: SseSender) -> Self {
        Self {
            state,
            req,
            tx,
            id: format!("resp_{}", session::random_hex(14)),
            created_at: state.now_secs(),
            seq: 0,
            next_index: 0,
            message: None,
            text: String::new(),
            calls: HashMap::new(),
            finished: false,
        }
    }

    fn envelope(&self, status: &str) -> Value {
        envelope(&self.id, self.req, self.created_at, status)
    }

    async fn send(&mut self, kind: &str, mut data: Value) -> Result<(), Disconnected> {
        data["type"] = json!(kind);
        data["sequence_number"] = json!(self.seq);
        self.seq += 1;
        self.tx.event(kind, &data).await
    }

    fn index(&mut self) -> u64 {
        let i = self.next_index;
        self.next_index += 1;
        i
    }

    async fn open_message(&mut self) -> Result<(String, u64), Disconnected> {
        if let Some(m) = &self.message {
            return Ok(m.clone());
        }
        let (id, index) = (items::item_id("msg"), self.index());
        self.message = Some((id.clone(), index));
        let mut item = items::message_item(&id, "", "in_progress");
        item["content"] = json!([]);
        self.send(
            "response.output_item.added",
            json!({"output_index": index, "item": item}),
        )
        .await?;
        self.send(
            "response.content_part.added",
            json!({"item_id": id, "output_index": index, "content_index": 0,
                   "part": {"type": "output_text", "text": "", "annotations": []}}),
        )
        .await?;
        Ok((id, index))
    }

    async fn delta(&mut self, text: &str) -> Result<(), Disconnected> {
        let (id, index) = self.open_message().await?;
        self.text.push_str(text);
        self.send(
            "response.output_text.delta",
            json!({"item_id": id, "output_index": index, "content_index": 0, "delta": text,
                   "logprobs": []}),
        )
        .await
    }

    async fn on_event(&mut self, ev: TurnEvent) -> Result<(), Disconnected> {
        match ev {
            TurnEvent::TextDelta(t) if !t.is_empty() => self.delta(&t).await,
            TurnEvent::ToolStarted { id, name, .. } if !name.starts_with('_') => {
                let (item_id, index) = (items::item_id("fc"), self.index());
                let item = json!({"id": item_id, "type": "function_call", "status": "in_progress",
                                  "name": name, "call_id": id, "arguments": ""});
                self.calls.insert(id, (item_id, index, name));
                self.send(
                    "response.output_item.added",
                    json!({"output_index": index, "item": item}),
                )
                .await
            }
            TurnEvent::ToolFinished { id, ok, .. } => {
                let Some((item_id, index, name)) = self.calls.remove(&id) else {
                    return Ok(());
                };
                let item = json!({"id": item_id, "type": "function_call", "status": "completed",
                                  "name": name, "call_id": id, "arguments": ""});
                self.send(
                    "response.output_item.done",
                    json!({"output_index": index, "item": item}),
                )
                .await?;
                let out_index = self.index();
                let output = json!({"id": items::item_id("fco"), "type": "function_call_output",
                                    "call_id": id, "output": "",
                                    "status": if ok { "completed" } else { "incomplete" }});
                self.send(
                    "response.output_item.added",
                    json!({"output_index": out_index, "item": output}),
                )
                .await?;
                self.send(
                    "response.output_item.done",
                    json!({"output_index": out_index, "item": output}),
                )
                .await
            }
            _ => Ok(()),
        }
    }

    async fn run(&mut self, cancel: &CancellationToken) -> Result<(), Disconnected> {
        let created = self.envelope("in_progress");
        self.send("response.created", json!({"response": created.clone()}))
            .await?;
        let history =
            items::full_history(&self.req.turn.history, &self.req.turn.input.text, None, "");
        save(self.state, self.req, &self.id, created, history);
        let (events, mut rx) = mpsc::unbounded_channel();
        let (state, req) = (self.state, self.req);
        let run = state.run_turn(&req.turn, events, cancel.clone());
        tokio::pin!(run);
        let period = state.config().keepalive;
        let mut keepalive = tokio::time::interval_at(Instant::now() + period, period);
        let tx = self.tx.clone();
        let outcome = loop {
            let step = tokio::select! {
                biased;
                () = tx.closed() => Err(Disconnected),
                Some(ev) = rx.recv() => {
                    keepalive.reset();
                    self.on_event(ev).await
                }
                res = &mut run => break res,
                _ = keepalive.tick() => tx.keepalive().await,
            };
            if step.is_err() {
                // The client went away: interrupt the agent and let it wind down.
                cancel.cancel();
                let _ = tokio::time::timeout(WIND_DOWN, &mut run).await;
                return Err(Disconnected);
            }
        };
        while let Ok(ev) = rx.try_recv() {
            self.on_event(ev).await?;
        }
        match outcome {
            Ok(result) => self.complete(&result).await,
            Err(err) => self.fail(&err.to_string()).await,
        }
    }

    async fn close_message(&mut self) -> Result<(), Disconnected> {
        let Some((id, index)) = self.message.clone() else {
            return Ok(());
        };
        let text = self.text.clone();
        self.send(
            "response.output_text.done",
            json!({"item_id": id, "output_index": index, "content_index": 0, "text": text,
                   "logprobs": []}),
        )
        .await?;
        self.send(
            "response.content_part.done",
            json!({"item_id": id, "output_index": index, "content_index": 0,
                   "part": {"type": "output_text", "text": text, "annotations": []}}),
        )
        .await?;
        let item = items::message_item(&id, &text, "completed");
        self.send(
            "response.output_item.done",
            json!({"output_index": index, "item": item}),
        )
        .await
    }

    async fn complete(&mut self, result: &TurnResult) -> Result<(), Disconnected> {
        if self.text.is_empty() && !result.text.is_empty() {
            // Providers that do not stream still give the client one text delta.
            self.delta(&result.text).await?;
        }
        self.close_message().await?;
        let message_id = self
            .message
            .as_ref()
            .map_or_else(|| items::item_id("msg"), |(id, _)| id.clone());
        let mut done = self.envelope("completed");
        done["output"] = Value::Array(items::output_items(result, &message_id));
        done["usage"] = items::usage(Some(result));
        let history = items::full_history(
            &self.req.turn.history,
            &self.req.turn.input.text,
            Some(result),
            "",
        );
        save(self.state, self.req, &self.id, done.clone(), history);
        self.finished = true;
        self.send("response.completed", json!({"response": done}))
            .await
    }

    async fn fail(&mut self, message: &str) -> Result<(), Disconnected> {
        self.close_message().await?;
        let mut failed = self.envelope("failed");
        failed["error"] = json!({"message": message, "type": "server_error"});
        failed["usage"] = items::usage(None);
        let history = items::full_history(
            &self.req.turn.history,
            &self.req.turn.input.text,
            None,
            &self.text,
        );
        save(self.state, self.req, &self.id, failed.clone(), history);
        self.finished = true;
        self.send("response.failed", json!({"response": failed}))
            .await
    }

    fn save_incomplete(&self) {
        if self.finished {
            return;
        }
        let mut env = self.envelope("incomplete");
        if !self.text.is_empty() {
            env["output"] = json!([items::message_item(
                &items::item_id("msg"),
                &self.text,
                "incomplete"
            )]);
        }
        env["usage"] = items::usage(None);
        let history = items::full_history(
            &self.req.turn.history,
            &self.req.turn.input.text,
            None,
            &self.text,
        );
        save(self.state, self.req, &self.id, env, history);
    }
}
