//! The Anthropic Messages API (`POST {base_url}/v1/messages`, `anthropic-version: 2023-06-01`):
//! request translation (top-level `system`, `tool_use`/`tool_result` blocks, thinking) and
//! assembly of the streamed events into one response.

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

/// The API version header every request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The public endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// An Anthropic Messages endpoint.
#[derive(Clone)]
pub struct Anthropic {
    name: String,
    base_url: String,
    api_key: Option<String>,
    key_label: String,
    http: reqwest::Client,
    timeouts: Timeouts,
}

impl std::fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &redacted(self.api_key.as_ref()))
            .finish_non_exhaustive()
    }
}

impl Anthropic {
    /// An endpoint at `base_url` (e.g. [`DEFAULT_BASE_URL`]), without a key.
    #[must_use]
    pub fn new(name: impl Into<String>, base_url: &str, http: reqwest::Client) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: None,
            key_label: "no key was sent".into(),
            http,
            timeouts: Timeouts::default(),
        }
    }

    /// Sends `x-api-key: <key>`; `label` names where the key came from in errors.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>, label: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self.key_label = label.into();
        self
    }

    /// Overrides the default timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    fn url(&self) -> String {
        if self.base_url.ends_with("/v1") {
            format!("{}/messages", self.base_url)
        } else {
            format!("{}/v1/messages", self.base_url)
        }
    }
}

#[async_trait]
impl Provider for Anthropic {
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
            .post(self.url())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header("Accept", "text/event-stream, application/json")
            .json(&request_body(req));
        if let Some(key) = &self.api_key {
            rb = rb.header("x-api-key", key);
        }
        let caller = Caller {
            provider: &self.name,
            key: &self.key_label,
        };
        let mut body = http::send(rb, caller, &self.timeouts, cancel).await?;
        let mut asm = Assembly::default();
        if !body.is_sse {
            let v = body.json().await?;
            if json_str(&v, "type") == Some("error") {
                let err = ErrorBody::from_value(&v).unwrap_or_default();
                return Err(classify_stream_error(&self.name, &self.key_label, &err));
            }
            asm.apply_message(&v, on_event);
            return Ok(asm.finish(&req.model));
        }
        'read: while let Some(events) = body.events().await? {
            for ev in events {
                if ev.data.trim().is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(&ev.data)
                    .map_err(|e| body.protocol(format!("an event is not JSON ({e})")))?;
                match json_str(&v, "type").or(ev.event.as_deref()) {
                    Some("error") => {
                        let err = ErrorBody::from_value(&v).unwrap_or_default();
                        let c = body.caller();
                        return Err(classify_stream_error(c.provider, c.key, &err));
                    }
                    Some("message_stop") => {
                        asm.stopped = true;
                        break 'read;
                    }
                    _ => asm.apply_event(&v, on_event),
                }
            }
        }
        if !asm.stopped && asm.stop_reason.is_none() {
            return Err(body.truncated());
        }
        Ok(asm.finish(&req.model))
    }
}

/// The Messages API model id: OpenRouter-style `anthropic/claude-sonnet-4.6` becomes
/// `claude-sonnet-4-6`; other ids pass through.
#[must_use]
pub(crate) fn normalize_model(model: &str) -> String {
    let bare = model
        .get(..10)
        .filter(|p| p.eq_ignore_ascii_case("anthropic/"))
        .map_or(model, |_| &model[10..]);
    if bare.to_ascii_lowercase().starts_with("claude-") {
        bare.replace('.', "-")
    } else {
        bare.to_string()
    }
}

/// Older Claude models take `thinking: {type: enabled, budget_tokens}`; newer ones take
/// adaptive thinking with an effort level.
fn uses_budget_thinking(model: &str) -> bool {
    let m = model.to_ascii_lowercase();
    !m.contains("claude")
        || [
            "claude-3",
            "claude-opus-4-0",
            "claude-opus-4-1",
            "claude-opus-4-2025",
            "claude-sonnet-4-0",
            "claude-sonnet-4-2025",
            "claude-opus-4-5",
            "claude-sonnet-4-5",
        ]
        .iter()
        .any(|p| m.contains(p))
}

/// The output cap when the request sets none (the API requires one).
fn default_max_tokens(model: &str) -> u32 {
    let m = model.to_ascii_lowercase();
    if m.contains("claude-3-5") {
        8192
    } else if m.contains("claude-3-") {
        4096
    } else if m.contains("claude") {
        32_000
    } else {
        8192
    }
}

/// Builds the JSON body of a streaming Messages request.
#[must_use]
pub(crate) fn request_body(req: &ChatRequest) -> Value {
    let model = normalize_model(&req.model);
    let system: Vec<&str> = req
        .messages
        .iter()
        .filter(|m| m.role == Role::System && !m.content.is_empty())
        .map(|m| m.content.as_str())
        .collect();
    let mut max_tokens = req.max_tokens.unwrap_or_else(|| default_max_tokens(&model));
    let mut body = json!({
        "model": model,
        "messages": wire_messages(&req.messages),
        "stream": true,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| {
                let schema = if t.parameters.is_object() {
                    t.parameters.clone()
                } else {
                    json!({"type": "object", "properties": {}})
                };
                json!({"name": t.name, "description": t.description, "input_schema": schema})
            })
            .collect();
    }
    let effort = req
        .reasoning_effort
        .as_deref()
        .map(str::to_ascii_lowercase)
        .filter(|e| !matches!(e.as_str(), "" | "none" | "off"));
    let mut thinking = false;
    if let Some(effort) = effort.filter(|_| !model.to_ascii_lowercase().contains("haiku")) {
        thinking = true;
        if uses_budget_thinking(&model) {
            let budget: u32 = match effort.as_str() {
                "xhigh" | "max" | "ultra" => 32_000,
                "high" => 16_000,
                "low" | "minimal" => 4000,
                _ => 8000,
            };
            body["thinking"] = json!({"type": "enabled", "budget_tokens": budget});
            max_tokens = max_tokens.max(budget + 4096);
        } else {
            let level = match effort.as_str() {
                "ultra" | "max" => "max",
                "xhigh" => "xhigh",
                "high" => "high",
                "low" | "minimal" => "low",
                _ => "medium",
            };
            body["thinking"] = json!({"type": "adaptive"});
            body["output_config"] = json!({"effort": level});
        }
    }
    body["max_tokens"] = json!(max_tokens);
    // With thinking on, the API accepts only the default temperature.
    if let Some(t) = req.temperature.filter(|_| !thinking) {
        body["temperature"] = json!(t);
    }
    body
}

/// Converts messages to Messages-API turns: system messages are lifted out, tool results
/// become `tool_result` blocks in a user turn, and consecutive turns of one role merge.
fn wire_messages(messages: &[Message]) -> Vec<Value> {
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for m in messages {
        let (role, blocks) = match m.role {
            Role::System => continue,
            Role::User => ("user", user_blocks(m)),
            Role::Tool => {
                let mut block = json!({
                    "type": "tool_result",
                    "tool_use_id": m.tool_call_id.as_deref().unwrap_or_default(),
                    "content": m.content,
                });
                if m.tool_error {
                    block["is_error"] = json!(true);
                }
                ("user", vec![block])
            }
            Role::Assistant => ("assistant", assistant_blocks(m)),
        };
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((r, b)) if *r == role => b.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    turns
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect()
}

fn user_blocks(m: &Message) -> Vec<Value> {
    let mut blocks: Vec<Value> = m
        .images
        .iter()
        .map(|img| match img.as_data_url() {
            Some((media_type, data)) => json!({"type": "image", "source": {
                "type": "base64", "media_type": media_type, "data": data}}),
            None => json!({"type": "image", "source": {"type": "url", "url": img.url}}),
        })
        .collect();
    if !m.content.is_empty() {
        blocks.push(json!({"type": "text", "text": m.content}));
    }
    blocks
}

fn assistant_blocks(m: &Message) -> Vec<Value> {
    let mut blocks = Vec::new();
    // A thinking block is only accepted back with its signature.
    if let (Some(text), Some(sig)) = (&m.reasoning, &m.reasoning_signature) {
        blocks.push(json!({"type": "thinking", "thinking": text, "signature": sig}));
    }
    if !m.content.is_empty() {
        blocks.push(json!({"type": "text", "text": m.content}));
    }
    for c in &m.tool_calls {
        let input = serde_json::from_str::<Value>(&c.arguments)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        blocks.push(json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input}));
    }
    blocks
}

#[derive(Debug)]
enum Block {
    Text(String),
    Thinking {
        text: String,
        signature: String,
    },
    ToolUse {
        id: String,
        name: String,
        json: String,
    },
    Other,
}

/// A response being put together from stream events.
#[derive(Debug, Default)]
struct Assembly {
    blocks: BTreeMap<u64, Block>,
    tool_count: usize,
    stop_reason: Option<String>,
    stopped: bool,
    model: Option<String>,
    input_tokens: u64,
    output_tokens: u64,
    saw_usage: bool,
}

impl Assembly {
    fn apply_event(&mut self, v: &Value, on_event: &mut (dyn FnMut(StreamEvent) + Send)) {
        let index = v.get("index").and_then(Value::as_u64).unwrap_or(0);
        match json_str(v, "type") {
            Some("message_start") => {
                let msg = v.get("message").unwrap_or(&Value::Null);
                if let Some(m) = json_str(msg, "model") {
                    self.model = Some(m.to_string());
                }
                if let Some(u) = msg.get("usage") {
                    self.apply_usage(u);
                }
            }
            Some("content_block_start") => {
                let cb = v.get("content_block").unwrap_or(&Value::Null);
                self.start_block(index, cb, on_event);
            }
            Some("content_block_delta") => {
                let d = v.get("delta").unwrap_or(&Value::Null);
                self.apply_delta(index, d, on_event);
            }
            Some("message_delta") => {
                if let Some(r) = v.get("delta").and_then(|d| json_str(d, "stop_reason")) {
                    self.stop_reason = Some(r.to_string());
                }
                if let Some(u) = v.get("usage") {
                    self.apply_usage(u);
                }
            }
            // `ping`, `content_block_stop` and future event types carry nothing we need.
            _ => {}
        }
    }

    fn apply_usage(&mut self, u: &Value) {
        let n = |k: &str| u.get(k).and_then(Value::as_u64);
        let input = [
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
        ]
        .iter()
        .filter_map(|k| n(k))
        .reduce(|a, b| a + b);
        if let Some(i) = input {
            self.input_tokens = i;
            self.saw_usage = true;
        }
        // `output_tokens` is cumulative in message_delta.
        if let Some(o) = n("output_tokens") {
            self.output_tokens = o;
            self.saw_usage = true;
        }
    }

    fn start_block(
        &mut self,
        index: u64,
        cb: &Value,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) {
        let block = match json_str(cb, "type") {
            Some("text") => {
                let text = json_str(cb, "text").unwrap_or_default().to_string();
                if !text.is_empty() {
                    on_event(StreamEvent::TextDelta { text: text.clone() });
                }
                Block::Text(text)
            }
            Some("thinking") => {
                let text = json_str(cb, "thinking").unwrap_or_default().to_string();
                if !text.is_empty() {
                    on_event(StreamEvent::ReasoningDelta { text: text.clone() });
                }
                Block::Thinking {
                    text,
                    signature: json_str(cb, "signature").unwrap_or_default().to_string(),
                }
            }
            Some("tool_use") => {
                let id = json_str(cb, "id").unwrap_or_default().to_string();
                let name = json_str(cb, "name").unwrap_or_default().to_string();
                on_event(StreamEvent::ToolCallStarted {
                    index: self.tool_count,
                    id: id.clone(),
                    name: name.clone(),
                });
                self.tool_count += 1;
                // A non-streamed message carries the input whole; a stream starts it empty.
                let json = match cb.get("input") {
                    Some(Value::Object(o)) if !o.is_empty() => cb["input"].to_string(),
                    _ => String::new(),
                };
                Block::ToolUse { id, name, json }
            }
            _ => Block::Other,
        };
        self.blocks.insert(index, block);
    }

    fn apply_delta(
        &mut self,
        index: u64,
        d: &Value,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) {
        let Some(block) = self.blocks.get_mut(&index) else {
            return;
        };
        match (json_str(d, "type"), block) {
            (Some("text_delta"), Block::Text(t)) => {
                let s = json_str(d, "text").unwrap_or_default();
                t.push_str(s);
                if !s.is_empty() {
                    on_event(StreamEvent::TextDelta {
                        text: s.to_string(),
                    });
                }
            }
            (Some("thinking_delta"), Block::Thinking { text, .. }) => {
                let s = json_str(d, "thinking").unwrap_or_default();
                text.push_str(s);
                if !s.is_empty() {
                    on_event(StreamEvent::ReasoningDelta {
                        text: s.to_string(),
                    });
                }
            }
            (Some("signature_delta"), Block::Thinking { signature, .. }) => {
                signature.push_str(json_str(d, "signature").unwrap_or_default());
            }
            (Some("input_json_delta"), Block::ToolUse { json, .. }) => {
                json.push_str(json_str(d, "partial_json").unwrap_or_default());
            }
            _ => {}
        }
    }

    /// Applies a whole (non-streamed) message object.
    fn apply_message(&mut self, v: &Value, on_event: &mut (dyn FnMut(StreamEvent) + Send)) {
        if let Some(m) = json_str(v, "model") {
            self.model = Some(m.to_string());
        }
        if let Some(u) = v.get("usage") {
            self.apply_usage(u);
        }
        let content = v.get("content").and_then(Value::as_array);
        for (i, cb) in content.into_iter().flatten().enumerate() {
            self.start_block(i as u64, cb, on_event);
        }
        self.stop_reason = Some(json_str(v, "stop_reason").unwrap_or("end_turn").to_string());
        self.stopped = true;
    }

    fn finish(self, requested_model: &str) -> ChatResponse {
        let mut text = String::new();
        let mut thinking: Vec<(String, String)> = Vec::new();
        let mut calls = Vec::new();
        for block in self.blocks.into_values() {
            match block {
                Block::Text(t) => text.push_str(&t),
                Block::Thinking { text, signature } => thinking.push((text, signature)),
                Block::ToolUse { id, name, json } => calls.push(ToolCall {
                    id,
                    name,
                    arguments: if json.trim().is_empty() {
                        "{}".into()
                    } else {
                        json
                    },
                }),
                Block::Other => {}
            }
        }
        let mut message = Message::assistant(text).with_tool_calls(calls);
        if !thinking.is_empty() {
            let joined: String = thinking.iter().map(|(t, _)| t.as_str()).collect();
            // One signature covers exactly one block; with several, none can be replayed.
            if let [(_, sig)] = thinking.as_slice() {
                message.reasoning_signature = (!sig.is_empty()).then(|| sig.clone());
            }
            message.reasoning = Some(joined);
        }
        ChatResponse {
            message,
            finish_reason: self
                .stop_reason
                .as_deref()
                .map_or(FinishReason::Stop, FinishReason::from_anthropic),
            usage: self.saw_usage.then_some(Usage {
                prompt_tokens: self.input_tokens,
                completion_tokens: self.output_tokens,
                total_tokens: self.input_tokens + self.output_tokens,
            }),
            model: self.model.unwrap_or_else(|| requested_model.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names() {
        assert_eq!(
            normalize_model("anthropic/claude-sonnet-4.6"),
            "claude-sonnet-4-6"
        );
        assert_eq!(
            normalize_model("claude-opus-4-1-20250805"),
            "claude-opus-4-1-20250805"
        );
        assert_eq!(normalize_model("minimax-m2.1"), "minimax-m2.1");
    }

    #[test]
    fn turns_merge_and_system_lifts() {
        let req = ChatRequest::new(
            "claude-sonnet-4-5",
            vec![
                Message::system("sys"),
                Message::user("hi").with_image("data:image/jpeg;base64,/9j/"),
                Message::assistant("calling").with_tool_calls(vec![ToolCall {
                    id: "toolu_1".into(),
                    name: "read".into(),
                    arguments: "{\"path\":\"a\"}".into(),
                }]),
                Message::tool_result("toolu_1", "contents"),
                Message::tool_result("toolu_2", "Error: no such file").with_tool_error(true),
                Message::user("thanks"),
            ],
        );
        let b = request_body(&req);
        assert_eq!(b["system"], "sys");
        assert_eq!(b["max_tokens"], 32_000);
        let msgs = b["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!(
            msgs[0]["content"][0],
            json!({"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/"}})
        );
        assert_eq!(msgs[1]["content"][1]["input"], json!({"path": "a"}));
        assert_eq!(
            msgs[2]["content"][0],
            json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "contents"})
        );
        assert_eq!(
            msgs[2]["content"][1],
            json!({"type": "tool_result", "tool_use_id": "toolu_2",
                   "content": "Error: no such file", "is_error": true})
        );
        assert_eq!(
            msgs[2]["content"][2],
            json!({"type": "text", "text": "thanks"})
        );
    }

    #[test]
    fn thinking_parameters() {
        let mut req = ChatRequest::new("claude-sonnet-4-5", vec![Message::user("x")]);
        req.reasoning_effort = Some("high".into());
        req.temperature = Some(0.2);
        req.max_tokens = Some(1000);
        let b = request_body(&req);
        assert_eq!(
            b["thinking"],
            json!({"type": "enabled", "budget_tokens": 16_000})
        );
        assert_eq!(b["max_tokens"], 20_096);
        assert!(b.get("temperature").is_none());
        req.model = "claude-opus-4-7".into();
        let b = request_body(&req);
        assert_eq!(b["thinking"], json!({"type": "adaptive"}));
        assert_eq!(b["output_config"], json!({"effort": "high"}));
    }
}
