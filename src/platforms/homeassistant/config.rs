//! The Home Assistant adapter's settings: `HASS_TOKEN` enables it, `HASS_URL` (or
//! `platforms.homeassistant.extra.url`) points at the instance, and the event filters of
//! upstream (`watch_domains`, `watch_entities`, `ignore_entities`, `watch_all`,
//! `cooldown_seconds`) come from `platforms.homeassistant[.extra]`.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_yaml_ng::Value;

use crate::config::{Env, Settings};

/// Where Home Assistant usually answers on a home network.
pub const DEFAULT_URL: &str = "http://homeassistant.local:8123";
/// Per-entity quiet time between forwarded events.
pub const DEFAULT_COOLDOWN_SECS: u64 = 30;

/// Everything the Home Assistant adapter needs.
#[derive(Clone)]
pub struct HomeAssistantConfig {
    /// `HASS_TOKEN`: a long-lived access token (never printed).
    pub token: String,
    /// The instance's base URL, without a trailing slash.
    pub url: String,
    /// Forward state changes of entities in these domains.
    pub watch_domains: BTreeSet<String>,
    /// Forward state changes of these entities.
    pub watch_entities: BTreeSet<String>,
    /// Never forward these entities.
    pub ignore_entities: BTreeSet<String>,
    /// Forward every state change when no domain or entity filter is set.
    pub watch_all: bool,
    /// Quiet time per entity.
    pub cooldown: Duration,
    /// How often the websocket is pinged.
    pub ping_interval: Duration,
    /// `HERMES_GATEWAY_LOCK_DIR`.
    pub lock_dir: Option<PathBuf>,
    /// Problems worth a warning.
    pub warnings: Vec<String>,
}

impl fmt::Debug for HomeAssistantConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HomeAssistantConfig")
            .field("token", &"***")
            .field("url", &self.url)
            .field("watch_domains", &self.watch_domains)
            .field("watch_entities", &self.watch_entities)
            .field("ignore_entities", &self.ignore_entities)
            .field("watch_all", &self.watch_all)
            .field("cooldown", &self.cooldown)
            .finish_non_exhaustive()
    }
}

/// Why the Home Assistant settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HomeAssistantConfigError {
    /// `HASS_URL` is not an http(s) URL.
    #[error("HASS_URL is not an http(s) URL: {url}")]
    BadUrl { url: String },
}

impl HomeAssistantConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        vec![format!("set HASS_URL to e.g. {DEFAULT_URL}")]
    }
}

fn blocks(settings: &Settings) -> Vec<&Value> {
    let mut out = Vec::new();
    for v in [
        settings.platforms.get("homeassistant"),
        settings.gateway.platforms.get("homeassistant"),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(extra) = v.get("extra") {
            out.push(extra);
        }
        out.push(v);
    }
    out
}

fn yaml<'a>(blocks: &[&'a Value], key: &str) -> Option<&'a Value> {
    blocks
        .iter()
        .find_map(|b| b.get(key).filter(|v| !v.is_null()))
}

fn string_set(v: Option<&Value>) -> BTreeSet<String> {
    match v {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// The instance URL from the environment or config, without a trailing slash.
#[must_use]
pub fn hass_url(env: &Env, settings: &Settings) -> String {
    env.get("HASS_URL")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| {
            yaml(&blocks(settings), "url")
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| DEFAULT_URL.into())
        .trim_end_matches('/')
        .to_string()
}

impl HomeAssistantConfig {
    /// The settings, or `None` without `HASS_TOKEN` (or with `enabled: false`).
    pub fn from_env(
        env: &Env,
        settings: &Settings,
    ) -> Result<Option<Self>, HomeAssistantConfigError> {
        let Some(token) = env
            .get("HASS_TOKEN")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok(None);
        };
        let b = blocks(settings);
        if yaml(&b, "enabled").and_then(Value::as_bool) == Some(false) {
            return Ok(None);
        }
        let url = hass_url(env, settings);
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(HomeAssistantConfigError::BadUrl { url });
        }
        let mut c = Self::new(token, &url);
        c.watch_domains = string_set(yaml(&b, "watch_domains"));
        c.watch_entities = string_set(yaml(&b, "watch_entities"));
        c.ignore_entities = string_set(yaml(&b, "ignore_entities"));
        c.watch_all = yaml(&b, "watch_all")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(secs) = yaml(&b, "cooldown_seconds").and_then(Value::as_u64) {
            c.cooldown = Duration::from_secs(secs);
        }
        c.lock_dir = env.get("HERMES_GATEWAY_LOCK_DIR").map(PathBuf::from);
        if c.watch_domains.is_empty() && c.watch_entities.is_empty() && !c.watch_all {
            c.warnings.push("homeassistant: no watch_domains, watch_entities, or watch_all configured. All state_changed events will be dropped. Configure filters in your HA platform config to receive events.".into());
        }
        Ok(Some(c))
    }

    /// A config for `token` at `url` with no filters (tests, probes, the agent's tools).
    #[must_use]
    pub fn new(token: &str, url: &str) -> Self {
        Self {
            token: token.to_string(),
            url: url.trim_end_matches('/').to_string(),
            watch_domains: BTreeSet::new(),
            watch_entities: BTreeSet::new(),
            ignore_entities: BTreeSet::new(),
            watch_all: false,
            cooldown: Duration::from_secs(DEFAULT_COOLDOWN_SECS),
            ping_interval: Duration::from_secs(30),
            lock_dir: None,
            warnings: Vec::new(),
        }
    }

    /// The websocket API endpoint (`ws[s]://…/api/websocket`).
    #[must_use]
    pub fn websocket_url(&self) -> String {
        let ws = if let Some(rest) = self.url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = self.url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            self.url.clone()
        };
        format!("{ws}/api/websocket")
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
    fn token_enables_and_filters_come_from_config() {
        let s = settings("{}");
        assert!(
            HomeAssistantConfig::from_env(&Env::default(), &s)
                .unwrap()
                .is_none()
        );
        let env = Env::from_pairs([("HASS_TOKEN", "abc")]);
        let c = HomeAssistantConfig::from_env(&env, &s).unwrap().unwrap();
        assert_eq!(c.url, DEFAULT_URL);
        assert_eq!(
            c.websocket_url(),
            "ws://homeassistant.local:8123/api/websocket"
        );
        assert_eq!(c.warnings.len(), 1, "no filters: a warning");
        assert!(!format!("{c:?}").contains("abc"));

        let s = settings(
            "platforms:\n  homeassistant:\n    extra:\n      url: https://ha.example/\n      watch_domains: [light, climate]\n      watch_entities: input_boolean.x\n      cooldown_seconds: 0\n",
        );
        let c = HomeAssistantConfig::from_env(&env, &s).unwrap().unwrap();
        assert_eq!(c.url, "https://ha.example");
        assert_eq!(c.websocket_url(), "wss://ha.example/api/websocket");
        assert!(c.watch_domains.contains("climate"));
        assert!(c.watch_entities.contains("input_boolean.x"));
        assert_eq!(c.cooldown, Duration::ZERO);
        assert!(c.warnings.is_empty());

        let env = Env::from_pairs([("HASS_TOKEN", "abc"), ("HASS_URL", "ftp://x")]);
        assert!(HomeAssistantConfig::from_env(&env, &s).is_err());
    }
}
