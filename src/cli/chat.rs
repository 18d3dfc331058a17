//! `hermes chat` — talk to the agent in the terminal (a REPL that streams replies), or ask one
//! question with `-q` (only the answer on stdout). Sessions go to `state.db` with source `cli`;
//! the agent loop itself lives in the library.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Context as _;
use hermes::agent::{Agent, skill_prompt, sync_bundled_skills};
use hermes::gateway::turn::{
    ApprovalChoice, HistoryMessage, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use hermes::platforms::SessionSource;
use hermes::store::{Message, NewMessage, NewSession, Session, SessionQuery, SessionStore, Store};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Context;
use super::error::CliError;

/// Talk to the agent in the terminal, or ask one question with `-q`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Ask one question, print only the answer on stdout, and exit.
    #[arg(short = 'q', long, value_name = "QUERY")]
    query: Option<String>,
    /// Use this model for this run.
    #[arg(short = 'm', long, value_name = "MODEL")]
    model: Option<String>,
    /// Use this provider for this run (`openrouter`, `anthropic`, `openai`, `custom`, …).
    #[arg(long, value_name = "PROVIDER")]
    provider: Option<String>,
    /// Resume a session by id (or unique prefix), or `latest`.
    #[arg(short = 'r', long, value_name = "ID")]
    resume: Option<String>,
    /// Continue the most recent CLI session, or the one titled NAME.
    #[arg(short = 'c', long = "continue", value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
    continue_session: Option<String>,
    /// Run dangerous commands without asking (also `HERMES_YOLO_MODE=1`).
    #[arg(long)]
    yolo: bool,
}

const HELP: &str = "Commands:
  /new            start a new session
  /usage          token usage of this session
  /<skill> [args] run an installed skill
  /help           this list
  /exit           leave (Ctrl-C at the prompt does too; during a reply it interrupts)";

/// What one chat run keeps between turns.
struct Chat<'a> {
    cx: &'a Context,
    agent: Arc<Agent>,
    store: Store,
    session: Option<Session>,
    yolo: bool,
    /// Lines from stdin (REPL only): answers to approval questions come from here too.
    lines: Option<mpsc::UnboundedReceiver<String>>,
    /// Stream reply text to stdout as it arrives.
    stream: bool,
    /// Ask approval questions on the terminal.
    ask: bool,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let mut settings = cx.settings()?;
    if let Some(p) = &args.provider {
        settings.model.provider.clone_from(p);
    }
    if let Some(m) = &args.model {
        settings.model.default.clone_from(m);
    }
    let env = cx.env()?;
    let agent = Agent::from_settings(cx.paths.clone(), &settings, env).map_err(|e| {
        let hints = e.hints();
        hints
            .into_iter()
            .fold(CliError::user(e.to_string()), CliError::hint)
    })?;
    if let Err(e) = sync_bundled_skills(&cx.paths) {
        cx.out
            .warn(format_args!("could not install the bundled skills: {e}"));
    }
    let store = Store::open_home(&cx.paths)?;
    let session = pick_session(&store, &args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let interactive = args.query.is_none();
    let tty = std::io::stdin().is_terminal();
    let mut chat = Chat {
        cx,
        agent: Arc::new(agent),
        store,
        session,
        yolo: args.yolo,
        lines: None,
        stream: interactive,
        ask: interactive && tty,
    };
    rt.block_on(async {
        match args.query {
            Some(q) => {
                let result = chat.turn(q).await?;
                cx.out.data(result.text);
                Ok(())
            }
            None => chat.repl(tty).await,
        }
    })
}

/// The session named by `-r`/`-c`, if any.
fn pick_session(store: &Store, args: &Args) -> anyhow::Result<Option<Session>> {
    let latest = |search: Option<String>| -> anyhow::Result<Option<Session>> {
        let found = store.list_sessions(&SessionQuery {
            platform: Some("cli".into()),
            limit: 50,
            search: search.clone(),
            include_archived: false,
        })?;
        let pick = match &search {
            Some(name) => found
                .iter()
                .find(|s| {
                    s.session
                        .title
                        .as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case(name))
                })
                .or(found.first()),
            None => found.first(),
        };
        Ok(pick.map(|s| s.session.clone()))
    };
    let session = if let Some(r) = &args.resume {
        if r == "latest" {
            latest(None)?.ok_or_else(|| {
                CliError::user("there is no CLI session to resume")
                    .hint("start one with `hermes chat`")
            })?
        } else {
            let id = store.resolve_session_id(r)?;
            store
                .session(&id)?
                .ok_or_else(|| CliError::user(format!("no session `{r}`")))?
        }
    } else if let Some(name) = &args.continue_session {
        let search = Some(name.trim().to_string()).filter(|n| !n.is_empty());
        latest(search.clone())?.ok_or_else(|| match search {
            Some(n) => CliError::user(format!("no CLI session titled `{n}`"))
                .hint("list them with `hermes sessions list --platform cli`"),
            None => CliError::user("there is no CLI session to continue")
                .hint("start one with `hermes chat`"),
        })?
    } else {
        return Ok(None);
    };
    Ok(Some(session))
}

/// Resolves on Ctrl-C (never, when the signal cannot be watched).
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A stored message as the agent reads it.
fn history_of(m: &Message) -> HistoryMessage {
    HistoryMessage {
        role: m.role.clone(),
        content: m.content.clone().unwrap_or_default(),
        tool_calls: m.tool_calls.as_ref().map(ToString::to_string),
        tool_call_id: m.tool_call_id.clone(),
        tool_name: m.tool_name.clone(),
    }
}

/// A message of a turn as the store keeps it.
fn stored(h: &HistoryMessage, finish: Option<&str>) -> NewMessage {
    NewMessage {
        role: h.role.clone(),
        content: Some(h.content.clone()),
        tool_calls: h
            .tool_calls
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok()),
        tool_call_id: h.tool_call_id.clone(),
        tool_name: h.tool_name.clone(),
        finish_reason: finish.map(str::to_string),
        ..NewMessage::default()
    }
}

/// The progress line of a tool (`💻 `ls -la`...`, `📄 read_file: notes.md...`).
fn progress_line(name: &str, emoji: &str, label: &str) -> String {
    let label: String = label
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .collect();
    if name == "terminal" {
        format!("{emoji} `{label}`...")
    } else if label.is_empty() || label == name {
        format!("{emoji} {name}...")
    } else {
        format!("{emoji} {name}: {label}...")
    }
}

impl Chat<'_> {
    /// The current session, created on first use.
    fn session(&mut self) -> anyhow::Result<Session> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
        }
        let s = self.store.create_session(&NewSession {
            source: "cli".into(),
            model: Some(self.agent.default_model().to_string()),
            ..NewSession::default()
        })?;
        self.session = Some(s.clone());
        Ok(s)
    }

    /// Runs one turn, storing the exchange.
    async fn turn(&mut self, input: String) -> anyhow::Result<TurnResult> {
        let session = self.session()?;
        let history: Vec<HistoryMessage> = self
            .store
            .messages(&session.id)?
            .iter()
            .map(history_of)
            .collect();
        self.store
            .append_message(&session.id, &NewMessage::user(input.clone()))?;
        let key = format!("cli:{}", session.id);
        let request = TurnRequest {
            session_id: session.id.clone(),
            session_key: key.clone(),
            source: SessionSource {
                platform: "cli".into(),
                chat_id: session.id.clone(),
                ..SessionSource::default()
            },
            history,
            input,
            yolo: self.yolo,
            ..TurnRequest::default()
        };
        let (tx, mut events) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let agent = self.agent.clone();
        let c = cancel.clone();
        let mut task = tokio::spawn(async move { agent.run(request, tx, c).await });
        let mut streamed = false;
        let result = loop {
            tokio::select! {
                biased;
                Some(ev) = events.recv() => self.on_event(ev, &key, &mut streamed).await,
                r = &mut task => break r.context("the turn stopped unexpectedly")?,
                () = ctrl_c(), if !cancel.is_cancelled() => {
                    cancel.cancel();
                    self.cx.out.status("⚡ Interrupting...");
                }
            }
        };
        // Events sent just before the turn ended are still queued.
        while let Some(ev) = events.recv().await {
            self.on_event(ev, &key, &mut streamed).await;
        }
        if streamed {
            self.cx.out.raw("\n");
        }
        match result {
            Ok(r) => {
                let last = r.messages.len().saturating_sub(1);
                for (i, m) in r.messages.iter().enumerate() {
                    let finish = (i == last).then_some(r.finish_reason.as_str());
                    self.store.append_message(&session.id, &stored(m, finish))?;
                }
                self.store
                    .add_tokens(&session.id, r.usage.input, r.usage.output)?;
                if !r.model.is_empty() {
                    self.store.set_model(&session.id, &r.model)?;
                }
                Ok(r)
            }
            Err(TurnError::Cancelled) => Err(CliError::cancelled("interrupted").into()),
            Err(e @ TurnError::Config { .. }) => Err(CliError::user(e.to_string())
                .hint("check the model settings: `hermes config show`")
                .into()),
            Err(e) => Err(CliError::user(e.to_string()).into()),
        }
    }

    async fn on_event(&mut self, ev: TurnEvent, key: &str, streamed: &mut bool) {
        match ev {
            TurnEvent::TextDelta(t) => {
                if self.stream {
                    self.cx.out.raw(&t);
                    *streamed = true;
                }
            }
            TurnEvent::ReasoningDelta(_) | TurnEvent::ToolFinished { .. } => {}
            TurnEvent::ToolStarted {
                name, emoji, label, ..
            } => {
                if *streamed {
                    self.cx.out.raw("\n");
                    *streamed = false;
                }
                self.cx.out.status(progress_line(&name, &emoji, &label));
            }
            TurnEvent::ApprovalRequested {
                command, reason, ..
            } => {
                let choice = if self.ask {
                    self.ask_approval(&command, &reason).await
                } else {
                    self.cx.out.warn(format_args!(
                        "Denied a dangerous command ({reason}): {command}\n  run with --yolo to allow such commands without asking"
                    ));
                    ApprovalChoice::Deny
                };
                self.agent.resolve_approval(key, choice);
            }
        }
    }

    async fn ask_approval(&mut self, command: &str, reason: &str) -> ApprovalChoice {
        self.cx.out.warn(format_args!(
            "Dangerous command ({reason}):\n    {command}\n  Allow? [o]nce, [s]ession, [a]lways, [d]eny (default):"
        ));
        let Some(lines) = self.lines.as_mut() else {
            return ApprovalChoice::Deny;
        };
        match lines.recv().await.as_deref().map(str::trim) {
            Some("o" | "once" | "y" | "yes") => ApprovalChoice::Once,
            Some("s" | "session") => ApprovalChoice::Session,
            Some("a" | "always") => ApprovalChoice::Always,
            _ => ApprovalChoice::Deny,
        }
    }

    async fn repl(&mut self, tty: bool) -> anyhow::Result<()> {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        self.lines = Some(rx);
        if tty {
            self.cx.out.status(format_args!(
                "hermes chat — model {}. /help for commands, /exit to leave.",
                self.agent.default_model()
            ));
        }
        loop {
            if tty {
                self.cx.out.raw("› ");
            }
            let Some(lines) = self.lines.as_mut() else {
                break;
            };
            let line = tokio::select! {
                l = lines.recv() => l,
                () = ctrl_c() => None,
            };
            let Some(line) = line else { break };
            let line = line.trim().to_string();
            if line.is_empty() {
                continue;
            }
            let input = match line
                .split_once(' ')
                .map_or((line.as_str(), ""), |(a, b)| (a, b))
            {
                ("/exit" | "/quit", _) => break,
                ("/help", _) => {
                    self.cx.out.data(HELP);
                    continue;
                }
                ("/new" | "/reset", _) => {
                    if let Some(s) = self.session.take() {
                        self.store.end_session(&s.id, "new")?;
                    }
                    self.cx.out.status("Started a new session.");
                    continue;
                }
                ("/usage", _) => {
                    self.usage()?;
                    continue;
                }
                (cmd, rest) if cmd.starts_with('/') => {
                    if let Some(p) = skill_prompt(&self.cx.paths, cmd.trim_start_matches('/'), rest)
                    {
                        p
                    } else {
                        self.cx.out.warn(format_args!(
                            "unknown command {cmd}; /help lists the commands"
                        ));
                        continue;
                    }
                }
                _ => line.clone(),
            };
            match self.turn(input).await {
                Ok(r) => {
                    if !self.stream && !r.text.is_empty() {
                        self.cx.out.data(&r.text);
                    }
                }
                Err(e) => match e.downcast_ref::<CliError>() {
                    Some(c) if c.kind == super::error::Kind::Cancelled => {
                        self.cx.out.status("Interrupted.");
                    }
                    _ => {
                        self.cx.out.error_block(
                            &e.to_string(),
                            &[],
                            &e.downcast_ref::<CliError>()
                                .map(|c| c.hints.clone())
                                .unwrap_or_default(),
                        );
                    }
                },
            }
        }
        if let Some(s) = &self.session {
            self.store.end_session(&s.id, "user_exit")?;
        }
        Ok(())
    }

    fn usage(&self) -> anyhow::Result<()> {
        let Some(s) = &self.session else {
            self.cx.out.data("No messages in this session yet.");
            return Ok(());
        };
        let s = self.store.session(&s.id)?.unwrap_or_else(|| s.clone());
        self.cx.out.data(format_args!(
            "Session {}: {} input + {} output = {} tokens ({} messages, model {})",
            s.id,
            s.input_tokens,
            s.output_tokens,
            s.total_tokens(),
            s.message_count,
            s.model.as_deref().unwrap_or("?")
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines() {
        assert_eq!(progress_line("terminal", "💻", "ls -la"), "💻 `ls -la`...");
        assert_eq!(
            progress_line("read_file", "📄", "a.md"),
            "📄 read_file: a.md..."
        );
        assert_eq!(progress_line("todo", "📋", "todo"), "📋 todo...");
    }
}
