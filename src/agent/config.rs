//! The agent's knobs, read once from [`Settings`]: `agent.*`, `terminal.*`, `compression.*`,
//! `memory.*`, `approvals.*`, `command_allowlist`, `toolsets`, `platform_toolsets` and
//! `display.background_process_notifications`. A pure function, so it is unit-tested.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_yaml_ng::Value;

use super::progress::ProgressMode;
use crate::config::{Env, Settings};

/// When to tell the user about background processes (`display.background_process_notifications`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyMode {
    /// One line at completion, plus an output tail on failure.
    #[default]
    Concise,
    /// Running-output updates and the final message.
    All,
    /// Only the final message, with its tail.
    Result,
    /// The final message only for a nonzero exit.
    Error,
    /// Nothing.
    Off,
}

impl NotifyMode {
    /// Parses the config value (unknown values mean the default).
    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Self::All,
            "result" => Self::Result,
            "error" => Self::Error,
            "off" | "none" | "false" => Self::Off,
            _ => Self::Concise,
        }
    }
}

/// Context compression settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressionConfig {
    /// Compress at all.
    pub enabled: bool,
    /// Fraction of the context window that triggers compression.
    pub threshold: f64,
    /// Messages kept verbatim at the end.
    pub protect_last_n: usize,
}

/// Everything the agent reads from configuration.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Model calls per turn at most.
    pub max_turns: u32,
    /// `low|medium|high`, if set.
    pub reasoning_effort: Option<String>,
    /// The `terminal` tool's working directory (absolute).
    pub terminal_cwd: PathBuf,
    /// The `terminal` tool's default timeout.
    pub terminal_timeout: Duration,
    /// Compression.
    pub compression: CompressionConfig,
    /// `model.context_length` (0 = known per model, else 128k).
    pub context_length: u64,
    /// Output token cap per model call (`model.max_tokens`; 0 = the provider's default).
    pub max_tokens: u32,
    /// Memory is read and written.
    pub memory_enabled: bool,
    /// The user profile is read and written.
    pub user_profile_enabled: bool,
    /// Size cap of `MEMORY.md` in characters.
    pub memory_char_limit: usize,
    /// Size cap of `USER.md` in characters.
    pub user_char_limit: usize,
    /// How long a dangerous command waits for `/approve`.
    pub approval_timeout: Duration,
    /// `approvals.mode: off` runs everything without asking.
    pub approvals_off: bool,
    /// Pattern keys always allowed.
    pub command_allowlist: Vec<String>,
    /// `HERMES_YOLO_MODE=1`.
    pub yolo: bool,
    /// Background process notices.
    pub notify: NotifyMode,
    /// `toolsets` (the CLI's).
    pub cli_toolsets: Vec<String>,
    /// `platform_toolsets`.
    pub platform_toolsets: BTreeMap<String, Vec<String>>,
    /// `display.tool_progress`.
    pub tool_progress: ProgressMode,
    /// `display.platforms.<platform>.tool_progress`.
    pub platform_progress: BTreeMap<String, ProgressMode>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            max_turns: 90,
            reasoning_effort: None,
            terminal_cwd: PathBuf::from("/"),
            terminal_timeout: Duration::from_mins(3),
            compression: CompressionConfig {
                enabled: true,
                threshold: 0.5,
                protect_last_n: 20,
            },
            context_length: 0,
            max_tokens: 0,
            memory_enabled: true,
            user_profile_enabled: true,
            memory_char_limit: 2200,
            user_char_limit: 1375,
            approval_timeout: Duration::from_mins(1),
            approvals_off: false,
            command_allowlist: Vec::new(),
            yolo: false,
            notify: NotifyMode::Concise,
            cli_toolsets: vec!["hermes-cli".into()],
            platform_toolsets: BTreeMap::new(),
            tool_progress: ProgressMode::All,
            platform_progress: BTreeMap::new(),
        }
    }
}

/// A value at `a.b` of the unknown top-level keys.
fn extra<'a>(settings: &'a Settings, section: &str, key: &str) -> Option<&'a Value> {
    settings.extra.get(section)?.get(key)
}

fn as_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(s)) => s
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

impl AgentConfig {
    /// Reads the settings; a relative `terminal.cwd` is taken from `base_dir`.
    #[must_use]
    pub fn from_settings(settings: &Settings, env: &Env, base_dir: &Path) -> Self {
        let d = Self::default();
        let cwd = extra(settings, "terminal", "cwd")
            .and_then(Value::as_str)
            .map_or_else(|| ".".to_string(), str::to_string);
        let cwd = env.get("TERMINAL_CWD").map_or(cwd, str::to_string);
        let cwd = match cwd.strip_prefix("~/") {
            Some(rest) => env
                .get("HOME")
                .map_or_else(|| PathBuf::from(&cwd), |h| PathBuf::from(h).join(rest)),
            None => PathBuf::from(&cwd),
        };
        let terminal_cwd = if cwd.is_absolute() {
            cwd
        } else {
            base_dir.join(cwd)
        };
        let terminal_timeout = env
            .number::<u64>("TERMINAL_TIMEOUT")
            .or_else(|| as_u64(extra(settings, "terminal", "timeout")))
            .filter(|n| *n > 0)
            .map_or(d.terminal_timeout, Duration::from_secs);
        let threshold = extra(settings, "compression", "threshold")
            .and_then(Value::as_f64)
            .filter(|t| *t > 0.0 && *t <= 1.0)
            .unwrap_or(d.compression.threshold);
        let compression = CompressionConfig {
            enabled: as_bool(extra(settings, "compression", "enabled"))
                .unwrap_or(d.compression.enabled),
            threshold,
            protect_last_n: as_u64(extra(settings, "compression", "protect_last_n"))
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(d.compression.protect_last_n),
        };
        let mem_limit = |key: &str, dflt: usize| {
            as_u64(extra(settings, "memory", key))
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(dflt)
        };
        let approvals_mode = extra(settings, "approvals", "mode")
            .map(|v| match v {
                Value::Bool(false) => "off".to_string(),
                other => other.as_str().unwrap_or_default().to_ascii_lowercase(),
            })
            .unwrap_or_default();
        let cli_toolsets = strings(settings.extra.get("toolsets"));
        Self {
            max_turns: if settings.agent.max_turns == 0 {
                d.max_turns
            } else {
                settings.agent.max_turns
            },
            reasoning_effort: Some(settings.agent.reasoning_effort.trim().to_string())
                .filter(|s| !s.is_empty()),
            terminal_cwd,
            terminal_timeout,
            compression,
            context_length: settings.model.context_length,
            max_tokens: settings
                .model
                .extra
                .get("max_tokens")
                .and_then(serde_yaml_ng::Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            memory_enabled: as_bool(extra(settings, "memory", "memory_enabled"))
                .unwrap_or(d.memory_enabled),
            user_profile_enabled: as_bool(extra(settings, "memory", "user_profile_enabled"))
                .unwrap_or(d.user_profile_enabled),
            memory_char_limit: mem_limit("memory_char_limit", d.memory_char_limit),
            user_char_limit: mem_limit("user_char_limit", d.user_char_limit),
            approval_timeout: as_u64(extra(settings, "approvals", "timeout"))
                .filter(|n| *n > 0)
                .map_or(d.approval_timeout, Duration::from_secs),
            approvals_off: approvals_mode == "off",
            command_allowlist: strings(settings.extra.get("command_allowlist")),
            yolo: env.flag("HERMES_YOLO_MODE").unwrap_or(false),
            notify: NotifyMode::parse(&settings.display.background_process_notifications),
            cli_toolsets: if cli_toolsets.is_empty() {
                d.cli_toolsets
            } else {
                cli_toolsets
            },
            platform_toolsets: settings.platform_toolsets.clone(),
            tool_progress: ProgressMode::parse(&settings.display.tool_progress),
            platform_progress: settings
                .display
                .platforms
                .iter()
                .filter_map(|(p, v)| {
                    let mode = match v.get("tool_progress")? {
                        Value::Bool(false) => ProgressMode::Off,
                        Value::Bool(true) => ProgressMode::All,
                        other => ProgressMode::parse(other.as_str()?),
                    };
                    Some((p.clone(), mode))
                })
                .collect(),
        }
    }

    /// How much tool progress `platform` shows: `display.platforms.<platform>.tool_progress`,
    /// else `display.tool_progress`.
    #[must_use]
    pub fn progress_mode(&self, platform: &str) -> ProgressMode {
        self.platform_progress
            .get(platform)
            .copied()
            .unwrap_or(self.tool_progress)
    }

    /// The toolsets of a platform: `platform_toolsets.<platform>`, the CLI's `toolsets` for
    /// `cli`, else every core tool (`hermes-<platform>`).
    #[must_use]
    pub fn toolsets_for(&self, platform: &str) -> Vec<String> {
        if let Some(t) = self.platform_toolsets.get(platform) {
            return t.clone();
        }
        if platform == "cli" || platform == "local" || platform.is_empty() {
            return self.cli_toolsets.clone();
        }
        vec![format!("hermes-{platform}")]
    }
}

/// Context windows of well-known model families, matched by substring of the model id.
const KNOWN_CONTEXT: &[(&str, u64)] = &[
    ("claude", 200_000),
    ("gpt-4.1", 1_047_576),
    ("gpt-5", 400_000),
    ("gpt-4o", 128_000),
    ("o3", 200_000),
    ("o4", 200_000),
    ("gemini", 1_048_576),
    ("deepseek", 128_000),
    ("qwen3", 262_144),
    ("hermes-4", 131_072),
    ("llama-3", 131_072),
];

/// The context window for `model`: the configured override, else a known family's, else 128k.
#[must_use]
pub fn context_length(model: &str, configured: u64) -> u64 {
    if configured > 0 {
        return configured;
    }
    let lower = model.to_ascii_lowercase();
    KNOWN_CONTEXT
        .iter()
        .find(|(k, _)| lower.contains(k))
        .map_or(128_000, |(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::resolve(&doc, &Env::default()).unwrap()
    }

    #[test]
    fn defaults_match_the_config_template() {
        let c = AgentConfig::from_settings(&settings("{}"), &Env::default(), Path::new("/w"));
        assert_eq!(c.max_turns, 90);
        assert_eq!(c.terminal_cwd, PathBuf::from("/w/."));
        assert_eq!(c.terminal_timeout, Duration::from_mins(3));
        assert!(c.compression.enabled);
        assert!((c.compression.threshold - 0.5).abs() < f64::EPSILON);
        assert_eq!(c.compression.protect_last_n, 20);
        assert_eq!((c.memory_char_limit, c.user_char_limit), (2200, 1375));
        assert_eq!(c.approval_timeout, Duration::from_mins(1));
        assert_eq!(c.notify, NotifyMode::Concise);
        assert_eq!(c.toolsets_for("cli"), ["hermes-cli"]);
        assert_eq!(c.toolsets_for("telegram"), ["hermes-telegram"]);
    }

    #[test]
    fn values_and_env_are_read() {
        let s = settings(
            "agent: {max_turns: 5}\nterminal: {cwd: /srv, timeout: 9}\ncompression: {threshold: 0.8, protect_last_n: 4}\napprovals: {timeout: 5, mode: 'off'}\ncommand_allowlist: [disk copy]\nplatform_toolsets: {telegram: [terminal, web]}\ndisplay: {background_process_notifications: error}\nmodel: {context_length: 1000}\n",
        );
        let env = Env::from_pairs([("HERMES_YOLO_MODE", "1")]);
        let c = AgentConfig::from_settings(&s, &env, Path::new("/w"));
        assert_eq!(c.max_turns, 5);
        assert_eq!(c.terminal_cwd, PathBuf::from("/srv"));
        assert_eq!(c.terminal_timeout, Duration::from_secs(9));
        assert_eq!(c.compression.protect_last_n, 4);
        assert!(c.approvals_off && c.yolo);
        assert_eq!(c.command_allowlist, ["disk copy"]);
        assert_eq!(c.toolsets_for("telegram"), ["terminal", "web"]);
        assert_eq!(c.notify, NotifyMode::Error);
        assert_eq!(context_length("x", c.context_length), 1000);
    }

    #[test]
    fn tool_progress_per_platform() {
        let s = settings(
            "display: {tool_progress: verbose, platforms: {telegram: {tool_progress: 'off'}, slack: {tool_progress: false}}}\n",
        );
        let c = AgentConfig::from_settings(&s, &Env::default(), Path::new("/w"));
        assert_eq!(c.progress_mode("cli"), ProgressMode::Verbose);
        assert_eq!(c.progress_mode("telegram"), ProgressMode::Off);
        assert_eq!(c.progress_mode("slack"), ProgressMode::Off);
        // `config set display.tool_progress off` writes a YAML boolean.
        let s =
            settings("display: {tool_progress: false, background_process_notifications: false}\n");
        let c = AgentConfig::from_settings(&s, &Env::default(), Path::new("/w"));
        assert_eq!(c.progress_mode("cli"), ProgressMode::Off);
        assert_eq!(c.notify, NotifyMode::Off);
    }

    #[test]
    fn context_lengths() {
        assert_eq!(context_length("anthropic/claude-sonnet-4.6", 0), 200_000);
        assert_eq!(context_length("some-local-model", 0), 128_000);
        assert_eq!(context_length("claude", 5000), 5000);
    }
}
