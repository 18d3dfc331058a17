//! Model Provider (key present and answering) and Messaging Platforms (credentials answering,
//! someone allowed in, pairing requests waiting, one bot token per profile).

use std::collections::BTreeMap;

use super::Ctx;
use crate::agent::provider::{ProviderConfigError, resolve_primary};
use crate::auth::{PairingStore, now};
use crate::config::dotenv::EnvFile;
use crate::doctor::facts::TOKEN_KEYS;
use crate::doctor::probe::{self, Probe};
use crate::doctor::{Finding, facts};
use crate::home::{ProfileName, list_profiles};

const P: &str = "Model Provider";
const M: &str = "Messaging Platforms";
const PROFILES: &str = "Profiles";

pub(in crate::doctor) async fn provider(cx: &Ctx<'_>) -> Vec<Finding> {
    let p = match resolve_primary(&cx.settings, &cx.env) {
        Ok(p) => p,
        Err(e) => {
            let mut f = Finding::fail(
                "provider.key",
                P,
                e.to_string(),
                match &e {
                    ProviderConfigError::MissingKey { var, .. } => {
                        format!("Set {var}: hermes config set {var} <key>")
                    }
                    _ => "Configure a model provider: `hermes setup model`".into(),
                },
            );
            for h in e.hints() {
                f = f.hint(h);
            }
            return vec![f];
        }
    };
    let key = p
        .api_key
        .as_deref()
        .map_or_else(|| "no key".into(), facts::redact);
    let mut out = vec![
        Finding::ok(
            "provider.key",
            P,
            format!("{} for {} ({key})", p.key_label, p.name),
        )
        .detail(format!("model {}", p.model)),
    ];
    let t = cx.inputs.probe_timeout;
    match probe::provider(&p, &cx.inputs.http, t).await {
        Probe::Ok(d) => out.push(
            Finding::ok("provider.probe", P, format!("{} answers", p.base_url))
                .detail(format!("({d})")),
        ),
        Probe::Rejected(d) => out.push(
            Finding::fail(
                "provider.probe",
                P,
                format!("{} rejected the key ({d})", p.name),
                format!("Replace {}: the provider refuses it", p.key_label),
            )
            .hint(format!("`hermes config set {} <key>`", p.key_label)),
        ),
        Probe::Unreachable(d) => out.push(Finding::warn(
            "provider.probe",
            P,
            format!("Could not reach {} ({d}); offline?", p.base_url),
            format!("Check the network path to {}", p.base_url),
        )),
        Probe::Unexpected(d) | Probe::Skipped(d) => out.push(Finding::warn(
            "provider.probe",
            P,
            format!("{}/models answered {d}", p.base_url),
            format!("Check model.base_url ({})", p.base_url),
        )),
    }
    out
}

pub(in crate::doctor) async fn platforms(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if cx.platforms.is_empty() {
        out.push(Finding::info(
            "platforms.none",
            M,
            "No messaging platform is configured (`hermes gateway setup` adds one)",
        ));
    }
    let pairing = PairingStore::open(cx.paths);
    let listing = pairing.list(now()).unwrap_or_default();
    let probes = futures_util::future::join_all(cx.platforms.iter().map(|s| {
        probe::platform(
            s,
            cx.paths,
            &cx.settings,
            &cx.env,
            &cx.inputs.http,
            cx.inputs.probe_timeout,
        )
    }))
    .await;
    for (s, result) in cx.platforms.iter().zip(probes) {
        let name = &s.name;
        if let Some(e) = &s.error {
            out.push(Finding::fail(
                "platform.config",
                M,
                if e.starts_with(name.as_str()) {
                    e.clone()
                } else {
                    format!("{name}: {e}")
                },
                format!("Fix the {name} configuration (`hermes gateway setup`)"),
            ));
            continue;
        }
        match result {
            Probe::Ok(who) => out.push(Finding::ok(
                "platform.credentials",
                M,
                format!("{name}: credentials accepted ({who})"),
            )),
            Probe::Rejected(d) => out.push(Finding::fail(
                "platform.credentials",
                M,
                format!("{name}: {} was rejected ({d})", s.token_var),
                format!("Replace {} (`hermes gateway setup`)", s.token_var),
            )),
            Probe::Skipped(d) => out.push(Finding::ok(
                "platform.credentials",
                M,
                format!("{name}: configured ({d})"),
            )),
            Probe::Unreachable(d) | Probe::Unexpected(d) => out.push(Finding::warn(
                "platform.credentials",
                M,
                format!("{name}: could not check the credentials ({d})"),
                format!("Check the network path to {name}"),
            )),
        }
        if !s.users {
            continue;
        }
        let approved = listing
            .approved
            .iter()
            .filter(|a| &a.platform == name)
            .count();
        let open = s.dm_policy == "open";
        if !s.allow_all
            && !open
            && s.allowed_users.is_empty()
            && s.gateway_allowed.is_empty()
            && approved == 0
        {
            let mut f = Finding::warn(
                "platform.no_allowlist",
                M,
                format!(
                    "{name}: no user allowlists configured and nobody is paired — all unauthorized users will be denied"
                ),
                format!(
                    "Allow yourself on {name}: DM the bot for a pairing code, or set {}",
                    crate::auth::allowlist_var(name)
                ),
            );
            if s.dm_policy == "pairing" {
                f = f.hint(format!(
                    "DM the bot, then `hermes pairing approve {name} <CODE>`"
                ));
            }
            out.push(f.hint(format!(
                "or `hermes config set {} <your user id>`",
                crate::auth::allowlist_var(name)
            )));
        } else {
            out.push(Finding::ok(
                "platform.allowlist",
                M,
                format!(
                    "{name}: {} allowed, {approved} paired (DMs: {})",
                    if s.allow_all {
                        "everyone".to_string()
                    } else {
                        format!(
                            "{} user(s)",
                            s.allowed_users.len() + s.gateway_allowed.len()
                        )
                    },
                    s.dm_policy
                ),
            ));
        }
    }
    let pending = listing.pending.len();
    if pending > 0 {
        out.push(
            Finding::warn(
                "pairing.pending",
                M,
                format!("{pending} pairing request(s) waiting for approval"),
                "Review pairing requests: hermes pairing list",
            )
            .hint("`hermes pairing list`, then `hermes pairing approve <platform> <CODE>`"),
        );
    }
    out.extend(duplicate_tokens(cx));
    out
}

/// The same bot credential in two profiles' `.env`: only one gateway can hold it.
fn duplicate_tokens(cx: &Ctx<'_>) -> Vec<Finding> {
    let Ok(profiles) = list_profiles(cx.paths) else {
        return Vec::new();
    };
    let mut seen: BTreeMap<(&str, String), Vec<String>> = BTreeMap::new();
    for p in &profiles {
        let Ok(name) = ProfileName::parse(&p.name) else {
            continue;
        };
        let Ok(file) = EnvFile::load(&cx.paths.for_profile(&name).env_file()) else {
            continue;
        };
        let map = file.map();
        for key in TOKEN_KEYS {
            if let Some(v) = map.get(*key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                seen.entry((key, v.to_string()))
                    .or_default()
                    .push(p.name.clone());
            }
        }
    }
    let dups: Vec<Finding> = seen
        .into_iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|((key, _), names)| {
            Finding::fail(
                "profiles.duplicate_token",
                PROFILES,
                format!("{key} is the same in profiles {}", names.join(" and ")),
                format!(
                    "Give each profile its own bot: {key} is shared by {} (only one gateway can use it)",
                    names.join(", ")
                ),
            )
            .hint("the second gateway exits 78 naming the first")
        })
        .collect();
    if dups.is_empty() && profiles.len() > 1 {
        return vec![Finding::ok(
            "profiles.duplicate_token",
            PROFILES,
            format!("{} profiles, no bot token shared", profiles.len()),
        )];
    }
    dups
}
