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
use hermes::config::keychain::{self, Keychain};

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

/// The OS keychain provider keys go to, if one answers and neither `--no-keychain` nor
/// `HERMES_NO_KEYCHAIN` turns it off, with the provider keys it holds now for this profile.
pub(crate) fn keychain(
    cx: &Context,
    no_keychain: bool,
) -> Option<(Keychain, BTreeMap<String, String>)> {
    if no_keychain || keychain::disabled_by(cx.var(keychain::DISABLE_VAR)) {
        return None;
    }
    let kc = Keychain::for_profile(cx.paths.home())?;
    let stored = kc.get_many(keychain::KEYS).ok()?;
    Some((kc, stored))
}

/// Adds the keychain's provider keys to the current `.env` values where `.env` has none, so
/// the wizard shows them as configured.
pub(crate) fn with_stored_keys(
    dotenv: &mut BTreeMap<String, String>,
    keychain: Option<&(Keychain, BTreeMap<String, String>)>,
) {
    if let Some((_, stored)) = keychain {
        for (k, v) in stored {
            if dotenv.get(k).is_none_or(String::is_empty) {
                dotenv.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Shows the plan, asks to confirm (a person only), and applies it; then says where a new
/// provider key went. `keychain`: where provider keys go instead of `.env`. `false`: nothing
/// written.
pub(crate) fn finish(
    cx: &Context,
    p: &mut dyn Prompter,
    mut plan: SetupPlan,
    keychain: Option<(Keychain, BTreeMap<String, String>)>,
) -> Result<bool> {
    let t = &spec::setup().plan;
    p.check_answers()?;
    if let Some((kc, stored)) = keychain {
        plan.use_keychain(kc, &stored);
    }
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
    let applied = plan.apply(&cx.paths)?;
    if let Some(why) = &applied.keychain_failed {
        p.warn(&spec::fill(
            &spec::text(&spec::setup().model, "keychain_failed"),
            &[("error", why)],
        ));
    }
    cx.out.success(spec::text(t, "applied"));
    let env_file = cx.paths.env_file().display().to_string();
    if let Some(note) = model::key_note(&plan, &applied, &env_file) {
        p.say(&note);
    }
    Ok(true)
}
