//! After `gateway setup`: offer to restart a running gateway, start an installed service, or
//! install one. The service verbs are run as `hermes gateway …` child processes of this very
//! binary, so this file does not depend on how they are implemented.

use std::process::Command;

use anyhow::Result;
use hermes::gateway::{pid, service};

use super::prompter::{Ask, Prompter};
use super::spec::{self, fill, lines, text};
use crate::cli::Context;

/// Offers the next step for the gateway; without a terminal it only says what to run.
pub(crate) fn offer_start(cx: &Context, p: &mut dyn Prompter) -> Result<()> {
    let t = &spec::setup().gateway;
    let manual = |p: &mut dyn Prompter| {
        for line in lines(t, "manual") {
            p.say(&line);
        }
    };
    p.say("");
    if let Some(pid) = pid::running_gateway(&cx.paths) {
        p.say(&fill(&text(t, "running"), &[("pid", &pid.to_string())]));
        if p.interactive() && p.confirm(Ask::new(&text(t, "restart"), ""), true)? {
            if !run_self(cx, p, &["gateway", "restart"]) {
                p.say("Restart it with `hermes gateway restart` (or stop it and run it again).");
            }
        } else {
            p.say("Restart it to pick up the changes: `hermes gateway restart`.");
        }
        return Ok(());
    }
    let installed = service::systemd_user_unit_path(&cx.paths).exists()
        || service::systemd_system_unit_path(&cx.paths).exists()
        || service::launchd_plist_path(&cx.paths).exists();
    if !p.interactive() {
        manual(p);
        return Ok(());
    }
    let (question, verb) = if installed {
        (text(t, "service_start"), "start")
    } else {
        (text(t, "install"), "install")
    };
    if p.confirm(Ask::new(&question, ""), true)? {
        if run_self(cx, p, &["gateway", verb]) {
            if verb == "install" {
                // `install` may leave the service stopped; starting twice is harmless.
                run_self(cx, p, &["gateway", "start"]);
            }
            return Ok(());
        }
        p.warn(&format!("`hermes gateway {verb}` did not succeed."));
    }
    manual(p);
    Ok(())
}

/// Runs `hermes ARGS` for this profile with the terminal attached; whether it succeeded.
fn run_self(cx: &Context, p: &mut dyn Prompter, args: &[&str]) -> bool {
    let mut cmd = Command::new(cx.exe());
    cmd.arg("-p").arg(cx.paths.profile().to_string()).args(args);
    match cmd.status() {
        Ok(s) => s.success(),
        Err(e) => {
            p.warn(&format!("cannot run `hermes {}`: {e}", args.join(" ")));
            false
        }
    }
}
