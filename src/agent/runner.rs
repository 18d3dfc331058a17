//! `Agent`: the tool-calling loop behind [`TurnRunner`]. It builds the conversation (system
//! prompt, stored history, the user's input), calls the provider chain with the platform's
//! tools, streams text, runs tool calls (pausing for approval of dangerous commands), feeds the
//! results back, compresses the context when it fills up, and stops at `agent.max_turns`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::approval::{self, Answer, ApprovalGate};
use super::compress;
use super::config::{AgentConfig, context_length};
use super::progress::{self, ProgressMode};
use super::prompt::{self, PromptInputs};
use super::provider::{self, Provider, ProviderConfigError, ProviderError, Timeouts};
use super::tools::{
    CronControl, MessageSender, ProcessNotice, Processes, Registry, SessionState, ToolContext,
    ToolOutput,
};
use super::types::{ChatRequest, ChatResponse, Message, StreamEvent, ToolCall, Usage};
use crate::config::{Env, Settings};
use crate::cron::targets::HomeChannels;
use crate::gateway::cron_bridge::{JobsTool, OutboxSender};
use crate::gateway::turn::{
    ApprovalChoice, HistoryMessage, TokenUsage, TurnError, TurnEvent, TurnRequest, TurnResult,
    TurnRunner,
};
use crate::home::HermesPaths;
use crate::platforms::{Capabilities, Outbox};

/// The note on a tool call skipped because the turn was interrupted.
const SKIPPED: &str = "Skipped: the user interrupted the turn before this tool ran.";

/// The agent: one per profile, shared by every session.
pub struct Agent {
    paths: HermesPaths,
    env: Env,
    config: Arc<AgentConfig>,
    provider: Arc<dyn Provider>,
    default_model: String,
    tools: Registry,
    sender: Option<Arc<dyn MessageSender>>,
    cron: Option<Arc<dyn CronControl>>,
    approvals: Arc<ApprovalGate>,
    /// Nobody can answer approval questions (`hermes chat -q`): refuse at once, saying why.
    unattended: bool,
    processes: Arc<Processes>,
    state: Arc<SessionState>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("home", &self.paths.home())
            .field("provider", &self.provider.name())
            .field("model", &self.default_model)
            .field("tools", &self.tools)
            .finish_non_exhaustive()
    }
}

/// Maps a provider failure to what the caller does about it.
#[must_use]
pub fn turn_error(e: ProviderError) -> TurnError {
    let hints = e.hints();
    let with_hints = |m: String| {
        if hints.is_empty() {
            m
        } else {
            format!("{m} ({})", hints.join("; "))
        }
    };
    match e {
        ProviderError::Cancelled => TurnError::Cancelled,
        ProviderError::BadKey { .. } => TurnError::Config {
            message: with_hints(e.to_string()),
        },
        e if e.is_retryable() => TurnError::Unavailable {
            message: e.to_string(),
        },
        e => TurnError::Failed {
            message: with_hints(e.to_string()),
        },
    }
}

impl Agent {
    /// An agent over `provider`, answering with `default_model` unless a turn names another.
    #[must_use]
    pub fn new(
        paths: HermesPaths,
        settings: &Settings,
        env: Env,
        provider: Arc<dyn Provider>,
        default_model: impl Into<String>,
    ) -> Self {
        let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let config = AgentConfig::from_settings(settings, &env, &base);
        let tools = Registry::core(None, None).with_homeassistant(&env);
        Self {
            paths,
            env,
            approvals: Arc::new(ApprovalGate::new(config.command_allowlist.clone())),
            processes: Arc::new(Processes::new(config.notify, None)),
            config: Arc::new(config),
            provider,
            default_model: default_model.into(),
            tools,
            sender: None,
            cron: None,
            unattended: false,
            state: Arc::default(),
        }
    }

    /// An agent with the provider chain configured in `settings` and `env`.
    pub fn from_settings(
        paths: HermesPaths,
        settings: &Settings,
        env: Env,
    ) -> Result<Self, ProviderConfigError> {
        let http = provider::http_client(&Timeouts::default()).unwrap_or_default();
        let chain = provider::from_settings(settings, &env, http)?;
        let model = chain.default_model().to_string();
        Ok(Self::new(paths, settings, env, Arc::new(chain), model))
    }

    /// Adds the `send_message` tool.
    #[must_use]
    pub fn with_message_sender(mut self, sender: Arc<dyn MessageSender>) -> Self {
        self.sender = Some(sender);
        self.tools =
            Registry::core(self.sender.clone(), self.cron.clone()).with_homeassistant(&self.env);
        self
    }

    /// Adds the `cronjob` tool.
    #[must_use]
    pub fn with_cron(mut self, cron: Arc<dyn CronControl>) -> Self {
        self.cron = Some(cron);
        self.tools =
            Registry::core(self.sender.clone(), self.cron.clone()).with_homeassistant(&self.env);
        self
    }

    /// Adds the tools the gateway's agent has that need the outside world: `send_message`
    /// through `outboxes` (and the home channels of `settings`/the env) and `cronjob` over the
    /// profile's jobs. `hermes chat` and the gateway build the same pair this way.
    #[must_use]
    pub fn with_platform_tools(
        self,
        settings: &Settings,
        outboxes: HashMap<String, (Arc<dyn Outbox>, Capabilities)>,
    ) -> Self {
        let sender = OutboxSender {
            outboxes,
            homes: HomeChannels::from_config(&self.env, settings),
        };
        let jobs = JobsTool {
            paths: self.paths.clone(),
            settings: settings.clone(),
            env: self.env.clone(),
        };
        self.with_message_sender(Arc::new(sender))
            .with_cron(Arc::new(jobs))
    }

    /// Whether the model is offered `name` on `platform` (`platform_toolsets`).
    #[must_use]
    pub fn offers(&self, platform: &str, name: &str) -> bool {
        self.tools
            .specs_for(&self.config.toolsets_for(platform))
            .iter()
            .any(|s| s.name == name)
    }

    /// Refuses dangerous commands at once instead of asking, telling the model that nobody is
    /// there to approve them (one-shot runs such as `hermes chat -q`). The
    /// `ApprovalRequested` event is still sent, so the caller can tell the user.
    #[must_use]
    pub fn unattended(mut self) -> Self {
        self.unattended = true;
        self
    }

    /// Sends background-process notices to `tx`.
    #[must_use]
    pub fn with_process_notices(mut self, tx: mpsc::UnboundedSender<ProcessNotice>) -> Self {
        self.processes = Arc::new(Processes::new(self.config.notify, Some(tx)));
        self
    }

    /// Replaces the configuration (tests, one-off overrides).
    #[must_use]
    pub fn with_config(mut self, config: AgentConfig) -> Self {
        self.approvals = Arc::new(ApprovalGate::new(config.command_allowlist.clone()));
        self.processes = Arc::new(Processes::new(config.notify, None));
        self.config = Arc::new(config);
        self
    }

    /// The configuration in use.
    #[must_use]
    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// The model used when a turn names none.
    #[must_use]
    pub fn default_model(&self) -> &str {
        &self.default_model
    }

    /// The background processes (to stop a session's on `/stop`).
    #[must_use]
    pub fn processes(&self) -> &Arc<Processes> {
        &self.processes
    }

    /// `/compress`: summarises all but the last `compression.protect_last_n` messages of a
    /// stored transcript; returns the transcript to store instead (a summary message, then the
    /// kept messages). Unchanged when there is too little to summarise.
    pub async fn compress(
        &self,
        history: Vec<HistoryMessage>,
        model: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<(Vec<HistoryMessage>, TokenUsage), TurnError> {
        let start = history
            .iter()
            .rposition(|m| compress::parse_marker(m).is_some())
            .unwrap_or(0);
        let msgs = compress::history_to_messages(&history);
        let split = compress::split_point(&msgs, self.config.compression.protect_last_n);
        if split == 0 {
            return Ok((history, TokenUsage::default()));
        }
        let model = model.unwrap_or(&self.default_model);
        let (summary, usage) = self.summarise(&msgs[..split], model, cancel).await?;
        // The kept messages are the stored ones after the cut, found by counting back.
        let kept = msgs.len() - split;
        let mut tail: Vec<HistoryMessage> = history[start..]
            .iter()
            .rev()
            .filter(|m| compress::parse_marker(m).is_none())
            .take(kept)
            .cloned()
            .collect();
        tail.reverse();
        let mut out = vec![compress::marker(&summary, 0)];
        out.extend(tail);
        Ok((out, usage))
    }

    async fn summarise(
        &self,
        msgs: &[Message],
        model: &str,
        cancel: &CancellationToken,
    ) -> Result<(String, TokenUsage), TurnError> {
        let req = compress::summary_request(model, msgs);
        let resp = self
            .provider
            .chat(&req, &mut |_| {}, cancel)
            .await
            .map_err(turn_error)?;
        let mut usage = TokenUsage::default();
        add_usage(&mut usage, resp.usage);
        let text = resp.message.content.trim().to_string();
        if text.is_empty() {
            return Err(TurnError::Failed {
                message: "the model returned an empty summary while compressing the context".into(),
            });
        }
        Ok((text, usage))
    }

    /// Compresses the working conversation (`convo[0]` is the system prompt) in place; returns
    /// the stored marker, or `None` when there was nothing to summarise.
    async fn compress_convo(
        &self,
        convo: &mut Vec<Message>,
        model: &str,
        usage: &mut TokenUsage,
        cancel: &CancellationToken,
    ) -> Result<Option<HistoryMessage>, TurnError> {
        let body = &convo[1..];
        let split = compress::split_point(body, self.config.compression.protect_last_n);
        if split == 0 {
            return Ok(None);
        }
        let (summary, u) = self.summarise(&body[..split], model, cancel).await?;
        usage.input += u.input;
        usage.output += u.output;
        let kept: Vec<Message> = body[split..].to_vec();
        let n = kept.len();
        convo.truncate(1);
        convo.push(compress::summary_message(&summary));
        convo.extend(kept);
        Ok(Some(compress::marker(&summary, n)))
    }

    fn tool_context(&self, request: &TurnRequest, cancel: &CancellationToken) -> ToolContext {
        let mut env: BTreeMap<String, String> = self.env.vars().clone();
        env.insert("HERMES_SESSION_ID".into(), request.session_id.clone());
        env.insert("AI_AGENT".into(), "hermes-agent".into());
        env.insert("HERMES_AGENT".into(), "true".into());
        env.insert(
            "HERMES_HOME".into(),
            self.paths.home().display().to_string(),
        );
        ToolContext {
            session_id: request.session_id.clone(),
            session_key: session_key(request),
            source: request.source.clone(),
            paths: self.paths.clone(),
            config: match &request.workdir {
                Some(dir) => {
                    let mut config = (*self.config).clone();
                    config.terminal_cwd.clone_from(dir);
                    Arc::new(config)
                }
                None => self.config.clone(),
            },
            env: Arc::new(env),
            cancel: cancel.clone(),
            processes: self.processes.clone(),
            state: self.state.clone(),
        }
    }

    /// Asks for approval when `call` is a dangerous terminal command; `Some` is the result to
    /// give the model instead of running it.
    async fn check_approval(
        &self,
        call: &ToolCall,
        args: &Value,
        request: &TurnRequest,
        events: &mpsc::UnboundedSender<TurnEvent>,
        cancel: &CancellationToken,
    ) -> Option<ToolOutput> {
        if call.name != "terminal" {
            return None;
        }
        let command = args.get("command").and_then(Value::as_str)?;
        let key = approval::detect(command)?;
        let skey = session_key(request);
        if request.yolo
            || self.config.yolo
            || self.config.approvals_off
            || self.approvals.is_allowed(&skey, key)
        {
            return None;
        }
        let denied = |why: &str| {
            Some(ToolOutput {
                content: json!({
                    "output": "",
                    "exit_code": -1,
                    "error": format!("The command was {why}. Do not run it again; tell the user, or ask how to proceed."),
                    "status": "blocked",
                })
                .to_string(),
                ok: false,
            })
        };
        if self.unattended {
            let _ = events.send(TurnEvent::ApprovalRequested {
                id: call.id.clone(),
                command: command.to_string(),
                reason: key.to_string(),
            });
            return denied(&format!(
                "not run: it needs approval ({key}), and this is a non-interactive run where nobody can approve it (the user can allow such commands with --yolo)"
            ));
        }
        let rx = self.approvals.ask(&skey, &call.id);
        let _ = events.send(TurnEvent::ApprovalRequested {
            id: call.id.clone(),
            command: command.to_string(),
            reason: key.to_string(),
        });
        let answer = approval::wait(rx, self.config.approval_timeout, cancel).await;
        self.approvals.forget(&skey, &call.id);
        match answer {
            Answer::Chose(ApprovalChoice::Once) => None,
            Answer::Chose(ApprovalChoice::Session) => {
                self.approvals.allow_for_session(&skey, key);
                None
            }
            Answer::Chose(ApprovalChoice::Always) => {
                self.approvals.allow_always(key);
                if let Err(e) = approval::save_always(&self.paths, key) {
                    crate::logs::warn(
                        "agent.approval",
                        format!("could not save `{key}` to command_allowlist: {e}"),
                    );
                }
                None
            }
            Answer::Chose(ApprovalChoice::Deny) => denied("denied by the user"),
            Answer::TimedOut => denied(&format!(
                "denied: nobody approved it within {}s",
                self.config.approval_timeout.as_secs()
            )),
            Answer::Cancelled => denied("not run: the turn was interrupted"),
        }
    }

    /// Runs one tool call (approval, events, the tool itself).
    async fn run_tool(
        &self,
        call: &ToolCall,
        cx: &ToolContext,
        request: &TurnRequest,
        events: &mpsc::UnboundedSender<TurnEvent>,
    ) -> ToolOutput {
        let args: Value = if call.arguments.trim().is_empty() {
            json!({})
        } else {
            match serde_json::from_str(&call.arguments) {
                Ok(v @ Value::Object(_)) => v,
                Ok(_) => {
                    return ToolOutput::error(format!(
                        "{}: the arguments must be a JSON object",
                        call.name
                    ));
                }
                Err(e) => {
                    return ToolOutput::error(format!(
                        "{}: the arguments are not valid JSON ({e}); send them again as a JSON object",
                        call.name
                    ));
                }
            }
        };
        let Some(tool) = self.tools.get(&call.name).cloned() else {
            return ToolOutput::error(format!("unknown tool '{}'", call.name));
        };
        let enabled = Registry::selected(
            tool.toolset(),
            &self.config.toolsets_for(&request.source.platform),
        );
        if !enabled {
            return ToolOutput::error(format!("the tool '{}' is not enabled here", call.name));
        }
        if let Some(blocked) = self
            .check_approval(call, &args, request, events, &cx.cancel)
            .await
        {
            return blocked;
        }
        let _ = events.send(TurnEvent::ToolStarted {
            id: call.id.clone(),
            name: call.name.clone(),
            emoji: tool.emoji().to_string(),
            label: progress::label(
                &call.name,
                &args,
                self.config.progress_mode(&request.source.platform) == ProgressMode::Verbose,
            ),
        });
        let out = tool.call(args, cx).await;
        let _ = events.send(TurnEvent::ToolFinished {
            id: call.id.clone(),
            name: call.name.clone(),
            ok: out.ok,
        });
        out
    }

    async fn call_model(
        &self,
        req: &ChatRequest,
        events: &mpsc::UnboundedSender<TurnEvent>,
        cancel: &CancellationToken,
    ) -> Result<ChatResponse, ProviderError> {
        let mut forward = |ev: StreamEvent| {
            let _ = match ev {
                StreamEvent::TextDelta { text } => events.send(TurnEvent::TextDelta(text)),
                StreamEvent::ReasoningDelta { text } => {
                    events.send(TurnEvent::ReasoningDelta(text))
                }
                StreamEvent::ToolCallStarted { .. } => Ok(()),
            };
        };
        self.provider.chat(req, &mut forward, cancel).await
    }

    fn should_compress(&self, prompt_tokens: u64, model: &str) -> bool {
        let c = self.config.compression;
        if !c.enabled || prompt_tokens == 0 {
            return false;
        }
        let window = context_length(model, self.config.context_length);
        #[allow(clippy::cast_precision_loss)] // token counts are far below 2^52
        let over = prompt_tokens as f64 > c.threshold * window as f64;
        over
    }
}

fn session_key(request: &TurnRequest) -> String {
    if request.session_key.is_empty() {
        request.session_id.clone()
    } else {
        request.session_key.clone()
    }
}

fn add_usage(total: &mut TokenUsage, u: Option<Usage>) {
    if let Some(u) = u {
        total.input += u.prompt_tokens;
        total.output += u.completion_tokens;
    }
}

/// A stored assistant message for `m`.
fn history_of(m: &Message) -> HistoryMessage {
    let calls = (!m.tool_calls.is_empty()).then(|| {
        Value::Array(
            m.tool_calls
                .iter()
                .map(|c| {
                    json!({"id": c.id, "type": "function",
                           "function": {"name": c.name, "arguments": c.arguments}})
                })
                .collect(),
        )
        .to_string()
    });
    HistoryMessage {
        role: "assistant".into(),
        content: m.content.clone(),
        tool_calls: calls,
        ..HistoryMessage::default()
    }
}

fn tool_history(call: &ToolCall, content: &str) -> HistoryMessage {
    HistoryMessage {
        role: "tool".into(),
        content: content.to_string(),
        tool_call_id: Some(call.id.clone()),
        tool_name: Some(call.name.clone()),
        ..HistoryMessage::default()
    }
}

#[async_trait]
impl TurnRunner for Agent {
    async fn run(
        &self,
        request: TurnRequest,
        events: mpsc::UnboundedSender<TurnEvent>,
        cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        let inputs = PromptInputs::load(&self.paths, &self.env, &self.config);
        let system = prompt::build(&inputs, &self.config, &request);
        let mut convo = vec![Message::system(system)];
        convo.extend(compress::history_to_messages(&request.history));
        let mut user = Message::user(request.input.clone());
        for img in &request.images {
            user = user.with_image(img.url.clone());
        }
        convo.push(user);
        let model = request
            .model
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| self.default_model.clone());
        let specs = self
            .tools
            .specs_for(&self.config.toolsets_for(&request.source.platform));
        let cx = self.tool_context(&request, &cancel);
        let mut new_msgs: Vec<HistoryMessage> = Vec::new();
        let mut usage = TokenUsage::default();
        if self.should_compress(compress::estimate_tokens(&convo), &model) {
            // The stored history alone fills the window: compress before the first call. The
            // user's message is the last one and always stays.
            if let Some(marker) = self
                .compress_convo(&mut convo, &model, &mut usage, &cancel)
                .await?
            {
                // Kept messages include the user's input, which is stored before the marker.
                new_msgs.push(marker);
            }
        }
        let mut retried_context = false;
        let mut step = 0;
        loop {
            if cancel.is_cancelled() {
                return Err(TurnError::Cancelled);
            }
            let last_call = step >= self.config.max_turns;
            let mut req = ChatRequest::new(model.clone(), convo.clone());
            req.reasoning_effort
                .clone_from(&self.config.reasoning_effort);
            req.max_tokens = (self.config.max_tokens > 0).then_some(self.config.max_tokens);
            if last_call {
                req.messages.push(Message::system(format!(
                    "You have used the maximum of {} tool-calling steps for this turn (agent.max_turns). Do not call tools; answer now with what you have, and say what is left undone.",
                    self.config.max_turns
                )));
            } else {
                req.tools.clone_from(&specs);
            }
            let resp = match self.call_model(&req, &events, &cancel).await {
                Ok(r) => r,
                Err(ProviderError::ContextTooLong { .. }) if !retried_context => {
                    retried_context = true;
                    if let Some(marker) = self
                        .compress_convo(&mut convo, &model, &mut usage, &cancel)
                        .await?
                    {
                        new_msgs.push(marker);
                        continue;
                    }
                    return Err(TurnError::Failed {
                        message: "The conversation is too long for the model's context window; start a new one with /new".into(),
                    });
                }
                Err(e) => return Err(turn_error(e)),
            };
            step += 1;
            add_usage(&mut usage, resp.usage);
            let answered_by = if resp.model.is_empty() {
                model.clone()
            } else {
                resp.model.clone()
            };
            let message = resp.message.clone();
            convo.push(message.clone());
            new_msgs.push(history_of(&message));
            if message.tool_calls.is_empty() || last_call {
                let finish = if last_call && step > self.config.max_turns {
                    "max_turns".to_string()
                } else {
                    serde_json::to_value(resp.finish_reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| "stop".into())
                };
                return Ok(TurnResult {
                    text: message.content.trim().to_string(),
                    messages: new_msgs,
                    usage,
                    model: answered_by,
                    finish_reason: finish,
                });
            }
            for call in &message.tool_calls {
                let out = if cancel.is_cancelled() {
                    ToolOutput::error(SKIPPED)
                } else {
                    self.run_tool(call, &cx, &request, &events).await
                };
                convo.push(
                    Message::tool_result(call.id.clone(), out.content.clone())
                        .with_tool_error(!out.ok),
                );
                new_msgs.push(tool_history(call, &out.content));
            }
            if cancel.is_cancelled() {
                return Err(TurnError::Cancelled);
            }
            // Busy mode `steer`: what the user added meanwhile joins the turn here.
            for text in request.steer.take() {
                let note = format!("[The user added while you were working]: {text}");
                convo.push(Message::user(note.clone()));
                new_msgs.push(HistoryMessage::text("user", note));
            }
            let prompt_tokens = resp.usage.map_or(0, |u| u.prompt_tokens);
            if self.should_compress(prompt_tokens, &model)
                && let Some(marker) = self
                    .compress_convo(&mut convo, &model, &mut usage, &cancel)
                    .await?
            {
                new_msgs.push(marker);
            }
        }
    }

    fn resolve_approval(&self, session_key: &str, choice: ApprovalChoice) -> bool {
        self.approvals.resolve(session_key, choice)
    }

    fn end_session(&self, session_key: &str) {
        self.processes.kill_session(session_key);
    }

    async fn compress(
        &self,
        history: Vec<HistoryMessage>,
        model: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<(Vec<HistoryMessage>, TokenUsage), TurnError> {
        Agent::compress(self, history, model, cancel).await
    }
}
