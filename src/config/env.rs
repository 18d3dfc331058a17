//! The merged environment hermes runs with: the process environment overlaid by the active
//! profile's `.env`. As upstream does, a key in the profile's `.env` overrides the same key in
//! the shell, so a token exported in a shell rc never leaks into every profile.
//!
//! A model provider's key that neither has is looked up in the OS keychain, where `hermes
//! setup` stores it when one answers; lazily, the first time a command asks for such a key,
//! so commands that need no key never touch D-Bus.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use super::keychain::{self, Keychain};
use super::{ConfigError, dotenv::EnvFile};
use crate::home::HermesPaths;

/// Environment variables as hermes sees them.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    from_dotenv: BTreeSet<String>,
    /// Where to look for provider keys missing from both (`None`: nowhere).
    keychain: Option<Keychain>,
    /// The provider keys read from the keychain, on first use.
    from_keychain: OnceLock<BTreeMap<String, String>>,
}

impl Env {
    /// Builds the environment from `process` and the profile's `.env`.
    pub fn load(
        paths: &HermesPaths,
        process: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut env = Self {
            vars: process.into_iter().collect(),
            ..Self::default()
        };
        let file = paths.env_file();
        let outer = env.vars.clone();
        for (k, v) in EnvFile::load(&file)?.values(&|name| outer.get(name).cloned()) {
            env.from_dotenv.insert(k.clone());
            env.vars.insert(k, v);
        }
        if !keychain::disabled_by(env.vars.get(keychain::DISABLE_VAR).map(String::as_str)) {
            env.keychain = Keychain::for_profile(paths.home());
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
            ..Self::default()
        }
    }

    /// A variable's value; an empty value counts as unset. A provider key set nowhere else
    /// comes from the keychain (looked up once, on the first such call).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .or_else(|| self.keychain_value(key))
    }

    /// Whether the value comes from the OS keychain.
    #[must_use]
    pub fn is_from_keychain(&self, key: &str) -> bool {
        self.vars.get(key).is_none_or(String::is_empty) && self.keychain_value(key).is_some()
    }

    fn keychain_value(&self, key: &str) -> Option<&str> {
        let keychain = self.keychain.as_ref()?;
        if !keychain::KEYS.contains(&key) {
            return None;
        }
        self.from_keychain
            .get_or_init(|| {
                let missing: Vec<&str> = keychain::KEYS
                    .iter()
                    .copied()
                    .filter(|k| self.vars.get(*k).is_none_or(String::is_empty))
                    .collect();
                keychain.get_many(&missing).unwrap_or_default()
            })
            .get(key)
            .map(String::as_str)
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
