//! `terminal`: runs a command with `bash -lc` in the profile's `terminal.cwd`, in its own
//! process group so an interrupt or timeout reaches everything it started (SIGTERM, then
//! SIGKILL after 1 s). Output (stdout and stderr merged) is cut in the middle past 50k chars.
//! Background commands are handed to [`super::Processes`].

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

use super::{Tool, ToolContext, ToolOutput, arg_bool, arg_str, arg_u64, required, truncate_middle};
use crate::agent::types::ToolSpec;

/// Characters of output the model sees at most.
pub(crate) const MAX_OUTPUT_CHARS: usize = 50_000;
/// Bytes of output kept in memory at most while a command runs.
pub(crate) const MAX_BUFFER_BYTES: usize = 4 * 1024 * 1024;
/// The longest foreground timeout; longer work belongs in the background.
const FOREGROUND_MAX_SECS: u64 = 3600;
/// How long a process group gets between SIGTERM and SIGKILL.
pub(crate) const KILL_GRACE: Duration = Duration::from_secs(1);

/// The `terminal` tool.
pub(crate) struct Terminal;

/// Output collected from a child's pipes.
pub(crate) type OutputBuf = Arc<Mutex<Vec<u8>>>;

/// Spawns `bash -lc command` in its own process group with exactly `env`, stdin closed and
/// stdout/stderr read into one buffer.
pub(crate) fn spawn_shell(
    command: &str,
    cwd: &Path,
    env: &BTreeMap<String, String>,
) -> std::io::Result<(Child, OutputBuf, Vec<tokio::task::JoinHandle<()>>)> {
    let mut child = Command::new("bash")
        .arg("-lc")
        .arg(command)
        .current_dir(cwd)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let buf: OutputBuf = Arc::default();
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        readers.push(tokio::spawn(pump(out, buf.clone())));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(tokio::spawn(pump(err, buf.clone())));
    }
    Ok((child, buf, readers))
}

async fn pump(mut r: impl AsyncRead + Unpin, buf: OutputBuf) {
    let mut chunk = [0u8; 8192];
    loop {
        match r.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut b = buf
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if b.len() + n > MAX_BUFFER_BYTES {
                    // Keep the newest output: drop the oldest half.
                    let half = b.len() / 2;
                    b.drain(..half);
                }
                b.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

/// Sends `sig` to the process group led by `pid` (ignoring a group that is already gone).
pub(crate) fn signal_group(pid: u32, sig: rustix::process::Signal) {
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, sig);
    }
}

/// SIGTERM to the child's group, SIGKILL after [`KILL_GRACE`], and reaps the child.
pub(crate) async fn terminate(child: &mut Child) -> Option<ExitStatus> {
    let Some(pid) = child.id() else {
        return child.wait().await.ok();
    };
    signal_group(pid, rustix::process::Signal::TERM);
    if let Ok(Ok(status)) = tokio::time::timeout(KILL_GRACE, child.wait()).await {
        // The leader is gone; anything it left in the group gets the same end.
        signal_group(pid, rustix::process::Signal::KILL);
        return Some(status);
    }
    signal_group(pid, rustix::process::Signal::KILL);
    child.wait().await.ok()
}

/// The exit code, or 128 + the signal that ended the process.
pub(crate) fn exit_code(status: Option<ExitStatus>) -> i64 {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Some(s) => s
            .code()
            .map(i64::from)
            .or_else(|| s.signal().map(|sig| 128 + i64::from(sig)))
            .unwrap_or(-1),
        None => -1,
    }
}

/// The buffer as text with ANSI escapes removed.
pub(crate) fn text_of(buf: &OutputBuf) -> String {
    let bytes = buf
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    strip_ansi(&String::from_utf8_lossy(&bytes))
}

/// Removes ANSI CSI/OSC escape sequences so the model never copies them into files.
pub(crate) fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.peek() == Some(&'\\')) {
                        if c == '\u{1b}' {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            _ => {
                chars.next();
            }
        }
    }
    out
}

#[async_trait]
impl Tool for Terminal {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "terminal".into(),
            description: "Run a shell command (bash) on this machine and return its output and exit code. Use background=true for servers and long jobs, then the process tool to poll or kill them. Prefer read_file/search_files/patch for reading and editing files.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "command": {"type": "string", "description": "The command to execute"},
                    "background": {"type": "boolean", "description": "Run in the background and return a process id at once (default: false)", "default": false},
                    "timeout": {"type": "integer", "description": "Max seconds to wait (default: terminal.timeout, 180)", "minimum": 1},
                    "workdir": {"type": "string", "description": "Working directory for this command (absolute path). Defaults to the session working directory."}
                },
                "required": ["command"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "terminal"
    }

    fn emoji(&self) -> &'static str {
        "💻"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let command = match required(&args, "command", "terminal") {
            Ok(c) => c,
            Err(e) => return e,
        };
        let cwd = match arg_str(&args, "workdir").filter(|w| !w.trim().is_empty()) {
            Some(w) => cx.resolve(w),
            None => cx.config.terminal_cwd.clone(),
        };
        if !cwd.is_dir() {
            return ToolOutput::error(format!(
                "terminal: working directory {} does not exist",
                cwd.display()
            ));
        }
        if arg_bool(&args, "background").unwrap_or(false) {
            return match cx.processes.spawn(command, &cwd, &cx.env, &cx.session_key) {
                Ok(info) => ToolOutput::json(&info),
                Err(e) => ToolOutput::error(format!("terminal: cannot start the command: {e}")),
            };
        }
        let timeout =
            arg_u64(&args, "timeout").map_or(cx.config.terminal_timeout, Duration::from_secs);
        if timeout.as_secs() > FOREGROUND_MAX_SECS {
            return ToolOutput::error(format!(
                "terminal: a foreground timeout above {FOREGROUND_MAX_SECS}s is refused; use background=true for longer commands"
            ));
        }
        let (mut child, buf, readers) = match spawn_shell(command, &cwd, &cx.env) {
            Ok(v) => v,
            Err(e) => return ToolOutput::error(format!("terminal: cannot start bash: {e}")),
        };
        let (status, note) = tokio::select! {
            s = child.wait() => (s.ok(), None),
            () = cx.cancel.cancelled() => (terminate(&mut child).await, Some("[Command interrupted]".to_string())),
            () = tokio::time::sleep(timeout) => (
                terminate(&mut child).await,
                Some(format!("Command timed out after {}s", timeout.as_secs())),
            ),
        };
        // Pipes held open by a process that escaped the group must not hang the turn.
        for r in readers {
            let abort = r.abort_handle();
            if tokio::time::timeout(Duration::from_millis(200), r)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        let output = truncate_middle(text_of(&buf).trim(), MAX_OUTPUT_CHARS);
        let code = exit_code(status);
        let mut result = json!({"output": output, "exit_code": code, "error": null});
        match &note {
            Some(n) if n.starts_with('[') => {
                result["output"] = Value::String(format!("{output}\n{n}").trim().to_string());
                result["exit_code"] = json!(130);
            }
            Some(n) => result["error"] = Value::String(n.clone()),
            None => {}
        }
        ToolOutput {
            content: result.to_string(),
            ok: note.is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(strip_ansi("\u{1b}[31mred\u{1b}[0m ok"), "red ok");
        assert_eq!(strip_ansi("\u{1b}]0;title\u{7}x"), "x");
    }
}
