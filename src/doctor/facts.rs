//! Facts about a profile that `doctor` and `hermes status` both show: redacted keys, paths
//! with `~`, and each configured platform's token, allowlist, home channel and DM policy.

use std::path::Path;

use serde::Serialize;

use crate::auth::{self, DmPolicy};
use crate::config::{Env, Settings};
use crate::cron::HomeChannels;
use crate::home::HermesPaths;
use crate::platforms::discord::DiscordConfig;
use crate::platforms::email::EmailConfig;
use crate::platforms::homeassistant::HomeAssistantConfig;
use crate::platforms::matrix::MatrixConfig;
use crate::platforms::registry;
use crate::platforms::slack::SlackConfig;
use crate::platforms::telegram::TelegramConfig;
use crate::platforms::webhook::WebhookConfig;
use crate::platforms::weixin::WeixinConfig;

/// API keys `status` reports (set or not), in display order.
pub const PROVIDER_KEYS: &[&str] = &[
    "OPENROUTER_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "NOUS_API_KEY",
    "DEEPSEEK_API_KEY",
    "GLM_API_KEY",
    "KIMI_API_KEY",
    "DASHSCOPE_API_KEY",
    "HF_TOKEN",
];

/// Bot credentials compared across profiles (one gateway per token).
pub const TOKEN_KEYS: &[&str] = &[
    "TELEGRAM_BOT_TOKEN",
    "DISCORD_BOT_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "WEIXIN_TOKEN",
    "MATTERMOST_TOKEN",
    "MATRIX_ACCESS_TOKEN",
    "WHATSAPP_ACCESS_TOKEN",
    "SIGNAL_ACCOUNT",
    "DINGTALK_CLIENT_SECRET",
    "FEISHU_APP_SECRET",
];

/// `sk-a...1234`: the first and last four characters; short values become `***`.
#[must_use]
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.trim().chars().collect();
    if chars.len() < 12 {
        return "***".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}...{tail}")
}

/// A path with `home` shown as `~`.
#[must_use]
pub fn tilde(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".into(),
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

/// One configured platform.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformSummary {
    /// `telegram`, `discord`, `api_server`, … (the gateway's names).
    pub name: String,
    /// The variable holding its credential.
    pub token_var: &'static str,
    /// Its credential (never printed as is).
    #[serde(skip)]
    pub token: Option<String>,
    /// Whether people message it, so user allowlists and pairing apply (not for Home
    /// Assistant events, webhooks or the API server).
    pub users: bool,
    /// `<P>_ALLOWED_USERS` and friends.
    pub allowed_users: Vec<String>,
    /// `<P>_ALLOW_ALL_USERS` or `GATEWAY_ALLOW_ALL_USERS`.
    pub allow_all: bool,
    /// `GATEWAY_ALLOWED_USERS`.
    pub gateway_allowed: Vec<String>,
    /// The home channel (`chat_id[:thread]`).
    pub home_channel: Option<String>,
    /// `pairing|open|allowlist|disabled`.
    pub dm_policy: &'static str,
    /// A problem building its configuration (the gateway refuses to start it).
    pub error: Option<String>,
}

fn dm_name(p: DmPolicy) -> &'static str {
    match p {
        DmPolicy::Pairing => "pairing",
        DmPolicy::Open => "open",
        DmPolicy::Allowlist => "allowlist",
        DmPolicy::Disabled => "disabled",
    }
}

/// The platforms the gateway runs, in its order, with the variable holding each one's
/// credential.
pub const PLATFORMS: &[(&str, &str)] = &[
    ("telegram", "TELEGRAM_BOT_TOKEN"),
    ("discord", "DISCORD_BOT_TOKEN"),
    ("slack", "SLACK_BOT_TOKEN"),
    ("weixin", "WEIXIN_TOKEN"),
    ("email", "EMAIL_PASSWORD"),
    ("homeassistant", "HASS_TOKEN"),
    ("matrix", "MATRIX_ACCESS_TOKEN"),
    ("webhook", "WEBHOOK_SECRET"),
    ("api_server", "API_SERVER_KEY"),
];

/// The credential of a configured platform, from the same configuration the adapter reads.
fn credential(
    name: &str,
    paths: &HermesPaths,
    settings: &Settings,
    env: &Env,
) -> (&'static str, Option<String>) {
    let var = PLATFORMS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, v)| *v);
    let from_config = match name {
        "telegram" => TelegramConfig::from_env(env, settings)
            .ok()
            .flatten()
            .map(|c| c.token),
        "discord" => DiscordConfig::from_env(env, settings).map(|c| c.token),
        "slack" => SlackConfig::from_env(env, settings)
            .ok()
            .flatten()
            .map(|c| c.bot_token),
        "weixin" => WeixinConfig::from_env(env, settings, paths)
            .ok()
            .map(|c| c.token),
        "email" => EmailConfig::from_env(env, settings)
            .ok()
            .map(|c| c.password),
        "homeassistant" => HomeAssistantConfig::from_env(env, settings)
            .ok()
            .flatten()
            .map(|c| c.token),
        "matrix" => match MatrixConfig::from_env(env, settings).ok().flatten() {
            Some(c) if c.access_token.is_none() => {
                return ("MATRIX_PASSWORD", c.password);
            }
            c => c.and_then(|c| c.access_token),
        },
        "webhook" => WebhookConfig::from_env(env, settings, paths)
            .ok()
            .flatten()
            .and_then(|c| c.secret),
        "api_server" => Some(settings.gateway.api_server.key.clone()),
        _ => None,
    };
    let token = from_config
        .filter(|t| !t.trim().is_empty())
        .or_else(|| env.get(var).map(str::to_string));
    (var, token.filter(|t| !t.trim().is_empty()))
}

/// Which platform an error of [`registry::build`] is about (`telegram: …`, `discord is
/// enabled but …`).
fn error_platform(error: &str) -> Option<&'static str> {
    PLATFORMS.iter().map(|(n, _)| *n).find(|n| {
        error
            .strip_prefix(n)
            .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(' '))
    })
}

/// The platforms this profile configures, decided exactly as the gateway decides it (the
/// adapter registry, plus the API server): those it would run, and those it would refuse
/// with the reason.
#[must_use]
pub fn platforms(paths: &HermesPaths, settings: &Settings, env: &Env) -> Vec<PlatformSummary> {
    let homes = HomeChannels::from_config(env, settings);
    let summary = |name: &str, error: Option<String>| {
        let policy = auth::platform_policy(name, env, settings);
        let (token_var, token) = credential(name, paths, settings, env);
        let users = !matches!(name, "homeassistant" | "webhook" | "api_server");
        PlatformSummary {
            name: name.to_string(),
            token_var,
            token,
            users,
            allowed_users: policy.allowed_users,
            allow_all: policy.allow_all || policy.gateway_allow_all,
            gateway_allowed: policy.gateway_allowed,
            home_channel: homes.get(name).map(|h| {
                h.thread_id
                    .as_ref()
                    .map_or_else(|| h.chat_id.clone(), |t| format!("{}:{t}", h.chat_id))
            }),
            dm_policy: dm_name(policy.dm),
            error,
        }
    };
    // Building adapters only reads configuration; nothing connects until they run.
    let built = registry::build(paths, settings, env, &reqwest::Client::new());
    let mut found: Vec<(String, Option<String>)> = built
        .platforms
        .iter()
        .map(|p| (p.name().to_string(), None))
        .collect();
    for e in &built.errors {
        let name = error_platform(e).unwrap_or("unknown");
        let reason = e
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix(':'))
            .map_or(e.as_str(), str::trim);
        found.push((name.to_string(), Some(reason.to_string())));
    }
    if settings.api_server_enabled() {
        found.push(("api_server".into(), None));
    }
    let rank = |n: &str| {
        PLATFORMS
            .iter()
            .position(|(p, _)| *p == n)
            .unwrap_or(usize::MAX)
    };
    found.sort_by_key(|(n, _)| rank(n));
    found
        .into_iter()
        .map(|(name, error)| summary(&name, error))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_and_tilde() {
        assert_eq!(redact("sk-abcdefghijklmnop1234"), "sk-a...1234");
        assert_eq!(redact("short"), "***");
        assert_eq!(
            tilde(Path::new("/home/a/.hermes/logs"), Path::new("/home/a")),
            "~/.hermes/logs"
        );
        assert_eq!(tilde(Path::new("/srv/x"), Path::new("/home/a")), "/srv/x");
    }

    #[test]
    fn telegram_summary() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let env = Env::from_pairs([
            ("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOP"),
            ("TELEGRAM_ALLOWED_USERS", "1,2"),
            ("TELEGRAM_HOME_CHANNEL", "-100"),
        ]);
        let s = Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap();
        let p = platforms(&paths, &s, &env);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].allowed_users, ["1", "2"]);
        assert_eq!(p[0].home_channel.as_deref(), Some("-100"));
        assert_eq!(p[0].dm_policy, "pairing");
    }
}
