//! `ProviderChain` and `from_settings` against fakes: the primary at a closed port falls back;
//! a refused request does not. The fakes speak the `OpenAI` Chat Completions streaming format
//! (`data: {chunk}` … `data: [DONE]`) and the Anthropic Messages event stream.

use hermes::agent::provider::{
    Anthropic, OpenAiCompatible, ProviderChain, ProviderError, RetryPolicy, Retrying, from_settings,
};
use hermes::agent::{ChatRequest, Message, Provider};
use hermes::config::{Env, Settings};
use serde_json::json;

use crate::fake::{Fake, Part, Reply, closed_url};
use crate::{run, texts};

fn openai_stream(text: &str) -> Reply {
    let c = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "served-model",
                   "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]});
    Reply::sse(vec![
        Part::Data(format!("data: {c}\n\n")),
        Part::Data("data: [DONE]\n\n".into()),
    ])
}

fn anthropic_stream(text: &str) -> Reply {
    let ev = |name: &str, v: serde_json::Value| Part::Data(format!("event: {name}\ndata: {v}\n\n"));
    Reply::sse(vec![
        ev(
            "message_start",
            json!({"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant",
            "content": [], "model": "claude-haiku-4-5", "usage": {"input_tokens": 1, "output_tokens": 1}}}),
        ),
        ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
        ),
        ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        ev(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}}),
        ),
        ev("message_stop", json!({"type": "message_stop"})),
    ])
}

fn no_retry<P: Provider + 'static>(p: P) -> Box<dyn Provider> {
    Box::new(Retrying::new(p, RetryPolicy::none()))
}

fn ask() -> ChatRequest {
    ChatRequest::new("", vec![Message::user("hello")])
}

#[tokio::test]
async fn fallback_is_used_when_the_primary_is_unreachable() {
    let fallback = Fake::start(vec![anthropic_stream("from fallback")]).await;
    let primary = OpenAiCompatible::new("openrouter", &closed_url().await, reqwest::Client::new())
        .with_key("k", "OPENROUTER_API_KEY");
    let chain = ProviderChain::new(no_retry(primary), "anthropic/claude-sonnet-4.6").with_fallback(
        no_retry(
            Anthropic::new("anthropic", &fallback.url, reqwest::Client::new())
                .with_key("a", "ANTHROPIC_API_KEY"),
        ),
        "claude-haiku-4-5",
    );
    let (res, events) = run(&chain, &ask()).await;
    let res = res.unwrap();
    assert_eq!(res.message.content, "from fallback");
    assert_eq!(texts(&events), vec!["from fallback"]);
    let seen = fallback.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].body["model"], "claude-haiku-4-5");
    assert_eq!(chain.default_model(), "anthropic/claude-sonnet-4.6");
}

#[tokio::test]
async fn all_failing_reports_the_primary_error() {
    let fallback = Fake::start(vec![Reply::json(
        500,
        &json!({"error": {"message": "down"}}),
    )])
    .await;
    let primary = OpenAiCompatible::new("openrouter", &closed_url().await, reqwest::Client::new());
    let chain = ProviderChain::new(no_retry(primary), "m").with_fallback(
        no_retry(OpenAiCompatible::new(
            "backup",
            &fallback.url,
            reqwest::Client::new(),
        )),
        "n",
    );
    let err = run(&chain, &ask()).await.0.unwrap_err();
    assert!(
        matches!(err, ProviderError::Unreachable { ref provider, .. } if provider == "openrouter"),
        "{err:?}"
    );
    assert_eq!(fallback.seen().len(), 1);
}

#[tokio::test]
async fn bad_request_does_not_fall_back() {
    let primary = Fake::start(vec![Reply::json(
        400,
        &json!({"error": {"message": "Invalid schema for function 'x'", "type": "invalid_request_error"}}),
    )])
    .await;
    let fallback = Fake::start(vec![openai_stream("unused")]).await;
    let chain = ProviderChain::new(
        no_retry(OpenAiCompatible::new(
            "openai",
            &primary.url,
            reqwest::Client::new(),
        )),
        "gpt-4o",
    )
    .with_fallback(
        no_retry(OpenAiCompatible::new(
            "backup",
            &fallback.url,
            reqwest::Client::new(),
        )),
        "m",
    );
    let err = run(&chain, &ask()).await.0.unwrap_err();
    assert!(matches!(err, ProviderError::BadRequest { .. }), "{err:?}");
    assert!(fallback.seen().is_empty());
    assert_eq!(primary.seen()[0].body["model"], "gpt-4o");
}

#[tokio::test]
async fn request_model_overrides_the_primary_only() {
    let primary = Fake::start(vec![openai_stream("p")]).await;
    let chain = ProviderChain::new(
        no_retry(OpenAiCompatible::new(
            "custom",
            &primary.url,
            reqwest::Client::new(),
        )),
        "configured",
    );
    let mut req = ask();
    req.model = "switched".into();
    run(&chain, &req).await.0.unwrap();
    assert_eq!(primary.seen()[0].body["model"], "switched");
}

#[tokio::test]
async fn from_settings_builds_a_working_chain() {
    let primary_url = closed_url().await;
    let backup = Fake::start(vec![openai_stream("via settings")]).await;
    let yaml = format!(
        "model:\n  default: qwen3\n  provider: custom\n  base_url: {primary_url}/v1\n\
         agent:\n  api_max_retries: 0\n\
         custom_providers:\n  - name: backup box\n    base_url: {}/v1\n    model: llama3\n    key_env: BOX_KEY\n\
         fallback_providers:\n  - provider: backup box\n  - provider: nous\n",
        backup.url
    );
    let env = Env::from_pairs([("BOX_KEY", "box-secret")]);
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
    let settings = Settings::resolve(&doc, &env).unwrap();
    let chain = from_settings(&settings, &env, reqwest::Client::new()).unwrap();
    assert_eq!(chain.skipped().len(), 1);
    assert_eq!(
        chain.skipped()[0].error.to_string(),
        "no API key for nous: NOUS_API_KEY is not set"
    );
    let (res, _) = run(&chain, &ask()).await;
    assert_eq!(res.unwrap().message.content, "via settings");
    let seen = backup.seen();
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].header("authorization"), "Bearer box-secret");
    assert_eq!(seen[0].body["model"], "llama3");
}

#[tokio::test]
async fn from_settings_without_keys_names_the_variable() {
    let env = Env::from_pairs([("UNRELATED", "1")]);
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("model: {default: x, provider: openrouter}\n").unwrap();
    let settings = Settings::resolve(&doc, &env).unwrap();
    let err = from_settings(&settings, &env, reqwest::Client::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no API key for openrouter: OPENROUTER_API_KEY is not set"
    );
    assert_eq!(
        err.hints(),
        vec!["`hermes config set OPENROUTER_API_KEY <key>`"]
    );
}

#[tokio::test]
async fn a_failed_primary_is_tried_last_for_a_cool_down() {
    let down = || {
        Reply::json(
            503,
            &json!({"error": {"message": "upstream unavailable", "type": "server_error"}}),
        )
    };
    let build = |primary: &Fake, fallback: &Fake| {
        ProviderChain::new(
            no_retry(
                OpenAiCompatible::new(
                    "primary",
                    &format!("{}/v1", primary.url),
                    reqwest::Client::new(),
                )
                .with_key("k", "OPENAI_API_KEY"),
            ),
            "main-model",
        )
        .with_fallback(
            no_retry(
                OpenAiCompatible::new(
                    "backup",
                    &format!("{}/v1", fallback.url),
                    reqwest::Client::new(),
                )
                .with_key("k", "OPENAI_API_KEY"),
            ),
            "backup-model",
        )
    };
    let primary = Fake::start(vec![down(), down(), openai_stream("primary is back")]).await;
    let fallback = Fake::start(vec![
        openai_stream("one"),
        openai_stream("two"),
        Reply::json(
            503,
            &json!({"error": {"message": "down too", "type": "server_error"}}),
        ),
    ])
    .await;
    let chain = build(&primary, &fallback);
    assert_eq!(run(&chain, &ask()).await.0.unwrap().message.content, "one");
    assert_eq!(primary.seen().len(), 1);
    // The next call goes straight to the fallback.
    assert_eq!(run(&chain, &ask()).await.0.unwrap().message.content, "two");
    assert_eq!(primary.seen().len(), 1, "the primary was skipped");
    // When the fallback fails as well, the cooling primary is still tried (last).
    let (res, _) = run(&chain, &ask()).await;
    assert!(res.is_err());
    assert_eq!((primary.seen().len(), fallback.seen().len()), (2, 3));

    // Without a cool-down, every call starts at the primary.
    let primary = Fake::start(vec![down(), openai_stream("primary answers")]).await;
    let fallback = Fake::start(vec![openai_stream("one")]).await;
    let chain = build(&primary, &fallback).with_cool_down(std::time::Duration::ZERO);
    assert_eq!(run(&chain, &ask()).await.0.unwrap().message.content, "one");
    assert_eq!(
        run(&chain, &ask()).await.0.unwrap().message.content,
        "primary answers"
    );
}
