//! Gateway (running, stale pid files), Gateway Service (installed, outdated, linger, both
//! scopes) and API Server (exposure, key, the hub's key, port free).

use std::net::{IpAddr, TcpListener};

use super::Ctx;
use crate::doctor::{Finding, Fix};
use crate::gateway::detached::supervisor_pid;
use crate::gateway::service::manager::Backend;
use crate::gateway::{pid, state};

const G: &str = "Gateway";
const SV: &str = "Gateway Service";
const A: &str = "API Server";

pub(in crate::doctor) fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let paths = cx.paths;
    let running = pid::running_gateway(paths);
    match running {
        Some(p) => out.push(Finding::ok(
            "gateway.running",
            G,
            format!("Gateway running (PID {p})"),
        )),
        None if !cx.platforms.is_empty() => out.push(
            Finding::warn(
                "gateway.running",
                G,
                "Gateway is not running: messages to your bots go unanswered",
                "Start the gateway: hermes gateway start",
            )
            .hint("`hermes gateway start` (background) or `hermes gateway run` (foreground)"),
        ),
        None => out.push(Finding::info(
            "gateway.running",
            G,
            "Gateway is not running",
        )),
    }
    // Platforms the running gateway parked after a fatal error (bad token, token held by
    // another profile…): the rest of the gateway runs, these stay down until restarted.
    if running.is_some()
        && let Some(st) = state::read(paths)
    {
        for (name, p) in st.platforms.iter().filter(|(_, p)| p.state == "fatal") {
            let why = p
                .error_message
                .clone()
                .or_else(|| p.error_code.clone())
                .unwrap_or_else(|| "no reason recorded".into());
            out.push(
                Finding::fail(
                    "gateway.platform_fatal",
                    G,
                    format!("{name} is stopped after a fatal error: {why}"),
                    format!(
                        "Fix {name} (see the Messaging Platforms rows), then `hermes gateway restart`"
                    ),
                )
                .hint("`hermes logs errors` shows what happened"),
            );
        }
    }
    for (file, live, what) in [
        (paths.gateway_pid_file(), running.is_some(), "gateway.pid"),
        (
            paths.gateway_supervisor_pid_file(),
            supervisor_pid(paths).is_some(),
            "gateway-supervisor.pid",
        ),
    ] {
        if file.exists() && !live {
            let pid = pid::read_record(&file).map_or(0, |r| r.pid);
            out.push(
                Finding::warn(
                    "gateway.stale_pid",
                    G,
                    format!("Stale {what}: PID {pid} is not running"),
                    format!("Remove the stale {}", cx.show(&file)),
                )
                .with_fix(Fix::RemoveStale { path: file }),
            );
        }
    }
    out
}

pub(in crate::doctor) fn service(cx: &Ctx<'_>) -> Vec<Finding> {
    let s = &cx.inputs.service;
    if s.backend == Backend::None {
        return vec![Finding::info(
            "service.manager",
            SV,
            "No service manager here; `hermes gateway start` runs a detached supervisor",
        )];
    }
    let Some(file) = s.file.as_ref().filter(|f| f.exists()) else {
        return vec![Finding::info(
            "service.installed",
            SV,
            format!(
                "No gateway service installed ({}); `hermes gateway install` adds one",
                s.backend.label()
            ),
        )];
    };
    let mut out = vec![Finding::ok(
        "service.installed",
        SV,
        format!("{} installed ({})", s.name, cx.show(file)),
    )];
    if let Some(expected) = &s.expected
        && crate::gateway::service::is_outdated(file, expected)
    {
        out.push(
            Finding::warn(
                "service.outdated",
                SV,
                format!("{} is outdated", cx.show(file)),
                "Rewrite the gateway service: hermes gateway install --force",
            )
            .with_fix(Fix::RewriteService {
                path: file.clone(),
                contents: expected.clone(),
                reload: s.reload.clone(),
                restart: s.restart.clone(),
            }),
        );
    }
    match s.linger {
        Some(true) => out.push(
            Finding::ok("service.linger", SV, "Systemd linger enabled")
                .detail("(gateway service survives logout)"),
        ),
        Some(false) => out.push(
            Finding::warn(
                "service.linger",
                SV,
                "Systemd linger disabled",
                "Enable linger for the gateway user service: sudo loginctl enable-linger $USER",
            )
            .detail("(gateway may stop after logout)")
            .hint("Run: sudo loginctl enable-linger $USER"),
        ),
        None => {}
    }
    if s.both_scopes {
        out.push(Finding::warn(
            "service.both_scopes",
            SV,
            "Both user and system gateway services are installed",
            "Keep one gateway service: `hermes gateway uninstall` or `sudo hermes gateway uninstall --system`",
        ));
    }
    out
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_placeholder_key(key: &str) -> bool {
    let k = key.trim().to_ascii_lowercase();
    k.len() < 16
        || [
            "changeme",
            "change-me",
            "secret",
            "password",
            "your-key",
            "your_key",
            "placeholder",
        ]
        .iter()
        .any(|p| k.contains(p))
        || k.chars().all(|c| c == 'x' || c == '*')
}

pub(in crate::doctor) fn api_server(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let api = &cx.settings.gateway.api_server;
    let hub = cx.env.get("HERMES_API_KEY");
    if cx.settings.api_server_enabled() {
        let addr = format!("{}:{}", api.host, api.port);
        if is_loopback(&api.host) {
            out.push(Finding::ok(
                "api.exposure",
                A,
                format!("API server on {addr} (this machine only)"),
            ));
        } else if api.key.trim().is_empty() {
            out.push(Finding::fail(
                "api.exposure",
                A,
                format!("API server listens on {addr} without API_SERVER_KEY: anyone who can reach it can use your agent"),
                "Set API_SERVER_KEY (a long random value) or bind API_SERVER_HOST=127.0.0.1",
            ));
        } else if is_placeholder_key(&api.key) {
            out.push(Finding::fail(
                "api.exposure",
                A,
                format!("API server listens on {addr} with a placeholder API_SERVER_KEY"),
                "Replace API_SERVER_KEY with a long random value (e.g. `openssl rand -hex 32`)",
            ));
        } else {
            out.push(Finding::ok(
                "api.exposure",
                A,
                format!("API server on {addr}, protected by API_SERVER_KEY"),
            ));
        }
        if pid::running_gateway(cx.paths).is_none() {
            match TcpListener::bind((api.host.as_str(), api.port)) {
                Ok(_) => out.push(Finding::ok(
                    "api.port",
                    A,
                    format!("Port {} is free", api.port),
                )),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => out.push(Finding::fail(
                    "api.port",
                    A,
                    format!(
                        "Port {} is in use by another process; the API server will not start",
                        api.port
                    ),
                    format!(
                        "Free port {} or set API_SERVER_PORT to another one",
                        api.port
                    ),
                )),
                Err(e) => out.push(Finding::warn(
                    "api.port",
                    A,
                    format!("Cannot bind {addr}: {e}"),
                    format!("Check API_SERVER_HOST ({})", api.host),
                )),
            }
        }
    } else {
        out.push(Finding::info("api.enabled", A, "API server disabled"));
    }
    if hub.is_some_and(|h| !h.trim().is_empty()) && api.key.trim().is_empty() {
        out.push(
            Finding::warn(
                "api.hub_key",
                A,
                "HERMES_API_KEY is set but API_SERVER_KEY is empty: a hub sending that key gets 401",
                "Set API_SERVER_KEY to the value of HERMES_API_KEY (the hub and this gateway must share one key)",
            )
            .hint("`hermes config set API_SERVER_KEY <the hub's HERMES_API_KEY>`"),
        );
    } else if let Some(hub) = hub
        && !api.key.is_empty()
        && hub != api.key
    {
        out.push(
            Finding::warn(
                "api.hub_key",
                A,
                "HERMES_API_KEY differs from API_SERVER_KEY",
                "Make HERMES_API_KEY equal API_SERVER_KEY (the hub and this gateway must share one key)",
            )
            .hint("clients of this gateway send HERMES_API_KEY; the server checks API_SERVER_KEY"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_placeholders() {
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert!(!is_loopback("0.0.0.0") && !is_loopback("192.168.1.2"));
        assert!(is_placeholder_key("changeme") && is_placeholder_key("xxxxxxxxxxxxxxxxxxxx"));
        assert!(!is_placeholder_key("3f9a0c1b2d4e5f60718293a4b5c6d7e8"));
    }
}
