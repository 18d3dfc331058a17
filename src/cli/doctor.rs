//! `hermes doctor [--fix] [--json]` — check the setup, row by row (`✓`/`⚠`/`✗`) in
//! sections, then a numbered list of what to do. `--fix` makes the safe repairs.
//! Exit code: 0 unless a `✗` remains (then 1), so scripts can gate on it.

use std::time::Duration;

use hermes::doctor::{self, Finding, Inputs, Level, ServiceFacts};
use hermes::gateway::service::manager::{Backend, SystemRunner};

use super::Context;
use super::error::CliError;
use super::gateway::service as gw;

/// Check configuration, keys, platforms, the gateway and its service.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Repair what is safe to repair (permissions, missing directories, stale pid files,
    /// outdated service files) and say what was done.
    #[arg(long)]
    fix: bool,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
    /// Seconds each network probe may take.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    timeout: u64,
}

fn service_facts(cx: &Context) -> ServiceFacts {
    let backend = gw::backend(cx, false);
    let m = gw::controller(cx, &cx.paths, false, backend)
        .unwrap_or_else(|_| gw::manager(cx, Backend::None, &cx.paths, ""));
    // An installed manager wins; otherwise describe what this host offers.
    let shown = if m.is_installed() || backend == Backend::None {
        m.backend()
    } else {
        backend
    };
    let m = if shown == m.backend() {
        m
    } else {
        gw::manager(cx, shown, &cx.paths, "")
    };
    let sd = gw::systemd_user(cx, &cx.paths);
    let installed = m.is_installed();
    let unit = format!("{}.service", m.name());
    ServiceFacts {
        backend: shown,
        name: m.name(),
        file: m.file(),
        expected: gw::expected(cx, shown, &cx.paths, m.file().as_deref(), None),
        // A running service keeps its old unit until restarted.
        restart: match shown {
            Backend::SystemdUser if installed && m.is_active() == Some(true) => {
                vec!["systemctl".into(), "--user".into(), "restart".into(), unit]
            }
            Backend::SystemdSystem if installed && m.is_active() == Some(true) => {
                vec!["systemctl".into(), "restart".into(), unit]
            }
            _ => Vec::new(),
        },
        linger: (shown == Backend::SystemdUser && m.is_installed()).then(|| sd.linger_enabled()),
        both_scopes: matches!(shown, Backend::SystemdUser | Backend::SystemdSystem)
            && sd.both_scopes_installed(),
        reload: match shown {
            Backend::SystemdUser => {
                vec!["systemctl".into(), "--user".into(), "daemon-reload".into()]
            }
            Backend::SystemdSystem => vec!["systemctl".into(), "daemon-reload".into()],
            _ => Vec::new(),
        },
    }
}

fn glyph(level: Level) -> &'static str {
    match level {
        Level::Ok => "✓",
        Level::Info => "→",
        Level::Warn => "⚠",
        Level::Fail => "✗",
    }
}

fn row(cx: &Context, f: &Finding) {
    let detail = f
        .detail
        .as_ref()
        .map(|d| format!(" {d}"))
        .unwrap_or_default();
    if f.level == Level::Info {
        cx.out.data(format!("    → {}{detail}", f.text));
    } else {
        cx.out
            .data(format!("  {} {}{detail}", glyph(f.level), f.text));
    }
    for h in &f.hints {
        cx.out.data(format!("    → {h}"));
    }
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(args.timeout))
        .build()?;
    let inputs = Inputs {
        paths: cx.paths.clone(),
        process_env: cx.process_env.clone(),
        http,
        probe_timeout: Duration::from_secs(args.timeout),
        service: service_facts(cx),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let findings = rt.block_on(doctor::run(&inputs));

    // Apply fixes first so the report shows what was done in place of the problem.
    let mut fixed: Vec<(usize, Result<String, String>)> = Vec::new();
    if args.fix {
        for (i, f) in findings.iter().enumerate() {
            if let Some(fix) = &f.fix {
                fixed.push((
                    i,
                    doctor::apply(fix, &SystemRunner).map_err(|e| e.to_string()),
                ));
            }
        }
    }
    let fixed_ok = |i: usize| fixed.iter().any(|(j, r)| *j == i && r.is_ok());
    let remaining: Vec<&Finding> = findings
        .iter()
        .enumerate()
        .filter(|(i, f)| f.issue.is_some() && !fixed_ok(*i))
        .map(|(_, f)| f)
        .collect();
    let fixed_count = fixed.iter().filter(|(_, r)| r.is_ok()).count();
    let failing = remaining.iter().any(|f| f.level == Level::Fail);

    if args.json {
        let rows: Vec<serde_json::Value> = findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                if let Some((_, r)) = fixed.iter().find(|(j, _)| *j == i) {
                    v["fixed"] = match r {
                        Ok(done) => serde_json::json!({"ok": true, "done": done}),
                        Err(e) => serde_json::json!({"ok": false, "error": e}),
                    };
                }
                v
            })
            .collect();
        cx.out.json(&serde_json::json!({
            "findings": rows,
            "fixed": fixed_count,
            "issues": remaining.iter().filter_map(|f| f.issue.clone()).collect::<Vec<_>>(),
            "ok": !failing,
        }));
        return finish(failing);
    }

    cx.out
        .data("┌─────────────────────────────────────────────────────────┐");
    cx.out
        .data("│                   🩺 Hermes Doctor                      │");
    cx.out
        .data("└─────────────────────────────────────────────────────────┘");
    let mut section = "";
    for (i, f) in findings.iter().enumerate() {
        if f.section != section {
            section = f.section;
            cx.out.data("");
            cx.out.data(cx.out.bold(&format!("◆ {section}")));
        }
        match fixed.iter().find(|(j, _)| *j == i).map(|(_, r)| r) {
            Some(Ok(done)) => cx.out.data(format!("  ✓ Fixed: {done}")),
            Some(Err(e)) => {
                row(cx, f);
                cx.out.data(format!("    → could not fix it: {e}"));
            }
            None => row(cx, f),
        }
    }
    cx.out.data("");
    let list = |cx: &Context| {
        for (n, f) in remaining.iter().enumerate() {
            cx.out.data(format!(
                "  {}. {}",
                n + 1,
                f.issue.as_deref().unwrap_or_default()
            ));
        }
        cx.out.data("");
    };
    if args.fix && fixed_count > 0 {
        cx.out.data("─".repeat(60));
        if remaining.is_empty() {
            cx.out.data(format!("  Fixed {fixed_count} issue(s)."));
            cx.out.data("");
        } else {
            cx.out.data(format!(
                "  Fixed {fixed_count} issue(s). {} issue(s) require manual intervention.",
                remaining.len()
            ));
            cx.out.data("");
            list(cx);
        }
    } else if !remaining.is_empty() {
        cx.out.data("─".repeat(60));
        cx.out
            .data(format!("  Found {} issue(s) to address:", remaining.len()));
        cx.out.data("");
        list(cx);
        if !args.fix {
            cx.out
                .data("  Tip: run 'hermes doctor --fix' to auto-fix what's possible.");
        }
    } else {
        cx.out.data("─".repeat(60));
        cx.out.data("  All checks passed! 🎉");
    }
    finish(failing)
}

fn finish(failing: bool) -> anyhow::Result<()> {
    if failing {
        Err(CliError::exit(1).into())
    } else {
        Ok(())
    }
}
