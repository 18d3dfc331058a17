//! The `OpenAI` Chat Completions API (`POST {base_url}/chat/completions`), as spoken by
//! `OpenAI`, `OpenRouter`, Nous Portal, `vLLM`, `llama.cpp`, Ollama and compatible servers. Always asks
//! for a stream and assembles it; a server that answers plain JSON works too.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::error::{ErrorBody, ProviderError, classify_stream_error};
use super::http::{self, Caller, Timeouts};
use super::{Provider, json_str, redacted};
use crate::agent::types::{
    ChatRequest, ChatResponse, FinishReason, Message, Role, StreamEvent, ToolCall, Usage,
};

/// Which dialect of the Chat Completions API a server speaks, where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// openrouter.ai: `reasoning: {effort}`, attribution headers.
    OpenRouter,
    /// Nous Portal: `reasoning: {effort}`.
    Nous,
    /// api.openai.com: `max_completion_tokens`, top-level `reasoning_effort`, bare model ids.
    OpenAi,
    /// Anything else (local servers, other clouds): the common subset.
    Generic,
}

impl Flavor {
    /// Guesses the flavor from an endpoint's host.
    #[must_use]
    pub fn detect(base_url: &str) -> Self {
        let host = base_url
            .split("://")
            .nth(1)
            .unwrap_or(base_url)
            .split(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        if is("openrouter.ai") {
            Self::OpenRouter
        } else if is("nousresearch.com") {
            Self::Nous
        } else if is("api.openai.com") {
            Self::OpenAi
        } else {
            Self::Generic
        }
    }
}

/// A Chat Completions endpoint.
#[derive(Clone)]
pub struct OpenAiCompatible {
    name: String,
    base_url: String,
    api_key: Option<String>,
    key_label: String,
    flavor: Flavor,
    http: reqwest::Client,
    timeouts: Timeouts,
}

impl std::fmt::Debug for OpenAiCompatible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiCompatible")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &redacted(self.api_key.as_ref()))
            .field("flavor", &self.flavor)
            .finish_non_exhaustive()
    }
}

impl OpenAiCompatible {
    /// An endpoint called `name` at `base_url` (e.g. `https://openrouter.ai/api/v1`), without a
    /// key; the flavor is detected from the host.
    #[must_use]
    pub fn new(name: impl Into<String>, base_url: &str, http: reqwest::Client) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: None,
            key_label: "no key was sent".into(),
            flavor: Flavor::detect(base_url),
            http,
            timeouts: Timeouts::default(),
        }
    }

    /// Sends `Authorization: Bearer <key>`; `label` names where the key came from in errors.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>, label: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self.key_label = label.into();
        self
    }

    /// Overrides the detected flavor.
    #[must_use]
    pub fn with_flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// Overrides the default timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The request body for `req`.
    #[must_use]
    pub fn body(&self, req: &ChatRequest) -> Value {
        request_body(self.flavor, req)
    }
}

#[async_trait]
impl Provider for OpenAiCompatible {
    fn name(&self) -> &str {
        &self.name
    }

    async fn chat(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<ChatResponse, ProviderError> {
        let mut rb = self
            .http
            .post(format!("{}/chat/completions", self.base_url))
            .header("Accept", "text/event-stream, application/json")
            .json(&self.body(req));
        if let Some(key) = &self.api_key {
            rb = rb.bearer_auth(key);
        }
        if self.flavor == Flavor::OpenRouter {
            rb = rb
                .header("HTTP-Referer", "https://hermes-agent.nousresearch.com")
                .header("X-Title", "Hermes Agent");
        }
        let caller = Caller {
            provider: &self.name,
            key: &self.key_label,
        };
        let mut body = http::send(rb, caller, &self.timeouts, cancel).await?;
        let mut asm = Assembly::default();
        if !body.is_sse {
            let v = body.json().await?;
            if let Some(err) = ErrorBody::from_value(&v) {
                return Err(classify_stream_error(&self.name, &self.key_label, &err));
            }
            asm.apply_completion(&v, on_event)
                .map_err(|m| body.protocol(m))?;
            return Ok(asm.finish(&req.model));
        }
        let mut done = false;
        'read: while let Some(events) = body.events().await? {
            for ev in events {
                let data = ev.data.trim();
                if data == "[DONE]" {
                    done = true;
                    break 'read;
                }
                if data.is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(data)
                    .map_err(|e| body.protocol(format!("a stream chunk is not JSON ({e})")))?;
                if let Some(err) = ErrorBody::from_value(&v).filter(|_| v.get("choices").is_none())
                {
                    let c = body.caller();
                    return Err(classify_stream_error(c.provider, c.key, &err));
                }
                asm.apply_chunk(&v, on_event);
            }
        }
        if !done && asm.finish.is_none() {
            return Err(body.truncated());
        }
        Ok(asm.finish(&req.model))
    }
}

/// Builds the JSON body of a streaming Chat Completions request.
#[must_use]
pub(crate) fn request_body(flavor: Flavor, req: &ChatRequest) -> Value {
    let model = match flavor {
        Flavor::OpenAi => req.model.strip_prefix("openai/").unwrap_or(&req.model),
        _ => &req.model,
    };
    let mut body = json!({
        "model": model,
        "messages": req.messages.iter().map(wire_message).collect::<Vec<_>>(),
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| {
                json!({"type": "function", "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                }})
            })
            .collect();
    }
    if let Some(n) = req.max_tokens {
        let key = if flavor == Flavor::OpenAi {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[key] = json!(n);
    }
    if let Some(t) = req.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(effort) = req.reasoning_effort.as_deref().filter(|e| !e.is_empty()) {
        match flavor {
            Flavor::OpenRouter | Flavor::Nous if matches!(effort, "none" | "off") => {
                body["reasoning"] = json!({"enabled": false});
            }
            Flavor::OpenRouter | Flavor::Nous => {
                body["reasoning"] = json!({"enabled": true, "effort": effort});
            }
            Flavor::OpenAi | Flavor::Generic => body["reasoning_effort"] = json!(effort),
        }
    }
    body
}

fn wire_message(m: &Message) -> Value {
    match m.role {
        Role::System => json!({"role": "system", "content": m.content}),
        Role::User if m.images.is_empty() => json!({"role": "user", "content": m.content}),
        Role::User => {
            let mut parts = Vec::new();
            if !m.content.is_empty() {
                parts.push(json!({"type": "text", "text": m.content}));
            }
            for img in &m.images {
                parts.push(json!({"type": "image_url", "image_url": {"url": img.url}}));
            }
            json!({"role": "user", "content": parts})
        }
        Role::Assistant => {
            let mut v = json!({"role": "assistant", "content": m.content});
            if !m.tool_calls.is_empty() {
                if m.content.is_empty() {
                    v["content"] = Value::Null;
                }
                v["tool_calls"] = m
                    .tool_calls
                    .iter()
                    .map(|c| {
                        json!({"id": c.id, "type": "function",
                               "function": {"name": c.name, "arguments": c.arguments}})
                    })
                    .collect();
            }
            v
        }
        Role::Tool => json!({
            "role": "tool",
            "tool_call_id": m.tool_call_id.as_deref().unwrap_or_default(),
            "content": m.content,
        }),
    }
}

#[derive(Debug, Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
    announced: bool,
}

/// A response being put together from stream chunks.
#[derive(Debug, Default)]
struct Assembly {
    text: String,
    reasoning: String,
    calls: BTreeMap<usize, PartialCall>,
    finish: Option<String>,
    usage: Option<Usage>,
    model: Option<String>,
}

impl Assembly {
    /// Applies one `chat.completion.chunk`; unknown fields are ignored.
    fn apply_chunk(&mut self, v: &Value, on_event: &mut (dyn FnMut(StreamEvent) + Send)) {
        if let Some(m) = json_str(v, "model").filter(|m| !m.is_empty()) {
            self.model = Some(m.to_string());
        }
        if let Some(u) = v.get("usage").and_then(parse_usage) {
            self.usage = Some(u);
        }
        let Some(choices) = v.get("choices").and_then(Value::as_array) else {
            return;
        };
        for choice in choices {
            if choice.get("index").and_then(Value::as_u64).unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.get("delta") {
                self.apply_delta(delta, on_event);
            }
            if let Some(r) = json_str(choice, "finish_reason") {
                self.finish = Some(r.to_string());
            }
        }
    }

    fn apply_delta(&mut self, delta: &Value, on_event: &mut (dyn FnMut(StreamEvent) + Send)) {
        if let Some(r) = json_str(delta, "reasoning_content")
            .or_else(|| json_str(delta, "reasoning"))
            .filter(|r| !r.is_empty())
        {
            self.reasoning.push_str(r);
            on_event(StreamEvent::ReasoningDelta {
                text: r.to_string(),
            });
        }
        if let Some(t) = json_str(delta, "content").filter(|t| !t.is_empty()) {
            self.text.push_str(t);
            on_event(StreamEvent::TextDelta {
                text: t.to_string(),
            });
        }
        let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) else {
            return;
        };
        for tc in calls {
            let id = json_str(tc, "id").unwrap_or_default();
            let index = match tc.get("index").and_then(Value::as_u64) {
                Some(i) => usize::try_from(i).unwrap_or(usize::MAX),
                // Some servers omit `index`: a new id starts a new call, else it continues.
                None => match self.calls.iter().next_back() {
                    Some((&i, last)) if id.is_empty() || last.id == id => i,
                    Some((&i, _)) => i + 1,
                    None => 0,
                },
            };
            let call = self.calls.entry(index).or_default();
            if call.id.is_empty() {
                call.id = id.to_string();
            }
            let func = tc.get("function");
            if let Some(n) = func.and_then(|f| json_str(f, "name")) {
                if call.name.is_empty() {
                    call.name = n.to_string();
                } else if n != call.name {
                    call.name.push_str(n);
                }
            }
            if let Some(a) = func.and_then(|f| json_str(f, "arguments")) {
                call.arguments.push_str(a);
            }
            if !call.announced && !call.name.is_empty() {
                call.announced = true;
                on_event(StreamEvent::ToolCallStarted {
                    index,
                    id: call.id.clone(),
                    name: call.name.clone(),
                });
            }
        }
    }

    /// Applies a non-streamed `chat.completion` object.
    fn apply_completion(
        &mut self,
        v: &Value,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<(), String> {
        let choice = v
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .ok_or("the answer has no `choices`")?;
        let mut message = choice
            .get("message")
            .cloned()
            .ok_or("the answer has no `message`")?;
        // A whole message is a delta whose tool calls carry their positions.
        if let Some(calls) = message.get_mut("tool_calls").and_then(Value::as_array_mut) {
            for (i, c) in calls.iter_mut().enumerate() {
                if c.get("index").is_none() {
                    c["index"] = json!(i);
                }
            }
        }
        let chunk = json!({
            "model": v.get("model"),
            "usage": v.get("usage"),
            "choices": [{"index": 0, "delta": message, "finish_reason": choice.get("finish_reason")}],
        });
        self.apply_chunk(&chunk, on_event);
        if self.finish.is_none() {
            self.finish = Some("stop".into());
        }
        Ok(())
    }

    fn finish(self, requested_model: &str) -> ChatResponse {
        let tool_calls: Vec<ToolCall> = self
            .calls
            .into_iter()
            .map(|(i, c)| ToolCall {
                id: if c.id.is_empty() {
                    format!("call_{i}")
                } else {
                    c.id
                },
                name: c.name,
                arguments: if c.arguments.trim().is_empty() {
                    "{}".into()
                } else {
                    c.arguments
                },
            })
            .collect();
        let mut finish_reason = self
            .finish
            .as_deref()
            .map_or(FinishReason::Stop, FinishReason::from_openai);
        // Some local servers report `stop` even when the model called tools.
        if !tool_calls.is_empty() && finish_reason == FinishReason::Stop {
            finish_reason = FinishReason::ToolCalls;
        }
        let mut message = Message::assistant(self.text).with_tool_calls(tool_calls);
        message.reasoning = (!self.reasoning.is_empty()).then_some(self.reasoning);
        ChatResponse {
            message,
            finish_reason,
            usage: self.usage,
            model: self.model.unwrap_or_else(|| requested_model.to_string()),
        }
    }
}

fn parse_usage(u: &Value) -> Option<Usage> {
    let n = |k: &str| u.get(k).and_then(Value::as_u64);
    let prompt = n("prompt_tokens");
    let completion = n("completion_tokens");
    if prompt.is_none() && completion.is_none() {
        return None;
    }
    let (p, c) = (prompt.unwrap_or(0), completion.unwrap_or(0));
    Some(Usage {
        prompt_tokens: p,
        completion_tokens: c,
        total_tokens: n("total_tokens").unwrap_or(p + c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::types::ToolSpec;

    fn collect(chunks: &[Value]) -> (ChatResponse, Vec<StreamEvent>) {
        let mut events = Vec::new();
        let mut asm = Assembly::default();
        for c in chunks {
            asm.apply_chunk(c, &mut |e| events.push(e));
        }
        (asm.finish("asked"), events)
    }

    #[test]
    fn flavor_detection() {
        assert_eq!(
            Flavor::detect("https://openrouter.ai/api/v1"),
            Flavor::OpenRouter
        );
        assert_eq!(Flavor::detect("https://api.openai.com/v1"), Flavor::OpenAi);
        assert_eq!(
            Flavor::detect("https://inference-api.nousresearch.com/v1"),
            Flavor::Nous
        );
        assert_eq!(Flavor::detect("http://127.0.0.1:11434/v1"), Flavor::Generic);
        assert_eq!(
            Flavor::detect("https://openrouter.ai.evil.test/v1"),
            Flavor::Generic
        );
    }

    #[test]
    fn body_shapes() {
        let mut req = ChatRequest::new(
            "openai/gpt-4o",
            vec![
                Message::system("be brief"),
                Message::user("look").with_image("data:image/png;base64,AAAA"),
                Message::assistant("").with_tool_calls(vec![ToolCall {
                    id: "call_1".into(),
                    name: "read".into(),
                    arguments: "{\"p\":1}".into(),
                }]),
                Message::tool_result("call_1", "ok"),
            ],
        );
        req.tools.push(ToolSpec {
            name: "read".into(),
            description: "reads".into(),
            parameters: json!({"type": "object"}),
        });
        req.max_tokens = Some(100);
        req.reasoning_effort = Some("high".into());
        let b = request_body(Flavor::OpenAi, &req);
        assert_eq!(b["model"], "gpt-4o");
        assert_eq!(b["max_completion_tokens"], 100);
        assert_eq!(b["reasoning_effort"], "high");
        assert_eq!(
            b["messages"][1]["content"][1]["image_url"]["url"],
            "data:image/png;base64,AAAA"
        );
        assert_eq!(b["messages"][2]["content"], Value::Null);
        assert_eq!(
            b["messages"][2]["tool_calls"][0]["function"]["arguments"],
            "{\"p\":1}"
        );
        assert_eq!(
            b["messages"][3],
            json!({"role": "tool", "tool_call_id": "call_1", "content": "ok"})
        );
        assert_eq!(
            b["tools"][0]["function"]["parameters"],
            json!({"type": "object"})
        );
        let r = request_body(Flavor::OpenRouter, &req);
        assert_eq!(r["model"], "openai/gpt-4o");
        assert_eq!(r["max_tokens"], 100);
        assert_eq!(r["reasoning"], json!({"enabled": true, "effort": "high"}));
    }

    #[test]
    fn tool_calls_without_index_and_stop_finish() {
        let (resp, events) = collect(&[
            json!({"choices": [{"delta": {"tool_calls": [{"id": "a", "function": {"name": "x", "arguments": "{\"q\""}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": ":1}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"id": "b", "function": {"name": "y"}}]}, "finish_reason": "stop"}]}),
        ]);
        assert_eq!(resp.finish_reason, FinishReason::ToolCalls);
        assert_eq!(resp.message.tool_calls[0].arguments, "{\"q\":1}");
        assert_eq!(resp.message.tool_calls[1].arguments, "{}");
        assert_eq!(events.len(), 2);
        assert_eq!(resp.model, "asked");
    }
}
