//! The checks, one file per area, over a [`Ctx`] loaded once (config parsed, `.env` merged,
//! settings resolved; a broken config falls back to defaults so the other checks still run).

pub(super) mod config;
pub(super) mod cron;
pub(super) mod gateway;
pub(super) mod install;
pub(super) mod key_store;
pub(super) mod platforms;

use serde_yaml_ng::Value;

use super::Inputs;
use super::facts::{self, PlatformSummary};
use crate::config::{ConfigError, Env, Settings};
use crate::home::HermesPaths;

/// What every check reads.
pub(super) struct Ctx<'a> {
    pub(super) inputs: &'a Inputs,
    pub(super) paths: &'a HermesPaths,
    pub(super) env: Env,
    pub(super) env_error: Option<ConfigError>,
    pub(super) doc: Option<Value>,
    pub(super) config_error: Option<ConfigError>,
    pub(super) settings: Settings,
    pub(super) platforms: Vec<PlatformSummary>,
}

impl<'a> Ctx<'a> {
    pub(super) fn load(inputs: &'a Inputs) -> Self {
        let paths = &inputs.paths;
        let (env, env_error) = match Env::load(paths, inputs.process_env.clone()) {
            Ok(e) => (e, None),
            Err(e) => (Env::from_pairs(inputs.process_env.clone()), Some(e)),
        };
        let (doc, config_error) = match crate::config::read_yaml(&paths.config_file()) {
            Ok((_, doc)) => (Some(doc), None),
            Err(e) => (None, Some(e)),
        };
        let settings = doc
            .as_ref()
            .and_then(|d| Settings::resolve(d, &env).ok())
            .or_else(|| Settings::resolve(&Value::Null, &env).ok())
            .unwrap_or_default();
        let platforms = facts::platforms(paths, &settings, &env);
        Self {
            inputs,
            paths,
            env,
            env_error,
            doc,
            config_error,
            settings,
            platforms,
        }
    }

    /// A path as shown: `~/.hermes/.env`.
    pub(super) fn show(&self, p: &std::path::Path) -> String {
        facts::tilde(p, self.paths.user_home())
    }
}
