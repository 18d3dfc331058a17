//! The Runs API: `POST /v1/runs` starts a turn in the background (202), `GET /v1/runs/{id}`
//! polls it, `GET /v1/runs/{id}/events` streams its events (ending with `: stream closed`),
//! `POST /v1/runs/{id}/approval` answers a dangerous-command prompt, `POST
//! /v1/runs/{id}/stop` interrupts it. Runs live in memory; finished ones expire after an hour.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::content::{self, Content};
use super::error::HttpError;
use super::responses::items;
use super::session::{self, SESSION_KEY_HEADER, SessionRef};
use super::sse;
use super::state::{ApiState, RunPermit, Turn};
use crate::gateway::turn::{ApprovalChoice, HistoryMessage, TurnError, TurnEvent, TurnResult};

/// Finished runs are forgotten after this many seconds.
const FINISHED_TTL_SECS: i64 = 3600;
/// Most runs remembered (finished ones are dropped first).
const MAX_RUNS: usize = 1000;

/// One run.
struct RunEntry {
    status: Mutex<Map<String, Value>>,
    events: mpsc::UnboundedSender<Option<Value>>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Option<Value>>>>,
    cancel: CancellationToken,
    /// The key the runner files this run's approvals under (the run id: approvals never leak
    /// between runs that share a session).
    approval_key: String,
    active: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain data behind the lock; a panicking writer leaves it usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl RunEntry {
    fn set(&self, now: i64, status: Option<&str>, fields: Value) {
        let mut s = lock(&self.status);
        if let Some(st) = status {
            s.insert("status".into(), json!(st));
        }
        if let Value::Object(f) = fields {
            s.extend(f);
        }
        s.insert("updated_at".into(), json!(now));
    }

    fn status_of(&self) -> String {
        lock(&self.status)
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    fn push(&self, event: Value) {
        let _ = self.events.send(Some(event));
    }
}

/// The runs of this server.
#[derive(Default)]
pub(crate) struct RunRegistry {
    runs: Mutex<HashMap<String, Arc<RunEntry>>>,
}

impl RunRegistry {
    fn get(&self, id: &str) -> Option<Arc<RunEntry>> {
        lock(&self.runs).get(id).cloned()
    }

    fn insert(&self, id: String, entry: Arc<RunEntry>, now: i64) {
        let mut runs = lock(&self.runs);
        let updated = |e: &RunEntry| {
            lock(&e.status)
                .get("updated_at")
                .and_then(Value::as_i64)
                .unwrap_or_default()
        };
        runs.retain(|_, e| {
            e.active.load(Ordering::Acquire) || now - updated(e) <= FINISHED_TTL_SECS
        });
        while runs.len() >= MAX_RUNS {
            let oldest = runs
                .iter()
                .filter(|(_, e)| !e.active.load(Ordering::Acquire))
                .min_by_key(|(_, e)| updated(e))
                .map(|(k, _)| k.clone());
            let Some(k) = oldest else { break };
            runs.remove(&k);
        }
        runs.insert(id, entry);
    }
}

fn not_found(id: &str) -> HttpError {
    HttpError::not_found(format!("Run not found: {id}"), Some("run_not_found"))
}

fn conflict(message: String, code: &str) -> HttpError {
    HttpError::openai(
        StatusCode::CONFLICT,
        message,
        "invalid_request_error",
        None,
        Some(code),
    )
}

fn input_of(raw: &Value) -> Result<(Content, Vec<HistoryMessage>), HttpError> {
    let no_user = || HttpError::invalid("No user message found in input", None);
    match raw {
        Value::String(s) => Ok((
            Content {
                text: s.clone(),
                images: Vec::new(),
            },
            Vec::new(),
        )),
        Value::Array(list) => {
            let (last, earlier) = list.split_last().ok_or_else(no_user)?;
            let input = match last {
                Value::Object(o) => {
                    content::normalize(o.get("content").unwrap_or(&Value::Null), "input")?
                }
                other => content::normalize(other, "input")?,
            };
            let history = earlier
                .iter()
                .filter_map(|m| {
                    let role = m.get("role")?.as_str()?;
                    let text = content::plain_text(m.get("content")?);
                    (!text.is_empty()).then(|| HistoryMessage::text(role, text))
                })
                .collect();
            Ok((input, history))
        }
        _ => Err(no_user()),
    }
}

/// `POST /v1/runs`.
pub(crate) async fn create(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match start(state, headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn start(state: ApiState, headers: HeaderMap, body: Body) -> Result<Response, HttpError> {
    let key = session::session_key_header(&headers, state.key())?;
    let permit = state.0.limiter.acquire()?;
    let body = content::read_object(body, state.config().max_body_bytes).await?;
    let raw = body
        .get("input")
        .filter(|v| !v.is_null() && *v != &json!("") && *v != &json!([]))
        .ok_or_else(|| HttpError::invalid("Missing 'input' field", None))?;
    let (input, mut history) = input_of(raw)?;
    if !input.is_visible() {
        return Err(HttpError::invalid("No user message found in input", None));
    }
    let mut instructions = body
        .get("instructions")
        .and_then(Value::as_str)
        .map(String::from);
    let mut stored_session = None;
    if let Some(prev) = body.get("previous_response_id").and_then(Value::as_str)
        && let Some(stored) = state.0.responses.get(prev)
    {
        let prior: Vec<HistoryMessage> = stored
            .conversation_history
            .iter()
            .filter_map(items::history_from_value)
            .collect();
        history.splice(0..0, prior);
        stored_session = stored.session_id;
        if instructions.is_none() {
            instructions = stored.instructions;
        }
    }
    let run_id = format!("run_{}", session::random_hex(16));
    let session_id = body
        .get("session_id")
        .and_then(Value::as_str)
        .map(String::from)
        .or(stored_session)
        .filter(|s| session::is_valid_session_id(s))
        .unwrap_or_else(session::random_session_id);
    let now = state.now_secs();
    let (tx, rx) = mpsc::unbounded_channel();
    let entry = Arc::new(RunEntry {
        status: Mutex::new(Map::new()),
        events: tx,
        receiver: Mutex::new(Some(rx)),
        cancel: state.0.shutdown.child_token(),
        approval_key: run_id.clone(),
        active: AtomicBool::new(true),
    });
    entry.set(
        now,
        Some("queued"),
        json!({
            "object": "hermes.run", "run_id": run_id, "created_at": now,
            "session_id": session_id,
            "model": body.get("model").and_then(Value::as_str)
                .unwrap_or(&state.config().model_name),
        }),
    );
    state.0.runs.insert(run_id.clone(), entry.clone(), now);
    let turn = Turn {
        session: SessionRef {
            id: session_id.clone(),
            key: run_id.clone(),
            user_id: key
                .as_ref()
                .map_or_else(|| session_id.clone(), |k| k.scoped.clone()),
        },
        input,
        history,
        system: instructions,
    };
    tokio::spawn(drive(state, entry, run_id.clone(), turn, permit));
    let mut resp = (
        StatusCode::ACCEPTED,
        axum::Json(json!({"run_id": run_id, "status": "started"})),
    )
        .into_response();
    if let Some(k) = key
        && let Ok(v) = HeaderValue::from_str(&k.raw)
    {
        resp.headers_mut().insert(SESSION_KEY_HEADER, v);
    }
    Ok(resp)
}

fn event_json(run_id: &str, now: i64, ev: TurnEvent) -> Option<(Value, Option<&'static str>)> {
    let base = |name: &str| json!({"event": name, "run_id": run_id, "timestamp": now});
    let with = |mut v: Value, extra: Value| {
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    Some(match ev {
        TurnEvent::TextDelta(d) => (with(base("message.delta"), json!({"delta": d})), None),
        TurnEvent::ReasoningDelta(t) => (with(base("reasoning.delta"), json!({"text": t})), None),
        TurnEvent::ToolStarted {
            id,
            name,
            label,
            emoji,
        } if !name.starts_with('_') => (
            with(
                base("tool.started"),
                json!({"tool": name, "preview": label, "emoji": emoji, "tool_call_id": id}),
            ),
            None,
        ),
        TurnEvent::ToolFinished { id, name, ok } if !name.starts_with('_') => (
            with(
                base("tool.completed"),
                json!({"tool": name, "tool_call_id": id, "error": !ok}),
            ),
            None,
        ),
        TurnEvent::ApprovalRequested {
            id,
            command,
            reason,
        } => (
            with(
                base("approval.request"),
                json!({"approval_id": id, "command": command, "description": reason,
                       "choices": ["once", "session", "always", "deny"]}),
            ),
            Some("waiting_for_approval"),
        ),
        _ => return None,
    })
}

async fn drive(
    state: ApiState,
    entry: Arc<RunEntry>,
    run_id: String,
    turn: Turn,
    permit: RunPermit,
) {
    let _permit = permit;
    entry.set(state.now_secs(), Some("running"), json!({}));
    let (events, mut rx) = mpsc::unbounded_channel();
    let run = state.run_turn(&turn, events, entry.cancel.clone());
    tokio::pin!(run);
    let forward = |ev: TurnEvent| {
        let now = state.now_secs();
        if let Some((json, status)) = event_json(&run_id, now, ev) {
            let name = json["event"].clone();
            entry.set(now, status, json!({"last_event": name}));
            entry.push(json);
        }
    };
    let outcome: Result<TurnResult, TurnError> = loop {
        tokio::select! {
            biased;
            Some(ev) = rx.recv() => forward(ev),
            res = &mut run => break res,
        }
    };
    while let Ok(ev) = rx.try_recv() {
        forward(ev);
    }
    let now = state.now_secs();
    let stopped = entry.status_of() == "stopping" || entry.cancel.is_cancelled();
    let base = |name: &str| json!({"event": name, "run_id": run_id, "timestamp": now});
    match outcome {
        Err(_) if stopped => {
            entry.set(
                now,
                Some("cancelled"),
                json!({"last_event": "run.cancelled"}),
            );
            entry.push(base("run.cancelled"));
        }
        Err(TurnError::Cancelled) => {
            entry.set(
                now,
                Some("cancelled"),
                json!({"last_event": "run.cancelled"}),
            );
            entry.push(base("run.cancelled"));
        }
        Err(e) => {
            let mut ev = base("run.failed");
            ev["error"] = json!(e.to_string());
            entry.set(
                now,
                Some("failed"),
                json!({"error": e.to_string(), "last_event": "run.failed"}),
            );
            entry.push(ev);
        }
        Ok(result) => {
            let usage = items::usage(Some(&result));
            let mut ev = base("run.completed");
            ev["output"] = json!(result.text);
            ev["usage"] = usage.clone();
            let status = if stopped { "cancelled" } else { "completed" };
            entry.set(
                now,
                Some(status),
                json!({"output": result.text, "usage": usage, "last_event": "run.completed"}),
            );
            entry.push(ev);
        }
    }
    entry.active.store(false, Ordering::Release);
    let _ = entry.events.send(None);
}

/// `GET /v1/runs/{id}`.
pub(crate) async fn status(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    match state.0.runs.get(&id) {
        Some(e) => axum::Json(Value::Object(lock(&e.status).clone())).into_response(),
        None => not_found(&id).into_response(),
    }
}

/// `GET /v1/runs/{id}/events`: one subscriber drains the run's events.
pub(crate) async fn events(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    let Some(entry) = state.0.runs.get(&id) else {
        return not_found(&id).into_response();
    };
    let Some(mut rx) = lock(&entry.receiver).take() else {
        return conflict(
            format!("Run events are already being streamed: {id}"),
            "run_stream_taken",
        )
        .into_response();
    };
    // Hanging up on the event stream does not stop the run.
    let detached = CancellationToken::new();
    let (tx, resp) = sse::channel(&detached);
    let period = state.config().keepalive;
    tokio::spawn(async move {
        let mut keepalive = tokio::time::interval_at(Instant::now() + period, period);
        loop {
            let sent = tokio::select! {
                ev = rx.recv() => {
                    let Some(Some(ev)) = ev else {
                        let _ = tx.raw(": stream closed\n\n").await;
                        break;
                    };
                    tx.data(&ev).await
                }
                _ = keepalive.tick() => tx.keepalive().await,
            };
            if sent.is_err() {
                break;
            }
        }
    });
    resp
}

/// `POST /v1/runs/{id}/approval`.
pub(crate) async fn approval(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    approve(&state, &id, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn approve(state: &ApiState, id: &str, body: Body) -> Result<Response, HttpError> {
    let entry = state.0.runs.get(id).ok_or_else(|| not_found(id))?;
    let body = content::read_object(body, state.config().max_body_bytes)
        .await
        .map_err(|e| {
            if e.status == StatusCode::BAD_REQUEST {
                HttpError::invalid("Invalid JSON", None)
            } else {
                e
            }
        })?;
    let raw = body
        .get("choice")
        .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (name, choice) = match raw.as_str() {
        "once" | "approve" | "approved" | "allow" => ("once", ApprovalChoice::Once),
        "session" => ("session", ApprovalChoice::Session),
        "always" => ("always", ApprovalChoice::Always),
        "deny" => ("deny", ApprovalChoice::Deny),
        _ => {
            return Err(HttpError::invalid(
                "Invalid approval choice; expected one of: once, session, always, deny",
                Some("invalid_approval_choice"),
            ));
        }
    };
    if !entry.active.load(Ordering::Acquire) {
        return Err(conflict(
            format!("Run has no active approval session: {id}"),
            "approval_not_active",
        ));
    }
    if !state.0.runner.resolve_approval(&entry.approval_key, choice) {
        return Err(conflict(
            format!("Run has no pending approval: {id}"),
            "approval_not_pending",
        ));
    }
    let now = state.now_secs();
    entry.set(
        now,
        Some("running"),
        json!({"last_event": "approval.responded"}),
    );
    entry.push(
        json!({"event": "approval.responded", "run_id": id, "timestamp": now,
                      "choice": name, "resolved": 1}),
    );
    Ok(axum::Json(
        json!({"object": "hermes.run.approval_response", "run_id": id,
                         "choice": name, "resolved": 1}),
    )
    .into_response())
}

/// `POST /v1/runs/{id}/stop`.
pub(crate) async fn stop(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    match state.0.runs.get(&id) {
        Some(e) if e.active.load(Ordering::Acquire) => {
            e.set(
                state.now_secs(),
                Some("stopping"),
                json!({"last_event": "run.stopping"}),
            );
            e.cancel.cancel();
            axum::Json(json!({"run_id": id, "status": "stopping"})).into_response()
        }
        _ => not_found(&id).into_response(),
    }
}
