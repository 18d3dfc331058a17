//! `hermes setup` — the first-run wizard: model provider and key, the agent's SOUL.md,
//! toolsets, messaging platforms; and `hermes gateway setup`, the platform part alone. Every
//! answer has a flag; the changes are shown, confirmed and written at the end.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use hermes::config::{lookup, read_yaml};
use serde_yaml_ng::Value;

use super::Context;
use crate::wizard::effects::LiveEffects;
use crate::wizard::flags::{ModelArgs, PlatformArgs, StartArgs};
use crate::wizard::model::{self, ModelGiven, ModelKnown};
use crate::wizard::plan::SetupPlan;
use crate::wizard::platform::{self, Known};
use crate::wizard::prompter::{Ask, Prompter};
use crate::wizard::{self, agent, spec};

/// Set up hermes: model provider and key, the agent, and messaging platforms.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without a terminal (or with --non-interactive) every answer comes \
from flags and environment variables; a missing one is named in the error."
)]
pub(crate) struct Args {
    /// Run only this part.
    #[arg(value_enum)]
    section: Option<Section>,
    #[command(flatten)]
    wizard: WizardArgs,
    /// Start from the built-in defaults instead of the current settings (asks first).
    #[arg(long)]
    reset: bool,
    /// Ask only about what is not configured yet.
    #[arg(long)]
    quick: bool,
    #[command(flatten)]
    model: ModelArgs,
    /// Use this file as the agent's SOUL.md.
    #[arg(long, value_name = "PATH")]
    soul_file: Option<PathBuf>,
    /// The toolsets the agent may use, comma-separated (e.g. `terminal,file,web`).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    toolsets: Option<Vec<String>>,
    #[command(flatten)]
    platforms: PlatformArgs,
    #[command(flatten)]
    start: StartArgs,
}

/// The parts of `hermes setup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Section {
    /// The model provider, its API key and the model.
    Model,
    /// Messaging platforms for the gateway.
    Gateway,
    /// The agent's personality (SOUL.md).
    Agent,
    /// The toolsets the agent may use.
    Tools,
}

/// Flags every wizard takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct WizardArgs {
    /// Never prompt: take every answer from flags and environment variables.
    #[arg(long)]
    pub(crate) non_interactive: bool,
    /// Skip the live checks (token checks, the one-token model request).
    #[arg(long)]
    pub(crate) no_validate: bool,
}

/// `hermes gateway setup`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without a terminal (or with --non-interactive) every answer comes \
from flags and environment variables (e.g. TELEGRAM_BOT_TOKEN); a missing one is named in the \
error."
)]
pub(crate) struct GatewayArgs {
    #[command(flatten)]
    wizard: WizardArgs,
    #[command(flatten)]
    platforms: PlatformArgs,
    #[command(flatten)]
    start: StartArgs,
}

pub(crate) fn run(cx: &Context, args: Args) -> Result<()> {
    let mut boxed = wizard::prompter(cx, args.wizard.non_interactive);
    let p = boxed.as_mut();
    // Flags first: standard input holds the API key line, then the platform secrets.
    let process: BTreeMap<String, String> = cx.process_env.iter().cloned().collect();
    let model_given = args.model.resolve(&process)?;
    let platform_given = args.platforms.resolve(&process, !p.interactive())?;
    let welcome = &spec::setup().welcome;
    let reset = args.reset
        && (!p.interactive() || p.confirm(Ask::new(&welcome.reset_confirm, "--reset"), false)?);
    let (mut dotenv, process) = wizard::current_env(cx, reset)?;
    let (_, doc) = read_yaml(&cx.paths.config_file())?;
    let doc = if reset { Value::Null } else { doc };
    let want = |s: Section| args.section.is_none_or(|x| x == s);
    let keychain = if want(Section::Model) {
        wizard::keychain(cx, args.model.no_keychain)
    } else {
        None
    };
    if !reset {
        wizard::with_stored_keys(&mut dotenv, keychain.as_ref());
    }
    let model_configured = model_is_configured(&doc, &dotenv, &process);
    if args.section.is_none() && p.interactive() {
        let lines = if model_configured {
            &welcome.existing
        } else {
            &welcome.first_run
        };
        for l in lines {
            p.say(l);
        }
    }
    let mut fx = LiveEffects::new(&cx.paths, cx.env()?)?;
    let mut plan = SetupPlan::default();

    let skip_model = !args.model.any()
        && model_configured
        && (args.quick || (!p.interactive() && args.section.is_none()));
    if want(Section::Model) && !skip_model {
        let known = model_known(&doc, &dotenv, &process, model_given, &args);
        plan.merge(model::configure(p, &known, &mut fx)?);
    }
    if want(Section::Agent) && !(args.quick && cx.paths.soul_file().exists()) {
        let current = std::fs::read_to_string(cx.paths.soul_file()).ok();
        plan.merge(agent::soul(
            p,
            &cx.paths.soul_file(),
            current.as_deref(),
            args.soul_file.as_deref(),
            &mut fx,
        )?);
    }
    if args.section == Some(Section::Tools) || args.toolsets.is_some() {
        let current: Vec<String> = lookup(&doc, "toolsets")
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        plan.merge(agent::tools(p, &current, args.toolsets.as_deref())?);
    }
    let mut gateway = false;
    if want(Section::Gateway) {
        let any_configured = spec::platforms()
            .iter()
            .any(|s| platform::is_configured(s, &dotenv));
        gateway = if !args.platforms.platforms.is_empty() || args.section == Some(Section::Gateway)
        {
            true
        } else if p.interactive() && !(args.quick && any_configured) {
            let offer = spec::text(&spec::setup().gateway, "offer");
            p.confirm(Ask::new(&offer, "--platform <NAME>"), !any_configured)?
        } else {
            false
        };
        if gateway {
            plan.merge(platforms(
                cx,
                p,
                &args.wizard,
                &args.platforms.platforms,
                &platform_given,
                &dotenv,
                &mut fx,
            )?);
        }
    }
    let wrote = wizard::finish(cx, p, plan, keychain)?;
    // The offer follows the platform step; a start flag asks for it after any change.
    let choice = args.start.choice();
    if wrote && (gateway || choice != wizard::StartChoice::Ask) {
        wizard::offer_start(cx, p, choice)?;
    }
    Ok(())
}

/// `hermes gateway setup`.
pub(crate) fn run_gateway(cx: &Context, args: GatewayArgs) -> Result<()> {
    let mut boxed = wizard::prompter(cx, args.wizard.non_interactive);
    let p = boxed.as_mut();
    let (dotenv, process) = wizard::current_env(cx, false)?;
    let given = args.platforms.resolve(&process, !p.interactive())?;
    let mut fx = LiveEffects::new(&cx.paths, cx.env()?)?;
    let plan = platforms(
        cx,
        p,
        &args.wizard,
        &args.platforms.platforms,
        &given,
        &dotenv,
        &mut fx,
    )?;
    if wizard::finish(cx, p, plan, None)? {
        wizard::offer_start(cx, p, args.start.choice())?;
    }
    Ok(())
}

/// `hermes model`: the provider/model step alone.
pub(crate) fn run_model(cx: &Context, wizard_args: &WizardArgs, flags: &ModelArgs) -> Result<()> {
    let mut boxed = wizard::prompter(cx, wizard_args.non_interactive);
    let p = boxed.as_mut();
    let (mut dotenv, process) = wizard::current_env(cx, false)?;
    let keychain = wizard::keychain(cx, flags.no_keychain);
    wizard::with_stored_keys(&mut dotenv, keychain.as_ref());
    let (_, doc) = read_yaml(&cx.paths.config_file())?;
    let mut fx = LiveEffects::new(&cx.paths, cx.env()?)?;
    let given = flags.resolve(&process)?;
    let known = ModelKnown {
        validate: !wizard_args.no_validate,
        ..model_known_parts(&doc, &dotenv, &process, given)
    };
    let plan = model::configure(p, &known, &mut fx)?;
    wizard::finish(cx, p, plan, keychain)?;
    Ok(())
}

fn platforms(
    cx: &Context,
    p: &mut dyn Prompter,
    wizard_args: &WizardArgs,
    requested: &[String],
    given: &BTreeMap<String, String>,
    dotenv: &BTreeMap<String, String>,
    fx: &mut LiveEffects,
) -> Result<SetupPlan> {
    let known = Known {
        current: dotenv,
        given,
        validate: !wizard_args.no_validate,
        paths: &cx.paths,
    };
    agent::gateway(p, &known, requested, fx)
}

fn model_is_configured(
    doc: &Value,
    dotenv: &BTreeMap<String, String>,
    process: &BTreeMap<String, String>,
) -> bool {
    let model = lookup(doc, "model.default")
        .or_else(|| lookup(doc, "model").filter(|v| v.is_string()))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    let custom = lookup(doc, "model.base_url")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    let key = spec::setup()
        .providers
        .iter()
        .filter_map(|p| p.key_env.as_deref())
        .any(|k| dotenv.contains_key(k) || process.contains_key(k));
    model && (key || custom)
}

fn model_known_parts<'a>(
    doc: &Value,
    dotenv: &'a BTreeMap<String, String>,
    process: &'a BTreeMap<String, String>,
    given: ModelGiven,
) -> ModelKnown<'a> {
    let s = |k: &str| {
        lookup(doc, k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|v| !v.is_empty())
    };
    ModelKnown {
        provider: s("model.provider"),
        model: s("model.default").or_else(|| {
            lookup(doc, "model")
                .and_then(Value::as_str)
                .map(str::to_string)
        }),
        base_url: s("model.base_url"),
        api_key: s("model.api_key"),
        dotenv,
        process,
        given,
        validate: true,
    }
}

fn model_known<'a>(
    doc: &Value,
    dotenv: &'a BTreeMap<String, String>,
    process: &'a BTreeMap<String, String>,
    given: ModelGiven,
    args: &Args,
) -> ModelKnown<'a> {
    ModelKnown {
        validate: !args.wizard.no_validate,
        ..model_known_parts(doc, dotenv, process, given)
    }
}
