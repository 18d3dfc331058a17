//! The Discord adapter's settings, read from the merged environment (`DISCORD_*`) over
//! `config.yaml` (`discord:` and `platforms.discord`). Access control (`DISCORD_ALLOWED_USERS`,
//! `_ALLOWED_ROLES`) is the auth module's; this holds what the adapter itself decides.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_yaml_ng::Value;

use crate::config::{Env, Settings};
use crate::platforms::sources::{Sources, parse_bool, scalar};

/// The public REST API (version 10).
pub const DEFAULT_API_BASE_URL: &str = "https://discord.com/api/v10";
/// The largest inbound attachment downloaded (Discord's own upload cap for most servers).
pub const DEFAULT_MEDIA_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// When a reply references the user's message (`DISCORD_REPLY_TO_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyToMode {
    /// Never reference it.
    Off,
    /// On the first chunk only.
    #[default]
    First,
    /// On every chunk.
    All,
}

impl ReplyToMode {
    /// Parses `off|first|all` (`false` counts as `off`, as upstream writes it).
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "off" | "false" | "none" => Some(Self::Off),
            "first" => Some(Self::First),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// Delays of the connection loop (tests shorten them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// Opening the websocket.
    pub connect: Duration,
    /// Waiting for Hello after connecting.
    pub hello: Duration,
    /// The pause before identifying again after Invalid Session (Discord asks for 1–5 s).
    pub invalid_session: Duration,
    /// First reconnect delay after a failed connection (jittered, doubling).
    pub backoff_base: Duration,
    /// Longest reconnect delay.
    pub backoff_max: Duration,
    /// The longest `retry_after` a REST call waits out before giving up with `RateLimited`.
    pub max_rate_limit_wait: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(20),
            hello: Duration::from_secs(20),
            invalid_session: Duration::from_secs(3),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_mins(1),
            max_rate_limit_wait: Duration::from_secs(30),
        }
    }
}

/// Everything the Discord adapter needs to run.
#[derive(Clone)]
pub struct DiscordConfig {
    /// `DISCORD_BOT_TOKEN` (never printed).
    pub token: String,
    /// The REST base including the version (`DISCORD_API_BASE_URL`, `platforms.discord.base_url`).
    pub api_base_url: String,
    /// A fixed gateway URL (`DISCORD_GATEWAY_URL`); otherwise `GET /gateway/bot` says.
    pub gateway_url: Option<String>,
    /// Channels the bot answers in (empty: all; `*`: all).
    pub allowed_channels: Vec<String>,
    /// Channels where every message is answered without a mention.
    pub free_response_channels: Vec<String>,
    /// Channels never answered, even when mentioned (`*`: every server channel).
    pub ignored_channels: Vec<String>,
    /// Channels where replies stay inline instead of opening a thread.
    pub no_thread_channels: Vec<String>,
    /// In server channels, answer only when mentioned (default true).
    pub require_mention: bool,
    /// Threads the bot takes part in also need a mention (default false).
    pub thread_require_mention: bool,
    /// Open a thread for each conversation started in a server channel (default true).
    pub auto_thread: bool,
    /// 👀 while working, ✅ when answered (default true).
    pub reactions: bool,
    /// When replies reference the user's message.
    pub reply_to_mode: ReplyToMode,
    /// Largest inbound attachment downloaded; bigger ones become a note in the text.
    pub media_max_bytes: u64,
    /// `HERMES_GATEWAY_LOCK_DIR`, overriding the machine-wide token lock directory.
    pub lock_dir: Option<PathBuf>,
    /// Connection delays.
    pub timings: Timings,
    /// Which pings a sent message may trigger (`DISCORD_ALLOW_MENTION_*`).
    pub allow_mentions: AllowMentions,
    /// `DISCORD_PROXY`: an http(s) proxy for REST calls and the gateway websocket.
    pub proxy: Option<reqwest::Url>,
    /// Why `DISCORD_PROXY` cannot be used (the adapter then refuses to start).
    pub proxy_error: Option<String>,
    /// `gateway.platforms.discord.typing_indicator` (true).
    pub typing_indicator: bool,
    /// Problems that did not stop the adapter.
    pub warnings: Vec<String>,
}

/// Discord's `allowed_mentions` for the bot's messages: by default a reply may ping users
/// and the replied-to author, never `@everyone`/`@here` or roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowMentions {
    /// `DISCORD_ALLOW_MENTION_EVERYONE` (false): `@everyone` and `@here`.
    pub everyone: bool,
    /// `DISCORD_ALLOW_MENTION_ROLES` (false).
    pub roles: bool,
    /// `DISCORD_ALLOW_MENTION_USERS` (true).
    pub users: bool,
    /// `DISCORD_ALLOW_MENTION_REPLIED_USER` (true): a reply pings the author it answers.
    pub replied_user: bool,
}

impl Default for AllowMentions {
    fn default() -> Self {
        Self {
            everyone: false,
            roles: false,
            users: true,
            replied_user: true,
        }
    }
}

impl AllowMentions {
    /// The `allowed_mentions` object of a create/edit message request.
    #[must_use]
    pub fn to_json(self) -> serde_json::Value {
        let mut parse = Vec::new();
        if self.everyone {
            parse.push("everyone");
        }
        if self.roles {
            parse.push("roles");
        }
        if self.users {
            parse.push("users");
        }
        serde_json::json!({"parse": parse, "replied_user": self.replied_user})
    }
}

impl fmt::Debug for DiscordConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordConfig")
            .field("token", &"***")
            .field("api_base_url", &self.api_base_url)
            .field("gateway_url", &self.gateway_url)
            .field("allowed_channels", &self.allowed_channels)
            .field("free_response_channels", &self.free_response_channels)
            .field("ignored_channels", &self.ignored_channels)
            .field("no_thread_channels", &self.no_thread_channels)
            .field("require_mention", &self.require_mention)
            .field("auto_thread", &self.auto_thread)
            .field("reactions", &self.reactions)
            .field("reply_to_mode", &self.reply_to_mode)
            .field("allow_mentions", &self.allow_mentions)
            .field(
                "proxy",
                &self
                    .proxy
                    .as_ref()
                    .map(|p| crate::platforms::proxy::redact(p.as_str())),
            )
            .field("typing_indicator", &self.typing_indicator)
            .finish_non_exhaustive()
    }
}

impl DiscordConfig {
    /// The adapter's settings, or `None` when Discord is not configured (no
    /// `DISCORD_BOT_TOKEN`) or switched off (`platforms.discord.enabled: false`).
    #[must_use]
    pub fn from_env(env: &Env, settings: &Settings) -> Option<Self> {
        let token = env.get("DISCORD_BOT_TOKEN")?.trim().to_string();
        if Sources::disabled(settings, "discord") {
            return None;
        }
        let src = Sources::new(env, settings, "discord");
        let mut warnings = Vec::new();
        let reply_to_mode = match src.string(&["DISCORD_REPLY_TO_MODE"], "reply_to_mode") {
            None => ReplyToMode::First,
            Some(raw) => ReplyToMode::parse(&raw).unwrap_or_else(|| {
                warnings.push(format!(
                    "DISCORD_REPLY_TO_MODE '{raw}' is not off|first|all; using first"
                ));
                ReplyToMode::First
            }),
        };
        let mut c = Self::new(&token, DEFAULT_API_BASE_URL);
        if let Some(base) = src.string(&["DISCORD_API_BASE_URL", "DISCORD_BASE_URL"], "base_url") {
            c.api_base_url = base.trim_end_matches('/').to_string();
        }
        c.gateway_url = src.string(&["DISCORD_GATEWAY_URL"], "gateway_url");
        c.allowed_channels = src.list("DISCORD_ALLOWED_CHANNELS", "allowed_channels");
        c.free_response_channels =
            src.list("DISCORD_FREE_RESPONSE_CHANNELS", "free_response_channels");
        c.ignored_channels = src.list("DISCORD_IGNORED_CHANNELS", "ignored_channels");
        c.no_thread_channels = src.list("DISCORD_NO_THREAD_CHANNELS", "no_thread_channels");
        c.require_mention = src.flag("DISCORD_REQUIRE_MENTION", "require_mention", true);
        c.thread_require_mention = src.flag(
            "DISCORD_THREAD_REQUIRE_MENTION",
            "thread_require_mention",
            false,
        );
        c.auto_thread = src.flag("DISCORD_AUTO_THREAD", "auto_thread", true);
        c.reactions = src.flag("DISCORD_REACTIONS", "reactions", true);
        c.reply_to_mode = reply_to_mode;
        c.media_max_bytes = src
            .string(&["DISCORD_MAX_ATTACHMENT_BYTES"], "max_attachment_bytes")
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MEDIA_MAX_BYTES);
        c.lock_dir = env.get("HERMES_GATEWAY_LOCK_DIR").map(PathBuf::from);
        let d = AllowMentions::default();
        let mention = |env_key: &str, sub: &str, default: bool| {
            if let Some(v) = env.flag(env_key) {
                return v;
            }
            match src.yaml("allow_mentions").and_then(|m| m.get(sub)) {
                Some(Value::Bool(b)) => *b,
                Some(other) => scalar(other)
                    .and_then(|s| parse_bool(&s))
                    .unwrap_or(default),
                None => default,
            }
        };
        c.allow_mentions = AllowMentions {
            everyone: mention("DISCORD_ALLOW_MENTION_EVERYONE", "everyone", d.everyone),
            roles: mention("DISCORD_ALLOW_MENTION_ROLES", "roles", d.roles),
            users: mention("DISCORD_ALLOW_MENTION_USERS", "users", d.users),
            replied_user: mention(
                "DISCORD_ALLOW_MENTION_REPLIED_USER",
                "replied_user",
                d.replied_user,
            ),
        };
        if let Some(raw) = src
            .string(&["DISCORD_PROXY"], "proxy_url")
            .filter(|r| !r.is_empty())
        {
            match crate::platforms::proxy::parse("DISCORD_PROXY", &raw) {
                Ok(u) => c.proxy = Some(u),
                Err(e) => {
                    warnings.push(e.to_string());
                    c.proxy_error = Some(e.to_string());
                }
            }
        }
        c.typing_indicator = crate::platforms::telegram::typing_indicator(settings, "discord");
        c.warnings = warnings;
        Some(c)
    }

    /// A config for `token` against `api_base_url` with every other setting at its default
    /// (tests, `doctor` probes).
    #[must_use]
    pub fn new(token: &str, api_base_url: &str) -> Self {
        Self {
            token: token.to_string(),
            api_base_url: api_base_url.trim_end_matches('/').to_string(),
            gateway_url: None,
            allowed_channels: Vec::new(),
            free_response_channels: Vec::new(),
            ignored_channels: Vec::new(),
            no_thread_channels: Vec::new(),
            require_mention: true,
            thread_require_mention: false,
            auto_thread: true,
            reactions: true,
            reply_to_mode: ReplyToMode::First,
            media_max_bytes: DEFAULT_MEDIA_MAX_BYTES,
            lock_dir: None,
            timings: Timings::default(),
            allow_mentions: AllowMentions::default(),
            proxy: None,
            proxy_error: None,
            typing_indicator: true,
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::resolve(&doc, &Env::default()).unwrap()
    }

    #[test]
    fn allow_mentions_and_proxy() {
        let env = Env::from_pairs([("DISCORD_BOT_TOKEN", "t")]);
        let c = DiscordConfig::from_env(&env, &settings("{}")).unwrap();
        assert_eq!(
            c.allow_mentions.to_json(),
            serde_json::json!({"parse": ["users"], "replied_user": true})
        );
        assert!(c.proxy.is_none() && c.typing_indicator);
        let c = DiscordConfig::from_env(
            &Env::from_pairs([
                ("DISCORD_BOT_TOKEN", "t"),
                ("DISCORD_ALLOW_MENTION_EVERYONE", "true"),
                ("DISCORD_ALLOW_MENTION_USERS", "no"),
                ("DISCORD_PROXY", "http://127.0.0.1:3128"),
            ]),
            &settings(
                "discord: {allow_mentions: {roles: true, replied_user: false, everyone: false}}\ngateway: {platforms: {discord: {typing_indicator: false}}}",
            ),
        )
        .unwrap();
        assert_eq!(
            c.allow_mentions.to_json(),
            serde_json::json!({"parse": ["everyone", "roles"], "replied_user": false})
        );
        assert_eq!(c.proxy.unwrap().as_str(), "http://127.0.0.1:3128/");
        assert!(!c.typing_indicator);
        let c = DiscordConfig::from_env(
            &Env::from_pairs([
                ("DISCORD_BOT_TOKEN", "t"),
                ("DISCORD_PROXY", "socks5://127.0.0.1:1080"),
            ]),
            &settings("{}"),
        )
        .unwrap();
        assert!(c.proxy.is_none());
        assert!(c.proxy_error.as_deref().unwrap().contains("SOCKS"));
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn defaults_and_disabling() {
        assert!(DiscordConfig::from_env(&Env::default(), &settings("{}")).is_none());
        let env = Env::from_pairs([("DISCORD_BOT_TOKEN", " abc.def ")]);
        assert!(
            DiscordConfig::from_env(&env, &settings("platforms: {discord: {enabled: false}}"))
                .is_none()
        );
        let c = DiscordConfig::from_env(&env, &settings("{}")).unwrap();
        assert_eq!(c.token, "abc.def");
        assert_eq!(c.api_base_url, DEFAULT_API_BASE_URL);
        assert!(c.require_mention && c.auto_thread && c.reactions && !c.thread_require_mention);
        assert_eq!(c.reply_to_mode, ReplyToMode::First);
        assert!(!format!("{c:?}").contains("abc.def"));
    }

    #[test]
    fn env_overrides_config() {
        let s = settings(
            "discord:\n  require_mention: false\n  free_response_channels: [1, 2]\n  auto_thread: false\nplatforms:\n  discord:\n    base_url: http://127.0.0.1:9/api/v10/\n    reply_to_mode: all\n",
        );
        let env = Env::from_pairs([("DISCORD_BOT_TOKEN", "t")]);
        let c = DiscordConfig::from_env(&env, &s).unwrap();
        assert!(!c.require_mention && !c.auto_thread);
        assert_eq!(c.free_response_channels, ["1", "2"]);
        assert_eq!(c.api_base_url, "http://127.0.0.1:9/api/v10");
        assert_eq!(c.reply_to_mode, ReplyToMode::All);
        let env = Env::from_pairs([
            ("DISCORD_BOT_TOKEN", "t"),
            ("DISCORD_REQUIRE_MENTION", "yes"),
            ("DISCORD_FREE_RESPONSE_CHANNELS", "9"),
            ("DISCORD_IGNORED_CHANNELS", "7, 8"),
            ("DISCORD_REPLY_TO_MODE", "sometimes"),
            ("DISCORD_API_BASE_URL", "http://local/api/v10"),
            ("DISCORD_GATEWAY_URL", "ws://local/gw"),
            ("DISCORD_REACTIONS", "false"),
        ]);
        let c = DiscordConfig::from_env(&env, &s).unwrap();
        assert!(c.require_mention && !c.reactions);
        assert_eq!(c.free_response_channels, ["9"]);
        assert_eq!(c.ignored_channels, ["7", "8"]);
        assert_eq!(c.reply_to_mode, ReplyToMode::First);
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.api_base_url, "http://local/api/v10");
        assert_eq!(c.gateway_url.as_deref(), Some("ws://local/gw"));
    }
}
