//! Cron: jobs whose script does not exist, and jobs delivering to a platform whose home
//! channel is unset (their output would go nowhere).

use super::Ctx;
use crate::cron::script::{self, ScriptError};
use crate::cron::{HomeChannels, JobStore, Target, targets};
use crate::doctor::Finding;

const C: &str = "Cron";

pub(in crate::doctor) fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let store = JobStore::open(cx.paths, jiff::tz::TimeZone::UTC);
    let jobs = match store.load() {
        Ok(j) => j,
        Err(e) => {
            return vec![Finding::fail(
                "cron.jobs",
                C,
                format!("cron/jobs.json cannot be read: {e}"),
                "Fix cron/jobs.json (or remove the broken job with `hermes cron remove`)",
            )];
        }
    };
    if jobs.is_empty() {
        return vec![Finding::info("cron.jobs", C, "No cron jobs")];
    }
    let enabled = jobs.iter().filter(|j| j.enabled).count();
    let mut out = vec![Finding::ok(
        "cron.jobs",
        C,
        format!("{} cron job(s), {enabled} enabled", jobs.len()),
    )];
    let homes = HomeChannels::from_config(&cx.env, &cx.settings);
    let scripts = cx.paths.scripts_dir();
    for job in &jobs {
        let name = job.display_name();
        if let Some(raw) = job.script.as_deref().filter(|s| !s.trim().is_empty()) {
            match script::resolve(&scripts, raw) {
                Ok(_) => {}
                Err(ScriptError::Outside { .. }) => out.push(Finding::fail(
                    "cron.script_outside",
                    C,
                    format!(
                        "Cron job '{name}' runs {raw}, outside {}",
                        cx.show(&scripts)
                    ),
                    format!("Move the script of '{name}' into {}", cx.show(&scripts)),
                )),
                Err(_) => out.push(
                    Finding::fail(
                        "cron.script_missing",
                        C,
                        format!("Cron job '{name}' runs {raw}, which does not exist"),
                        format!(
                            "Create {raw} in {} or fix the job: hermes cron edit {}",
                            cx.show(&scripts),
                            job.id
                        ),
                    )
                    .detail(format!(
                        "(Script not found: {})",
                        scripts.join(raw).display()
                    )),
                ),
            }
        }
        if !job.enabled {
            continue;
        }
        let deliver = match &job.deliver {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(","),
            _ => continue,
        };
        for t in targets::parse(&deliver).unwrap_or_default() {
            match t {
                Target::Home { platform } if homes.get(&platform).is_none() => out.push(
                    Finding::warn(
                        "cron.home_channel",
                        C,
                        format!(
                            "Cron job '{name}' delivers to {platform}, but {platform} has no home channel"
                        ),
                        format!(
                            "Set a {platform} home channel: send /sethome in the chat, or set {}",
                            targets::home_env_var(&platform)
                        ),
                    ),
                ),
                Target::All if homes.all().is_empty() => out.push(Finding::warn(
                    "cron.home_channel",
                    C,
                    format!("Cron job '{name}' delivers to all home channels, but none is set"),
                    "Set a home channel: send /sethome in a chat with the bot",
                )),
                _ => {}
            }
        }
    }
    out
}
