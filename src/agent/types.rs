//! Provider-neutral conversation types: messages, tool specs, requests, responses and stream
//! events. Each provider translates these to and from its own wire format; nothing here knows
//! about HTTP.

use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the model (the system prompt).
    System,
    /// The person talking to the agent.
    User,
    /// The model.
    Assistant,
    /// The result of a tool call, answering an assistant's `tool_calls`.
    Tool,
}

/// An image attached to a message: an `https://` URL or a `data:<mime>;base64,<data>` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The URL (remote or data URL).
    pub url: String,
}

impl Image {
    /// `(media_type, base64_data)` when this is a base64 data URL.
    #[must_use]
    pub fn as_data_url(&self) -> Option<(&str, &str)> {
        let rest = self.url.strip_prefix("data:")?;
        let (meta, data) = rest.split_once(',')?;
        let media_type = meta.strip_suffix(";base64")?;
        Some((media_type, data))
    }
}

/// A tool invocation requested by the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call; the tool message answering it repeats it.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as a JSON text (as the model wrote it; it may not parse).
    pub arguments: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The author.
    pub role: Role,
    /// The text (may be empty, e.g. an assistant message that only calls tools).
    #[serde(default)]
    pub content: String,
    /// Images attached to a user message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Image>,
    /// Tools the assistant asked to call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a tool message: the id of the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// For a tool message: the call failed (Anthropic's `tool_result.is_error`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tool_error: bool,
    /// The assistant's reasoning ("thinking") text, when the provider exposes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// Anthropic's signature over the thinking text; it must be sent back with the thinking
    /// block when a tool loop continues, and other providers ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_signature: Option<String>,
}

impl Message {
    fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            images: Vec::new(),
            tool_calls: Vec::new(),
            tool_call_id: None,
            tool_error: false,
            reasoning: None,
            reasoning_signature: None,
        }
    }

    /// A system prompt.
    #[must_use]
    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }

    /// A user message.
    #[must_use]
    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }

    /// An assistant message with text only.
    #[must_use]
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content)
    }

    /// A tool result answering the call `tool_call_id`.
    #[must_use]
    pub fn tool_result(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        let mut m = Self::new(Role::Tool, content);
        m.tool_call_id = Some(tool_call_id.into());
        m
    }

    /// Marks a tool result as a failure (or not).
    #[must_use]
    pub fn with_tool_error(mut self, failed: bool) -> Self {
        self.tool_error = failed;
        self
    }

    /// Attaches an image (URL or data URL).
    #[must_use]
    pub fn with_image(mut self, url: impl Into<String>) -> Self {
        self.images.push(Image { url: url.into() });
        self
    }

    /// Adds tool calls (assistant messages).
    #[must_use]
    pub fn with_tool_calls(mut self, calls: Vec<ToolCall>) -> Self {
        self.tool_calls = calls;
        self
    }
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// The name the model uses to call it.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// A JSON schema of its arguments (an `object` schema).
    pub parameters: serde_json::Value,
}

/// Token counts reported by the provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens (including cached input).
    pub prompt_tokens: u64,
    /// Output tokens (including reasoning).
    pub completion_tokens: u64,
    /// Their sum, as reported (or computed when absent).
    pub total_tokens: u64,
}

/// One model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The model id; empty means the provider chain's configured model.
    pub model: String,
    /// The conversation, oldest first; system messages may appear anywhere.
    pub messages: Vec<Message>,
    /// Tools offered to the model.
    #[serde(default)]
    pub tools: Vec<ToolSpec>,
    /// Output token cap.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// `low|medium|high|…` for models that reason; `None` leaves the provider's default.
    #[serde(default)]
    pub reasoning_effort: Option<String>,
}

impl ChatRequest {
    /// A request with messages only; set the other fields as needed.
    #[must_use]
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        Self {
            model: model.into(),
            messages,
            tools: Vec::new(),
            max_tokens: None,
            temperature: None,
            reasoning_effort: None,
        }
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// A natural end.
    Stop,
    /// The output token cap was hit.
    Length,
    /// The model wants tool results.
    ToolCalls,
    /// The provider filtered or the model refused.
    ContentFilter,
    /// Anything else the provider reported.
    Other,
}

impl FinishReason {
    /// Maps an OpenAI-style `finish_reason`.
    #[must_use]
    pub fn from_openai(reason: &str) -> Self {
        match reason {
            "stop" | "end_turn" | "eos" => Self::Stop,
            "length" | "max_tokens" => Self::Length,
            "tool_calls" | "function_call" | "tool_use" => Self::ToolCalls,
            "content_filter" => Self::ContentFilter,
            _ => Self::Other,
        }
    }

    /// Maps an Anthropic `stop_reason`.
    #[must_use]
    pub fn from_anthropic(reason: &str) -> Self {
        match reason {
            "end_turn" | "stop_sequence" => Self::Stop,
            "max_tokens" | "model_context_window_exceeded" => Self::Length,
            "tool_use" => Self::ToolCalls,
            "refusal" => Self::ContentFilter,
            _ => Self::Other,
        }
    }
}

/// A complete model answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The assistant message (text, tool calls, reasoning).
    pub message: Message,
    /// Why it stopped.
    pub finish_reason: FinishReason,
    /// Token counts, when reported.
    pub usage: Option<Usage>,
    /// The model that answered (as the provider named it).
    pub model: String,
}

/// Incremental output, delivered while a response streams in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// More answer text.
    TextDelta {
        /// The new text.
        text: String,
    },
    /// More reasoning text.
    ReasoningDelta {
        /// The new text.
        text: String,
    },
    /// The model began a tool call (its arguments follow in the final response).
    ToolCallStarted {
        /// Position of the call in the response.
        index: usize,
        /// The call's id.
        id: String,
        /// The tool's name.
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_url_parts() {
        let img = Image {
            url: "data:image/png;base64,iVBO".into(),
        };
        assert_eq!(img.as_data_url(), Some(("image/png", "iVBO")));
        let remote = Image {
            url: "https://example.com/a.png".into(),
        };
        assert_eq!(remote.as_data_url(), None);
    }

    #[test]
    fn message_serde_skips_empty_parts() {
        let m = Message::tool_result("call_1", "42");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"role": "tool", "content": "42", "tool_call_id": "call_1"})
        );
        let back: Message = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn finish_reasons() {
        assert_eq!(
            FinishReason::from_openai("tool_calls"),
            FinishReason::ToolCalls
        );
        assert_eq!(FinishReason::from_openai("length"), FinishReason::Length);
        assert_eq!(FinishReason::from_anthropic("end_turn"), FinishReason::Stop);
        assert_eq!(
            FinishReason::from_anthropic("refusal"),
            FinishReason::ContentFilter
        );
        assert_eq!(
            FinishReason::from_anthropic("pause_turn"),
            FinishReason::Other
        );
    }
}
