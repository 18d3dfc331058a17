//! `m.room.message` events to [`InboundMessage`]s: DM, group or thread; mentions (the bot's
//! user id or display name in the body, a `matrix.to` pill, `m.mentions`); the group rules
//! (`MATRIX_REQUIRE_MENTION`, free-response and allowed rooms, bot threads); replies with their
//! quoted fallback removed; auto-threads; and which media file to fetch. Pure: no I/O here.

use serde_json::Value;

use super::config::MatrixConfig;
use crate::platforms::{ChatType, InboundMessage, SessionSource};

/// The bot's identity, for mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    /// `@bot:server`.
    pub user_id: String,
    /// Its display name, if set.
    pub display_name: Option<String>,
}

/// What is known about the room an event arrived in.
#[derive(Debug, Clone, Default)]
pub struct RoomView {
    /// The room id.
    pub room_id: String,
    /// A DM (listed in `m.direct`, or exactly two members).
    pub is_dm: bool,
    /// The room's name.
    pub name: Option<String>,
    /// The sender's display name.
    pub sender_name: Option<String>,
}

/// A media file to download before delivering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRequest {
    /// `mxc://server/id`.
    pub mxc: String,
    /// `image`, `audio`, `voice`, `video` or `file`.
    pub kind: &'static str,
    /// The declared MIME type.
    pub mime: Option<String>,
    /// The declared size.
    pub size: Option<u64>,
    /// The file name.
    pub name: String,
}

/// What to do with an event.
#[derive(Debug)]
pub enum Outcome {
    /// Not for the agent (the reason is for debug logs).
    Skip(&'static str),
    /// Deliver, after fetching the media if any.
    Deliver(Box<(InboundMessage, Option<MediaRequest>)>),
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The localpart of `@name:server`.
#[must_use]
pub fn localpart(user_id: &str) -> &str {
    user_id
        .trim_start_matches('@')
        .split(':')
        .next()
        .unwrap_or(user_id)
}

/// Whether the bot is mentioned.
#[must_use]
pub fn is_mentioned(content: &Value, me: &Me) -> bool {
    if me.user_id.is_empty() {
        return false;
    }
    let listed = content
        .get("m.mentions")
        .and_then(|m| m.get("user_ids"))
        .and_then(Value::as_array)
        .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(&me.user_id)));
    if listed {
        return true;
    }
    let body = s(content, "body").unwrap_or_default();
    if body.contains(&me.user_id) {
        return true;
    }
    if s(content, "formatted_body")
        .is_some_and(|f| f.contains(&format!("matrix.to/#/{}", me.user_id)))
    {
        return true;
    }
    let lower = body.to_lowercase();
    let word = |name: &str| {
        let name = name.to_lowercase();
        !name.is_empty() && contains_word(&lower, &name)
    };
    me.display_name.as_deref().is_some_and(word) || word(&format!("@{}", localpart(&me.user_id)))
}

/// `needle` in `hay` not glued to other word characters.
fn contains_word(hay: &str, needle: &str) -> bool {
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    hay.match_indices(needle).any(|(i, _)| {
        !glued(hay[..i].chars().next_back()) && !glued(hay[i + needle.len()..].chars().next())
    })
}

/// Removes explicit mentions of the bot (user id, `@localpart`, a leading display name).
#[must_use]
pub fn strip_mention(body: &str, me: &Me) -> String {
    let mut out = body.replace(&me.user_id, "");
    let at = format!("@{}", localpart(&me.user_id));
    if let Some(i) = out.to_lowercase().find(&at.to_lowercase()) {
        out.replace_range(i..i + at.len(), "");
    }
    if let Some(name) = me.display_name.as_deref().filter(|n| !n.is_empty()) {
        let trimmed = out.trim_start();
        if trimmed.to_lowercase().starts_with(&name.to_lowercase()) {
            out = trimmed[name.len()..].to_string();
        }
    }
    let out = out.trim_start_matches(|c: char| c == ':' || c == ',' || c.is_whitespace());
    let mut squeezed = String::with_capacity(out.len());
    for c in out.trim_end().chars() {
        if c == ' ' && squeezed.ends_with(' ') {
            continue;
        }
        squeezed.push(c);
    }
    squeezed
}

/// Drops the `> quoted` fallback a reply carries before the first blank line.
#[must_use]
pub fn strip_reply_fallback(body: &str) -> String {
    if !body.starts_with("> ") {
        return body.to_string();
    }
    let mut lines = body.lines().peekable();
    while lines
        .peek()
        .is_some_and(|l| l.starts_with("> ") || *l == ">")
    {
        lines.next();
    }
    if lines.peek() == Some(&"") {
        lines.next();
    }
    let rest: Vec<&str> = lines.collect();
    if rest.is_empty() {
        body.to_string()
    } else {
        rest.join("\n")
    }
}

fn media_kind(msgtype: &str, content: &Value) -> Option<&'static str> {
    Some(match msgtype {
        "m.image" => "image",
        "m.video" => "video",
        "m.file" => "file",
        "m.audio" if content.get("org.matrix.msc3245.voice").is_some() => "voice",
        "m.audio" => "audio",
        _ => return None,
    })
}

/// Decides what to do with one timeline event from another user.
#[must_use]
pub fn convert(
    event: &Value,
    room: &RoomView,
    me: &Me,
    config: &MatrixConfig,
    in_bot_thread: &dyn Fn(&str) -> bool,
) -> Outcome {
    if s(event, "type") != Some("m.room.message") {
        return Outcome::Skip("not a message");
    }
    let sender = s(event, "sender").unwrap_or_default();
    if sender.is_empty() || sender.eq_ignore_ascii_case(&me.user_id) {
        return Outcome::Skip("own message");
    }
    let empty = Value::Null;
    let content = event.get("content").unwrap_or(&empty);
    let event_id = s(event, "event_id").unwrap_or_default().to_string();
    let relates = content.get("m.relates_to").unwrap_or(&empty);
    if s(relates, "rel_type") == Some("m.replace") {
        return Outcome::Skip("an edit");
    }
    let msgtype = s(content, "msgtype").unwrap_or_default();
    if msgtype == "m.notice" && !config.process_notices {
        return Outcome::Skip("a notice (bot output)");
    }
    let media_kind = media_kind(msgtype, content);
    if media_kind.is_none() && !matches!(msgtype, "m.text" | "m.notice" | "m.emote") {
        return Outcome::Skip("unsupported msgtype");
    }
    let body = s(content, "body").unwrap_or_default().to_string();
    let mut thread_id = (s(relates, "rel_type") == Some("m.thread"))
        .then(|| s(relates, "event_id").map(str::to_string))
        .flatten();
    // In a thread, `m.in_reply_to` with `is_falling_back` only serves thread-unaware clients.
    let falling_back = relates.get("is_falling_back").and_then(Value::as_bool) == Some(true);
    let reply_to = relates
        .get("m.in_reply_to")
        .and_then(|r| s(r, "event_id"))
        .filter(|_| !falling_back)
        .map(str::to_string);
    let mentioned = is_mentioned(content, me);

    if !room.is_dm {
        if !config.allowed_rooms.is_empty() && !config.allowed_rooms.contains(&room.room_id) {
            return Outcome::Skip("room not in MATRIX_ALLOWED_ROOMS");
        }
        let free = config.free_response_rooms.contains(&room.room_id);
        let bot_thread = thread_id.as_deref().is_some_and(in_bot_thread);
        let command = body.trim_start().starts_with('/');
        if config.require_mention && !free && !bot_thread && !mentioned && !command {
            return Outcome::Skip("no mention (MATRIX_REQUIRE_MENTION)");
        }
    }

    let mut text = if media_kind.is_some() {
        // For media, `body` is the file name unless `filename` says otherwise (a caption).
        match s(content, "filename") {
            Some(name) if name != body => body.clone(),
            _ => String::new(),
        }
    } else {
        body.clone()
    };
    if reply_to.is_some() {
        text = strip_reply_fallback(&text);
    }
    if mentioned && config.require_mention {
        text = strip_mention(&text, me);
    }
    if msgtype == "m.emote" {
        let who = room.sender_name.as_deref().unwrap_or(localpart(sender));
        text = format!("* {who} {text}");
    }
    if thread_id.is_none()
        && ((room.is_dm && config.dm_auto_thread) || (!room.is_dm && config.auto_thread))
    {
        thread_id = Some(event_id.clone());
    }
    let media = media_kind.and_then(|kind| {
        let mxc = s(content, "url")?.to_string();
        let info = content.get("info").unwrap_or(&empty);
        Some(MediaRequest {
            mxc,
            kind,
            mime: s(info, "mimetype").map(str::to_string),
            size: info.get("size").and_then(Value::as_u64),
            name: s(content, "filename").unwrap_or(&body).to_string(),
        })
    });
    let message = InboundMessage {
        source: SessionSource {
            platform: super::PLATFORM.into(),
            chat_id: room.room_id.clone(),
            chat_name: room.name.clone(),
            chat_type: if room.is_dm {
                ChatType::Dm
            } else {
                ChatType::Group
            },
            user_id: Some(sender.to_string()),
            user_name: Some(
                room.sender_name
                    .clone()
                    .unwrap_or_else(|| localpart(sender).to_string()),
            ),
            thread_id,
            ..SessionSource::default()
        },
        text,
        message_id: Some(event_id),
        reply_to,
        media: Vec::new(),
        mentioned,
        roles: Vec::new(),
    };
    Outcome::Deliver(Box::new((message, media)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn me() -> Me {
        Me {
            user_id: "@hermes:x".into(),
            display_name: Some("Hermes".into()),
        }
    }

    fn cfg() -> MatrixConfig {
        MatrixConfig::with_token("http://h", "t")
    }

    fn ev(content: Value) -> Value {
        json!({"type": "m.room.message", "sender": "@alice:x", "event_id": "$e1", "content": content})
    }

    fn room(dm: bool) -> RoomView {
        RoomView {
            room_id: "!r:x".into(),
            is_dm: dm,
            name: Some("Room".into()),
            sender_name: Some("Alice".into()),
        }
    }

    fn deliver(o: Outcome) -> (InboundMessage, Option<MediaRequest>) {
        match o {
            Outcome::Deliver(b) => *b,
            Outcome::Skip(why) => panic!("skipped: {why}"),
        }
    }

    #[test]
    fn dm_group_thread_and_mentions() {
        let no = |_: &str| false;
        let (m, _) = deliver(convert(
            &ev(json!({"msgtype": "m.text", "body": "hi"})),
            &room(true),
            &me(),
            &cfg(),
            &no,
        ));
        assert_eq!(m.source.chat_type, ChatType::Dm);
        assert_eq!(m.source.thread_id, None);
        assert_eq!(m.source.user_name.as_deref(), Some("Alice"));

        let group = convert(
            &ev(json!({"msgtype": "m.text", "body": "hi all"})),
            &room(false),
            &me(),
            &cfg(),
            &no,
        );
        assert!(matches!(group, Outcome::Skip(_)), "no mention in a group");
        let (m, _) = deliver(convert(
            &ev(json!({"msgtype": "m.text", "body": "Hermes: what is up"})),
            &room(false),
            &me(),
            &cfg(),
            &no,
        ));
        assert_eq!(m.text, "what is up");
        assert_eq!(m.source.thread_id.as_deref(), Some("$e1"), "auto-thread");
        let (m, _) = deliver(convert(
            &ev(
                json!({"msgtype": "m.text", "body": "hey", "m.mentions": {"user_ids": ["@hermes:x"]}}),
            ),
            &room(false),
            &me(),
            &cfg(),
            &no,
        ));
        assert!(m.mentioned);
        assert!(!is_mentioned(&json!({"body": "Hermesian"}), &me()));
        let threaded = ev(json!({"msgtype": "m.text", "body": "more",
            "m.relates_to": {"rel_type": "m.thread", "event_id": "$root", "is_falling_back": true,
                "m.in_reply_to": {"event_id": "$prev"}}}));
        let yes = |t: &str| t == "$root";
        let (m, _) = deliver(convert(&threaded, &room(false), &me(), &cfg(), &yes));
        assert_eq!(m.source.thread_id.as_deref(), Some("$root"));
        assert_eq!(m.reply_to, None);
        let mut free = cfg();
        free.free_response_rooms = vec!["!r:x".into()];
        assert!(matches!(
            convert(
                &ev(json!({"msgtype": "m.text", "body": "x"})),
                &room(false),
                &me(),
                &free,
                &no
            ),
            Outcome::Deliver(_)
        ));
        let mut only = cfg();
        only.allowed_rooms = vec!["!other:x".into()];
        assert!(matches!(
            convert(
                &ev(json!({"msgtype": "m.text", "body": "@hermes:x hi"})),
                &room(false),
                &me(),
                &only,
                &no
            ),
            Outcome::Skip(_)
        ));
    }

    #[test]
    fn replies_media_edits_notices() {
        let no = |_: &str| false;
        let reply = ev(
            json!({"msgtype": "m.text", "body": "> <@b:x> earlier\n> more\n\nmy answer",
            "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}),
        );
        let (m, _) = deliver(convert(&reply, &room(true), &me(), &cfg(), &no));
        assert_eq!(m.text, "my answer");
        assert_eq!(m.reply_to.as_deref(), Some("$q"));
        let img = ev(
            json!({"msgtype": "m.image", "body": "cat.png", "url": "mxc://x/abc",
            "info": {"mimetype": "image/png", "size": 12}}),
        );
        let (m, media) = deliver(convert(&img, &room(true), &me(), &cfg(), &no));
        assert_eq!(m.text, "");
        let media = media.unwrap();
        assert_eq!(
            (media.kind, media.size, media.mxc.as_str()),
            ("image", Some(12), "mxc://x/abc")
        );
        let edit = ev(
            json!({"msgtype": "m.text", "body": "* x", "m.relates_to": {"rel_type": "m.replace", "event_id": "$a"}}),
        );
        assert!(matches!(
            convert(&edit, &room(true), &me(), &cfg(), &no),
            Outcome::Skip(_)
        ));
        let notice = ev(json!({"msgtype": "m.notice", "body": "bot says"}));
        assert!(matches!(
            convert(&notice, &room(true), &me(), &cfg(), &no),
            Outcome::Skip(_)
        ));
        assert_eq!(
            strip_mention("@hermes:x   please  help", &me()),
            "please help"
        );
    }
}
