//! `/v1/chat/completions`: non-stream and SSE shapes, content forms, errors, idempotency,
//! the run cap, and interrupting the agent when the client hangs up.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::fake::{FAIL, HOLD, LONG, SLOW, TOOLS, UNAVAILABLE};
use crate::{TestServer, chat, sse_data, sse_events, sse_text};

#[tokio::test]
async fn non_stream_completion() {
    let s = TestServer::start().await;
    let body = json!({"model": "my-model", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "second"},
            {"type": "image_url", "image_url": {"url": "https://x.example/cat.png"}}]},
    ]});
    let r = s.post("/v1/chat/completions", &body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let sid = r.headers()["x-hermes-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sid,
        hermes::api::derive_session_id(Some("Be brief."), "first")
    );
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_str().unwrap();
    assert!(id.starts_with("chatcmpl-") && id.len() == 9 + 29, "{id}");
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "my-model");
    assert_eq!(v["choices"][0]["index"], 0);
    assert_eq!(
        v["choices"][0]["message"],
        json!({"role": "assistant", "content": "you said: second"})
    );
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        v["usage"],
        json!({"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17})
    );
    let req = s.runner.last();
    assert_eq!(req.input, "second");
    assert_eq!(req.images[0].url, "https://x.example/cat.png");
    assert_eq!(req.ephemeral_system.as_deref(), Some("Be brief."));
    assert_eq!(req.source.platform, "api_server");
    assert_eq!(req.source.chat_type.as_str(), "dm");
    assert_eq!(req.source.chat_id, sid);
    assert_eq!(req.session_id, sid);
    let roles: Vec<_> = req
        .history
        .iter()
        .map(|m| (m.role.as_str(), m.content.as_str()))
        .collect();
    assert_eq!(roles, [("user", "first"), ("assistant", "ok")]);

    // Without a model the configured name answers; a truncated answer says `length`.
    let (_, v) = s
        .post_json(
            "/v1/chat/completions",
            &json!({"messages": [{"role": "user", "content": LONG}]}),
        )
        .await;
    assert_eq!(v["model"], "hermes-agent");
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    s.stop().await;
}

#[tokio::test]
async fn request_errors_are_openai_shaped() {
    let s = TestServer::start().await;
    let cases = [
        (
            json!({"model": "x"}),
            "Missing or invalid 'messages' field",
            None,
        ),
        (
            json!({"messages": []}),
            "Missing or invalid 'messages' field",
            None,
        ),
        (
            json!({"messages": "hi"}),
            "Missing or invalid 'messages' field",
            None,
        ),
        (
            json!({"messages": [{"role": "system", "content": "only system"}]}),
            "No user message found in messages",
            None,
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_id": "f"}}]}]}),
            "Inline image inputs are supported, but uploaded files and document inputs are not supported on this endpoint.",
            Some("unsupported_content_type"),
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}]}]}),
            "Image inputs must use http(s) URLs or data:image/... URLs.",
            Some("invalid_image_url"),
        ),
    ];
    for (body, message, code) in cases {
        let (status, v) = s.post_json("/v1/chat/completions", &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(v["error"]["message"], message);
        assert_eq!(v["error"]["type"], "invalid_request_error");
        if let Some(code) = code {
            assert_eq!(v["error"]["code"], code);
            assert_eq!(v["error"]["param"], "messages[0].content");
        }
    }
    assert!(s.runner.requests().is_empty());
    s.stop().await;
}

#[tokio::test]
async fn agent_failures_are_502_and_unavailable_is_503_with_retry_after() {
    let s = TestServer::start().await;
    let r = s
        .post("/v1/chat/completions", &chat(FAIL))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["x-hermes-completed"], "false");
    assert!(r.headers().contains_key("x-hermes-session-id"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "agent_incomplete");
    assert_eq!(v["error"]["type"], "server_error");
    assert_eq!(v["error"]["message"], "the model returned an error");

    let r = s
        .post("/v1/chat/completions", &chat(UNAVAILABLE))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "10");
    assert_eq!(r.headers()["x-hermes-completed"], "false");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], "the model provider is unreachable");
    s.stop().await;
}

#[tokio::test]
async fn stream_is_openai_sse_with_usage_chunk() {
    let s = TestServer::start().await;
    let mut body = chat("hello");
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    let r = s.post("/v1/chat/completions", &body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(r.headers()["x-accel-buffering"], "no");
    assert!(r.headers().contains_key("x-hermes-session-id"));
    let text = sse_text(r).await;
    let data = sse_data(&text);
    assert_eq!(data.last().unwrap(), "[DONE]");
    let chunks = &data[..data.len() - 1];
    let id = chunks[0]["id"].as_str().unwrap();
    assert!(
        chunks
            .iter()
            .all(|c| c["id"] == id && c["object"] == "chat.completion.chunk")
    );
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        json!({"role": "assistant"})
    );
    let content: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(content, "you said: hello");
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert_eq!(finish["choices"][0]["delta"], json!({}));
    let usage = chunks.last().unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["total_tokens"], 17);

    // Without include_usage the finish chunk carries usage (upstream's shape).
    body.as_object_mut().unwrap().remove("stream_options");
    let text = sse_text(s.post("/v1/chat/completions", &body).send().await.unwrap()).await;
    let data = sse_data(&text);
    let finish = &data[data.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert_eq!(finish["usage"]["prompt_tokens"], 12);
    s.stop().await;
}

#[tokio::test]
async fn stream_tool_progress_hides_internal_tools() {
    let s = TestServer::start().await;
    let mut body = chat(TOOLS);
    body["stream"] = json!(true);
    let text = sse_text(s.post("/v1/chat/completions", &body).send().await.unwrap()).await;
    let events = sse_events(&text);
    assert_eq!(
        events,
        vec![
            (
                "hermes.tool.progress".to_string(),
                json!({"tool": "terminal", "emoji": "💻", "label": "ls -la",
                       "toolCallId": "call_1", "status": "running"})
            ),
            (
                "hermes.tool.progress".to_string(),
                json!({"tool": "terminal", "toolCallId": "call_1", "status": "completed"})
            ),
        ]
    );
    assert!(!text.contains("_thinking"));
    s.stop().await;
}

#[tokio::test]
async fn stream_failure_ends_with_an_error_finish() {
    let s = TestServer::start().await;
    let mut body = chat(UNAVAILABLE);
    body["stream"] = json!(true);
    let text = sse_text(s.post("/v1/chat/completions", &body).send().await.unwrap()).await;
    let data = sse_data(&text);
    assert_eq!(data.last().unwrap(), "[DONE]");
    let finish = &data[data.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "error");
    assert_eq!(
        finish["error"]["message"],
        "the model provider is unreachable"
    );
    assert_eq!(finish["hermes"]["retryable"], true);
    s.stop().await;
}

#[tokio::test]
async fn keepalive_comments_while_idle() {
    let s = TestServer::with(|c| c.keepalive = Duration::from_millis(30)).await;
    let mut body = chat(HOLD);
    body["stream"] = json!(true);
    let r = s.post("/v1/chat/completions", &body).send().await.unwrap();
    let mut stream = r.bytes_stream();
    let mut seen = String::new();
    while !seen.contains(": keepalive\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    s.runner.release.notify_waiters();
    let mut rest = seen;
    while let Some(chunk) = stream.next().await {
        rest.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    assert!(rest.ends_with("data: [DONE]\n\n"));
    assert!(rest.contains("\"content\":\"released\"") || rest.contains("finish_reason\":\"stop"));
    s.stop().await;
}

#[tokio::test]
async fn client_disconnect_cancels_the_turn() {
    let s = TestServer::with(|c| c.keepalive = Duration::from_millis(20)).await;
    let mut body = chat(SLOW);
    body["stream"] = json!(true);
    let sock = crate::open_stream(s.addr, "/v1/chat/completions", &body, "thinking").await;
    drop(sock);
    s.runner.wait_cancelled(1).await;

    tokio::time::timeout(Duration::from_secs(5), async {
        while s.state.active_runs() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the run slot is freed");
    s.stop().await;
}

#[tokio::test]
async fn client_disconnect_cancels_a_non_streamed_turn() {
    use tokio::io::AsyncWriteExt;
    let s = TestServer::start().await;
    let cases = [
        ("/v1/chat/completions", chat(SLOW), "drop"),
        // A client that half-closes (curl's --max-time, a killed script) is gone too.
        ("/v1/chat/completions", chat(SLOW), "shutdown-write"),
        ("/v1/responses", json!({"input": SLOW}), "drop"),
    ];
    for (n, (path, body, close)) in cases.into_iter().enumerate() {
        let mut sock = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        let payload = body.to_string();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
            crate::KEY,
            payload.len()
        );
        sock.write_all(request.as_bytes()).await.unwrap();
        s.runner.wait_running(1).await;
        if close == "drop" {
            drop(sock);
        } else {
            sock.shutdown().await.unwrap();
        }
        // The turn itself sees the cancellation (not just a dropped future).
        s.runner.wait_cancelled(n + 1).await;
        tokio::time::timeout(Duration::from_secs(5), async {
            while s.state.active_runs() > 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("the run slot is freed ({path}, {close})"));
    }
    s.stop().await;
}

#[tokio::test]
async fn concurrency_cap_answers_429() {
    let s = TestServer::with(|c| c.max_concurrent_runs = 2).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let req = s.post("/v1/chat/completions", &chat(HOLD));
        held.push(tokio::spawn(req.send()));
    }
    s.runner.wait_running(2).await;
    for path in ["/v1/chat/completions", "/v1/responses", "/v1/runs"] {
        let body = json!({"messages": [{"role": "user", "content": "x"}], "input": "x"});
        let r = s.post(path, &body).send().await.unwrap();
        assert_eq!(r.status(), 429, "{path}");
        assert_eq!(r.headers()["retry-after"], "1");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["message"], "Too many concurrent runs (max 2)");
        assert_eq!(v["error"]["type"], "rate_limit_error");
    }
    s.runner.release.notify_waiters();
    for h in held {
        assert_eq!(h.await.unwrap().unwrap().status(), 200);
    }
    let (status, _) = s.post_json("/v1/chat/completions", &chat("after")).await;
    assert_eq!(status, 200, "slots are freed");
    s.stop().await;
}

#[tokio::test]
async fn idempotency_key_replays_the_result() {
    let s = TestServer::start().await;
    let send = |key: &'static str, text: &'static str| {
        s.post("/v1/chat/completions", &chat(text))
            .header("idempotency-key", key)
            .send()
    };
    let first: Value = send("k1", "one").await.unwrap().json().await.unwrap();
    let replay: Value = send("k1", "one").await.unwrap().json().await.unwrap();
    assert_eq!(first, replay, "same id, created and content");
    assert_eq!(s.runner.requests().len(), 1, "the agent ran once");
    let other: Value = send("k1", "two").await.unwrap().json().await.unwrap();
    assert_ne!(
        first["id"], other["id"],
        "another body under the same key runs again"
    );
    assert_eq!(other["choices"][0]["message"]["content"], "you said: two");
    let fresh: Value = send("k2", "one").await.unwrap().json().await.unwrap();
    assert_ne!(first["id"], fresh["id"]);
    assert_eq!(s.runner.requests().len(), 3);
    // Failures are not cached.
    let r = send("k3", FAIL).await.unwrap();
    assert_eq!(r.status(), 502);
    let r = send("k3", FAIL).await.unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(s.runner.requests().len(), 5);
    s.stop().await;
}
