//! The contract between the gateway (and the API server, cron, `hermes chat`) and the agent:
//! one turn in, a reply out, progress events on the side, cancellable at any point.

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::platforms::SessionSource;

/// A stored message of a conversation, as the transcript keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryMessage {
    /// `system|user|assistant|tool`.
    pub role: String,
    /// Text content.
    pub content: String,
    /// Assistant tool calls, as OpenAI-shaped JSON (`[{id, type, function{name, arguments}}]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<String>,
    /// For `tool` messages: the call answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// For `tool` messages: the tool's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
}

impl HistoryMessage {
    /// A user or assistant text message.
    #[must_use]
    pub fn text(role: &str, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
            ..Self::default()
        }
    }
}

/// One image given with the input (URL or `data:` URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputImage {
    /// `https://…` or `data:image/png;base64,…`.
    pub url: String,
}

/// What a turn needs.
#[derive(Debug, Clone, Default)]
pub struct TurnRequest {
    /// The transcript id.
    pub session_id: String,
    /// The routing key (`agent:main:telegram:dm:42`).
    pub session_key: String,
    /// Who and where (platform context for the system prompt and tools).
    pub source: SessionSource,
    /// The conversation so far.
    pub history: Vec<HistoryMessage>,
    /// This turn's user text.
    pub input: String,
    /// Images with the input.
    pub images: Vec<InputImage>,
    /// A model for this session only (`/model`), else the configured one.
    pub model: Option<String>,
    /// Extra system text layered on the agent's own prompt (API server `system` messages).
    pub ephemeral_system: Option<String>,
    /// A note for the agent (e.g. "the session was reset because it was idle").
    pub context_note: Option<String>,
    /// Skip dangerous-command approval (`--yolo`).
    pub yolo: bool,
    /// The directory this turn's terminal commands start in and relative paths resolve
    /// against (a cron job's `workdir`), instead of the configured `terminal.cwd`.
    pub workdir: Option<std::path::PathBuf>,
    /// Guidance the user sends while the turn runs (busy mode `steer`): the agent takes what
    /// is here after its next tool call, as a user message. What is left when the turn ends
    /// becomes the next turn.
    pub steer: Steer,
}

/// A shared inbox of steering messages for a running turn.
#[derive(Debug, Clone, Default)]
pub struct Steer(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Steer {
    /// Adds a message.
    pub fn push(&self, text: String) {
        if let Ok(mut v) = self.0.lock() {
            v.push(text);
        }
    }

    /// Takes every waiting message.
    #[must_use]
    pub fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// Token counts of a turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub input: u64,
    /// Completion tokens.
    pub output: u64,
}

/// What a finished turn produced.
#[derive(Debug, Clone, Default)]
pub struct TurnResult {
    /// The final reply text.
    pub text: String,
    /// Messages to append to the transcript after the user's (assistant tool calls, tool
    /// results, the final assistant message).
    pub messages: Vec<HistoryMessage>,
    /// Tokens used.
    pub usage: TokenUsage,
    /// The model that answered.
    pub model: String,
    /// `stop|length|…` of the last model call.
    pub finish_reason: String,
}

/// Progress of a running turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TurnEvent {
    /// Reply text as it streams.
    TextDelta(String),
    /// Reasoning text as it streams.
    ReasoningDelta(String),
    /// A tool started (shown as e.g. 💻 `ls -la`...).
    ToolStarted {
        id: String,
        name: String,
        emoji: String,
        label: String,
    },
    /// A tool finished.
    ToolFinished { id: String, name: String, ok: bool },
    /// A dangerous command waits for `/approve` or `/deny`.
    ApprovalRequested {
        id: String,
        command: String,
        reason: String,
    },
}

/// Why a turn failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TurnError {
    /// The model provider could not be reached or is overloaded: the run waits and retries.
    #[error("{message}")]
    Unavailable { message: String },
    /// The turn was interrupted.
    #[error("the turn was interrupted")]
    Cancelled,
    /// A configuration problem (no model, missing key): retrying will not help.
    #[error("{message}")]
    Config { message: String },
    /// Anything else, with a message that is true and safe to show the user.
    #[error("{message}")]
    Failed { message: String },
}

impl TurnError {
    /// Whether waiting and retrying may help.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

/// A decision on a pending dangerous command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalChoice {
    /// Run it this once.
    Once,
    /// Allow it for the rest of the session.
    Session,
    /// Always allow it (saved).
    Always,
    /// Do not run it.
    Deny,
}

/// The agent as the gateway sees it.
#[async_trait::async_trait]
pub trait TurnRunner: Send + Sync {
    /// Runs one turn. Events go to `events`; `cancel` interrupts (running commands get
    /// SIGTERM, then SIGKILL after 1 s).
    async fn run(
        &self,
        request: TurnRequest,
        events: mpsc::UnboundedSender<TurnEvent>,
        cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError>;

    /// Resolves the pending approval of a session; false when none is pending.
    fn resolve_approval(&self, session_key: &str, choice: ApprovalChoice) -> bool;

    /// The session ended (`/new`, `/reset`): stop what it left running in the background.
    fn end_session(&self, session_key: &str) {
        let _ = session_key;
    }

    /// Summarises the older part of a conversation (`/compress`): the history to keep instead,
    /// and the tokens the summary cost.
    async fn compress(
        &self,
        history: Vec<HistoryMessage>,
        model: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<(Vec<HistoryMessage>, TokenUsage), TurnError> {
        let _ = (history, model, cancel);
        Err(TurnError::Config {
            message: "context compression needs a configured model".into(),
        })
    }
}

/// The agent when it cannot be built (no model or key configured): the gateway still runs —
/// pairing, commands, cron scripts — and every turn answers with what to fix.
#[derive(Debug, Clone)]
pub struct UnconfiguredRunner {
    /// Why, and what to do.
    pub message: String,
}

#[async_trait::async_trait]
impl TurnRunner for UnconfiguredRunner {
    async fn run(
        &self,
        _request: TurnRequest,
        _events: mpsc::UnboundedSender<TurnEvent>,
        _cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        Err(TurnError::Config {
            message: self.message.clone(),
        })
    }

    fn resolve_approval(&self, _session_key: &str, _choice: ApprovalChoice) -> bool {
        false
    }
}
