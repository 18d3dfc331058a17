//! `hermes status [--all] [--deep]` — one screen: version, home and profile, model and
//! provider, which keys are set (redacted), each platform's configuration, the gateway, and
//! cron. `--all` is safe to paste into a bug report; `--deep` probes the network.

use std::time::Duration;

use hermes::agent::provider::resolve_primary;
use hermes::config::keys;
use hermes::cron::JobStore;
use hermes::doctor::facts::{self, PROVIDER_KEYS};
use hermes::doctor::probe::{self, Probe};
use hermes::gateway::overview;
use serde_json::{Value, json};

use super::Context;

/// Show the setup at a glance.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Shareable: no key fragments, no chat ids, paths with `~` (for bug reports).
    #[arg(long)]
    all: bool,
    /// Probe the provider and platforms over the network (short timeouts).
    #[arg(long)]
    deep: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn probe_text(p: &Probe) -> String {
    match p {
        Probe::Ok(d) => format!("ok ({d})"),
        Probe::Rejected(d) => format!("REJECTED ({d})"),
        Probe::Unreachable(d) => format!("unreachable ({d})"),
        Probe::Unexpected(d) => format!("unexpected answer ({d})"),
        Probe::Skipped(d) => format!("nothing to probe ({d})"),
    }
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let env = cx.env()?;
    let settings = cx.settings()?;
    let home = cx.paths.user_home();
    let show_secret = |v: &str| {
        if args.all {
            "set".to_string()
        } else {
            facts::redact(v)
        }
    };
    let provider = resolve_primary(&settings, &env);
    let platforms = facts::platforms(&cx.paths, &settings, &env);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()?;
    let timeout = Duration::from_secs(5);
    let (provider_probe, platform_probes) = if args.deep {
        rt.block_on(async {
            let pp = match &provider {
                Ok(p) => Some(probe::provider(p, &http, timeout).await),
                Err(_) => None,
            };
            let mut v = Vec::new();
            for s in &platforms {
                v.push(probe::platform(s, &cx.paths, &settings, &env, &http, timeout).await);
            }
            (pp, v)
        })
    } else {
        (None, Vec::new())
    };

    let mut keys_out: Vec<(String, Option<String>)> = PROVIDER_KEYS
        .iter()
        .map(|k| ((*k).to_string(), env.get(k).map(&show_secret)))
        .collect();
    // Other secrets in .env (hub keys, API server key), never their values with --all.
    for k in env.vars().keys() {
        if env.is_from_dotenv(k)
            && keys::is_secret_env(k)
            && !PROVIDER_KEYS.contains(&k.as_str())
            && !facts::TOKEN_KEYS.contains(&k.as_str())
        {
            keys_out.push((k.clone(), env.get(k).map(&show_secret)));
        }
    }

    let o = overview::collect(&cx.paths, jiff::Timestamp::now());
    let jobs = JobStore::open(&cx.paths, jiff::tz::TimeZone::UTC)
        .load()
        .unwrap_or_default();
    let enabled = jobs.iter().filter(|j| j.enabled).count();

    let platform_json: Vec<Value> = platforms
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "name": p.name,
                "token": p.token.as_deref().map(&show_secret),
                "allowlist": if args.all { json!(p.allowed_users.len()) } else { json!(p.allowed_users) },
                "allow_all": p.allow_all,
                "home_channel": p.home_channel.as_ref().map(|h| if args.all { "set".to_string() } else { h.clone() }),
                "dm_policy": p.dm_policy,
                "users": p.users,
                "error": p.error,
                "probe": platform_probes.get(i),
            })
        })
        .collect();
    let (model, provider_name, provider_error) = match &provider {
        Ok(p) => (p.model.clone(), Some(p.name.clone()), None),
        Err(e) => (settings.model.default.clone(), None, Some(e.to_string())),
    };
    if args.json {
        cx.out.json(&json!({
            "version": hermes::VERSION,
            "os": format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            "home": facts::tilde(cx.paths.home(), home),
            "profile": cx.paths.profile().to_string(),
            "model": model,
            "provider": provider_name,
            "provider_error": provider_error,
            "provider_probe": provider_probe,
            "keys": keys_out.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "platforms": platform_json,
            "gateway": {
                "running": o.running, "pid": if args.all { None } else { o.pid },
                "uptime_seconds": o.uptime_seconds, "state": o.state,
                "queued_runs": o.queued_runs, "last_error": o.last_error,
                "platforms": o.platforms,
            },
            "cron": {"jobs": jobs.len(), "enabled": enabled},
        }));
        return Ok(());
    }

    let out = &cx.out;
    out.data(out.bold("◆ Hermes"));
    out.data(format!(
        "  Version:   {} ({} {})",
        hermes::VERSION,
        std::env::consts::OS,
        std::env::consts::ARCH
    ));
    out.data(format!(
        "  Home:      {} (profile {})",
        facts::tilde(cx.paths.home(), home),
        cx.paths.profile()
    ));
    match (&provider_name, &provider_error) {
        (Some(p), _) => out.data(format!("  Model:     {model} via {p}")),
        (None, Some(e)) => out.data(format!(
            "  Model:     {} — {e}",
            if model.is_empty() { "not set" } else { &model }
        )),
        _ => {}
    }
    if let Some(p) = &provider_probe {
        out.data(format!("  Provider:  {}", probe_text(p)));
    }
    out.data("");
    out.data(out.bold("◆ API Keys"));
    let width = keys_out.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in &keys_out {
        out.data(format!(
            "  {k:<width$}  {}",
            v.as_deref().unwrap_or("not set")
        ));
    }
    out.data("");
    out.data(out.bold("◆ Messaging Platforms"));
    if platforms.is_empty() {
        out.data("  none configured (`hermes gateway setup`)");
    }
    for (i, p) in platforms.iter().enumerate() {
        let token = p
            .token
            .as_deref()
            .map_or_else(|| "not set".into(), &show_secret);
        let allow = if p.allow_all {
            "everyone".to_string()
        } else if p.allowed_users.is_empty() {
            "none".to_string()
        } else if args.all {
            format!("{} user(s)", p.allowed_users.len())
        } else {
            p.allowed_users.join(",")
        };
        let home_ch = match (&p.home_channel, args.all) {
            (None, _) => "not set".to_string(),
            (Some(_), true) => "set".to_string(),
            (Some(h), false) => h.clone(),
        };
        if p.name == "api_server" {
            let api = &settings.gateway.api_server;
            out.data(format!(
                "  api_server: {} {token}; listens on {}:{}",
                p.token_var, api.host, api.port
            ));
        } else if p.users {
            out.data(format!(
                "  {}: {} {token}; allowlist: {allow}; home channel: {home_ch}; DMs: {}",
                p.name, p.token_var, p.dm_policy
            ));
        } else {
            out.data(format!("  {}: {} {token}", p.name, p.token_var));
        }
        if let Some(e) = &p.error {
            out.data(format!("    ✗ {e}"));
        }
        if let Some(pr) = platform_probes.get(i) {
            out.data(format!("    probe: {}", probe_text(pr)));
        }
    }
    out.data("");
    out.data(out.bold("◆ Gateway"));
    match (o.running, o.pid) {
        (true, Some(pid)) => out.data(format!(
            "  running{}{}",
            if args.all {
                String::new()
            } else {
                format!(" (PID {pid})")
            },
            o.uptime_seconds
                .map(|u| format!(", up {}", overview::human_duration(u)))
                .unwrap_or_default()
        )),
        _ => out.data("  stopped"),
    }
    for pl in &o.platforms {
        match (&pl.error, pl.state.as_str()) {
            (Some(e), "fatal") => out.data(format!(
                "  {}: fatal — {e} (fix it, then `hermes gateway restart`)",
                pl.name
            )),
            (Some(e), state) => out.data(format!("  {}: {state} — {e}", pl.name)),
            (None, state) => out.data(format!("  {}: {state}", pl.name)),
        }
    }
    if o.queued_runs > 0 {
        out.data(format!("  queued runs: {}", o.queued_runs));
    }
    if let Some(e) = &o.last_error {
        out.data(format!("  last error: {e}"));
    }
    out.data("");
    out.data(out.bold("◆ Cron"));
    out.data(format!(
        "  {} job(s): {enabled} enabled, {} paused or finished",
        jobs.len(),
        jobs.len() - enabled
    ));
    Ok(())
}
