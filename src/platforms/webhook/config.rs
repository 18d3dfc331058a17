//! Webhook settings and routes: `WEBHOOK_ENABLED`/`WEBHOOK_PORT`/`WEBHOOK_SECRET` over
//! `platforms.webhook.extra`, static routes from `platforms.webhook.extra.routes`, and the
//! dynamic routes of `<home>/webhook_subscriptions.json`, re-read whenever the file changes.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use serde_json::Value;

use super::signature::INSECURE_NO_AUTH;
use crate::config::{Env, Settings};
use crate::home::HermesPaths;
use crate::logs;

/// The port upstream listens on.
pub const DEFAULT_PORT: u16 = 8644;
/// Largest accepted body (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1_048_576;
/// Accepted requests per route and minute.
pub const DEFAULT_RATE_LIMIT: usize = 30;

/// One webhook route.
#[derive(Clone, PartialEq, Eq)]
pub struct Route {
    /// Its name (the key in the config or subscriptions file).
    pub name: String,
    /// The URL path it answers (`path`, default `/webhooks/<name>`).
    pub path: String,
    /// The HMAC secret (`secret`; the global one when absent).
    pub secret: Option<String>,
    /// Where the reply goes: `log`, `<platform>` (its home channel) or
    /// `<platform>:<chat_id>[:<thread_id>]`.
    pub deliver: String,
    /// `deliver_extra.chat_id`, used with a bare platform `deliver`.
    pub deliver_chat_id: Option<String>,
    /// `deliver_extra.thread_id` (or `message_thread_id`).
    pub deliver_thread_id: Option<String>,
    /// The prompt template (`prompt`, or `prompt_template`); empty: the pretty JSON.
    pub prompt: String,
    /// Event types accepted (empty: all).
    pub events: Vec<String>,
    /// `enabled: false` keeps the route but refuses its events (403).
    pub enabled: bool,
    /// Skip the agent: the rendered prompt is delivered as the message.
    pub deliver_only: bool,
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("deliver", &self.deliver)
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .field("deliver_only", &self.deliver_only)
            .finish_non_exhaustive()
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Route {
    /// Reads a route from its JSON (or YAML converted to JSON) object.
    #[must_use]
    pub fn from_value(name: &str, v: &Value) -> Self {
        let extra = v.get("deliver_extra");
        let path = text(v.get("path")).map_or_else(
            || format!("/webhooks/{name}"),
            |p| {
                if p.starts_with('/') {
                    p
                } else {
                    format!("/{p}")
                }
            },
        );
        Self {
            name: name.to_string(),
            path,
            secret: text(v.get("secret")),
            deliver: text(v.get("deliver")).unwrap_or_else(|| "log".into()),
            deliver_chat_id: extra.and_then(|e| text(e.get("chat_id"))),
            deliver_thread_id: extra.and_then(|e| {
                text(e.get("thread_id")).or_else(|| text(e.get("message_thread_id")))
            }),
            prompt: text(v.get("prompt"))
                .or_else(|| text(v.get("prompt_template")))
                .unwrap_or_default(),
            events: match v.get("events") {
                Some(Value::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
                Some(Value::String(s)) => s
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            },
            enabled: v.get("enabled").and_then(Value::as_bool) != Some(false),
            deliver_only: v.get("deliver_only").and_then(Value::as_bool) == Some(true),
        }
    }
}

/// Why the webhook settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookConfigError {
    /// A configured route has neither its own secret nor `WEBHOOK_SECRET`.
    #[error(
        "webhook route '{route}' has no HMAC secret. Set 'secret' on the route or WEBHOOK_SECRET. For testing without auth, set the secret to '{INSECURE_NO_AUTH}'."
    )]
    MissingSecret { route: String },
    /// `INSECURE_NO_AUTH` on an address other people can reach.
    #[error(
        "webhook route '{route}' uses {INSECURE_NO_AUTH} but the server binds {host}, not loopback; refusing to start"
    )]
    InsecureBind { route: String, host: IpAddr },
    /// `deliver_only` without a real target.
    #[error("webhook route '{route}' has deliver_only but deliver is 'log'")]
    DeliverOnlyToLog { route: String },
    /// `WEBHOOK_PORT` or `extra.host` do not parse.
    #[error("invalid webhook {what}: {value}")]
    Invalid { what: &'static str, value: String },
}

impl WebhookConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::MissingSecret { .. } => {
                vec!["set WEBHOOK_SECRET in the profile's .env, or `secret:` on the route".into()]
            }
            Self::InsecureBind { .. } => vec![
                "set platforms.webhook.extra.host to 127.0.0.1, or give the route a real secret"
                    .into(),
            ],
            Self::DeliverOnlyToLog { .. } => {
                vec!["set deliver to a platform, e.g. `telegram` or `telegram:CHAT_ID`".into()]
            }
            Self::Invalid { .. } => vec!["WEBHOOK_PORT is a number such as 8644".into()],
        }
    }
}

/// Everything the webhook server needs.
#[derive(Clone)]
pub struct WebhookConfig {
    /// Address to bind (`platforms.webhook.extra.host`, default all IPv4 interfaces).
    pub host: IpAddr,
    /// Port (`WEBHOOK_PORT`, `extra.port`, default 8644; 0 picks a free one).
    pub port: u16,
    /// `WEBHOOK_SECRET` / `extra.secret`: the secret of routes without their own.
    pub secret: Option<String>,
    /// Routes from `config.yaml` (they win over dynamic ones of the same name).
    pub routes: BTreeMap<String, Route>,
    /// `<home>/webhook_subscriptions.json`.
    pub subscriptions_file: PathBuf,
    /// Accepted requests per route and minute (`extra.rate_limit`).
    pub rate_limit: usize,
    /// Largest body (`extra.max_body_bytes`).
    pub max_body_bytes: usize,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("routes", &self.routes)
            .field("subscriptions_file", &self.subscriptions_file)
            .finish_non_exhaustive()
    }
}

impl WebhookConfig {
    /// The settings, or `None` when the webhook platform is not enabled (`WEBHOOK_ENABLED`
    /// or `platforms.webhook.enabled: true`; an explicit `enabled: false` wins).
    pub fn from_env(
        env: &Env,
        settings: &Settings,
        paths: &HermesPaths,
    ) -> Result<Option<Self>, WebhookConfigError> {
        let platform = settings.platforms.get("webhook");
        let yaml_enabled = platform
            .and_then(|p| p.get("enabled"))
            .and_then(serde_yaml_ng::Value::as_bool);
        if yaml_enabled == Some(false)
            || !(env.flag("WEBHOOK_ENABLED") == Some(true) || yaml_enabled == Some(true))
        {
            return Ok(None);
        }
        let extra: Value = platform
            .and_then(|p| p.get("extra"))
            .and_then(|e| serde_json::to_value(e).ok())
            .unwrap_or(Value::Null);
        let port = match env
            .get("WEBHOOK_PORT")
            .map(str::to_string)
            .or_else(|| text(extra.get("port")))
        {
            None => DEFAULT_PORT,
            Some(p) => p.trim().parse().map_err(|_| WebhookConfigError::Invalid {
                what: "port",
                value: p.clone(),
            })?,
        };
        let host = match text(extra.get("host")) {
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Some(h) if h == "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) => h.parse().map_err(|_| WebhookConfigError::Invalid {
                what: "host",
                value: h.clone(),
            })?,
        };
        let number = |key: &str, default: usize| {
            text(extra.get(key))
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let mut routes = BTreeMap::new();
        if let Some(Value::Object(map)) = extra.get("routes") {
            for (name, v) in map {
                routes.insert(name.clone(), Route::from_value(name, v));
            }
        }
        let config = Self {
            host,
            port,
            secret: env
                .get("WEBHOOK_SECRET")
                .map(str::to_string)
                .or_else(|| text(extra.get("secret"))),
            routes,
            subscriptions_file: paths.webhook_subscriptions_file(),
            rate_limit: number("rate_limit", DEFAULT_RATE_LIMIT),
            max_body_bytes: number("max_body_bytes", DEFAULT_MAX_BODY_BYTES),
        };
        for route in config.routes.values() {
            config.check(route)?;
        }
        Ok(Some(config))
    }

    /// A config listening on `host:port` with no routes (tests).
    #[must_use]
    pub fn new(host: IpAddr, port: u16, paths: &HermesPaths) -> Self {
        Self {
            host,
            port,
            secret: None,
            routes: BTreeMap::new(),
            subscriptions_file: paths.webhook_subscriptions_file(),
            rate_limit: DEFAULT_RATE_LIMIT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The secret a route is checked with.
    #[must_use]
    pub fn secret_of<'a>(&'a self, route: &'a Route) -> Option<&'a str> {
        route.secret.as_deref().or(self.secret.as_deref())
    }

    /// Whether a route may be served: it has a secret (and `INSECURE_NO_AUTH` only on
    /// loopback), and `deliver_only` names a real target.
    pub fn check(&self, route: &Route) -> Result<(), WebhookConfigError> {
        match self.secret_of(route) {
            None => {
                return Err(WebhookConfigError::MissingSecret {
                    route: route.name.clone(),
                });
            }
            Some(INSECURE_NO_AUTH) if !self.host.is_loopback() => {
                return Err(WebhookConfigError::InsecureBind {
                    route: route.name.clone(),
                    host: self.host,
                });
            }
            Some(_) => {}
        }
        if route.deliver_only && route.deliver == "log" {
            return Err(WebhookConfigError::DeliverOnlyToLog {
                route: route.name.clone(),
            });
        }
        Ok(())
    }
}

/// The routes in force: the static ones plus the subscriptions file, re-read when its
/// modification time or size changes.
#[derive(Debug)]
pub struct RouteTable {
    config: WebhookConfig,
    dynamic: Mutex<Dynamic>,
}

#[derive(Debug, Default)]
struct Dynamic {
    stamp: Option<(SystemTime, u64)>,
    routes: BTreeMap<String, Route>,
}

impl RouteTable {
    /// A table over `config`; the file is read on first use.
    #[must_use]
    pub fn new(config: WebhookConfig) -> Self {
        Self {
            config,
            dynamic: Mutex::new(Dynamic::default()),
        }
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    fn reload(&self) -> std::sync::MutexGuard<'_, Dynamic> {
        // The guarded map is replaced whole, so a poisoned lock still holds a usable value.
        let mut d = self
            .dynamic
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let path = &self.config.subscriptions_file;
        let stamp = std::fs::metadata(path)
            .ok()
            .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()));
        if stamp == d.stamp {
            return d;
        }
        d.stamp = stamp;
        d.routes.clear();
        let Some(raw) = stamp.and_then(|_| std::fs::read_to_string(path).ok()) else {
            return d;
        };
        let parsed: Value = match serde_json::from_str(&raw) {
            Ok(v) => v,
            Err(e) => {
                logs::error(
                    "gateway.platforms.webhook",
                    format!("Failed to reload dynamic routes: {e}"),
                );
                return d;
            }
        };
        let Value::Object(map) = parsed else {
            return d;
        };
        for (name, v) in &map {
            if self.config.routes.contains_key(name) {
                continue;
            }
            let route = Route::from_value(name, v);
            match self.config.check(&route) {
                Ok(()) => {
                    d.routes.insert(name.clone(), route);
                }
                Err(e) => logs::warn(
                    "gateway.platforms.webhook",
                    format!("Dynamic route '{name}' skipped: {e}"),
                ),
            }
        }
        logs::info(
            "gateway.platforms.webhook",
            format!("Reloaded {} dynamic route(s)", d.routes.len()),
        );
        d
    }

    /// The route serving `path` (static routes first), reloading the file if it changed.
    #[must_use]
    pub fn by_path(&self, path: &str) -> Option<Route> {
        let path = path.trim_end_matches('/');
        if let Some(r) = self.config.routes.values().find(|r| r.path == path) {
            return Some(r.clone());
        }
        self.reload()
            .routes
            .values()
            .find(|r| r.path == path)
            .cloned()
    }

    /// The route named `name`.
    #[must_use]
    pub fn by_name(&self, name: &str) -> Option<Route> {
        if let Some(r) = self.config.routes.get(name) {
            return Some(r.clone());
        }
        self.reload().routes.get(name).cloned()
    }

    /// Every route name, static then dynamic.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.config.routes.keys().cloned().collect();
        names.extend(self.reload().routes.keys().cloned());
        names
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
    fn enabled_by_env_or_config_and_routes_need_secrets() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let none = WebhookConfig::from_env(&Env::default(), &settings("{}"), &paths).unwrap();
        assert!(none.is_none());
        let env = Env::from_pairs([("WEBHOOK_ENABLED", "true"), ("WEBHOOK_PORT", "9001")]);
        let c = WebhookConfig::from_env(&env, &settings("{}"), &paths)
            .unwrap()
            .unwrap();
        assert_eq!(c.port, 9001);
        assert_eq!(c.max_body_bytes, 1_048_576);
        let s = settings(
            "platforms:\n  webhook:\n    enabled: true\n    extra:\n      routes:\n        gh:\n          deliver: telegram:42\n          prompt: 'PR {number}'\n",
        );
        assert_eq!(
            WebhookConfig::from_env(&Env::default(), &s, &paths).unwrap_err(),
            WebhookConfigError::MissingSecret { route: "gh".into() }
        );
        let env = Env::from_pairs([("WEBHOOK_SECRET", "g")]);
        let c = WebhookConfig::from_env(&env, &s, &paths).unwrap().unwrap();
        let gh = &c.routes["gh"];
        assert_eq!(gh.path, "/webhooks/gh");
        assert_eq!(c.secret_of(gh), Some("g"));
        assert!(!format!("{c:?}").contains("\"g\""));
        let insecure = settings(
            "platforms:\n  webhook:\n    enabled: true\n    extra:\n      routes:\n        t: {secret: INSECURE_NO_AUTH}\n",
        );
        assert!(matches!(
            WebhookConfig::from_env(&Env::default(), &insecure, &paths),
            Err(WebhookConfigError::InsecureBind { .. })
        ));
        let off = settings("platforms: {webhook: {enabled: false}}");
        let env = Env::from_pairs([("WEBHOOK_ENABLED", "1")]);
        assert!(
            WebhookConfig::from_env(&env, &off, &paths)
                .unwrap()
                .is_none()
        );
    }
}
