//! `hermes model` — pick the model provider, its API key and the model (the model part of
//! `hermes setup` alone).

use anyhow::Result;

use super::Context;
use super::setup::{WizardArgs, run_model};
use crate::wizard::flags::ModelArgs;

/// Choose the model provider, its API key and the model.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    wizard: WizardArgs,
    #[command(flatten)]
    model: ModelArgs,
}

pub(crate) fn run(cx: &Context, args: Args) -> Result<()> {
    run_model(cx, &args.wizard, &args.model)
}
