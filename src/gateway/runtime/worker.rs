//! The dispatcher and the turn worker: claim a due run, find or rotate its session (reset
//! policy), run the agent with typing and tool progress, store the reply before delivering it,
//! and mark the run sent — or queue it for retry when the provider is unreachable.

use jiff::Timestamp;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::deliver::{Reply, deliver_reply};
use super::stream::{Preview, StreamConfig};
use super::{Active, CancelReason, Shared, deliver_text};
use crate::backoff;
use crate::gateway::reset::should_reset;
use crate::gateway::turn::{HistoryMessage, TurnError, TurnEvent, TurnRequest};
use crate::logs;
use crate::platforms::{ChatRef, SessionSource};
use crate::store::{
    BegunTurn, FinishedTurn, NewMessage, NewSession, Route, RouteStore, Run, RunStore, SessionStore,
};
use std::time::Duration;

/// Claims due runs and starts a worker for each, until shutdown. A wake names the sessions
/// that changed, and only they are looked at (an index lookup each); every `poll` interval,
/// and at start, one statement claims the due runs of all idle sessions (retry times that
/// came, runs the CLI approved or re-queued).
pub(crate) async fn dispatch_loop(shared: Arc<Shared>) {
    let mut next_scan = tokio::time::Instant::now();
    loop {
        if shared.shutting_down.is_cancelled() {
            return;
        }
        // On a schedule of its own: a busy gateway is woken all the time, and the full scan
        // must still come.
        let scan_all = tokio::time::Instant::now() >= next_scan;
        if scan_all {
            next_scan = tokio::time::Instant::now() + shared.options.poll;
        }
        let mut keys = shared
            .wake_keys
            .lock()
            .map(|mut k| std::mem::take(&mut *k))
            .unwrap_or_default();
        let ready = shared
            .ready
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        for run in ready {
            let s = shared.clone();
            shared
                .workers
                .spawn(async move { work(s, run, None).await });
        }
        if scan_all {
            match shared.store.claim_due() {
                Ok(runs) => {
                    for run in runs {
                        let s = shared.clone();
                        shared
                            .workers
                            .spawn(async move { work(s, run, None).await });
                    }
                }
                Err(e) => logs::error("gateway.run", format!("cannot claim a run: {e}")),
            }
        } else {
            keys.sort_unstable();
            keys.dedup();
            // Each claim joins the next group commit; the worker starts when it is claimed.
            for key in keys {
                let s = shared.clone();
                shared.workers.spawn(async move {
                    match s.store.claim_for_grouped(key).await {
                        Ok(Some(run)) => work(s, run, None).await,
                        Ok(None) => {}
                        Err(e) => logs::error("gateway.run", format!("cannot claim a run: {e}")),
                    }
                });
            }
        }
        tokio::select! {
            () = shared.wake.notified() => {}
            () = tokio::time::sleep_until(next_scan) => {}
            () = shared.shutting_down.cancelled() => return,
        }
    }
}

/// The chat a run answers in.
fn chat_of(run: &Run) -> ChatRef {
    ChatRef {
        platform: run.platform.clone(),
        chat_id: run.chat_id.clone(),
        thread_id: run.thread_id.clone(),
    }
}

/// A session's reset policy as a test of its route: whether the routed session goes on.
pub(crate) fn keep_session(
    shared: &Shared,
    source: &SessionSource,
) -> impl FnOnce(&Route) -> bool + Send + 'static {
    let policy = shared
        .resets
        .policy_for(&source.platform, source.chat_type)
        .clone();
    let (now, tz) = (shared.store.now(), shared.tz.clone());
    move |r: &Route| should_reset(&policy, r.updated_at, now, &tz).is_none()
}

/// Processes one claimed run to the end, then the session's next due run, if any, until the
/// session is idle; `begun` is the start of the first turn when the insert already made it
/// (a message for an idle session).
pub(crate) async fn work(shared: Arc<Shared>, run: Run, begun: Option<BegunTurn>) {
    let key = run.session_key.clone();
    let (mut run, mut begun) = (run, begun);
    loop {
        let delivered = work_one(&shared, run, begun).await;
        if shared.shutting_down.is_cancelled() {
            if let Some(id) = delivered
                && let Err(e) = shared.store.mark_sent_grouped(id).await
            {
                logs::warn("gateway.run", format!("run #{id}: {e}"));
            }
            return;
        }
        // The session's next message, claimed here (no hand-over to the dispatcher), in the
        // same change that marks the delivered run sent: one commit instead of two.
        let claimed = match delivered {
            Some(id) => {
                let (sent, claimed) = shared
                    .store
                    .mark_sent_and_claim_grouped(id, key.clone())
                    .await;
                if let Err(e) = sent {
                    logs::warn("gateway.run", format!("run #{id}: {e}"));
                }
                claimed
            }
            None => shared.store.claim_for_grouped(key.clone()).await,
        };
        match claimed {
            Ok(Some(next)) => (run, begun) = (next, None),
            Ok(None) => return,
            Err(e) => {
                logs::warn("gateway.run", format!("cannot claim the next run: {e}"));
                shared.wake_session(&key);
                return;
            }
        }
    }
}

/// Processes one claimed run to the end. Returns the run's id when its reply was delivered
/// and the run is still to be marked sent (the caller does that with its next claim).
async fn work_one(shared: &Arc<Shared>, run: Run, begun: Option<BegunTurn>) -> Option<i64> {
    let shared = Arc::clone(shared);
    let chat = chat_of(&run);
    // A reply stored before a crash or restart is delivered, never produced again.
    if let Some(reply) = run.reply.clone() {
        return deliver(&shared, &run, &chat, &reply, None)
            .await
            .then_some(run.id);
    }
    let mut text = run.text.clone();
    let mut covers_up_to = run.id;
    // In `interrupt` mode, messages sent while a turn was interrupted are answered by one
    // follow-up; in `queue` mode each queued message is its own turn, in order.
    let merge = super::inbound::busy_mode(&shared, &run.platform) != "queue";
    let absorbed = if merge {
        shared.store.absorb_queued(run.id, &run.session_key)
    } else {
        Ok(Vec::new())
    };
    match absorbed {
        Ok(merged) if !merged.is_empty() => {
            covers_up_to = merged
                .iter()
                .map(|r| r.id)
                .max()
                .unwrap_or(run.id)
                .max(run.id);
            for m in &merged {
                text.push_str("\n\n");
                text.push_str(&m.text);
            }
            logs::info(
                "gateway.run",
                format!(
                    "run #{}: merged {} follow-up message(s)",
                    run.id,
                    merged.len()
                ),
            );
        }
        Ok(_) => {}
        Err(e) => logs::warn("gateway.run", format!("cannot merge queued runs: {e}")),
    }
    let source = run.origin.clone().unwrap_or_else(|| SessionSource {
        platform: run.platform.clone(),
        chat_id: run.chat_id.clone(),
        user_id: run.user_id.clone(),
        thread_id: run.thread_id.clone(),
        ..SessionSource::default()
    });
    // Usually one round trip: the route, the session going on, its history, and the
    // turn's message appended. A new or reset session takes the longer way.
    let user = (run.attempts <= 1).then(|| NewMessage {
        platform_message_id: run.message_id.clone(),
        ..NewMessage::user(text.clone())
    });
    let begun = match begun {
        Some(b) => {
            // The insert stored the run's own message; follow-ups merged since come after it.
            if covers_up_to != run.id
                && let Some(route) = b.route.as_ref().filter(|_| b.history.is_some())
            {
                let follow_ups = text[run.text.len()..].trim_start().to_string();
                if let Err(e) = shared
                    .store
                    .append_message_grouped(route.session_id.clone(), NewMessage::user(follow_ups))
                    .await
                {
                    logs::warn("gateway.run", format!("run #{}: {e}", run.id));
                }
            }
            Ok(b)
        }
        None => {
            shared
                .store
                .begin_turn_grouped(
                    run.session_key.clone(),
                    keep_session(&shared, &source),
                    user.clone(),
                )
                .await
        }
    };
    let started = match begun {
        Ok(BegunTurn {
            route: Some(route),
            history: Some(history),
        }) => Ok((
            route.session_id.clone(),
            Some(route),
            ResetNote::default(),
            history,
        )),
        Ok(BegunTurn { route, .. }) => {
            start_session(&shared, &run.session_key, &source, route, user).await
        }
        Err(e) => Err(e.to_string()),
    };
    let (session_id, route, note, history) = match started {
        Ok(v) => v,
        Err(e) => {
            logs::error(
                "gateway.run",
                format!("run #{}: session store failed: {e}", run.id),
            );
            let _ = shared
                .store
                .mark_retry(run.id, later(&shared, run.attempts), &e);
            return None;
        }
    };
    if let Some(notice) = &note.notice {
        shared.say(&chat, notice).await;
    }
    let history: Vec<HistoryMessage> = history
        .into_iter()
        .map(|m| HistoryMessage {
            role: m.role,
            content: m.content.unwrap_or_default(),
            tool_calls: m.tool_calls.map(|v| v.to_string()),
            tool_call_id: m.tool_call_id,
            tool_name: m.tool_name,
        })
        .collect();
    let model = route
        .as_ref()
        .and_then(|r| r.model_override.as_ref())
        .and_then(|v| v.get("model"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let steer = crate::gateway::turn::Steer::default();
    let request = TurnRequest {
        session_id: session_id.clone(),
        session_key: run.session_key.clone(),
        source,
        history,
        input: text,
        model,
        context_note: note.for_agent,
        steer: steer.clone(),
        ..TurnRequest::default()
    };
    let cancel = CancellationToken::new();
    if let Ok(mut active) = shared.active.lock() {
        active.insert(
            run.session_key.clone(),
            Active {
                run_id: run.id,
                covers_up_to,
                chat: chat.clone(),
                cancel: cancel.clone(),
                reason: None,
                acked_busy: false,
                steer: steer.clone(),
            },
        );
    }
    shared.publish_counts();
    let (tx, rx) = mpsc::unbounded_channel();
    let quote = run
        .message_id
        .clone()
        .filter(|_| reply_to_mode(&shared, &chat.platform) != "off");
    // The turn and its side effects (typing, progress, streaming, approval prompts) run
    // side by side in this task: no task of their own to schedule on every turn.
    let (result, preview) = tokio::join!(
        async {
            let result = shared.runner.run(request, tx, cancel.clone()).await;
            cancel.cancel();
            result
        },
        side_effects(shared.clone(), chat.clone(), quote, rx, cancel.clone()),
    );
    let reason = shared
        .active
        .lock()
        .ok()
        .and_then(|mut a| a.remove(&run.session_key))
        .and_then(|t| t.reason);
    // Steering the turn ended before taking becomes the next turn.
    let leftover = steer.take();
    if !leftover.is_empty() {
        let new = crate::store::NewRun {
            session_key: run.session_key.clone(),
            platform: run.platform.clone(),
            chat_id: run.chat_id.clone(),
            thread_id: run.thread_id.clone(),
            user_id: run.user_id.clone(),
            origin: run.origin.clone(),
            text: leftover.join("\n\n"),
            ..crate::store::NewRun::default()
        };
        if let Err(e) = shared.store.insert_queued(&new) {
            logs::error(
                "gateway.run",
                format!("run #{}: cannot queue the steering left over: {e}", run.id),
            );
        }
    }
    shared.publish_counts();
    match result {
        Ok(r) => {
            // Transcript, counters, route activity and the reply: one transaction.
            let done = FinishedTurn {
                run_id: run.id,
                session_id: session_id.clone(),
                session_key: run.session_key.clone(),
                messages: r
                    .messages
                    .iter()
                    .map(|m| NewMessage {
                        role: m.role.clone(),
                        content: Some(m.content.clone()),
                        tool_calls: m
                            .tool_calls
                            .as_deref()
                            .and_then(|t| serde_json::from_str(t).ok()),
                        tool_call_id: m.tool_call_id.clone(),
                        tool_name: m.tool_name.clone(),
                        finish_reason: (m.role == "assistant" && m.tool_calls.is_none())
                            .then(|| r.finish_reason.clone()),
                        ..NewMessage::default()
                    })
                    .collect(),
                input_tokens: r.usage.input,
                output_tokens: r.usage.output,
                model: Some(r.model.clone()).filter(|m| !m.is_empty()),
                reply: r.text.clone(),
            };
            if let Err(e) = shared.store.finish_turn_grouped(done).await {
                logs::error(
                    "gateway.run",
                    format!("run #{}: cannot store the reply: {e}", run.id),
                );
            }
            let delivered = deliver(&shared, &run, &chat, &r.text, preview).await;
            shared.publish_counts();
            return delivered.then_some(run.id);
        }
        Err(TurnError::Cancelled) => match reason {
            Some(CancelReason::Shutdown) | None => {
                // Left `running`: the next start re-queues it (at-least-once).
                logs::info(
                    "gateway.run",
                    format!(
                        "run #{} interrupted by shutdown; it resumes on the next start",
                        run.id
                    ),
                );
            }
            Some(CancelReason::Interrupt) => {
                let _ = shared
                    .store
                    .mark_error(run.id, "interrupted by a newer message");
            }
            Some(CancelReason::Stop) => {
                let _ = shared.store.mark_error(run.id, "stopped by the user");
            }
        },
        Err(TurnError::Unavailable { message }) => {
            if run.attempts <= 1 {
                shared
                    .say(&chat, &format!("⏳ {message}\nYour message is queued; I'll answer as soon as the model is reachable again."))
                    .await;
            }
            let at = later(&shared, run.attempts);
            logs::warn(
                "gateway.run",
                format!("run #{}: {message}; retry at {at}", run.id),
            );
            let _ = shared.store.mark_retry(run.id, at, &message);
        }
        Err(e @ (TurnError::Config { .. } | TurnError::Failed { .. })) => {
            let message = e.to_string();
            logs::error("gateway.run", format!("run #{} failed: {message}", run.id));
            shared.say(&chat, &format!("❌ {message}")).await;
            let _ = shared.store.mark_error(run.id, &message);
        }
    }
    shared.publish_counts();
    None
}

/// When a retry is due.
fn later(shared: &Shared, attempts: u32) -> Timestamp {
    let d = backoff::delay(
        attempts.saturating_sub(1),
        shared.options.retry_base,
        shared.options.retry_max,
    );
    let now = shared.store.now();
    now.checked_add(jiff::SignedDuration::try_from(d).unwrap_or_default())
        .unwrap_or(now)
}

/// Delivers the stored reply; true when it went out (or there was nothing to send) and the
/// run is to be marked sent. A failed delivery leaves the run in `error` with the reply
/// kept, so `hermes runs retry` delivers it again without re-running the agent. A streamed
/// preview of the reply becomes its first message.
async fn deliver(
    shared: &Shared,
    run: &Run,
    chat: &ChatRef,
    reply: &str,
    preview: Option<Preview>,
) -> bool {
    let silent = matches!(
        reply.trim(),
        "[SILENT]" | "SILENT" | "NO_REPLY" | "NO REPLY"
    );
    if !silent && !reply.trim().is_empty() {
        let Some((outbox, caps)) = shared.outbox(&chat.platform) else {
            let _ = shared.store.mark_error(
                run.id,
                &format!("platform {} is not running", chat.platform),
            );
            return false;
        };
        let mode = reply_to_mode(shared, &chat.platform);
        let reply = Reply {
            text: reply,
            quote: if mode == "off" {
                None
            } else {
                run.message_id.as_deref()
            },
            quote_every_chunk: mode == "all",
            replaces: preview.as_ref().and_then(|p| p.id.as_deref()),
        };
        if let Err(e) = deliver_reply(outbox.as_ref(), caps, chat, &reply).await {
            logs::error(
                &format!("gateway.{}", chat.platform),
                format!("run #{}: delivery failed: {e}", run.id),
            );
            let _ = shared
                .store
                .mark_error(run.id, &format!("delivery failed: {e}"));
            return false;
        }
    } else if let (Some(id), Some((outbox, _))) = (
        preview.as_ref().and_then(|p| p.id.as_deref()),
        shared.outbox(&chat.platform),
    ) {
        // A streamed preview of a reply that turned out silent: leave no cursor behind.
        let _ = outbox.edit(chat, id, "…").await;
    }
    true
}

fn reply_to_mode(shared: &Shared, platform: &str) -> String {
    let var = format!("{}_REPLY_TO_MODE", crate::auth::env_prefix(platform));
    shared.env().get(&var).map_or_else(
        || {
            shared
                .settings
                .platforms
                .get(platform)
                .and_then(|p| p.get("reply_to_mode"))
                .and_then(serde_yaml_ng::Value::as_str)
                .unwrap_or("first")
                .to_string()
        },
        str::to_string,
    )
}

/// What the reset check decided.
#[derive(Default)]
struct ResetNote {
    /// Shown to the user once.
    notice: Option<String>,
    /// Told to the agent.
    for_agent: Option<String>,
}

/// The longer way into a turn: [`ensure_session`], then the session's history and the
/// turn's own message appended after it.
async fn start_session(
    shared: &Shared,
    key: &str,
    source: &SessionSource,
    route: Option<Route>,
    user: Option<NewMessage>,
) -> Result<(String, Option<Route>, ResetNote, Vec<crate::store::Message>), String> {
    let (session_id, route, note) = ensure_session(shared, key, source, route)?;
    let history = shared
        .store
        .messages_grouped(session_id.clone())
        .await
        .map_err(|e| e.to_string())?;
    if let Some(user) = user {
        shared
            .store
            .append_message_grouped(session_id.clone(), user)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok((session_id, route, note, history))
}

/// The session of a key given its `route` (as just read): the routed one, or a new one
/// (first message, or the reset policy expired the old one).
fn ensure_session(
    shared: &Shared,
    key: &str,
    source: &SessionSource,
    route: Option<Route>,
) -> Result<(String, Option<Route>, ResetNote), String> {
    let now = shared.store.now();
    let mut note = ResetNote::default();
    if let Some(r) = &route {
        let policy = shared.resets.policy_for(&source.platform, source.chat_type);
        match should_reset(policy, r.updated_at, now, &shared.tz) {
            None => return Ok((r.session_id.clone(), route.clone(), note)),
            Some(reason) => {
                let _ = shared.store.end_session(&r.session_id, reason.as_str());
                if policy.notify
                    && !policy
                        .notify_exclude_platforms
                        .iter()
                        .any(|p| p == &source.platform)
                {
                    note.notice = Some(format!(
                        "◐ Session automatically reset (previous session was {}). Conversation history cleared. Use /resume to browse and restore a previous session. Adjust reset timing in config.yaml under session_reset.",
                        reason.as_str()
                    ));
                }
                note.for_agent = Some(format!(
                    "The previous conversation with this user ended ({}); this is a fresh session.",
                    reason.as_str()
                ));
            }
        }
    }
    let session = shared
        .store
        .create_session(&NewSession {
            source: source.platform.clone(),
            user_id: source.user_id.clone(),
            session_key: Some(key.to_string()),
            chat_id: Some(source.chat_id.clone()),
            chat_type: Some(source.chat_type.as_str().to_string()),
            thread_id: source.thread_id.clone(),
            display_name: source
                .chat_name
                .clone()
                .or_else(|| source.user_name.clone()),
            parent_id: route.as_ref().map(|r| r.session_id.clone()),
            model: None,
        })
        .map_err(|e| e.to_string())?;
    let mut new_route = Route::new(key, &session.id, now);
    new_route.origin = Some(source.clone());
    new_route.platform = Some(source.platform.clone());
    new_route.chat_type = Some(source.chat_type.as_str().to_string());
    new_route.display_name.clone_from(&source.chat_name);
    new_route.was_auto_reset = note.notice.is_some();
    new_route.model_override = route.as_ref().and_then(|r| r.model_override.clone());
    shared
        .store
        .set_route(&new_route)
        .map_err(|e| e.to_string())?;
    Ok((session.id, Some(new_route), note))
}

/// While a turn runs: typing indicator refreshes, tool progress lines, and the reply streamed
/// by edits where the platform can edit and `streaming.enabled` is set. Returns the streamed
/// preview of the reply's last segment, which the final delivery replaces.
async fn side_effects(
    shared: Arc<Shared>,
    chat: ChatRef,
    quote: Option<String>,
    mut rx: mpsc::UnboundedReceiver<TurnEvent>,
    done: CancellationToken,
) -> Option<Preview> {
    let (outbox, caps) = shared.outbox(&chat.platform)?;
    let mode = tool_progress_mode(&shared, &chat.platform);
    let separate = shared.settings.display.tool_progress_grouping == "separate";
    let typing_on = caps.typing && typing_indicator(&shared, &chat.platform);
    let stream = if caps.edits {
        StreamConfig::from_settings(&shared.settings)
    } else {
        StreamConfig::default()
    };
    let mut preview = Preview::new(quote.clone());
    let mut posted_any = false;
    let mut progress: Vec<String> = Vec::new();
    let mut bubble: Option<String> = None;
    let mut last_tool = String::new();
    let mut typing = tokio::time::interval(shared.options.typing_every);
    // Streamed text waiting for its edit is flushed when the interval has passed.
    let mut flush_tick = tokio::time::interval(stream.edit_interval.max(Duration::from_millis(50)));
    flush_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = done.cancelled() => break,
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                match ev {
                    TurnEvent::TextDelta(delta) if stream.enabled => {
                        preview.push(&delta);
                        preview.flush(outbox.as_ref(), &chat, &stream, caps.max_message_length, false).await;
                    }
                    TurnEvent::ToolStarted { name, emoji, label, .. } => {
                        // The text before a tool call is a finished message of its own.
                        if stream.enabled && !preview.is_empty() {
                            preview.flush(outbox.as_ref(), &chat, &stream, caps.max_message_length, true).await;
                        }
                        if stream.enabled {
                            // Only the reply's first message quotes the user.
                            posted_any |= !preview.is_empty();
                            let quoted = if posted_any { None } else { quote.clone() };
                            preview = Preview::new(quoted);
                        }
                        if mode == "off" || (mode == "new" && name == last_tool) {
                            continue;
                        }
                        last_tool = name;
                        let line = format!("{emoji} {label}...");
                        progress.push(line.clone());
                        match (&bubble, caps.edits && !separate) {
                            (Some(id), true) => {
                                let _ = outbox.edit(&chat, id, &progress.join("\n")).await;
                            }
                            _ => {
                                if let Ok(Some(id)) = deliver_text(outbox.as_ref(), caps, &chat, &line, None).await {
                                    bubble = Some(id);
                                }
                            }
                        }
                    }
                    TurnEvent::ApprovalRequested { command, reason, .. } => {
                        let text = format!("⚠️ Dangerous command needs approval:\n`{command}`\n{reason}\n\nReply /approve (once), /approve session, /approve always, or /deny.");
                        let _ = deliver_text(outbox.as_ref(), caps, &chat, &text, None).await;
                    }
                    _ => {}
                }
            }
            _ = typing.tick(), if typing_on => {
                let _ = outbox.typing(&chat).await;
            }
            _ = flush_tick.tick(), if stream.enabled => {
                preview.flush(outbox.as_ref(), &chat, &stream, caps.max_message_length, false).await;
            }
        }
    }
    (!preview.is_empty()).then_some(preview)
}

/// `gateway.platforms.<p>.typing_indicator` (or `platforms.<p>.typing_indicator`); on unless
/// set to false.
fn typing_indicator(shared: &Shared, platform: &str) -> bool {
    [
        shared.settings.gateway.platforms.get(platform),
        shared.settings.platforms.get(platform),
    ]
    .into_iter()
    .flatten()
    .find_map(|p| {
        p.get("typing_indicator")
            .and_then(serde_yaml_ng::Value::as_bool)
    })
    .unwrap_or(true)
}

/// `display.platforms.<p>.tool_progress`, else `display.tool_progress`.
fn tool_progress_mode(shared: &Shared, platform: &str) -> String {
    shared
        .settings
        .display
        .platforms
        .get(platform)
        .and_then(|v| v.get("tool_progress"))
        .and_then(serde_yaml_ng::Value::as_str)
        .map_or_else(
            || shared.settings.display.tool_progress.clone(),
            str::to_string,
        )
}
