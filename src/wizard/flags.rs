//! The flags that answer wizard questions: one per platform variable, generated from the
//! embedded specs (`--telegram-dm-policy pairing`; secrets as `--telegram-bot-token-env VAR`),
//! plus the model flags. Secrets are never plain flags: a variable name or stdin.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read as _;
use std::sync::{Mutex, PoisonError};

use anyhow::Result;
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgMatches, Command};

use super::spec::{self, flag_name};
use crate::cli::error::CliError;

/// Per-variable flags of every platform wizard.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldFlags {
    /// Variable → the flag's value (for secrets: the name of a variable holding it).
    values: BTreeMap<String, String>,
}

fn arg_id(env: &str, secret: bool) -> String {
    if secret {
        format!("{}-env", flag_name(env))
    } else {
        flag_name(env)
    }
}

impl clap::FromArgMatches for FieldFlags {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut s = Self::default();
        s.update_from_arg_matches(m)?;
        Ok(s)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        for spec in spec::platforms() {
            for (env, secret) in spec.answer_vars() {
                if let Ok(Some(v)) = m.try_get_one::<String>(&arg_id(&env, secret)) {
                    self.values.insert(env, v.clone());
                }
            }
        }
        Ok(())
    }
}

impl clap::Args for FieldFlags {
    fn augment_args(mut cmd: Command) -> Command {
        for spec in spec::platforms() {
            let fields = spec.all_fields();
            for (env, secret) in spec.answer_vars() {
                let id = arg_id(&env, secret);
                let field = fields.iter().find(|f| f.env == env);
                let mut arg = Arg::new(id.clone())
                    .long(id)
                    .help_heading(format!("{} answers", spec.title));
                if secret {
                    arg = arg.value_name("VAR").help(format!(
                        "Read {env} from this environment variable (or use --secret-stdin {env})"
                    ));
                } else {
                    let help = field.map_or_else(
                        || format!("Set {env}"),
                        |f| format!("{} ({env})", f.prompt.trim_end_matches(':')),
                    );
                    arg = arg.value_name("VALUE").help(help);
                    if let Some(f) = field.filter(|f| !f.choices.is_empty()) {
                        let values: Vec<String> =
                            f.choices.iter().map(|c| c.value.clone()).collect();
                        arg = arg.value_parser(PossibleValuesParser::new(values));
                    }
                }
                cmd = cmd.arg(arg);
            }
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FieldFlags {
    /// The answers the flags give: secrets are read from the variables they name. With
    /// `from_env`, a variable set in the process environment answers its question too.
    pub(crate) fn resolve(
        &self,
        process: &BTreeMap<String, String>,
        from_env: bool,
    ) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for spec in spec::platforms() {
            for (env, secret) in spec.answer_vars() {
                if let Some(v) = self.values.get(&env) {
                    let value = if secret {
                        process
                            .get(v)
                            .filter(|s| !s.is_empty())
                            .cloned()
                            .ok_or_else(|| {
                                CliError::user(format!(
                                    "--{} names `{v}`, which is not set",
                                    arg_id(&env, true)
                                ))
                                .hint(format!("export {v}=… first, or set {env} itself"))
                            })?
                    } else {
                        v.trim().to_string()
                    };
                    out.insert(env, value);
                } else if from_env && let Some(v) = process.get(&env).filter(|v| !v.is_empty()) {
                    out.insert(env, v.clone());
                }
            }
        }
        Ok(out)
    }
}

/// Flags of the provider/model step.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Model answers")]
pub(crate) struct ModelArgs {
    /// The model provider: openrouter, openai, anthropic, nous or custom.
    #[arg(long, value_name = "ID")]
    pub(crate) provider: Option<String>,
    /// The model id (e.g. `anthropic/claude-sonnet-4.6`).
    #[arg(long, value_name = "ID")]
    pub(crate) model: Option<String>,
    /// The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`).
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Read the API key from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "api_key_stdin")]
    pub(crate) api_key_env: Option<String>,
    /// Read the API key from standard input (one line).
    #[arg(long)]
    pub(crate) api_key_stdin: bool,
    /// Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`).
    #[arg(long)]
    pub(crate) no_keychain: bool,
}

impl ModelArgs {
    /// Whether any model flag was given.
    pub(crate) fn any(&self) -> bool {
        self.provider.is_some()
            || self.model.is_some()
            || self.base_url.is_some()
            || self.api_key_env.is_some()
            || self.api_key_stdin
    }

    /// The answers these flags give (the key read from its variable or stdin).
    pub(crate) fn resolve(
        &self,
        process: &BTreeMap<String, String>,
    ) -> Result<super::model::ModelGiven> {
        let api_key = if let Some(var) = &self.api_key_env {
            Some(
                process
                    .get(var)
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .ok_or_else(|| {
                        CliError::user(format!("--api-key-env names `{var}`, which is not set"))
                            .hint(format!("export {var}=… first"))
                    })?,
            )
        } else if self.api_key_stdin {
            Some(stdin_line("--api-key-stdin")?)
        } else {
            None
        };
        Ok(super::model::ModelGiven {
            provider: self.provider.clone(),
            model: self.model.clone(),
            base_url: self.base_url.clone(),
            api_key,
        })
    }
}

/// Standard input, read once and handed out a line at a time: `--api-key-stdin` takes the
/// first line, then each `--secret-stdin VAR` the next one, in the order given.
static STDIN_LINES: Mutex<Option<VecDeque<String>>> = Mutex::new(None);

/// The next line of standard input for `flag`; an empty or missing line is an error.
fn stdin_line(flag: &str) -> Result<String> {
    let mut lines = STDIN_LINES.lock().unwrap_or_else(PoisonError::into_inner);
    if lines.is_none() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        *lines = Some(s.lines().map(str::to_string).collect());
    }
    let line = lines
        .as_mut()
        .and_then(VecDeque::pop_front)
        .map(|l| l.trim().to_string())
        .unwrap_or_default();
    if line.is_empty() {
        return Err(CliError::user(format!(
            "{flag} read an empty line from standard input"
        ))
        .hint("give one secret per line: the API key first (--api-key-stdin), then the --secret-stdin ones in order")
        .into());
    }
    Ok(line)
}

/// Flags of `hermes gateway setup` (and the gateway part of `hermes setup`).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct PlatformArgs {
    /// Configure this platform (repeatable): telegram, discord, slack, matrix, email,
    /// homeassistant, webhook, weixin.
    #[arg(long = "platform", value_name = "NAME")]
    pub(crate) platforms: Vec<String>,
    /// Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable:
    /// one line each, in order, after the --api-key-stdin line).
    #[arg(long = "secret-stdin", value_name = "VAR")]
    pub(crate) secret_stdin: Vec<String>,
    #[command(flatten)]
    pub(crate) fields: FieldFlags,
}

impl PlatformArgs {
    /// The answers the flags give, secrets from `--secret-stdin` included (see
    /// `FieldFlags::resolve`).
    pub(crate) fn resolve(
        &self,
        process: &BTreeMap<String, String>,
        from_env: bool,
    ) -> Result<BTreeMap<String, String>> {
        let secrets: Vec<String> = spec::platforms()
            .iter()
            .flat_map(spec::Spec::answer_vars)
            .filter(|(_, secret)| *secret)
            .map(|(env, _)| env)
            .collect();
        let mut wanted = Vec::new();
        for name in &self.secret_stdin {
            let env = name.trim().to_ascii_uppercase().replace('-', "_");
            if !secrets.contains(&env) {
                return Err(CliError::usage(format!(
                    "--secret-stdin {name}: not a platform secret"
                ))
                .hint(format!("use one of: {}", secrets.join(", ")))
                .into());
            }
            wanted.push(env);
        }
        let mut out = self.fields.resolve(process, from_env)?;
        for env in wanted {
            let value = stdin_line(&format!("--secret-stdin {env}"))?;
            out.insert(env, value);
        }
        Ok(out)
    }
}

/// What to do with the gateway after `gateway setup` has written the changes.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
#[command(next_help_heading = "After saving")]
pub(crate) struct StartArgs {
    /// Start the gateway without asking (restart it when it is running).
    #[arg(long, visible_alias = "restart", conflicts_with_all = ["install_service", "no_start"])]
    pub(crate) start: bool,
    /// Install the gateway as a service and start it, without asking (restart it when it is
    /// running).
    #[arg(long, conflicts_with = "no_start")]
    pub(crate) install_service: bool,
    /// Do not start, restart or install the gateway; only say how.
    #[arg(long)]
    pub(crate) no_start: bool,
}

impl StartArgs {
    /// The choice these flags make.
    pub(crate) fn choice(self) -> super::StartChoice {
        if self.start {
            super::StartChoice::Start
        } else if self.install_service {
            super::StartChoice::Install
        } else if self.no_start {
            super::StartChoice::No
        } else {
            super::StartChoice::Ask
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        p: PlatformArgs,
    }

    #[test]
    fn flags_are_generated_from_the_specs() {
        T::command().debug_assert();
        let t = T::try_parse_from([
            "t",
            "--platform",
            "telegram",
            "--telegram-bot-token-env",
            "MY_TOKEN",
            "--telegram-dm-policy",
            "allowlist",
            "--telegram-allowed-users",
            "1,2",
        ])
        .unwrap();
        let process = BTreeMap::from([
            ("MY_TOKEN".to_string(), "123:abc".to_string()),
            ("DISCORD_BOT_TOKEN".to_string(), "d".to_string()),
        ]);
        let given = t.p.fields.resolve(&process, false).unwrap();
        assert_eq!(given["TELEGRAM_BOT_TOKEN"], "123:abc");
        assert_eq!(given["TELEGRAM_DM_POLICY"], "allowlist");
        assert!(!given.contains_key("DISCORD_BOT_TOKEN"));
        assert_eq!(
            t.p.fields.resolve(&process, true).unwrap()["DISCORD_BOT_TOKEN"],
            "d"
        );
        let bad = T::try_parse_from(["t", "--telegram-dm-policy", "everyone"]);
        assert!(bad.is_err());
        let err = T::try_parse_from(["t", "--telegram-bot-token-env", "NOPE"])
            .unwrap()
            .p
            .fields
            .resolve(&process, false)
            .unwrap_err();
        assert!(
            err.to_string().contains("`NOPE`, which is not set"),
            "{err}"
        );
        // No plain flag takes a secret.
        assert!(T::try_parse_from(["t", "--telegram-bot-token", "x"]).is_err());
    }
}
