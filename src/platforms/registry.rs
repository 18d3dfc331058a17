//! Which adapters a profile runs: each configured platform built from its settings, with
//! configuration problems reported instead of crashing the gateway.

use std::sync::Arc;

use super::Platform;
use super::matrix::{Matrix, MatrixConfig};
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
