//! Network probes with short timeouts: does the model provider answer `GET /models` with the
//! key, and do the platform credentials work. Offline is a distinct answer from "rejected".

use std::time::Duration;

use serde::Serialize;

use super::facts::PlatformSummary;
use crate::agent::provider::{ANTHROPIC_VERSION, ProviderKind, ResolvedProvider};
use crate::config::{Env, Settings};
use crate::home::HermesPaths;
use crate::platforms::PlatformError;
use crate::platforms::discord::{self, DiscordConfig};
use crate::platforms::email::{self, EmailConfig};
use crate::platforms::homeassistant::{self, HomeAssistantConfig};
use crate::platforms::matrix::{self, MatrixConfig};
use crate::platforms::slack::{self, SlackConfig};
use crate::platforms::telegram::{self, TelegramConfig};
use crate::platforms::weixin::{self, WeixinConfig};

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "detail")]
pub enum Probe {
    /// It answered and accepted the credentials (detail: what it said, e.g. `@bot`).
    Ok(String),
    /// It answered and refused the credentials.
    Rejected(String),
    /// It could not be reached (offline, DNS, timeout).
    Unreachable(String),
    /// It answered something unexpected.
    Unexpected(String),
    /// Nothing remote to ask (the webhook and the API server check each request themselves).
    Skipped(String),
}

/// `GET <base_url>/models` with the provider's key.
pub async fn provider(p: &ResolvedProvider, http: &reqwest::Client, timeout: Duration) -> Probe {
    let url = format!("{}/models", p.base_url.trim_end_matches('/'));
    let mut req = http.get(&url).timeout(timeout);
    if let Some(key) = &p.api_key {
        req = match p.kind {
            ProviderKind::Anthropic => req
                .header("x-api-key", key)
                .header("anthropic-version", ANTHROPIC_VERSION),
            ProviderKind::OpenAi(_) => req.bearer_auth(key),
        };
    }
    match req.send().await {
        Err(e) => Probe::Unreachable(short_error(&e)),
        Ok(r) => {
            let status = r.status();
            if status.is_success() {
                Probe::Ok(format!("HTTP {}", status.as_u16()))
            } else if status.as_u16() == 401 || status.as_u16() == 403 {
                Probe::Rejected(format!("HTTP {}", status.as_u16()))
            } else {
                Probe::Unexpected(format!("HTTP {}", status.as_u16()))
            }
        }
    }
}

fn short_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        e.to_string()
    }
}

fn classify(e: &PlatformError) -> Probe {
    match e {
        PlatformError::Unauthorized { message, .. } => Probe::Rejected(message.clone()),
        PlatformError::Transient { message, .. } => Probe::Unreachable(message.clone()),
        other => Probe::Unexpected(other.to_string()),
    }
}

/// Checks one configured platform's credentials with its adapter's own probe: Telegram
/// `getMe`, Discord `users/@me`, Slack `auth.test`, iLink `getconfig`, an IMAP and SMTP
/// login, Home Assistant `GET /api/` and a websocket login, Matrix `whoami` (or a password
/// login that is logged out again).
pub async fn platform(
    summary: &PlatformSummary,
    paths: &HermesPaths,
    settings: &Settings,
    env: &Env,
    http: &reqwest::Client,
    timeout: Duration,
) -> Probe {
    let fut = async {
        match summary.name.as_str() {
            "telegram" => match TelegramConfig::from_env(env, settings) {
                Ok(Some(cfg)) => match telegram::probe(&cfg, http).await {
                    Ok(bot) => Probe::Ok(format!("@{}", bot.username)),
                    Err(e) => classify(&e),
                },
                Ok(None) => Probe::Unexpected("not configured".into()),
                Err(e) => Probe::Unexpected(e.to_string()),
            },
            "weixin" => match WeixinConfig::from_env(env, settings, paths) {
                Ok(cfg) => match weixin::probe(&cfg, http).await {
                    Ok(()) => Probe::Ok(cfg.account_id.clone()),
                    Err(e) => classify(&e),
                },
                Err(e) => Probe::Unexpected(e.to_string()),
            },
            "discord" => match DiscordConfig::from_env(env, settings) {
                Some(cfg) => match discord::probe(&cfg, http).await {
                    Ok(bot) => Probe::Ok(format!("@{}", bot.username)),
                    Err(e) => classify(&e),
                },
                None => Probe::Unexpected("not configured".into()),
            },
            "slack" => match SlackConfig::from_env(env, settings) {
                Ok(Some(cfg)) => match slack::probe(&cfg, http).await {
                    Ok(bot) if bot.team.is_empty() => Probe::Ok(format!("@{}", bot.user)),
                    Ok(bot) => Probe::Ok(format!("@{} in {}", bot.user, bot.team)),
                    Err(e) => classify(&e),
                },
                Ok(None) => Probe::Unexpected("not configured".into()),
                Err(e) => Probe::Unexpected(e.to_string()),
            },
            "email" => match EmailConfig::from_env(env, settings) {
                Ok(cfg) => match email::probe(&cfg).await {
                    Ok(()) => Probe::Ok(cfg.address.clone()),
                    Err(e) => classify(&e),
                },
                Err(e) => Probe::Unexpected(e.to_string()),
            },
            "homeassistant" => match HomeAssistantConfig::from_env(env, settings) {
                Ok(Some(cfg)) => match homeassistant::probe(&cfg, http).await {
                    Ok(()) => Probe::Ok(cfg.url.clone()),
                    Err(e) => classify(&e),
                },
                Ok(None) => Probe::Unexpected("not configured".into()),
                Err(e) => Probe::Unexpected(e.to_string()),
            },
            "matrix" => match MatrixConfig::from_env(env, settings) {
                Ok(Some(cfg)) => match matrix::probe(&cfg, http).await {
                    Ok(me) => Probe::Ok(me.user_id),
                    Err(e) => classify(&e),
                },
                Ok(None) => Probe::Unexpected("not configured".into()),
                Err(e) => Probe::Unexpected(e.to_string()),
            },
            "webhook" => Probe::Skipped("each request is checked against its HMAC secret".into()),
            "api_server" => Probe::Skipped("see the API Server section".into()),
            other => Probe::Unexpected(format!("no probe for {other}")),
        }
    };
    tokio::time::timeout(timeout, fut)
        .await
        .unwrap_or_else(|_| Probe::Unreachable("timed out".into()))
}
