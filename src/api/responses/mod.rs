//! The `OpenAI` Responses API: `POST /v1/responses` (input string or items, `instructions`,
//! `previous_response_id`, named `conversation`, `store`), and `GET`/`DELETE
//! /v1/responses/{id}` over the bounded response store.

pub(crate) mod items;
mod stream;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::content::{self, Content};
use super::error::HttpError;
use super::idempotency::{Cached, fingerprint};
use super::response_store::StoredResponse;
use super::session::{self, SESSION_ID_HEADER, SESSION_KEY_HEADER, SessionRef};
use super::state::{ApiState, Turn, turn_error};
use crate::gateway::turn::HistoryMessage;

/// A parsed `POST /v1/responses`.
pub(crate) struct Request {
    pub(crate) turn: Turn,
    pub(crate) model: String,
    pub(crate) instructions: Option<String>,
    pub(crate) conversation: Option<String>,
    pub(crate) previous_response_id: Option<String>,
    pub(crate) store: bool,
    pub(crate) echo: Vec<(&'static str, String)>,
}

fn input_messages(raw: &Value) -> Result<Vec<(String, Content)>, HttpError> {
    match raw {
        Value::String(s) => Ok(vec![(
            "user".into(),
            Content {
                text: s.clone(),
                images: Vec::new(),
            },
        )]),
        Value::Array(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push((
                        "user".into(),
                        Content {
                            text: s.clone(),
                            images: Vec::new(),
                        },
                    )),
                    Value::Object(o) => {
                        // Only message items are input; earlier tool items are history upstream
                        // never replays either.
                        if o.get("type")
                            .and_then(Value::as_str)
                            .is_some_and(|t| t != "message")
                        {
                            continue;
                        }
                        let role = o.get("role").and_then(Value::as_str).unwrap_or("user");
                        let c = content::normalize(
                            o.get("content").unwrap_or(&Value::Null),
                            &format!("input[{i}].content"),
                        )?;
                        out.push((role.to_string(), c));
                    }
                    _ => {}
                }
            }
            Ok(out)
        }
        _ => Err(HttpError::invalid(
            "'input' must be a string or array",
            None,
        )),
    }
}

fn explicit_history(raw: Option<&Value>) -> Result<Vec<HistoryMessage>, HttpError> {
    let Some(raw) = raw.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(list) = raw.as_array() else {
        return Err(HttpError::invalid(
            "'conversation_history' must be an array of message objects",
            None,
        ));
    };
    list.iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_object()
                .filter(|o| o.contains_key("role") && o.contains_key("content"))
                .and_then(|_| items::history_from_value(e))
                .ok_or_else(|| {
                    HttpError::invalid(
                        format!("conversation_history[{i}] must have 'role' and 'content' fields"),
                        None,
                    )
                })
        })
        .collect()
}

fn opt_str(body: &Map<String, Value>, key: &str) -> Option<String> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn parse(
    state: &ApiState,
    headers: &HeaderMap,
    body: &Map<String, Value>,
) -> Result<Request, HttpError> {
    let key = session::session_key_header(headers, state.key())?;
    let raw_input = body
        .get("input")
        .filter(|v| !v.is_null())
        .ok_or_else(|| HttpError::invalid("Missing 'input' field", None))?;
    let mut instructions = opt_str(body, "instructions");
    let conversation = opt_str(body, "conversation");
    let mut previous = opt_str(body, "previous_response_id");
    if conversation.is_some() && previous.is_some() {
        return Err(HttpError::invalid(
            "Cannot use both 'conversation' and 'previous_response_id'",
            None,
        ));
    }
    if let Some(name) = &conversation {
        previous = state.0.responses.conversation(name);
    }
    let messages = input_messages(raw_input)?;
    let mut history = explicit_history(body.get("conversation_history"))?;
    let mut session_id = None;
    if history.is_empty()
        && let Some(prev) = &previous
    {
        let stored = state.0.responses.get(prev).ok_or_else(|| {
            HttpError::not_found(format!("Previous response not found: {prev}"), None)
        })?;
        history = stored
            .conversation_history
            .iter()
            .filter_map(items::history_from_value)
            .collect();
        session_id = stored.session_id;
        if instructions.is_none() {
            instructions = stored.instructions;
        }
    }
    let Some(((_, input), earlier)) = messages.split_last() else {
        return Err(HttpError::invalid("No user message found in input", None));
    };
    history.extend(
        earlier
            .iter()
            .map(|(role, c)| HistoryMessage::text(role, c.text.clone())),
    );
    if !input.is_visible() {
        return Err(HttpError::invalid("No user message found in input", None));
    }
    if body.get("truncation").and_then(Value::as_str) == Some("auto") && history.len() > 100 {
        history.drain(..history.len() - 100);
    }
    let id = session_id
        .filter(|s| session::is_valid_session_id(s))
        .unwrap_or_else(session::random_session_id);
    let mut echo = vec![(SESSION_ID_HEADER, id.clone())];
    if let Some(k) = &key {
        echo.push((SESSION_KEY_HEADER, k.raw.clone()));
    }
    Ok(Request {
        turn: Turn {
            session: SessionRef {
                key: key
                    .as_ref()
                    .map_or_else(|| id.clone(), |k| k.scoped.clone()),
                user_id: id.clone(),
                id,
            },
            input: input.clone(),
            history,
            system: instructions.clone(),
        },
        model: opt_str(body, "model").unwrap_or_else(|| state.config().model_name.clone()),
        instructions,
        conversation,
        previous_response_id: previous,
        store: content::flag(body.get("store"), true),
        echo,
    })
}

/// The envelope every response object shares.
pub(crate) fn envelope(id: &str, req: &Request, created_at: i64, status: &str) -> Value {
    json!({
        "id": id, "object": "response", "status": status, "created_at": created_at,
        "model": req.model, "previous_response_id": req.previous_response_id,
        "instructions": req.instructions, "output": [],
    })
}

/// Saves a response for chaining and `GET`, and moves the conversation name to it.
pub(crate) fn save(
    state: &ApiState,
    req: &Request,
    id: &str,
    response: Value,
    history: Vec<Value>,
) {
    if !req.store {
        return;
    }
    state.0.responses.put(
        id,
        &StoredResponse {
            response,
            conversation_history: history,
            instructions: req.instructions.clone(),
            session_id: Some(req.turn.session.id.clone()),
        },
    );
    if let Some(name) = &req.conversation {
        state.0.responses.set_conversation(name, id);
    }
}

fn with_headers(mut resp: Response, headers: &[(&'static str, String)]) -> Response {
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(HeaderName::from_static(name), v);
        }
    }
    resp
}

/// `POST /v1/responses`.
pub(crate) async fn create(
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
    let req = parse(&state, &headers, &body)?;
    let echo = req.echo.clone();
    if content::flag(body.get("stream"), false) {
        return Ok(with_headers(stream::start(state, req, permit), &echo));
    }
    let compute = || complete(&state, &req);
    let cached = match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) if !k.trim().is_empty() => {
            let fp = fingerprint(
                &body,
                &[
                    "input",
                    "instructions",
                    "previous_response_id",
                    "conversation",
                    "model",
                    "tools",
                ],
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

async fn complete(state: &ApiState, req: &Request) -> Result<Cached, HttpError> {
    let result = state
        .run_turn_for_request(&req.turn)
        .await
        .map_err(|e| turn_error(state, &e, &req.turn.session.id))?;
    let id = format!("resp_{}", &session::random_hex(14));
    let mut response = envelope(&id, req, state.now_secs(), "completed");
    response["output"] = Value::Array(items::output_items(&result, &items::item_id("msg")));
    response["usage"] = items::usage(Some(&result));
    let history = items::full_history(&req.turn.history, &req.turn.input.text, Some(&result), "");
    save(state, req, &id, response.clone(), history);
    Ok(Cached {
        body: response,
        headers: req.echo.clone(),
    })
}

/// `GET /v1/responses/{id}`.
pub(crate) async fn get(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    match state.0.responses.get(&id) {
        Some(stored) => axum::Json(stored.response).into_response(),
        None => HttpError::not_found(format!("Response not found: {id}"), None).into_response(),
    }
}

/// `DELETE /v1/responses/{id}`.
pub(crate) async fn delete(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    if state.0.responses.delete(&id) {
        axum::Json(json!({"id": id, "object": "response", "deleted": true})).into_response()
    } else {
        HttpError::not_found(format!("Response not found: {id}"), None).into_response()
    }
}
