//! The Telegram adapter's settings, read from the merged environment (`TELEGRAM_*`) over
//! `config.yaml` (`telegram:` and `platforms.telegram`). Validation lives here; the adapter
//! only consumes a finished [`TelegramConfig`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use crate::platforms::proxy::{self, ProxyError};
use std::path::PathBuf;
use std::time::Duration;

use serde_yaml_ng::Value;

use crate::config::{Env, Settings};
use crate::platforms::sources::{Sources, parse_bool, scalar};

/// The public Bot API.
pub const DEFAULT_BASE_URL: &str = "https://api.telegram.org";
/// The default webhook listener port.
pub const DEFAULT_WEBHOOK_PORT: u16 = 8443;
/// The public Bot API's download cap for `getFile`.
pub const DEFAULT_MEDIA_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// When a reply quotes the user's message (`TELEGRAM_REPLY_TO_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyToMode {
    /// Never reply-quote.
    Off,
    /// Quote on the first chunk only.
    #[default]
    First,
    /// Quote on every chunk.
    All,
}

impl ReplyToMode {
    /// Parses `off|first|all`; anything else is `None`.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "off" => Some(Self::Off),
            "first" => Some(Self::First),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// Webhook mode: Telegram pushes updates to `url`, we listen on `listen:port`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The public URL given to `setWebhook` (its path is the route we serve).
    pub url: String,
    /// The local port (`TELEGRAM_WEBHOOK_PORT`, 8443).
    pub port: u16,
    /// The address to bind (all interfaces by default).
    pub listen: IpAddr,
    /// The `secret_token` Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: String,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("port", &self.port)
            .field("listen", &self.listen)
            .field("secret", &"***")
            .finish()
    }
}

/// Everything the Telegram adapter needs to run.
#[derive(Clone)]
pub struct TelegramConfig {
    /// `TELEGRAM_BOT_TOKEN` (never printed: `Debug` shows `***`).
    pub token: String,
    /// The Bot API base (`TELEGRAM_BASE_URL`, `platforms.telegram.base_url`).
    pub base_url: String,
    /// When replies quote the user's message.
    pub reply_to_mode: ReplyToMode,
    /// In groups, answer only when mentioned, replied to or matched by a pattern.
    pub require_mention: bool,
    /// Case-insensitive wake-word patterns that count as a mention.
    pub mention_patterns: Vec<regex::Regex>,
    /// Group chat ids where every message is answered.
    pub free_response_chats: Vec<String>,
    /// Topic (thread) ids whose messages are ignored.
    pub ignored_threads: Vec<i64>,
    /// Webhook mode, when `TELEGRAM_WEBHOOK_URL` is set.
    pub webhook: Option<WebhookConfig>,
    /// Largest inbound file downloaded; bigger ones become a note in the text.
    pub media_max_bytes: u64,
    /// The `getUpdates` long-poll timeout.
    pub poll_timeout: Duration,
    /// A pause after an empty poll that came back early (servers that do not long-poll).
    pub idle_poll_delay: Duration,
    /// `HERMES_GATEWAY_LOCK_DIR`, overriding the machine-wide token lock directory.
    pub lock_dir: Option<PathBuf>,
    /// `TELEGRAM_REACTIONS` (off by default): 👀 on a message while it is worked on, then 👍.
    pub reactions: bool,
    /// `TELEGRAM_PROXY` (`telegram.proxy_url`): an http(s) proxy for every Bot API call.
    pub proxy: Option<reqwest::Url>,
    /// `TELEGRAM_FALLBACK_IPS`: public IPv4 addresses of the Bot API host, tried in order
    /// when its usual address cannot be reached (the last one that worked is tried first).
    pub fallback_ips: Vec<IpAddr>,
    /// `gateway.platforms.telegram.typing_indicator` (true): send "typing…" while a turn runs.
    pub typing_indicator: bool,
    /// Problems that did not stop the adapter (e.g. an invalid mention pattern).
    pub warnings: Vec<String>,
}

impl fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("token", &"***")
            .field("base_url", &self.base_url)
            .field("reply_to_mode", &self.reply_to_mode)
            .field("require_mention", &self.require_mention)
            .field("mention_patterns", &self.mention_patterns)
            .field("free_response_chats", &self.free_response_chats)
            .field("ignored_threads", &self.ignored_threads)
            .field("webhook", &self.webhook)
            .field("media_max_bytes", &self.media_max_bytes)
            .field("reactions", &self.reactions)
            .field(
                "proxy",
                &self.proxy.as_ref().map(|p| proxy::redact(p.as_str())),
            )
            .field("fallback_ips", &self.fallback_ips)
            .field("typing_indicator", &self.typing_indicator)
            .finish_non_exhaustive()
    }
}

/// Why the Telegram settings cannot be used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TelegramConfigError {
    /// A webhook URL without a secret would accept forged updates.
    #[error("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not")]
    WebhookSecretMissing,
    /// The webhook URL does not start with `https://` or `http://`.
    #[error("TELEGRAM_WEBHOOK_URL is not an http(s) URL: {url}")]
    WebhookUrlInvalid { url: String },
    /// `TELEGRAM_PROXY` is not a usable proxy URL.
    #[error("{0}")]
    Proxy(#[from] ProxyError),
}

impl TelegramConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::WebhookSecretMissing => vec![
                "set TELEGRAM_WEBHOOK_SECRET to a random string (`hermes config set TELEGRAM_WEBHOOK_SECRET …`)".into(),
                "or unset TELEGRAM_WEBHOOK_URL to use long polling".into(),
            ],
            Self::WebhookUrlInvalid { .. } => {
                vec!["use the full public URL, e.g. https://bot.example.com/telegram".into()]
            }
            Self::Proxy(_) => vec![
                "set TELEGRAM_PROXY to an http:// or https:// proxy, or unset it".into(),
            ],
        }
    }
}

/// `TELEGRAM_FALLBACK_IPS`: public IPv4 addresses only (anything else is dropped with a
/// warning, as upstream does: a private address is never the Bot API).
fn fallback_ips(raw: &[String], warnings: &mut Vec<String>) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for r in raw {
        match r.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4))
                if !(v4.is_private()
                    || v4.is_loopback()
                    || v4.is_link_local()
                    || v4.is_unspecified()) =>
            {
                let ip = IpAddr::V4(v4);
                if !out.contains(&ip) {
                    out.push(ip);
                }
            }
            Ok(IpAddr::V4(_)) => warnings.push(format!(
                "ignoring private/internal Telegram fallback IP {r}"
            )),
            Ok(IpAddr::V6(_)) => {
                warnings.push(format!("ignoring non-IPv4 Telegram fallback IP {r}"));
            }
            Err(_) => warnings.push(format!("ignoring invalid Telegram fallback IP '{r}'")),
        }
    }
    out
}

/// `gateway.platforms.<p>.typing_indicator`, then `platforms.<p>.typing_indicator`
/// (default true).
pub(crate) fn typing_indicator(settings: &Settings, platform: &str) -> bool {
    [
        settings.gateway.platforms.get(platform),
        settings.platforms.get(platform),
    ]
    .into_iter()
    .flatten()
    .find_map(|p| match p.get("typing_indicator")? {
        Value::Bool(b) => Some(*b),
        other => parse_bool(&scalar(other)?),
    })
    .unwrap_or(true)
}

/// `TELEGRAM_MENTION_PATTERNS` is a JSON list; upstream also accepts one pattern per line
/// or comma-separated values.
fn env_patterns(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw) {
        return list;
    }
    if let Ok(one) = serde_json::from_str::<String>(raw) {
        return vec![one];
    }
    let lines: Vec<String> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if lines.len() > 1 {
        return lines;
    }
    raw.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

impl TelegramConfig {
    /// The adapter's settings, or `None` when Telegram is not configured (no
    /// `TELEGRAM_BOT_TOKEN`) or explicitly disabled (`platforms.telegram.enabled: false`).
    ///
    /// Environment variables override `config.yaml` (DESIGN: defaults ← file ← env).
    pub fn from_env(env: &Env, settings: &Settings) -> Result<Option<Self>, TelegramConfigError> {
        let Some(token) = env.get("TELEGRAM_BOT_TOKEN").map(str::trim) else {
            return Ok(None);
        };
        if Sources::disabled(settings, "telegram") {
            return Ok(None);
        }
        let src = Sources::new(env, settings, "telegram");
        let mut warnings = Vec::new();

        let base_url = src
            .string(&["TELEGRAM_BASE_URL"], "base_url")
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
            .trim_end_matches('/')
            .to_string();
        let reply_to_mode = match src.string(&["TELEGRAM_REPLY_TO_MODE"], "reply_to_mode") {
            None => ReplyToMode::First,
            Some(raw) => ReplyToMode::parse(&raw).unwrap_or_else(|| {
                warnings.push(format!(
                    "TELEGRAM_REPLY_TO_MODE '{raw}' is not off|first|all; using first"
                ));
                ReplyToMode::First
            }),
        };
        let raw_patterns = match env.get("TELEGRAM_MENTION_PATTERNS") {
            Some(raw) => env_patterns(raw),
            None => src.list("", "mention_patterns"),
        };
        let mut mention_patterns = Vec::new();
        for p in raw_patterns.iter().filter(|p| !p.trim().is_empty()) {
            match regex::RegexBuilder::new(p).case_insensitive(true).build() {
                Ok(re) => mention_patterns.push(re),
                Err(e) => warnings.push(format!("invalid Telegram mention pattern '{p}': {e}")),
            }
        }
        let mut ignored_threads = Vec::new();
        for t in src.list("TELEGRAM_IGNORED_THREADS", "ignored_threads") {
            match t.parse::<i64>() {
                Ok(n) => ignored_threads.push(n),
                Err(_) => warnings.push(format!("ignoring invalid Telegram thread id '{t}'")),
            }
        }

        let webhook = match src.string(&["TELEGRAM_WEBHOOK_URL"], "webhook_url") {
            None => None,
            Some(url) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(TelegramConfigError::WebhookUrlInvalid { url });
                }
                let secret = src
                    .string(&["TELEGRAM_WEBHOOK_SECRET"], "webhook_secret")
                    .ok_or(TelegramConfigError::WebhookSecretMissing)?;
                let port = src
                    .string(&["TELEGRAM_WEBHOOK_PORT"], "webhook_port")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(DEFAULT_WEBHOOK_PORT);
                Some(WebhookConfig {
                    url,
                    port,
                    listen: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    secret,
                })
            }
        };
        let media_max_bytes = src
            .string(&["TELEGRAM_MEDIA_MAX_BYTES"], "media_max_bytes")
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MEDIA_MAX_BYTES);
        let proxy = match src.string(&["TELEGRAM_PROXY"], "proxy_url") {
            Some(raw) if !raw.is_empty() => Some(proxy::parse("TELEGRAM_PROXY", &raw)?),
            _ => None,
        };
        let fallback_ips = fallback_ips(
            &src.list("TELEGRAM_FALLBACK_IPS", "fallback_ips"),
            &mut warnings,
        );

        Ok(Some(Self {
            token: token.to_string(),
            base_url,
            reply_to_mode,
            require_mention: src.flag("TELEGRAM_REQUIRE_MENTION", "require_mention", false),
            mention_patterns,
            free_response_chats: src.list("TELEGRAM_FREE_RESPONSE_CHATS", "free_response_chats"),
            ignored_threads,
            webhook,
            media_max_bytes,
            poll_timeout: Duration::from_secs(30),
            idle_poll_delay: Duration::from_secs(1),
            lock_dir: env.get("HERMES_GATEWAY_LOCK_DIR").map(PathBuf::from),
            reactions: src.flag("TELEGRAM_REACTIONS", "reactions", false),
            proxy,
            fallback_ips,
            typing_indicator: typing_indicator(settings, "telegram"),
            warnings,
        }))
    }

    /// A config for `token` against `base_url` with every other setting at its default
    /// (tests, `doctor` probes).
    #[must_use]
    pub fn new(token: &str, base_url: &str) -> Self {
        Self {
            token: token.to_string(),
            base_url: base_url.trim_end_matches('/').to_string(),
            reply_to_mode: ReplyToMode::First,
            require_mention: false,
            mention_patterns: Vec::new(),
            free_response_chats: Vec::new(),
            ignored_threads: Vec::new(),
            webhook: None,
            media_max_bytes: DEFAULT_MEDIA_MAX_BYTES,
            poll_timeout: Duration::from_secs(30),
            idle_poll_delay: Duration::from_secs(1),
            lock_dir: None,
            reactions: false,
            proxy: None,
            fallback_ips: Vec::new(),
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
    fn disabled_without_token_or_when_switched_off() {
        let s = settings("{}");
        assert!(matches!(
            TelegramConfig::from_env(&Env::default(), &s),
            Ok(None)
        ));
        let env = Env::from_pairs([("TELEGRAM_BOT_TOKEN", "1:a")]);
        let off = settings("platforms: {telegram: {enabled: false}}");
        assert!(matches!(TelegramConfig::from_env(&env, &off), Ok(None)));
    }

    #[test]
    fn defaults() {
        let env = Env::from_pairs([("TELEGRAM_BOT_TOKEN", " 1:a ")]);
        let c = TelegramConfig::from_env(&env, &settings("{}"))
            .unwrap()
            .unwrap();
        assert_eq!(c.token, "1:a");
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.reply_to_mode, ReplyToMode::First);
        assert!(!c.require_mention);
        assert!(c.webhook.is_none());
        assert_eq!(c.media_max_bytes, 20 * 1024 * 1024);
        assert!(!format!("{c:?}").contains("1:a"), "the token is redacted");
    }

    #[test]
    fn env_overrides_config_blocks() {
        let s = settings(
            "telegram:\n  require_mention: true\n  mention_patterns: ['^hey hermes']\n  free_response_chats: [-100, -200]\n  ignored_threads: '5, x'\nplatforms:\n  telegram:\n    base_url: http://127.0.0.1:1/\n    reply_to_mode: all\n",
        );
        let env = Env::from_pairs([("TELEGRAM_BOT_TOKEN", "1:a")]);
        let c = TelegramConfig::from_env(&env, &s).unwrap().unwrap();
        assert!(c.require_mention);
        assert_eq!(c.base_url, "http://127.0.0.1:1");
        assert_eq!(c.reply_to_mode, ReplyToMode::All);
        assert!(c.mention_patterns[0].is_match("HEY Hermes, hi"));
        assert_eq!(c.free_response_chats, ["-100", "-200"]);
        assert_eq!(c.ignored_threads, [5]);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);

        let env = Env::from_pairs([
            ("TELEGRAM_BOT_TOKEN", "1:a"),
            ("TELEGRAM_REQUIRE_MENTION", "no"),
            ("TELEGRAM_MENTION_PATTERNS", r#"["\\bbot\\b", "("]"#),
            ("TELEGRAM_REPLY_TO_MODE", "off"),
            ("TELEGRAM_BASE_URL", "http://local:8081"),
        ]);
        let c = TelegramConfig::from_env(&env, &s).unwrap().unwrap();
        assert!(!c.require_mention);
        assert_eq!(c.base_url, "http://local:8081");
        assert_eq!(c.reply_to_mode, ReplyToMode::Off);
        assert_eq!(c.mention_patterns.len(), 1, "the invalid one is dropped");
        assert!(c.warnings.iter().any(|w| w.contains("'('")));
    }

    #[test]
    fn reactions_proxy_fallback_ips_and_typing() {
        let env = Env::from_pairs([
            ("TELEGRAM_BOT_TOKEN", "1:a"),
            ("TELEGRAM_REACTIONS", "true"),
            ("TELEGRAM_PROXY", "http://user:pw@proxy.local:3128"),
            (
                "TELEGRAM_FALLBACK_IPS",
                "149.154.167.220, 10.0.0.1, ::1, nope, 149.154.167.220",
            ),
        ]);
        let s = settings("gateway: {platforms: {telegram: {typing_indicator: false}}}");
        let c = TelegramConfig::from_env(&env, &s).unwrap().unwrap();
        assert!(c.reactions && !c.typing_indicator);
        assert_eq!(c.proxy.as_ref().unwrap().host_str(), Some("proxy.local"));
        assert_eq!(
            c.fallback_ips,
            ["149.154.167.220".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        assert!(
            !format!("{c:?}").contains("pw@"),
            "the proxy password is redacted"
        );

        let c = TelegramConfig::from_env(
            &Env::from_pairs([("TELEGRAM_BOT_TOKEN", "1:a")]),
            &settings("telegram: {reactions: true, proxy_url: 'https://p.local'}"),
        )
        .unwrap()
        .unwrap();
        assert!(c.reactions && c.typing_indicator);
        assert!(c.proxy.is_some());

        let env = Env::from_pairs([
            ("TELEGRAM_BOT_TOKEN", "1:a"),
            ("TELEGRAM_PROXY", "socks5://127.0.0.1:1080"),
        ]);
        let e = TelegramConfig::from_env(&env, &settings("{}")).unwrap_err();
        assert!(e.to_string().contains("SOCKS"), "{e}");
    }

    #[test]
    fn webhook_requires_a_secret() {
        let s = settings("{}");
        let env = Env::from_pairs([
            ("TELEGRAM_BOT_TOKEN", "1:a"),
            ("TELEGRAM_WEBHOOK_URL", "https://bot.example.com/tg"),
        ]);
        assert_eq!(
            TelegramConfig::from_env(&env, &s).unwrap_err(),
            TelegramConfigError::WebhookSecretMissing
        );
        let env = Env::from_pairs([
            ("TELEGRAM_BOT_TOKEN", "1:a"),
            ("TELEGRAM_WEBHOOK_URL", "https://bot.example.com/tg"),
            ("TELEGRAM_WEBHOOK_SECRET", "s3cret"),
        ]);
        let c = TelegramConfig::from_env(&env, &s).unwrap().unwrap();
        let w = c.webhook.unwrap();
        assert_eq!(w.port, 8443);
        assert_eq!(w.secret, "s3cret");
        assert!(!format!("{w:?}").contains("s3cret"));
    }
}
