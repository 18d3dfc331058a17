//! Turning a gateway `MESSAGE_CREATE` into an [`InboundMessage`] (pure): DMs, server channels
//! and threads, the channel lists and mention rules, whether to open a thread, reply quotes.
//! Attachments are only listed here; the adapter downloads them.

use serde::Deserialize;

use super::config::DiscordConfig;
use super::rest::{BotUser, PLATFORM};
use crate::platforms::{ChatType, InboundMessage, SessionSource};

/// The longest quote of a replied-to message put in front of the text.
const QUOTE_CHARS: usize = 500;
/// `MESSAGE_CREATE` types that carry user text: DEFAULT and REPLY.
const USER_TYPES: [u8; 2] = [0, 19];
/// Message type REPLY.
const TYPE_REPLY: u8 = 19;

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Author {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) global_name: Option<String>,
    #[serde(default)]
    pub(crate) bot: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Member {
    #[serde(default)]
    pub(crate) roles: Vec<String>,
    #[serde(default)]
    pub(crate) nick: Option<String>,
}

/// A file attached to a message.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Attachment {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) filename: String,
    #[serde(default)]
    pub(crate) size: u64,
    pub(crate) url: String,
    #[serde(default)]
    pub(crate) content_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Reference {
    #[serde(default)]
    pub(crate) message_id: Option<String>,
}

/// The parts of a message object we read.
#[derive(Debug, Clone, Default, Deserialize)]
#[allow(clippy::struct_field_names)] // Discord's names
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) channel_id: String,
    #[serde(default)]
    pub(crate) guild_id: Option<String>,
    #[serde(default)]
    pub(crate) author: Author,
    #[serde(default)]
    pub(crate) member: Option<Member>,
    #[serde(default)]
    pub(crate) content: String,
    #[serde(default)]
    pub(crate) mentions: Vec<Author>,
    #[serde(default, rename = "type")]
    pub(crate) kind: u8,
    #[serde(default)]
    pub(crate) message_reference: Option<Reference>,
    #[serde(default)]
    pub(crate) referenced_message: Option<Box<Message>>,
    #[serde(default)]
    pub(crate) attachments: Vec<Attachment>,
}

/// Where a message was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// A direct message channel.
    Dm,
    /// A server text channel, with its display name (`Server / #general`) when known.
    Channel { name: Option<String> },
    /// A thread, with its parent channel and display name.
    Thread {
        parent: Option<String>,
        name: Option<String>,
    },
}

/// A message worth delivering, plus what the adapter still has to do for it.
#[derive(Debug, Clone)]
pub(crate) struct Converted {
    pub(crate) message: InboundMessage,
    pub(crate) attachments: Vec<Attachment>,
    /// Open a thread from this message, with this name, and answer there.
    pub(crate) auto_thread: Option<String>,
}

/// What to do with a message.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Deliver(Box<Converted>),
    /// Ignore it; the reason is for logs and tests.
    #[allow(dead_code)] // read through `Debug` and by tests
    Skip(&'static str),
}

/// The facts besides the message itself.
pub(crate) struct Context<'a> {
    pub(crate) bot: &'a BotUser,
    pub(crate) cfg: &'a DiscordConfig,
    pub(crate) place: Place,
    /// The thread is one the bot opened or answered in.
    pub(crate) bot_thread: bool,
}

fn listed(list: &[String], keys: &[&str]) -> bool {
    list.iter().any(|c| c == "*" || keys.contains(&c.as_str()))
}

/// Whether the bot is mentioned explicitly (`<@id>`, `<@!id>` or the mentions list).
fn mentions_bot(msg: &Message, bot: &BotUser) -> bool {
    msg.mentions.iter().any(|u| u.id == bot.id)
        || msg.content.contains(&format!("<@{}>", bot.id))
        || msg.content.contains(&format!("<@!{}>", bot.id))
}

/// The text without the bot's mention tokens.
fn strip_mention(text: &str, bot: &BotUser) -> String {
    let cleaned = text
        .replace(&format!("<@{}>", bot.id), "")
        .replace(&format!("<@!{}>", bot.id), "");
    let cleaned = cleaned.trim();
    let cleaned = cleaned
        .strip_prefix([',', ':'])
        .map_or(cleaned, str::trim_start);
    cleaned.to_string()
}

/// A thread name from the first message: mention tokens removed, at most 80 characters.
pub(crate) fn thread_name(content: &str) -> String {
    let re = regex::Regex::new(r"<[@#][!&]?\d+>").ok();
    let text = re.map_or_else(
        || content.to_string(),
        |re| re.replace_all(content, "").into_owned(),
    );
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "Hermes".into();
    }
    if text.chars().count() > 80 {
        let head: String = text.chars().take(77).collect();
        return format!("{head}...");
    }
    text
}

/// Decides what a `MESSAGE_CREATE` means for the gateway.
pub(crate) fn convert(msg: &Message, cx: &Context<'_>) -> Outcome {
    let bot = cx.bot;
    let cfg = cx.cfg;
    if msg.author.id == bot.id {
        return Outcome::Skip("own message");
    }
    if msg.author.bot {
        return Outcome::Skip("from a bot");
    }
    if !USER_TYPES.contains(&msg.kind) {
        return Outcome::Skip("system message");
    }
    let mentioned = mentions_bot(msg, bot);
    let mut auto_thread = None;
    let (chat_type, chat_name, thread_id) = match &cx.place {
        Place::Dm => (ChatType::Dm, Some(msg.author.username.clone()), None),
        place => {
            let (parent, name, is_thread) = match place {
                Place::Thread { parent, name } => (parent.as_deref(), name.clone(), true),
                Place::Channel { name } => (None, name.clone(), false),
                Place::Dm => unreachable!("handled above"),
            };
            let mut keys = vec![msg.channel_id.as_str()];
            keys.extend(parent);
            let allowed = &cfg.allowed_channels;
            if !allowed.is_empty() && !listed(allowed, &keys) {
                return Outcome::Skip("channel not allowed");
            }
            if listed(&cfg.ignored_channels, &keys) {
                return Outcome::Skip("ignored channel");
            }
            let free = listed(&cfg.free_response_channels, &keys);
            let in_bot_thread = is_thread && cx.bot_thread && !cfg.thread_require_mention;
            if cfg.require_mention && !free && !in_bot_thread && !mentioned {
                return Outcome::Skip("not mentioned");
            }
            if !is_thread
                && cfg.auto_thread
                && !free
                && !listed(&cfg.no_thread_channels, &keys)
                && msg.kind != TYPE_REPLY
            {
                auto_thread = Some(thread_name(&msg.content));
            }
            if is_thread {
                (ChatType::Thread, name, Some(msg.channel_id.clone()))
            } else {
                (ChatType::Group, name, None)
            }
        }
    };
    let mut text = if mentioned {
        strip_mention(&msg.content, bot)
    } else {
        msg.content.trim().to_string()
    };
    if let Some(r) = &msg.referenced_message
        && !r.content.is_empty()
    {
        let snippet: String = r.content.chars().take(QUOTE_CHARS).collect();
        text = if r.author.id == bot.id {
            format!("[Replying to your previous message: \"{snippet}\"]\n\n{text}")
        } else {
            format!("[Replying to: \"{snippet}\"]\n\n{text}")
        };
    }
    let user_name = msg
        .member
        .as_ref()
        .and_then(|m| m.nick.clone())
        .or_else(|| msg.author.global_name.clone())
        .or_else(|| Some(msg.author.username.clone()))
        .filter(|n| !n.is_empty());
    let source = SessionSource {
        platform: PLATFORM.to_string(),
        chat_id: msg.channel_id.clone(),
        chat_name,
        chat_type,
        user_id: Some(msg.author.id.clone()),
        user_name,
        thread_id,
        user_id_alt: None,
        is_bot: false,
    };
    Outcome::Deliver(Box::new(Converted {
        message: InboundMessage {
            source,
            text,
            message_id: Some(msg.id.clone()),
            reply_to: msg
                .message_reference
                .as_ref()
                .and_then(|r| r.message_id.clone()),
            media: Vec::new(),
            mentioned,
            roles: msg
                .member
                .as_ref()
                .map(|m| m.roles.clone())
                .unwrap_or_default(),
        },
        attachments: msg.attachments.clone(),
        auto_thread,
    }))
}

/// The `Media::kind` for an attachment's content type.
pub(crate) fn media_kind(content_type: Option<&str>) -> &'static str {
    match content_type.unwrap_or("") {
        t if t.starts_with("image/") => "image",
        t if t.starts_with("audio/") => "audio",
        t if t.starts_with("video/") => "video",
        _ => "file",
    }
}

/// The note put in the text for an attachment over the size limit.
pub(crate) fn too_large_note(name: &str, size: u64, max: u64) -> String {
    let limit_mb = (max / (1024 * 1024)).max(1);
    #[allow(clippy::cast_precision_loss)] // a display value
    let size_mb = size as f64 / (1024.0 * 1024.0);
    format!(
        "[Discord attachment {name} skipped: file size {size_mb:.1} MB exceeds the {limit_mb} MB limit. Ask the user to send a smaller file.]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot() -> BotUser {
        BotUser {
            id: "900".into(),
            username: "hermes".into(),
        }
    }

    fn msg(v: serde_json::Value) -> Message {
        serde_json::from_value(v).unwrap()
    }

    fn run(m: &Message, place: Place, cfg: &DiscordConfig, bot_thread: bool) -> Outcome {
        convert(
            m,
            &Context {
                bot: &bot(),
                cfg,
                place,
                bot_thread,
            },
        )
    }

    fn deliver(o: Outcome) -> Converted {
        match o {
            Outcome::Deliver(c) => *c,
            Outcome::Skip(why) => panic!("skipped: {why}"),
        }
    }

    fn guild(content: &str, mentions: &[&str]) -> Message {
        let mentions: Vec<_> = mentions
            .iter()
            .map(|id| serde_json::json!({"id": id, "username": "x"}))
            .collect();
        msg(
            serde_json::json!({"id": "50", "channel_id": "10", "guild_id": "1",
            "content": content, "mentions": mentions, "type": 0,
            "author": {"id": "7", "username": "ann", "global_name": "Ann"},
            "member": {"roles": ["r1", "r2"]}}),
        )
    }

    fn channel() -> Place {
        Place::Channel {
            name: Some("Srv / #general".into()),
        }
    }

    #[test]
    fn dms_and_bots() {
        let cfg = DiscordConfig::new("t", "http://x");
        let m = msg(
            serde_json::json!({"id": "5", "channel_id": "77", "content": "hi",
            "author": {"id": "7", "username": "ann"}}),
        );
        let c = deliver(run(&m, Place::Dm, &cfg, false));
        assert_eq!(c.message.source.chat_type, ChatType::Dm);
        assert_eq!(c.message.source.chat_id, "77");
        assert_eq!(c.message.text, "hi");
        assert!(c.auto_thread.is_none());
        let own = msg(
            serde_json::json!({"id": "6", "channel_id": "77", "content": "x",
            "author": {"id": "900", "username": "hermes", "bot": true}}),
        );
        assert!(matches!(
            run(&own, Place::Dm, &cfg, false),
            Outcome::Skip("own message")
        ));
        let other = msg(
            serde_json::json!({"id": "6", "channel_id": "77", "content": "x",
            "author": {"id": "901", "username": "b", "bot": true}}),
        );
        assert!(matches!(
            run(&other, Place::Dm, &cfg, false),
            Outcome::Skip("from a bot")
        ));
    }

    #[test]
    fn mention_rules_and_auto_thread() {
        let mut cfg = DiscordConfig::new("t", "http://x");
        assert!(matches!(
            run(&guild("hello", &[]), channel(), &cfg, false),
            Outcome::Skip("not mentioned")
        ));
        let c = deliver(run(
            &guild("<@900> what is up", &["900"]),
            channel(),
            &cfg,
            false,
        ));
        assert!(c.message.mentioned);
        assert_eq!(c.message.text, "what is up");
        assert_eq!(c.message.source.chat_type, ChatType::Group);
        assert_eq!(c.message.roles, ["r1", "r2"]);
        assert_eq!(c.message.source.user_name.as_deref(), Some("Ann"));
        assert_eq!(c.auto_thread.as_deref(), Some("what is up"));
        // Threads the bot is in need no mention, unless configured.
        let thread = Place::Thread {
            parent: Some("10".into()),
            name: None,
        };
        let mut m = guild("follow-up", &[]);
        m.channel_id = "88".into();
        let c = deliver(run(&m, thread.clone(), &cfg, true));
        assert_eq!(c.message.source.chat_type, ChatType::Thread);
        assert_eq!(c.message.source.thread_id.as_deref(), Some("88"));
        assert!(c.auto_thread.is_none());
        assert!(matches!(
            run(&m, thread.clone(), &cfg, false),
            Outcome::Skip("not mentioned")
        ));
        cfg.thread_require_mention = true;
        assert!(matches!(
            run(&m, thread, &cfg, true),
            Outcome::Skip("not mentioned")
        ));
        // Free-response channels answer everything, inline.
        cfg.free_response_channels = vec!["10".into()];
        let c = deliver(run(&guild("hello", &[]), channel(), &cfg, false));
        assert!(c.auto_thread.is_none());
        cfg.free_response_channels.clear();
        cfg.no_thread_channels = vec!["10".into()];
        let c = deliver(run(&guild("<@!900> hi", &[]), channel(), &cfg, false));
        assert!(c.auto_thread.is_none());
        assert_eq!(c.message.text, "hi");
        // Allowed and ignored channels.
        cfg.allowed_channels = vec!["11".into()];
        assert!(matches!(
            run(&guild("<@900> hi", &["900"]), channel(), &cfg, false),
            Outcome::Skip("channel not allowed")
        ));
        cfg.allowed_channels.clear();
        cfg.ignored_channels = vec!["*".into()];
        assert!(matches!(
            run(&guild("<@900> hi", &["900"]), channel(), &cfg, false),
            Outcome::Skip("ignored channel")
        ));
    }

    #[test]
    fn replies_and_names() {
        let cfg = DiscordConfig::new("t", "http://x");
        let m = msg(
            serde_json::json!({"id": "51", "channel_id": "77", "content": "why?",
            "type": 19, "author": {"id": "7", "username": "ann"},
            "message_reference": {"message_id": "49"},
            "referenced_message": {"id": "49", "channel_id": "77", "content": "42",
                "author": {"id": "900", "username": "hermes", "bot": true}}}),
        );
        let c = deliver(run(&m, Place::Dm, &cfg, false));
        assert_eq!(c.message.reply_to.as_deref(), Some("49"));
        assert_eq!(
            c.message.text,
            "[Replying to your previous message: \"42\"]\n\nwhy?"
        );
        assert_eq!(thread_name("<@900>  hello   <#5> world"), "hello world");
        assert_eq!(thread_name("<@900>"), "Hermes");
        assert_eq!(thread_name(&"x".repeat(100)).chars().count(), 80);
        assert_eq!(media_kind(Some("image/png")), "image");
        assert_eq!(media_kind(None), "file");
    }
}
