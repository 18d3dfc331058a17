//! `hermes config` — show, read and change configuration. Secrets go to `.env` (0600), the
//! rest to config.yaml, edited losslessly; a config.yaml that does not parse is never touched.

use hermes::config::{self as cfg, keys};
use serde_yaml_ng::Value;

use super::Context;
use super::error::CliError;

/// Show and change configuration (`config.yaml` and `.env`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Print the effective configuration (defaults merged with config.yaml; secrets masked).
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`).
    Get {
        /// The key, e.g. `agent.max_turns` or `OPENAI_API_KEY`.
        key: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml.
    Set {
        /// The key, e.g. `model`, `agent.max_turns`, `custom_providers.0.base_url`, `OPENAI_API_KEY`.
        key: String,
        /// The value; `true/false/yes/no/on/off`, integers and decimals are typed.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Skip the notice for keys this version does not know (the value is saved either way).
        #[arg(long)]
        force: bool,
    },
    /// Remove a key (its built-in default applies again).
    Unset {
        /// The key.
        key: String,
    },
    /// Print the path of config.yaml.
    Path,
    /// Print the path of .env.
    EnvPath,
    /// Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it.
    Edit,
    /// Check config.yaml and .env: syntax, keys this version does not use, file modes.
    Check {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    match args.action.unwrap_or(Action::Show { json: false }) {
        Action::Show { json } => show(cx, json),
        Action::Get { key, json } => get(cx, &key, json),
        Action::Set { key, value, force } => set(cx, &key, &value, force),
        Action::Unset { key } => unset(cx, &key),
        Action::Path => {
            cx.out.data(cx.paths.config_file().display());
            Ok(())
        }
        Action::EnvPath => {
            cx.out.data(cx.paths.env_file().display());
            Ok(())
        }
        Action::Edit => edit(cx),
        Action::Check { json } => check(cx, json),
    }
}

/// Leaf names whose values are masked in output.
const SECRET_LEAVES: &[&str] = &[
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "auth",
    "authorization",
    "private_key",
    "bearer",
    "jwt",
];

/// `sk-a...1234`, or `***` for short values.
fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 12 {
        return "***".into();
    }
    format!(
        "{}...{}",
        chars[..4].iter().collect::<String>(),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

fn mask_tree(v: &mut Value) {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m.iter_mut() {
                let secret = k
                    .as_str()
                    .is_some_and(|k| SECRET_LEAVES.contains(&k.to_ascii_lowercase().as_str()));
                match child {
                    Value::String(s) if secret && !s.is_empty() => *s = mask(s),
                    _ => mask_tree(child),
                }
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(mask_tree),
        _ => {}
    }
}

fn to_json(v: &Value) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(v)?)
}

/// A scalar as upstream prints it; maps and lists as YAML.
fn render_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

/// The environment overrides the typed settings apply for this profile (process environment
/// overlaid by `.env`, as the runtime reads it).
fn env_overrides(cx: &Context) -> anyhow::Result<Vec<cfg::EnvOverride>> {
    let env = cx.env()?;
    // Resolving the settings is skipped when no overriding variable is set (the usual case).
    if !cfg::ENV_OVERRIDES
        .iter()
        .any(|(var, _)| env.get(var).is_some())
    {
        return Ok(Vec::new());
    }
    let (_, user) = cfg::read_yaml(&cx.paths.config_file())?;
    Ok(cfg::Settings::env_overrides(&user, &env)?)
}

/// Puts `value` at a dotted `key` of an effective document (the key exists in the defaults).
fn overlay(doc: &mut Value, key: &str, value: &Value) {
    let mut node = doc;
    for seg in key.split('.') {
        let Value::Mapping(m) = node else { return };
        node = m
            .entry(Value::String(seg.to_string()))
            .or_insert(Value::Null);
    }
    *node = value.clone();
}

fn show(cx: &Context, json: bool) -> anyhow::Result<()> {
    let mut doc = cfg::effective(&cx.paths)?;
    let overrides = env_overrides(cx)?;
    for o in &overrides {
        overlay(&mut doc, o.key, &o.value);
    }
    mask_tree(&mut doc);
    if json {
        cx.out.json(&to_json(&doc)?);
        return Ok(());
    }
    let env_file = cx.paths.env_file();
    let env_keys = cfg::dotenv::EnvFile::load(&env_file)?.keys();
    cx.out.data(format!("# profile: {}", cx.paths.profile()));
    cx.out
        .data(format!("# config:  {}", cx.paths.config_file().display()));
    cx.out.data(format!(
        "# secrets: {} ({} key(s): {})",
        env_file.display(),
        env_keys.len(),
        env_keys.join(", ")
    ));
    for o in &overrides {
        cx.out
            .data(format!("# {} is overridden by ${}", o.key, o.var));
    }
    cx.out.raw(&serde_yaml_ng::to_string(&doc)?);
    Ok(())
}

fn not_set(key: &str) -> anyhow::Error {
    CliError::user(format!("Config key not set: {key}"))
        .hint("`hermes config show` prints every key with its value")
        .into()
}

fn get(cx: &Context, key: &str, json: bool) -> anyhow::Result<()> {
    let value = match keys::route(key) {
        keys::Route::Env(var) => {
            let env = cx.env()?;
            let Some(v) = env.get(&var) else {
                return Err(not_set(key));
            };
            Value::String(v.to_string())
        }
        keys::Route::Yaml(dotted) => {
            let overridable = cfg::ENV_OVERRIDES.iter().any(|(_, k)| *k == dotted);
            let overridden = if overridable {
                env_overrides(cx)?.into_iter().find(|o| o.key == dotted)
            } else {
                None
            };
            if let Some(o) = overridden {
                cx.out.status(format!(
                    "(overridden by ${}; unset it to use config.yaml's value)",
                    o.var
                ));
                o.value
            } else {
                let doc = cfg::effective_for(&cx.paths, key)?;
                let Some(v) = cfg::lookup(&doc, key) else {
                    return Err(not_set(key));
                };
                v.clone()
            }
        }
    };
    if json {
        cx.out.data(serde_json::to_string(&to_json(&value)?)?);
    } else {
        cx.out.data(render_value(&value));
    }
    Ok(())
}

fn set(cx: &Context, key: &str, raw: &str, force: bool) -> anyhow::Result<()> {
    let done = cfg::set_value(&cx.paths, key, raw)?;
    match &done.route {
        keys::Route::Env(var) => cx
            .out
            .success(format!("Set {var} in {}", done.file.display())),
        keys::Route::Yaml(dotted) => {
            let leaf = dotted
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let shown = if SECRET_LEAVES.contains(&leaf.as_str()) {
                mask(raw)
            } else {
                render_value(&done.value)
            };
            cx.out
                .success(format!("Set {dotted} = {shown} in {}", done.file.display()));
            if !done.known && !force {
                let upstream = upstream_knows(dotted);
                if upstream {
                    cx.out.warn(format!("'{dotted}' is a key of the Python original that this version does not use — it was saved anyway."));
                } else {
                    cx.out.warn(format!("'{dotted}' is not a recognized config key — it was saved anyway, but hermes may not read it."));
                }
                if let Some(s) = &done.suggestion {
                    cx.out.status(format!("  Did you mean: {s}"));
                }
                cx.out.status("  (Use --force to skip this notice.)");
            }
        }
    }
    Ok(())
}

/// Whether the Python original's schema has this key (so it is not a typo).
fn upstream_knows(dotted: &str) -> bool {
    const UPSTREAM: &str = include_str!("../../assets/upstream-config-keys.txt");
    UPSTREAM.lines().any(|k| {
        k == dotted || k.starts_with(&format!("{dotted}.")) || dotted.starts_with(&format!("{k}."))
    })
}

fn unset(cx: &Context, key: &str) -> anyhow::Result<()> {
    let Some(file) = cfg::unset_value(&cx.paths, key)? else {
        return Err(not_set(key));
    };
    // Like upstream, parents left empty by the removal are pruned too.
    if file == cx.paths.config_file() {
        let mut parts: Vec<&str> = key.split('.').collect();
        parts.pop();
        while !parts.is_empty() {
            let parent = parts.join(".");
            let (_, doc) = cfg::read_yaml(&file)?;
            let empty =
                matches!(cfg::lookup(&doc, &parent), Some(Value::Mapping(m)) if m.is_empty());
            if !empty || cfg::unset_value(&cx.paths, &parent)?.is_none() {
                break;
            }
            parts.pop();
        }
    }
    let shown = match keys::route(key) {
        keys::Route::Env(var) => var,
        keys::Route::Yaml(_) => key.to_string(),
    };
    cx.out
        .success(format!("Unset {shown} from {}", file.display()));
    Ok(())
}

fn edit(cx: &Context) -> anyhow::Result<()> {
    let file = cx.paths.config_file();
    if !file.exists() {
        hermes::fsutil::write_atomic(
            &file,
            b"# hermes configuration. See `hermes config show` for every key.\n",
            None,
        )?;
    }
    let editors: Vec<String> = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| cx.var(k).map(str::to_string))
        .collect();
    let candidates = editors
        .into_iter()
        .chain(["nano", "vim", "vi"].map(String::from));
    for editor in candidates {
        let mut words = editor.split_whitespace();
        let Some(program) = words.next() else {
            continue;
        };
        match std::process::Command::new(program)
            .args(words)
            .arg(&file)
            .status()
        {
            Ok(status) if status.success() => {
                return match cfg::read_yaml(&file) {
                    Ok(_) => {
                        cx.out.success(format!("{} parses", file.display()));
                        Ok(())
                    }
                    Err(e) => Err(e.into()),
                };
            }
            Ok(status) => {
                return Err(CliError::user(format!("{program} exited with {status}")).into());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CliError::user(format!("cannot run {program}"))
                    .caused_by(e)
                    .into());
            }
        }
    }
    cx.out.warn("No editor found (set $EDITOR). The file is:");
    cx.out.data(file.display());
    Ok(())
}

/// One finding of `config check`.
#[derive(serde::Serialize)]
struct Finding {
    level: &'static str,
    message: String,
}

fn check(cx: &Context, json: bool) -> anyhow::Result<()> {
    let mut findings: Vec<Finding> = Vec::new();
    let file = cx.paths.config_file();
    let mut parse_failed = false;
    match cfg::read_yaml(&file) {
        Ok((_, doc)) => {
            if file.exists() {
                findings.push(Finding {
                    level: "ok",
                    message: format!("{} parses", file.display()),
                });
            } else {
                findings.push(Finding {
                    level: "ok",
                    message: format!("{} does not exist; defaults apply", file.display()),
                });
            }
            for key in keys::unknown_keys(&cfg::defaults(), &doc) {
                let message = if upstream_knows(&key) {
                    format!("{key}: a key of the Python original that this version does not use")
                } else {
                    let hint = keys::suggest(&cfg::defaults(), &key)
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                    format!("{key}: not a recognized key{hint}")
                };
                findings.push(Finding {
                    level: "warn",
                    message,
                });
            }
            if let Err(e) = type_check(&doc) {
                findings.push(Finding {
                    level: "error",
                    message: e,
                });
                parse_failed = true;
            }
        }
        Err(e) => {
            findings.push(Finding {
                level: "error",
                message: e.to_string(),
            });
            parse_failed = true;
        }
    }
    let env = cx.paths.env_file();
    if env.exists() {
        match hermes::fsutil::mode_of(&env) {
            Some(m) if m & 0o077 != 0 => findings.push(Finding {
                level: "warn",
                message: format!(
                    "{} is mode {m:04o}; secrets should be 0600 (`chmod 600 {}`)",
                    env.display(),
                    env.display()
                ),
            }),
            _ => findings.push(Finding {
                level: "ok",
                message: format!("{} is private (0600)", env.display()),
            }),
        }
        for (line, problem) in cfg::dotenv::EnvFile::load(&env)?.problems() {
            findings.push(Finding {
                level: "warn",
                message: format!("{} line {line}: {problem} (skipped)", env.display()),
            });
        }
    }
    if json {
        cx.out.json(&serde_json::to_value(&findings)?);
    } else {
        for f in &findings {
            let glyph = match f.level {
                "ok" => "✓",
                "warn" => "⚠",
                _ => "✗",
            };
            cx.out.data(format!("{glyph} {}", f.message));
        }
    }
    if parse_failed {
        return Err(CliError::user("configuration has errors")
            .hint("fix them with `hermes config edit`")
            .into());
    }
    Ok(())
}

/// Whether the typed settings accept the document (wrong value types are errors).
fn type_check(doc: &Value) -> Result<(), String> {
    cfg::Settings::resolve(doc, &cfg::Env::default())
        .map(|_| ())
        .map_err(|e| match e {
            cfg::ConfigError::Parse { message, .. } => {
                format!("a value has the wrong type: {message}")
            }
            other => other.to_string(),
        })
}
