use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::*;
use crate::cron::targets::{ChatTarget, TargetError};

fn tz() -> TimeZone {
    TimeZone::get("America/New_York").unwrap()
}

fn now() -> Zoned {
    "2026-03-06T10:00:00-05:00[America/New_York]"
        .parse()
        .unwrap()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    store: JobStore,
    rules: JobRules,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let scripts = tmp.path().join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    std::fs::write(scripts.join("check.sh"), "echo ok\n").unwrap();
    let store = JobStore::at(&tmp.path().join("cron"), tz());
    let rules = JobRules::new(
        HomeChannels::from_list(vec![ChatTarget {
            platform: "telegram".into(),
            chat_id: "-100".into(),
            thread_id: None,
        }]),
        scripts,
    );
    Fixture {
        _tmp: tmp,
        store,
        rules,
    }
}

fn new(schedule: &str, prompt: &str) -> NewJob {
    NewJob {
        schedule: schedule.into(),
        prompt: Some(prompt.into()),
        ..NewJob::default()
    }
}

#[test]
fn upstream_file_round_trips_with_unknown_fields() {
    let f = fixture();
    let original = include_str!("testdata/upstream_jobs.json");
    std::fs::create_dir_all(f.store.dir()).unwrap();
    std::fs::write(f.store.dir().join("jobs.json"), original).unwrap();
    let jobs = f.store.load().unwrap();
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[0].skills, ["a", "b"]);
    assert_eq!(jobs[0].schedule_display(), "every 120m");
    assert_eq!(jobs[1].repeat.as_ref().unwrap().times, Some(1));
    // The legacy record: `skill` promoted, list `deliver` joined, naive time read as local.
    let legacy = &jobs[2];
    assert_eq!(legacy.skills, ["weather"]);
    assert_eq!(legacy.deliver(), "telegram,discord:42");
    assert_eq!(legacy.state(), "scheduled");
    assert_eq!(
        legacy.next_run().unwrap().to_string(),
        "2026-11-23T14:00:00Z"
    );
    // A no-op rewrite keeps every field, known or not.
    f.store.update(|_| Ok(())).unwrap();
    let before: Value = serde_json::from_str(original).unwrap();
    let after: Value =
        serde_json::from_str(&std::fs::read_to_string(f.store.dir().join("jobs.json")).unwrap())
            .unwrap();
    assert_eq!(after["schema_note"], "kept");
    for (b, a) in before["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["jobs"].as_array().unwrap())
    {
        for (k, v) in b.as_object().unwrap() {
            if k == "skills" && b.get("skill").is_some() && v.as_array().is_some_and(Vec::is_empty)
            {
                continue;
            }
            if k == "skills" || (k == "skill" && b["id"] == "0123456789ab") {
                continue;
            }
            assert_eq!(&a[k], v, "field {k} of {}", b["id"]);
        }
    }
    assert_eq!(after["jobs"][2]["skills"], json!(["weather"]));
    assert_eq!(after["jobs"][2]["custom"], json!({"nested": [1, 2]}));
    assert_eq!(after["jobs"][2]["schedule"]["future_key"], 1);
    assert_eq!(after["jobs"][2]["repeat"]["note"], "x");
    assert_eq!(
        crate::fsutil::mode_of(&f.store.dir().join("jobs.json")),
        Some(0o600)
    );
}

#[test]
fn bare_list_and_bom_are_accepted_and_corruption_is_an_error() {
    let f = fixture();
    std::fs::create_dir_all(f.store.dir()).unwrap();
    let file = f.store.dir().join("jobs.json");
    std::fs::write(&file, "\u{feff}[{\"id\": \"abc\", \"name\": \"x\"}]").unwrap();
    assert_eq!(f.store.load().unwrap()[0].id, "abc");
    std::fs::write(&file, "{\"jobs\": 3}").unwrap();
    let e = f.store.load().unwrap_err();
    assert!(matches!(e, CronError::Corrupt { .. }), "{e:?}");
    assert!(!e.hints().is_empty());
}

#[test]
fn create_sets_upstream_defaults() {
    let f = fixture();
    let job = f
        .store
        .create(new("every 2h", "Check the news"), &now(), &f.rules)
        .unwrap();
    assert_eq!(job.id.len(), 12);
    assert!(job.id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(job.name.as_deref(), Some("Check the news"));
    assert_eq!(job.deliver(), "local");
    assert_eq!(job.repeat.as_ref().unwrap().times, None);
    assert_eq!(
        job.next_run_at.as_deref(),
        Some("2026-03-06T12:00:00-05:00")
    );
    assert_eq!(
        job.schedule,
        json!({"kind": "interval", "minutes": 120, "display": "every 120m"})
    );
    let once = f
        .store
        .create(new("in 30m", "Remind me"), &now(), &f.rules)
        .unwrap();
    assert_eq!(once.repeat.as_ref().unwrap().times, Some(1));
    let mut n = new("every 1h", "thrice");
    n.repeat = Some(3);
    assert_eq!(
        f.store
            .create(n, &now(), &f.rules)
            .unwrap()
            .repeat
            .unwrap()
            .times,
        Some(3)
    );
    let mut n = new("every 1h", "forever");
    n.repeat = Some(0);
    assert_eq!(
        f.store
            .create(n, &now(), &f.rules)
            .unwrap()
            .repeat
            .unwrap()
            .times,
        None
    );
    assert_eq!(f.store.load().unwrap().len(), 4);
}

#[test]
fn create_validates_targets_scripts_and_times() {
    let f = fixture();
    let with = |deliver: &str| NewJob {
        deliver: Some(deliver.into()),
        ..new("every 1h", "x")
    };
    assert!(f.store.create(with("telegram"), &now(), &f.rules).is_ok());
    assert!(
        f.store
            .create(with("discord:1:2,local"), &now(), &f.rules)
            .is_ok()
    );
    assert!(matches!(
        f.store.create(with("telegarm"), &now(), &f.rules),
        Err(CronError::Target(TargetError::UnknownPlatform { .. }))
    ));
    assert!(matches!(
        f.store.create(with("weixin"), &now(), &f.rules),
        Err(CronError::Target(TargetError::NoHomeChannel { .. }))
    ));
    assert!(matches!(
        f.store.create(with("origin"), &now(), &f.rules),
        Err(CronError::Target(TargetError::NoOrigin))
    ));
    let from_chat = NewJob {
        origin: Some(json!({"platform": "weixin", "chat_id": "o9@im.wechat"})),
        ..new("every 1h", "x")
    };
    assert_eq!(
        f.store
            .create(from_chat, &now(), &f.rules)
            .unwrap()
            .deliver(),
        "origin"
    );
    let script = |s: &str, no_agent: bool| NewJob {
        script: Some(s.into()),
        no_agent,
        ..new("every 1h", "")
    };
    assert!(
        f.store
            .create(script("check.sh", true), &now(), &f.rules)
            .is_ok()
    );
    let e = f
        .store
        .create(script("check_and_send.sh", true), &now(), &f.rules)
        .unwrap_err();
    assert!(e.to_string().starts_with("Script not found:"), "{e}");
    assert!(matches!(
        f.store.create(script("", true), &now(), &f.rules),
        Err(CronError::NoAgentWithoutScript)
    ));
    assert!(matches!(
        f.store.create(new("every 1h", " "), &now(), &f.rules),
        Err(CronError::EmptyJob)
    ));
    assert!(matches!(
        f.store
            .create(new("2026-03-06T09:00:00", "late"), &now(), &f.rules),
        Err(CronError::PastOneShot { .. })
    ));
    let wd = NewJob {
        workdir: Some("relative/dir".into()),
        ..new("every 1h", "x")
    };
    assert!(matches!(
        f.store.create(wd, &now(), &f.rules),
        Err(CronError::Workdir { .. })
    ));
    // Nothing invalid was written.
    assert_eq!(f.store.load().unwrap().len(), 4);
}

#[test]
fn names_resolve_case_insensitively_and_ambiguity_is_refused() {
    let f = fixture();
    let a = f
        .store
        .create(
            NewJob {
                name: Some("Daily Brief".into()),
                ..new("every 1h", "x")
            },
            &now(),
            &f.rules,
        )
        .unwrap();
    assert_eq!(f.store.get("daily brief").unwrap().id, a.id);
    assert_eq!(f.store.get(&a.id).unwrap().id, a.id);
    f.store
        .create(
            NewJob {
                name: Some("DAILY BRIEF".into()),
                ..new("every 1h", "y")
            },
            &now(),
            &f.rules,
        )
        .unwrap();
    let e = f.store.get("Daily Brief").unwrap_err();
    assert!(
        matches!(e, CronError::Ambiguous { ref ids, .. } if ids.len() == 2),
        "{e:?}"
    );
    assert!(e.to_string().contains("is ambiguous"));
    assert!(matches!(
        f.store.get("nope"),
        Err(CronError::NotFound { .. })
    ));
}

#[test]
fn edit_pause_resume_trigger_remove() {
    let f = fixture();
    let job = f
        .store
        .create(
            NewJob {
                skills: vec!["a".into()],
                ..new("every 1h", "x")
            },
            &now(),
            &f.rules,
        )
        .unwrap();
    let later: Zoned = "2026-03-06T11:30:00-05:00[America/New_York]"
        .parse()
        .unwrap();
    let edited = f
        .store
        .edit(
            &job.id,
            JobEdit {
                schedule: Some("0 9 * * mon-fri".into()),
                name: Some("Brief".into()),
                skills: Some(vec!["b".into(), "c".into(), "b".into()]),
                deliver: Some("telegram".into()),
                repeat: Some(5),
                ..JobEdit::default()
            },
            &later,
            &f.rules,
        )
        .unwrap();
    assert_eq!(edited.schedule_display(), "0 9 * * mon-fri");
    assert_eq!(
        edited.next_run_at.as_deref(),
        Some("2026-03-09T09:00:00-04:00")
    );
    assert_eq!(edited.skills, ["b", "c"]);
    assert_eq!(edited.skill.as_deref(), Some("b"));
    assert_eq!(edited.repeat.unwrap().times, Some(5));
    let bad = JobEdit {
        deliver: Some("slack".into()),
        ..JobEdit::default()
    };
    assert!(f.store.edit("brief", bad, &later, &f.rules).is_err());

    let paused = f.store.pause("brief", &later).unwrap();
    assert!(!paused.enabled);
    assert_eq!(paused.state(), "paused");
    let resumed = f.store.resume("BRIEF", &later).unwrap();
    assert_eq!(resumed.state(), "scheduled");
    assert_eq!(
        resumed.next_run_at.as_deref(),
        Some("2026-03-09T09:00:00-04:00")
    );
    let triggered = f.store.trigger("brief", &later).unwrap();
    assert!(triggered.is_due(later.timestamp()));
    f.store.remove("brief").unwrap();
    assert!(f.store.load().unwrap().is_empty());
}

#[test]
fn cache_notices_outside_writes_and_tick_lock_is_exclusive() {
    let f = fixture();
    f.store
        .create(new("every 1h", "x"), &now(), &f.rules)
        .unwrap();
    assert_eq!(f.store.load().unwrap().len(), 1);
    // Another process (a second store on the same directory) adds a job.
    let other = JobStore::at(f.store.dir(), tz());
    other
        .create(new("every 2h", "y"), &now(), &f.rules)
        .unwrap();
    assert_eq!(f.store.load().unwrap().len(), 2);
    let held = f.store.try_tick_lock().unwrap();
    assert!(held.is_some());
    assert!(other.try_tick_lock().unwrap().is_none());
    drop(held);
    assert!(other.try_tick_lock().unwrap().is_some());
}

#[test]
fn all_needs_a_home_somewhere_and_platforms_must_be_configured() {
    let f = fixture();
    let bare = JobRules::new(HomeChannels::default(), f.rules.scripts_dir.clone());
    let all = NewJob {
        deliver: Some("all".into()),
        ..new("every 1h", "p")
    };
    let err = f.store.create(all.clone(), &now(), &bare).unwrap_err();
    assert!(
        matches!(err, CronError::Target(TargetError::NoHomeChannels)),
        "{err}"
    );
    assert!(err.hints()[0].contains("/sethome"), "{:?}", err.hints());
    f.store.create(all, &now(), &f.rules).unwrap();

    let rules = JobRules {
        configured: Some(vec!["telegram".into()]),
        platform_problems: vec!["discord: DISCORD_BOT_TOKEN is set to a placeholder value".into()],
        ..f.rules.clone()
    };
    let to = |d: &str| NewJob {
        deliver: Some(d.into()),
        ..new("every 1h", "p")
    };
    f.store.create(to("telegram:5"), &now(), &rules).unwrap();
    let err = f.store.create(to("slack:C1"), &now(), &rules).unwrap_err();
    assert_eq!(err.to_string(), "slack is not configured in this profile");
    let err = f
        .store
        .create(to("telegram,discord:9"), &now(), &rules)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "discord is not configured in this profile (discord: DISCORD_BOT_TOKEN is set to a placeholder value)",
        "the setup error is shown as it is"
    );
    // The creating chat's platform counts as configured.
    let from_chat = NewJob {
        origin: Some(json!({"platform": "slack", "chat_id": "C1"})),
        ..to("slack:C2")
    };
    f.store.create(from_chat, &now(), &rules).unwrap();
}

#[test]
fn unknown_skills_are_refused_and_edit_sets_failure_target_and_mode() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(home.path(), home.path());
    let dir = paths.skills_dir().join("digest");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), "Be brief.\n").unwrap();
    let rules = JobRules {
        skills_home: Some(paths),
        ..f.rules.clone()
    };
    let with = |s: &str| NewJob {
        skills: vec![s.into()],
        ..new("every 1h", "")
    };
    let err = f.store.create(with("nope"), &now(), &rules).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown skill 'nope': it is not installed in this profile"
    );
    let job = f.store.create(with("digest"), &now(), &rules).unwrap();
    let err = f
        .store
        .edit(
            &job.id,
            JobEdit {
                skills: Some(vec!["digest".into(), "other".into()]),
                ..JobEdit::default()
            },
            &now(),
            &rules,
        )
        .unwrap_err();
    assert!(matches!(err, CronError::UnknownSkill { .. }), "{err}");

    let edited = f
        .store
        .edit(
            &job.id,
            JobEdit {
                failure_deliver: Some("telegram:77".into()),
                script: Some("check.sh".into()),
                no_agent: Some(true),
                ..JobEdit::default()
            },
            &now(),
            &rules,
        )
        .unwrap();
    assert_eq!(edited.extra_str("failure_deliver"), Some("telegram:77"));
    assert!(edited.no_agent);
    let edited = f
        .store
        .edit(
            &job.id,
            JobEdit {
                failure_deliver: Some(String::new()),
                no_agent: Some(false),
                ..JobEdit::default()
            },
            &now(),
            &rules,
        )
        .unwrap();
    assert_eq!(edited.extra_str("failure_deliver"), None);
    assert!(!edited.no_agent);
    let err = f
        .store
        .edit(
            &job.id,
            JobEdit {
                failure_deliver: Some("nowhere:1".into()),
                ..JobEdit::default()
            },
            &now(),
            &rules,
        )
        .unwrap_err();
    assert!(matches!(err, CronError::Target(_)), "{err}");
}
