//! Where an adapter's settings come from, for the adapters that read them the same way
//! (Telegram, Discord, Slack, Matrix): the environment variable first, then config.yaml
//! blocks in order (`<platform>:`, `platforms.<platform>.extra`, `platforms.<platform>`).

use serde_yaml_ng::Value;

use crate::config::{Env, Settings};

/// The environment and the config blocks of one platform, looked up in that order.
pub(crate) struct Sources<'a> {
    pub(crate) env: &'a Env,
    pub(crate) blocks: Vec<&'a Value>,
}

impl<'a> Sources<'a> {
    /// The blocks of `platform`: `<platform>:`, `platforms.<platform>.extra`,
    /// `platforms.<platform>`.
    pub(crate) fn new(env: &'a Env, settings: &'a Settings, platform: &str) -> Self {
        let mut blocks = Vec::new();
        if let Some(b) = settings.extra.get(platform) {
            blocks.push(b);
        }
        if let Some(p) = settings.platforms.get(platform) {
            if let Some(extra) = p.get("extra") {
                blocks.push(extra);
            }
            blocks.push(p);
        }
        Self { env, blocks }
    }

    /// Whether `platforms.<platform>.enabled` is `false`.
    pub(crate) fn disabled(settings: &Settings, platform: &str) -> bool {
        settings
            .platforms
            .get(platform)
            .and_then(|p| p.get("enabled"))
            .and_then(Value::as_bool)
            == Some(false)
    }

    /// The first config block that sets `key` (to anything but null).
    pub(crate) fn yaml(&self, key: &str) -> Option<&Value> {
        self.blocks
            .iter()
            .find_map(|b| b.get(key).filter(|v| !v.is_null()))
    }

    /// A string from the first of `env_keys` set to something besides blanks, else a
    /// non-empty config `key`; trimmed.
    pub(crate) fn string(&self, env_keys: &[&str], key: &str) -> Option<String> {
        if let Some(v) = env_keys
            .iter()
            .filter_map(|k| self.env.get(k))
            .map(str::trim)
            .find(|v| !v.is_empty())
        {
            return Some(v.to_string());
        }
        self.yaml(key).and_then(scalar).filter(|s| !s.is_empty())
    }

    /// A boolean (`true/false`, `1/0`, `yes/no`, `on/off`); unset or unparseable values give
    /// `default`.
    pub(crate) fn flag(&self, env_key: &str, key: &str, default: bool) -> bool {
        if let Some(v) = self.env.flag(env_key) {
            return v;
        }
        match self.yaml(key) {
            Some(Value::Bool(b)) => *b,
            Some(other) => scalar(other)
                .and_then(|s| parse_bool(&s))
                .unwrap_or(default),
            None => default,
        }
    }

    /// A list: CSV in the environment, a YAML list or CSV string in config; blanks dropped.
    pub(crate) fn list(&self, env_key: &str, key: &str) -> Vec<String> {
        if self.env.get(env_key).is_some() {
            return self.env.list(env_key);
        }
        match self.yaml(key) {
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(scalar)
                .filter(|s| !s.is_empty())
                .collect(),
            Some(v) => scalar(v)
                .map(|s| {
                    s.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

/// A scalar as text (trimmed); `None` for maps, lists and null.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `true/1/yes/on` and `false/0/no/off`, any case.
pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Value {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    #[test]
    fn the_environment_comes_first_then_the_blocks_in_order() {
        let first = doc("mode: first\nlist: [a, '', b]\nflag: 'yes'\nblank: '  '\n");
        let second = doc("mode: second\nother: x\ncsv: 'c, d,,e'\nflag: false\n");
        let env = Env::from_pairs([("MODE", "  from-env "), ("BLANK", "   ")]);
        let src = Sources {
            env: &env,
            blocks: vec![&first, &second],
        };
        assert_eq!(
            src.string(&["NOPE", "MODE"], "mode").as_deref(),
            Some("from-env")
        );
        assert_eq!(src.string(&["NOPE"], "mode").as_deref(), Some("first"));
        assert_eq!(src.string(&["NOPE"], "other").as_deref(), Some("x"));
        // A blank variable does not hide the config, and a blank value is no value.
        assert_eq!(src.string(&["BLANK"], "mode").as_deref(), Some("first"));
        assert_eq!(src.string(&["NOPE"], "blank"), None);
        assert_eq!(src.list("NOPE", "list"), ["a", "b"]);
        assert_eq!(src.list("NOPE", "csv"), ["c", "d", "e"]);
        assert!(src.flag("NOPE", "flag", false), "the first block wins");
        assert!(src.flag("NOPE", "missing", true));
        let env = Env::from_pairs([("FLAG", "off"), ("LIST", "x,y")]);
        let src = Sources {
            env: &env,
            blocks: vec![&first],
        };
        assert!(!src.flag("FLAG", "flag", true));
        assert_eq!(src.list("LIST", "list"), ["x", "y"]);
    }
}
