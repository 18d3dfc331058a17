//! `memory`: adds, replaces and removes entries of `memories/MEMORY.md` (the agent's notes) and
//! `memories/USER.md` (who the user is), entries separated by `§` lines as upstream writes
//! them. A batch of operations applies all-or-nothing against the `memory.*_char_limit`.

use std::path::PathBuf;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{Tool, ToolContext, ToolOutput, arg_str};
use crate::agent::prompt::ENTRY_DELIMITER;
use crate::agent::types::ToolSpec;
use crate::fsutil;

/// The `memory` tool.
pub(crate) struct MemoryTool;

fn op_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": ["add", "replace", "remove"]},
            "content": {"type": "string", "description": "Entry content for add/replace."},
            "old_text": {"type": "string", "description": "A short unique substring of the entry to replace or remove."}
        },
        "required": ["action"]
    })
}

/// Applies one operation to `entries`.
fn apply(entries: &mut Vec<String>, op: &Value) -> Result<String, String> {
    let action = arg_str(op, "action").unwrap_or_default();
    let content = arg_str(op, "content").map(str::trim).unwrap_or_default();
    let old = arg_str(op, "old_text").map(str::trim).unwrap_or_default();
    let find = |entries: &[String]| -> Result<usize, String> {
        if old.is_empty() {
            return Err(format!(
                "'{action}' needs old_text (a unique part of the entry)"
            ));
        }
        let hits: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.contains(old))
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [i] => Ok(*i),
            [] => Err(format!("no entry matched '{old}'")),
            _ => Err(format!("several entries matched '{old}'; be more specific")),
        }
    };
    match action {
        "add" => {
            if content.is_empty() {
                return Err("content cannot be empty".into());
            }
            if entries.iter().any(|e| e == content) {
                return Ok("Entry already exists (no duplicate added).".into());
            }
            entries.push(content.to_string());
            Ok("Entry added.".into())
        }
        "replace" => {
            if content.is_empty() {
                return Err("content cannot be empty; use 'remove' to delete an entry".into());
            }
            let i = find(entries)?;
            entries[i] = content.to_string();
            Ok("Entry replaced.".into())
        }
        "remove" => {
            let i = find(entries)?;
            entries.remove(i);
            Ok("Entry removed.".into())
        }
        other => Err(format!(
            "unknown action '{other}' (use add, replace or remove)"
        )),
    }
}

fn file_of(cx: &ToolContext, target: &str) -> PathBuf {
    let name = if target == "user" {
        "USER.md"
    } else {
        "MEMORY.md"
    };
    cx.paths.memories_dir().join(name)
}

#[async_trait]
impl Tool for MemoryTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "memory".into(),
            description: "Save durable facts to persistent memory that survives across sessions and is shown in every future turn; keep entries short. target 'user' = who the user is (name, preferences); 'memory' = your own notes (environment, conventions, lessons). Make several changes in one call with 'operations'; the size limit is checked on the final result.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "action": {"type": "string", "enum": ["add", "replace", "remove"], "description": "The action (single-operation shape). Omit when using 'operations'."},
                    "target": {"type": "string", "enum": ["memory", "user"], "description": "Which store: 'memory' for your notes, 'user' for the user profile."},
                    "content": {"type": "string", "description": "The entry content (add, replace)."},
                    "old_text": {"type": "string", "description": "A short unique substring identifying the entry to replace or remove."},
                    "operations": {"type": "array", "description": "Several operations applied together.", "items": op_schema()}
                },
                "required": ["target"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "memory"
    }

    fn emoji(&self) -> &'static str {
        "🧠"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let target = arg_str(&args, "target").unwrap_or("memory");
        if target != "memory" && target != "user" {
            return ToolOutput::error("memory: target must be 'memory' or 'user'");
        }
        let (enabled, limit) = if target == "user" {
            (cx.config.user_profile_enabled, cx.config.user_char_limit)
        } else {
            (cx.config.memory_enabled, cx.config.memory_char_limit)
        };
        if !enabled {
            return ToolOutput::error(format!(
                "memory: the '{target}' store is turned off in config.yaml"
            ));
        }
        let ops: Vec<Value> = match args.get("operations") {
            Some(Value::Array(a)) if !a.is_empty() => a.clone(),
            _ if arg_str(&args, "action").is_some() => vec![args.clone()],
            _ => {
                return ToolOutput::error(
                    "memory: give 'action' (with content/old_text) or 'operations'",
                );
            }
        };
        let path = file_of(cx, target);
        let text = fsutil::read_optional(&path)
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut entries: Vec<String> = text
            .split(ENTRY_DELIMITER)
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        let mut messages = Vec::new();
        for op in &ops {
            match apply(&mut entries, op) {
                Ok(m) => messages.push(m),
                Err(e) => {
                    return ToolOutput {
                        content: json!({"success": false, "error": e, "current_entries": entries})
                            .to_string(),
                        ok: false,
                    };
                }
            }
        }
        let joined = entries.join(ENTRY_DELIMITER);
        let used = joined.chars().count();
        if used > limit {
            return ToolOutput {
                content: json!({
                    "success": false,
                    "error": format!("the {target} store would hold {used} characters, over its limit of {limit}; remove or shorten entries in the same call"),
                    "current_entries": text.split(ENTRY_DELIMITER).map(str::trim).filter(|e| !e.is_empty()).collect::<Vec<_>>(),
                })
                .to_string(),
                ok: false,
            };
        }
        if let Err(e) = fsutil::write_atomic(&path, joined.as_bytes(), Some(0o600)) {
            return ToolOutput::error(format!("memory: cannot write {}: {e}", path.display()));
        }
        let pct = (used * 100).checked_div(limit).unwrap_or(100);
        ToolOutput::json(&json!({
            "success": true,
            "target": target,
            "message": messages.join(" "),
            "usage": format!("{pct}% — {used}/{limit} chars"),
            "entry_count": entries.len(),
            "note": "Write saved. This update is complete — do not repeat it.",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_apply_in_order() {
        let mut e = vec!["likes tea".to_string(), "uses vim".to_string()];
        apply(
            &mut e,
            &json!({"action": "replace", "old_text": "tea", "content": "likes coffee"}),
        )
        .unwrap();
        apply(
            &mut e,
            &json!({"action": "add", "content": "lives in Paris"}),
        )
        .unwrap();
        apply(&mut e, &json!({"action": "remove", "old_text": "vim"})).unwrap();
        assert_eq!(e, ["likes coffee", "lives in Paris"]);
        assert!(apply(&mut e, &json!({"action": "remove", "old_text": "i"})).is_err());
        assert!(apply(&mut e, &json!({"action": "add"})).is_err());
        assert!(apply(&mut e, &json!({"action": "zap"})).is_err());
    }
}
