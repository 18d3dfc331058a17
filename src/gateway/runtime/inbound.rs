//! One inbound message: authorization (pairing for strangers), slash commands, then the
//! durable run — stored before the platform may acknowledge its cursor — and the busy modes.

use super::{CancelReason, Shared, slash};
use crate::auth::{self, CodeOutcome, Decision};
use crate::gateway::commands;
use crate::gateway::session_key::build_session_key;
use crate::logs;
use crate::platforms::{ChatType, Inbound, InboundMessage};
use crate::store::{BegunTurn, NewMessage, NewRun, RunState, RunStore};

/// Handles one message from an adapter.
pub(crate) async fn handle(shared: &Shared, inbound: Inbound) {
    let Inbound {
        message: m,
        accepted,
    } = inbound;
    let platform = m.source.platform.clone();
    let target = format!("gateway.{platform}");
    // Channel posts and anonymous admins have no sender: nothing to authorize, dropped.
    let Some(user_id) = m.source.user_id.clone().filter(|u| !u.is_empty()) else {
        let _ = accepted.send(());
        return;
    };
    let env = shared.env();
    let chat_type = match m.source.chat_type {
        ChatType::Dm => auth::ChatType::Dm,
        ChatType::Group => auth::ChatType::Group,
        ChatType::Channel => auth::ChatType::Channel,
        ChatType::Thread => auth::ChatType::Thread,
    };
    let input = auth::Inbound {
        platform: &platform,
        user_id: Some(&user_id),
        user_name: m.source.user_name.as_deref(),
        chat_type,
        chat_id: &m.source.chat_id,
        roles: &m.roles,
    };
    let decision = match auth::authorize(&input, &env, &shared.settings, &shared.pairing) {
        Ok(d) => d,
        Err(e) => {
            logs::error(
                &target,
                format!("authorization failed, message dropped: {e}"),
            );
            let _ = accepted.send(());
            return;
        }
    };
    match decision {
        Decision::Allow(_) => {}
        Decision::Ignore { reason } => {
            logs::info(&target, format!("Ignoring message: {reason}"));
            let _ = accepted.send(());
            return;
        }
        Decision::Pair => {
            let _ = accepted.send(());
            offer_pairing(shared, &m, &user_id).await;
            return;
        }
    }
    let mut m = m;
    if let Some(cmd) = commands::parse(&m.text) {
        if commands::lookup(&cmd.name).is_some() {
            let _ = accepted.send(());
            slash::handle(shared, &m, &cmd).await;
            return;
        }
        // An unknown `/name` that names an installed skill runs the skill.
        if let Some(prompt) = crate::agent::skill_prompt(&shared.paths, &cmd.name, cmd.args.trim())
        {
            logs::info(&target, format!("skill /{} invoked", cmd.name));
            m.text = prompt;
        }
    }
    enqueue(shared, m, accepted).await;
}

/// Sends a pairing code to an unknown DM user (or the "too many" notice once).
async fn offer_pairing(shared: &Shared, m: &InboundMessage, user_id: &str) {
    let platform = &m.source.platform;
    let target = format!("gateway.{platform}");
    let who = m.source.user_name.clone().unwrap_or_default();
    match shared
        .pairing
        .request_code(platform, user_id, &who, auth::now())
    {
        Ok(CodeOutcome::Issued { code, request_id }) => {
            logs::info(
                &target,
                format!(
                    "Unauthorized user {user_id} ({who}) on {platform}: pairing request {request_id} issued"
                ),
            );
            shared
                .say(
                    &m.source.chat(),
                    &auth::pairing_message(platform, code.as_str()),
                )
                .await;
        }
        Ok(CodeOutcome::RateLimited) => {
            logs::info(
                &target,
                format!("Unauthorized user {user_id} ({who}) on {platform}: rate-limited, ignored"),
            );
        }
        Ok(other) => {
            logs::warn(
                &target,
                format!(
                    "Unauthorized user {user_id} ({who}) on {platform}: no code issued ({other:?})"
                ),
            );
            shared.say(&m.source.chat(), auth::TOO_MANY_REQUESTS).await;
        }
        Err(e) => logs::error(&target, format!("pairing store failed: {e}")),
    }
}

/// Whether the platform (or this chat) requires an operator to review messages first:
/// `platforms.<p>.review: true`, or the chat id listed in `platforms.<p>.review_chats`.
fn review_required(shared: &Shared, m: &InboundMessage) -> bool {
    let Some(p) = shared.settings.platforms.get(&m.source.platform) else {
        return false;
    };
    if p.get("review").and_then(serde_yaml_ng::Value::as_bool) == Some(true) {
        return true;
    }
    p.get("review_chats")
        .and_then(serde_yaml_ng::Value::as_sequence)
        .is_some_and(|chats| {
            chats.iter().any(|c| {
                c.as_str()
                    .map(str::to_string)
                    .or_else(|| c.as_i64().map(|i| i.to_string()))
                    .as_deref()
                    == Some(m.source.chat_id.as_str())
            })
        })
}

/// The busy input mode for a platform: `display.platforms.<p>.busy_input_mode`, else the global.
pub(crate) fn busy_mode(shared: &Shared, platform: &str) -> String {
    shared
        .settings
        .display
        .platforms
        .get(platform)
        .and_then(|v| v.get("busy_input_mode"))
        .and_then(serde_yaml_ng::Value::as_str)
        .map_or_else(
            || shared.settings.display.busy_input_mode.clone(),
            str::to_string,
        )
}

/// Stores the message as a queued run, acknowledges it, and wakes the dispatcher; a running
/// turn of the same session is handled per the busy input mode.
pub(crate) async fn enqueue(
    shared: &Shared,
    m: InboundMessage,
    accepted: tokio::sync::oneshot::Sender<()>,
) {
    store_run(shared, m, accepted, true).await;
}

/// Like [`enqueue`], but never interrupts a running turn (`/queue`).
pub(crate) async fn enqueue_without_interrupt(
    shared: &Shared,
    m: InboundMessage,
    accepted: tokio::sync::oneshot::Sender<()>,
) {
    store_run(shared, m, accepted, false).await;
}

async fn store_run(
    shared: &Shared,
    m: InboundMessage,
    accepted: tokio::sync::oneshot::Sender<()>,
    busy_rules: bool,
) {
    let key = build_session_key(
        &m.source,
        shared.settings.group_sessions_per_user,
        shared.settings.thread_sessions_per_user,
    );
    let new = NewRun {
        session_key: key.clone(),
        platform: m.source.platform.clone(),
        chat_id: m.source.chat_id.clone(),
        thread_id: m.source.thread_id.clone(),
        user_id: m.source.user_id.clone(),
        message_id: m.message_id.clone(),
        origin: Some(m.source.clone()),
        text: m.text.clone(),
        held_for_review: review_required(shared, &m)
            .then(|| "review required by platforms config".to_string()),
    };
    // A message for an idle session is stored already claimed: one write, and its turn
    // starts at once. The write is queued now, in arrival order, and committed with the
    // next group; the rest happens once it is, while this handler takes the next message.
    // For an idle session the same change starts the turn: route, reset check, history and
    // the user's message.
    let user = NewMessage {
        platform_message_id: m.message_id.clone(),
        ..NewMessage::user(m.text.clone())
    };
    let stored = shared.store.queue_insert_and_begin(
        new.clone(),
        super::worker::keep_session(shared, &m.source),
        user,
    );
    match shared.me() {
        Some(me) => {
            shared.workers.spawn(async move {
                if let Some((run, begun)) =
                    after_insert(&me, m, accepted, busy_rules, key, new, stored.await).await
                {
                    // Its turn runs right here: no hand-over to the dispatcher.
                    super::worker::work(me, run, begun).await;
                }
            });
        }
        None => {
            if let Some((run, _)) =
                after_insert(shared, m, accepted, busy_rules, key, new, stored.await).await
            {
                shared.start_claimed(run);
            }
        }
    }
}

/// What follows the insert of an inbound run: the platform's acknowledgement, duplicates,
/// review holds, and the busy-input rules. A run stored claimed (its session was idle) is
/// returned, with its turn's start when the insert made it, for the caller to work on.
async fn after_insert(
    shared: &Shared,
    m: InboundMessage,
    accepted: tokio::sync::oneshot::Sender<()>,
    busy_rules: bool,
    key: String,
    new: NewRun,
    stored: Result<(crate::store::Enqueued, Option<BegunTurn>), crate::store::StoreError>,
) -> Option<(crate::store::Run, Option<BegunTurn>)> {
    let (enqueued, begun) = match stored {
        Ok(e) => e,
        Err(e) => {
            // Not acknowledged: the platform will deliver it again.
            logs::error(
                "gateway.run",
                format!("cannot store an inbound message: {e}"),
            );
            drop(accepted);
            return None;
        }
    };
    let _ = accepted.send(());
    if !enqueued.inserted {
        logs::info(
            "gateway.run",
            format!(
                "duplicate message {} ignored (run #{})",
                m.message_id.unwrap_or_default(),
                enqueued.run.id
            ),
        );
        return None;
    }
    if enqueued.run.state == RunState::Running {
        offer_home_channel(shared, &m).await;
        shared.publish_counts();
        return Some((enqueued.run, begun));
    }
    if new.held_for_review.is_some() {
        shared
            .say(
                &m.source.chat(),
                "🕒 Your message is waiting for the owner's review.",
            )
            .await;
        logs::info(
            "gateway.run",
            format!(
                "run #{} awaits review (`hermes runs approve {}`)",
                enqueued.run.id, enqueued.run.id
            ),
        );
        return None;
    }
    let ack = if busy_rules {
        let mut active = shared
            .active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match active.get_mut(&key) {
            Some(turn) if turn.covers_up_to >= enqueued.run.id => None,
            Some(turn) => {
                let mode = busy_mode(shared, &m.source.platform);
                let first = !turn.acked_busy;
                turn.acked_busy = true;
                let text = match mode.as_str() {
                    "queue" => "⏳ Queued — I'll answer this after the current task.",
                    "steer" => {
                        // The running turn takes it after its next tool call; the run is
                        // answered by that turn (leftovers become the next turn).
                        turn.steer.push(m.text.clone());
                        let note = format!("steered into run #{}", turn.run_id);
                        if let Err(e) = shared.store.mark_folded(enqueued.run.id, &note) {
                            logs::warn("gateway.run", format!("run #{}: {e}", enqueued.run.id));
                        }
                        "⏩ Got it — I'll take that into account in the current task."
                    }
                    _ => {
                        turn.reason = Some(CancelReason::Interrupt);
                        turn.cancel.cancel();
                        "⚡ Interrupting current task. I'll respond to your message shortly."
                    }
                };
                (first && shared.settings.display.busy_ack_enabled).then_some(text)
            }
            None => None,
        }
    } else {
        None
    };
    if let Some(text) = ack {
        shared.say(&m.source.chat(), text).await;
    }
    offer_home_channel(shared, &m).await;
    shared.publish_counts();
    shared.wake_session(&key);
    None
}

/// The one-time prompt, in a DM, when the platform has no home channel yet.
async fn offer_home_channel(shared: &Shared, m: &InboundMessage) {
    if m.source.chat_type != ChatType::Dm {
        return;
    }
    let platform = &m.source.platform;
    // Asked at most once per platform, and never once a home channel is known.
    if shared
        .home_prompted
        .lock()
        .is_ok_and(|seen| seen.contains(platform))
    {
        return;
    }
    // Upstream's legacy names count too (EMAIL_HOME_ADDRESS, MATRIX_HOME_ROOM, …).
    let homes = crate::cron::HomeChannels::from_config(&shared.env(), &shared.settings);
    if homes.get(platform).is_some() {
        if let Ok(mut seen) = shared.home_prompted.lock() {
            seen.insert(platform.clone());
        }
        return;
    }
    let first = shared
        .home_prompted
        .lock()
        .is_ok_and(|mut seen| seen.insert(platform.clone()));
    if first {
        let name = platform_title(platform);
        shared
            .say(
                &m.source.chat(),
                &format!(
                    "📬 No home channel is set for {name}. A home channel is where Hermes delivers cron job results and cross-platform messages.\n\nType /sethome to make this chat your home channel, or ignore to skip."
                ),
            )
            .await;
    }
}

/// `telegram` → `Telegram`.
fn platform_title(p: &str) -> String {
    let mut c = p.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
