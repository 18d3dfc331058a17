//! `/cron` in chat, with the CLI's grammar (`hermes cron ...`): `list [--all]`,
//! `add|create "<schedule>" [prompt] [--name N] [--deliver T] [--repeat N] [--skill S]...
//! [--script P] [--no-agent] [--workdir D] [--failure-deliver T]`, `edit <job> [...]`,
//! `pause|resume|run|remove <job>`, `status`, `runs [job] [--limit N]`. Unknown options and
//! bad values are errors with the usage; library errors come with their hints. Jobs made
//! here deliver to this chat by default (`origin`).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::Shared;
use crate::cron::history::RunHistory;
use crate::cron::jobs::{JobEdit, JobRules, JobStore, NewJob};
use crate::cron::{CronError, HomeChannels, Job};
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

const USAGE: &str = "Usage: /cron list [--all] · /cron add \"every day at 9am\" <prompt> [--name N] [--deliver T] [--repeat N] [--skill S] [--script P] [--no-agent] [--workdir D] [--failure-deliver T] · /cron edit <job> [--schedule S] [--prompt P] [--name N] [--deliver T] [--repeat N] [--skill S] [--add-skill S] [--remove-skill S] [--clear-skills] [--script P] [--workdir D] [--failure-deliver T] [--no-agent|--agent] · /cron pause|resume|run|remove <job> · /cron status · /cron runs [job] [--limit N]";

const ADD_VALUES: &[&str] = &[
    "name",
    "deliver",
    "repeat",
    "skill",
    "script",
    "workdir",
    "failure-deliver",
];
const EDIT_VALUES: &[&str] = &[
    "schedule",
    "prompt",
    "name",
    "deliver",
    "repeat",
    "skill",
    "add-skill",
    "remove-skill",
    "script",
    "workdir",
    "failure-deliver",
];

/// What a `/cron` command works with.
pub(crate) struct CronCx<'a> {
    pub(crate) store: &'a JobStore,
    pub(crate) rules: &'a JobRules,
    pub(crate) now: &'a jiff::Zoned,
    /// The chat the command came from (`{platform, chat_id, ...}`).
    pub(crate) origin: serde_json::Value,
    /// `state.db`, for `runs`.
    pub(crate) state_db: PathBuf,
}

/// Handles `/cron …` and returns the reply.
pub(crate) fn handle(shared: &Shared, m: &InboundMessage, args: &str) -> String {
    let tz = shared.tz.clone();
    let store = JobStore::open(&shared.paths, tz.clone());
    let now = jiff::Timestamp::now().to_zoned(tz);
    let rules = JobRules {
        configured: Some(shared.outboxes.keys().cloned().collect()),
        skills_home: Some(shared.paths.clone()),
        ..JobRules::new(
            HomeChannels::from_config(&shared.env(), &shared.settings),
            shared.paths.scripts_dir(),
        )
    };
    let cx = CronCx {
        store: &store,
        rules: &rules,
        now: &now,
        origin: serde_json::json!({
            "platform": m.source.platform,
            "chat_id": m.source.chat_id,
            "thread_id": m.source.thread_id,
            "chat_name": m.source.chat_name,
            "user_id": m.source.user_id,
        }),
        state_db: shared.paths.state_db(),
    };
    run(&cx, args)
}

/// Runs one `/cron` command line.
pub(crate) fn run(cx: &CronCx<'_>, args: &str) -> String {
    match dispatch(cx, args) {
        Ok(text) => text,
        Err(e) => format!("❌ {e}"),
    }
}

/// A library error with its hints, for chat.
fn explain(e: &CronError) -> String {
    let mut out = e.to_string();
    for h in e.hints() {
        let _ = write!(out, "\n💡 {h}");
    }
    out
}

/// Options after the words: `--flag value`, `--flag=value`, bare switches.
#[derive(Default)]
struct Opts {
    positional: Vec<String>,
    values: Vec<(String, String)>,
    switches: Vec<String>,
}

impl Opts {
    fn parse(
        words: &[String],
        verb: &str,
        values: &[&str],
        switches: &[&str],
    ) -> Result<Self, String> {
        let mut out = Self::default();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let Some(flag) = w.strip_prefix("--").filter(|f| !f.is_empty()) else {
                out.positional.push(w.clone());
                continue;
            };
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n.to_ascii_lowercase(), Some(v.to_string())),
                None => (flag.to_ascii_lowercase(), None),
            };
            let name = name.replace('_', "-");
            if values.contains(&name.as_str()) {
                let value = inline
                    .or_else(|| it.next().cloned())
                    .ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?;
                out.values.push((name, value));
            } else if switches.contains(&name.as_str()) && inline.is_none() {
                out.switches.push(name);
            } else {
                return Err(format!(
                    "unknown option '--{name}' for /cron {verb}\n{USAGE}"
                ));
            }
        }
        Ok(out)
    }

    fn value(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    fn repeat(&self) -> Result<Option<i64>, String> {
        self.value("repeat")
            .map(|r| {
                r.trim().parse::<i64>().map_err(|_| {
                    format!("--repeat needs a whole number of runs (0 = forever), not '{r}'")
                })
            })
            .transpose()
    }
}

fn dispatch(cx: &CronCx<'_>, args: &str) -> Result<String, String> {
    let words = split_args(args);
    let (verb, rest) = match words.split_first() {
        Some((v, r)) => (v.to_ascii_lowercase(), r.to_vec()),
        None => ("list".to_string(), Vec::new()),
    };
    match verb.as_str() {
        "list" | "ls" => {
            let o = Opts::parse(&rest, "list", &[], &["all"])?;
            list(cx.store, o.switch("all"))
        }
        "add" | "create" => add(cx, &rest),
        "edit" => edit(cx, &rest),
        "pause" | "resume" | "run" | "remove" | "rm" | "delete" => {
            let o = Opts::parse(&rest, &verb, &[], &[])?;
            let [reference] = &o.positional[..] else {
                return Err(format!("/cron {verb} needs one job id or name\n{USAGE}"));
            };
            let (store, now) = (cx.store, cx.now);
            let done = match verb.as_str() {
                "pause" => store
                    .pause(reference, now)
                    .map(|j| format!("⏸ Paused {}", label(&j))),
                "resume" => store.resume(reference, now).map(|j| {
                    format!(
                        "▶️ Resumed {} — next run {}",
                        label(&j),
                        j.next_run_at.as_deref().unwrap_or("not scheduled")
                    )
                }),
                "run" => store
                    .trigger(reference, now)
                    .map(|j| format!("🏃 {} runs on the next tick (within a minute)", label(&j))),
                _ => store
                    .remove(reference)
                    .map(|j| format!("🗑 Removed {}", label(&j))),
            };
            done.map_err(|e| explain(&e))
        }
        "status" => {
            Opts::parse(&rest, "status", &[], &[])?;
            status(cx.store)
        }
        "runs" | "history" => runs(cx, &rest),
        "help" => Ok(USAGE.into()),
        other => Err(format!("unknown /cron command '{other}'\n{USAGE}")),
    }
}

fn label(j: &Job) -> String {
    match &j.name {
        Some(n) => format!("“{n}” ({})", j.id),
        None => j.id.clone(),
    }
}

fn list(store: &JobStore, all: bool) -> Result<String, String> {
    let jobs: Vec<Job> = store
        .load()
        .map_err(|e| explain(&e))?
        .into_iter()
        .filter(|j| all || j.enabled)
        .collect();
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
            j.state.clone().unwrap_or_else(|| "paused".into())
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

fn add(cx: &CronCx<'_>, rest: &[String]) -> Result<String, String> {
    let o = Opts::parse(rest, "add", ADD_VALUES, &["no-agent"])?;
    let Some((schedule, prompt)) = o.positional.split_first() else {
        return Err(format!("/cron add needs a schedule\n{USAGE}"));
    };
    let prompt = prompt.join(" ");
    let job = cx
        .store
        .create(
            NewJob {
                schedule: schedule.clone(),
                prompt: (!prompt.trim().is_empty()).then_some(prompt),
                name: o.value("name"),
                deliver: o.value("deliver"),
                failure_deliver: o.value("failure-deliver"),
                repeat: o.repeat()?,
                skills: o.all("skill"),
                script: o.value("script"),
                no_agent: o.switch("no-agent"),
                workdir: o.value("workdir"),
                origin: Some(cx.origin.clone()),
            },
            cx.now,
            cx.rules,
        )
        .map_err(|e| explain(&e))?;
    Ok(format!(
        "✅ Scheduled {} — {} — deliver: {} — next run {}",
        label(&job),
        job.schedule_display(),
        job.deliver(),
        job.next_run_at.clone().unwrap_or_else(|| "—".into())
    ))
}

fn edit(cx: &CronCx<'_>, rest: &[String]) -> Result<String, String> {
    let o = Opts::parse(
        rest,
        "edit",
        EDIT_VALUES,
        &["clear-skills", "no-agent", "agent"],
    )?;
    let [reference] = &o.positional[..] else {
        return Err(format!("/cron edit needs one job id or name\n{USAGE}"));
    };
    if o.switch("no-agent") && o.switch("agent") {
        return Err("--no-agent and --agent cannot be used together".into());
    }
    let current = cx.store.get(reference).map_err(|e| explain(&e))?;
    let (set, add, remove) = (o.all("skill"), o.all("add-skill"), o.all("remove-skill"));
    let skills = if o.switch("clear-skills") {
        Some(Vec::new())
    } else if !set.is_empty() {
        Some(set)
    } else if !add.is_empty() || !remove.is_empty() {
        let mut s: Vec<String> = current
            .skills
            .iter()
            .filter(|s| !remove.contains(s))
            .cloned()
            .collect();
        s.extend(add);
        Some(s)
    } else {
        None
    };
    let no_agent = if o.switch("no-agent") {
        Some(true)
    } else if o.switch("agent") {
        Some(false)
    } else {
        None
    };
    let edit = JobEdit {
        schedule: o.value("schedule"),
        prompt: o.value("prompt"),
        name: o.value("name"),
        deliver: o.value("deliver"),
        repeat: o.repeat()?,
        skills,
        script: o.value("script"),
        workdir: o.value("workdir"),
        failure_deliver: o.value("failure-deliver"),
        no_agent,
    };
    let job = cx
        .store
        .edit(&current.id, edit, cx.now, cx.rules)
        .map_err(|e| explain(&e))?;
    Ok(format!(
        "✏️ Updated {} — {} — deliver: {} — next run {}",
        label(&job),
        job.schedule_display(),
        job.deliver(),
        job.next_run_at.clone().unwrap_or_else(|| "—".into())
    ))
}

fn status(store: &JobStore) -> Result<String, String> {
    let jobs: Vec<Job> = store
        .load()
        .map_err(|e| explain(&e))?
        .into_iter()
        .filter(|j| j.enabled)
        .collect();
    let mut s =
        String::from("✓ The scheduler runs inside this gateway: due jobs fire on its tick.");
    if jobs.is_empty() {
        s.push_str("\nNo active jobs.");
    } else {
        let _ = write!(s, "\n{} active job(s)", jobs.len());
        if let Some((_, j)) = jobs
            .iter()
            .filter_map(|j| Some((j.next_run()?, j)))
            .min_by_key(|(t, _)| *t)
        {
            let _ = write!(
                s,
                "\nNext run: {} ({})",
                j.next_run_at.as_deref().unwrap_or_default(),
                label(j)
            );
        }
    }
    Ok(s)
}

fn runs(cx: &CronCx<'_>, rest: &[String]) -> Result<String, String> {
    let o = Opts::parse(rest, "runs", &["limit"], &[])?;
    let limit = match o.value("limit") {
        Some(n) => n
            .trim()
            .parse::<usize>()
            .map_err(|_| format!("--limit needs a number of runs, not '{n}'"))?,
        None => 10,
    };
    let id = match &o.positional[..] {
        [] => None,
        [r] => Some(match cx.store.get(r) {
            Ok(j) => j.id,
            // A removed job's history is still there under its id.
            Err(CronError::NotFound { .. }) => r.clone(),
            Err(e) => return Err(explain(&e)),
        }),
        _ => return Err(format!("/cron runs takes at most one job\n{USAGE}")),
    };
    let rows =
        RunHistory::list_if_exists(&cx.state_db, id.as_deref(), limit).map_err(|e| explain(&e))?;
    if rows.is_empty() {
        return Ok("No cron runs recorded yet.".into());
    }
    let mut s = String::from("🧾 Recent cron runs\n");
    for r in rows {
        let name = r.job_name.as_deref().unwrap_or(&r.job_id);
        let _ = write!(
            s,
            "• {} — {name} — {} — delivery: {}",
            r.started_at,
            r.status,
            r.delivery_status.as_deref().unwrap_or("-")
        );
        if let Some(e) = r.error.as_deref().and_then(|e| e.lines().next()) {
            let _ = write!(s, " — {e}");
        }
        if let Some(e) = &r.delivery_error {
            let _ = write!(s, " — delivery error: {e}");
        }
        s.push('\n');
    }
    Ok(s.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cron::ChatTarget;
    use crate::home::HermesPaths;

    struct Fx {
        _tmp: tempfile::TempDir,
        paths: HermesPaths,
        store: JobStore,
        rules: JobRules,
        now: jiff::Zoned,
    }

    fn fx() -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(tmp.path(), tmp.path());
        let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        std::fs::create_dir_all(paths.scripts_dir()).unwrap();
        std::fs::write(paths.scripts_dir().join("ram.sh"), "echo 92%\n").unwrap();
        let skill = paths.skills_dir().join("digest");
        std::fs::create_dir_all(&skill).unwrap();
        std::fs::write(
            skill.join("SKILL.md"),
            "---\nname: digest\n---\nBe brief.\n",
        )
        .unwrap();
        let rules = JobRules {
            configured: Some(vec!["telegram".into()]),
            skills_home: Some(paths.clone()),
            ..JobRules::new(
                HomeChannels::from_list(vec![ChatTarget {
                    platform: "telegram".into(),
                    chat_id: "-100".into(),
                    thread_id: None,
                }]),
                paths.scripts_dir(),
            )
        };
        Fx {
            store: JobStore::open(&paths, tz.clone()),
            paths,
            _tmp: tmp,
            rules,
            now: "2026-03-06T10:00:00+01:00[Europe/Berlin]".parse().unwrap(),
        }
    }

    impl Fx {
        fn cron(&self, args: &str) -> String {
            let cx = CronCx {
                store: &self.store,
                rules: &self.rules,
                now: &self.now,
                origin: serde_json::json!({"platform": "telegram", "chat_id": "42"}),
                state_db: self.paths.state_db(),
            };
            run(&cx, args)
        }
    }

    #[test]
    fn add_takes_every_cli_option() {
        let f = fx();
        let work = f.paths.root().to_path_buf();
        let reply = f.cron(&format!(
            "add \"every 2h\" check the servers --name servers --deliver telegram:7 --repeat 3 --skill digest --script ram.sh --workdir {} --failure-deliver telegram",
            work.display()
        ));
        assert!(reply.starts_with("✅ Scheduled “servers”"), "{reply}");
        let job = f.store.get("servers").unwrap();
        assert_eq!(job.prompt.as_deref(), Some("check the servers"));
        assert_eq!(job.deliver(), "telegram:7");
        assert_eq!(job.repeat.as_ref().unwrap().times, Some(3));
        assert_eq!(job.skills, ["digest"]);
        assert_eq!(job.script.as_deref(), Some("ram.sh"));
        assert!(job.workdir.is_some());
        assert_eq!(job.extra_str("failure_deliver"), Some("telegram"));
        assert!(!job.no_agent);
        let reply = f.cron("add \"every 1h\" --script=ram.sh --no-agent --name plain");
        assert!(reply.starts_with("✅"), "{reply}");
        assert!(f.store.get("plain").unwrap().no_agent);
        // A skill-only job is a job.
        assert!(f.cron("add \"every 1h\" --skill digest").starts_with("✅"));
        // Defaults to this chat.
        f.cron("add \"every 3h\" hello --name mine");
        assert_eq!(f.store.get("mine").unwrap().deliver(), "origin");
    }

    #[test]
    fn unknown_options_and_bad_values_are_errors_not_prompt_text() {
        let f = fx();
        let reply = f.cron("add \"every 2h\" p --skil x");
        assert!(
            reply.starts_with("❌ unknown option '--skil' for /cron add"),
            "{reply}"
        );
        assert!(reply.contains("Usage: /cron"), "{reply}");
        let reply = f.cron("add \"every 2h\" p --repeat lots");
        assert!(reply.contains("--repeat needs a whole number"), "{reply}");
        assert!(
            f.cron("add \"every 2h\" p --name")
                .contains("--name needs a value")
        );
        assert!(f.store.load().unwrap().is_empty(), "nothing was created");
        // Library errors keep their hints.
        let reply = f.cron("add \"whenever\" p");
        assert!(reply.starts_with("❌"), "{reply}");
        assert!(
            reply.contains("💡"),
            "the schedule forms are hinted: {reply}"
        );
        assert!(
            reply.contains("every 2h") || reply.contains("30m"),
            "{reply}"
        );
        let reply = f.cron("add \"every 2h\" p --deliver discord");
        assert!(reply.contains("💡 send `/sethome`"), "{reply}");
        let reply = f.cron("add \"every 2h\" p --skill nope");
        assert!(reply.contains("unknown skill 'nope'"), "{reply}");
        let reply = f.cron("add \"every 2h\" p --deliver slack:C1");
        assert!(reply.contains("slack is not configured"), "{reply}");
        assert!(f.cron("explode").starts_with("❌ unknown /cron command"));
    }

    #[test]
    fn edit_pause_resume_run_remove_status_and_runs() {
        let f = fx();
        f.cron("add \"every 2h\" p --name job");
        let reply = f.cron("edit job --schedule \"every 3h\" --prompt \"new words\" --add-skill digest --failure-deliver telegram:9 --repeat 0");
        assert!(reply.starts_with("✏️ Updated"), "{reply}");
        let job = f.store.get("job").unwrap();
        assert_eq!(job.schedule_display(), "every 180m");
        assert_eq!(job.prompt.as_deref(), Some("new words"));
        assert_eq!(job.skills, ["digest"]);
        assert_eq!(job.extra_str("failure_deliver"), Some("telegram:9"));
        assert!(
            f.cron("edit job --no-agent")
                .contains("--no-agent requires --script")
        );
        assert!(
            f.cron("edit job --script ram.sh --no-agent")
                .starts_with("✏️")
        );
        assert!(f.store.get("job").unwrap().no_agent);
        assert!(
            f.cron("edit job --bogus 1")
                .contains("unknown option '--bogus' for /cron edit")
        );
        assert!(f.cron("pause job").starts_with("⏸ Paused"));
        assert!(
            f.cron("list").starts_with("No scheduled jobs"),
            "paused jobs need --all"
        );
        assert!(f.cron("list --all").contains("paused"));
        assert!(f.cron("resume job").starts_with("▶️ Resumed"));
        assert!(f.cron("run job").starts_with("🏃"));
        let status = f.cron("status");
        assert!(status.contains("1 active job(s)"), "{status}");
        assert_eq!(f.cron("runs"), "No cron runs recorded yet.");
        assert!(
            f.cron("runs job --limit x")
                .contains("--limit needs a number")
        );
        assert!(f.cron("remove job").starts_with("🗑 Removed"));
        assert!(f.cron("remove job").contains("💡 list jobs"));
    }

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
