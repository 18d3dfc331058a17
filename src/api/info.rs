//! The descriptive endpoints: `/health`, `/v1/health`, `/health/detailed`, `/v1/models`,
//! `/v1/capabilities`, and the JSON 404 for unknown paths.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::error::HttpError;
use super::state::ApiState;
use crate::gateway::state as gateway_state;

/// `GET /health`, `GET /v1/health`.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "platform": "hermes-agent", "version": crate::VERSION}))
}

/// `GET /health/detailed`: the gateway's status record plus this process.
pub(crate) async fn health_detailed(State(state): State<ApiState>) -> Json<Value> {
    let paths = state.config().paths.clone();
    let record = tokio::task::spawn_blocking(move || gateway_state::read(&paths))
        .await
        .ok()
        .flatten();
    let (gw_state, platforms, active, exit_reason, updated_at) = match record {
        Some(r) => (
            Value::String(r.gateway_state),
            serde_json::to_value(r.platforms).unwrap_or_else(|_| json!({})),
            r.active_agents,
            r.exit_reason.map_or(Value::Null, Value::String),
            Value::String(r.updated_at),
        ),
        None => (Value::Null, json!({}), 0, Value::Null, Value::Null),
    };
    Json(json!({
        "status": "ok",
        "platform": "hermes-agent",
        "version": crate::VERSION,
        "gateway_state": gw_state,
        "platforms": platforms,
        "active_agents": active,
        "active_api_runs": state.active_runs(),
        "exit_reason": exit_reason,
        "updated_at": updated_at,
        "pid": std::process::id(),
    }))
}

/// `GET /v1/models`.
pub(crate) async fn models(State(state): State<ApiState>) -> Json<Value> {
    let name = &state.config().model_name;
    Json(json!({"object": "list", "data": [{
        "id": name,
        "object": "model",
        "created": state.now_secs(),
        "owned_by": "hermes",
        "permission": [],
        "root": name,
        "parent": null,
    }]}))
}

/// `GET /v1/capabilities`.
pub(crate) async fn capabilities(State(state): State<ApiState>) -> Json<Value> {
    let cfg = state.config();
    let ep = |method: &str, path: &str| json!({"method": method, "path": path});
    Json(json!({
        "object": "hermes.api_server.capabilities",
        "platform": "hermes-agent",
        "model": cfg.model_name,
        "auth": {"type": "bearer", "required": cfg.key.is_some()},
        "runtime": {
            "mode": "server_agent",
            "tool_execution": "server",
            "split_runtime": false,
        },
        "features": {
            "chat_completions": true,
            "chat_completions_streaming": true,
            "responses_api": true,
            "responses_streaming": true,
            "run_submission": true,
            "run_status": true,
            "run_events_sse": true,
            "run_stop": true,
            "run_approval_response": true,
            "tool_progress_events": true,
            "approval_events": true,
            "session_resources": false,
            "session_chat": false,
            "session_chat_streaming": false,
            "session_fork": false,
            "admin_config_rw": false,
            "jobs_admin": false,
            "memory_write_api": false,
            "skills_api": false,
            "audio_api": false,
            "realtime_voice": false,
            "session_continuity_header": "X-Hermes-Session-Id",
            "session_key_header": "X-Hermes-Session-Key",
            "cors": !cfg.cors_origins.is_empty(),
        },
        "endpoints": {
            "health": ep("GET", "/health"),
            "health_detailed": ep("GET", "/health/detailed"),
            "models": ep("GET", "/v1/models"),
            "chat_completions": ep("POST", "/v1/chat/completions"),
            "responses": ep("POST", "/v1/responses"),
            "response": ep("GET", "/v1/responses/{response_id}"),
            "response_delete": ep("DELETE", "/v1/responses/{response_id}"),
            "runs": ep("POST", "/v1/runs"),
            "run_status": ep("GET", "/v1/runs/{run_id}"),
            "run_events": ep("GET", "/v1/runs/{run_id}/events"),
            "run_approval": ep("POST", "/v1/runs/{run_id}/approval"),
            "run_stop": ep("POST", "/v1/runs/{run_id}/stop"),
        },
    }))
}

/// Unknown paths.
pub(crate) async fn not_found() -> impl IntoResponse {
    HttpError::openai(
        StatusCode::NOT_FOUND,
        "Not found",
        "invalid_request_error",
        None,
        Some("not_found"),
    )
}
