//! One `/sync` batch: `m.direct` updates, invites (joined only when the inviter is allowed,
//! paired, or the room is in `MATRIX_ALLOWED_ROOMS`), room state (names, members,
//! encryption), and the timeline's messages handed to the gateway in order. History from
//! before the bot joined a room, and everything in the very first sync, is not delivered.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::api::{ApiError, enc};
use super::convert::{self, MediaRequest, Outcome, RoomView};
use super::{PLATFORM, Shared, TARGET, lock};
use crate::logs;
use crate::platforms::{InboundMessage, Media, PlatformCx, PlatformError};

/// The notice an encrypted room gets once.
pub const E2EE_NOTICE: &str = "🔒 This room is end-to-end encrypted, and Hermes does not support encrypted Matrix rooms yet, so it cannot read messages here. Please talk to me in an unencrypted room.";

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn events(v: Option<&Value>) -> &[Value] {
    v.and_then(|v| v.get("events"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Replaces the DM room set from `m.direct` content (`{user: [room, …]}`).
pub(super) fn set_direct(shared: &Shared, content: &Value) {
    let rooms = content
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    *lock(&shared.direct) = rooms;
}

/// Handles one batch. `Ok(false)`: the gateway stopped taking messages (do not save `since`).
pub(super) async fn process(
    shared: &Shared,
    cx: &PlatformCx,
    batch: &Value,
    initial: bool,
) -> Result<bool, PlatformError> {
    for ev in events(batch.get("account_data")) {
        if s(ev, "type") == Some("m.direct") {
            set_direct(shared, ev.get("content").unwrap_or(&Value::Null));
        }
    }
    let rooms = batch.get("rooms");
    if let Some(invites) = rooms
        .and_then(|r| r.get("invite"))
        .and_then(Value::as_object)
    {
        for (room_id, room) in invites {
            invite(shared, room_id, room).await?;
        }
    }
    let Some(joined) = rooms.and_then(|r| r.get("join")).and_then(Value::as_object) else {
        return Ok(true);
    };
    for (room_id, room) in joined {
        let timeline = events(room.get("timeline"));
        track_state(
            shared,
            room_id,
            events(room.get("state")).iter().chain(timeline),
        );
        if initial {
            continue;
        }
        if !room_messages(shared, cx, room_id, timeline).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Names, membership changes and encryption from state events.
fn track_state<'a>(shared: &Shared, room_id: &str, evs: impl Iterator<Item = &'a Value>) {
    let mut rooms = lock(&shared.rooms);
    let info = rooms.entry(room_id.to_string()).or_default();
    for ev in evs.filter(|e| e.get("state_key").is_some()) {
        match s(ev, "type") {
            Some("m.room.encryption") => info.encrypted = true,
            Some("m.room.name") => {
                info.name = ev
                    .get("content")
                    .and_then(|c| s(c, "name"))
                    .map(str::to_string);
            }
            Some("m.room.member") => info.members = None,
            _ => {}
        }
    }
}

async fn invite(shared: &Shared, room_id: &str, room: &Value) -> Result<(), PlatformError> {
    let me = shared.me().user_id;
    let own = events(room.get("invite_state"))
        .iter()
        .find(|e| s(e, "type") == Some("m.room.member") && s(e, "state_key") == Some(me.as_str()));
    let inviter = own.and_then(|e| s(e, "sender")).unwrap_or_default();
    let is_direct = own
        .and_then(|e| e.get("content"))
        .and_then(|c| c.get("is_direct"))
        .and_then(Value::as_bool)
        == Some(true);
    let paired = !inviter.is_empty()
        && shared
            .pairing
            .is_approved(PLATFORM, inviter)
            .unwrap_or(false);
    if !(shared.config.accepts_invite(inviter, room_id) || paired) {
        logs::warn(
            TARGET,
            format!("rejecting invite to {room_id} from unauthorized user {inviter}"),
        );
        return Ok(());
    }
    logs::info(
        TARGET,
        format!("invited to {room_id} by {inviter} — joining (is_direct={is_direct})"),
    );
    match shared
        .api
        .post(&format!("/join/{}", enc(room_id)), &json!({}))
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_unknown_token() => return Err(e.classify()),
        Err(e) => {
            logs::warn(TARGET, format!("could not join {room_id}: {e}"));
            return Ok(());
        }
    }
    if is_direct {
        record_direct(shared, &me, room_id, inviter).await;
    }
    Ok(())
}

/// Adds a room to `m.direct` under `user`, so it stays a DM after restarts.
async fn record_direct(shared: &Shared, me: &str, room_id: &str, user: &str) {
    let path = format!("/user/{}/account_data/m.direct", enc(me));
    let mut content = shared.api.get(&path).await.unwrap_or_else(|_| json!({}));
    if !content.is_object() {
        content = json!({});
    }
    let list = content[user].as_array().cloned().unwrap_or_default();
    if !list.iter().any(|r| r.as_str() == Some(room_id)) {
        let mut list = list;
        list.push(json!(room_id));
        content[user] = Value::Array(list);
        if let Err(e) = shared.api.put(&path, &content).await {
            logs::warn(TARGET, format!("could not update m.direct: {e}"));
        }
    }
    lock(&shared.direct).insert(room_id.to_string());
}

/// The room's members (fetched once, refreshed after membership changes).
async fn members(shared: &Shared, room_id: &str) -> HashMap<String, Option<String>> {
    if let Some(m) = lock(&shared.rooms)
        .get(room_id)
        .and_then(|r| r.members.clone())
    {
        return m;
    }
    let fetched: HashMap<String, Option<String>> = shared
        .api
        .get(&format!("/rooms/{}/joined_members", enc(room_id)))
        .await
        .ok()
        .and_then(|v| v.get("joined").and_then(Value::as_object).cloned())
        .map(|joined| {
            joined
                .into_iter()
                .map(|(id, p)| (id, s(&p, "display_name").map(str::to_string)))
                .collect()
        })
        .unwrap_or_default();
    lock(&shared.rooms)
        .entry(room_id.to_string())
        .or_default()
        .members = Some(fetched.clone());
    fetched
}

/// Whether `ev` is the bot's own new join (not a profile change).
fn is_own_join(ev: &Value, me: &str) -> bool {
    s(ev, "type") == Some("m.room.member")
        && s(ev, "state_key") == Some(me)
        && ev.get("content").and_then(|c| s(c, "membership")) == Some("join")
        && ev
            .get("unsigned")
            .and_then(|u| u.get("prev_content"))
            .and_then(|c| s(c, "membership"))
            != Some("join")
}

async fn room_messages(
    shared: &Shared,
    cx: &PlatformCx,
    room_id: &str,
    timeline: &[Value],
) -> Result<bool, PlatformError> {
    let me = shared.me();
    // Events before our own join are history we were not there for.
    let start = timeline
        .iter()
        .rposition(|e| is_own_join(e, &me.user_id))
        .map_or(0, |i| i + 1);
    let acked = shared.state.get().acked;
    // The room's new messages are all handed over first, then acknowledged (and marked 👀)
    // as far as the gateway has stored them: a burst shares the gateway's commits.
    let mut handed = Vec::new();
    let mut outcome = Ok(true);
    for ev in &timeline[start..] {
        if cx.cancel.is_cancelled() {
            outcome = Ok(false);
            break;
        }
        let sender = s(ev, "sender").unwrap_or_default();
        if sender == me.user_id || s(ev, "event_id").is_some_and(|id| acked.iter().any(|a| a == id))
        {
            continue;
        }
        match s(ev, "type") {
            Some("m.room.encrypted") => {
                encrypted_notice(shared, room_id).await;
                continue;
            }
            Some("m.room.message") => {}
            _ => continue,
        }
        let members = members(shared, room_id).await;
        let info = lock(&shared.rooms)
            .get(room_id)
            .cloned()
            .unwrap_or_default();
        let room = RoomView {
            room_id: room_id.to_string(),
            is_dm: lock(&shared.direct).contains(room_id) || members.len() == 2,
            name: info.name.clone(),
            sender_name: members.get(sender).cloned().flatten(),
        };
        let in_thread = |t: &str| shared.state.in_thread(t);
        let (mut message, media) =
            match convert::convert(ev, &room, &me, &shared.config, &in_thread) {
                Outcome::Skip(why) => {
                    logs::debug(TARGET, format!("skipping event in {room_id}: {why}"));
                    continue;
                }
                Outcome::Deliver(b) => *b,
            };
        if let Some(req) = media
            && let Err(e) = fetch_media(shared, &req, &mut message).await
        {
            outcome = Err(e);
            break;
        }
        if let Some(t) = &message.source.thread_id {
            shared.state.join_thread(t);
        }
        let event_id = message.message_id.clone().unwrap_or_default();
        handed.push((event_id, cx.submit(message).await));
    }
    let mut stored = Vec::new();
    for (event_id, submitted) in handed {
        if !submitted.accepted().await {
            outcome = Ok(false);
            break;
        }
        // 👀 as soon as it is stored, before its answer can arrive.
        if shared.config.reactions
            && !event_id.is_empty()
            && let Some(reaction) = shared.react(room_id, &event_id, "👀").await
        {
            lock(&shared.pending_reactions)
                .insert(event_id.clone(), (room_id.to_string(), reaction));
        }
        stored.push(event_id);
    }
    if !stored.is_empty() {
        shared
            .state
            .update(|s| s.acked.extend(stored))
            .map_err(|e| PlatformError::Transient {
                platform: PLATFORM.into(),
                message: format!("cannot save the Matrix state: {e}"),
            })?;
    }
    outcome
}

async fn encrypted_notice(shared: &Shared, room_id: &str) {
    if shared.state.get().e2ee_noticed.iter().any(|r| r == room_id) {
        return;
    }
    let content = super::outbox::text_content(E2EE_NOTICE, "m.notice");
    // The room is encrypted, so this plain event is readable by every client.
    if shared
        .send_event(room_id, "m.room.message", &("e2ee", room_id), &content)
        .await
        .is_ok()
    {
        let _ = shared
            .state
            .update(|s| s.e2ee_noticed.push(room_id.to_string()));
    }
}

fn add_note(text: &mut String, note: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(note);
}

async fn fetch_media(
    shared: &Shared,
    req: &MediaRequest,
    msg: &mut InboundMessage,
) -> Result<(), PlatformError> {
    let max = shared.config.media_max_bytes;
    if req.size.is_some_and(|n| n > max) {
        add_note(
            &mut msg.text,
            &format!(
                "[Matrix {} '{}' skipped: {} bytes is over the {max}-byte limit]",
                req.kind,
                req.name,
                req.size.unwrap_or(0)
            ),
        );
        return Ok(());
    }
    let ext = std::path::Path::new(&req.name)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let stem: String = msg
        .message_id
        .as_deref()
        .unwrap_or("media")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let dest = shared
        .paths
        .cache_dir()
        .join(PLATFORM)
        .join(format!("{stem}{ext}"));
    match shared.api.download(&req.mxc, &dest, max).await {
        Ok(_) => msg.media.push(Media {
            kind: req.kind.to_string(),
            path: dest,
            mime: req.mime.clone(),
        }),
        Err(e) if e.is_unknown_token() => return Err(e.classify()),
        Err(ApiError::TooLarge { .. }) => add_note(
            &mut msg.text,
            &format!(
                "[Matrix {} '{}' skipped: over the {max}-byte limit]",
                req.kind, req.name
            ),
        ),
        Err(e) => add_note(
            &mut msg.text,
            &format!(
                "[Matrix {} '{}' could not be downloaded: {e}]",
                req.kind, req.name
            ),
        ),
    }
    Ok(())
}
