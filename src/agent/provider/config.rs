//! Turning `model:`, `custom_providers:`/`providers:`, `fallback_providers:` and the API keys in
//! the environment into a ready [`ProviderChain`], with upstream's meaning for each key.
//! Resolution is pure ([`resolve_primary`], [`resolve_fallbacks`]); building only adds HTTP.

use serde_yaml_ng::{Mapping, Value};

use super::anthropic::{Anthropic, DEFAULT_BASE_URL as ANTHROPIC_URL};
use super::chain::{ProviderChain, SkippedFallback};
use super::openai::{Flavor, OpenAiCompatible};
use super::retry::{RetryPolicy, Retrying};
use super::{Provider, Timeouts, redacted};
use crate::config::{Env, Settings};

const OPENROUTER_URL: &str = "https://openrouter.ai/api/v1";
const OPENAI_URL: &str = "https://api.openai.com/v1";
const NOUS_URL: &str = "https://inference-api.nousresearch.com/v1";

/// Why the configured providers cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderConfigError {
    /// `provider: auto` and no known API key is set.
    #[error("no model provider is configured (no API key is set)")]
    NoProvider,
    /// The chosen provider's key is missing.
    #[error("no API key for {provider}: {var} is not set")]
    MissingKey {
        /// Provider name.
        provider: String,
        /// The environment variable to set.
        var: String,
    },
    /// `model.provider` names nothing known.
    #[error("unknown model provider `{name}`")]
    UnknownProvider {
        /// The name as written.
        name: String,
    },
    /// No model id anywhere.
    #[error("no model is configured for {provider}")]
    NoModel {
        /// Provider name.
        provider: String,
    },
    /// A custom endpoint without a URL.
    #[error("the model provider `{provider}` has no base URL")]
    MissingBaseUrl {
        /// Provider name.
        provider: String,
    },
}

impl ProviderConfigError {
    /// Things the user can do about it.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::NoProvider => vec![
                "set a key, e.g. `hermes config set OPENROUTER_API_KEY <key>` (or ANTHROPIC_API_KEY, OPENAI_API_KEY, NOUS_API_KEY)".into(),
                "or point at a local server: `hermes config set model.base_url http://127.0.0.1:11434/v1`".into(),
            ],
            Self::MissingKey { var, .. } => vec![format!("`hermes config set {var} <key>`")],
            Self::UnknownProvider { .. } => vec![
                "use auto, openrouter, nous, anthropic, openai, custom, or the name of a `custom_providers` entry".into(),
            ],
            Self::NoModel { .. } => vec!["`hermes config set model.default <model>`".into()],
            Self::MissingBaseUrl { .. } => {
                vec!["`hermes config set model.base_url <url>` (e.g. http://127.0.0.1:11434/v1)".into()]
            }
        }
    }
}

/// The wire protocol of a resolved provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// Chat Completions, in the given dialect.
    OpenAi(Flavor),
    /// Anthropic Messages.
    Anthropic,
}

/// Everything needed to talk to one provider.
#[derive(Clone, PartialEq, Eq)]
pub struct ResolvedProvider {
    /// Name for messages (`openrouter`, `anthropic`, a custom provider's name, …).
    pub name: String,
    /// Protocol.
    pub kind: ProviderKind,
    /// Endpoint.
    pub base_url: String,
    /// The key, if one is needed and set.
    pub api_key: Option<String>,
    /// Where the key came from (`OPENROUTER_API_KEY`, `model.api_key`, …).
    pub key_label: String,
    /// The model id.
    pub model: String,
}

impl std::fmt::Debug for ResolvedProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedProvider")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &redacted(self.api_key.as_ref()))
            .field("key_label", &self.key_label)
            .field("model", &self.model)
            .finish()
    }
}

/// A provider as requested by a config entry.
struct Request<'a> {
    provider: &'a str,
    /// A model named by a fallback entry: wins over a custom provider's own `model`.
    model: &'a str,
    base_url: &'a str,
    /// An inline key (`model.api_key`, an entry's `api_key`) and its label.
    key: Option<(String, String)>,
    /// An entry's `key_env`/`api_key_env`.
    key_env: Option<String>,
    /// The model when neither the entry nor a custom provider names one (`model.default`
    /// loses to a custom provider's `model`, as upstream).
    default_model: &'a str,
}

/// Resolves `model:` (and the keys in `env`) to the primary provider.
pub fn resolve_primary(
    settings: &Settings,
    env: &Env,
) -> Result<ResolvedProvider, ProviderConfigError> {
    let m = &settings.model;
    let key = map_str(&m.extra, "api_key")
        .or_else(|| map_str(&m.extra, "api"))
        .map(|k| (k, "model.api_key".to_string()));
    // As upstream: `model.provider` wins; `HERMES_INFERENCE_PROVIDER` only fills it in when it
    // is unset (`auto`, the built-in default, counts as unset).
    let provider = match m.provider.trim() {
        "" | "auto" => env
            .get("HERMES_INFERENCE_PROVIDER")
            .filter(|p| !p.trim().is_empty())
            .unwrap_or(m.provider.as_str()),
        p => p,
    };
    // `CUSTOM_BASE_URL` wins over `model.base_url` for an auto or custom provider.
    let auto_or_custom = matches!(
        provider.trim().to_ascii_lowercase().as_str(),
        "" | "auto" | "custom"
    );
    let base_url = match env.get("CUSTOM_BASE_URL").map(str::trim) {
        Some(u) if auto_or_custom && !u.is_empty() => u,
        _ => m.base_url.as_str(),
    };
    resolve(
        &Request {
            provider,
            model: "",
            base_url,
            key,
            key_env: None,
            default_model: &m.default,
        },
        settings,
        env,
    )
}

/// Resolves `fallback_providers` (or the legacy `fallback_model`) in order. An entry without a
/// model takes its custom provider's model, else `default_model`.
#[must_use]
pub fn resolve_fallbacks(
    settings: &Settings,
    env: &Env,
    default_model: &str,
) -> Vec<(String, Result<ResolvedProvider, ProviderConfigError>)> {
    let mut entries: Vec<Mapping> = settings
        .fallback_providers
        .iter()
        .filter_map(|p| match serde_yaml_ng::to_value(p) {
            Ok(Value::Mapping(m)) => Some(m),
            _ => None,
        })
        .collect();
    if entries.is_empty() {
        match settings.extra.get("fallback_model") {
            Some(Value::Mapping(m)) => entries.push(m.clone()),
            Some(Value::Sequence(s)) => {
                entries.extend(s.iter().filter_map(|v| v.as_mapping().cloned()));
            }
            _ => {}
        }
    }
    entries
        .iter()
        .map(|e| {
            let provider = map_str(e, "provider").unwrap_or_default();
            let model = map_str(e, "model").unwrap_or_default();
            let base_url = map_str(e, "base_url").unwrap_or_default();
            let req = Request {
                provider: &provider,
                model: &model,
                base_url: &base_url,
                key: map_str(e, "api_key").map(|k| (k, format!("fallback {provider} api_key"))),
                key_env: key_env(e),
                default_model,
            };
            let resolved = resolve(&req, settings, env);
            (provider.clone(), resolved)
        })
        .collect()
}

/// Builds the chain: the primary (an error if it cannot be set up) and every fallback that can
/// (the others are listed in [`ProviderChain::skipped`]), each with retries.
pub fn from_settings(
    settings: &Settings,
    env: &Env,
    http: reqwest::Client,
) -> Result<ProviderChain, ProviderConfigError> {
    let policy = retry_policy(settings);
    let primary = resolve_primary(settings, env)?;
    let mut chain = ProviderChain::new(build(&primary, http.clone(), policy), &primary.model);
    for (index, (provider, fallback)) in resolve_fallbacks(settings, env, &primary.model)
        .into_iter()
        .enumerate()
    {
        match fallback {
            Ok(f) => chain = chain.with_fallback(build(&f, http.clone(), policy), &f.model),
            Err(error) => chain.skip(SkippedFallback {
                index,
                provider,
                error,
            }),
        }
    }
    Ok(chain)
}

/// `agent.api_max_retries` (upstream default 3) retries after the first attempt.
fn retry_policy(settings: &Settings) -> RetryPolicy {
    let retries = settings
        .agent
        .extra
        .get("api_max_retries")
        .and_then(Value::as_u64)
        .map_or(3, |n| u32::try_from(n).unwrap_or(u32::MAX));
    RetryPolicy {
        max_attempts: retries.saturating_add(1),
        ..RetryPolicy::default()
    }
}

/// A provider for a resolved configuration, with retries.
fn build(r: &ResolvedProvider, http: reqwest::Client, policy: RetryPolicy) -> Box<dyn Provider> {
    let timeouts = Timeouts::default();
    match r.kind {
        ProviderKind::Anthropic => {
            let mut p = Anthropic::new(&r.name, &r.base_url, http).with_timeouts(timeouts);
            if let Some(k) = &r.api_key {
                p = p.with_key(k, &r.key_label);
            }
            Box::new(Retrying::new(p, policy))
        }
        ProviderKind::OpenAi(flavor) => {
            let mut p = OpenAiCompatible::new(&r.name, &r.base_url, http)
                .with_flavor(flavor)
                .with_timeouts(timeouts);
            if let Some(k) = &r.api_key {
                p = p.with_key(k, &r.key_label);
            }
            Box::new(Retrying::new(p, policy))
        }
    }
}

/// Local servers that upstream treats as `custom`, with their usual address.
const LOCAL_ALIASES: &[(&str, &str)] = &[
    ("ollama", "http://127.0.0.1:11434/v1"),
    ("vllm", "http://127.0.0.1:8000/v1"),
    ("llamacpp", "http://127.0.0.1:8080/v1"),
    ("llama.cpp", "http://127.0.0.1:8080/v1"),
    ("llama-cpp", "http://127.0.0.1:8080/v1"),
    ("lmstudio", "http://127.0.0.1:1234/v1"),
    ("lm-studio", "http://127.0.0.1:1234/v1"),
];

fn resolve(
    req: &Request<'_>,
    settings: &Settings,
    env: &Env,
) -> Result<ResolvedProvider, ProviderConfigError> {
    let name = req.provider.trim().to_ascii_lowercase();
    let name = match name.as_str() {
        "" => "auto".to_string(),
        "openai-api" => "openai".to_string(),
        "claude" => "anthropic".to_string(),
        _ => name,
    };
    let base_url = req.base_url.trim().trim_end_matches('/');
    let builtin = |id: &str, url: &str, var: &str, kind: ProviderKind| {
        // `OPENROUTER_BASE_URL` points OpenRouter at a mirror or proxy, as upstream.
        let mirror = env
            .get("OPENROUTER_BASE_URL")
            .map(|u| u.trim().trim_end_matches('/'))
            .filter(|u| id == "openrouter" && !u.is_empty());
        let url = match (base_url.is_empty(), mirror) {
            (false, _) => base_url,
            (true, Some(m)) => m,
            (true, None) => url,
        };
        let (api_key, key_label) = match (&req.key, env.get(var)) {
            (Some((k, label)), _) => (k.clone(), label.clone()),
            (None, Some(k)) => (k.to_string(), var.to_string()),
            (None, None) => {
                return Err(ProviderConfigError::MissingKey {
                    provider: id.into(),
                    var: var.into(),
                });
            }
        };
        finish(id, kind, url, Some(api_key), key_label, req)
    };
    let router = ProviderKind::OpenAi(Flavor::OpenRouter);
    let openai = ProviderKind::OpenAi(Flavor::OpenAi);
    let nous = ProviderKind::OpenAi(Flavor::Nous);
    match name.as_str() {
        "auto" if !base_url.is_empty() => custom("custom", base_url, req, env, None),
        "auto" => {
            let order = [
                ("openrouter", OPENROUTER_URL, "OPENROUTER_API_KEY", router),
                (
                    "anthropic",
                    ANTHROPIC_URL,
                    "ANTHROPIC_API_KEY",
                    ProviderKind::Anthropic,
                ),
                ("openai", OPENAI_URL, "OPENAI_API_KEY", openai),
                ("nous", NOUS_URL, "NOUS_API_KEY", nous),
            ];
            match order
                .into_iter()
                .find(|(_, _, var, _)| env.get(var).is_some())
            {
                Some((id, url, var, kind)) => builtin(id, url, var, kind),
                // An explicit key with no endpoint means OpenRouter, as upstream.
                None if req.key.is_some() => {
                    builtin("openrouter", OPENROUTER_URL, "OPENROUTER_API_KEY", router)
                }
                None => Err(ProviderConfigError::NoProvider),
            }
        }
        "openrouter" => builtin("openrouter", OPENROUTER_URL, "OPENROUTER_API_KEY", router),
        "anthropic" => builtin(
            "anthropic",
            ANTHROPIC_URL,
            "ANTHROPIC_API_KEY",
            ProviderKind::Anthropic,
        ),
        "openai" => builtin("openai", OPENAI_URL, "OPENAI_API_KEY", openai),
        "nous" => builtin("nous", NOUS_URL, "NOUS_API_KEY", nous),
        _ => {
            if let Some(entry) = named_custom(settings, &name) {
                return custom_entry(&entry, req, env);
            }
            if name == "custom" {
                return custom("custom", base_url, req, env, None);
            }
            if let Some((alias, url)) = LOCAL_ALIASES.iter().find(|(a, _)| *a == name) {
                let url = if base_url.is_empty() { url } else { base_url };
                return custom(alias, url, req, env, None);
            }
            Err(ProviderConfigError::UnknownProvider {
                name: req.provider.trim().to_string(),
            })
        }
    }
}

/// An OpenAI-compatible (or Anthropic-compatible) endpoint named by URL. Provider keys are
/// only sent to their own hosts, so a local server never receives a cloud key.
fn custom(
    name: &str,
    base_url: &str,
    req: &Request<'_>,
    env: &Env,
    api_mode: Option<&str>,
) -> Result<ResolvedProvider, ProviderConfigError> {
    if base_url.is_empty() {
        return Err(ProviderConfigError::MissingBaseUrl {
            provider: name.to_string(),
        });
    }
    let flavor = Flavor::detect(base_url);
    let host_var = match flavor {
        Flavor::OpenAi => Some("OPENAI_API_KEY"),
        Flavor::OpenRouter => Some("OPENROUTER_API_KEY"),
        Flavor::Nous => Some("NOUS_API_KEY"),
        Flavor::Generic => None,
    };
    let from_env = |var: &str| {
        env.get(var)
            .filter(|k| !k.trim().is_empty())
            .map(|k| (k.to_string(), var.to_string()))
    };
    let key = req
        .key
        .clone()
        .or_else(|| req.key_env.as_deref().and_then(from_env))
        .or_else(|| host_var.and_then(from_env))
        .or_else(|| vendor_key_var(base_url).as_deref().and_then(from_env));
    let kind = if is_anthropic_endpoint(base_url, api_mode) {
        ProviderKind::Anthropic
    } else {
        ProviderKind::OpenAi(flavor)
    };
    let (api_key, label) = match key {
        Some((k, l)) => (Some(k), l),
        None => (None, "no key was sent".to_string()),
    };
    finish(name, kind, base_url, api_key, label, req)
}

fn custom_entry(
    entry: &Mapping,
    req: &Request<'_>,
    env: &Env,
) -> Result<ResolvedProvider, ProviderConfigError> {
    let name = map_str(entry, "name").unwrap_or_else(|| "custom".into());
    let base_url = ["base_url", "api", "url"]
        .iter()
        .find_map(|k| map_str(entry, k))
        .unwrap_or_default();
    let base_url = if req.base_url.trim().is_empty() {
        base_url
    } else {
        req.base_url.trim().to_string()
    };
    let model = map_str(entry, "model")
        .or_else(|| map_str(entry, "default_model"))
        .filter(|_| req.model.trim().is_empty())
        .unwrap_or_else(|| req.model.to_string());
    let inner = Request {
        provider: &name,
        model: &model,
        base_url: &base_url,
        key: req.key.clone().or_else(|| {
            map_str(entry, "api_key").map(|k| (k, format!("custom_providers `{name}` api_key")))
        }),
        key_env: req.key_env.clone().or_else(|| key_env(entry)),
        default_model: req.default_model,
    };
    let mode = map_str(entry, "api_mode").or_else(|| map_str(entry, "transport"));
    custom(
        &name,
        base_url.trim_end_matches('/'),
        &inner,
        env,
        mode.as_deref(),
    )
}

fn finish(
    name: &str,
    kind: ProviderKind,
    base_url: &str,
    api_key: Option<String>,
    key_label: String,
    req: &Request<'_>,
) -> Result<ResolvedProvider, ProviderConfigError> {
    let model = match req.model.trim() {
        "" => req.default_model.trim(),
        m => m,
    };
    if model.is_empty() {
        return Err(ProviderConfigError::NoModel {
            provider: name.to_string(),
        });
    }
    Ok(ResolvedProvider {
        name: name.to_string(),
        kind,
        base_url: base_url.trim_end_matches('/').to_string(),
        api_key,
        key_label,
        model: model.to_string(),
    })
}

/// The `<VENDOR>_API_KEY` a custom endpoint's host suggests, as upstream: the registrable label
/// of the host after `api.`/`www.` (`https://api.deepseek.com/v1` → `DEEPSEEK_API_KEY`). None
/// for addresses, `localhost`, single-label hosts, and the vendors whose keys only go to their
/// own hosts (`OpenAI`, `OpenRouter`, Ollama). A look-alike host (`api.deepseek.com.evil.test`)
/// names the look-alike's own label, so a real vendor key is never sent there.
#[must_use]
pub(crate) fn vendor_key_var(base_url: &str) -> Option<String> {
    let rest = base_url.split("://").nth(1)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    if host.starts_with('[') {
        return None;
    }
    let host = host.split(':').next()?.to_ascii_lowercase();
    let mut labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    if labels
        .last()
        .is_none_or(|l| l.starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    while labels.first().is_some_and(|l| *l == "api" || *l == "www") {
        labels.remove(0);
    }
    if labels.len() < 2 {
        return None;
    }
    let vendor: String = labels[labels.len() - 2]
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !vendor.starts_with(|c: char| c.is_ascii_alphabetic())
        || matches!(vendor.as_str(), "OPENAI" | "OPENROUTER" | "OLLAMA")
    {
        return None;
    }
    Some(format!("{vendor}_API_KEY"))
}

/// Upstream's rule: `api_mode: anthropic_messages`, the Anthropic host, or a path ending in
/// `/anthropic` (several gateways and proxies serve the Messages API there).
fn is_anthropic_endpoint(base_url: &str, api_mode: Option<&str>) -> bool {
    if let Some(mode) = api_mode {
        return mode == "anthropic_messages";
    }
    let lower = base_url.to_ascii_lowercase();
    let lower = lower.trim_end_matches('/');
    lower.ends_with("/anthropic")
        || lower.ends_with("/anthropic/v1")
        || lower
            .split("://")
            .nth(1)
            .is_some_and(|rest| rest.split(['/', ':']).next() == Some("api.anthropic.com"))
}

/// A `providers:` (new style) or `custom_providers:` entry whose name matches, as upstream:
/// names compare trimmed, lowercased, spaces as dashes, with or without `custom:`.
fn named_custom(settings: &Settings, wanted: &str) -> Option<Mapping> {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace(' ', "-");
    let wanted = norm(wanted);
    let wanted = wanted
        .strip_prefix("custom:")
        .unwrap_or(&wanted)
        .to_string();
    if let Some(Value::Mapping(providers)) = settings.extra.get("providers") {
        for (key, entry) in providers {
            let Some(mut entry) = entry.as_mapping().cloned() else {
                continue;
            };
            if entry.get("enabled").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let key = key.as_str().unwrap_or_default();
            let display = map_str(&entry, "name").unwrap_or_default();
            if norm(key) == wanted || (!display.is_empty() && norm(&display) == wanted) {
                if display.is_empty() {
                    entry.insert("name".into(), key.into());
                }
                return Some(entry);
            }
        }
    }
    settings.custom_providers.iter().find_map(|p| {
        let matches = !p.name.is_empty() && norm(&p.name) == wanted
            || map_str(&p.extra, "provider_key").is_some_and(|k| norm(&k) == wanted);
        match serde_yaml_ng::to_value(p) {
            Ok(Value::Mapping(m)) if matches => Some(m),
            _ => None,
        }
    })
}

fn key_env(entry: &Mapping) -> Option<String> {
    map_str(entry, "key_env").or_else(|| map_str(entry, "api_key_env"))
}

/// A non-empty string value of a mapping.
fn map_str(m: &Mapping, key: &str) -> Option<String> {
    m.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests;
