//! Facts about a profile that `doctor` and `hermes status` both show: redacted keys, paths
//! with `~`, and each configured platform's token, allowlist, home channel and DM policy.

use std::path::Path;

use serde::Serialize;

use crate::auth::{self, DmPolicy};
use crate::config::{Env, Settings};
use crate::cron::HomeChannels;
use crate::home::HermesPaths;
use crate::platforms::telegram::TelegramConfig;
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
    /// `telegram`, `weixin`.
    pub name: String,
    /// The variable holding its credential.
    pub token_var: &'static str,
    /// Its credential (never printed as is).
    #[serde(skip)]
    pub token: Option<String>,
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
    /// A problem building its configuration.
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

/// The platforms this profile configures (those this build can run).
#[must_use]
pub fn platforms(paths: &HermesPaths, settings: &Settings, env: &Env) -> Vec<PlatformSummary> {
    let homes = HomeChannels::from_config(env, settings);
    let summary = |name: &str, token_var: &'static str, token: Option<String>, error| {
        let policy = auth::platform_policy(name, env, settings);
        PlatformSummary {
            name: name.to_string(),
            token_var,
            token,
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
    let mut out = Vec::new();
    match TelegramConfig::from_env(env, settings) {
        Ok(Some(cfg)) => out.push(summary(
            "telegram",
            "TELEGRAM_BOT_TOKEN",
            Some(cfg.token),
            None,
        )),
        Ok(None) => {}
        Err(e) => out.push(summary(
            "telegram",
            "TELEGRAM_BOT_TOKEN",
            env.get("TELEGRAM_BOT_TOKEN").map(str::to_string),
            Some(e.to_string()),
        )),
    }
    if WeixinConfig::is_configured(env, settings) {
        match WeixinConfig::from_env(env, settings, paths) {
            Ok(cfg) => out.push(summary("weixin", "WEIXIN_TOKEN", Some(cfg.token), None)),
            Err(e) => out.push(summary(
                "weixin",
                "WEIXIN_TOKEN",
                env.get("WEIXIN_TOKEN").map(str::to_string),
                Some(e.to_string()),
            )),
        }
    }
    out
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
