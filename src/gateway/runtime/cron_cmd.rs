//! `/cron` in chat, with the CLI's grammar: `list`, `add "<schedule>" <prompt> [--deliver T]
//! [--name N] [--repeat N]`, `pause|resume|run|remove <id|name>`. Jobs made here deliver to
//! this chat by default (`origin`).

use std::fmt::Write as _;

use super::Shared;
use crate::cron::HomeChannels;
use crate::cron::jobs::{JobRules, JobStore, NewJob};
use crate::platforms::InboundMessage;

/// Splits arguments like a shell: double or single quotes group words.
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'' | '“' | '”') => {
                quote = Some(if c == '“' { '”' } else { c });
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

const USAGE: &str = "Usage: /cron list · /cron add \"every day at 9am\" <prompt> [--deliver T] [--name N] [--repeat N] · /cron pause|resume|run|remove <id or name>";

/// Handles `/cron …` and returns the reply.
pub(crate) fn handle(shared: &Shared, m: &InboundMessage, args: &str) -> String {
    let tz = shared.tz.clone();
    let store = JobStore::open(&shared.paths, tz.clone());
    let now = jiff::Timestamp::now().to_zoned(tz);
    let words = split_args(args);
    let (verb, rest) = match words.split_first() {
        Some((v, r)) => (v.to_ascii_lowercase(), r.to_vec()),
        None => ("list".to_string(), Vec::new()),
    };
    let result = match verb.as_str() {
        "list" | "ls" => list(&store),
        "add" | "create" => add(shared, &store, m, &rest, &now),
        "pause" | "resume" | "run" | "remove" | "rm" | "delete" => {
            let Some(reference) = rest.first() else {
                return USAGE.into();
            };
            let done = match verb.as_str() {
                "pause" => store
                    .pause(reference, &now)
                    .map(|j| format!("⏸ Paused {}", label(&j))),
                "resume" => store
                    .resume(reference, &now)
                    .map(|j| format!("▶️ Resumed {}", label(&j))),
                "run" => store
                    .trigger(reference, &now)
                    .map(|j| format!("🏃 {} runs on the next tick (within a minute)", label(&j))),
                _ => store
                    .remove(reference)
                    .map(|j| format!("🗑 Removed {}", label(&j))),
            };
            done.map_err(|e| e.to_string())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(text) => text,
        Err(e) => format!("❌ {e}"),
    }
}

fn label(j: &crate::cron::Job) -> String {
    match &j.name {
        Some(n) => format!("“{n}” ({})", j.id),
        None => j.id.clone(),
    }
}

fn list(store: &JobStore) -> Result<String, String> {
    let jobs = store.load().map_err(|e| e.to_string())?;
    if jobs.is_empty() {
        return Ok(
            "No scheduled jobs. Add one: /cron add \"every day at 9am\" Send me the news".into(),
        );
    }
    let mut s = String::from("⏰ Scheduled jobs\n");
    for j in &jobs {
        let state = if j.enabled {
            j.state.clone().unwrap_or_else(|| "scheduled".into())
        } else {
            "paused".into()
        };
        let _ = writeln!(
            s,
            "• {} — {} — {} — next: {}",
            label(j),
            j.schedule_display(),
            state,
            j.next_run_at.clone().unwrap_or_else(|| "—".into())
        );
    }
    Ok(s.trim_end().to_string())
}

fn add(
    shared: &Shared,
    store: &JobStore,
    m: &InboundMessage,
    rest: &[String],
    now: &jiff::Zoned,
) -> Result<String, String> {
    let mut positional = Vec::new();
    let mut deliver = None;
    let mut name = None;
    let mut repeat = None;
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "--deliver" => deliver = it.next().cloned(),
            "--name" => name = it.next().cloned(),
            "--repeat" => repeat = it.next().and_then(|r| r.parse::<i64>().ok()),
            _ => positional.push(w.clone()),
        }
    }
    let Some((schedule, prompt)) = positional.split_first() else {
        return Err(USAGE.into());
    };
    if prompt.is_empty() {
        return Err(format!("the job needs a prompt. {USAGE}"));
    }
    let origin = serde_json::json!({
        "platform": m.source.platform,
        "chat_id": m.source.chat_id,
        "thread_id": m.source.thread_id,
        "chat_name": m.source.chat_name,
        "user_id": m.source.user_id,
    });
    let rules = JobRules {
        homes: HomeChannels::from_config(&shared.env(), &shared.settings),
        scripts_dir: shared.paths.scripts_dir(),
    };
    let job = store
        .create(
            NewJob {
                schedule: schedule.clone(),
                prompt: Some(prompt.join(" ")),
                name,
                deliver,
                repeat,
                origin: Some(origin),
                ..NewJob::default()
            },
            now,
            &rules,
        )
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "✅ Scheduled {} — {} — next run {}",
        label(&job),
        job.schedule_display(),
        job.next_run_at.clone().unwrap_or_else(|| "—".into())
    ))
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split_args(r#"add "every 2h" check the servers --deliver telegram"#),
            [
                "add",
                "every 2h",
                "check",
                "the",
                "servers",
                "--deliver",
                "telegram"
            ]
        );
        assert_eq!(
            split_args("add “every day at 9am” hi"),
            ["add", "every day at 9am", "hi"]
        );
        assert_eq!(split_args(r"add '' x"), ["add", "", "x"]);
    }
}
