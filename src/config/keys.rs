//! Key routing and value coercion for `config set`, the known-key schema behind the
//! unknown-key notice and `config check`, and which keys are messaging-channel credentials.

use serde_yaml_ng::Value;

/// Secret names routed to `.env` even though they match no suffix rule.
const SECRET_NAMES: &[&str] = &[
    "OPENROUTER_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "VOICE_TOOLS_OPENAI_KEY",
    "FIRECRAWL_API_KEY",
    "FIRECRAWL_API_URL",
    "FAL_KEY",
    "TELEGRAM_BOT_TOKEN",
    "DISCORD_BOT_TOKEN",
    "SUDO_PASSWORD",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "GITHUB_TOKEN",
    "HONCHO_API_KEY",
    "NOUS_API_KEY",
    "HASS_TOKEN",
    "EMAIL_PASSWORD",
    "MATRIX_PASSWORD",
    "MATRIX_ACCESS_TOKEN",
];

/// Where `config set KEY` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `.env`, under this (uppercased) variable name.
    Env(String),
    /// `config.yaml`, at this dotted key (after the `model` → `model.default` redirect).
    Yaml(String),
}

/// Decides where a key goes.
///
/// Upstream's rule: a key without a dot whose uppercase form is a known secret, ends in
/// `_API_KEY`, `_TOKEN`, `_SECRET` or `_PASSWORD`, or starts with `TERMINAL_SSH`/`BROWSERBASE_`,
/// goes to `.env`. We also send any key typed as an environment variable (no dot, all caps,
/// e.g. `API_SERVER_ENABLED`), which upstream wrongly wrote as a top-level config.yaml key.
#[must_use]
pub fn route(key: &str) -> Route {
    if !key.contains('.') {
        let upper = key.to_ascii_uppercase();
        let secret = SECRET_NAMES.contains(&upper.as_str())
            || ["_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD"]
                .iter()
                .any(|s| upper.ends_with(s))
            || upper.starts_with("TERMINAL_SSH")
            || upper.starts_with("BROWSERBASE_");
        let env_shaped = key.len() > 1
            && key.bytes().any(|b| b.is_ascii_uppercase())
            && key
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if secret || env_shaped {
            return Route::Env(upper);
        }
    }
    if key == "model" {
        return Route::Yaml("model.default".into());
    }
    Route::Yaml(key.to_string())
}

/// Whether a `.env` variable holds a secret (its value is redacted in output).
#[must_use]
pub fn is_secret_env(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    SECRET_NAMES.contains(&upper.as_str())
        || ["_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "_KEY"]
            .iter()
            .any(|s| upper.ends_with(s))
        || upper.starts_with("TERMINAL_SSH")
}

/// Coerces a typed value: `true|yes|on` and `false|no|off` (any case) are booleans, integers
/// and decimals are numbers, anything else is a string. (Upstream took only unsigned
/// integers; a leading minus is accepted here so `-1` means minus one.)
#[must_use]
pub fn coerce(raw: &str) -> Value {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => return Value::Bool(true),
        "false" | "no" | "off" => return Value::Bool(false),
        _ => {}
    }
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = raw.parse::<i64>()
    {
        return Value::Number(i.into());
    }
    let parts: Vec<&str> = digits.split('.').collect();
    if parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && let Ok(f) = raw.parse::<f64>()
    {
        return Value::Number(f.into());
    }
    Value::String(raw.to_string())
}

/// The platform a messaging-channel `.env` variable belongs to; such keys are never cloned
/// into another profile without `--clone-channels` (a shared bot token makes two gateways
/// fight over one bot, upstream #17080).
#[must_use]
pub fn channel_platform_of_env(key: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("TELEGRAM_", "telegram"),
        ("DISCORD_", "discord"),
        ("SLACK_", "slack"),
        ("WHATSAPP_", "whatsapp"),
        ("SIGNAL_", "signal"),
        ("TWILIO_", "sms"),
        ("SMS_", "sms"),
        ("EMAIL_", "email"),
        ("HASS_", "homeassistant"),
        ("MATTERMOST_", "mattermost"),
        ("MATRIX_", "matrix"),
        ("DINGTALK_", "dingtalk"),
        ("FEISHU_", "feishu"),
        ("LARK_", "feishu"),
        ("WECOM_", "wecom"),
        ("WEIXIN_", "weixin"),
        ("BLUEBUBBLES_", "bluebubbles"),
        ("QQ_", "qq"),
        ("API_SERVER_", "api_server"),
        ("WEBHOOK_", "webhook"),
        ("TEAMS_", "teams"),
        ("LINE_", "line"),
        ("NTFY_", "ntfy"),
        ("IRC_", "irc"),
        ("SIMPLEX_", "simplex"),
    ];
    if key == "GATEWAY_ALLOW_ALL_USERS" || key == "GATEWAY_ALLOWED_USERS" {
        return Some("gateway");
    }
    PREFIXES
        .iter()
        .find(|(p, _)| key.starts_with(p))
        .map(|(_, name)| *name)
}

/// Top-level config.yaml sections that configure one messaging platform.
pub const CHANNEL_CONFIG_SECTIONS: &[&str] = &[
    "telegram",
    "discord",
    "slack",
    "whatsapp",
    "signal",
    "email",
    "matrix",
    "mattermost",
    "weixin",
    "wecom",
    "feishu",
    "dingtalk",
    "qq",
    "bluebubbles",
    "homeassistant",
    "sms",
    "webhook",
];

/// The built-in defaults, which also list every key this version knows.
pub const DEFAULTS_YAML: &str = include_str!("../../assets/config.defaults.yaml");

/// Maps whose keys are user-chosen (platform names, command names, …): anything below is known.
const OPEN_MAPS: &[&str] = &[
    "platforms",
    "platform_toolsets",
    "quick_commands",
    "display.platforms",
    "gateway.platforms",
    "custom_providers",
    "fallback_providers",
    "provider_routing",
    "mcp_servers",
    "providers",
    "telegram",
    "discord",
    "slack",
    "whatsapp",
    "signal",
    "email",
    "matrix",
    "mattermost",
    "weixin",
    "wecom",
    "feishu",
    "dingtalk",
    "qq",
    "bluebubbles",
    "homeassistant",
    "webhook",
    "sms",
    "channel_overrides",
    "skills",
    "personalities",
    "toolsets",
    "model_aliases",
    "plugins",
    "hooks",
];

/// Whether a dotted key (segments) is one this version knows.
#[must_use]
pub fn is_known(defaults: &Value, path: &[String]) -> bool {
    if path.is_empty() {
        return true;
    }
    for open in OPEN_MAPS {
        let open: Vec<&str> = open.split('.').collect();
        if path.len() >= open.len() && path.iter().zip(&open).all(|(a, b)| a == b) {
            return true;
        }
    }
    let mut node = defaults;
    for (i, seg) in path.iter().enumerate() {
        match node {
            Value::Mapping(m) => match m.get(seg.as_str()) {
                Some(next) => node = next,
                None => return false,
            },
            // Below a scalar default that a user turned into a map (e.g. `model: x` → `model.default`)
            // or inside a list, we cannot say more: accept.
            Value::Sequence(_) => return true,
            _ => return i > 0 && seg.is_empty(),
        }
    }
    true
}

/// Every leaf path of a document that this version does not know, in document order.
#[must_use]
pub fn unknown_keys(defaults: &Value, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(defaults, doc, &mut Vec::new(), &mut out);
    out
}

fn walk(defaults: &Value, node: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    let known = is_known(defaults, path);
    if !known && !matches!(node, Value::Mapping(m) if !m.is_empty()) {
        out.push(path.join("."));
        return;
    }
    if let Value::Mapping(m) = node {
        for (k, v) in m {
            let key = match k {
                Value::String(s) => s.clone(),
                other => serde_yaml_ng::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            path.push(key);
            walk(defaults, v, path, out);
            path.pop();
        }
    }
}

/// Every known dotted key (for suggestions).
#[must_use]
pub fn known_paths(defaults: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_paths(defaults, &mut String::new(), &mut out);
    out
}

fn collect_paths(node: &Value, prefix: &mut String, out: &mut Vec<String>) {
    if let Value::Mapping(m) = node {
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(k);
            out.push(prefix.clone());
            collect_paths(v, prefix, out);
            prefix.truncate(len);
        }
    }
}

/// The known key closest to `key` by edit distance, when it is close enough to be a typo.
#[must_use]
pub fn suggest(defaults: &Value, key: &str) -> Option<String> {
    known_paths(defaults)
        .into_iter()
        .map(|k| (levenshtein(&k, key), k))
        .filter(|(d, k)| *d > 0 && *d <= 2.max(k.len() / 5))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing() {
        assert_eq!(route("OPENAI_API_KEY"), Route::Env("OPENAI_API_KEY".into()));
        assert_eq!(route("openai_api_key"), Route::Env("OPENAI_API_KEY".into()));
        assert_eq!(
            route("my_service_token"),
            Route::Env("MY_SERVICE_TOKEN".into())
        );
        assert_eq!(
            route("TERMINAL_SSH_HOST"),
            Route::Env("TERMINAL_SSH_HOST".into())
        );
        assert_eq!(
            route("API_SERVER_ENABLED"),
            Route::Env("API_SERVER_ENABLED".into())
        );
        assert_eq!(route("model"), Route::Yaml("model.default".into()));
        assert_eq!(
            route("agent.max_turns"),
            Route::Yaml("agent.max_turns".into())
        );
        assert_eq!(route("timezone"), Route::Yaml("timezone".into()));
        assert_eq!(
            route("platforms.telegram.token"),
            Route::Yaml("platforms.telegram.token".into())
        );
    }

    #[test]
    fn coercion() {
        assert_eq!(coerce("Yes"), Value::Bool(true));
        assert_eq!(coerce("off"), Value::Bool(false));
        assert_eq!(coerce("40"), Value::Number(40.into()));
        assert_eq!(coerce("-1"), Value::Number((-1).into()));
        assert_eq!(coerce("0.5"), Value::Number(0.5.into()));
        assert_eq!(coerce("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(coerce("gpt-4o"), Value::String("gpt-4o".into()));
        assert_eq!(coerce(""), Value::String(String::new()));
    }

    #[test]
    fn known_keys_and_suggestions() {
        let d: Value = serde_yaml_ng::from_str(DEFAULTS_YAML).unwrap();
        let s = |k: &str| k.split('.').map(str::to_string).collect::<Vec<_>>();
        assert!(is_known(&d, &s("agent.max_turns")));
        assert!(is_known(&d, &s("platforms.telegram.extra.x")));
        assert!(!is_known(&d, &s("gatewy.port")));
        assert_eq!(
            suggest(&d, "agent.max_turn").as_deref(),
            Some("agent.max_turns")
        );
        let doc: Value =
            serde_yaml_ng::from_str("agent: {max_turns: 3, bogus: 1}\nzzz: 2\n").unwrap();
        assert_eq!(unknown_keys(&d, &doc), vec!["agent.bogus", "zzz"]);
    }

    #[test]
    fn channel_keys() {
        assert_eq!(
            channel_platform_of_env("TELEGRAM_BOT_TOKEN"),
            Some("telegram")
        );
        assert_eq!(
            channel_platform_of_env("GATEWAY_ALLOWED_USERS"),
            Some("gateway")
        );
        assert_eq!(channel_platform_of_env("OPENAI_API_KEY"), None);
    }
}
