//! `POST /v1/chat/completions`: `OpenAI` Chat Completions over the agent, non-stream (with
//! `Idempotency-Key` replay) and SSE (role chunk, content deltas, `hermes.tool.progress`
//! events, finish chunk, optional usage chunk, `[DONE]`).

use std::collections::HashSet;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::content::{self, Content};
use super::error::HttpError;
use super::idempotency::{Cached, fingerprint};
use super::session::{self, ClientSessionKey, SESSION_ID_HEADER, SESSION_KEY_HEADER, SessionRef};
use super::sse::{self, Disconnected, SseSender};
use super::state::{ApiState, LOG, RunPermit, Turn, WIND_DOWN, turn_error};
use crate::gateway::turn::{HistoryMessage, TurnError, TurnEvent, TurnResult};

/// The parts of a chat request the agent needs.
struct Parsed {
    system: Option<String>,
    /// The client's user/assistant messages before the last user message.
    history: Vec<HistoryMessage>,
    input: Content,
    first_user: String,
}

fn parse_messages(body: &Map<String, Value>) -> Result<Parsed, HttpError> {
    let missing = || {
        HttpError::bare(
            StatusCode::BAD_REQUEST,
            "Missing or invalid 'messages' field",
        )
    };
    let messages = match body.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => return Err(missing()),
    };
    let mut system: Option<String> = None;
    let mut convo: Vec<(String, Content)> = Vec::new();
    for (i, msg) in messages.iter().enumerate() {
        let Some(msg) = msg.as_object() else {
            return Err(missing());
        };
        let role = msg.get("role").and_then(Value::as_str).unwrap_or_default();
        let raw = msg.get("content").unwrap_or(&Value::Null);
        match role {
            "system" | "developer" => {
                let text = content::plain_text(raw);
                system = Some(match system {
                    Some(s) => format!("{s}\n{text}"),
                    None => text,
                });
            }
            "user" | "assistant" => {
                let c = content::normalize(raw, &format!("messages[{i}].content"))?;
                convo.push((role.to_string(), c));
            }
            _ => {}
        }
    }
    let no_user = || HttpError::bare(StatusCode::BAD_REQUEST, "No user message found in messages");
    let last_user = convo
        .iter()
        .rposition(|(r, _)| r == "user")
        .ok_or_else(no_user)?;
    let input = convo[last_user].1.clone();
    if !input.is_visible() {
        return Err(no_user());
    }
    let first_user = convo
        .iter()
        .find(|(r, _)| r == "user")
        .map(|(_, c)| c.text.clone())
        .unwrap_or_default();
    let history = convo[..last_user]
        .iter()
        .map(|(role, c)| HistoryMessage::text(role, c.text.clone()))
        .collect();
    Ok(Parsed {
        system,
        history,
        input,
        first_user,
    })
}

/// What every chunk and the final object share.
#[derive(Clone)]
struct Meta {
    id: String,
    model: String,
    created: i64,
}

impl Meta {
    fn chunk(&self, delta: &Value, finish: &Value) -> Value {
        json!({
            "id": self.id, "object": "chat.completion.chunk", "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })
    }
}

fn finish_reason(result: &TurnResult) -> &'static str {
    if result.finish_reason == "length" {
        "length"
    } else {
        "stop"
    }
}

fn usage_json(result: &TurnResult) -> Value {
    json!({
        "prompt_tokens": result.usage.input,
        "completion_tokens": result.usage.output,
        "total_tokens": result.usage.input + result.usage.output,
    })
}

fn session_headers(
    session_id: &str,
    key: Option<&ClientSessionKey>,
) -> Vec<(&'static str, String)> {
    let mut h = vec![(SESSION_ID_HEADER, session_id.to_string())];
    if let Some(k) = key {
        h.push((SESSION_KEY_HEADER, k.raw.clone()));
    }
    h
}

fn with_headers(mut resp: Response, headers: &[(&'static str, String)]) -> Response {
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(HeaderName::from_static(name), v);
        }
    }
    resp
}

/// Resolves the session: the header's stored session (its history replaces the client's), or
/// the id derived from the system prompt and first user message.
pub(crate) async fn resolve_session(
    state: &ApiState,
    headers: &HeaderMap,
    key: Option<&ClientSessionKey>,
    derived: impl FnOnce() -> String,
    client_history: Vec<HistoryMessage>,
) -> Result<(SessionRef, Vec<HistoryMessage>), HttpError> {
    let (id, history) = match session::session_id_header(headers, state.key())? {
        Some(id) => {
            let stored = state
                .0
                .writer
                .history(&id)
                .await
                .map_err(|e| {
                    crate::logs::warn(LOG, format_args!("cannot read session {id}: {e}"));
                    HttpError::openai(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Session database unavailable",
                        "server_error",
                        None,
                        Some("session_db_unavailable"),
                    )
                })?
                .ok_or_else(|| {
                    HttpError::not_found("Unknown session ID", Some("session_not_found"))
                })?;
            (id, stored)
        }
        None => (derived(), client_history),
    };
    let session = SessionRef {
        key: key.map_or_else(|| id.clone(), |k| k.scoped.clone()),
        user_id: id.clone(),
        id,
    };
    Ok((session, history))
}

/// The handler.
pub(crate) async fn completions(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(state, headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(state: ApiState, headers: HeaderMap, body: Body) -> Result<Response, HttpError> {
    let permit = state.0.limiter.acquire()?;
    let body = content::read_object(body, state.config().max_body_bytes).await?;
    let parsed = parse_messages(&body)?;
    let key = session::session_key_header(&headers, state.key())?;
    let system = parsed.system.clone();
    let first_user = parsed.first_user.clone();
    let (session, history) = resolve_session(
        &state,
        &headers,
        key.as_ref(),
        || session::derive_session_id(system.as_deref(), &first_user),
        parsed.history,
    )
    .await?;
    let meta = Meta {
        id: format!("chatcmpl-{}", &session::random_hex(15)[..29]),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .unwrap_or(&state.config().model_name)
            .to_string(),
        created: state.now_secs(),
    };
    let echo = session_headers(&session.id, key.as_ref());
    let turn = Turn {
        session,
        input: parsed.input,
        history,
        system: parsed.system,
    };
    if content::flag(body.get("stream"), false) {
        let include_usage = body
            .get("stream_options")
            .and_then(|o| o.get("include_usage"))
            .is_some_and(|v| content::flag(Some(v), false));
        return Ok(with_headers(
            stream(state, turn, meta, include_usage, permit),
            &echo,
        ));
    }
    let compute = || complete(&state, &turn, &meta, echo.clone());
    let cached = match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) if !k.trim().is_empty() => {
            let fp = fingerprint(
                &body,
                &["model", "messages", "tools", "tool_choice", "stream"],
            );
            state
                .0
                .idempotency
                .get_or_run(k.trim(), &fp, compute)
                .await?
        }
        _ => compute().await?,
    };
    drop(permit);
    Ok(with_headers(
        axum::Json(cached.body).into_response(),
        &cached.headers,
    ))
}

async fn complete(
    state: &ApiState,
    turn: &Turn,
    meta: &Meta,
    headers: Vec<(&'static str, String)>,
) -> Result<Cached, HttpError> {
    let result = state
        .run_turn_for_request(turn)
        .await
        .map_err(|e| turn_error(state, &e, &turn.session.id))?;
    Ok(Cached {
        body: json!({
            "id": meta.id, "object": "chat.completion", "created": meta.created,
            "model": meta.model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": finish_reason(&result),
            }],
            "usage": usage_json(&result),
        }),
        headers,
    })
}

fn stream(
    state: ApiState,
    turn: Turn,
    meta: Meta,
    include_usage: bool,
    permit: RunPermit,
) -> Response {
    let cancel = state.0.shutdown.child_token();
    let (tx, resp) = sse::channel(&cancel);
    tokio::spawn(async move {
        let _permit = permit;
        if stream_turn(&state, &turn, &meta, include_usage, &tx, &cancel)
            .await
            .is_err()
        {
            // The client went away: interrupt the agent.
            cancel.cancel();
        }
    });
    resp
}

/// Tool progress for the chat stream: `_`-prefixed tools hidden, completions only for starts
/// that were shown.
async fn emit(
    tx: &SseSender,
    meta: &Meta,
    started: &mut HashSet<String>,
    ev: TurnEvent,
) -> Result<(), Disconnected> {
    match ev {
        TurnEvent::TextDelta(text) if !text.is_empty() => {
            tx.data(&meta.chunk(&json!({"content": text}), &Value::Null))
                .await
        }
        TurnEvent::ToolStarted {
            id,
            name,
            emoji,
            label,
        } if !id.is_empty() && !name.starts_with('_') => {
            started.insert(id.clone());
            let label = if label.is_empty() {
                name.clone()
            } else {
                label
            };
            tx.event(
                "hermes.tool.progress",
                &json!({"tool": name, "emoji": emoji, "label": label, "toolCallId": id,
                        "status": "running"}),
            )
            .await
        }
        TurnEvent::ToolFinished { id, name, .. } if started.remove(&id) => {
            tx.event(
                "hermes.tool.progress",
                &json!({"tool": name, "toolCallId": id, "status": "completed"}),
            )
            .await
        }
        _ => Ok(()),
    }
}

async fn stream_turn(
    state: &ApiState,
    turn: &Turn,
    meta: &Meta,
    include_usage: bool,
    tx: &SseSender,
    cancel: &CancellationToken,
) -> Result<(), Disconnected> {
    tx.data(&meta.chunk(&json!({"role": "assistant"}), &Value::Null))
        .await?;
    let (events, mut rx) = mpsc::unbounded_channel();
    let run = state.run_turn(turn, events, cancel.clone());
    tokio::pin!(run);
    let period = state.config().keepalive;
    let mut keepalive = tokio::time::interval_at(Instant::now() + period, period);
    let mut started = HashSet::new();
    let outcome = loop {
        let step = tokio::select! {
            biased;
            () = tx.closed() => Err(Disconnected),
            Some(ev) = rx.recv() => {
                keepalive.reset();
                emit(tx, meta, &mut started, ev).await
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
        emit(tx, meta, &mut started, ev).await?;
    }
    let usage;
    let mut last = match &outcome {
        Ok(result) => {
            usage = usage_json(result);
            meta.chunk(&json!({}), &json!(finish_reason(result)))
        }
        Err(err) => {
            usage = json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0});
            error_chunk(meta, err)
        }
    };
    if include_usage {
        tx.data(&last).await?;
        let mut usage_chunk = meta.chunk(&Value::Null, &Value::Null);
        usage_chunk["choices"] = json!([]);
        usage_chunk["usage"] = usage;
        tx.data(&usage_chunk).await?;
    } else {
        // Upstream's final chunk carries usage when the client did not ask for a usage chunk.
        last["usage"] = usage;
        tx.data(&last).await?;
    }
    tx.raw("data: [DONE]\n\n").await
}

fn error_chunk(meta: &Meta, err: &TurnError) -> Value {
    let mut chunk = meta.chunk(&json!({}), &json!("error"));
    let kind = match err {
        TurnError::Unavailable { .. } => "provider_unavailable",
        TurnError::Cancelled => "agent_interrupted",
        TurnError::Config { .. } | TurnError::Failed { .. } => "agent_error",
    };
    chunk["error"] = json!({"message": err.to_string(), "type": kind});
    chunk["hermes"] = json!({
        "completed": false, "partial": false, "failed": true,
        "error": err.to_string(), "error_code": "agent_error",
        "retryable": err.is_retryable(),
    });
    chunk
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn last_user_message_is_the_input() {
        let p = parse_messages(&obj(json!({"messages": [
            {"role": "system", "content": "a"},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "reply"},
            {"role": "system", "content": "b"},
            {"role": "user", "content": [{"type": "text", "text": "second"}]},
        ]})))
        .unwrap();
        assert_eq!(p.system.as_deref(), Some("a\nb"));
        assert_eq!(p.input.text, "second");
        assert_eq!(p.first_user, "first");
        assert_eq!(p.history.len(), 2);
    }

    #[test]
    fn message_errors() {
        let e = parse_messages(&obj(json!({"model": "x"}))).err().unwrap();
        assert_eq!(
            e.body["error"]["message"],
            "Missing or invalid 'messages' field"
        );
        let e = parse_messages(&obj(
            json!({"messages": [{"role": "system", "content": "x"}]}),
        ))
        .err()
        .unwrap();
        assert_eq!(
            e.body["error"]["message"],
            "No user message found in messages"
        );
        let e = parse_messages(&obj(
            json!({"messages": [{"role": "user", "content": "  "}]}),
        ))
        .err()
        .unwrap();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }
}
