//! The Slack adapter's settings, read from the merged environment (`SLACK_*`) over
//! `config.yaml` (`slack:` and `platforms.slack`). Access control (`SLACK_ALLOWED_USERS`) is
//! the auth module's; this holds what the adapter itself decides.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Env, Settings};
use crate::platforms::sources::Sources;

/// The public Web API.
pub const DEFAULT_API_BASE_URL: &str = "https://slack.com/api";
/// The largest inbound file downloaded.
pub const DEFAULT_MEDIA_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Which messages from other bots are answered (`SLACK_ALLOW_BOTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllowBots {
    /// None (the default).
    #[default]
    None,
    /// Only those that mention this bot.
    Mentions,
    /// All (never our own).
    All,
}

impl AllowBots {
    /// Parses `none|mentions|all`.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "none" | "false" | "off" => Some(Self::None),
            "mentions" => Some(Self::Mentions),
            "all" | "true" => Some(Self::All),
            _ => None,
        }
    }
}

/// Delays of the connection loop (tests shorten them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// Opening the websocket.
    pub connect: Duration,
    /// Silence after which the connection is pinged; twice that, it is dropped.
    pub idle: Duration,
    /// First reconnect delay after a failed connection (jittered, doubling).
    pub backoff_base: Duration,
    /// Longest reconnect delay.
    pub backoff_max: Duration,
    /// The longest `Retry-After` a Web API call waits out before giving up.
    pub max_rate_limit_wait: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(20),
            idle: Duration::from_mins(1),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_mins(1),
            max_rate_limit_wait: Duration::from_secs(30),
        }
    }
}

/// Everything the Slack adapter needs to run.
#[derive(Clone)]
pub struct SlackConfig {
    /// `SLACK_BOT_TOKEN` (`xoxb-…`, the Web API).
    pub bot_token: String,
    /// `SLACK_APP_TOKEN` (`xapp-…`, Socket Mode).
    pub app_token: String,
    /// The Web API base (`SLACK_API_BASE_URL`, `platforms.slack.base_url`).
    pub api_base_url: String,
    /// Messages from other bots.
    pub allow_bots: AllowBots,
    /// In channels, answer only when mentioned (default true).
    pub require_mention: bool,
    /// Every message needs a mention, even in threads the bot is in (default false).
    pub strict_mention: bool,
    /// `SLACK_THREAD_REQUIRE_MENTION` (false): replies in a thread the bot takes part in
    /// still need a mention (threads shared by several bots).
    pub thread_require_mention: bool,
    /// Channels where every message is answered.
    pub free_response_channels: Vec<String>,
    /// Channels the bot answers in (empty: all).
    pub allowed_channels: Vec<String>,
    /// 👀 while working, ✅ when answered (default true).
    pub reactions: bool,
    /// Answer a top-level channel message in a thread under it (default true).
    pub reply_in_thread: bool,
    /// Largest inbound file downloaded; bigger ones become a note in the text.
    pub media_max_bytes: u64,
    /// `HERMES_GATEWAY_LOCK_DIR`, overriding the machine-wide token lock directory.
    pub lock_dir: Option<PathBuf>,
    /// Connection delays.
    pub timings: Timings,
    /// Problems that did not stop the adapter.
    pub warnings: Vec<String>,
}

impl fmt::Debug for SlackConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackConfig")
            .field("bot_token", &"***")
            .field("app_token", &"***")
            .field("api_base_url", &self.api_base_url)
            .field("allow_bots", &self.allow_bots)
            .field("require_mention", &self.require_mention)
            .field("strict_mention", &self.strict_mention)
            .field("thread_require_mention", &self.thread_require_mention)
            .field("free_response_channels", &self.free_response_channels)
            .field("reactions", &self.reactions)
            .field("reply_in_thread", &self.reply_in_thread)
            .finish_non_exhaustive()
    }
}

/// Why the Slack settings cannot be used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SlackConfigError {
    /// Socket Mode needs the app-level token.
    #[error(
        "SLACK_BOT_TOKEN is set but SLACK_APP_TOKEN is not (Socket Mode needs an app-level token, xapp-…)"
    )]
    MissingAppToken,
}

impl SlackConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::MissingAppToken => vec![
                "create one under your app's Basic Information → App-Level Tokens with the connections:write scope".into(),
                "then `hermes config set SLACK_APP_TOKEN xapp-…`".into(),
            ],
        }
    }
}

impl SlackConfig {
    /// The adapter's settings, or `None` when Slack is not configured (no `SLACK_BOT_TOKEN`)
    /// or switched off (`platforms.slack.enabled: false`).
    pub fn from_env(env: &Env, settings: &Settings) -> Result<Option<Self>, SlackConfigError> {
        let Some(bot_token) = env.get("SLACK_BOT_TOKEN").map(str::trim) else {
            return Ok(None);
        };
        if Sources::disabled(settings, "slack") {
            return Ok(None);
        }
        let app_token = env
            .get("SLACK_APP_TOKEN")
            .map(str::trim)
            .ok_or(SlackConfigError::MissingAppToken)?;
        let src = Sources::new(env, settings, "slack");
        let mut c = Self::new(bot_token, app_token, DEFAULT_API_BASE_URL);
        if let Some(base) = src.string(&["SLACK_API_BASE_URL", "SLACK_BASE_URL"], "base_url") {
            c.api_base_url = base.trim_end_matches('/').to_string();
        }
        if let Some(raw) = src.string(&["SLACK_ALLOW_BOTS"], "allow_bots") {
            c.allow_bots = AllowBots::parse(&raw).unwrap_or_else(|| {
                c.warnings.push(format!(
                    "SLACK_ALLOW_BOTS '{raw}' is not none|mentions|all; using none"
                ));
                AllowBots::None
            });
        }
        c.require_mention = src.flag("SLACK_REQUIRE_MENTION", "require_mention", true);
        c.strict_mention = src.flag("SLACK_STRICT_MENTION", "strict_mention", false);
        c.thread_require_mention = src.flag(
            "SLACK_THREAD_REQUIRE_MENTION",
            "thread_require_mention",
            false,
        );
        c.free_response_channels =
            src.list("SLACK_FREE_RESPONSE_CHANNELS", "free_response_channels");
        c.allowed_channels = src.list("SLACK_ALLOWED_CHANNELS", "allowed_channels");
        c.reactions = src.flag("SLACK_REACTIONS", "reactions", true);
        c.reply_in_thread = src.flag("SLACK_REPLY_IN_THREAD", "reply_in_thread", true);
        c.media_max_bytes = src
            .string(&["SLACK_MEDIA_MAX_BYTES"], "media_max_bytes")
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MEDIA_MAX_BYTES);
        c.lock_dir = env.get("HERMES_GATEWAY_LOCK_DIR").map(PathBuf::from);
        if !c.bot_token.starts_with("xoxb-") {
            c.warnings.push(
                "SLACK_BOT_TOKEN does not start with xoxb-; use the Bot User OAuth Token".into(),
            );
        }
        if !c.app_token.starts_with("xapp-") {
            c.warnings
                .push("SLACK_APP_TOKEN does not start with xapp-; use an app-level token".into());
        }
        Ok(Some(c))
    }

    /// A config for the two tokens against `api_base_url` with every other setting at its
    /// default (tests, `doctor` probes).
    #[must_use]
    pub fn new(bot_token: &str, app_token: &str, api_base_url: &str) -> Self {
        Self {
            bot_token: bot_token.to_string(),
            app_token: app_token.to_string(),
            api_base_url: api_base_url.trim_end_matches('/').to_string(),
            allow_bots: AllowBots::None,
            require_mention: true,
            strict_mention: false,
            thread_require_mention: false,
            free_response_channels: Vec::new(),
            allowed_channels: Vec::new(),
            reactions: true,
            reply_in_thread: true,
            media_max_bytes: DEFAULT_MEDIA_MAX_BYTES,
            lock_dir: None,
            timings: Timings::default(),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::resolve(&doc, &Env::default()).unwrap()
    }

    #[test]
    fn tokens_defaults_and_overrides() {
        let s = settings("{}");
        assert!(matches!(
            SlackConfig::from_env(&Env::default(), &s),
            Ok(None)
        ));
        let env = Env::from_pairs([("SLACK_BOT_TOKEN", "xoxb-1")]);
        assert_eq!(
            SlackConfig::from_env(&env, &s).unwrap_err(),
            SlackConfigError::MissingAppToken
        );
        let env = Env::from_pairs([("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_APP_TOKEN", "xapp-1")]);
        let c = SlackConfig::from_env(&env, &s).unwrap().unwrap();
        assert_eq!(c.api_base_url, DEFAULT_API_BASE_URL);
        assert!(c.require_mention && !c.strict_mention && c.reactions && c.reply_in_thread);
        assert_eq!(c.allow_bots, AllowBots::None);
        assert!(c.warnings.is_empty());
        assert!(!format!("{c:?}").contains("xoxb-1"));

        let s = settings(
            "slack:\n  allow_bots: mentions\n  free_response_channels: [C1]\nplatforms:\n  slack:\n    base_url: http://127.0.0.1:9/api/\n",
        );
        let env = Env::from_pairs([
            ("SLACK_BOT_TOKEN", "bad"),
            ("SLACK_APP_TOKEN", "xapp-1"),
            ("SLACK_STRICT_MENTION", "true"),
            ("SLACK_REACTIONS", "no"),
        ]);
        let c = SlackConfig::from_env(&env, &s).unwrap().unwrap();
        assert_eq!(c.allow_bots, AllowBots::Mentions);
        assert_eq!(c.free_response_channels, ["C1"]);
        assert_eq!(c.api_base_url, "http://127.0.0.1:9/api");
        assert!(c.strict_mention && !c.reactions);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(!c.thread_require_mention);
        let c = SlackConfig::from_env(
            &Env::from_pairs([
                ("SLACK_BOT_TOKEN", "xoxb-1"),
                ("SLACK_APP_TOKEN", "xapp-1"),
                ("SLACK_THREAD_REQUIRE_MENTION", "true"),
            ]),
            &settings("{}"),
        )
        .unwrap()
        .unwrap();
        assert!(c.thread_require_mention);
        let c = SlackConfig::from_env(
            &Env::from_pairs([("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_APP_TOKEN", "xapp-1")]),
            &settings("slack: {thread_require_mention: true}"),
        )
        .unwrap()
        .unwrap();
        assert!(c.thread_require_mention);
    }
}
