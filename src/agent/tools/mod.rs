//! The tools the model may call, each with a JSON schema, grouped in toolsets. Names and
//! argument names follow upstream's so a `SOUL.md` or skill written for it keeps working. A tool
//! never panics on bad arguments: it returns an error string the model can act on. Approval of
//! dangerous commands is the runner's job, before a tool runs.

mod files;
pub mod homeassistant;
mod memory;
mod misc;
mod process;
mod terminal;
mod web;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use misc::{CronControl, MessageSender, TodoItem};
pub use process::{ProcessNotice, Processes};

use super::config::AgentConfig;
use super::types::ToolSpec;
use crate::home::HermesPaths;
use crate::platforms::SessionSource;

/// What a tool call produced: text for the model, and whether it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    /// The result (or the error) as the model reads it.
    pub content: String,
    /// False when the call failed.
    pub ok: bool,
}

impl ToolOutput {
    /// A success.
    #[must_use]
    pub fn ok(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            ok: true,
        }
    }

    /// A failure; the model sees `Error: <message>`.
    #[must_use]
    pub fn error(message: impl std::fmt::Display) -> Self {
        Self {
            content: format!("Error: {message}"),
            ok: false,
        }
    }

    /// A JSON result.
    #[must_use]
    pub fn json(value: &Value) -> Self {
        Self::ok(value.to_string())
    }
}

/// Per-session state tools keep between calls (todo lists).
#[derive(Debug, Default)]
pub struct SessionState {
    todos: Mutex<BTreeMap<String, Vec<TodoItem>>>,
}

/// What a tool call can see.
#[derive(Clone)]
pub struct ToolContext {
    /// The transcript id (`HERMES_SESSION_ID`).
    pub session_id: String,
    /// The routing key (approvals, process notices).
    pub session_key: String,
    /// Who and where.
    pub source: SessionSource,
    /// The profile's paths.
    pub paths: HermesPaths,
    /// Configuration.
    pub config: Arc<AgentConfig>,
    /// The environment of child processes (the profile's env plus hermes' own variables).
    pub env: Arc<BTreeMap<String, String>>,
    /// The turn's interrupt.
    pub cancel: CancellationToken,
    /// Background processes.
    pub processes: Arc<Processes>,
    /// Todo lists and other per-session state.
    pub state: Arc<SessionState>,
}

impl ToolContext {
    /// Resolves a path argument: `~/` is the user's home, relative is the terminal cwd.
    #[must_use]
    pub fn resolve(&self, p: &str) -> PathBuf {
        let p = p.trim();
        if let Some(rest) = p.strip_prefix("~/") {
            return self.paths.user_home().join(rest);
        }
        if p == "~" {
            return self.paths.user_home().to_path_buf();
        }
        let path = PathBuf::from(p);
        if path.is_absolute() {
            path
        } else {
            self.config.terminal_cwd.join(path)
        }
    }
}

/// A tool.
#[async_trait]
pub trait Tool: Send + Sync {
    /// Name, description and argument schema.
    fn spec(&self) -> ToolSpec;
    /// The toolset it belongs to (`terminal`, `file`, `web`, `memory`, `todo`, `skills`, …).
    fn toolset(&self) -> &'static str;
    /// The emoji of its progress line (the label is [`crate::agent::progress::label`]).
    fn emoji(&self) -> &'static str;
    /// Runs it.
    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput;
}

/// A string argument, trimmed of nothing; `None` when absent or not a string.
pub(crate) fn arg_str<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

/// A required string argument, or the error to hand back.
pub(crate) fn required<'a>(args: &'a Value, key: &str, tool: &str) -> Result<&'a str, ToolOutput> {
    match args.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_) | Value::Null) | None => Err(ToolOutput::error(format!(
            "{tool}: missing required argument '{key}'"
        ))),
        Some(_) => Err(ToolOutput::error(format!(
            "{tool}: argument '{key}' must be a string"
        ))),
    }
}

/// A non-negative integer argument.
pub(crate) fn arg_u64(args: &Value, key: &str) -> Option<u64> {
    match args.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean argument.
pub(crate) fn arg_bool(args: &Value, key: &str) -> Option<bool> {
    match args.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Cuts long text to `max` characters, keeping 40% of the head and 60% of the tail.
#[must_use]
pub fn truncate_middle(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_string();
    }
    let head = max * 2 / 5;
    let tail = max - head;
    let omitted = total - head - tail;
    let head_s: String = text.chars().take(head).collect();
    let tail_s: String = text.chars().skip(total - tail).collect();
    format!(
        "{head_s}\n\n... [OUTPUT TRUNCATED - {omitted} chars omitted out of {total} total] ...\n\n{tail_s}"
    )
}

/// The toolsets every platform gets by default.
pub const CORE_TOOLSETS: &[&str] = &["terminal", "file", "web", "memory", "todo", "skills"];

/// The tools of an agent, by name.
#[derive(Default)]
pub struct Registry {
    tools: BTreeMap<String, Arc<dyn Tool>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.tools.keys()).finish()
    }
}

impl Registry {
    /// The core tools, plus `send_message` and `cronjob` when their backends are given.
    #[must_use]
    pub fn core(
        sender: Option<Arc<dyn MessageSender>>,
        cron: Option<Arc<dyn CronControl>>,
    ) -> Self {
        let mut r = Self::default();
        r.add(Arc::new(terminal::Terminal));
        r.add(Arc::new(process::ProcessTool));
        r.add(Arc::new(files::ReadFile));
        r.add(Arc::new(files::WriteFile));
        r.add(Arc::new(files::Patch));
        r.add(Arc::new(files::SearchFiles));
        r.add(Arc::new(web::WebExtract::default()));
        r.add(Arc::new(memory::MemoryTool));
        r.add(Arc::new(misc::Todo));
        r.add(Arc::new(misc::SkillView));
        if let Some(s) = sender {
            r.add(Arc::new(misc::SendMessage(s)));
        }
        if let Some(c) = cron {
            r.add(Arc::new(misc::Cronjob(c)));
        }
        r
    }

    /// Adds the `homeassistant` toolset when `HASS_TOKEN` is set in `env`.
    #[must_use]
    pub fn with_homeassistant(mut self, env: &crate::config::Env) -> Self {
        homeassistant::register(&mut self, env);
        self
    }

    /// Adds (or replaces) a tool.
    pub fn add(&mut self, tool: Arc<dyn Tool>) {
        self.tools.insert(tool.spec().name, tool);
    }

    /// A tool by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.tools.get(name)
    }

    /// Every tool name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tools.keys().map(String::as_str)
    }

    /// The specs offered for `toolsets`: a `hermes-*` (or `all`) name means every tool; other
    /// names select the tools of that toolset. Sorted by name.
    #[must_use]
    pub fn specs_for(&self, toolsets: &[String]) -> Vec<ToolSpec> {
        self.tools
            .values()
            .filter(|t| Self::selected(t.toolset(), toolsets))
            .map(|t| t.spec())
            .collect()
    }

    /// Whether a tool of `toolset` is enabled by `toolsets`.
    #[must_use]
    pub fn selected(toolset: &str, toolsets: &[String]) -> bool {
        toolsets.iter().any(|t| {
            let t = t.trim();
            t.starts_with("hermes-")
                || t == "all"
                || t == "default"
                || t == toolset
                || (t == "files" && toolset == "file")
                || (t == "cron" && toolset == "cronjob")
        })
    }
}

#[cfg(test)]
mod call_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolsets_select_tools() {
        let r = Registry::core(None, None);
        let all: Vec<String> = r
            .specs_for(&["hermes-cli".into()])
            .into_iter()
            .map(|s| s.name)
            .collect();
        for name in [
            "terminal",
            "process",
            "read_file",
            "write_file",
            "patch",
            "search_files",
            "web_extract",
            "memory",
            "todo",
            "skill_view",
        ] {
            assert!(all.contains(&name.to_string()), "{name} in {all:?}");
        }
        assert!(!all.contains(&"send_message".to_string()));
        let some: Vec<String> = r
            .specs_for(&["file".into()])
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(some, ["patch", "read_file", "search_files", "write_file"]);
        for spec in r.specs_for(&["all".into()]) {
            assert_eq!(spec.parameters["type"], "object", "{}", spec.name);
        }
    }

    #[test]
    fn middle_truncation_keeps_head_and_tail() {
        let text: String = (0..100)
            .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap()))
            .collect();
        let t = truncate_middle(&text, 10);
        assert!(t.starts_with("abcd\n"));
        assert!(t.ends_with("qrstuv"));
        assert!(t.contains("90 chars omitted out of 100 total"));
        assert_eq!(truncate_middle("short", 10), "short");
    }
}
