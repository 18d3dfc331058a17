//! `ApiServerConfig`: the API server's resolved settings (from `Settings.gateway.api_server`,
//! which already layers `API_SERVER_*` over the config aliases) and the startup safety rules.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use super::ApiServerError;
use crate::config::Settings;
use crate::home::HermesPaths;

/// Upstream's defaults.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// The default port.
pub const DEFAULT_PORT: u16 = 8642;
/// Request bodies larger than this get 413 `body_too_large`.
pub const MAX_BODY_BYTES: usize = 10_000_000;
/// Stored Responses kept (least recently used dropped first).
pub const MAX_STORED_RESPONSES: usize = 100;
/// A key shorter than this counts as a placeholder on a network-accessible bind.
pub const MIN_NETWORK_KEY_CHARS: usize = 8;

/// The bearer key; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself (for comparisons and HMAC only).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ApiServerConfig {
    /// Whether `gateway run` should start it (enabled explicitly, or a key is set).
    pub enabled: bool,
    /// Bind address.
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// The bearer key; `None` accepts every request (loopback only).
    pub key: Option<ApiKey>,
    /// Allowed browser origins (`*` allows any); empty turns CORS off.
    pub cors_origins: Vec<String>,
    /// The model id shown to clients (`/v1/models`, responses).
    pub model_name: String,
    /// Agent runs at once before 429 (0 = no cap).
    pub max_concurrent_runs: usize,
    /// Idle time before an SSE stream gets a `: keepalive` comment.
    pub keepalive: Duration,
    /// How long an `Idempotency-Key` result is replayed.
    pub idempotency_ttl: Duration,
    /// Stored Responses kept.
    pub max_stored_responses: usize,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// `Retry-After` seconds sent with 503 when the model provider is unavailable.
    pub retry_after_secs: u64,
    /// The profile's home (`response_store.db`, `gateway_state.json`).
    pub paths: HermesPaths,
}

/// Something the operator should see at startup; the server runs anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartupWarning {
    /// No key: every request is accepted.
    NoKey {
        /// The (loopback) bind address.
        host: String,
    },
}

impl fmt::Display for StartupWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKey { host } => write!(
                f,
                "⚠️ No API key configured (API_SERVER_KEY); the API server listens on {host} \
                 only. All requests will be accepted without authentication."
            ),
        }
    }
}

impl ApiServerConfig {
    /// A loopback config with upstream's defaults (tests and embedders adjust fields).
    #[must_use]
    pub fn new(paths: HermesPaths) -> Self {
        Self {
            enabled: true,
            host: DEFAULT_HOST.into(),
            port: DEFAULT_PORT,
            key: None,
            cors_origins: Vec::new(),
            model_name: model_name_for("", paths.profile().as_str()),
            max_concurrent_runs: 10,
            keepalive: Duration::from_secs(30),
            idempotency_ttl: Duration::from_mins(5),
            max_stored_responses: MAX_STORED_RESPONSES,
            max_body_bytes: MAX_BODY_BYTES,
            retry_after_secs: 10,
            paths,
        }
    }

    /// Resolves the config of a profile from its settings.
    #[must_use]
    pub fn from_settings(settings: &Settings, paths: &HermesPaths) -> Self {
        let api = &settings.gateway.api_server;
        let key = api.key.trim();
        Self {
            enabled: settings.api_server_enabled(),
            host: if api.host.trim().is_empty() {
                DEFAULT_HOST.into()
            } else {
                api.host.trim().to_string()
            },
            port: api.port,
            key: (!key.is_empty()).then(|| ApiKey::new(key)),
            cors_origins: api
                .cors_origins
                .iter()
                .flat_map(|o| o.split(','))
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(String::from)
                .collect(),
            model_name: model_name_for(&api.model_name, paths.profile().as_str()),
            max_concurrent_runs: api.max_concurrent_runs as usize,
            ..Self::new(paths.clone())
        }
    }

    /// Upstream's startup guard: a network-accessible bind needs a real key; a keyless
    /// loopback bind runs with a warning.
    pub fn check(&self) -> Result<Vec<StartupWarning>, ApiServerError> {
        let network = !is_loopback_host(&self.host);
        match &self.key {
            None if network => Err(ApiServerError::KeyRequired {
                host: self.host.clone(),
            }),
            None => Ok(vec![StartupWarning::NoKey {
                host: self.host.clone(),
            }]),
            Some(k) if network && k.expose().chars().count() < MIN_NETWORK_KEY_CHARS => {
                Err(ApiServerError::WeakKey {
                    host: self.host.clone(),
                })
            }
            Some(_) => Ok(Vec::new()),
        }
    }

    /// The CORS allowlist allows any origin.
    pub(crate) fn cors_any(&self) -> bool {
        self.cors_origins.iter().any(|o| o == "*")
    }
}

/// `API_SERVER_MODEL_NAME` if set, else the profile's name (unless `default`/`custom`), else
/// `hermes-agent`.
#[must_use]
pub fn model_name_for(explicit: &str, profile: &str) -> String {
    let explicit = explicit.trim();
    if !explicit.is_empty() {
        return explicit.to_string();
    }
    if !profile.is_empty() && profile != "default" && profile != "custom" {
        return profile.to_string();
    }
    "hermes-agent".into()
}

/// Whether `host` only accepts local connections.
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(host: &str, key: Option<&str>) -> ApiServerConfig {
        let paths = HermesPaths::at(std::path::Path::new("/h"), std::path::Path::new("/u"));
        ApiServerConfig {
            host: host.into(),
            key: key.map(ApiKey::new),
            ..ApiServerConfig::new(paths)
        }
    }

    #[test]
    fn startup_guard_matches_upstream() {
        assert_eq!(
            cfg("127.0.0.1", None).check().unwrap(),
            vec![StartupWarning::NoKey {
                host: "127.0.0.1".into()
            }]
        );
        assert!(cfg("localhost", Some("k")).check().unwrap().is_empty());
        assert!(cfg("::1", None).check().is_ok());
        let err = cfg("0.0.0.0", None).check().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Refusing to start: binding to 0.0.0.0 requires API_SERVER_KEY. Set API_SERVER_KEY \
             or use the default 127.0.0.1."
        );
        assert!(matches!(
            cfg("0.0.0.0", Some("change")).check(),
            Err(ApiServerError::WeakKey { .. })
        ));
        assert!(cfg("0.0.0.0", Some("a-long-enough-key")).check().is_ok());
    }

    #[test]
    fn model_name_defaults() {
        assert_eq!(model_name_for("", "default"), "hermes-agent");
        assert_eq!(model_name_for("", "custom"), "hermes-agent");
        assert_eq!(model_name_for("", "alice"), "alice");
        assert_eq!(model_name_for(" mine ", "alice"), "mine");
    }

    #[test]
    fn from_settings_reads_env_and_aliases() {
        let user: serde_yaml_ng::Value = serde_yaml_ng::from_str(
            "platforms:\n  api_server: {port: 9001, cors_origins: ['https://a.example']}\n",
        )
        .unwrap();
        let env = crate::config::Env::from_pairs([
            ("API_SERVER_KEY", "sk-from-env"),
            ("API_SERVER_MAX_CONCURRENT_RUNS", "3"),
        ]);
        let settings = Settings::resolve(&user, &env).unwrap();
        let root = std::path::Path::new("/h");
        let paths = HermesPaths::at(root, root);
        let c = ApiServerConfig::from_settings(&settings, &paths);
        assert!(c.enabled, "a key enables the server");
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 9001));
        assert_eq!(c.key.as_ref().map(ApiKey::expose), Some("sk-from-env"));
        assert_eq!(c.cors_origins, ["https://a.example"]);
        assert_eq!(c.max_concurrent_runs, 3);
        assert_eq!(c.model_name, "hermes-agent");
        let defaults =
            Settings::resolve(&serde_yaml_ng::Value::Null, &crate::config::Env::default()).unwrap();
        let d = ApiServerConfig::from_settings(&defaults, &paths);
        assert!(!d.enabled);
        assert_eq!(
            (d.port, d.max_concurrent_runs, d.key.is_none()),
            (8642, 10, true)
        );
    }

    #[test]
    fn key_is_never_printed() {
        assert_eq!(format!("{:?}", ApiKey::new("secret")), "***");
    }
}
