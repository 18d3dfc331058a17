//! The chat slash commands' handlers (`/new`, `/status`, `/stop`, `/sethome`, …).

use std::fmt::Write as _;

use super::{CancelReason, Shared};
use crate::auth;
use crate::config::dotenv::EnvFile;
use crate::gateway::commands::{self, SlashCommand};
use crate::gateway::session_key::build_session_key;
use crate::gateway::turn::{ApprovalChoice, TurnRequest};
use crate::logs;
use crate::platforms::InboundMessage;
use crate::store::{NewSession, Route, RouteStore, SessionQuery, SessionStore};

/// Runs a known slash command and answers in the chat.
pub(crate) async fn handle(shared: &Shared, m: &InboundMessage, cmd: &SlashCommand) {
    let key = build_session_key(
        &m.source,
        shared.settings.group_sessions_per_user,
        shared.settings.thread_sessions_per_user,
    );
    let busy_run = shared
        .active
        .lock()
        .ok()
        .and_then(|a| a.get(&key).map(|t| t.run_id));
    let busy = busy_run.is_some();
    let info = commands::lookup(&cmd.name);
    if busy && !info.is_some_and(|i| i.mid_run) {
        let text = format!(
            "⏳ Agent is running — `/{}` can't run mid-turn. Use /stop first, or wait for the reply.",
            cmd.name
        );
        shared.say(&m.source.chat(), &text).await;
        return;
    }
    let reply = match cmd.name.as_str() {
        "help" => commands::help_text(&skill_names(shared)),
        "new" => new_session(shared, m, &key, &cmd.args),
        "status" => status(shared, m, &key, busy_run),
        "stop" => stop(
            shared,
            &key,
            CancelReason::Stop,
            "⏹ Stopped the current task.",
            "Nothing is running.",
        ),
        "whoami" => whoami(shared, m),
        "sethome" => sethome(shared, m),
        "title" => title(shared, &key, &cmd.args),
        "resume" | "sessions" => resume(
            shared,
            m,
            &key,
            if cmd.name == "sessions" {
                ""
            } else {
                &cmd.args
            },
        ),
        "model" => model(shared, &key, &cmd.args),
        "usage" => usage(shared, &key),
        "retry" => return retry(shared, m, &key).await,
        "undo" => undo(shared, &key),
        "approve" => approve(shared, &key, &cmd.args),
        "deny" => {
            if shared.runner.resolve_approval(&key, ApprovalChoice::Deny) {
                "🚫 Denied. The command will not run.".into()
            } else {
                "Nothing is waiting for approval.".into()
            }
        }
        "background" => return background(shared, m, &key, &cmd.args).await,
        "queue" | "steer" => return queue(shared, m, &cmd.args, &cmd.name).await,
        "platforms" => platforms(shared),
        "compress" => compress(shared, &key).await,
        "insights" => insights(shared, &cmd.args),
        "cron" => super::cron_cmd::handle(shared, m, &cmd.args),
        other => format!("Unknown command /{other}. Type /help for the list."),
    };
    shared.say(&m.source.chat(), &reply).await;
}

/// Names of installed skills (folders with a SKILL.md).
fn skill_names(shared: &Shared) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![shared.paths.skills_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.join("SKILL.md").is_file() {
                names.push(e.file_name().to_string_lossy().into_owned());
            } else if p.is_dir() {
                stack.push(p);
            }
        }
    }
    names.sort();
    names
}

/// Cancels the running turn of `key`.
fn stop(shared: &Shared, key: &str, reason: CancelReason, done: &str, idle: &str) -> String {
    let mut active = shared
        .active
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match active.get_mut(key) {
        Some(t) => {
            t.reason = Some(reason);
            t.cancel.cancel();
            done.to_string()
        }
        None => idle.to_string(),
    }
}

fn new_session(shared: &Shared, m: &InboundMessage, key: &str, title: &str) -> String {
    let _ = stop(shared, key, CancelReason::Stop, "", "");
    shared.runner.end_session(key);
    let previous = shared.store.route(key).ok().flatten();
    let mut out = String::from("✨ New session started.");
    if let Some(prev) = &previous {
        let _ = shared.store.end_session(&prev.session_id, "new");
        let prev_title = shared
            .store
            .session(&prev.session_id)
            .ok()
            .flatten()
            .and_then(|s| s.title);
        // Upstream #4528: name the previous session so /resume can bring it back.
        match prev_title {
            Some(t) => {
                let _ = write!(
                    out,
                    "\nPrevious session: “{t}” ({}) — `/resume {}` brings it back.",
                    prev.session_id, prev.session_id
                );
            }
            None => {
                let _ = write!(
                    out,
                    "\nPrevious session: {} — `/resume {}` brings it back.",
                    prev.session_id, prev.session_id
                );
            }
        }
    }
    let session = match shared.store.create_session(&NewSession {
        source: m.source.platform.clone(),
        user_id: m.source.user_id.clone(),
        session_key: Some(key.to_string()),
        chat_id: Some(m.source.chat_id.clone()),
        chat_type: Some(m.source.chat_type.as_str().to_string()),
        thread_id: m.source.thread_id.clone(),
        display_name: m
            .source
            .chat_name
            .clone()
            .or_else(|| m.source.user_name.clone()),
        parent_id: previous.as_ref().map(|r| r.session_id.clone()),
        model: None,
    }) {
        Ok(s) => s,
        Err(e) => return format!("❌ Could not start a session: {e}"),
    };
    let mut route = Route::new(key, &session.id, shared.store.now());
    route.origin = Some(m.source.clone());
    route.platform = Some(m.source.platform.clone());
    route.chat_type = Some(m.source.chat_type.as_str().to_string());
    route.model_override = previous.and_then(|r| r.model_override);
    if let Err(e) = shared.store.set_route(&route) {
        return format!("❌ Could not start a session: {e}");
    }
    if !title.is_empty() {
        match shared.store.set_title(&session.id, Some(title)) {
            Ok(Some(t)) => {
                let _ = write!(out, "\nTitle: {t}");
            }
            Ok(None) => {}
            Err(e) => {
                let _ = write!(out, "\n(title not set: {e})");
            }
        }
    }
    out
}

fn status(shared: &Shared, m: &InboundMessage, key: &str, busy: Option<i64>) -> String {
    let route = shared.store.route(key).ok().flatten();
    let session = route
        .as_ref()
        .and_then(|r| shared.store.session(&r.session_id).ok().flatten());
    let model = route
        .as_ref()
        .and_then(|r| r.model_override.as_ref())
        .and_then(|v| v.get("model"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .or_else(|| session.as_ref().and_then(|s| s.model.clone()))
        .unwrap_or_else(|| shared.settings.model.default.clone());
    let mut s = String::from("📊 Session status\n");
    let _ = writeln!(s, "Profile: {}", shared.paths.profile());
    let _ = writeln!(
        s,
        "Model: {}{}",
        if model.is_empty() {
            "(not set)"
        } else {
            &model
        },
        if shared.settings.model.provider.is_empty() {
            String::new()
        } else {
            format!(" ({})", shared.settings.model.provider)
        }
    );
    match &session {
        Some(sess) => {
            let _ = writeln!(s, "Session: {}", sess.id);
            if let Some(t) = &sess.title {
                let _ = writeln!(s, "Title: {t}");
            }
            let _ = writeln!(
                s,
                "Tokens: {} in, {} out",
                sess.input_tokens, sess.output_tokens
            );
        }
        None => {
            let _ = writeln!(s, "Session: none yet (your next message starts one)");
        }
    }
    let _ = writeln!(
        s,
        "State: {}",
        busy.map_or_else(|| "idle".to_string(), |id| format!("working on run #{id}"))
    );
    let _ = write!(
        s,
        "Platform: {} ({})",
        m.source.platform,
        m.source.chat_type.as_str()
    );
    s
}

fn whoami(shared: &Shared, m: &InboundMessage) -> String {
    let who = m
        .source
        .user_name
        .clone()
        .unwrap_or_else(|| "unknown".into());
    let id = m.source.user_id.clone().unwrap_or_default();
    let env = shared.env();
    let input = auth::Inbound {
        platform: &m.source.platform,
        user_id: Some(&id),
        user_name: m.source.user_name.as_deref(),
        chat_type: auth::ChatType::Dm,
        chat_id: &m.source.chat_id,
        roles: &m.roles,
    };
    let grant = match auth::authorize(&input, &env, &shared.settings, &shared.pairing) {
        Ok(auth::Decision::Allow(g)) => format!("{g:?}"),
        _ => "none".into(),
    };
    format!(
        "👤 {who} ({id}) on {}\nAccess: {grant}\nCommands: all (type /help)",
        m.source.platform
    )
}

fn sethome(shared: &Shared, m: &InboundMessage) -> String {
    let var = format!("{}_HOME_CHANNEL", auth::env_prefix(&m.source.platform));
    let file = shared.paths.env_file();
    let result = EnvFile::load(&file).and_then(|mut env| {
        env.set(&var, &m.source.chat_id);
        env.save(&file)
    });
    if let Err(e) = result {
        return format!("❌ Could not save the home channel: {e}");
    }
    if let Ok(mut env) = shared.env.write() {
        std::sync::Arc::make_mut(&mut env).set(&var, &m.source.chat_id);
    }
    logs::info("gateway.run", format!("{var} set to {}", m.source.chat_id));
    let name = m
        .source
        .chat_name
        .clone()
        .or_else(|| m.source.user_name.clone())
        .unwrap_or_else(|| m.source.chat_id.clone());
    format!(
        "✅ Home channel set to **{name}** (ID: {}).\nCron jobs and cross-platform messages will be delivered here.",
        m.source.chat_id
    )
}

fn current_session(shared: &Shared, key: &str) -> Option<String> {
    shared.store.route(key).ok().flatten().map(|r| r.session_id)
}

fn title(shared: &Shared, key: &str, args: &str) -> String {
    let Some(id) = current_session(shared, key) else {
        return "No session yet — send a message first.".into();
    };
    if args.is_empty() {
        return match shared
            .store
            .session(&id)
            .ok()
            .flatten()
            .and_then(|s| s.title)
        {
            Some(t) => format!("Title: {t}"),
            None => "This session has no title. Set one with /title <name>.".into(),
        };
    }
    match shared.store.set_title(&id, Some(args)) {
        Ok(Some(t)) => format!("✅ Title set: {t}"),
        Ok(None) => "Title cleared.".into(),
        Err(e) => format!("❌ {e}"),
    }
}

fn resume(shared: &Shared, m: &InboundMessage, key: &str, args: &str) -> String {
    let recent = shared
        .store
        .list_sessions(&SessionQuery {
            platform: Some(m.source.platform.clone()),
            limit: 50,
            ..SessionQuery::default()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.session)
        .filter(|s| s.session_key.as_deref() == Some(key))
        .collect::<Vec<_>>();
    if args.is_empty() {
        if recent.is_empty() {
            return "No earlier sessions in this chat.".into();
        }
        let mut s = String::from("🗂 Recent sessions of this chat:\n");
        for sess in recent.iter().take(10) {
            let _ = writeln!(
                s,
                "• {} — {}",
                sess.id,
                sess.title.clone().unwrap_or_else(|| "(untitled)".into())
            );
        }
        s.push_str("\nResume one with /resume <id or title>.");
        return s;
    }
    let wanted = args.trim();
    let found = recent.iter().find(|s| {
        s.id == wanted
            || s.id.starts_with(wanted)
            || s.title
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(wanted))
    });
    let Some(target) = found else {
        return format!("No session “{wanted}” in this chat. /resume lists them.");
    };
    let mut route = shared
        .store
        .route(key)
        .ok()
        .flatten()
        .unwrap_or_else(|| Route::new(key, &target.id, shared.store.now()));
    route.session_id.clone_from(&target.id);
    route.updated_at = shared.store.now();
    match shared.store.set_route(&route) {
        Ok(()) => format!(
            "↩️ Resumed {}{}.",
            target.id,
            target
                .title
                .as_ref()
                .map(|t| format!(" “{t}”"))
                .unwrap_or_default()
        ),
        Err(e) => format!("❌ {e}"),
    }
}

fn model(shared: &Shared, key: &str, args: &str) -> String {
    let configured = shared.settings.model.default.clone();
    let mut route = shared.store.route(key).ok().flatten();
    let current = route
        .as_ref()
        .and_then(|r| r.model_override.as_ref())
        .and_then(|v| v.get("model"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let args = args.trim();
    if args.is_empty() {
        return format!(
            "🤖 Model: {}\nConfigured default: {}\nSwitch for this chat with /model <name>, or for everyone with /model <name> --global.",
            current.clone().unwrap_or_else(|| configured.clone()),
            if configured.is_empty() {
                "(not set)"
            } else {
                &configured
            }
        );
    }
    let global = args.ends_with("--global");
    let name = args.trim_end_matches("--global").trim();
    if global {
        return match crate::config::set_value(&shared.paths, "model", name) {
            Ok(_) => format!(
                "✅ Default model set to {name} in config.yaml (new sessions and after a restart)."
            ),
            Err(e) => format!("❌ {e}"),
        };
    }
    let Some(r) = route.as_mut() else {
        return "Send a message first, then switch the model for this chat.".into();
    };
    r.model_override = Some(serde_json::json!({ "model": name }));
    match shared.store.set_route(r) {
        Ok(()) => format!("✅ This chat now uses {name}."),
        Err(e) => format!("❌ {e}"),
    }
}

fn usage(shared: &Shared, key: &str) -> String {
    let Some(id) = current_session(shared, key) else {
        return "No session yet.".into();
    };
    match shared.store.session(&id).ok().flatten() {
        Some(s) => format!(
            "📈 Tokens this session: {} in, {} out ({} total)",
            s.input_tokens,
            s.output_tokens,
            s.input_tokens + s.output_tokens
        ),
        None => "No session yet.".into(),
    }
}

fn undo(shared: &Shared, key: &str) -> String {
    let Some(id) = current_session(shared, key) else {
        return "Nothing to undo.".into();
    };
    match shared.store.remove_last_exchange(&id) {
        Ok(0) => "Nothing to undo.".into(),
        Ok(_) => "↩️ Removed the last exchange.".into(),
        Err(e) => format!("❌ {e}"),
    }
}

async fn retry(shared: &Shared, m: &InboundMessage, key: &str) {
    let last_user = current_session(shared, key).and_then(|id| {
        let msgs = shared.store.messages(&id).ok()?;
        let text = msgs
            .iter()
            .rev()
            .find(|m| m.role == "user")
            .and_then(|m| m.content.clone())?;
        let _ = shared.store.remove_last_exchange(&id);
        Some(text)
    });
    let Some(text) = last_user else {
        shared.say(&m.source.chat(), "Nothing to retry.").await;
        return;
    };
    let mut again = m.clone();
    again.text = text;
    again.message_id = None;
    let (tx, _rx) = tokio::sync::oneshot::channel();
    super::inbound::enqueue(shared, again, tx).await;
}

fn approve(shared: &Shared, key: &str, args: &str) -> String {
    let choice = match args.trim() {
        "session" => ApprovalChoice::Session,
        "always" => ApprovalChoice::Always,
        _ => ApprovalChoice::Once,
    };
    if shared.runner.resolve_approval(key, choice) {
        "✅ Approved.".into()
    } else {
        "Nothing is waiting for approval.".into()
    }
}

async fn queue(shared: &Shared, m: &InboundMessage, args: &str, name: &str) {
    if args.trim().is_empty() {
        shared
            .say(&m.source.chat(), &format!("Usage: /{name} <prompt>"))
            .await;
        return;
    }
    let mut next = m.clone();
    next.text = args.to_string();
    let (tx, _rx) = tokio::sync::oneshot::channel();
    // Not an interruption: leave the running turn alone.
    let key = build_session_key(
        &m.source,
        shared.settings.group_sessions_per_user,
        shared.settings.thread_sessions_per_user,
    );
    if let Ok(mut a) = shared.active.lock()
        && let Some(t) = a.get_mut(&key)
    {
        t.acked_busy = true;
    }
    let was_busy = shared.active.lock().is_ok_and(|a| a.contains_key(&key));
    super::inbound::enqueue_without_interrupt(shared, next, tx).await;
    if was_busy {
        shared
            .say(&m.source.chat(), "⏳ Queued as the next turn.")
            .await;
    }
}

/// `/background <prompt>`: acknowledged at once with a task id, run in a session of its own
/// (no chat history) with the chat's model (its `/model` override, if any), and the result
/// posted to the chat; several can run at once.
async fn background(shared: &Shared, m: &InboundMessage, key: &str, prompt: &str) {
    let prompt = prompt.trim();
    let chat = m.source.chat();
    if prompt.is_empty() {
        shared.say(&chat, "Usage: /background <prompt>").await;
        return;
    }
    let now = jiff::Zoned::now();
    let mut rnd = [0u8; 3];
    let _ = getrandom::fill(&mut rnd);
    let task_id = format!(
        "bg_{}_{:02x}{:02x}{:02x}",
        now.strftime("%H%M%S"),
        rnd[0],
        rnd[1],
        rnd[2]
    );
    let preview: String = prompt.chars().take(40).collect();
    let ellipsis = if prompt.chars().count() > 40 {
        "…"
    } else {
        ""
    };
    shared
        .say(
            &chat,
            &format!("🔄 Background task started: \"{preview}{ellipsis}\"\nTask ID: {task_id}"),
        )
        .await;
    let session = shared.store.create_session(&NewSession {
        source: m.source.platform.clone(),
        user_id: m.source.user_id.clone(),
        session_key: Some(format!("background:{task_id}")),
        chat_id: Some(m.source.chat_id.clone()),
        chat_type: Some(m.source.chat_type.as_str().to_string()),
        display_name: Some(task_id.clone()),
        ..NewSession::default()
    });
    let session_id = match session {
        Ok(s) => s.id,
        Err(e) => {
            shared
                .say(&chat, &format!("❌ Background task failed\n\n{e}"))
                .await;
            return;
        }
    };
    let chat_model = shared
        .store
        .route(key)
        .ok()
        .flatten()
        .and_then(|r| r.model_override)
        .and_then(|v| {
            v.get("model")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        });
    let request = TurnRequest {
        session_id: session_id.clone(),
        session_key: format!("background:{task_id}"),
        source: m.source.clone(),
        input: prompt.to_string(),
        model: chat_model,
        ..TurnRequest::default()
    };
    let runner = shared.runner.clone();
    let store = shared.store.clone();
    let outbox = shared.outbox(&chat.platform);
    let cancel = shared.shutting_down.child_token();
    shared.workers.spawn(async move {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let _ = store.append_message(
            &session_id,
            &crate::store::NewMessage::user(request.input.clone()),
        );
        let result = runner.run(request, tx, cancel).await;
        let text = match result {
            Ok(r) => {
                let _ = store.append_message(
                    &session_id,
                    &crate::store::NewMessage::assistant(r.text.clone()),
                );
                let _ = store.add_tokens(&session_id, r.usage.input, r.usage.output);
                format!("✅ Background task complete\n\n{}", r.text)
            }
            Err(e) => format!("❌ Background task failed\n\n{e}"),
        };
        let _ = store.end_session(&session_id, "background");
        let delivered = match outbox {
            Some((outbox, caps)) => super::deliver_text(outbox.as_ref(), caps, &chat, &text, None)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => Err(format!("{} is not connected", chat.platform)),
        };
        if let Err(e) = delivered {
            // The transcript keeps the answer; say where it went missing.
            crate::logs::warn(
                "background",
                format!(
                    "task {task_id}: could not post the result to {}:{}: {e} (session {session_id})",
                    chat.platform, chat.chat_id
                ),
            );
        }
    });
}

fn platforms(shared: &Shared) -> String {
    let states = shared
        .platform_states
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    let mut names: Vec<&String> = shared.outboxes.keys().collect();
    names.sort();
    let mut s = String::from("🔌 Platforms\n");
    for n in names {
        let _ = writeln!(
            s,
            "• {n}: {}",
            states.get(n).map_or("starting", String::as_str)
        );
    }
    s.trim_end().to_string()
}

/// `/compress`: the older part of the conversation becomes a summary; the transcript moves to
/// a child session holding the compressed history (the full one stays in the store).
async fn compress(shared: &Shared, key: &str) -> String {
    let Some(route) = shared.store.route(key).ok().flatten() else {
        return "No session yet.".into();
    };
    let history: Vec<crate::gateway::turn::HistoryMessage> = shared
        .store
        .messages(&route.session_id)
        .unwrap_or_default()
        .into_iter()
        .map(|m| crate::gateway::turn::HistoryMessage {
            role: m.role,
            content: m.content.unwrap_or_default(),
            tool_calls: m.tool_calls.map(|v| v.to_string()),
            tool_call_id: m.tool_call_id,
            tool_name: m.tool_name,
        })
        .collect();
    let before = history.len();
    let model = route
        .model_override
        .as_ref()
        .and_then(|v| v.get("model"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let cancel = shared.shutting_down.child_token();
    let (compressed, usage) = match shared
        .runner
        .compress(history, model.as_deref(), &cancel)
        .await
    {
        Ok(v) => v,
        Err(e) => return format!("❌ {e}"),
    };
    if compressed.len() >= before {
        return "Nothing to compress yet — the conversation is still short.".into();
    }
    let old = shared.store.session(&route.session_id).ok().flatten();
    let session = match shared.store.create_session(&NewSession {
        source: old
            .as_ref()
            .map_or_else(|| "unknown".into(), |s| s.source.clone()),
        user_id: old.as_ref().and_then(|s| s.user_id.clone()),
        session_key: Some(key.to_string()),
        chat_id: old.as_ref().and_then(|s| s.chat_id.clone()),
        chat_type: old.as_ref().and_then(|s| s.chat_type.clone()),
        thread_id: old.as_ref().and_then(|s| s.thread_id.clone()),
        display_name: old.as_ref().and_then(|s| s.display_name.clone()),
        parent_id: Some(route.session_id.clone()),
        model: old.as_ref().and_then(|s| s.model.clone()),
    }) {
        Ok(s) => s,
        Err(e) => return format!("❌ {e}"),
    };
    for h in &compressed {
        let _ = shared.store.append_message(
            &session.id,
            &crate::store::NewMessage {
                role: h.role.clone(),
                content: Some(h.content.clone()),
                tool_calls: h
                    .tool_calls
                    .as_deref()
                    .and_then(|t| serde_json::from_str(t).ok()),
                tool_call_id: h.tool_call_id.clone(),
                tool_name: h.tool_name.clone(),
                ..crate::store::NewMessage::default()
            },
        );
    }
    let _ = shared
        .store
        .add_tokens(&session.id, usage.input, usage.output);
    let _ = shared.store.end_session(&route.session_id, "compressed");
    let mut moved = route.clone();
    moved.session_id.clone_from(&session.id);
    moved.updated_at = shared.store.now();
    if let Err(e) = shared.store.set_route(&moved) {
        return format!("❌ {e}");
    }
    format!(
        "🗜 Compressed the conversation: {before} messages → {}.",
        compressed.len()
    )
}

/// `/insights [days]`.
fn insights(shared: &Shared, args: &str) -> String {
    let days = args.trim().parse::<u32>().unwrap_or(7).clamp(1, 365);
    match crate::agent::usage::insights(shared.store.as_ref(), days, shared.store.now(), &shared.tz)
    {
        Ok(i) => {
            let mut s = format!(
                "📊 Last {days} day(s): {} session(s), {} in / {} out tokens\n",
                i.sessions, i.input, i.output
            );
            for d in &i.days {
                let _ = writeln!(
                    s,
                    "• {}: {} session(s), {} in / {} out",
                    d.date, d.sessions, d.input, d.output
                );
            }
            s.trim_end().to_string()
        }
        Err(e) => format!("❌ {e}"),
    }
}
