//! Which adapters a profile runs: each configured platform built from its settings, with
//! configuration problems reported instead of crashing the gateway.

use std::sync::Arc;

use super::Platform;
use super::discord::{Discord, DiscordConfig};
use super::email::{Email, EmailConfig};
use super::homeassistant::{HomeAssistant, HomeAssistantConfig};
use super::matrix::{Matrix, MatrixConfig};
use super::slack::{Slack, SlackConfig};
use super::telegram::{Telegram, TelegramConfig};
use super::webhook::{Webhook, WebhookConfig};
use super::weixin::{Weixin, WeixinConfig};
use crate::config::{Env, Settings};
use crate::home::HermesPaths;

/// The platforms to run, and what kept others from starting.
#[derive(Default)]
pub struct Built {
    /// Adapters ready to run.
    pub platforms: Vec<Arc<dyn Platform>>,
    /// Problems worth a warning (the platform still runs).
    pub warnings: Vec<String>,
    /// Platforms that were configured but cannot start, with the reason.
    pub errors: Vec<String>,
}

/// Values people leave in templates instead of a real token.
fn is_placeholder(token: &str) -> bool {
    let t = token.trim().to_ascii_lowercase();
    t.len() < 8
        || t.chars().all(|c| c == 'x' || c == '*' || c == '.')
        || [
            "changeme",
            "your_token_here",
            "your-token-here",
            "placeholder",
            "replace_me",
            "<token>",
            "token_here",
        ]
        .iter()
        .any(|p| t == *p)
}

/// The placeholder refusal, in the original's words.
fn placeholder_error(platform: &str, var: &str) -> String {
    format!(
        "{platform} is enabled but {var} is set to a placeholder value ('xxxxxx...'). Set a real bot token before starting the gateway. The adapter will NOT be started."
    )
}

/// Builds every configured adapter.
#[must_use]
pub fn build(paths: &HermesPaths, settings: &Settings, env: &Env, http: &reqwest::Client) -> Built {
    let mut out = Built::default();
    match TelegramConfig::from_env(env, settings) {
        Ok(Some(cfg)) => {
            if is_placeholder(&cfg.token) {
                out.errors
                    .push(placeholder_error("telegram", "TELEGRAM_BOT_TOKEN"));
            } else {
                out.platforms
                    .push(Arc::new(Telegram::new(cfg, paths, http.clone())));
            }
        }
        Ok(None) => {}
        Err(e) => out.errors.push(format!("telegram: {e}")),
    }
    if let Some(cfg) = DiscordConfig::from_env(env, settings) {
        out.warnings
            .extend(cfg.warnings.iter().map(|w| format!("discord: {w}")));
        if is_placeholder(&cfg.token) {
            out.errors
                .push(placeholder_error("discord", "DISCORD_BOT_TOKEN"));
        } else {
            out.platforms
                .push(Arc::new(Discord::new(cfg, paths, http.clone())));
        }
    }
    match SlackConfig::from_env(env, settings) {
        Ok(Some(cfg)) => {
            out.warnings
                .extend(cfg.warnings.iter().map(|w| format!("slack: {w}")));
            if is_placeholder(&cfg.bot_token) {
                out.errors
                    .push(placeholder_error("slack", "SLACK_BOT_TOKEN"));
            } else if is_placeholder(&cfg.app_token) {
                out.errors
                    .push(placeholder_error("slack", "SLACK_APP_TOKEN"));
            } else {
                out.platforms
                    .push(Arc::new(Slack::new(cfg, paths, http.clone())));
            }
        }
        Ok(None) => {}
        Err(e) => out.errors.push(format!("slack: {e}")),
    }
    if WeixinConfig::is_configured(env, settings) {
        match WeixinConfig::from_env(env, settings, paths) {
            Ok(cfg) => {
                if let Some(w) = super::weixin::group_policy_warning(&cfg.group_policy) {
                    out.warnings.push(w);
                }
                if is_placeholder(&cfg.token) {
                    out.errors.push(placeholder_error("weixin", "WEIXIN_TOKEN"));
                } else {
                    out.platforms.push(Arc::new(Weixin::new(cfg, http.clone())));
                }
            }
            Err(e) => out.errors.push(format!("weixin: {e}")),
        }
    }
    if EmailConfig::is_configured(env, settings) {
        match EmailConfig::from_env(env, settings) {
            Ok(cfg) => out.platforms.push(Arc::new(Email::new(cfg, paths))),
            Err(e) => out.errors.push(format!("email: {e}")),
        }
    }
    match HomeAssistantConfig::from_env(env, settings) {
        Ok(Some(cfg)) => {
            if is_placeholder(&cfg.token) {
                out.errors
                    .push(placeholder_error("homeassistant", "HASS_TOKEN"));
            } else {
                out.warnings.extend(cfg.warnings.iter().cloned());
                out.platforms
                    .push(Arc::new(HomeAssistant::new(cfg, paths, http.clone())));
            }
        }
        Ok(None) => {}
        Err(e) => out.errors.push(format!("homeassistant: {e}")),
    }
    match MatrixConfig::from_env(env, settings) {
        Ok(Some(cfg)) => {
            out.warnings.extend(cfg.warnings.iter().cloned());
            // Only tokens are checked: a real password may well be short.
            if cfg.access_token.as_deref().is_some_and(is_placeholder) {
                out.errors
                    .push(placeholder_error("matrix", "MATRIX_ACCESS_TOKEN"));
            } else {
                out.platforms
                    .push(Arc::new(Matrix::new(cfg, paths, http.clone())));
            }
        }
        Ok(None) => {}
        Err(e) => out.errors.push(format!("matrix: {e}")),
    }
    let webhook = match WebhookConfig::from_env(env, settings, paths) {
        Ok(Some(cfg)) => Some(Arc::new(Webhook::new(cfg))),
        Ok(None) => None,
        Err(e) => {
            out.errors.push(format!("webhook: {e}"));
            None
        }
    };
    if let Some(w) = webhook {
        out.platforms.push(w.clone());
        bind_webhook(&w, &out.platforms, env, settings);
    }
    out
}

/// Gives the webhook the outboxes of every other adapter it may forward replies to. Keep this
/// the last step of `build`, after every platform is in `platforms`.
fn bind_webhook(
    webhook: &Webhook,
    platforms: &[Arc<dyn Platform>],
    env: &Env,
    settings: &Settings,
) {
    let outboxes = platforms
        .iter()
        .filter(|p| p.name() != super::webhook::PLATFORM)
        .map(|p| (p.name().to_string(), (p.outbox(), p.capabilities())))
        .collect();
    webhook.bind_targets(super::webhook::Targets {
        outboxes,
        homes: crate::cron::HomeChannels::from_config(env, settings),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_refused() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let env = Env::from_pairs([("TELEGRAM_BOT_TOKEN", "xxxxxx")]);
        let built = build(
            &paths,
            &Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
            &env,
            &reqwest::Client::new(),
        );
        assert!(built.platforms.is_empty());
        assert!(
            built.errors[0].contains("placeholder value"),
            "{:?}",
            built.errors
        );
        let env = Env::from_pairs([("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")]);
        let built = build(
            &paths,
            &Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
            &env,
            &reqwest::Client::new(),
        );
        assert_eq!(built.platforms.len(), 1);
        assert!(is_placeholder("changeme") && !is_placeholder("123456:realtoken"));
    }

    #[test]
    fn discord_and_slack_are_built_or_refused() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let build_with = |pairs: &[(&str, &str)]| {
            let env = Env::from_pairs(pairs.iter().copied());
            build(
                &paths,
                &Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
                &env,
                &reqwest::Client::new(),
            )
        };
        let built = build_with(&[
            ("DISCORD_BOT_TOKEN", "MTIzNDU2Nzg5.discord.token"),
            ("SLACK_BOT_TOKEN", "xoxb-123-456-abcdef"),
            ("SLACK_APP_TOKEN", "xapp-1-A1-123-abcdef"),
        ]);
        let names: Vec<&str> = built.platforms.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["discord", "slack"], "{:?}", built.errors);
        let built = build_with(&[
            ("DISCORD_BOT_TOKEN", "changeme"),
            ("SLACK_BOT_TOKEN", "xoxb-123-456-abcdef"),
        ]);
        assert!(built.platforms.is_empty());
        assert!(
            built.errors[0].contains("DISCORD_BOT_TOKEN"),
            "{:?}",
            built.errors
        );
        assert!(
            built.errors[1].contains("SLACK_APP_TOKEN"),
            "{:?}",
            built.errors
        );
    }

    #[test]
    fn email_and_home_assistant_are_built_or_explained() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let build_with = |pairs: &[(&str, &str)]| {
            let env = Env::from_pairs(pairs.iter().copied());
            build(
                &paths,
                &Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
                &env,
                &reqwest::Client::new(),
            )
        };
        let half = build_with(&[("EMAIL_ADDRESS", "bot@example.test")]);
        assert!(half.platforms.is_empty());
        assert!(
            half.errors[0].starts_with("email: Not configured — missing EMAIL_PASSWORD"),
            "{:?}",
            half.errors
        );
        let full = build_with(&[
            ("EMAIL_ADDRESS", "bot@example.test"),
            ("EMAIL_PASSWORD", "pw"),
            ("EMAIL_IMAP_HOST", "imap.example.test"),
            ("EMAIL_SMTP_HOST", "smtp.example.test"),
            ("HASS_TOKEN", "a-long-lived-access-token"),
        ]);
        let names: Vec<&str> = full.platforms.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["email", "homeassistant"]);
        assert!(full.warnings.iter().any(|w| w.contains("watch_domains")));
        let placeholder = build_with(&[("HASS_TOKEN", "xxxxxxxxxx")]);
        assert!(
            placeholder.errors[0].contains("HASS_TOKEN"),
            "{:?}",
            placeholder.errors
        );
    }

    #[test]
    fn matrix_and_webhook_are_built_and_the_webhook_sees_the_others() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let env = Env::from_pairs([
            ("MATRIX_HOMESERVER", "http://127.0.0.1:1"),
            ("MATRIX_USER_ID", "@bot:x"),
            ("MATRIX_PASSWORD", "short"),
            ("WEBHOOK_ENABLED", "true"),
        ]);
        let built = build(
            &paths,
            &Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
            &env,
            &reqwest::Client::new(),
        );
        let names: Vec<&str> = built.platforms.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["matrix", "webhook"], "{:?}", built.errors);
        let env = Env::from_pairs([
            ("MATRIX_HOMESERVER", "http://127.0.0.1:1"),
            ("MATRIX_ACCESS_TOKEN", "xxxxxx"),
        ]);
        let built = build(
            &paths,
            &Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
            &env,
            &reqwest::Client::new(),
        );
        assert!(built.platforms.is_empty());
        assert!(built.errors[0].contains("MATRIX_ACCESS_TOKEN"));
    }
}
