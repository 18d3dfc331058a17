//! Turning Slack `message` / `app_mention` events and slash commands into an
//! [`InboundMessage`] (pure): DMs, channels and threads, other bots (`SLACK_ALLOW_BOTS`), the
//! mention rules. Files are only listed here; the adapter downloads them.

use serde_json::Value;

use super::api::PLATFORM;
use super::config::{AllowBots, SlackConfig};
use crate::gateway::commands;
use crate::platforms::{ChatType, InboundMessage, SessionSource};

/// Message subtypes that carry something a person said.
const USER_SUBTYPES: [&str; 4] = [
    "file_share",
    "thread_broadcast",
    "bot_message",
    "me_message",
];

/// A message worth delivering, plus what the adapter still has to do for it.
#[derive(Debug, Clone)]
pub(crate) struct Converted {
    pub(crate) message: InboundMessage,
    /// `files` objects to download.
    pub(crate) files: Vec<Value>,
    /// A thread (`channel:thread_ts`) the bot was mentioned in, answered from now on.
    pub(crate) remember_thread: Option<String>,
}

/// What to do with an event.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Deliver(Box<Converted>),
    /// Acknowledge without delivering; the reason is for logs and tests.
    #[allow(dead_code)] // read through `Debug` and by tests
    Skip(&'static str),
}

/// The facts besides the event itself.
pub(crate) struct Context<'a> {
    pub(crate) cfg: &'a SlackConfig,
    /// The bot's user id (`U…`, from `auth.test`).
    pub(crate) bot_user: &'a str,
    /// The bot's bot id (`B…`).
    pub(crate) bot_id: Option<&'a str>,
    /// The event's thread is one the bot posted in or was mentioned in.
    pub(crate) known_thread: bool,
}

/// The key of a thread in the adapter's memory.
pub(crate) fn thread_key(channel: &str, thread_ts: &str) -> String {
    format!("{channel}:{thread_ts}")
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Decides what a `message` or `app_mention` event means for the gateway.
pub(crate) fn convert_event(ev: &Value, cx: &Context<'_>) -> Outcome {
    let cfg = cx.cfg;
    let subtype = str_of(ev, "subtype");
    if subtype.is_some_and(|s| !USER_SUBTYPES.contains(&s)) {
        return Outcome::Skip("not a user message");
    }
    let user = str_of(ev, "user");
    let bot_id = str_of(ev, "bot_id");
    if user == Some(cx.bot_user) || (bot_id.is_some() && bot_id == cx.bot_id) {
        return Outcome::Skip("own message");
    }
    let text = str_of(ev, "text").unwrap_or("");
    let mention = format!("<@{}>", cx.bot_user);
    let mentioned = text.contains(&mention);
    let from_bot = bot_id.is_some() || subtype == Some("bot_message");
    if from_bot {
        match cfg.allow_bots {
            AllowBots::None => return Outcome::Skip("from a bot"),
            AllowBots::Mentions if !mentioned => return Outcome::Skip("bot without a mention"),
            _ => {}
        }
    }
    let Some(user) = user.or(bot_id) else {
        return Outcome::Skip("no sender");
    };
    let Some(channel) = str_of(ev, "channel") else {
        return Outcome::Skip("no channel");
    };
    let ts = str_of(ev, "ts").unwrap_or("");
    let thread_ts = str_of(ev, "thread_ts").filter(|t| *t != ts);
    let channel_type = str_of(ev, "channel_type").unwrap_or(if channel.starts_with('D') {
        "im"
    } else {
        "channel"
    });
    let dm = channel_type == "im";
    let mut remember_thread = None;
    if !dm {
        if !cfg.allowed_channels.is_empty() && !cfg.allowed_channels.iter().any(|c| c == channel) {
            return Outcome::Skip("channel not allowed");
        }
        let free = cfg
            .free_response_channels
            .iter()
            .any(|c| c == channel || c == "*");
        if !free && cfg.require_mention {
            if cfg.strict_mention && !mentioned {
                return Outcome::Skip("not mentioned (strict)");
            }
            let in_known_thread =
                thread_ts.is_some() && cx.known_thread && !cfg.thread_require_mention;
            if !mentioned && !in_known_thread {
                return Outcome::Skip("not mentioned");
            }
        }
        if mentioned
            && !cfg.strict_mention
            && let Some(t) = thread_ts
        {
            remember_thread = Some(thread_key(channel, t));
        }
    }
    let (chat_type, thread_id) = match (dm, thread_ts) {
        (true, t) => (ChatType::Dm, t),
        (false, Some(t)) => (ChatType::Thread, Some(t)),
        (false, None) if cfg.reply_in_thread && !ts.is_empty() => (ChatType::Thread, Some(ts)),
        (false, None) => (ChatType::Group, None),
    };
    let cleaned = if mentioned {
        text.replace(&mention, "").trim().to_string()
    } else {
        text.trim().to_string()
    };
    let profile = ev.get("user_profile");
    let user_name = profile
        .and_then(|p| str_of(p, "display_name").or_else(|| str_of(p, "real_name")))
        .or_else(|| str_of(ev, "username"))
        .map(str::to_string);
    Outcome::Deliver(Box::new(Converted {
        message: InboundMessage {
            source: SessionSource {
                platform: PLATFORM.to_string(),
                chat_id: channel.to_string(),
                chat_name: None,
                chat_type,
                user_id: Some(user.to_string()),
                user_name,
                thread_id: thread_id.map(str::to_string),
                user_id_alt: None,
                is_bot: from_bot,
            },
            text: cleaned,
            message_id: Some(ts.to_string()).filter(|t| !t.is_empty()),
            reply_to: None,
            media: Vec::new(),
            mentioned,
            roles: Vec::new(),
        },
        files: ev
            .get("files")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        remember_thread,
    }))
}

/// The text a slash command stands for: `/hermes new` → `/new`, `/hermes what…` → the
/// question, `/hermes` → `/help`, `/stop x` → `/stop x`.
fn command_text(command: &str, text: &str) -> String {
    let name = command.trim().trim_start_matches('/');
    let text = text.trim();
    if !name.is_empty() && name != "hermes" {
        return format!("/{name} {text}").trim().to_string();
    }
    let first = text.split_whitespace().next().unwrap_or("");
    if first.is_empty() {
        return "/help".into();
    }
    if commands::lookup(first.trim_start_matches('/')).is_some() {
        return format!("/{}", text.trim_start_matches('/'));
    }
    text.to_string()
}

/// A `slash_commands` payload as an inbound message.
pub(crate) fn convert_command(p: &Value) -> Outcome {
    let (Some(user), Some(channel)) = (str_of(p, "user_id"), str_of(p, "channel_id")) else {
        return Outcome::Skip("command without user or channel");
    };
    let text = command_text(
        str_of(p, "command").unwrap_or(""),
        str_of(p, "text").unwrap_or(""),
    );
    let dm = channel.starts_with('D');
    Outcome::Deliver(Box::new(Converted {
        message: InboundMessage {
            source: SessionSource {
                platform: PLATFORM.to_string(),
                chat_id: channel.to_string(),
                chat_name: str_of(p, "channel_name")
                    .filter(|_| !dm)
                    .map(|n| format!("#{n}")),
                chat_type: if dm { ChatType::Dm } else { ChatType::Group },
                user_id: Some(user.to_string()),
                user_name: str_of(p, "user_name").map(str::to_string),
                thread_id: None,
                user_id_alt: None,
                is_bot: false,
            },
            text,
            message_id: None,
            reply_to: None,
            media: Vec::new(),
            mentioned: true,
            roles: Vec::new(),
        },
        files: Vec::new(),
        remember_thread: None,
    }))
}

/// The `Media::kind` for a MIME type.
pub(crate) fn media_kind(mime: &str) -> &'static str {
    match mime {
        m if m.starts_with("image/") => "image",
        m if m.starts_with("audio/") => "audio",
        m if m.starts_with("video/") => "video",
        _ => "file",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cx(cfg: &SlackConfig, known_thread: bool) -> Context<'_> {
        Context {
            cfg,
            bot_user: "UBOT",
            bot_id: Some("BBOT"),
            known_thread,
        }
    }

    fn deliver(o: Outcome) -> Converted {
        match o {
            Outcome::Deliver(c) => *c,
            Outcome::Skip(why) => panic!("skipped: {why}"),
        }
    }

    fn chan(text: &str) -> Value {
        json!({"type": "message", "user": "U1", "text": text, "ts": "100.1",
            "channel": "C1", "channel_type": "channel"})
    }

    #[test]
    fn dms_channels_and_threads() {
        let cfg = SlackConfig::new("xoxb", "xapp", "http://x");
        let dm = json!({"type": "message", "user": "U1", "text": "hi", "ts": "1.0",
            "channel": "D1", "channel_type": "im", "user_profile": {"display_name": "Ann"}});
        let c = deliver(convert_event(&dm, &cx(&cfg, false)));
        assert_eq!(c.message.source.chat_type, ChatType::Dm);
        assert_eq!(c.message.source.thread_id, None);
        assert_eq!(c.message.source.user_name.as_deref(), Some("Ann"));
        assert_eq!(c.message.message_id.as_deref(), Some("1.0"));
        // A top-level mention in a channel opens a thread under it.
        let c = deliver(convert_event(&chan("<@UBOT> hello"), &cx(&cfg, false)));
        assert_eq!(c.message.text, "hello");
        assert_eq!(c.message.source.chat_type, ChatType::Thread);
        assert_eq!(c.message.source.thread_id.as_deref(), Some("100.1"));
        let mut inline = cfg.clone();
        inline.reply_in_thread = false;
        let c = deliver(convert_event(&chan("<@UBOT> hello"), &cx(&inline, false)));
        assert_eq!(c.message.source.chat_type, ChatType::Group);
        // A reply in a thread.
        let mut ev = chan("<@UBOT> more");
        ev["thread_ts"] = json!("99.0");
        let c = deliver(convert_event(&ev, &cx(&cfg, false)));
        assert_eq!(c.message.source.thread_id.as_deref(), Some("99.0"));
        assert_eq!(c.remember_thread.as_deref(), Some("C1:99.0"));
        // app_mention events have no channel_type.
        let ev = json!({"type": "app_mention", "user": "U1", "text": "<@UBOT> yo",
            "ts": "5.5", "channel": "C9"});
        assert_eq!(
            deliver(convert_event(&ev, &cx(&cfg, false)))
                .message
                .source
                .chat_type,
            ChatType::Thread
        );
        // Edits and joins are not messages.
        let mut ev = chan("<@UBOT> x");
        ev["subtype"] = json!("message_changed");
        assert!(matches!(
            convert_event(&ev, &cx(&cfg, false)),
            Outcome::Skip(_)
        ));
    }

    #[test]
    fn mention_rules() {
        let mut cfg = SlackConfig::new("xoxb", "xapp", "http://x");
        assert!(matches!(
            convert_event(&chan("hello"), &cx(&cfg, false)),
            Outcome::Skip("not mentioned")
        ));
        let mut reply = chan("and then?");
        reply["thread_ts"] = json!("99.0");
        assert!(matches!(
            convert_event(&reply, &cx(&cfg, false)),
            Outcome::Skip("not mentioned")
        ));
        assert!(
            !deliver(convert_event(&reply, &cx(&cfg, true)))
                .message
                .mentioned
        );
        cfg.thread_require_mention = true;
        assert!(matches!(
            convert_event(&reply, &cx(&cfg, true)),
            Outcome::Skip("not mentioned")
        ));
        let mut mentioned_reply = chan("<@UBOT> and then?");
        mentioned_reply["thread_ts"] = json!("99.0");
        assert!(
            deliver(convert_event(&mentioned_reply, &cx(&cfg, true)))
                .message
                .mentioned
        );
        cfg.thread_require_mention = false;
        cfg.strict_mention = true;
        assert!(matches!(
            convert_event(&reply, &cx(&cfg, true)),
            Outcome::Skip("not mentioned (strict)")
        ));
        let mut ev = chan("<@UBOT> x");
        ev["thread_ts"] = json!("99.0");
        assert_eq!(
            deliver(convert_event(&ev, &cx(&cfg, false))).remember_thread,
            None
        );
        cfg.strict_mention = false;
        cfg.free_response_channels = vec!["C1".into()];
        assert!(
            !deliver(convert_event(&chan("hello"), &cx(&cfg, false)))
                .message
                .mentioned
        );
        cfg.free_response_channels.clear();
        cfg.require_mention = false;
        deliver(convert_event(&chan("hello"), &cx(&cfg, false)));
        cfg.allowed_channels = vec!["C2".into()];
        assert!(matches!(
            convert_event(&chan("<@UBOT> hi"), &cx(&cfg, false)),
            Outcome::Skip("channel not allowed")
        ));
    }

    #[test]
    fn bots() {
        let mut cfg = SlackConfig::new("xoxb", "xapp", "http://x");
        let bot = |text: &str| {
            json!({"type": "message", "subtype": "bot_message", "bot_id": "B2", "text": text,
                "ts": "1.0", "channel": "C1", "channel_type": "channel"})
        };
        assert!(matches!(
            convert_event(&bot("<@UBOT> hi"), &cx(&cfg, false)),
            Outcome::Skip("from a bot")
        ));
        cfg.allow_bots = AllowBots::Mentions;
        assert!(matches!(
            convert_event(&bot("hi"), &cx(&cfg, false)),
            Outcome::Skip("bot without a mention")
        ));
        let c = deliver(convert_event(&bot("<@UBOT> hi"), &cx(&cfg, false)));
        assert!(c.message.source.is_bot);
        assert_eq!(c.message.source.user_id.as_deref(), Some("B2"));
        cfg.allow_bots = AllowBots::All;
        let own = json!({"type": "message", "bot_id": "BBOT", "user": "UBOT", "text": "x",
            "ts": "1.0", "channel": "C1"});
        assert!(matches!(
            convert_event(&own, &cx(&cfg, false)),
            Outcome::Skip("own message")
        ));
    }

    #[test]
    fn slash_commands() {
        assert_eq!(command_text("/hermes", "new"), "/new");
        assert_eq!(command_text("/hermes", ""), "/help");
        assert_eq!(command_text("/hermes", "what is up"), "what is up");
        assert_eq!(command_text("/stop", ""), "/stop");
        assert_eq!(command_text("/model", "gpt"), "/model gpt");
        let c = deliver(convert_command(
            &json!({"command": "/hermes", "text": "status",
            "user_id": "U1", "channel_id": "D1"}),
        ));
        assert_eq!(c.message.text, "/status");
        assert_eq!(c.message.source.chat_type, ChatType::Dm);
        assert_eq!(media_kind("image/png"), "image");
    }
}
