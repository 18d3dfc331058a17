//! The provider/model wizard (`hermes setup model`, `hermes model`): provider, key, model from
//! the provider's live list, and a one-token check. Returns a `SetupPlan`: the key goes to
//! `.env` (0600) unless `finish` sends it to the OS keychain, `model.*` to config.yaml.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_yaml_ng::Value;

use super::effects::Effects;
use super::plan::{Applied, SetupPlan, mask};
use super::prompter::{Ask, Prompter};
use super::spec::{self, ProviderSpec, fill, lines, text};
use crate::cli::error::CliError;

/// Answers from flags.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModelGiven {
    pub(crate) provider: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) api_key: Option<String>,
}

/// What the model wizard knows before asking.
pub(crate) struct ModelKnown<'a> {
    /// `model.provider`, `model.default`, `model.base_url`, `model.api_key` now.
    pub(crate) provider: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) api_key: Option<String>,
    /// The profile's `.env` values.
    pub(crate) dotenv: &'a BTreeMap<String, String>,
    /// The process environment (a key there is offered, and saved to `.env`).
    pub(crate) process: &'a BTreeMap<String, String>,
    /// Flags.
    pub(crate) given: ModelGiven,
    /// Try the model with a live request.
    pub(crate) validate: bool,
}

fn non_empty(v: Option<&String>) -> Option<&str> {
    v.map(String::as_str).filter(|s| !s.trim().is_empty())
}

/// Runs the provider/model questions.
pub(crate) fn configure(
    p: &mut dyn Prompter,
    known: &ModelKnown<'_>,
    fx: &mut dyn Effects,
) -> Result<SetupPlan> {
    let t = &spec::setup().model;
    let providers = &spec::setup().providers;
    p.say("");
    p.say(&format!("─── {} ───", text(t, "heading")));
    let ids: Vec<&str> = providers.iter().map(|s| s.id.as_str()).collect();
    let provider_flag = format!("--provider {}", ids.join("|"));
    let find = |id: &str| {
        let id = match id.trim().to_ascii_lowercase().as_str() {
            "openai-api" => "openai".to_string(),
            "claude" => "anthropic".to_string(),
            "ollama" | "vllm" | "llamacpp" | "lmstudio" => "custom".to_string(),
            other => other.to_string(),
        };
        providers.iter().position(|s| s.id == id)
    };
    let index = if let Some(given) = &known.given.provider {
        find(given).ok_or_else(|| {
            CliError::usage(format!("unknown provider `{given}`"))
                .hint(format!("use {provider_flag}"))
        })?
    } else {
        let current = known.provider.as_deref().and_then(find);
        if p.interactive() {
            let labels: Vec<String> = providers.iter().map(|s| s.label.clone()).collect();
            p.select(
                Ask::new(&text(t, "provider"), &provider_flag),
                &labels,
                current.unwrap_or(0),
            )?
        } else if let Some(i) = current {
            i
        } else {
            // The key and the model depend on the provider: nothing more to ask about.
            p.missing(Ask::new("the model provider", &provider_flag))?;
            return Ok(SetupPlan::default());
        }
    };
    let prov = &providers[index];
    let same_provider = known.provider.as_deref().and_then(find) == Some(index);
    let base_url = base_url(p, prov, known, same_provider)?;
    loop {
        let key = key(p, prov, known, same_provider)?;
        let model = model(p, prov, known, same_provider, &base_url, key.value(), fx)?;
        if known.validate && !p.any_missing() {
            match fx.check_model(p, prov, &base_url, key.value(), &model)? {
                Ok(()) => p.say(&format!(
                    "✓ {}",
                    fill(
                        &text(t, "valid"),
                        &[("provider", &prov.id), ("model", &model)]
                    )
                )),
                Err(msg) => {
                    if !p.interactive() {
                        return Err(CliError::user(format!("{} {msg}", text(t, "invalid")))
                            .hint("check the key and the model id")
                            .hint("or pass --no-validate to save them unchecked")
                            .into());
                    }
                    p.warn(&format!("{} {msg}", text(t, "invalid")));
                    let items = lines(t, "after_failure_choices");
                    let pick = p.select(
                        Ask::new(&text(t, "after_failure"), "--no-validate"),
                        &items,
                        0,
                    )?;
                    if pick == 0 {
                        continue;
                    }
                }
            }
        }
        return Ok(plan(prov, &base_url, &key, &model));
    }
}

/// The key after the key step.
enum Key {
    /// Keep what is configured.
    Keep(String),
    /// Write this one.
    New(String),
    /// No key (a local server).
    None,
}

impl Key {
    fn value(&self) -> &str {
        match self {
            Self::Keep(k) | Self::New(k) => k,
            Self::None => "",
        }
    }
}

fn base_url(
    p: &mut dyn Prompter,
    prov: &ProviderSpec,
    known: &ModelKnown<'_>,
    same: bool,
) -> Result<String> {
    if let Some(given) = &known.given.base_url {
        return Ok(given.trim().trim_end_matches('/').to_string());
    }
    let current = known
        .base_url
        .clone()
        .filter(|u| same && !u.trim().is_empty());
    if prov.key_env.is_some() {
        return Ok(current.unwrap_or_else(|| prov.base_url.clone()));
    }
    let default = current.unwrap_or_else(|| prov.base_url.clone());
    if !p.interactive() {
        return Ok(default);
    }
    let t = &spec::setup().model;
    let invalid = text(t, "base_url_invalid");
    let check = |s: &str| {
        if s.starts_with("http://") || s.starts_with("https://") {
            Ok(())
        } else {
            Err(invalid.clone())
        }
    };
    let url = p.input(
        Ask::new(&text(t, "base_url"), "--base-url <URL>"),
        &default,
        &check,
    )?;
    Ok(url.trim_end_matches('/').to_string())
}

fn key(
    p: &mut dyn Prompter,
    prov: &ProviderSpec,
    known: &ModelKnown<'_>,
    same: bool,
) -> Result<Key> {
    let t = &spec::setup().model;
    let flag = match &prov.key_env {
        Some(env) => format!("--api-key-env VAR or --api-key-stdin (or set {env})"),
        None => "--api-key-env VAR or --api-key-stdin".to_string(),
    };
    if let Some(k) = &known.given.api_key {
        return Ok(Key::New(k.trim().to_string()));
    }
    let (current, from_env) = match &prov.key_env {
        Some(env) => (
            non_empty(known.dotenv.get(env)).map(str::to_string),
            non_empty(known.process.get(env)).map(str::to_string),
        ),
        None => (
            known.api_key.clone().filter(|k| same && !k.is_empty()),
            None,
        ),
    };
    if !p.interactive() {
        return match (current, from_env, &prov.key_env) {
            (Some(k), _, _) => Ok(Key::Keep(k)),
            (None, Some(k), _) => Ok(Key::New(k)),
            (None, None, None) => Ok(Key::None),
            (None, None, Some(_)) => {
                p.missing(Ask::new(&format!("the {} API key", prov.id), &flag))?;
                Ok(Key::None)
            }
        };
    }
    p.say(&prov.key_help);
    let prompt = match &prov.key_env {
        Some(_) => {
            let name = if prov.name.is_empty() {
                &prov.label
            } else {
                &prov.name
            };
            fill(&text(t, "key"), &[("name", name)])
        }
        None => text(t, "key_optional"),
    };
    let fallback = current
        .clone()
        .map(Key::Keep)
        .or(from_env.clone().map(Key::New));
    if let Some(k) = &fallback {
        p.say(&fill(&text(t, "key_keep"), &[("masked", &mask(k.value()))]));
    }
    let required = prov.key_env.is_some() && fallback.is_none();
    let invalid = text(t, "key_invalid");
    let key_required = text(t, "key_required");
    let check = |s: &str| {
        if s.is_empty() && required {
            Err(key_required.clone())
        } else if s.chars().any(char::is_whitespace) {
            Err(invalid.clone())
        } else {
            Ok(())
        }
    };
    let typed = p.password(Ask::new(&prompt, &flag), &check)?;
    Ok(if typed.is_empty() {
        fallback.unwrap_or(Key::None)
    } else {
        Key::New(typed)
    })
}

fn model(
    p: &mut dyn Prompter,
    prov: &ProviderSpec,
    known: &ModelKnown<'_>,
    same: bool,
    base_url: &str,
    key: &str,
    fx: &mut dyn Effects,
) -> Result<String> {
    let t = &spec::setup().model;
    if let Some(m) = &known.given.model {
        return Ok(m.trim().to_string());
    }
    let current = known.model.clone().filter(|m| same && !m.is_empty());
    let suggested = current
        .clone()
        .or_else(|| Some(prov.model.clone()).filter(|m| !m.is_empty()));
    if !p.interactive() {
        if let Some(m) = suggested {
            return Ok(m);
        }
        p.missing(Ask::new("the model", "--model <ID>"))?;
        return Ok(String::new());
    }
    let model_required = text(t, "model_required");
    let typed = |p: &mut dyn Prompter, default: &str| {
        let need = |s: &str| {
            if s.is_empty() {
                Err(model_required.clone())
            } else {
                Ok(())
            }
        };
        p.input(Ask::new(&text(t, "typed"), "--model <ID>"), default, &need)
    };
    match fx.list_models(p, prov, base_url, key)? {
        Ok(ids) => {
            let mut items = vec![text(t, "type_own")];
            items.extend(ids.iter().cloned());
            let default = suggested
                .as_ref()
                .and_then(|m| ids.iter().position(|i| i == m))
                .map_or(0, |i| i + 1);
            let pick =
                p.fuzzy_select(Ask::new(&text(t, "pick"), "--model <ID>"), &items, default)?;
            if pick == 0 {
                typed(p, suggested.as_deref().unwrap_or_default())
            } else {
                Ok(items[pick].clone())
            }
        }
        Err(msg) => {
            p.warn(&fill(&text(t, "fetch_failed"), &[("error", &msg)]));
            typed(p, suggested.as_deref().unwrap_or_default())
        }
    }
}

fn plan(prov: &ProviderSpec, base_url: &str, key: &Key, model: &str) -> SetupPlan {
    let mut plan = SetupPlan::default();
    plan.set_config("model.provider", Value::String(prov.id.clone()));
    plan.set_config("model.default", Value::String(model.to_string()));
    if let Some(env) = &prov.key_env {
        if base_url == prov.base_url.trim_end_matches('/') {
            plan.unset_config("model.base_url");
        } else {
            plan.set_config("model.base_url", Value::String(base_url.to_string()));
        }
        // An inline key would win over the one in .env.
        plan.unset_config("model.api_key");
        if let Key::New(k) = key {
            plan.set_secret(env, k);
        }
    } else {
        plan.set_config("model.base_url", Value::String(base_url.to_string()));
        plan.secrets.insert("model.api_key".to_string());
        match key {
            Key::New(k) => plan.set_config("model.api_key", Value::String(k.clone())),
            Key::None => plan.unset_config("model.api_key"),
            Key::Keep(_) => {}
        }
    }
    plan
}

/// The line telling where a new key went, if the plan stored one.
pub(crate) fn key_note(plan: &SetupPlan, applied: &Applied, env_file: &str) -> Option<String> {
    let t = &spec::setup().model;
    let envs: Vec<&str> = spec::setup()
        .providers
        .iter()
        .filter_map(|p| p.key_env.as_deref())
        .collect();
    if let Some(kc) = &plan.keychain
        && let Some(var) = applied.keychain.iter().find(|k| envs.contains(&k.as_str()))
    {
        return Some(fill(
            &text(t, "key_stored_keychain"),
            &[("account", &kc.account(var)), ("path", env_file)],
        ));
    }
    let to_env = |env: &str| {
        plan.env_value(env).is_some_and(|v| !v.is_empty())
            || (applied.keychain_failed.is_some()
                && plan.keychain_set.iter().any(|(k, _)| k == env))
    };
    envs.iter()
        .find(|env| to_env(env))
        .map(|_| fill(&text(t, "key_stored"), &[("path", env_file)]))
}
