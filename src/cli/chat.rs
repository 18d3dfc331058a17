//! `hermes chat` — talk to the agent in the terminal (a REPL that streams replies), or ask one
//! question with `-q` (only the answer on stdout). Sessions go to `state.db` with source `cli`;
//! the agent loop itself lives in the library.

use std::io::IsTerminal;
use std::sync::Arc;

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::Context as _;
use hermes::agent::progress::{self, ProgressMode};
use hermes::agent::tools::ProcessNotice;
use hermes::agent::{Agent, skill_prompt, sync_bundled_skills};
use hermes::gateway::turn::{
    ApprovalChoice, HistoryMessage, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use hermes::platforms::SessionSource;
use hermes::store::{
    Message, NewMessage, NewSession, RecordedTurn, Session, SessionQuery, SessionStore, Store,
};
use jiff::tz::TimeZone;
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
  /retry          send your last message again (its old answer is dropped)
  /undo           remove your last message and its answer
  /title [NAME]   show or set this session's title
  /model [NAME]   show the model, or use NAME for the rest of this session
  /compress       summarise the older part of the conversation to free context
  /usage          token usage of this session
  /insights [N]   token usage of the last N days (default 7)
  /stop           stop this session's background processes
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
    /// `/model NAME`: the model for the rest of the session.
    model: Option<String>,
    /// `display.tool_progress` (or `display.platforms.cli.tool_progress`).
    progress: ProgressMode,
    /// Background-process notices (`display.background_process_notifications`).
    notices: mpsc::UnboundedReceiver<ProcessNotice>,
    /// The time zone of `/insights` days.
    tz: TimeZone,
}

/// What the REPL does with a line.
enum Next {
    /// Leave.
    Exit,
    /// Nothing more (a command ran).
    Done,
    /// Send this to the agent.
    Send(String),
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
    let agent = Agent::from_settings(cx.paths.clone(), &settings, env.clone()).map_err(|e| {
        let hints = e.hints();
        hints
            .into_iter()
            .fold(CliError::user(e.to_string()), CliError::hint)
    })?;
    // The same `send_message` and `cronjob` tools as the gateway's agent; messages go straight
    // to each configured platform's API.
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()
        .context("building the HTTP client")?;
    let built = hermes::platforms::registry::build(&cx.paths, &settings, &env, &http);
    let outboxes: HashMap<_, _> = built
        .platforms
        .iter()
        .map(|p| (p.name().to_string(), (p.outbox(), p.capabilities())))
        .collect();
    let (notice_tx, notices) = mpsc::unbounded_channel();
    let mut agent = agent
        .with_platform_tools(&settings, outboxes)
        .with_process_notices(notice_tx);
    let interactive = args.query.is_none();
    let tty = std::io::stdin().is_terminal();
    if !(interactive && tty) {
        // Nobody can answer an approval question on this terminal.
        agent = agent.unattended();
    }
    let progress = agent.config().progress_mode("cli");
    let tz = hermes::gateway::reset::resolve_time_zone(&settings.timezone)
        .unwrap_or_else(|_| TimeZone::system());
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
    let mut chat = Chat {
        cx,
        agent: Arc::new(agent),
        store,
        session,
        yolo: args.yolo,
        lines: None,
        stream: interactive,
        ask: interactive && tty,
        model: None,
        progress,
        notices,
        tz,
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
        let key = session_key(&session);
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
            model: self.model.clone(),
            ..TurnRequest::default()
        };
        let (tx, mut events) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let agent = self.agent.clone();
        let c = cancel.clone();
        let mut task = tokio::spawn(async move { agent.run(request, tx, c).await });
        let mut streamed = false;
        let mut last_tool: Option<String> = None;
        let result = loop {
            tokio::select! {
                biased;
                Some(ev) = events.recv() => self.on_event(ev, &key, &mut streamed, &mut last_tool).await,
                Some(n) = self.notices.recv() => self.notice(&n, &mut streamed),
                r = &mut task => break r.context("the turn stopped unexpectedly")?,
                () = ctrl_c(), if !cancel.is_cancelled() => {
                    cancel.cancel();
                    self.cx.out.status("⚡ Interrupting...");
                }
            }
        };
        // Events sent just before the turn ended are still queued.
        while let Some(ev) = events.recv().await {
            self.on_event(ev, &key, &mut streamed, &mut last_tool).await;
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

    /// Shows a background-process notice on stderr.
    fn notice(&self, n: &ProcessNotice, streamed: &mut bool) {
        if *streamed {
            self.cx.out.raw("\n");
            *streamed = false;
        }
        self.cx.out.status(&n.text);
    }

    async fn on_event(
        &mut self,
        ev: TurnEvent,
        key: &str,
        streamed: &mut bool,
        last_tool: &mut Option<String>,
    ) {
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
                let show = self.progress.shows(&name, last_tool.as_deref());
                *last_tool = Some(name);
                if !show {
                    return;
                }
                if *streamed {
                    self.cx.out.raw("\n");
                    *streamed = false;
                }
                self.cx.out.status(progress::line(&emoji, &label));
            }
            TurnEvent::ApprovalRequested {
                command, reason, ..
            } => {
                if self.ask {
                    let choice = self.ask_approval(&command, &reason).await;
                    self.agent.resolve_approval(key, choice);
                } else {
                    // Nobody can answer here: the agent (unattended) refused it on its own.
                    self.cx.out.warn(format_args!(
                        "Did not run a dangerous command ({reason}): {command}\n  run with --yolo to allow such commands without asking"
                    ));
                }
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
                Some(n) = self.notices.recv() => {
                    self.notice(&n, &mut false);
                    continue;
                }
                () = ctrl_c() => None,
            };
            let Some(line) = line else { break };
            let line = line.trim().to_string();
            if line.is_empty() {
                continue;
            }
            let next = if line.starts_with('/') {
                self.command(&line).await
            } else {
                Ok(Next::Send(line))
            };
            let result = match next {
                Ok(Next::Exit) => break,
                Ok(Next::Done) => continue,
                Ok(Next::Send(input)) => self.turn(input).await,
                Err(e) => Err(e),
            };
            match result {
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
        if let Some(s) = self.session.take() {
            self.agent.processes().kill_session(&session_key(&s));
            self.store.end_session(&s.id, "user_exit")?;
        }
        Ok(())
    }

    /// Runs a slash command.
    async fn command(&mut self, line: &str) -> anyhow::Result<Next> {
        let (cmd, rest) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(a, b)| (a, b.trim()));
        match cmd {
            "/exit" | "/quit" => return Ok(Next::Exit),
            "/help" => self.cx.out.data(HELP),
            "/new" | "/reset" => {
                if let Some(s) = self.session.take() {
                    self.agent.processes().kill_session(&session_key(&s));
                    self.store.end_session(&s.id, "new")?;
                }
                self.cx.out.status("Started a new session.");
            }
            "/usage" => self.usage()?,
            "/insights" => self.insights(rest)?,
            "/title" => self.title(rest)?,
            "/model" => self.model(rest)?,
            "/undo" => self.undo()?,
            "/retry" => return self.retry(),
            "/stop" => self.stop(),
            "/compress" => self.compress().await?,
            _ => {
                let name = cmd.trim_start_matches('/');
                if let Some(p) = skill_prompt(&self.cx.paths, name, rest) {
                    return Ok(Next::Send(p));
                }
                self.cx.out.warn(format_args!(
                    "unknown command {cmd}; /help lists the commands"
                ));
            }
        }
        Ok(Next::Done)
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

    /// `/insights [days]`: token usage per day over every session of the profile.
    fn insights(&self, args: &str) -> anyhow::Result<()> {
        let days = if args.is_empty() {
            7
        } else {
            match args.parse::<u32>() {
                Ok(n) if (1..=365).contains(&n) => n,
                _ => {
                    return Err(CliError::usage(format!(
                        "/insights takes a number of days from 1 to 365, not `{args}`"
                    ))
                    .into());
                }
            }
        };
        let i =
            hermes::agent::usage::insights(&self.store, days, jiff::Timestamp::now(), &self.tz)?;
        let mut out = format!(
            "Last {days} day(s): {} session(s), {} input + {} output tokens",
            i.sessions, i.input, i.output
        );
        for d in &i.days {
            let _ = write!(
                out,
                "\n  {}: {} session(s), {} input + {} output",
                d.date, d.sessions, d.input, d.output
            );
        }
        self.cx.out.data(out);
        Ok(())
    }

    /// `/title [name]`: shows or sets the session's title.
    fn title(&mut self, args: &str) -> anyhow::Result<()> {
        if args.is_empty() {
            let title = match &self.session {
                Some(s) => self.store.session(&s.id)?.and_then(|s| s.title),
                None => None,
            };
            match title {
                Some(t) => self.cx.out.data(format_args!("Title: {t}")),
                None => self
                    .cx
                    .out
                    .data("This session has no title. Set one with /title NAME."),
            }
            return Ok(());
        }
        let session = self.session()?;
        match self.store.set_title(&session.id, Some(args))? {
            Some(t) => self.cx.out.status(format_args!("Title set: {t}")),
            None => self.cx.out.status("Title cleared."),
        }
        Ok(())
    }

    /// `/model [name]`: shows the model, or switches this session to another one.
    fn model(&mut self, args: &str) -> anyhow::Result<()> {
        if args.is_empty() {
            self.cx.out.data(format_args!(
                "Model: {} (configured default: {})",
                self.model
                    .as_deref()
                    .unwrap_or_else(|| self.agent.default_model()),
                self.agent.default_model()
            ));
            return Ok(());
        }
        if args.contains(char::is_whitespace) {
            return Err(CliError::usage(format!("`{args}` is not a model name"))
                .hint("/model takes one name, e.g. /model anthropic/claude-sonnet-4")
                .into());
        }
        self.model = Some(args.to_string());
        if let Some(s) = &self.session {
            self.store.set_model(&s.id, args)?;
        }
        self.cx
            .out
            .status(format_args!("This session now uses {args}."));
        Ok(())
    }

    /// `/undo`: hides the last user message and everything after it.
    fn undo(&self) -> anyhow::Result<()> {
        let removed = match &self.session {
            Some(s) => self.store.remove_last_exchange(&s.id)?,
            None => 0,
        };
        if removed == 0 {
            self.cx.out.status("Nothing to undo.");
        } else {
            self.cx.out.status(format_args!(
                "Removed the last exchange ({removed} message(s))."
            ));
        }
        Ok(())
    }

    /// `/retry`: drops the last exchange and sends its user message again.
    fn retry(&self) -> anyhow::Result<Next> {
        let Some(s) = &self.session else {
            self.cx.out.status("Nothing to retry.");
            return Ok(Next::Done);
        };
        let last = self
            .store
            .messages(&s.id)?
            .into_iter()
            .rev()
            .find(|m| m.role == "user")
            .and_then(|m| m.content);
        let Some(text) = last else {
            self.cx.out.status("Nothing to retry.");
            return Ok(Next::Done);
        };
        self.store.remove_last_exchange(&s.id)?;
        self.cx.out.status("Retrying your last message.");
        Ok(Next::Send(text))
    }

    /// `/stop`: ends this session's background processes.
    fn stop(&self) {
        let n = self
            .session
            .as_ref()
            .map_or(0, |s| self.agent.processes().kill_session(&session_key(s)));
        if n == 0 {
            self.cx.out.status("No background process is running.");
        } else {
            self.cx
                .out
                .status(format_args!("Stopping {n} background process(es)."));
        }
    }

    /// `/compress`: the older part of the conversation becomes a summary. The transcript moves
    /// to a child session holding the compressed history; the full one stays in the store.
    async fn compress(&mut self) -> anyhow::Result<()> {
        let Some(old) = self.session.clone() else {
            self.cx.out.status("Nothing to compress yet.");
            return Ok(());
        };
        let history: Vec<HistoryMessage> = self
            .store
            .messages(&old.id)?
            .iter()
            .map(history_of)
            .collect();
        let before = history.len();
        let cancel = CancellationToken::new();
        let agent = self.agent.clone();
        let model = self.model.clone();
        self.cx.out.status("Compressing the conversation...");
        let work = agent.compress(history, model.as_deref(), &cancel);
        let (compressed, usage) = tokio::select! {
            r = work => r.map_err(|e| CliError::user(format!("could not compress: {e}")))?,
            () = ctrl_c() => {
                cancel.cancel();
                return Err(CliError::cancelled("interrupted").into());
            }
        };
        if compressed.len() >= before {
            self.cx
                .out
                .status("Nothing to compress yet — the conversation is still short.");
            return Ok(());
        }
        let new = self.store.create_session(&NewSession {
            source: "cli".into(),
            parent_id: Some(old.id.clone()),
            model: old.model.clone(),
            ..NewSession::default()
        })?;
        let recorded = RecordedTurn {
            session_id: new.id.clone(),
            session: NewSession::default(),
            messages: compressed.iter().map(|h| stored(h, None)).collect(),
            input_tokens: usage.input,
            output_tokens: usage.output,
        };
        if let Err(e) = self.store.record_turns(&[recorded]) {
            let _ = self.store.delete_session(&new.id);
            return Err(e.into());
        }
        // The title follows the conversation, so `-c NAME` finds the compressed one.
        if let Some(title) = self.store.session(&old.id)?.and_then(|s| s.title) {
            self.store.set_title(&old.id, None)?;
            self.store.set_title(&new.id, Some(&title))?;
        }
        self.store.end_session(&old.id, "compressed")?;
        self.session = self.store.session(&new.id)?;
        self.cx.out.status(format_args!(
            "Compressed the conversation: {before} messages → {}.",
            compressed.len()
        ));
        Ok(())
    }
}

/// The routing key of a CLI session (approvals, background processes).
fn session_key(s: &Session) -> String {
    format!("cli:{}", s.id)
}
