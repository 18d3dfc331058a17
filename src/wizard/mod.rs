//! Setup wizards (binary side): the `Prompter` trait and its terminal implementation, the
//! engine that runs `wizards/*.yaml`, and the plan each run produces. Wizards ask, then return
//! a `SetupPlan`; `finish` shows it (secrets masked), confirms and applies it in one go.

pub(crate) mod agent;
pub(crate) mod effects;
pub(crate) mod flags;
pub(crate) mod model;
pub(crate) mod plan;
pub(crate) mod platform;
mod probe;
pub(crate) mod prompter;
pub(crate) mod spec;
mod start;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io::IsTerminal;

use anyhow::Result;
use hermes::config::dotenv::EnvFile;

use self::plan::SetupPlan;
use self::prompter::{Ask, NoTtyPrompter, Prompter, TermPrompter};
use crate::cli::Context;

pub(crate) use start::{StartChoice, offer_start};

/// The terminal prompter when a person can answer, else the one that names missing flags.
pub(crate) fn prompter(cx: &Context, non_interactive: bool) -> Box<dyn Prompter> {
    let tty = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if non_interactive || cx.no_input || !tty {
        Box::new(NoTtyPrompter::new(cx.out.clone()))
    } else {
        Box::new(TermPrompter::new(cx.out.clone()))
    }
}

/// The profile's `.env` values (`--reset`: none) and the process environment.
pub(crate) fn current_env(
    cx: &Context,
    reset: bool,
) -> Result<(BTreeMap<String, String>, BTreeMap<String, String>)> {
    let dotenv = if reset {
        BTreeMap::new()
    } else {
        EnvFile::load(&cx.paths.env_file())?.map()
    };
    let process: BTreeMap<String, String> = cx.process_env.iter().cloned().collect();
    Ok((dotenv, process))
}

/// Shows the plan, asks to confirm (a person only), and applies it. `false`: nothing written.
pub(crate) fn finish(cx: &Context, p: &mut dyn Prompter, mut plan: SetupPlan) -> Result<bool> {
    let t = &spec::setup().plan;
    p.check_answers()?;
    plan.prune(&cx.paths)?;
    p.say("");
    if plan.is_empty() {
        p.say(&spec::text(t, "nothing"));
        return Ok(false);
    }
    p.say(&spec::text(t, "heading"));
    for line in plan.describe(&cx.paths) {
        p.say(&line);
    }
    if p.interactive()
        && !p.confirm(
            Ask::new(&spec::text(t, "confirm"), "--non-interactive"),
            true,
        )?
    {
        return Err(prompter::cancelled());
    }
    plan.apply(&cx.paths)?;
    cx.out.success(spec::text(t, "applied"));
    Ok(true)
}
