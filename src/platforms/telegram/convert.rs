//! Turning a Bot API update into an [`InboundMessage`] (pure): chat kinds, topics, the
//! mention rules for groups, command `@bot` suffixes, reply quotes. Media are only listed
//! here; the adapter downloads them.

use super::api::{BotInfo, FileRef, Message, Update, User};
use super::config::TelegramConfig;
use crate::platforms::{ChatType, InboundMessage, SessionSource};

/// The longest quote of a replied-to message put in front of the text.
const QUOTE_CHARS: usize = 500;
/// Telegram addresses a forum's General topic as thread `1`.
pub(crate) const GENERAL_TOPIC: &str = "1";

/// A file to download for a message, with size-ordered alternatives (photo sizes).
#[derive(Debug, Clone)]
pub(crate) struct MediaRequest {
    /// How a note names it: `photo`, `document`, `voice`, …
    pub(crate) label: &'static str,
    /// The `Media::kind`: `image`, `file`, `voice`, `audio`, `video`.
    pub(crate) kind: &'static str,
    /// Candidates, best first.
    pub(crate) files: Vec<FileRef>,
    /// MIME type, when known.
    pub(crate) mime: Option<String>,
}

/// A message worth delivering, plus what still has to be fetched for it.
#[derive(Debug, Clone)]
pub(crate) struct Converted {
    pub(crate) message: InboundMessage,
    pub(crate) media: Vec<MediaRequest>,
    /// A callback query to answer (so the button stops spinning).
    pub(crate) callback_id: Option<String>,
}

/// What to do with an update.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Deliver(Box<Converted>),
    /// Acknowledge without delivering; the reason is for logs and tests.
    #[allow(dead_code)] // read through `Debug` and by tests
    Skip(&'static str),
}

/// Decides what an update means for the gateway.
pub(crate) fn convert(update: &Update, bot: &BotInfo, cfg: &TelegramConfig) -> Outcome {
    if let Some(msg) = update.message.as_ref().or(update.edited_message.as_ref()) {
        return convert_message(msg, bot, cfg);
    }
    if let Some(cq) = &update.callback_query {
        let Some(msg) = &cq.message else {
            return Outcome::Skip("callback without a message");
        };
        let Some(data) = cq.data.clone().filter(|d| !d.is_empty()) else {
            return Outcome::Skip("callback without data");
        };
        let mut source = source_for(msg, &cq.from);
        source.thread_id = effective_thread_id(msg);
        return Outcome::Deliver(Box::new(Converted {
            message: InboundMessage {
                source,
                text: data,
                message_id: None,
                reply_to: Some(msg.message_id.to_string()),
                media: Vec::new(),
                mentioned: true,
                roles: Vec::new(),
            },
            media: Vec::new(),
            callback_id: Some(cq.id.clone()),
        }));
    }
    Outcome::Skip("unsupported update")
}

fn convert_message(msg: &Message, bot: &BotInfo, cfg: &TelegramConfig) -> Outcome {
    let Some(from) = &msg.from else {
        return Outcome::Skip("no sender");
    };
    if from.id == bot.id {
        return Outcome::Skip("own message");
    }
    let mut source = source_for(msg, from);
    let thread_id = effective_thread_id(msg);
    if let Some(t) = thread_id.as_deref().and_then(|t| t.parse::<i64>().ok())
        && cfg.ignored_threads.contains(&t)
    {
        return Outcome::Skip("ignored thread");
    }
    source.thread_id = thread_id;
    let group = source.chat_type == ChatType::Group;

    let raw = msg.text.as_deref().or(msg.caption.as_deref()).unwrap_or("");
    let (mut text, command_target) = strip_command_suffix(raw, &bot.username);
    if group
        && let Some(target) = &command_target
        && !target.eq_ignore_ascii_case(&bot.username)
    {
        return Outcome::Skip("command for another bot");
    }
    let reply = real_reply(msg);
    let reply_to_bot = reply
        .and_then(|r| r.from.as_ref())
        .is_some_and(|u| u.id == bot.id);
    let mentioned = command_target.is_some()
        || mentions_bot(msg, bot)
        || reply_to_bot
        || cfg.mention_patterns.iter().any(|p| p.is_match(raw));
    if group
        && cfg.require_mention
        && !mentioned
        && !cfg.free_response_chats.iter().any(|c| c == &source.chat_id)
    {
        return Outcome::Skip("not mentioned");
    }
    if mentioned {
        text = clean_mention(&text, &bot.username);
    }
    if let Some(r) = reply {
        let quoted = msg
            .quote
            .as_ref()
            .map(|q| q.text.as_str())
            .filter(|q| !q.is_empty())
            .or(r.text.as_deref())
            .or(r.caption.as_deref())
            .unwrap_or("");
        if !quoted.is_empty() {
            let snippet: String = quoted.chars().take(QUOTE_CHARS).collect();
            text = if reply_to_bot {
                format!("[Replying to your previous message: \"{snippet}\"]\n\n{text}")
            } else {
                format!("[Replying to: \"{snippet}\"]\n\n{text}")
            };
        }
    }
    Outcome::Deliver(Box::new(Converted {
        message: InboundMessage {
            source,
            text,
            message_id: Some(msg.message_id.to_string()),
            reply_to: reply.map(|r| r.message_id.to_string()),
            media: Vec::new(),
            mentioned,
            roles: Vec::new(),
        },
        media: media_requests(msg),
        callback_id: None,
    }))
}

fn full_name(first: &str, last: Option<&str>) -> String {
    match last.filter(|l| !l.is_empty()) {
        Some(l) if !first.is_empty() => format!("{first} {l}"),
        Some(l) => l.to_string(),
        None => first.to_string(),
    }
}

fn source_for(msg: &Message, from: &User) -> SessionSource {
    let chat = &msg.chat;
    let chat_type = match chat.kind.as_str() {
        "group" | "supergroup" => ChatType::Group,
        "channel" => ChatType::Channel,
        _ => ChatType::Dm,
    };
    let chat_name = chat
        .title
        .clone()
        .or_else(|| {
            chat.first_name
                .as_deref()
                .map(|f| full_name(f, chat.last_name.as_deref()))
        })
        .or_else(|| chat.username.clone());
    let user_name = full_name(&from.first_name, from.last_name.as_deref());
    SessionSource {
        platform: super::api::PLATFORM.to_string(),
        chat_id: chat.id.to_string(),
        chat_name,
        chat_type,
        user_id: Some(from.id.to_string()),
        user_name: Some(user_name)
            .filter(|n| !n.is_empty())
            .or_else(|| from.username.clone()),
        thread_id: None,
        is_bot: from.is_bot,
        user_id_alt: None,
    }
}

/// The topic a message belongs to. Plain replies also carry `message_thread_id` (the
/// reply anchor), which is not a topic; the General topic of a forum has no id and is `1`.
pub(crate) fn effective_thread_id(msg: &Message) -> Option<String> {
    let group = matches!(msg.chat.kind.as_str(), "group" | "supergroup");
    match msg.message_thread_id {
        Some(t)
            if (group && (msg.chat.is_forum || msg.is_topic_message))
                || (msg.chat.kind == "private" && msg.is_topic_message) =>
        {
            Some(t.to_string())
        }
        None if group && msg.chat.is_forum => Some(GENERAL_TOPIC.to_string()),
        _ => None,
    }
}

/// The replied-to message, unless it is only the topic's root (every topic message
/// "replies" to the topic's creation message).
fn real_reply(msg: &Message) -> Option<&Message> {
    let r = msg.reply_to_message.as_deref()?;
    if msg.is_topic_message && Some(r.message_id) == msg.message_thread_id {
        return None;
    }
    Some(r)
}

/// The UTF-16 span `[offset, offset+length)` of `text` (entity offsets are UTF-16).
pub(crate) fn utf16_slice(text: &str, offset: usize, length: usize) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let end = offset.saturating_add(length).min(units.len());
    let start = offset.min(end);
    String::from_utf16_lossy(&units[start..end])
}

fn mentions_bot(msg: &Message, bot: &BotInfo) -> bool {
    let expected = format!("@{}", bot.username);
    let sources = [
        (msg.text.as_deref(), &msg.entities),
        (msg.caption.as_deref(), &msg.caption_entities),
    ];
    for (text, entities) in sources {
        let Some(text) = text else { continue };
        for e in entities {
            match e.kind.as_str() {
                "mention"
                    if !bot.username.is_empty()
                        && utf16_slice(text, e.offset, e.length)
                            .trim()
                            .eq_ignore_ascii_case(&expected) =>
                {
                    return true;
                }
                "text_mention" if e.user.as_ref().is_some_and(|u| u.id == bot.id) => return true,
                _ => {}
            }
        }
        // Entity-less clients: a bare `@botname` that is not part of a word or an address.
        if entities.is_empty() && !bot.username.is_empty() && find_handle(text, &bot.username) {
            return true;
        }
    }
    false
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `@handle` occurs in `text` as a standalone mention (case-insensitive).
fn find_handle(text: &str, handle: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let needle = format!("@{}", handle.to_ascii_lowercase());
    lower.match_indices(&needle).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + needle.len()..].chars().next();
        !before.is_some_and(|c| is_word(c) || c == '`' || c == '/') && !after.is_some_and(is_word)
    })
}

/// `/cmd@name rest` → (`/cmd rest`, Some(name)); other text is returned unchanged.
fn strip_command_suffix(text: &str, _bot: &str) -> (String, Option<String>) {
    if !text.starts_with('/') {
        return (text.to_string(), None);
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let (head, rest) = text.split_at(end);
    match head.split_once('@') {
        Some((cmd, target)) if !target.is_empty() => {
            (format!("{cmd}{rest}"), Some(target.to_string()))
        }
        _ => (text.to_string(), None),
    }
}

/// Removes `@botname` (and a following `,` `:` `-` and spaces); keeps the text if that
/// would leave nothing.
fn clean_mention(text: &str, username: &str) -> String {
    if username.is_empty() {
        return text.to_string();
    }
    let pattern = format!(r"(?i)@{}\b[,:\-]*\s*", regex::escape(username));
    let Ok(re) = regex::Regex::new(&pattern) else {
        return text.to_string();
    };
    let cleaned = re.replace_all(text, "").trim().to_string();
    if cleaned.is_empty() {
        text.to_string()
    } else {
        cleaned
    }
}

fn media_requests(msg: &Message) -> Vec<MediaRequest> {
    let mut out = Vec::new();
    if !msg.photo.is_empty() {
        let mut files = msg.photo.clone();
        files.sort_by_key(|f| std::cmp::Reverse(f.file_size.unwrap_or(0)));
        out.push(MediaRequest {
            label: "photo",
            kind: "image",
            files,
            mime: Some("image/jpeg".into()),
        });
    }
    let singles: [(&Option<FileRef>, &'static str, &'static str); 4] = [
        (&msg.document, "document", "file"),
        (&msg.voice, "voice", "voice"),
        (&msg.audio, "audio", "audio"),
        (&msg.video, "video", "video"),
    ];
    for (file, label, kind) in singles {
        if let Some(f) = file {
            let kind = if label == "document"
                && f.mime_type
                    .as_deref()
                    .is_some_and(|m| m.starts_with("image/"))
            {
                "image"
            } else {
                kind
            };
            out.push(MediaRequest {
                label,
                kind,
                files: vec![f.clone()],
                mime: f.mime_type.clone(),
            });
        }
    }
    out
}

/// The note put in the text for a file over the size limit (upstream's wording).
pub(crate) fn too_large_note(label: &str, size: u64, max: u64) -> String {
    let limit_mb = (max / (1024 * 1024)).max(1);
    #[allow(clippy::cast_precision_loss)] // a display value
    let size_mb = size as f64 / (1024.0 * 1024.0);
    format!(
        "[Telegram {label} skipped: file size {size_mb:.1} MB exceeds the {limit_mb} MB limit. Ask the user to send a smaller file.]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot() -> BotInfo {
        BotInfo {
            id: 666,
            username: "HermesBot".into(),
            first_name: "Hermes".into(),
        }
    }

    fn update(v: serde_json::Value) -> Update {
        serde_json::from_value(v).unwrap()
    }

    fn deliver(o: Outcome) -> Converted {
        match o {
            Outcome::Deliver(c) => *c,
            Outcome::Skip(why) => panic!("skipped: {why}"),
        }
    }

    fn group_msg(text: &str, entities: serde_json::Value) -> Update {
        update(serde_json::json!({"update_id": 1, "message": {
            "message_id": 10, "text": text, "entities": entities,
            "from": {"id": 1, "first_name": "Alice", "last_name": "A"},
            "chat": {"id": -100, "type": "supergroup", "title": "Team"}}}))
    }

    #[test]
    fn dm_source_and_command_suffix() {
        let u = update(serde_json::json!({"update_id": 1, "message": {
            "message_id": 5, "text": "/new@HermesBot now",
            "from": {"id": 42, "first_name": "Alice", "username": "alice"},
            "chat": {"id": 42, "type": "private", "first_name": "Alice"}}}));
        let c = deliver(convert(&u, &bot(), &TelegramConfig::new("t", "http://x")));
        assert_eq!(c.message.text, "/new now");
        assert_eq!(c.message.source.chat_type, ChatType::Dm);
        assert_eq!(c.message.source.chat_id, "42");
        assert_eq!(c.message.source.user_name.as_deref(), Some("Alice"));
        assert_eq!(c.message.message_id.as_deref(), Some("5"));
    }

    #[test]
    fn group_mention_rules() {
        let mut cfg = TelegramConfig::new("t", "http://x");
        cfg.require_mention = true;
        let b = bot();
        assert!(matches!(
            convert(&group_msg("hello all", serde_json::json!([])), &b, &cfg),
            Outcome::Skip("not mentioned")
        ));
        let c = deliver(convert(
            &group_msg(
                "👋 @hermesbot, hi",
                serde_json::json!([{"type": "mention", "offset": 3, "length": 10}]),
            ),
            &b,
            &cfg,
        ));
        assert!(c.message.mentioned);
        assert_eq!(c.message.text, "👋 hi");
        assert_eq!(c.message.source.chat_name.as_deref(), Some("Team"));
        // A mention entity of someone else does not count; an email-like text neither.
        assert!(matches!(
            convert(
                &group_msg(
                    "@other hi",
                    serde_json::json!([{"type": "mention", "offset": 0, "length": 6}])
                ),
                &b,
                &cfg
            ),
            Outcome::Skip(_)
        ));
        assert!(matches!(
            convert(
                &group_msg("mail x@hermesbot.example", serde_json::json!([])),
                &b,
                &cfg
            ),
            Outcome::Skip(_)
        ));
        // A command for another bot is never ours in a group.
        assert!(matches!(
            convert(&group_msg("/new@OtherBot", serde_json::json!([])), &b, &cfg),
            Outcome::Skip("command for another bot")
        ));
        assert!(
            deliver(convert(
                &group_msg("/new@HermesBot", serde_json::json!([])),
                &b,
                &cfg
            ))
            .message
            .mentioned
        );
        // Patterns and free-response chats.
        cfg.mention_patterns = vec![
            regex::RegexBuilder::new("^hey hermes")
                .case_insensitive(true)
                .build()
                .unwrap(),
        ];
        assert!(
            deliver(convert(
                &group_msg("Hey Hermes what", serde_json::json!([])),
                &b,
                &cfg
            ))
            .message
            .mentioned
        );
        cfg.free_response_chats = vec!["-100".into()];
        let c = deliver(convert(
            &group_msg("anything", serde_json::json!([])),
            &b,
            &cfg,
        ));
        assert!(!c.message.mentioned);
    }

    #[test]
    fn replies_quotes_and_topics() {
        let u = update(serde_json::json!({"update_id": 1, "message": {
            "message_id": 11, "text": "why?", "message_thread_id": 7, "is_topic_message": true,
            "from": {"id": 1, "first_name": "Alice"},
            "chat": {"id": -100, "type": "supergroup", "title": "Team", "is_forum": true},
            "reply_to_message": {"message_id": 9, "text": "the answer is 42",
                "from": {"id": 666, "is_bot": true, "first_name": "Hermes"},
                "chat": {"id": -100, "type": "supergroup"}}}}));
        let mut cfg = TelegramConfig::new("t", "http://x");
        cfg.require_mention = true;
        let c = deliver(convert(&u, &bot(), &cfg));
        assert!(
            c.message.mentioned,
            "a reply to the bot counts as a mention"
        );
        assert_eq!(c.message.source.thread_id.as_deref(), Some("7"));
        assert_eq!(c.message.reply_to.as_deref(), Some("9"));
        assert_eq!(
            c.message.text,
            "[Replying to your previous message: \"the answer is 42\"]\n\nwhy?"
        );
        cfg.ignored_threads = vec![7];
        assert!(matches!(
            convert(&u, &bot(), &cfg),
            Outcome::Skip("ignored thread")
        ));
        // The topic root is not a reply.
        let u = update(serde_json::json!({"update_id": 2, "message": {
            "message_id": 12, "text": "hi", "message_thread_id": 7, "is_topic_message": true,
            "from": {"id": 1, "first_name": "Alice"},
            "chat": {"id": -100, "type": "supergroup", "is_forum": true},
            "reply_to_message": {"message_id": 7, "chat": {"id": -100, "type": "supergroup"}}}}));
        let c = deliver(convert(&u, &bot(), &TelegramConfig::new("t", "http://x")));
        assert_eq!(c.message.reply_to, None);
        assert_eq!(c.message.text, "hi");
    }

    #[test]
    fn media_and_notes() {
        let u = update(serde_json::json!({"update_id": 1, "message": {
            "message_id": 3, "caption": "look",
            "photo": [{"file_id": "s", "file_size": 10}, {"file_id": "l", "file_size": 1000}],
            "document": {"file_id": "d", "mime_type": "image/png", "file_name": "x.png"},
            "from": {"id": 1, "first_name": "A"}, "chat": {"id": 1, "type": "private"}}}));
        let c = deliver(convert(&u, &bot(), &TelegramConfig::new("t", "http://x")));
        assert_eq!(c.message.text, "look");
        assert_eq!(c.media[0].files[0].file_id, "l");
        assert_eq!(c.media[1].kind, "image");
        assert_eq!(
            too_large_note("document", 25 * 1024 * 1024, 20 * 1024 * 1024),
            "[Telegram document skipped: file size 25.0 MB exceeds the 20 MB limit. Ask the user to send a smaller file.]"
        );
        assert_eq!(utf16_slice("👋 @x", 3, 2), "@x");
    }
}
