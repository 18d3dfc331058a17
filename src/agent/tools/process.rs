//! Background processes started with `terminal(background=true)`: a registry with ids, the
//! `process` tool (list, poll, log, wait, kill), and notices when one finishes, sent as
//! `display.background_process_notifications` says (concise, all, result, error, off).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::terminal::{
    KILL_GRACE, MAX_OUTPUT_CHARS, OutputBuf, exit_code, signal_group, spawn_shell, text_of,
};
use super::{Tool, ToolContext, ToolOutput, arg_u64, required, truncate_middle};
use crate::agent::config::NotifyMode;
use crate::agent::types::ToolSpec;

/// How often `all` mode reports new output of a running process.
const PROGRESS_EVERY: Duration = Duration::from_secs(15);

/// A message for the user about a background process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessNotice {
    /// The session that started it.
    pub session_key: String,
    /// Its id (`proc_…`).
    pub process_id: String,
    /// The text to show.
    pub text: String,
}

struct BgProc {
    id: String,
    command: String,
    session_key: String,
    pid: u32,
    output: OutputBuf,
    /// Bytes of output already returned by `poll`.
    polled: Mutex<usize>,
    exit: watch::Receiver<Option<i64>>,
}

/// The background processes of an agent.
pub struct Processes {
    procs: Mutex<BTreeMap<String, Arc<BgProc>>>,
    mode: NotifyMode,
    notices: Option<mpsc::UnboundedSender<ProcessNotice>>,
}

impl std::fmt::Debug for Processes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processes")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The last lines of some output, for notices.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let start = lines.len().saturating_sub(20);
    let t = lines[start..].join("\n");
    let n = t.chars().count();
    if n > 1500 {
        t.chars().skip(n - 1500).collect()
    } else {
        t
    }
}

/// A fresh process id.
fn new_id() -> String {
    let r = getrandom::u64().unwrap_or_else(|_| u64::from(std::process::id()));
    format!("proc_{:012x}", r & 0xffff_ffff_ffff)
}

impl Processes {
    /// A registry sending notices (if `notices` is given) per `mode`.
    #[must_use]
    pub fn new(mode: NotifyMode, notices: Option<mpsc::UnboundedSender<ProcessNotice>>) -> Self {
        Self {
            procs: Mutex::new(BTreeMap::new()),
            mode,
            notices,
        }
    }

    /// Starts `command` in the background; returns what the model is told.
    pub(crate) fn spawn(
        &self,
        command: &str,
        cwd: &Path,
        env: &BTreeMap<String, String>,
        session_key: &str,
    ) -> std::io::Result<Value> {
        let (mut child, output, _readers) = spawn_shell(command, cwd, env)?;
        let pid = child.id().unwrap_or_default();
        let (tx, rx) = watch::channel(None);
        let p = Arc::new(BgProc {
            id: new_id(),
            command: command.to_string(),
            session_key: session_key.to_string(),
            pid,
            output,
            polled: Mutex::new(0),
            exit: rx,
        });
        lock(&self.procs).insert(p.id.clone(), p.clone());
        let mode = self.mode;
        let notices = self.notices.clone();
        let proc_ = p.clone();
        tokio::spawn(async move {
            let mut seen = 0usize;
            let mut ticker = tokio::time::interval(PROGRESS_EVERY);
            ticker.tick().await;
            let status = loop {
                tokio::select! {
                    s = child.wait() => break s.ok(),
                    _ = ticker.tick(), if mode == NotifyMode::All => {
                        let text = text_of(&proc_.output);
                        if text.len() > seen {
                            let new = tail(&text[seen..]);
                            seen = text.len();
                            send(notices.as_ref(), &proc_, format!("⏳ Background process {} is running: `{}`\n```\n{new}\n```", proc_.id, proc_.command));
                        }
                    }
                }
            };
            let code = exit_code(status);
            // Give the pipes a moment to drain before reporting.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = tx.send(Some(code));
            if let Some(text) = finish_notice(mode, &proc_, code) {
                send(notices.as_ref(), &proc_, text);
            }
        });
        Ok(json!({
            "session_id": p.id,
            "pid": pid,
            "status": "running",
            "output": "",
            "note": "Started in the background. Use the process tool (poll, log, wait, kill) with this session_id.",
        }))
    }

    fn get(&self, id: &str, session_key: &str) -> Option<Arc<BgProc>> {
        lock(&self.procs)
            .get(id)
            .filter(|p| p.session_key == session_key)
            .cloned()
    }

    /// Stops every process of `session_key` (SIGTERM, then SIGKILL after 1 s); returns how many
    /// were still running.
    pub fn kill_session(&self, session_key: &str) -> usize {
        let procs: Vec<Arc<BgProc>> = lock(&self.procs)
            .values()
            .filter(|p| p.session_key == session_key && p.exit.borrow().is_none())
            .cloned()
            .collect();
        for p in &procs {
            kill(p);
        }
        procs.len()
    }
}

fn send(tx: Option<&mpsc::UnboundedSender<ProcessNotice>>, p: &BgProc, text: String) {
    if let Some(tx) = tx {
        let _ = tx.send(ProcessNotice {
            session_key: p.session_key.clone(),
            process_id: p.id.clone(),
            text,
        });
    }
}

/// The final notice for `mode`, if any.
fn finish_notice(mode: NotifyMode, p: &BgProc, code: i64) -> Option<String> {
    let failed = code != 0;
    let head = if failed {
        format!(
            "❌ Background process {} failed (exit {code}): `{}`",
            p.id, p.command
        )
    } else {
        format!("✅ Background process {} finished: `{}`", p.id, p.command)
    };
    let with_tail = || {
        let t = tail(&text_of(&p.output));
        if t.is_empty() {
            head.clone()
        } else {
            format!("{head}\n```\n{t}\n```")
        }
    };
    match mode {
        NotifyMode::Off => None,
        NotifyMode::Error if !failed => None,
        NotifyMode::Concise if !failed => Some(head.clone()),
        NotifyMode::Concise | NotifyMode::Error | NotifyMode::Result | NotifyMode::All => {
            Some(with_tail())
        }
    }
}

fn kill(p: &Arc<BgProc>) {
    if p.exit.borrow().is_some() {
        return;
    }
    signal_group(p.pid, rustix::process::Signal::TERM);
    let p = p.clone();
    tokio::spawn(async move {
        let mut rx = p.exit.clone();
        let exited = tokio::time::timeout(KILL_GRACE, rx.wait_for(Option::is_some)).await;
        if !matches!(exited, Ok(Ok(_))) {
            signal_group(p.pid, rustix::process::Signal::KILL);
        }
    });
}

fn status_of(p: &BgProc) -> Value {
    match *p.exit.borrow() {
        Some(code) => json!({"status": "exited", "exit_code": code}),
        None => json!({"status": "running"}),
    }
}

/// The `process` tool.
pub(crate) struct ProcessTool;

#[async_trait]
impl Tool for ProcessTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "process".into(),
            description: "Manage background processes started with terminal(background=true). Actions: 'list' (all of this session), 'poll' (status + new output), 'log' (output, paginated by lines), 'wait' (block until done or timeout), 'kill' (terminate).".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "action": {"type": "string", "enum": ["list", "poll", "log", "wait", "kill", "write", "submit", "close"], "description": "Action to perform"},
                    "session_id": {"type": "string", "description": "Process id from terminal's background output. Required for all actions except 'list'."},
                    "timeout": {"type": "integer", "description": "Max seconds to block for 'wait'", "minimum": 1},
                    "offset": {"type": "integer", "description": "Line offset for 'log' (default: the last 200 lines)"},
                    "limit": {"type": "integer", "description": "Max lines for 'log'", "minimum": 1}
                },
                "required": ["action"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "terminal"
    }

    fn emoji(&self) -> &'static str {
        "⚙️"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let action = match required(&args, "action", "process") {
            Ok(a) => a,
            Err(e) => return e,
        };
        if action == "list" {
            let list: Vec<Value> = lock(&cx.processes.procs)
                .values()
                .filter(|p| p.session_key == cx.session_key)
                .map(|p| {
                    let mut v = status_of(p);
                    v["session_id"] = json!(p.id);
                    v["command"] = json!(p.command);
                    v["pid"] = json!(p.pid);
                    v
                })
                .collect();
            return ToolOutput::json(&json!({"processes": list}));
        }
        let id = match required(&args, "session_id", "process") {
            Ok(i) => i,
            Err(e) => return e,
        };
        let Some(p) = cx.processes.get(id, &cx.session_key) else {
            return ToolOutput::error(format!(
                "process: no background process '{id}' (use action='list')"
            ));
        };
        match action {
            "poll" => {
                let text = text_of(&p.output);
                let mut polled = lock(&p.polled);
                let from = (*polled).min(text.len());
                let from = (from..=text.len())
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(text.len());
                let new = truncate_middle(&text[from..], MAX_OUTPUT_CHARS);
                *polled = text.len();
                let mut v = status_of(&p);
                v["new_output"] = json!(new);
                ToolOutput::json(&v)
            }
            "log" => {
                let text = text_of(&p.output);
                let lines: Vec<&str> = text.lines().collect();
                let limit = arg_u64(&args, "limit")
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(200);
                let offset = arg_u64(&args, "offset")
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or_else(|| lines.len().saturating_sub(limit));
                let end = offset.saturating_add(limit).min(lines.len());
                let shown = lines
                    .get(offset.min(end)..end)
                    .unwrap_or_default()
                    .join("\n");
                let mut v = status_of(&p);
                v["output"] = json!(truncate_middle(&shown, MAX_OUTPUT_CHARS));
                v["total_lines"] = json!(lines.len());
                ToolOutput::json(&v)
            }
            "wait" => {
                let secs = arg_u64(&args, "timeout").unwrap_or(180).clamp(1, 3600);
                let mut rx = p.exit.clone();
                tokio::select! {
                    () = cx.cancel.cancelled() => {}
                    _ = tokio::time::timeout(Duration::from_secs(secs), rx.wait_for(Option::is_some)) => {}
                }
                let mut v = status_of(&p);
                v["output"] = json!(truncate_middle(&text_of(&p.output), MAX_OUTPUT_CHARS));
                ToolOutput::json(&v)
            }
            "kill" => {
                kill(&p);
                ToolOutput::json(&json!({"session_id": p.id, "status": "killing"}))
            }
            "write" | "submit" | "close" => ToolOutput::error(format!(
                "process: '{action}' is not supported: background processes run with stdin closed"
            )),
            other => ToolOutput::error(format!(
                "process: unknown action '{other}' (use list, poll, log, wait or kill)"
            )),
        }
    }
}
