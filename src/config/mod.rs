//! Configuration: `config.yaml` (typed read, lossless edit), `.env` (secrets, 0600), the
//! merged environment, and the routing rules of `hermes config`.

pub mod dotenv;
mod env;
pub mod keychain;
pub mod keys;
mod settings;
pub mod yaml_edit;

use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

pub use env::Env;
pub use settings::{
    ApiServerSettings, CronSettings, DisplaySettings, ENV_OVERRIDES, EnvOverride, GatewaySettings,
    LoggingSettings, ModelSettings, ResetMode, SessionResetSettings, Settings,
};

use crate::fsutil;
use crate::home::HermesPaths;

/// Why configuration could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// config.yaml does not parse.
    #[error("{} does not parse: line {line}, column {column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The edit could not be made without changing something else.
    #[error("cannot change `{key}` in {}", path.display())]
    Edit {
        key: String,
        path: PathBuf,
        #[source]
        source: yaml_edit::EditError,
    },
    /// `.env` could not be read or written.
    #[error(transparent)]
    EnvFile(#[from] dotenv::EnvFileError),
    /// Reading or writing failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An empty key.
    #[error("the key is empty")]
    EmptyKey,
}

impl ConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Parse { .. } => {
                vec!["fix the file by hand (`hermes config edit`); nothing was changed".into()]
            }
            Self::Edit {
                source: yaml_edit::EditError::IndexOutOfRange { len, .. },
                ..
            } => {
                vec![format!(
                    "the list has {len} item(s); use an index up to {len} (that many appends one)"
                )]
            }
            Self::Edit { .. } => {
                vec!["edit it by hand with `hermes config edit`; nothing was changed".into()]
            }
            _ => Vec::new(),
        }
    }
}

/// `(model, provider)` as written in a config.yaml (`model: x` or `model: {default, provider}`).
#[must_use]
pub fn model_summary(text: &str) -> (Option<String>, Option<String>) {
    let Ok(doc) = yaml_edit::parse(text) else {
        return (None, None);
    };
    match doc.get("model") {
        Some(Value::String(s)) if !s.is_empty() => (Some(s.clone()), None),
        Some(Value::Mapping(m)) => {
            let s = |k: &str| {
                m.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            (s("default").or_else(|| s("model")), s("provider"))
        }
        _ => (None, None),
    }
}

/// The built-in defaults as a document.
#[must_use]
pub fn defaults() -> Value {
    // The asset is part of the binary and covered by a unit test; an empty map is a safe
    // fallback that can never be reached in a tested build.
    serde_yaml_ng::from_str(keys::DEFAULTS_YAML).unwrap_or_else(|_| Value::Mapping(Mapping::new()))
}

/// One top-level block of the built-in defaults (`{top: …}`), or an empty document when the
/// defaults have no such key. Parses only that block's lines: `hermes config get` needs one
/// key, and parsing all the defaults was half of its start-up work.
#[must_use]
pub fn defaults_block(top: &str) -> Value {
    let mut block = String::new();
    let mut inside = false;
    for line in keys::DEFAULTS_YAML.lines() {
        let starts_block = !line.starts_with([' ', '#', '-']) && !line.is_empty();
        if starts_block {
            inside = line
                .strip_prefix(top)
                .is_some_and(|rest| rest == ":" || rest.starts_with(": "));
        }
        if inside {
            block.push_str(line);
            block.push('\n');
        }
    }
    match serde_yaml_ng::from_str(&block) {
        Ok(doc @ Value::Mapping(_)) => doc,
        _ => Value::Mapping(Mapping::new()),
    }
}

/// Deep-merges `over` onto `base`: maps merge key by key, anything else replaces.
#[must_use]
pub fn merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match b.get(k) {
                    Some(bv) => merge(bv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Mapping(out)
        }
        (_, Value::Null) => base.clone(),
        _ => over.clone(),
    }
}

/// Reads and parses a config.yaml; a missing file is an empty document.
pub fn read_yaml(path: &Path) -> Result<(String, Value), ConfigError> {
    let text = fsutil::read_optional(path)
        .map_err(|source| ConfigError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?
        .unwrap_or_default();
    let doc = yaml_edit::parse(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    Ok((text, doc))
}

/// The effective document: defaults merged with the user's config.yaml (bare `model: x`
/// normalised to `model.default`).
pub fn effective(paths: &HermesPaths) -> Result<Value, ConfigError> {
    let (_, doc) = read_yaml(&paths.config_file())?;
    Ok(merge(&defaults(), &normalise(doc)))
}

/// The effective document as far as `key` (a dotted key) can see: the user's config.yaml
/// merged with only the defaults' block that holds `key`. Looking `key` up in it gives the
/// same answer as in [`effective`], at a fraction of the start-up cost.
pub fn effective_for(paths: &HermesPaths, key: &str) -> Result<Value, ConfigError> {
    let (_, doc) = read_yaml(&paths.config_file())?;
    let top = yaml_edit::split_key(key, &Value::Null);
    let base = top
        .first()
        .map_or_else(|| Value::Mapping(Mapping::new()), |t| defaults_block(t));
    Ok(merge(&base, &normalise(doc)))
}

/// Normalises upstream's shorthand forms.
fn normalise(mut doc: Value) -> Value {
    if let Value::Mapping(m) = &mut doc
        && let Some(Value::String(s)) = m.get("model").cloned()
    {
        let mut model = Mapping::new();
        model.insert("default".into(), Value::String(s));
        m.insert("model".into(), Value::Mapping(model));
    }
    doc
}

/// Looks a dotted key up in a document (`\.` is a literal dot; numeric segments index lists).
#[must_use]
pub fn lookup<'a>(doc: &'a Value, key: &str) -> Option<&'a Value> {
    let path = yaml_edit::split_key(key, doc);
    let mut node = doc;
    for seg in &path {
        node = match node {
            Value::Mapping(m) => m.get(seg.as_str())?,
            Value::Sequence(s) => s.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// What `set_value` did.
#[derive(Debug, Clone)]
pub struct SetOutcome {
    /// Where the value went.
    pub route: keys::Route,
    /// The file written.
    pub file: PathBuf,
    /// The value as stored (after coercion).
    pub value: Value,
    /// Whether this version knows the key (always true for `.env`).
    pub known: bool,
    /// A known key close to an unknown one.
    pub suggestion: Option<String>,
}

/// `hermes config set KEY VALUE`: routes the key, coerces the value, edits losslessly and
/// writes atomically. A config.yaml that does not parse is never overwritten.
pub fn set_value(paths: &HermesPaths, key: &str, raw: &str) -> Result<SetOutcome, ConfigError> {
    if key.trim().is_empty() {
        return Err(ConfigError::EmptyKey);
    }
    match keys::route(key) {
        keys::Route::Env(var) => {
            let file = paths.env_file();
            let mut env = dotenv::EnvFile::load(&file)?;
            env.set(&var, raw);
            env.save(&file)?;
            Ok(SetOutcome {
                route: keys::Route::Env(var),
                file,
                value: Value::String(raw.into()),
                known: true,
                suggestion: None,
            })
        }
        keys::Route::Yaml(dotted) => {
            let file = paths.config_file();
            let (text, doc) = read_yaml(&file)?;
            let path = yaml_edit::split_key(&dotted, &doc);
            let value = keys::coerce(raw);
            let new_text =
                yaml_edit::set(&text, &path, &value).map_err(|source| ConfigError::Edit {
                    key: dotted.clone(),
                    path: file.clone(),
                    source,
                })?;
            fsutil::write_atomic(&file, new_text.as_bytes(), None).map_err(|source| {
                ConfigError::Io {
                    action: "write",
                    path: file.clone(),
                    source,
                }
            })?;
            let defaults = defaults();
            let known = keys::is_known(&defaults, &path);
            let suggestion = if known {
                None
            } else {
                keys::suggest(&defaults, &dotted)
            };
            Ok(SetOutcome {
                route: keys::Route::Yaml(dotted),
                file,
                value,
                known,
                suggestion,
            })
        }
    }
}

/// `hermes config unset KEY`: removes it from `.env` or config.yaml. Returns the file touched,
/// or `None` when the key was not set.
pub fn unset_value(paths: &HermesPaths, key: &str) -> Result<Option<PathBuf>, ConfigError> {
    if key.trim().is_empty() {
        return Err(ConfigError::EmptyKey);
    }
    match keys::route(key) {
        keys::Route::Env(var) => {
            let file = paths.env_file();
            let mut env = dotenv::EnvFile::load(&file)?;
            if !env.unset(&var) {
                return Ok(None);
            }
            env.save(&file)?;
            Ok(Some(file))
        }
        keys::Route::Yaml(dotted) => {
            let file = paths.config_file();
            let (text, doc) = read_yaml(&file)?;
            // `unset model` removes the whole block, not just model.default.
            let dotted = if key == "model" {
                "model".to_string()
            } else {
                dotted
            };
            let path = yaml_edit::split_key(&dotted, &doc);
            match yaml_edit::unset(&text, &path).map_err(|source| ConfigError::Edit {
                key: dotted.clone(),
                path: file.clone(),
                source,
            })? {
                None => Ok(None),
                Some(new_text) => {
                    fsutil::write_atomic(&file, new_text.as_bytes(), None).map_err(|source| {
                        ConfigError::Io {
                            action: "write",
                            path: file.clone(),
                            source,
                        }
                    })?;
                    Ok(Some(file))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let d: Value = serde_yaml_ng::from_str(keys::DEFAULTS_YAML).unwrap();
        assert!(d.get("gateway").is_some());
        let s: Settings = Settings::from_document(&d).unwrap();
        assert_eq!(s.gateway.api_server.port, 8642);
    }

    #[test]
    fn each_defaults_block_is_that_key_of_the_defaults() {
        let Value::Mapping(all) = defaults() else {
            panic!("the defaults are a mapping")
        };
        assert!(all.len() > 10);
        for (k, v) in &all {
            let k = k.as_str().expect("top-level keys are strings");
            assert!(
                !k.contains('.'),
                "a dotted top-level default breaks effective_for: {k}"
            );
            let mut one = Mapping::new();
            one.insert(k.into(), v.clone());
            assert_eq!(defaults_block(k), Value::Mapping(one), "block {k}");
        }
        assert_eq!(
            defaults_block("no_such_key"),
            Value::Mapping(Mapping::new())
        );
        // A key that is a prefix of another is not confused with it.
        assert_eq!(defaults_block("mode"), Value::Mapping(Mapping::new()));
    }

    #[test]
    fn effective_for_agrees_with_effective() {
        let dir = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&dir.path().join("h"), dir.path());
        std::fs::create_dir_all(paths.home()).unwrap();
        std::fs::write(
            paths.config_file(),
            "model: a/b\ndisplay:\n  busy_input_mode: queue\nextra:\n  x.y: 1\nlist: [1, 2]\n",
        )
        .unwrap();
        let full = effective(&paths).unwrap();
        for key in [
            "model",
            "model.default",
            "model.provider",
            "display",
            "display.busy_input_mode",
            "display.streaming",
            "extra.x.y",
            "list.1",
            "agent.max_turns",
            "nope",
            "nope.deeper",
        ] {
            let part = effective_for(&paths, key).unwrap();
            assert_eq!(lookup(&part, key), lookup(&full, key), "{key}");
        }
    }

    #[test]
    fn model_summary_forms() {
        assert_eq!(model_summary("model: a/b\n"), (Some("a/b".into()), None));
        assert_eq!(
            model_summary("model:\n  default: gpt-4o\n  provider: openai\n"),
            (Some("gpt-4o".into()), Some("openai".into()))
        );
        assert_eq!(model_summary("other: 1\n"), (None, None));
    }

    #[test]
    fn merge_is_deep() {
        let a: Value = serde_yaml_ng::from_str("x: {a: 1, b: 2}\ny: [1]\n").unwrap();
        let b: Value = serde_yaml_ng::from_str("x: {b: 3}\ny: [2]\nz: 1\n").unwrap();
        let m = merge(&a, &b);
        assert_eq!(
            serde_yaml_ng::to_string(&m).unwrap(),
            "x:\n  a: 1\n  b: 3\ny:\n- 2\nz: 1\n"
        );
    }
}
