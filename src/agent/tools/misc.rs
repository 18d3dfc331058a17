//! Small tools: `todo` (a per-session task list), `skill_view` (load a skill on demand), and
//! `send_message` / `cronjob`, whose backends the gateway provides through [`MessageSender`] and
//! [`CronControl`] (the tools exist only when a backend is given).

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Tool, ToolContext, ToolOutput, arg_bool, arg_str, required};
use crate::agent::skills;
use crate::agent::types::ToolSpec;
use crate::platforms::SessionSource;

/// Delivers `send_message` calls (implemented by the gateway).
#[async_trait]
pub trait MessageSender: Send + Sync {
    /// Sends `message` to `target` (`platform`, `platform:chat_id`, `platform:chat_id:thread`).
    /// `Ok` is a confirmation and `Err` a reason, both shown to the model.
    async fn send(
        &self,
        origin: &SessionSource,
        target: &str,
        message: &str,
    ) -> Result<String, String>;
    /// The reachable targets, as text for the model.
    async fn list_targets(&self, origin: &SessionSource) -> Result<String, String>;
}

/// Runs `cronjob` actions (implemented by the cron scheduler).
#[async_trait]
pub trait CronControl: Send + Sync {
    /// Performs one action (`create`, `list`, `update`, `pause`, `resume`, `remove`, `run`) with
    /// the model's arguments; `Ok` is the JSON result, `Err` a reason for the model.
    async fn call(&self, origin: &SessionSource, args: Value) -> Result<Value, String>;
}

/// One item of a todo list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoItem {
    /// A unique id.
    pub id: String,
    /// What to do.
    pub content: String,
    /// `pending|in_progress|completed|cancelled`.
    pub status: String,
}

const STATUSES: &[&str] = &["pending", "in_progress", "completed", "cancelled"];

/// The `todo` tool.
pub(crate) struct Todo;

#[async_trait]
impl Tool for Todo {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "todo".into(),
            description: "Manage your task list for this session (use for tasks with 3+ steps). Call with no arguments to read it. 'todos' with merge=false replaces the list; merge=true updates items by id and adds new ones. Each item: {id, content, status: pending|in_progress|completed|cancelled}. Always returns the full list.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "todos": {
                        "type": "array",
                        "description": "Task items to write. Omit to read the current list.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string", "description": "Unique item identifier"},
                                "content": {"type": "string", "description": "Task description"},
                                "status": {"type": "string", "enum": STATUSES, "description": "Current status"}
                            },
                            "required": ["id", "content", "status"]
                        }
                    },
                    "merge": {"type": "boolean", "description": "true: update existing items by id and add new ones; false (default): replace the list", "default": false}
                },
                "required": []
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "todo"
    }

    fn emoji(&self) -> &'static str {
        "📋"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let mut all = cx
            .state
            .todos
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = all.entry(cx.session_id.clone()).or_default();
        if let Some(todos) = args.get("todos") {
            let items: Vec<TodoItem> = match serde_json::from_value(todos.clone()) {
                Ok(i) => i,
                Err(e) => {
                    return ToolOutput::error(format!(
                        "todo: 'todos' must be a list of {{id, content, status}} ({e})"
                    ));
                }
            };
            if let Some(bad) = items
                .iter()
                .find(|i| !STATUSES.contains(&i.status.as_str()))
            {
                return ToolOutput::error(format!(
                    "todo: status '{}' of '{}' is not one of {}",
                    bad.status,
                    bad.id,
                    STATUSES.join(", ")
                ));
            }
            if arg_bool(&args, "merge").unwrap_or(false) {
                for item in items {
                    match list.iter_mut().find(|i| i.id == item.id) {
                        Some(existing) => *existing = item,
                        None => list.push(item),
                    }
                }
            } else {
                *list = items;
            }
        }
        let done = list.iter().filter(|i| i.status == "completed").count();
        ToolOutput::json(&json!({
            "todos": list,
            "summary": {"total": list.len(), "completed": done},
        }))
    }
}

/// The `skill_view` tool.
pub(crate) struct SkillView;

#[async_trait]
impl Tool for SkillView {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "skill_view".into(),
            description: "Load a skill's full instructions (its SKILL.md), or one of its linked files with file_path. The skills index in the system prompt lists what is installed.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The skill name"},
                    "file_path": {"type": "string", "description": "Optional: a file inside the skill's folder (e.g. 'references/api.md')"}
                },
                "required": ["name"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "skills"
    }

    fn emoji(&self) -> &'static str {
        "📚"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let name = match required(&args, "name", "skill_view") {
            Ok(n) => n,
            Err(e) => return e,
        };
        let Some(skill) = skills::find(&cx.paths, name) else {
            let known: Vec<String> = skills::list(&cx.paths)
                .into_iter()
                .map(|s| s.name)
                .collect();
            return ToolOutput::error(format!(
                "skill_view: no skill named '{name}' (installed: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        };
        let Some(dir) = skill.path.parent() else {
            return ToolOutput::error("skill_view: the skill has no folder");
        };
        if let Some(rel) = arg_str(&args, "file_path").filter(|p| !p.trim().is_empty()) {
            let rel = std::path::Path::new(rel.trim());
            if rel.is_absolute()
                || rel
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
            {
                return ToolOutput::error(
                    "skill_view: file_path must stay inside the skill's folder",
                );
            }
            return match std::fs::read_to_string(dir.join(rel)) {
                Ok(t) => ToolOutput::ok(t),
                Err(e) => ToolOutput::error(format!("skill_view: {}: {e}", rel.display())),
            };
        }
        let Ok(text) = std::fs::read_to_string(&skill.path) else {
            return ToolOutput::error(format!("skill_view: cannot read {}", skill.path.display()));
        };
        let mut linked = Vec::new();
        for sub in ["references", "templates", "scripts", "assets"] {
            if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
                let mut names: Vec<String> = rd
                    .flatten()
                    .filter(|e| e.path().is_file())
                    .map(|e| format!("{sub}/{}", e.file_name().to_string_lossy()))
                    .collect();
                names.sort();
                linked.extend(names);
            }
        }
        ToolOutput::json(&json!({
            "name": skill.name,
            "content": text,
            "skill_dir": dir.display().to_string(),
            "linked_files": linked,
        }))
    }
}

/// The `send_message` tool over a [`MessageSender`].
pub(crate) struct SendMessage(pub(crate) Arc<dyn MessageSender>);

#[async_trait]
impl Tool for SendMessage {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "send_message".into(),
            description: "Send a message to a connected messaging platform, or list available targets. When the user names a specific channel or person, call with action='list' first. A bare platform name sends to its home channel.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "action": {"type": "string", "enum": ["send", "list"], "description": "'send' (default) or 'list'"},
                    "target": {"type": "string", "description": "'platform' (home channel), 'platform:chat_id', or 'platform:chat_id:thread_id'"},
                    "message": {"type": "string", "description": "The message text"}
                },
                "required": []
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "messaging"
    }

    fn emoji(&self) -> &'static str {
        "📨"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let result = match arg_str(&args, "action").unwrap_or("send") {
            "list" => self.0.list_targets(&cx.source).await,
            "send" => {
                let target = match required(&args, "target", "send_message") {
                    Ok(t) => t,
                    Err(e) => return e,
                };
                let message = match required(&args, "message", "send_message") {
                    Ok(m) => m,
                    Err(e) => return e,
                };
                self.0.send(&cx.source, target, message).await
            }
            other => Err(format!("unknown action '{other}' (use send or list)")),
        };
        match result {
            Ok(t) => ToolOutput::ok(t),
            Err(e) => ToolOutput::error(format!("send_message: {e}")),
        }
    }
}

/// The `cronjob` tool over a [`CronControl`].
pub(crate) struct Cronjob(pub(crate) Arc<dyn CronControl>);

#[async_trait]
impl Tool for Cronjob {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "cronjob".into(),
            description: "Manage scheduled jobs. action='create' needs 'schedule' and a self-contained 'prompt'; 'list' shows jobs; 'update', 'pause', 'resume', 'remove' and 'run' need 'job_id' (list first, never guess). Jobs run in a fresh session with no chat context; the final answer is delivered to the target.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "action": {"type": "string", "description": "One of: create, list, update, pause, resume, remove, run"},
                    "job_id": {"type": "string", "description": "Required for update/pause/resume/remove/run"},
                    "prompt": {"type": "string", "description": "For create: the full self-contained prompt"},
                    "schedule": {"type": "string", "description": "'30m', 'every 2h', '0 9 * * *', or an ISO timestamp"},
                    "name": {"type": "string", "description": "Optional human-friendly name"},
                    "repeat": {"type": "integer", "description": "Optional repeat count"},
                    "deliver": {"type": "string", "description": "Omit to deliver to this chat; 'local', 'all', or platform:chat_id[:thread_id]"},
                    "skills": {"type": "array", "items": {"type": "string"}, "description": "Skills to load before the prompt"},
                    "script": {"type": "string", "description": "Optional script run each tick"},
                    "no_agent": {"type": "boolean", "description": "Deliver the script's output verbatim without the model", "default": false}
                },
                "required": ["action"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "cronjob"
    }

    fn emoji(&self) -> &'static str {
        "⏰"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        if let Err(e) = required(&args, "action", "cronjob") {
            return e;
        }
        match self.0.call(&cx.source, args).await {
            Ok(v) => ToolOutput::json(&v),
            Err(e) => ToolOutput::error(format!("cronjob: {e}")),
        }
    }
}
