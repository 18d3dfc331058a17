//! `OpenAiCompatible` against a fake that follows the `OpenAI` Chat Completions API reference
//! (`POST /v1/chat/completions`; the `chat.completion` object; streaming as SSE lines
//! `data: {chat.completion.chunk}` with `choices[].delta.content` / `delta.tool_calls[]`
//! fragments keyed by `index`, `finish_reason` on the last choice chunk, a final chunk with empty
//! `choices` and `usage` when `stream_options.include_usage` is set, then `data: [DONE]`;
//! errors as `{"error": {"message", "type", "param", "code"}}`). Reasoning fields follow the
//! `DeepSeek`/`vLLM` (`delta.reasoning_content`) and `OpenRouter` (`delta.reasoning`) extensions.

use std::time::{Duration, Instant};

use hermes::agent::provider::{
    OpenAiCompatible, Provider, ProviderError, RetryPolicy, Retrying, Timeouts,
};
use hermes::agent::{ChatRequest, FinishReason, Message, StreamEvent, ToolCall, ToolSpec, Usage};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::fake::{Fake, Part, Reply, closed_url};
use crate::{run, texts};

/// One SSE event carrying a chunk.
fn data(v: &Value) -> Part {
    Part::Data(format!("data: {v}\n\n"))
}

/// A `chat.completion.chunk` with one choice.
fn chunk(delta: &Value, finish: Option<&str>) -> Part {
    data(&json!({
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "fake-model-1",
        "system_fingerprint": "fp_1",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
    }))
}

fn usage_chunk(p: u64, c: u64) -> Part {
    data(&json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "fake-model-1", "choices": [],
        "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
                  "prompt_tokens_details": {"cached_tokens": 0}},
    }))
}

fn done() -> Part {
    Part::Data("data: [DONE]\n\n".into())
}

fn provider(fake: &Fake) -> OpenAiCompatible {
    OpenAiCompatible::new(
        "openrouter",
        &format!("{}/v1", fake.url),
        reqwest::Client::new(),
    )
    .with_key("sk-test", "OPENROUTER_API_KEY")
}

fn quick_retries(p: OpenAiCompatible) -> Retrying<OpenAiCompatible> {
    Retrying::new(
        p,
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
    )
}

fn hello() -> ChatRequest {
    ChatRequest::new(
        "openai/gpt-4o-mini",
        vec![Message::system("be brief"), Message::user("hi")],
    )
}

fn plain_stream(text: &[&str]) -> Reply {
    let mut parts = vec![chunk(&json!({"role": "assistant", "content": ""}), None)];
    parts.extend(text.iter().map(|t| chunk(&json!({"content": t}), None)));
    parts.push(chunk(&json!({}), Some("stop")));
    parts.push(usage_chunk(12, 3));
    parts.push(done());
    Reply::sse(parts)
}

#[tokio::test]
async fn plain_json_reply_when_server_ignores_stream() {
    let fake = Fake::start(vec![Reply::json(
        200,
        &json!({
            "id": "chatcmpl-9", "object": "chat.completion", "created": 1_700_000_000,
            "model": "llama-3.1-8b",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there", "refusal": null},
                         "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11},
        }),
    )])
    .await;
    let (res, events) = run(&provider(&fake), &hello()).await;
    let res = res.unwrap();
    assert_eq!(res.message.content, "Hello there");
    assert_eq!(res.finish_reason, FinishReason::Stop);
    assert_eq!(res.model, "llama-3.1-8b");
    assert_eq!(
        res.usage,
        Some(Usage {
            prompt_tokens: 9,
            completion_tokens: 2,
            total_tokens: 11
        })
    );
    assert_eq!(texts(&events), vec!["Hello there"]);

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].header("authorization"), "Bearer sk-test");
    assert_eq!(
        seen[0].body,
        json!({
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[tokio::test]
async fn streamed_reply_with_usage_chunk() {
    let fake = Fake::start(vec![plain_stream(&["Hel", "lo", " world"])]).await;
    let mut req = hello();
    req.max_tokens = Some(256);
    req.temperature = Some(0.5);
    let (res, events) = run(&provider(&fake), &req).await;
    let res = res.unwrap();
    assert_eq!(res.message.content, "Hello world");
    assert_eq!(texts(&events), vec!["Hel", "lo", " world"]);
    assert_eq!(res.model, "fake-model-1");
    assert_eq!(res.usage.unwrap().total_tokens, 15);
    assert_eq!(res.message.reasoning, None);
    let body = &fake.seen()[0].body;
    assert_eq!(body["max_tokens"], 256);
    assert_eq!(body["temperature"], 0.5);
}

#[tokio::test]
async fn streamed_tool_calls_join_split_argument_fragments() {
    let call = |index: u64, extra: Value| {
        let mut tc = json!({"index": index});
        tc.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        chunk(&json!({"tool_calls": [tc]}), None)
    };
    let fake = Fake::start(vec![Reply::sse(vec![
        chunk(&json!({"role": "assistant", "content": null}), None),
        call(0, json!({"id": "call_a", "type": "function", "function": {"name": "read_file", "arguments": ""}})),
        call(0, json!({"function": {"arguments": "{\"pa"}})),
        call(1, json!({"id": "call_b", "type": "function", "function": {"name": "web_search", "arguments": "{\"q\": \"ru"}})),
        call(0, json!({"function": {"arguments": "th\": \"/tmp/a b\"}"}})),
        call(1, json!({"function": {"arguments": "st\"}"}})),
        chunk(&json!({}), Some("tool_calls")),
        usage_chunk(50, 20),
        done(),
    ])])
    .await;
    let mut req = hello();
    req.tools = vec![ToolSpec {
        name: "read_file".into(),
        description: "Read a file".into(),
        parameters: json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
    }];
    let (res, events) = run(&provider(&fake), &req).await;
    let res = res.unwrap();
    assert_eq!(res.finish_reason, FinishReason::ToolCalls);
    assert_eq!(
        res.message.tool_calls,
        vec![
            ToolCall {
                id: "call_a".into(),
                name: "read_file".into(),
                arguments: "{\"path\": \"/tmp/a b\"}".into()
            },
            ToolCall {
                id: "call_b".into(),
                name: "web_search".into(),
                arguments: "{\"q\": \"rust\"}".into()
            },
        ]
    );
    assert_eq!(
        events,
        vec![
            StreamEvent::ToolCallStarted {
                index: 0,
                id: "call_a".into(),
                name: "read_file".into()
            },
            StreamEvent::ToolCallStarted {
                index: 1,
                id: "call_b".into(),
                name: "web_search".into()
            },
        ]
    );
    assert_eq!(
        fake.seen()[0].body["tools"],
        json!([{"type": "function", "function": {
            "name": "read_file", "description": "Read a file",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
        }}])
    );
}

#[tokio::test]
async fn tool_results_are_sent_in_openai_shape() {
    let fake = Fake::start(vec![plain_stream(&["done"])]).await;
    let req = ChatRequest::new(
        "m",
        vec![
            Message::user("what is in a?").with_image("https://example.com/cat.png"),
            Message::assistant("").with_tool_calls(vec![ToolCall {
                id: "call_a".into(),
                name: "read_file".into(),
                arguments: "{\"path\":\"a\"}".into(),
            }]),
            Message::tool_result("call_a", "hello"),
        ],
    );
    let (res, _) = run(&provider(&fake), &req).await;
    assert_eq!(res.unwrap().message.content, "done");
    assert_eq!(
        fake.seen()[0].body["messages"],
        json!([
            {"role": "user", "content": [
                {"type": "text", "text": "what is in a?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\":\"a\"}"}},
            ]},
            {"role": "tool", "tool_call_id": "call_a", "content": "hello"},
        ])
    );
}

#[tokio::test]
async fn reasoning_fields_are_collected() {
    let fake = Fake::start(vec![
        Reply::sse(vec![
            chunk(&json!({"role": "assistant", "reasoning_content": "Think"}), None),
            chunk(&json!({"reasoning_content": "ing."}), None),
            chunk(&json!({"content": "42"}), Some("stop")),
            done(),
        ]),
        Reply::sse(vec![
            chunk(&json!({"reasoning": "Hmm", "reasoning_details": [{"type": "reasoning.text", "text": "Hmm"}]}), None),
            chunk(&json!({"content": "ok"}), Some("stop")),
            done(),
        ]),
    ])
    .await;
    let mut req = hello();
    req.reasoning_effort = Some("high".into());
    let p = provider(&fake);
    let (res, events) = run(&p, &req).await;
    let res = res.unwrap();
    assert_eq!(res.message.reasoning.as_deref(), Some("Thinking."));
    assert_eq!(res.message.content, "42");
    assert_eq!(
        events[0],
        StreamEvent::ReasoningDelta {
            text: "Think".into()
        }
    );
    let (res, _) = run(&p, &req).await;
    assert_eq!(res.unwrap().message.reasoning.as_deref(), Some("Hmm"));
    // A generic server gets the top-level parameter.
    assert_eq!(fake.seen()[0].body["reasoning_effort"], "high");
}

#[tokio::test]
async fn bad_key_is_not_retried() {
    let fake = Fake::start(vec![Reply::json(
        401,
        &json!({"error": {"message": "Incorrect API key provided: sk-test.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
    )])
    .await;
    let (res, events) = run(&quick_retries(provider(&fake)), &hello()).await;
    let err = res.unwrap_err();
    assert!(matches!(err, ProviderError::BadKey { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "The model provider openrouter rejected the API key (OPENROUTER_API_KEY)"
    );
    assert!(!err.is_retryable());
    assert!(events.is_empty());
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn rate_limit_with_retry_after_then_success() {
    let limited = || {
        Reply::json(429, &json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}))
            .header("retry-after", "7")
    };
    let fake = Fake::start(vec![limited(), plain_stream(&["ok"]), limited()]).await;
    let (res, _) = run(&quick_retries(provider(&fake)), &hello()).await;
    assert_eq!(res.unwrap().message.content, "ok");
    assert_eq!(fake.seen().len(), 2);
    // Without retries the wait the server asked for is reported.
    let (res, _) = run(&provider(&fake), &hello()).await;
    match res.unwrap_err() {
        ProviderError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_error_then_success() {
    let fake = Fake::start(vec![
        Reply::json(
            500,
            &json!({"error": {"message": "The server had an error", "type": "server_error"}}),
        ),
        Reply::json(
            503,
            &json!({"error": {"message": "overloaded", "type": "server_error"}}),
        ),
        plain_stream(&["fine"]),
    ])
    .await;
    let (res, _) = run(&quick_retries(provider(&fake)), &hello()).await;
    assert_eq!(res.unwrap().message.content, "fine");
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn retries_give_up_after_max_attempts() {
    let e = || Reply::json(502, &json!({"error": {"message": "bad gateway"}}));
    let fake = Fake::start(vec![e(), e(), e(), plain_stream(&["late"])]).await;
    let (res, _) = run(&quick_retries(provider(&fake)), &hello()).await;
    assert!(matches!(
        res.unwrap_err(),
        ProviderError::Server { status: 502, .. }
    ));
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn context_length_is_classified_and_not_retried() {
    let fake = Fake::start(vec![Reply::json(
        400,
        &json!({"error": {
            "message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
            "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}),
    )])
    .await;
    let (res, _) = run(&quick_retries(provider(&fake)), &hello()).await;
    let err = res.unwrap_err();
    assert!(
        matches!(err, ProviderError::ContextTooLong { .. }),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("The conversation is too long"));
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn other_bad_request_keeps_the_provider_message() {
    let fake = Fake::start(vec![Reply::json(
        404,
        &json!({"error": {"message": "The model `gpt-9` does not exist", "type": "invalid_request_error", "code": "model_not_found"}}),
    )])
    .await;
    let (res, _) = run(&quick_retries(provider(&fake)), &hello()).await;
    let err = res.unwrap_err();
    assert_eq!(
        err.to_string(),
        "The model provider openrouter refused the request: The model `gpt-9` does not exist"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn dropped_before_any_text_is_retried() {
    let fake = Fake::start(vec![
        Reply::sse(vec![
            chunk(&json!({"role": "assistant", "content": ""}), None),
            Part::Abort,
        ]),
        plain_stream(&["again"]),
    ])
    .await;
    let (res, events) = run(&quick_retries(provider(&fake)), &hello()).await;
    assert_eq!(res.unwrap().message.content, "again");
    assert_eq!(texts(&events), vec!["again"]);
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn dropped_after_text_is_an_error_without_retry() {
    let fake = Fake::start(vec![
        Reply::sse(vec![
            chunk(&json!({"content": "partial"}), None),
            // Let the chunk reach the client before the connection breaks.
            Part::Wait(Duration::from_millis(50)),
            Part::Abort,
        ]),
        plain_stream(&["never"]),
    ])
    .await;
    let (res, events) = run(&quick_retries(provider(&fake)), &hello()).await;
    let err = res.unwrap_err();
    assert!(matches!(err, ProviderError::Unreachable { .. }), "{err:?}");
    assert_eq!(texts(&events), vec!["partial"]);
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn stream_ending_without_finish_or_done_is_truncated() {
    let fake = Fake::start(vec![Reply::sse(vec![chunk(
        &json!({"content": "cut"}),
        None,
    )])])
    .await;
    let (res, _) = run(&provider(&fake), &hello()).await;
    match res.unwrap_err() {
        ProviderError::Unreachable { reason, .. } => {
            assert!(reason.contains("before the answer was complete"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn error_object_inside_the_stream() {
    // OpenRouter reports upstream failures after the 200 as a chunk with `error`.
    let fake = Fake::start(vec![Reply::sse(vec![
        Part::Data(": OPENROUTER PROCESSING\n\n".into()),
        data(&json!({"id": "gen-1", "object": "chat.completion.chunk", "error": {"code": 502, "message": "Provider returned error"}})),
    ])])
    .await;
    let (res, _) = run(&provider(&fake), &hello()).await;
    assert!(matches!(
        res.unwrap_err(),
        ProviderError::Server { status: 502, .. }
    ));
}

#[tokio::test]
async fn unknown_fields_and_crlf_are_tolerated() {
    let fake = Fake::start(vec![Reply::sse(vec![
        Part::Data(": keep-alive\r\n\r\n".into()),
        Part::Data(format!(
            "data: {}\r\n\r\n",
            json!({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "provider": "SomeCloud", "service_tier": "default", "obfuscation": "abc",
                   "choices": [{"index": 0, "delta": {"content": "Hi", "role": "assistant", "annotations": []},
                                "native_finish_reason": null, "finish_reason": null, "logprobs": null}],
                   "usage": null})
        )),
        // A chunk split across writes, then the rest.
        Part::Data("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},".into()),
        Part::Wait(Duration::from_millis(5)),
        Part::Data("\"finish_reason\":\"stop\",\"extra\":{\"a\":1}}]}\r\n\r\ndata: [DONE]\r\n\r\n".into()),
    ])])
    .await;
    let (res, _) = run(&provider(&fake), &hello()).await;
    let res = res.unwrap();
    assert_eq!(res.message.content, "Hi!");
    assert_eq!(res.usage, None);
}

#[tokio::test]
async fn local_server_gets_no_auth_header() {
    let fake = Fake::start(vec![plain_stream(&["local"])]).await;
    let p = OpenAiCompatible::new(
        "ollama",
        &format!("{}/v1", fake.url),
        reqwest::Client::new(),
    );
    let (res, _) = run(&p, &hello()).await;
    assert_eq!(res.unwrap().message.content, "local");
    assert_eq!(fake.seen()[0].header("authorization"), "");
}

#[tokio::test]
async fn cancellation_drops_the_connection_promptly() {
    let fake = Fake::start(vec![Reply::sse(vec![
        chunk(&json!({"content": "start"}), None),
        Part::Hang,
    ])])
    .await;
    let p = provider(&fake);
    let cancel = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let canceller = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            rx.await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
            cancel.cancel();
            Instant::now()
        })
    };
    let mut on_event = |_e: StreamEvent| {
        if let Some(tx) = tx.take() {
            tx.send(()).unwrap();
        }
    };
    let res = p.chat(&hello(), &mut on_event, &cancel).await;
    let returned = Instant::now();
    let cancelled_at = canceller.await.unwrap();
    assert_eq!(res.unwrap_err(), ProviderError::Cancelled);
    // Generous bound (the server would hang forever); the point is "promptly, not on timeout".
    assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1));
    let deadline = Instant::now() + Duration::from_secs(2);
    while !fake.dropped_early() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        fake.dropped_early(),
        "the server never saw the connection close"
    );
}

#[tokio::test]
async fn stalled_stream_hits_the_idle_timeout() {
    let fake = Fake::start(vec![Reply::sse(vec![
        chunk(&json!({"content": "a"}), None),
        Part::Hang,
    ])])
    .await;
    let p = provider(&fake).with_timeouts(Timeouts {
        idle: Duration::from_millis(100),
        ..Timeouts::default()
    });
    let (res, _) = run(&p, &hello()).await;
    match res.unwrap_err() {
        ProviderError::Unreachable { reason, .. } => {
            assert!(reason.contains("stalled"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    let p = OpenAiCompatible::new("custom", &closed_url().await, reqwest::Client::new());
    let (res, _) = run(&p, &hello()).await;
    let err = res.unwrap_err();
    assert!(matches!(err, ProviderError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Could not reach the model provider custom: cannot connect"),
        "{err}"
    );
}

#[tokio::test]
async fn stream_with_wrong_content_type_is_sniffed() {
    let mut reply = plain_stream(&["sniffed"]);
    reply = reply.header("content-type", "text/plain");
    let fake = Fake::start(vec![reply]).await;
    let (res, _) = run(&provider(&fake), &hello()).await;
    assert_eq!(res.unwrap().message.content, "sniffed");
}

#[tokio::test]
async fn unparseable_chunk_is_a_protocol_error() {
    let fake = Fake::start(vec![Reply::sse(vec![Part::Data(
        "data: {\"choices\": [oops\n\n".into(),
    )])])
    .await;
    let (res, _) = run(&quick_retries(provider(&fake)), &hello()).await;
    let err = res.unwrap_err();
    assert!(matches!(err, ProviderError::Protocol { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(fake.seen().len(), 1);
}
