//! Where a message came from (`SessionSource`) and the deterministic session key built from it.
//! The key decides which conversation a message joins; storing the conversation is `store`'s job.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of chat a message arrived in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatType {
    /// A private conversation with one user.
    #[default]
    Dm,
    /// A group chat.
    Group,
    /// A channel (Discord, Slack, Mattermost, …).
    Channel,
    /// A thread or forum topic.
    Thread,
}

impl ChatType {
    /// The lowercase name used in session keys, `sessions.json` and `gateway.json`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dm => "dm",
            Self::Group => "group",
            Self::Channel => "channel",
            Self::Thread => "thread",
        }
    }
}

impl fmt::Display for ChatType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a message originated: enough to route the reply back and to key the session.
///
/// Serialises like upstream's `SessionSource.to_dict()` (the `origin` of a `sessions.json`
/// entry), so routing entries written by either implementation read back in the other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSource {
    /// The platform name, e.g. `telegram`.
    pub platform: String,
    /// The chat (conversation, room, channel) id; empty when the platform gave none.
    #[serde(default, deserialize_with = "string_or_number")]
    pub chat_id: String,
    /// The chat's display name.
    #[serde(default)]
    pub chat_name: Option<String>,
    /// DM, group, channel or thread.
    #[serde(default)]
    pub chat_type: ChatType,
    /// The sender's id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The sender's display name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// The thread or forum topic id.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// A stable alternative sender id (Signal UUID, Feishu `union_id`); preferred for keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id_alt: Option<String>,
    /// Whether the sender is a bot.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_bot: bool,
}

impl SessionSource {
    /// The chat to answer in.
    #[must_use]
    pub fn chat(&self) -> crate::platforms::ChatRef {
        crate::platforms::ChatRef {
            platform: self.platform.clone(),
            chat_id: self.chat_id.clone(),
            thread_id: self.thread_id.clone(),
        }
    }
}

/// Upstream writes `chat_id` as a string, but hand-edited files sometimes hold a number.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// The key namespace of a standalone gateway (`agent:<profile>` when multiplexed).
const NAMESPACE: &str = "agent:main";

/// Builds the session key for a message source (upstream-behavior §4.6).
///
/// * DM: `agent:main:<platform>:dm:<chat_id>[:<thread_id>]`; without a chat id the sender's
///   id stands in, so two users never share one conversation.
/// * Group, channel, thread: `agent:main:<platform>:<chat_type>:<chat_id>[:<thread_id>]`,
///   then `:<user_id>` when `group_sessions_per_user` — except inside a thread, where the user
///   is appended only when `thread_sessions_per_user` (threads are shared by default).
#[must_use]
pub fn build_session_key(
    source: &SessionSource,
    group_sessions_per_user: bool,
    thread_sessions_per_user: bool,
) -> String {
    let platform = source.platform.as_str();
    let thread = source.thread_id.as_deref().filter(|t| !t.is_empty());
    let participant = source
        .user_id_alt
        .as_deref()
        .or(source.user_id.as_deref())
        .filter(|u| !u.is_empty());

    if source.chat_type == ChatType::Dm {
        let who = if source.chat_id.is_empty() {
            participant
        } else {
            Some(source.chat_id.as_str())
        };
        let mut key = format!("{NAMESPACE}:{platform}:dm");
        for part in [who, thread].into_iter().flatten() {
            key.push(':');
            key.push_str(part);
        }
        return key;
    }

    let mut key = format!("{NAMESPACE}:{platform}:{}", source.chat_type);
    if !source.chat_id.is_empty() {
        key.push(':');
        key.push_str(&source.chat_id);
    }
    if let Some(thread) = thread {
        key.push(':');
        key.push_str(thread);
    }
    let per_user = if thread.is_some() {
        thread_sessions_per_user
    } else {
        group_sessions_per_user
    };
    if per_user && let Some(user) = participant {
        key.push(':');
        key.push_str(user);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(platform: &str, chat_type: ChatType, chat: &str) -> SessionSource {
        SessionSource {
            platform: platform.into(),
            chat_id: chat.into(),
            chat_type,
            user_id: Some("u1".into()),
            ..SessionSource::default()
        }
    }

    #[test]
    fn dm_keys() {
        let s = src("telegram", ChatType::Dm, "123456789");
        assert_eq!(
            build_session_key(&s, true, false),
            "agent:main:telegram:dm:123456789"
        );
        let threaded = SessionSource {
            thread_id: Some("7".into()),
            ..s.clone()
        };
        assert_eq!(
            build_session_key(&threaded, true, false),
            "agent:main:telegram:dm:123456789:7"
        );
        // The per-user flags never apply to DMs.
        assert_eq!(
            build_session_key(&s, false, true),
            "agent:main:telegram:dm:123456789"
        );
    }

    #[test]
    fn dm_without_chat_id_falls_back_to_sender() {
        let s = src("signal", ChatType::Dm, "");
        assert_eq!(
            build_session_key(&s, true, false),
            "agent:main:signal:dm:u1"
        );
        let alt = SessionSource {
            user_id_alt: Some("uuid-9".into()),
            ..s.clone()
        };
        assert_eq!(
            build_session_key(&alt, true, false),
            "agent:main:signal:dm:uuid-9"
        );
        let nobody = SessionSource { user_id: None, ..s };
        assert_eq!(
            build_session_key(&nobody, true, false),
            "agent:main:signal:dm"
        );
    }

    #[test]
    fn group_keys_follow_per_user_flag() {
        let s = src("discord", ChatType::Group, "chan");
        assert_eq!(
            build_session_key(&s, true, false),
            "agent:main:discord:group:chan:u1"
        );
        assert_eq!(
            build_session_key(&s, false, false),
            "agent:main:discord:group:chan"
        );
        let channel = src("mattermost", ChatType::Channel, "town");
        assert_eq!(
            build_session_key(&channel, true, false),
            "agent:main:mattermost:channel:town:u1"
        );
    }

    #[test]
    fn threads_are_shared_unless_thread_per_user() {
        let s = SessionSource {
            thread_id: Some("1700000000.0001".into()),
            ..src("slack", ChatType::Group, "C123")
        };
        assert_eq!(
            build_session_key(&s, true, false),
            "agent:main:slack:group:C123:1700000000.0001"
        );
        assert_eq!(
            build_session_key(&s, true, true),
            "agent:main:slack:group:C123:1700000000.0001:u1"
        );
        // thread_sessions_per_user alone decides inside a thread.
        assert_eq!(
            build_session_key(&s, false, true),
            "agent:main:slack:group:C123:1700000000.0001:u1"
        );
        let t = SessionSource {
            thread_id: Some("55".into()),
            ..src("discord", ChatType::Thread, "guildchan")
        };
        assert_eq!(
            build_session_key(&t, true, false),
            "agent:main:discord:thread:guildchan:55"
        );
    }

    #[test]
    fn group_without_user_or_chat() {
        let s = SessionSource {
            user_id: None,
            ..src("telegram", ChatType::Group, "-100")
        };
        assert_eq!(
            build_session_key(&s, true, false),
            "agent:main:telegram:group:-100"
        );
        let bare = SessionSource {
            user_id: None,
            ..src("telegram", ChatType::Group, "")
        };
        assert_eq!(
            build_session_key(&bare, true, false),
            "agent:main:telegram:group"
        );
    }

    #[test]
    fn source_reads_upstream_origin_json() {
        let json = r#"{"platform": "telegram", "chat_id": 42, "chat_name": "Ann",
            "chat_type": "dm", "user_id": "42", "user_name": "ann", "thread_id": null,
            "chat_topic": null, "scope_id": "x"}"#;
        let s: SessionSource = serde_json::from_str(json).unwrap();
        assert_eq!(s.chat_id, "42");
        assert_eq!(s.chat_type, ChatType::Dm);
        assert_eq!(s.user_name.as_deref(), Some("ann"));
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(back["chat_type"], "dm");
        assert!(back.get("user_id_alt").is_none());
    }
}
