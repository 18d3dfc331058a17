//! Typed settings for the runtime, resolved as defaults ← config.yaml ← environment (the
//! profile's `.env` over the shell). Unknown keys are kept in `extra` maps, never rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};

use super::{ConfigError, Env, defaults, merge, normalise};

/// Environment variables that override a config.yaml key (the dotted key it overrides), as
/// [`Settings::resolve`] applies them. Kept in step with `apply_env` by a test.
pub const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("HERMES_INFERENCE_MODEL", "model.default"),
    ("HERMES_MAX_ITERATIONS", "agent.max_turns"),
    ("HERMES_GATEWAY_BUSY_INPUT_MODE", "display.busy_input_mode"),
    (
        "HERMES_GATEWAY_BUSY_ACK_ENABLED",
        "display.busy_ack_enabled",
    ),
    (
        "HERMES_BACKGROUND_NOTIFICATIONS",
        "display.background_process_notifications",
    ),
    ("SESSION_IDLE_MINUTES", "session_reset.idle_minutes"),
    ("SESSION_RESET_HOUR", "session_reset.at_hour"),
    ("HERMES_CRON_SCRIPT_TIMEOUT", "cron.script_timeout_seconds"),
    ("HERMES_CRON_MAX_PARALLEL", "cron.max_parallel_jobs"),
    (
        "HERMES_GATEWAY_PLATFORM_CONNECT_TIMEOUT",
        "gateway.platform_connect_timeout",
    ),
    ("API_SERVER_ENABLED", "gateway.api_server.enabled"),
    ("API_SERVER_KEY", "gateway.api_server.key"),
    ("API_SERVER_HOST", "gateway.api_server.host"),
    ("API_SERVER_PORT", "gateway.api_server.port"),
    ("API_SERVER_CORS_ORIGINS", "gateway.api_server.cors_origins"),
    ("API_SERVER_MODEL_NAME", "gateway.api_server.model_name"),
    (
        "API_SERVER_MAX_CONCURRENT_RUNS",
        "gateway.api_server.max_concurrent_runs",
    ),
];

/// One config key an environment variable overrides right now.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvOverride {
    /// The dotted config key.
    pub key: &'static str,
    /// The variable.
    pub var: &'static str,
    /// The value in effect.
    pub value: Value,
}

/// Everything the runtime reads from configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `model:`.
    pub model: ModelSettings,
    /// `fallback_providers:`, tried in order when the primary fails.
    pub fallback_providers: Vec<ProviderRef>,
    /// `custom_providers:` (named OpenAI-compatible endpoints).
    pub custom_providers: Vec<ProviderRef>,
    /// `platform_toolsets:` per platform.
    pub platform_toolsets: BTreeMap<String, Vec<String>>,
    /// `agent:`.
    pub agent: AgentSettings,
    /// `display:`.
    pub display: DisplaySettings,
    /// `session_reset:`.
    pub session_reset: SessionResetSettings,
    /// Separate sessions per user in groups.
    pub group_sessions_per_user: bool,
    /// Separate sessions per user in threads.
    pub thread_sessions_per_user: bool,
    /// `pair` or `ignore`.
    pub unauthorized_dm_behavior: String,
    /// `gateway:`.
    pub gateway: GatewaySettings,
    /// `platforms:` (free-form per platform).
    pub platforms: BTreeMap<String, Value>,
    /// `cron:`.
    pub cron: CronSettings,
    /// `logging:`.
    pub logging: LoggingSettings,
    /// `timezone:` (IANA name); empty means `TZ` or the system zone.
    pub timezone: String,
    /// Every other key, kept as written.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `model:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSettings {
    /// The model id (`model.default`).
    pub default: String,
    /// `auto|openrouter|nous|anthropic|openai|custom|…`.
    pub provider: String,
    /// A custom endpoint.
    pub base_url: String,
    /// Context window override (0 = the provider's).
    pub context_length: u64,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// A provider reference (`fallback_providers`, `custom_providers`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderRef {
    /// Provider id or custom name.
    pub provider: String,
    /// Model id.
    pub model: String,
    /// Endpoint.
    pub base_url: String,
    /// Display name (custom providers).
    pub name: String,
    /// Unknown keys (e.g. `api_key`).
    #[serde(flatten)]
    pub extra: Mapping,
}

/// `agent:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentSettings {
    /// Tool-loop iterations per turn.
    pub max_turns: u32,
    /// Reasoning effort passed to providers that take one.
    pub reasoning_effort: String,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// `display:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DisplaySettings {
    /// `off|new|all|verbose|log`.
    #[serde(deserialize_with = "mode_name")]
    pub tool_progress: String,
    /// `accumulate|separate`.
    pub tool_progress_grouping: String,
    /// `concise|all|result|error|off`.
    #[serde(deserialize_with = "mode_name")]
    pub background_process_notifications: String,
    /// `interrupt|queue|steer`.
    pub busy_input_mode: String,
    /// Acknowledge messages that arrive while busy.
    pub busy_ack_enabled: bool,
    /// Show reasoning text.
    pub show_reasoning: bool,
    /// Per-platform overrides.
    pub platforms: BTreeMap<String, Value>,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// A mode name; YAML 1.1 reads an unquoted `off` as `false` (`PyYAML` and `config set` write
/// it so), which means `off`, and `true` means `all`.
fn mode_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::Bool(false) => Ok("off".into()),
        Value::Bool(true) => Ok("all".into()),
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        other => Err(serde::de::Error::custom(format!(
            "expected a mode name such as `all` or `off`, not {other:?}"
        ))),
    }
}

/// `none|idle|daily|both`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResetMode {
    /// Never reset on time.
    None,
    /// After `idle_minutes` without activity.
    Idle,
    /// Once the clock passes `at_hour`.
    Daily,
    /// Whichever comes first.
    #[default]
    Both,
}

/// `session_reset:` (classic policy).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionResetSettings {
    /// The mode.
    pub mode: ResetMode,
    /// Local hour of the daily reset (0–23).
    pub at_hour: u32,
    /// Idle minutes before a reset.
    pub idle_minutes: i64,
    /// Tell the user once when a session was reset.
    pub notify: bool,
    /// Platforms that never get the notice.
    pub notify_exclude_platforms: Vec<String>,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// `gateway:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GatewaySettings {
    /// `gateway.api_server`.
    pub api_server: ApiServerSettings,
    /// `gateway.platforms` (free-form per platform).
    pub platforms: BTreeMap<String, Value>,
    /// Seconds to wait for a platform to connect.
    pub platform_connect_timeout: u64,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// The API server's settings (`gateway.api_server`, `platforms.api_server`, `API_SERVER_*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiServerSettings {
    /// Enabled explicitly (a key enables it too).
    pub enabled: bool,
    /// Bind address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Bearer key.
    pub key: String,
    /// Allowed browser origins.
    pub cors_origins: Vec<String>,
    /// Model id shown to clients.
    pub model_name: String,
    /// Concurrent runs before 429 (0 = no cap).
    pub max_concurrent_runs: u32,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// `cron:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CronSettings {
    /// Wrap delivered output with a header and footer.
    pub wrap_response: bool,
    /// Catch up once on jobs missed during downtime.
    pub catch_up_missed: bool,
    /// Jobs run at once.
    pub max_parallel_jobs: u32,
    /// Script timeout.
    pub script_timeout_seconds: u64,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

/// `logging:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggingSettings {
    /// Minimum level written to agent.log.
    pub level: String,
    /// Rotation size.
    pub max_size_mb: u64,
    /// Rotated files kept.
    pub backup_count: u32,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: Mapping,
}

impl Settings {
    /// Deserialises an already merged document.
    pub fn from_document(doc: &Value) -> Result<Self, ConfigError> {
        serde_yaml_ng::from_value(doc.clone()).map_err(|e| ConfigError::Parse {
            path: "config.yaml".into(),
            line: e.location().map_or(0, |l| l.line()),
            column: e.location().map_or(0, |l| l.column()),
            message: e.to_string(),
        })
    }

    /// Resolves settings: defaults ← the user's document ← environment.
    pub fn resolve(user: &Value, env: &Env) -> Result<Self, ConfigError> {
        let doc = merge(&defaults(), &normalise(user.clone()));
        let mut s = Self::from_document(&doc)?;
        // `platforms.api_server.*` and `gateway.platforms.api_server.*` are upstream aliases.
        for alias in [
            s.platforms.get("api_server").cloned(),
            s.gateway.platforms.get("api_server").cloned(),
        ]
        .into_iter()
        .flatten()
        {
            let merged = merge(
                &serde_yaml_ng::to_value(&s.gateway.api_server).unwrap_or_default(),
                &alias,
            );
            if let Ok(a) = serde_yaml_ng::from_value(merged) {
                s.gateway.api_server = a;
            }
        }
        s.apply_env(env);
        s.validate();
        Ok(s)
    }

    /// The environment overrides in effect: each variable of [`ENV_OVERRIDES`] set in `env`
    /// that changes what [`Settings::resolve`] gives, with the value it gives.
    pub fn env_overrides(user: &Value, env: &Env) -> Result<Vec<EnvOverride>, ConfigError> {
        let plain = serde_yaml_ng::to_value(Self::resolve(
            user,
            &Env::from_pairs(Vec::<(String, String)>::new()),
        )?)
        .unwrap_or_default();
        let applied = serde_yaml_ng::to_value(Self::resolve(user, env)?).unwrap_or_default();
        Ok(ENV_OVERRIDES
            .iter()
            .filter(|(var, _)| env.get(var).is_some())
            .filter_map(|(var, key)| {
                let value = super::lookup(&applied, key)?;
                (super::lookup(&plain, key) != Some(value)).then(|| EnvOverride {
                    key,
                    var,
                    value: value.clone(),
                })
            })
            .collect())
    }

    fn apply_env(&mut self, env: &Env) {
        if let Some(m) = env.get("HERMES_INFERENCE_MODEL") {
            self.model.default = m.to_string();
        }
        if let Some(n) = env.number("HERMES_MAX_ITERATIONS") {
            self.agent.max_turns = n;
        }
        if let Some(v) = env.get("HERMES_GATEWAY_BUSY_INPUT_MODE") {
            self.display.busy_input_mode = v.to_string();
        }
        if let Some(v) = env.flag("HERMES_GATEWAY_BUSY_ACK_ENABLED") {
            self.display.busy_ack_enabled = v;
        }
        if let Some(v) = env.get("HERMES_BACKGROUND_NOTIFICATIONS") {
            self.display.background_process_notifications = v.to_string();
        }
        if let Some(n) = env.number("SESSION_IDLE_MINUTES") {
            self.session_reset.idle_minutes = n;
        }
        if let Some(n) = env.number("SESSION_RESET_HOUR") {
            self.session_reset.at_hour = n;
        }
        if let Some(n) = env.number("HERMES_CRON_SCRIPT_TIMEOUT") {
            self.cron.script_timeout_seconds = n;
        }
        if let Some(n) = env.number("HERMES_CRON_MAX_PARALLEL") {
            self.cron.max_parallel_jobs = n;
        }
        if let Some(n) = env.number("HERMES_GATEWAY_PLATFORM_CONNECT_TIMEOUT") {
            self.gateway.platform_connect_timeout = n;
        }
        let api = &mut self.gateway.api_server;
        if let Some(v) = env.flag("API_SERVER_ENABLED") {
            api.enabled = v;
        }
        if let Some(v) = env.get("API_SERVER_KEY") {
            api.key = v.to_string();
        }
        if let Some(v) = env.get("API_SERVER_HOST") {
            api.host = v.to_string();
        }
        if let Some(v) = env.number("API_SERVER_PORT") {
            api.port = v;
        }
        if env.get("API_SERVER_CORS_ORIGINS").is_some() {
            api.cors_origins = env.list("API_SERVER_CORS_ORIGINS");
        }
        if let Some(v) = env.get("API_SERVER_MODEL_NAME") {
            api.model_name = v.to_string();
        }
        if let Some(v) = env.number("API_SERVER_MAX_CONCURRENT_RUNS") {
            api.max_concurrent_runs = v;
        }
        if self.timezone.is_empty()
            && let Some(tz) = env.get("TZ")
        {
            self.timezone = tz.to_string();
        }
    }

    /// Upstream's startup validation: out-of-range reset values fall back to the defaults.
    fn validate(&mut self) {
        if self.session_reset.at_hour > 23 {
            self.session_reset.at_hour = 4;
        }
        if self.session_reset.idle_minutes <= 0 {
            self.session_reset.idle_minutes = 1440;
        }
    }

    /// Whether the API server should run: enabled, or a key is set.
    #[must_use]
    pub fn api_server_enabled(&self) -> bool {
        self.gateway.api_server.enabled || !self.gateway.api_server.key.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layering_defaults_file_env() {
        let user: Value = serde_yaml_ng::from_str(
            "model: openrouter/x\nagent: {max_turns: 7, custom_knob: 1}\nsession_reset: {at_hour: 99, idle_minutes: 0}\nplatforms:\n  api_server: {port: 9000}\nmystery: true\n",
        )
        .unwrap();
        let env = Env::from_pairs([
            ("API_SERVER_KEY", "k"),
            ("HERMES_MAX_ITERATIONS", "12"),
            ("TZ", "Asia/Shanghai"),
        ]);
        let s = Settings::resolve(&user, &env).unwrap();
        assert_eq!(s.model.default, "openrouter/x");
        assert_eq!(s.agent.max_turns, 12, "environment beats config.yaml");
        assert!(
            s.agent.extra.contains_key("custom_knob"),
            "unknown keys are kept"
        );
        assert!(s.extra.contains_key("mystery"));
        assert_eq!(
            (s.session_reset.at_hour, s.session_reset.idle_minutes),
            (4, 1440)
        );
        assert_eq!(s.gateway.api_server.port, 9000);
        assert_eq!(s.gateway.api_server.host, "127.0.0.1");
        assert!(s.api_server_enabled());
        assert_eq!(s.display.busy_input_mode, "interrupt");
        assert_eq!(s.timezone, "Asia/Shanghai");
        assert_eq!(s.session_reset.mode, ResetMode::Both);
    }

    /// Every variable of `ENV_OVERRIDES` really changes its key, and `env_overrides` reports
    /// exactly the ones that do.
    #[test]
    fn env_override_table_matches_resolve() {
        let user: Value = serde_yaml_ng::from_str("model: a/b\n").unwrap();
        for (var, key) in ENV_OVERRIDES {
            let value = match *key {
                // Whichever of the two differs from the default.
                k if k.ends_with("enabled") => {
                    let on =
                        Settings::env_overrides(&user, &Env::from_pairs([(*var, "true")])).unwrap();
                    if on.is_empty() { "false" } else { "true" }
                }
                k if k.ends_with("origins") => "https://a.example",
                "session_reset.at_hour" => "7",
                k if k.ends_with("max_turns")
                    || k.ends_with("minutes")
                    || k.ends_with("seconds")
                    || k.ends_with("timeout")
                    || k.ends_with("jobs")
                    || k.ends_with("port")
                    || k.ends_with("runs") =>
                {
                    "17"
                }
                _ => "from-env",
            };
            let got = Settings::env_overrides(&user, &Env::from_pairs([(*var, value)])).unwrap();
            assert_eq!(got.len(), 1, "{var} does not change {key}");
            assert_eq!((got[0].key, got[0].var), (*key, *var));
        }
        // Unset, or not a valid value: no override.
        assert!(
            Settings::env_overrides(&user, &Env::from_pairs([("TZ", "UTC")]))
                .unwrap()
                .is_empty()
        );
        assert!(
            Settings::env_overrides(&user, &Env::from_pairs([("HERMES_MAX_ITERATIONS", "x")]))
                .unwrap()
                .is_empty()
        );
    }
}
