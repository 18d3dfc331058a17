//! Where cron output goes: `origin`, `local`, `<platform>` (its home channel),
//! `<platform>:<chat_id>[:<thread_id>]`, `all`, and comma fan-out of those. Validation at
//! creation and resolution at fire time live here; sending is the gateway's (`Deliverer`).

use serde_json::Value;

use crate::config::{Env, Settings};

/// Platforms a job may deliver to.
pub const KNOWN_PLATFORMS: &[&str] = &[
    "telegram",
    "discord",
    "slack",
    "whatsapp",
    "signal",
    "sms",
    "email",
    "homeassistant",
    "mattermost",
    "matrix",
    "dingtalk",
    "feishu",
    "wecom",
    "weixin",
    "bluebubbles",
    "qq",
    "api_server",
    "webhook",
];

/// Why a delivery target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not one of the known platforms.
    #[error("unknown delivery platform '{platform}'")]
    UnknownPlatform { platform: String },
    /// A bare platform without a home channel to send to.
    #[error("'{platform}' has no home channel to deliver to")]
    NoHomeChannel { platform: String, env_var: String },
    /// `origin` without a chat to return to (created from the CLI).
    #[error("deliver=origin needs a chat to reply to, and this job is not created from one")]
    NoOrigin,
    /// `platform:` with nothing after it, or an empty list.
    #[error("empty delivery target in '{value}'")]
    Empty { value: String },
    /// `all` while no platform has a home channel.
    #[error("deliver=all sends to every home channel, and no platform has one")]
    NoHomeChannels,
    /// A platform that is not set up in this profile.
    #[error("{platform} is not configured in this profile{}", detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    NotConfigured {
        platform: String,
        detail: Option<String>,
    },
}

impl TargetError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::UnknownPlatform { .. } => vec![format!(
                "known platforms: {}",
                KNOWN_PLATFORMS.join(", ")
            )],
            Self::NoHomeChannel { platform, env_var } => vec![
                format!("send `/sethome` in the {platform} chat that should receive cron output"),
                format!("or set {env_var} (e.g. `hermes config set {env_var} CHAT_ID`)"),
                format!("or name the chat directly: `--deliver {platform}:CHAT_ID`"),
            ],
            Self::NoOrigin => vec![
                "use `--deliver local` to keep output in files only".into(),
                "or a platform target: `--deliver telegram` (its home channel) or `--deliver telegram:CHAT_ID`".into(),
            ],
            Self::Empty { .. } => vec![
                "targets look like `local`, `telegram`, `telegram:CHAT_ID`, `discord:CHAT_ID:THREAD_ID`".into(),
            ],
            Self::NoHomeChannels => vec![
                "send `/sethome` in the chat that should receive cron output, or set e.g. TELEGRAM_HOME_CHANNEL".into(),
                "or name a chat directly: `--deliver telegram:CHAT_ID`".into(),
            ],
            Self::NotConfigured { platform, .. } => vec![
                format!("set {platform} up with `hermes gateway setup`, or pick a configured platform"),
            ],
        }
    }
}

/// One parsed delivery target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The chat the job was created from.
    Origin,
    /// Files only.
    Local,
    /// Every platform with a home channel, resolved at fire time.
    All,
    /// A platform's home channel.
    Home { platform: String },
    /// A specific chat (and thread).
    Chat {
        platform: String,
        chat_id: String,
        thread_id: Option<String>,
    },
}

/// A concrete place to send to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChatTarget {
    /// Platform name (`telegram`).
    pub platform: String,
    /// Chat, channel or room id.
    pub chat_id: String,
    /// Thread or topic, where the platform has them.
    pub thread_id: Option<String>,
}

impl std::fmt::Display for ChatTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.platform, self.chat_id)?;
        if let Some(t) = &self.thread_id {
            write!(f, ":{t}")?;
        }
        Ok(())
    }
}

/// Parses a `deliver` value (comma fan-out allowed); names are checked, homes are not.
pub fn parse(value: &str) -> Result<Vec<Target>, TargetError> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_ascii_lowercase();
        let target = match lower.as_str() {
            "origin" => Target::Origin,
            "local" => Target::Local,
            "all" => Target::All,
            _ => match part.split_once(':') {
                None => Target::Home {
                    platform: known(&lower)?,
                },
                Some((p, rest)) => {
                    let platform = known(&p.to_ascii_lowercase())?;
                    let (chat_id, thread_id) = split_chat(&platform, rest);
                    if chat_id.is_empty() {
                        return Err(TargetError::Empty {
                            value: value.to_string(),
                        });
                    }
                    Target::Chat {
                        platform,
                        chat_id,
                        thread_id,
                    }
                }
            },
        };
        out.push(target);
    }
    if out.is_empty() {
        return Err(TargetError::Empty {
            value: value.to_string(),
        });
    }
    Ok(out)
}

fn known(platform: &str) -> Result<String, TargetError> {
    // `qqbot` is upstream's newer name for the QQ platform.
    let p = if platform == "qqbot" { "qq" } else { platform };
    if KNOWN_PLATFORMS.contains(&p) {
        Ok(p.to_string())
    } else {
        Err(TargetError::UnknownPlatform {
            platform: platform.to_string(),
        })
    }
}

fn split_chat(platform: &str, rest: &str) -> (String, Option<String>) {
    // `signal:group:<id>` names a group, not a thread.
    if platform == "signal" && rest.starts_with("group:") {
        return (rest.to_string(), None);
    }
    // Matrix room ids carry their server after a colon (`!room:example.org`); a thread is an
    // event id, which starts with `$` (`!room:example.org:$event`).
    if platform == "matrix" {
        return match rest.rsplit_once(":$") {
            Some((room, event)) if !room.is_empty() => {
                (room.to_string(), Some(format!("${event}")))
            }
            _ => (rest.to_string(), None),
        };
    }
    match rest.rsplit_once(':') {
        Some((chat, thread)) if !thread.is_empty() && !chat.is_empty() => {
            (chat.to_string(), Some(thread.to_string()))
        }
        _ => (rest.to_string(), None),
    }
}

/// Home channels as configured: `<PLATFORM>_HOME_CHANNEL` in the environment, else
/// `platforms.<p>.home_channel` in config.yaml.
#[derive(Debug, Clone, Default)]
pub struct HomeChannels {
    homes: Vec<ChatTarget>,
}

impl HomeChannels {
    /// Reads every known platform's home channel.
    #[must_use]
    pub fn from_config(env: &Env, settings: &Settings) -> Self {
        let mut homes = Vec::new();
        for p in KNOWN_PLATFORMS {
            let var = home_env_var(p);
            let from_env = std::iter::once(var.clone())
                .chain(legacy_env_vars(p).iter().map(|s| (*s).to_string()))
                .find_map(|v| env.get(&v).map(|c| (v, c.to_string())));
            let home = if let Some((v, chat_id)) = from_env {
                let thread = (*p == "telegram")
                    .then(|| env.get("TELEGRAM_CRON_THREAD_ID"))
                    .flatten()
                    .or_else(|| env.get(&format!("{v}_THREAD_ID")))
                    .map(str::to_string);
                Some((chat_id, thread))
            } else {
                settings
                    .platforms
                    .get(*p)
                    .and_then(|v| v.get("home_channel"))
                    .and_then(home_from_yaml)
            };
            if let Some((chat_id, thread_id)) = home {
                homes.push(ChatTarget {
                    platform: (*p).to_string(),
                    chat_id,
                    thread_id,
                });
            }
        }
        Self { homes }
    }

    /// Explicit home channels (tests, the gateway's live view).
    #[must_use]
    pub fn from_list(homes: Vec<ChatTarget>) -> Self {
        Self { homes }
    }

    /// A platform's home channel.
    #[must_use]
    pub fn get(&self, platform: &str) -> Option<&ChatTarget> {
        self.homes.iter().find(|h| h.platform == platform)
    }

    /// Every configured home channel.
    #[must_use]
    pub fn all(&self) -> &[ChatTarget] {
        &self.homes
    }
}

/// `<PLATFORM>_HOME_CHANNEL`.
#[must_use]
pub fn home_env_var(platform: &str) -> String {
    format!("{}_HOME_CHANNEL", platform.to_ascii_uppercase())
}

/// Upstream's other names for some home channels, read after the regular one.
fn legacy_env_vars(platform: &str) -> &'static [&'static str] {
    match platform {
        "matrix" => &["MATRIX_HOME_ROOM"],
        "email" => &["EMAIL_HOME_ADDRESS"],
        "qq" => &["QQBOT_HOME_CHANNEL"],
        _ => &[],
    }
}

fn home_from_yaml(v: &serde_yaml_ng::Value) -> Option<(String, Option<String>)> {
    let scalar = |v: &serde_yaml_ng::Value| match v {
        serde_yaml_ng::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(s) = scalar(v) {
        return Some((s, None));
    }
    let chat = v.get("chat_id").and_then(scalar)?;
    Some((chat, v.get("thread_id").and_then(scalar)))
}

/// Checks targets when a job is created or edited. `origin` is the creating chat, if any.
pub fn validate(
    targets: &[Target],
    origin: Option<&ChatTarget>,
    homes: &HomeChannels,
) -> Result<(), TargetError> {
    for t in targets {
        match t {
            Target::Origin if origin.is_none() => return Err(TargetError::NoOrigin),
            Target::All if homes.all().is_empty() => return Err(TargetError::NoHomeChannels),
            Target::Home { platform }
                if homes.get(platform).is_none()
                    && origin.is_none_or(|o| &o.platform != platform) =>
            {
                return Err(TargetError::NoHomeChannel {
                    platform: platform.clone(),
                    env_var: home_env_var(platform),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks that every platform `targets` name has an adapter set up: `configured` lists
/// them, `problems` holds the setup errors of the others (`telegram: ...`), shown as they
/// are. The creating chat's platform always counts.
pub fn check_configured(
    targets: &[Target],
    origin: Option<&ChatTarget>,
    configured: &[String],
    problems: &[String],
) -> Result<(), TargetError> {
    for t in targets {
        let (Target::Home { platform } | Target::Chat { platform, .. }) = t else {
            continue;
        };
        if configured.iter().any(|c| c == platform)
            || origin.is_some_and(|o| &o.platform == platform)
        {
            continue;
        }
        let prefix = format!("{platform}:");
        let detail = problems
            .iter()
            .find(|p| p.starts_with(&prefix) || p.starts_with(platform.as_str()))
            .cloned();
        return Err(TargetError::NotConfigured {
            platform: platform.clone(),
            detail,
        });
    }
    Ok(())
}

/// What a `deliver` value comes to when a job fires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Chats to send to, without duplicates, in order.
    pub chats: Vec<ChatTarget>,
    /// Parts that could not be resolved, each with the reason.
    pub unresolved: Vec<String>,
}

/// Resolves a stored `deliver` value against the job's origin and the home channels now.
#[must_use]
pub fn resolve(deliver: &str, origin: Option<&ChatTarget>, homes: &HomeChannels) -> Resolved {
    let mut out = Resolved::default();
    let targets = match parse(deliver) {
        Ok(t) => t,
        Err(e) => {
            out.unresolved.push(format!("{deliver}: {e}"));
            return out;
        }
    };
    let push = |c: ChatTarget, out: &mut Resolved| {
        if !out.chats.contains(&c) {
            out.chats.push(c);
        }
    };
    for t in targets {
        match t {
            Target::Local => {}
            Target::Origin => match origin {
                Some(o) => push(o.clone(), &mut out),
                None => out
                    .unresolved
                    .push("origin: the job has no origin chat".into()),
            },
            Target::All => {
                if homes.all().is_empty() {
                    out.unresolved.push("all: no home channels are set".into());
                }
                for h in homes.all() {
                    push(h.clone(), &mut out);
                }
            }
            Target::Home { platform } => {
                let found = origin
                    .filter(|o| o.platform == platform)
                    .or_else(|| homes.get(&platform))
                    .cloned();
                match found {
                    Some(c) => push(c, &mut out),
                    None => out.unresolved.push(format!(
                        "{platform}: no home channel (set {})",
                        home_env_var(&platform)
                    )),
                }
            }
            Target::Chat {
                platform,
                chat_id,
                thread_id,
            } => push(
                ChatTarget {
                    platform,
                    chat_id,
                    thread_id,
                },
                &mut out,
            ),
        }
    }
    out
}

/// A job's `origin` record (`{platform, chat_id, thread_id, …}`) as a chat.
#[must_use]
pub fn origin_chat(origin: Option<&Value>) -> Option<ChatTarget> {
    let o = origin?.as_object()?;
    let text = |k: &str| match o.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    Some(ChatTarget {
        platform: text("platform")?,
        chat_id: text("chat_id")?,
        thread_id: text("thread_id"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(p: &str, c: &str, t: Option<&str>) -> ChatTarget {
        ChatTarget {
            platform: p.into(),
            chat_id: c.into(),
            thread_id: t.map(Into::into),
        }
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(parse("local").unwrap(), [Target::Local]);
        assert_eq!(parse("origin").unwrap(), [Target::Origin]);
        assert_eq!(
            parse("Telegram").unwrap(),
            [Target::Home {
                platform: "telegram".into()
            }]
        );
        assert_eq!(
            parse("telegram:-1001:17, discord:42").unwrap(),
            [
                Target::Chat {
                    platform: "telegram".into(),
                    chat_id: "-1001".into(),
                    thread_id: Some("17".into())
                },
                Target::Chat {
                    platform: "discord".into(),
                    chat_id: "42".into(),
                    thread_id: None
                },
            ]
        );
        assert_eq!(
            parse("signal:group:abc=").unwrap(),
            [Target::Chat {
                platform: "signal".into(),
                chat_id: "group:abc=".into(),
                thread_id: None
            }]
        );
        assert_eq!(
            parse("weixin:o9cq80y9HMRyFHDRQ5NMyWk8cYcc@im.wechat").unwrap()[0],
            Target::Chat {
                platform: "weixin".into(),
                chat_id: "o9cq80y9HMRyFHDRQ5NMyWk8cYcc@im.wechat".into(),
                thread_id: None
            }
        );
        assert_eq!(parse("all").unwrap(), [Target::All]);
    }

    #[test]
    fn refuses_unknown_and_empty() {
        let e = parse("telegarm").unwrap_err();
        assert_eq!(
            e,
            TargetError::UnknownPlatform {
                platform: "telegarm".into()
            }
        );
        assert!(e.hints()[0].contains("telegram, discord"));
        assert!(matches!(
            parse("telegram:").unwrap_err(),
            TargetError::Empty { .. }
        ));
        assert!(matches!(
            parse(" , ").unwrap_err(),
            TargetError::Empty { .. }
        ));
    }

    #[test]
    fn validation_needs_homes_and_origin() {
        let homes = HomeChannels::from_list(vec![chat("telegram", "123", None)]);
        assert!(validate(&parse("telegram,local").unwrap(), None, &homes).is_ok());
        let e = validate(&parse("discord").unwrap(), None, &homes).unwrap_err();
        assert_eq!(
            e,
            TargetError::NoHomeChannel {
                platform: "discord".into(),
                env_var: "DISCORD_HOME_CHANNEL".into()
            }
        );
        assert!(e.hints().iter().any(|h| h.contains("/sethome")));
        assert_eq!(
            validate(&parse("origin").unwrap(), None, &homes),
            Err(TargetError::NoOrigin)
        );
        let o = chat("discord", "9", None);
        assert!(validate(&parse("origin,discord").unwrap(), Some(&o), &homes).is_ok());
    }

    #[test]
    fn homes_from_env_and_config() {
        let env = Env::from_pairs([
            ("TELEGRAM_HOME_CHANNEL", "-100"),
            ("TELEGRAM_HOME_CHANNEL_THREAD_ID", "5"),
            ("MATRIX_HOME_ROOM", "!r:x"),
        ]);
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str("platforms:\n  slack:\n    home_channel: C42\n  discord:\n    home_channel:\n      chat_id: 77\n").unwrap();
        let settings = Settings::resolve(&doc, &env).unwrap();
        let homes = HomeChannels::from_config(&env, &settings);
        assert_eq!(
            homes.get("telegram"),
            Some(&chat("telegram", "-100", Some("5")))
        );
        assert_eq!(homes.get("slack"), Some(&chat("slack", "C42", None)));
        assert_eq!(homes.get("discord"), Some(&chat("discord", "77", None)));
        assert_eq!(homes.get("matrix"), Some(&chat("matrix", "!r:x", None)));
        assert_eq!(homes.get("weixin"), None);
    }

    #[test]
    fn resolution_fans_out_and_dedups() {
        let homes =
            HomeChannels::from_list(vec![chat("telegram", "1", None), chat("slack", "C", None)]);
        let origin = chat("telegram", "1", None);
        let r = resolve("origin,telegram,all,discord:5", Some(&origin), &homes);
        assert_eq!(
            r.chats,
            [
                chat("telegram", "1", None),
                chat("slack", "C", None),
                chat("discord", "5", None)
            ]
        );
        assert!(r.unresolved.is_empty());
        let r = resolve("local", None, &homes);
        assert!(r.chats.is_empty() && r.unresolved.is_empty());
        let r = resolve("origin,weixin", None, &HomeChannels::default());
        assert_eq!(r.unresolved.len(), 2);
    }
}

#[cfg(test)]
mod matrix_tests {
    use super::split_chat;

    #[test]
    fn matrix_room_ids_keep_their_server() {
        assert_eq!(
            split_chat("matrix", "!abc:example.org"),
            ("!abc:example.org".into(), None)
        );
        assert_eq!(
            split_chat("matrix", "!abc:example.org:$ev1"),
            ("!abc:example.org".into(), Some("$ev1".into()))
        );
        assert_eq!(
            split_chat("telegram", "-100:7"),
            ("-100".into(), Some("7".into()))
        );
    }
}
