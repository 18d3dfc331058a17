//! `hermes gateway status` and `hermes gateway list`: one profile in detail (PID, uptime,
//! platforms, runs, last error, service), or every profile in one table.

use hermes::gateway::detached::{self, storm};
use hermes::gateway::overview::{self, Overview};
use hermes::gateway::service::manager::Backend;
use hermes::gateway::service::{self as svc};
use serde_json::json;

use super::super::Context;
use super::service;

/// Flags of `status`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StatusArgs {
    /// Also show the service manager's view, recent starts and the last output lines.
    #[arg(long)]
    deep: bool,
    /// Look at the system unit.
    #[arg(long)]
    system: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The service side of a profile's status.
#[derive(Debug, serde::Serialize)]
struct ServiceView {
    backend: Backend,
    name: String,
    file: Option<String>,
    installed: bool,
    outdated: bool,
    active: Option<bool>,
    linger: Option<bool>,
    both_scopes: bool,
}

fn service_view(cx: &Context, system: bool) -> anyhow::Result<ServiceView> {
    let backend = service::backend(cx, system);
    let m = service::controller(cx, &cx.paths, system, backend).unwrap_or_else(|_| {
        svc::manager_for(
            Backend::None,
            &cx.paths,
            &cx.exe(),
            "",
            std::sync::Arc::new(svc::manager::SystemRunner),
        )
    });
    let installed = m.is_installed();
    let expected = service::expected(cx, m.backend(), &cx.paths, m.file().as_deref(), None);
    let sd = service::systemd_user(cx, &cx.paths);
    let is_user_unit = m.backend() == Backend::SystemdUser;
    Ok(ServiceView {
        backend: m.backend(),
        name: m.name(),
        file: m.file().map(|p| p.display().to_string()),
        installed,
        outdated: installed && expected.is_some_and(|e| m.is_outdated(&e)),
        active: if installed || m.backend() == Backend::None {
            m.is_active()
        } else {
            None
        },
        linger: is_user_unit.then(|| sd.linger_enabled()),
        both_scopes: matches!(backend, Backend::SystemdUser | Backend::SystemdSystem)
            && sd.both_scopes_installed(),
    })
}

pub(crate) fn status(cx: &Context, args: &StatusArgs) -> anyhow::Result<()> {
    let o = overview::collect(&cx.paths, jiff::Timestamp::now());
    let service = service_view(cx, args.system)?;
    let starts_log = cx.paths.gateway_starts_log();
    let now = jiff::Timestamp::now().as_second();
    #[allow(clippy::cast_precision_loss)] // epoch seconds fit an f64 exactly
    let recent_starts = storm::parse(&std::fs::read_to_string(&starts_log).unwrap_or_default())
        .into_iter()
        .filter(|t| (now as f64) - t <= 3600.0)
        .count();
    let output_tail = detached::tail(&cx.paths.gateway_stdout_log(), 10);
    if args.json {
        let mut v = serde_json::to_value(&o)?;
        v["service"] = serde_json::to_value(&service)?;
        if args.deep {
            v["crash_restarts_last_hour"] = json!(recent_starts);
            v["output_tail"] = json!(output_tail);
        }
        cx.out.json(&v);
        return Ok(());
    }
    if o.stale_cleared.gateway {
        cx.out
            .warn("Removed a stale gateway.pid (no gateway was running).");
    }
    if o.stale_cleared.supervisor {
        cx.out
            .warn("Removed a stale gateway-supervisor.pid (the supervisor was gone).");
    }
    print_overview(cx, &o);
    print_service(cx, &service, &o);
    if args.deep {
        cx.out
            .data(format!("Crash restarts in the last hour: {recent_starts}"));
        if !output_tail.is_empty() {
            cx.out.data(format!(
                "Last output ({}):",
                service::tilde(cx, &cx.paths.gateway_stdout_log())
            ));
            for line in output_tail.lines() {
                cx.out.data(format!("  {line}"));
            }
        }
    }
    Ok(())
}

fn print_overview(cx: &Context, o: &Overview) {
    match o.pid {
        Some(p) => cx.out.data(format!(
            "Gateway: running (PID {p}) — profile {}",
            o.profile
        )),
        None if o.supervisor_pid.is_some() => cx
            .out
            .data(format!("Gateway: restarting — profile {}", o.profile)),
        None => cx
            .out
            .data(format!("Gateway: stopped — profile {}", o.profile)),
    }
    if let Some(s) = o.supervisor_pid {
        cx.out.data(format!("Supervisor: PID {s} (detached)"));
    }
    if let (Some(up), Some(at)) = (o.uptime_seconds, &o.started_at) {
        cx.out.data(format!(
            "Uptime: {} (since {at})",
            overview::human_duration(up)
        ));
    }
    if let Some(st) = o.state.as_deref().filter(|_| o.running) {
        cx.out.data(format!("State: {st}"));
    }
    for p in &o.platforms {
        match &p.error {
            Some(e) => cx.out.data(format!("  {}: {} — {e}", p.name, p.state)),
            None => cx.out.data(format!("  {}: {}", p.name, p.state)),
        }
    }
    if o.running {
        cx.out.data(format!(
            "Active runs: {}   Queued runs: {}",
            o.active_runs, o.queued_runs
        ));
    } else if o.queued_runs > 0 {
        cx.out.data(format!(
            "Queued runs: {} (they resume when the gateway starts)",
            o.queued_runs
        ));
    }
    if let Some(e) = &o.last_error {
        cx.out.data(format!("Last error: {e}"));
    }
}

fn print_service(cx: &Context, s: &ServiceView, o: &Overview) {
    let profile = cx.paths.profile();
    if s.backend == Backend::None {
        cx.out
            .data("Service: none (no service manager; `gateway start` runs a detached supervisor)");
    } else if s.installed {
        let active = match s.active {
            Some(true) => ", active",
            Some(false) => ", inactive",
            None => "",
        };
        cx.out.data(format!(
            "Service: {} ({}{active}) {}",
            s.name,
            s.backend.label(),
            s.file.as_deref().unwrap_or_default()
        ));
        if s.outdated {
            cx.out.warn(format!(
                "The installed service file is outdated; rewrite it: `{}`",
                service::profile_command(profile, "gateway install --force")
            ));
        }
        if s.linger == Some(false) {
            // Only a report: `status` changes nothing (`gateway install` tries to enable it).
            let user = hermes::gateway::service::account::current_user(cx.var("USER"));
            cx.out
                .warn("Systemd linger is off — the gateway will STOP when you log out.");
            cx.out.status(format!(
                "  Enable it: sudo loginctl enable-linger {user}\n  (or run `{}`, which tries to enable it)",
                service::profile_command(profile, "gateway install")
            ));
        }
    } else {
        cx.out.data(format!(
            "Service: not installed ({} available: `{}`)",
            s.backend.label(),
            service::profile_command(profile, "gateway install")
        ));
    }
    if s.both_scopes {
        service::warn_both_scopes(cx);
    }
    if !o.running && o.supervisor_pid.is_none() {
        cx.out.status(format!(
            "Start it with `{}` (background) or `{}` (foreground).",
            service::profile_command(profile, "gateway start"),
            service::profile_command(profile, "gateway run")
        ));
    }
}

pub(crate) fn list(cx: &Context, json: bool) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    let rows: Vec<Overview> = super::all_profiles(cx)?
        .iter()
        .map(|p| overview::collect(p, now))
        .collect();
    if json {
        cx.out.json(&serde_json::to_value(&rows)?);
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.profile.clone(),
                if r.running {
                    "running".into()
                } else if r.supervisor_pid.is_some() {
                    "restarting".into()
                } else {
                    "stopped".into()
                },
                r.pid.map_or_else(|| "—".into(), |p| p.to_string()),
                r.uptime_seconds
                    .map_or_else(|| "—".into(), overview::human_duration),
                if r.platforms.is_empty() {
                    "—".into()
                } else {
                    r.platforms
                        .iter()
                        .map(|p| format!("{}:{}", p.name, p.state))
                        .collect::<Vec<_>>()
                        .join(" ")
                },
                r.queued_runs.to_string(),
            ]
        })
        .collect();
    cx.out.table(
        &["PROFILE", "GATEWAY", "PID", "UPTIME", "PLATFORMS", "QUEUED"],
        &table,
    );
    Ok(())
}
