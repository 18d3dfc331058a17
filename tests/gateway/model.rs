//! A scripted OpenAI-compatible chat completions server (the streaming format of the `OpenAI`
//! API reference: `data: {chunk}` lines, a final chunk with `finish_reason`, `data: [DONE]`).
//! It answers "answer: <last user message>", after `first_delay` for the first request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::response::IntoResponse;

#[derive(Default)]
struct Inner {
    requests: AtomicUsize,
    first_delay: Duration,
}

/// A running model server.
pub(crate) struct Model {
    pub(crate) url: String,
    inner: Arc<Inner>,
}

impl Model {
    pub(crate) async fn start(first_delay: Duration) -> Self {
        let inner = Arc::new(Inner {
            requests: AtomicUsize::new(0),
            first_delay,
        });
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(chat))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inner }
    }

    pub(crate) fn requests(&self) -> usize {
        self.inner.requests.load(Ordering::SeqCst)
    }
}

async fn chat(
    State(inner): State<Arc<Inner>>,
    body: axum::Json<serde_json::Value>,
) -> impl IntoResponse {
    let n = inner.requests.fetch_add(1, Ordering::SeqCst);
    if n == 0 {
        tokio::time::sleep(inner.first_delay).await;
    }
    let last_user = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|x| x["role"] == "user"))
        .and_then(|m| {
            m["content"]
                .as_str()
                .map(str::to_string)
                .or_else(|| m["content"][0]["text"].as_str().map(str::to_string))
        })
        .unwrap_or_default();
    let chunk = |delta: serde_json::Value, finish: Option<&str>| {
        serde_json::json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    // "bg: <command>" asks for the command as a background terminal process; once the tool's
    // result is in, the turn ends with a short answer.
    let last_role = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["role"].as_str())
        .unwrap_or_default()
        .to_string();
    let chunks = match last_user.strip_prefix("bg: ") {
        Some(command) if last_role == "user" => {
            let args = serde_json::json!({"command": command, "background": true}).to_string();
            vec![
                chunk(serde_json::json!({"role": "assistant"}), None),
                chunk(
                    serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                        "function": {"name": "terminal", "arguments": args}}]}),
                    None,
                ),
                chunk(serde_json::json!({}), Some("tool_calls")),
            ]
        }
        _ => vec![
            chunk(serde_json::json!({"role": "assistant"}), None),
            chunk(
                serde_json::json!({"content": format!("answer: {last_user}")}),
                None,
            ),
            chunk(serde_json::json!({}), Some("stop")),
        ],
    };
    let mut sse = String::new();
    for c in chunks {
        sse.push_str(&format!("data: {c}\n\n"));
    }
    sse.push_str("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\ndata: [DONE]\n\n");
    ([("content-type", "text/event-stream")], sse)
}
