//! After `gateway setup`: offer to restart a running gateway, start an installed service, or
//! install one; `--start`, `--install-service` and `--no-start` answer without asking. The
//! service verbs are run as `hermes gateway …` child processes of this very binary, so this
//! file does not depend on how they are implemented.

use std::process::Command;

use anyhow::Result;
use hermes::gateway::{pid, service};

use super::prompter::{Ask, Prompter};
use super::spec::{self, fill, lines, text};
use crate::cli::Context;
use crate::cli::error::CliError;

/// What to do with the gateway once the changes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartChoice {
    /// Ask (a person); without a terminal only say what to run.
    Ask,
    /// Start it (restart it when it runs): `--start`.
    Start,
    /// Install the service and start it (restart it when it runs): `--install-service`.
    Install,
    /// Leave it alone and say what to run: `--no-start`.
    No,
}

/// Offers the next step for the gateway, or does what the flag says.
pub(crate) fn offer_start(cx: &Context, p: &mut dyn Prompter, choice: StartChoice) -> Result<()> {
    let t = &spec::setup().gateway;
    let manual = |p: &mut dyn Prompter| {
        for line in lines(t, "manual") {
            p.say(&line);
        }
    };
    let explicit = matches!(choice, StartChoice::Start | StartChoice::Install);
    p.say("");
    if let Some(pid) = pid::running_gateway(&cx.paths) {
        p.say(&fill(&text(t, "running"), &[("pid", &pid.to_string())]));
        let restart = match choice {
            StartChoice::Ask => {
                p.interactive() && p.confirm(Ask::new(&text(t, "restart"), "--restart"), true)?
            }
            StartChoice::Start | StartChoice::Install => true,
            StartChoice::No => false,
        };
        if !restart {
            p.say(&text(t, "restart_later"));
        } else if !run_self(cx, p, &["gateway", "restart"]) {
            if explicit {
                return Err(failed("restart"));
            }
            p.say(&text(t, "restart_manual"));
        }
        return Ok(());
    }
    let installed = service::systemd_user_unit_path(&cx.paths).exists()
        || service::systemd_system_unit_path(&cx.paths).exists()
        || service::launchd_plist_path(&cx.paths).exists();
    let verb = match choice {
        StartChoice::No => {
            manual(p);
            return Ok(());
        }
        StartChoice::Start => "start",
        StartChoice::Install if installed => "start",
        StartChoice::Install => "install",
        StartChoice::Ask => {
            if !p.interactive() {
                manual(p);
                return Ok(());
            }
            let (question, verb) = if installed {
                (text(t, "service_start"), "start")
            } else {
                (text(t, "install"), "install")
            };
            let flag = if installed {
                "--start"
            } else {
                "--install-service"
            };
            if !p.confirm(Ask::new(&question, flag), true)? {
                manual(p);
                return Ok(());
            }
            verb
        }
    };
    if run_self(cx, p, &["gateway", verb]) {
        if verb == "install" {
            // `install` may leave the service stopped; starting twice is harmless.
            run_self(cx, p, &["gateway", "start"]);
        }
        return Ok(());
    }
    if explicit {
        return Err(failed(verb));
    }
    p.warn(&fill(&text(t, "start_failed"), &[("verb", verb)]));
    manual(p);
    Ok(())
}

/// The error of a `--start` / `--install-service` that did not succeed (the changes are saved).
fn failed(verb: &str) -> anyhow::Error {
    let t = &spec::setup().gateway;
    CliError::user(fill(&text(t, "start_failed"), &[("verb", verb)]))
        .hint("the changes were saved; only this step failed")
        .into()
}

/// Runs `hermes ARGS` for this profile with the terminal attached; whether it succeeded.
fn run_self(cx: &Context, p: &mut dyn Prompter, args: &[&str]) -> bool {
    let mut cmd = Command::new(cx.exe());
    cmd.arg("-p").arg(cx.paths.profile().to_string()).args(args);
    match cmd.status() {
        Ok(s) => s.success(),
        Err(e) => {
            let t = &spec::setup().gateway;
            p.warn(&fill(
                &text(t, "run_failed"),
                &[("command", &args.join(" ")), ("error", &e.to_string())],
            ));
            false
        }
    }
}
