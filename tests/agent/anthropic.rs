//! `Anthropic` against a fake that follows the Anthropic Messages API reference (`POST
//! /v1/messages` with `x-api-key` and `anthropic-version: 2023-06-01`; streaming events
//! `message_start`, `content_block_start`/`content_block_delta` (`text_delta`,
//! `input_json_delta`, `thinking_delta`, `signature_delta`)/`content_block_stop`, `ping`,
//! `message_delta` (`stop_reason`, cumulative `usage`), `message_stop`, and `error`; errors as
//! `{"type": "error", "error": {"type", "message"}}`, with 529 `overloaded_error`).

use std::time::Duration;

use hermes::agent::provider::{ANTHROPIC_VERSION, Anthropic, ProviderError, RetryPolicy, Retrying};
use hermes::agent::{ChatRequest, FinishReason, Message, StreamEvent, ToolCall, ToolSpec, Usage};
use serde_json::{Value, json};

use crate::fake::{Fake, Part, Reply};
use crate::{run, texts};

pub(crate) fn event(name: &str, v: &Value) -> Part {
    Part::Data(format!("event: {name}\ndata: {v}\n\n"))
}

pub(crate) fn message_start(input_tokens: u64) -> Part {
    event(
        "message_start",
        &json!({"type": "message_start", "message": {
            "id": "msg_01", "type": "message", "role": "assistant", "content": [],
            "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 5, "output_tokens": 1}}}),
    )
}

pub(crate) fn block_start(index: u64, block: &Value) -> Part {
    event(
        "content_block_start",
        &json!({"type": "content_block_start", "index": index, "content_block": block}),
    )
}

pub(crate) fn delta(index: u64, d: &Value) -> Part {
    event(
        "content_block_delta",
        &json!({"type": "content_block_delta", "index": index, "delta": d}),
    )
}

pub(crate) fn block_stop(index: u64) -> Part {
    event(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": index}),
    )
}

pub(crate) fn message_end(stop_reason: &str, output_tokens: u64) -> Vec<Part> {
    vec![
        event(
            "message_delta",
            &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
                    "usage": {"output_tokens": output_tokens}}),
        ),
        event("message_stop", &json!({"type": "message_stop"})),
    ]
}

pub(crate) fn text_stream(parts: &[&str]) -> Reply {
    let mut p = vec![
        message_start(20),
        block_start(0, &json!({"type": "text", "text": ""})),
        event("ping", &json!({"type": "ping"})),
    ];
    p.extend(
        parts
            .iter()
            .map(|t| delta(0, &json!({"type": "text_delta", "text": t}))),
    );
    p.push(block_stop(0));
    p.extend(message_end("end_turn", 9));
    Reply::sse(p)
}

pub(crate) fn provider(fake: &Fake) -> Anthropic {
    Anthropic::new("anthropic", &fake.url, reqwest::Client::new())
        .with_key("sk-ant-test", "ANTHROPIC_API_KEY")
}

fn hello() -> ChatRequest {
    ChatRequest::new(
        "anthropic/claude-sonnet-4.5",
        vec![Message::system("You are terse."), Message::user("Hello")],
    )
}

#[tokio::test]
async fn text_stream_and_request_shape() {
    let fake = Fake::start(vec![text_stream(&["Hi", " there"])]).await;
    let (res, events) = run(&provider(&fake), &hello()).await;
    let res = res.unwrap();
    assert_eq!(res.message.content, "Hi there");
    assert_eq!(texts(&events), vec!["Hi", " there"]);
    assert_eq!(res.finish_reason, FinishReason::Stop);
    assert_eq!(res.model, "claude-sonnet-4-5-20250929");
    assert_eq!(
        res.usage,
        Some(Usage {
            prompt_tokens: 25,
            completion_tokens: 9,
            total_tokens: 34
        })
    );

    let seen = &fake.seen()[0];
    assert_eq!(seen.path, "/v1/messages");
    assert_eq!(seen.header("x-api-key"), "sk-ant-test");
    assert_eq!(seen.header("anthropic-version"), ANTHROPIC_VERSION);
    assert_eq!(ANTHROPIC_VERSION, "2023-06-01");
    assert_eq!(seen.header("authorization"), "");
    assert_eq!(
        seen.body,
        json!({
            "model": "claude-sonnet-4-5",
            "system": "You are terse.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
            "max_tokens": 32000,
            "stream": true,
        })
    );
}

#[tokio::test]
async fn tool_use_with_input_json_deltas() {
    let mut parts = vec![
        message_start(100),
        block_start(0, &json!({"type": "text", "text": ""})),
        delta(0, &json!({"type": "text_delta", "text": "Let me check."})),
        block_stop(0),
        block_start(
            1,
            &json!({"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}),
        ),
        delta(1, &json!({"type": "input_json_delta", "partial_json": ""})),
        delta(
            1,
            &json!({"type": "input_json_delta", "partial_json": "{\"location\": \"San Fra"}),
        ),
        delta(
            1,
            &json!({"type": "input_json_delta", "partial_json": "ncisco, CA\"}"}),
        ),
        block_stop(1),
        block_start(
            2,
            &json!({"type": "tool_use", "id": "toolu_01B", "name": "get_time", "input": {}}),
        ),
        block_stop(2),
    ];
    parts.extend(message_end("tool_use", 40));
    let fake = Fake::start(vec![Reply::sse(parts), text_stream(&["Sunny."])]).await;
    let mut req = hello();
    req.tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: "Weather for a place".into(),
        parameters: json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    }];
    let p = provider(&fake);
    let (res, events) = run(&p, &req).await;
    let res = res.unwrap();
    assert_eq!(res.finish_reason, FinishReason::ToolCalls);
    assert_eq!(res.message.content, "Let me check.");
    let calls = res.message.tool_calls.clone();
    assert_eq!(
        calls,
        vec![
            ToolCall {
                id: "toolu_01A".into(),
                name: "get_weather".into(),
                arguments: "{\"location\": \"San Francisco, CA\"}".into()
            },
            ToolCall {
                id: "toolu_01B".into(),
                name: "get_time".into(),
                arguments: "{}".into()
            },
        ]
    );
    assert_eq!(
        events[1],
        StreamEvent::ToolCallStarted {
            index: 0,
            id: "toolu_01A".into(),
            name: "get_weather".into()
        }
    );
    assert_eq!(
        fake.seen()[0].body["tools"],
        json!([{"name": "get_weather", "description": "Weather for a place",
                "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}])
    );

    // The loop continues: the assistant turn and both results go back as blocks.
    req.messages.push(res.message);
    req.messages
        .push(Message::tool_result("toolu_01A", "15 degrees"));
    req.messages.push(Message::tool_result("toolu_01B", "noon"));
    let (res, _) = run(&p, &req).await;
    assert_eq!(res.unwrap().message.content, "Sunny.");
    assert_eq!(
        fake.seen()[1].body["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "Hello"}]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"location": "San Francisco, CA"}},
                {"type": "tool_use", "id": "toolu_01B", "name": "get_time", "input": {}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "15 degrees"},
                {"type": "tool_result", "tool_use_id": "toolu_01B", "content": "noon"},
            ]},
        ])
    );
}

#[tokio::test]
async fn thinking_is_streamed_and_replayed_with_its_signature() {
    let mut parts = vec![
        message_start(10),
        block_start(0, &json!({"type": "thinking", "thinking": ""})),
        delta(
            0,
            &json!({"type": "thinking_delta", "thinking": "Let me add "}),
        ),
        delta(
            0,
            &json!({"type": "thinking_delta", "thinking": "2 and 2."}),
        ),
        delta(
            0,
            &json!({"type": "signature_delta", "signature": "EqQBCgIYAhIM"}),
        ),
        block_stop(0),
        block_start(1, &json!({"type": "text", "text": ""})),
        delta(1, &json!({"type": "text_delta", "text": "4"})),
        block_stop(1),
    ];
    parts.extend(message_end("end_turn", 30));
    let fake = Fake::start(vec![Reply::sse(parts), text_stream(&["ok"])]).await;
    let mut req = hello();
    req.reasoning_effort = Some("low".into());
    let p = provider(&fake);
    let (res, events) = run(&p, &req).await;
    let res = res.unwrap();
    assert_eq!(
        res.message.reasoning.as_deref(),
        Some("Let me add 2 and 2.")
    );
    assert_eq!(
        res.message.reasoning_signature.as_deref(),
        Some("EqQBCgIYAhIM")
    );
    assert_eq!(res.message.content, "4");
    assert_eq!(
        events[0],
        StreamEvent::ReasoningDelta {
            text: "Let me add ".into()
        }
    );
    assert_eq!(
        fake.seen()[0].body["thinking"],
        json!({"type": "enabled", "budget_tokens": 4000})
    );

    req.messages.push(res.message);
    req.messages.push(Message::user("and 3+3?"));
    run(&p, &req).await.0.unwrap();
    assert_eq!(
        fake.seen()[1].body["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": "Let me add 2 and 2.", "signature": "EqQBCgIYAhIM"})
    );
}

#[tokio::test]
async fn overloaded_529_then_success() {
    let overloaded = Reply::json(
        529,
        &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    );
    let fake = Fake::start(vec![overloaded, text_stream(&["back"])]).await;
    let p = Retrying::new(
        provider(&fake),
        RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
    );
    let (res, _) = run(&p, &hello()).await;
    assert_eq!(res.unwrap().message.content, "back");
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn error_event_mid_stream() {
    let fake = Fake::start(vec![
        Reply::sse(vec![
            message_start(10),
            event("error", &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})),
        ]),
        Reply::sse(vec![
            message_start(10),
            event("error", &json!({"type": "error", "error": {"type": "invalid_request_error", "message": "messages: roles must alternate"}})),
        ]),
    ])
    .await;
    let p = provider(&fake);
    let (res, _) = run(&p, &hello()).await;
    let err = res.unwrap_err();
    assert!(matches!(err, ProviderError::RateLimited { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "The model provider anthropic is rate limiting or overloaded; try again shortly"
    );
    let (res, _) = run(&p, &hello()).await;
    assert!(matches!(
        res.unwrap_err(),
        ProviderError::BadRequest { status: 400, .. }
    ));
}

#[tokio::test]
async fn prompt_too_long_and_bad_key() {
    let fake = Fake::start(vec![
        Reply::json(400, &json!({"type": "error", "error": {"type": "invalid_request_error", "message": "prompt is too long: 215000 tokens > 200000 maximum"}})),
        Reply::json(401, &json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})),
    ])
    .await;
    let p = provider(&fake);
    assert!(matches!(
        run(&p, &hello()).await.0.unwrap_err(),
        ProviderError::ContextTooLong { .. }
    ));
    let err = run(&p, &hello()).await.0.unwrap_err();
    assert_eq!(
        err.to_string(),
        "The model provider anthropic rejected the API key (ANTHROPIC_API_KEY)"
    );
}

#[tokio::test]
async fn plain_json_message_without_streaming() {
    let fake = Fake::start(vec![Reply::json(
        200,
        &json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                "content": [{"type": "text", "text": "Plain"},
                            {"type": "tool_use", "id": "toolu_9", "name": "t", "input": {"a": 1}}],
                "stop_reason": "tool_use", "stop_sequence": null,
                "usage": {"input_tokens": 3, "output_tokens": 4}}),
    )])
    .await;
    let (res, events) = run(&provider(&fake), &hello()).await;
    let res = res.unwrap();
    assert_eq!(res.message.content, "Plain");
    assert_eq!(res.message.tool_calls[0].arguments, "{\"a\":1}");
    assert_eq!(res.finish_reason, FinishReason::ToolCalls);
    assert_eq!(texts(&events), vec!["Plain"]);
}
