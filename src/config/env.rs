//! The merged environment hermes runs with: the process environment overlaid by the active
//! profile's `.env`. As upstream does, a key in the profile's `.env` overrides the same key in
//! the shell, so a token exported in a shell rc never leaks into every profile.

use std::collections::{BTreeMap, BTreeSet};

use super::{ConfigError, dotenv::EnvFile};
use crate::home::HermesPaths;

/// Environment variables as hermes sees them.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    from_dotenv: BTreeSet<String>,
}

impl Env {
    /// Builds the environment from `process` and the profile's `.env`.
    pub fn load(
        paths: &HermesPaths,
        process: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut env = Self {
            vars: process.into_iter().collect(),
            from_dotenv: BTreeSet::new(),
        };
        let file = paths.env_file();
        let outer = env.vars.clone();
        for (k, v) in EnvFile::load(&file)?.values(&|name| outer.get(name).cloned()) {
            env.from_dotenv.insert(k.clone());
            env.vars.insert(k, v);
        }
        Ok(env)
    }

    /// An environment from explicit pairs (tests, child processes).
    #[must_use]
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            from_dotenv: BTreeSet::new(),
        }
    }

    /// A variable's value; an empty value counts as unset.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A boolean variable: `true|1|yes|on` / `false|0|no|off`; anything else is `None`.
    #[must_use]
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.get(key)?.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" => Some(false),
            _ => None,
        }
    }

    /// A numeric variable, ignoring values that do not parse.
    #[must_use]
    pub fn number<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.get(key)?.trim().parse().ok()
    }

    /// A comma-separated list, trimmed, empties dropped.
    #[must_use]
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the value came from the profile's `.env`.
    #[must_use]
    pub fn is_from_dotenv(&self, key: &str) -> bool {
        self.from_dotenv.contains(key)
    }

    /// Every variable, for child processes.
    #[must_use]
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// Sets a variable in this view (never in the process).
    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.insert(key.to_string(), value.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_overrides_process() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        std::fs::write(
            paths.env_file(),
            "TELEGRAM_BOT_TOKEN=profile\nFLAG=yes\nLIST=a, b,,c\n",
        )
        .unwrap();
        let env = Env::load(
            &paths,
            [
                ("TELEGRAM_BOT_TOKEN".to_string(), "shell".to_string()),
                ("EMPTY".into(), String::new()),
            ],
        )
        .unwrap();
        assert_eq!(env.get("TELEGRAM_BOT_TOKEN"), Some("profile"));
        assert!(env.is_from_dotenv("TELEGRAM_BOT_TOKEN"));
        assert_eq!(env.flag("FLAG"), Some(true));
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(env.list("LIST"), vec!["a", "b", "c"]);
    }
}
