//! `hermes cron`: creating jobs with every target kind (and the validation errors), the
//! edit verbs, and `tick` running a real shell script job with local delivery.

use serde_json::Value;

use crate::TestEnv;

const TZ: (&str, &str) = ("TZ", "Europe/Berlin");

/// Platforms set up for delivery (a target must name a configured platform).
const PLATFORMS: &[(&str, &str)] = &[
    (
        "TELEGRAM_BOT_TOKEN",
        "123456:CronTestTokenAAAAAAAAAAAAAAAAAAAAAA",
    ),
    ("DISCORD_BOT_TOKEN", "MTIzNDU2Nzg5.cron-test-token-discord"),
    ("SLACK_BOT_TOKEN", "xoxb-cron-test-token-slack"),
    ("SLACK_APP_TOKEN", "xapp-cron-test-token-slack"),
    ("WEIXIN_ACCOUNT_ID", "cron-test-account"),
    ("WEIXIN_TOKEN", "cron-test-token-weixin"),
];

fn cron(env: &TestEnv, args: &[&str]) -> crate::Run {
    cron_with(env, args, &[])
}

fn cron_with(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> crate::Run {
    let mut all = vec!["cron"];
    all.extend_from_slice(args);
    let mut vars = vec![TZ];
    vars.extend_from_slice(PLATFORMS);
    vars.extend_from_slice(extra);
    env.run_with(all, &vars, "")
}

fn jobs(env: &TestEnv) -> Vec<Value> {
    let text = env.read(&env.root().join("cron/jobs.json"));
    let doc: Value = serde_json::from_str(&text).expect("jobs.json parses");
    doc["jobs"].as_array().expect("jobs list").clone()
}

fn created_id(run: &crate::Run) -> String {
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix("Created job: "))
        .expect("a Created job line")
        .to_string()
}

#[test]
fn create_accepts_every_target_kind() {
    let env = TestEnv::new();
    let home = [("TELEGRAM_HOME_CHANNEL", "-1001")];
    for deliver in [
        "local",
        "telegram",
        "telegram:-100:17",
        "discord:42,local",
        "all",
        "weixin:o9cq@im.wechat",
    ] {
        let run = cron_with(
            &env,
            &["create", "every 2h", "Check the news", "--deliver", deliver],
            &home,
        )
        .ok();
        assert!(
            run.stdout.contains(&format!("  Deliver: {deliver}")),
            "{run}"
        );
        assert!(run.stderr.contains("Gateway is not running"), "{run}");
    }
    // A home channel from config.yaml counts too.
    env.write(
        &env.root().join("config.yaml"),
        "platforms:\n  slack:\n    home_channel: C42\n",
    );
    cron(
        &env,
        &["add", "every day at 9am", "Brief", "--deliver", "slack"],
    )
    .ok();
    let jobs = jobs(&env);
    assert_eq!(jobs.len(), 7);
    assert_eq!(jobs[0]["deliver"], "local");
    assert_eq!(jobs[0]["schedule"]["kind"], "interval");
    assert_eq!(jobs[0]["schedule"]["minutes"], 120);
    assert_eq!(jobs[0]["repeat"]["times"], Value::Null);
    assert_eq!(jobs[6]["schedule"]["expr"], "0 9 * * *");
    assert!(
        jobs[6]["next_run_at"]
            .as_str()
            .unwrap()
            .ends_with(":00+01:00"),
        "{}",
        jobs[6]
    );
}

#[test]
fn create_refuses_bad_targets_with_hints() {
    let env = TestEnv::new();
    let run = cron(&env, &["create", "every 1h", "x", "--deliver", "telegarm"]).code(1);
    assert!(
        run.stderr
            .contains("Error: unknown delivery platform 'telegarm'"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("hint: known platforms: telegram, discord, slack"),
        "{run}"
    );
    let run = cron(&env, &["create", "every 1h", "x", "--deliver", "weixin"]).code(1);
    assert!(
        run.stderr
            .contains("Error: 'weixin' has no home channel to deliver to"),
        "{run}"
    );
    assert!(
        run.stderr.contains("send `/sethome` in the weixin chat"),
        "{run}"
    );
    assert!(run.stderr.contains("WEIXIN_HOME_CHANNEL"), "{run}");
    let run = cron(&env, &["create", "every 1h", "x", "--deliver", "origin"]).code(1);
    assert!(run.stderr.contains("deliver=origin needs a chat"), "{run}");
    assert!(run.stderr.contains("hint: use `--deliver local`"), "{run}");
    let run = cron(&env, &["create", "every fortnight", "x"]).code(1);
    assert!(
        run.stderr
            .contains("Error: Invalid schedule 'every fortnight'"),
        "{run}"
    );
    assert!(
        run.stderr.contains("hint: accepted: interval: `every 30m`"),
        "{run}"
    );
    let run = cron(&env, &["create", "0 25 * * *", "x"]).code(1);
    assert!(run.stderr.contains("Caused by: hour field `25`"), "{run}");
    assert!(
        !env.root().join("cron/jobs.json").exists(),
        "nothing was written"
    );
}

#[test]
fn script_must_exist_under_scripts_dir() {
    let env = TestEnv::new();
    let run = cron(
        &env,
        &[
            "create",
            "every 1h",
            "--script",
            "check_and_send.sh",
            "--no-agent",
        ],
    )
    .code(1);
    assert!(
        run.stderr
            .contains("Error: Script not found: [TMP]/home/.hermes/scripts/check_and_send.sh"),
        "{run}"
    );
    assert!(
        run.stderr.contains("hint: create the script first"),
        "{run}"
    );
    env.write(&env.home().join("elsewhere.sh"), "echo hi\n");
    let run = cron(
        &env,
        &[
            "create",
            "every 1h",
            "--script",
            "../../elsewhere.sh",
            "--no-agent",
        ],
    )
    .code(1);
    assert!(
        run.stderr
            .contains("Blocked: script path resolves outside the scripts directory"),
        "{run}"
    );
    let run = cron(&env, &["create", "every 1h", "--no-agent"]).code(1);
    assert!(run.stderr.contains("--no-agent requires --script"), "{run}");
}

#[test]
fn list_edit_pause_resume_remove() {
    let env = TestEnv::new();
    for skill in ["a", "b", "c"] {
        env.write(
            &env.root().join(format!("skills/{skill}/SKILL.md")),
            &format!("---\nname: {skill}\n---\nDo {skill}.\n"),
        );
    }
    let id = created_id(
        &cron(
            &env,
            &[
                "create",
                "every 30m",
                "Ping",
                "--name",
                "Pinger",
                "--skill",
                "a",
            ],
        )
        .ok(),
    );
    cron(&env, &["create", "in 45m", "Once"]).ok();
    let list = cron(&env, &["list"]).ok();
    assert!(list.stdout.contains(&format!("  {id} [active]")), "{list}");
    assert!(list.stdout.contains("    Name:      Pinger"), "{list}");
    assert!(list.stdout.contains("    Schedule:  once in 45m"), "{list}");
    assert!(list.stdout.contains("    Repeat:    0/1"), "{list}");
    assert!(list.stdout.contains("    Skills:    a"), "{list}");

    let run = cron(
        &env,
        &[
            "edit",
            "pinger",
            "--schedule",
            "0 9 * * mon-fri",
            "--add-skill",
            "b",
            "--repeat",
            "3",
        ],
    )
    .ok();
    assert!(run.stdout.contains(&format!("Updated job: {id}")), "{run}");
    assert!(run.stdout.contains("  Schedule: 0 9 * * mon-fri"), "{run}");
    assert!(run.stdout.contains("  Skills: a, b"), "{run}");
    let run = cron(&env, &["edit", &id, "--clear-skills"]).ok();
    assert!(run.stdout.contains("  Skills: none"), "{run}");

    let run = cron(&env, &["pause", "PINGER"]).ok();
    assert_eq!(run.stdout.trim(), format!("Paused job: Pinger ({id})"));
    assert!(!cron(&env, &["list"]).ok().stdout.contains("Pinger"));
    assert!(
        cron(&env, &["list", "--all"])
            .ok()
            .stdout
            .contains(&format!("  {id} [paused]"))
    );
    let run = cron(&env, &["resume", "pinger"]).ok();
    assert!(run.stdout.contains("Resumed job: Pinger"), "{run}");
    assert!(run.stdout.contains("  Next run: "), "{run}");

    let json = cron(&env, &["list", "--json"]).ok();
    let parsed: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 2);

    cron(&env, &["create", "every 1h", "dup", "--name", "twin"]).ok();
    cron(&env, &["create", "every 1h", "dup", "--name", "Twin"]).ok();
    let run = cron(&env, &["pause", "twin"]).code(1);
    assert!(
        run.stderr
            .contains("Job name 'twin' is ambiguous — matches 2 jobs"),
        "{run}"
    );

    let run = cron(&env, &["rm", "Pinger"]).ok();
    assert_eq!(run.stdout.trim(), format!("Removed job: Pinger ({id})"));
    let run = cron(&env, &["remove", "pinger"]).code(1);
    assert!(run.stderr.contains("Error: Job not found: pinger"), "{run}");
    assert_eq!(jobs(&env).len(), 3);
}

#[test]
fn tick_runs_a_shell_script_job_with_local_delivery() {
    let env = TestEnv::new();
    env.write(
        &env.root().join("scripts/disk.sh"),
        "echo \"disk: 42% used in $(basename \"$PWD\")\"\necho noise >&2\n",
    );
    let id = created_id(
        &cron(
            &env,
            &[
                "create",
                "every 1h",
                "--script",
                "disk.sh",
                "--no-agent",
                "--name",
                "Disk",
            ],
        )
        .ok(),
    );
    let agent = created_id(&cron(&env, &["create", "every 1h", "Summarise the news"]).ok());
    let remote = created_id(
        &cron_with(
            &env,
            &[
                "create",
                "every 1h",
                "--script",
                "disk.sh",
                "--no-agent",
                "--name",
                "Remote",
                "--deliver",
                "telegram",
            ],
            &[("TELEGRAM_HOME_CHANNEL", "-1001")],
        )
        .ok(),
    );

    let run = cron(&env, &["tick"]).ok();
    assert!(run.stderr.contains("No jobs due."), "{run}");

    for j in [&id, &agent, &remote] {
        cron(&env, &["run", j]).ok();
    }
    // Telegram is set up, but its API is unreachable (nothing listens on port 9).
    let run = cron_with(
        &env,
        &["tick"],
        &[
            ("TELEGRAM_HOME_CHANNEL", "-1001"),
            ("TELEGRAM_BASE_URL", "http://127.0.0.1:9"),
        ],
    )
    .ok();
    assert!(
        run.stdout.contains(&format!("Ran job: Disk ({id}) — ok")),
        "{run}"
    );
    assert!(run.stdout.contains("  Delivery: local"), "{run}");
    assert!(
        run.stderr
            .contains("not run (blocked_config): agent jobs need a configured model and key"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("Delivery failed: telegram:-1001: connection to telegram failed"),
        "{run}"
    );

    let out_dir = env.root().join(format!("cron/output/{id}"));
    let files: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let doc = env.read(&files[0]);
    assert!(doc.starts_with("# Cron Job: Disk\n"), "{doc}");
    assert!(doc.contains("**Mode:** no_agent (script)"), "{doc}");
    assert!(doc.ends_with("disk: 42% used in scripts\n"), "{doc}");

    let all = jobs(&env);
    let by_id = |x: &str| all.iter().find(|j| j["id"] == x).unwrap().clone();
    let disk = by_id(&id);
    assert_eq!(disk["last_status"], "ok");
    assert_eq!(disk["last_error"], Value::Null);
    assert_eq!(disk["repeat"]["completed"], 1);
    assert_eq!(disk["state"], "scheduled");
    let agent_job = by_id(&agent);
    assert_eq!(agent_job["last_status"], "blocked_config");
    assert_eq!(
        agent_job["repeat"]["completed"], 0,
        "a blocked job is not consumed"
    );
    let remote_job = by_id(&remote);
    assert_eq!(remote_job["last_status"], "delivery_failed");
    assert_eq!(remote_job["last_error"], Value::Null);
    assert!(
        remote_job["last_delivery_error"]
            .as_str()
            .unwrap()
            .contains("connection to telegram failed")
    );

    let runs = cron(&env, &["runs", "disk"]).ok();
    assert!(
        runs.stdout
            .contains(&format!("ok              job={id}  delivery=local")),
        "{runs}"
    );
    let runs = cron(&env, &["history", "--json"]).ok();
    let rows: Value = serde_json::from_str(&runs.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);

    // Nothing is due any more.
    let run = cron(&env, &["tick"]).ok();
    assert!(!run.stdout.contains("Ran job: Disk"), "{run}");
    let status = cron(&env, &["status"]).ok();
    assert!(
        status
            .stdout
            .contains("✗ Gateway is not running — cron jobs will NOT fire"),
        "{status}"
    );
    assert!(status.stdout.contains("  3 active job(s)"), "{status}");
}

#[test]
fn failing_script_is_recorded_as_an_error() {
    let env = TestEnv::new();
    env.write(
        &env.root().join("scripts/fail.sh"),
        "echo oops >&2\nexit 4\n",
    );
    let id = created_id(
        &cron(
            &env,
            &["create", "every 1h", "--script", "fail.sh", "--no-agent"],
        )
        .ok(),
    );
    cron(&env, &["run", &id]).ok();
    let run = cron(&env, &["tick"]).ok();
    assert!(run.stdout.contains("— error"), "{run}");
    assert!(
        run.stdout.contains("  Error: Script exited with code 4"),
        "{run}"
    );
    let job = jobs(&env).into_iter().next().unwrap();
    assert_eq!(job["last_status"], "error");
    assert_eq!(
        job["last_error"],
        "Script exited with code 4\nstderr:\noops"
    );
    let list = cron(&env, &["list"]).ok();
    assert!(
        list.stdout.contains("error: Script exited with code 4"),
        "{list}"
    );
}

#[test]
fn create_refuses_all_without_homes_unconfigured_platforms_and_unknown_skills() {
    let env = TestEnv::new();
    let run = cron(&env, &["create", "every 1h", "x", "--deliver", "all"]).code(1);
    assert!(
        run.stderr
            .contains("Error: deliver=all sends to every home channel, and no platform has one"),
        "{run}"
    );
    assert!(run.stderr.contains("hint: send `/sethome`"), "{run}");
    let run = cron(
        &env,
        &[
            "create",
            "every 1h",
            "x",
            "--deliver",
            "matrix:!r:example.org",
        ],
    )
    .code(1);
    assert!(
        run.stderr
            .contains("Error: matrix is not configured in this profile"),
        "{run}"
    );
    assert!(run.stderr.contains("hermes gateway setup"), "{run}");
    // A platform whose setup is broken shows its own error as it is.
    let run = cron_with(
        &env,
        &["create", "every 1h", "x", "--deliver", "telegram:5"],
        &[("TELEGRAM_BOT_TOKEN", "xxxxxxxxxxxx")],
    )
    .code(1);
    assert!(
        run.stderr.contains(
            "telegram is not configured in this profile (telegram is enabled but TELEGRAM_BOT_TOKEN is set to a placeholder value"
        ),
        "{run}"
    );
    let run = cron(&env, &["create", "every 1h", "x", "--skill", "ghost"]).code(1);
    assert!(
        run.stderr
            .contains("Error: unknown skill 'ghost': it is not installed in this profile"),
        "{run}"
    );
    assert!(
        !env.root().join("cron/jobs.json").exists(),
        "nothing written"
    );
}

#[test]
fn edit_sets_the_failure_target_and_the_mode_and_list_has_no_placeholders() {
    let env = TestEnv::new();
    env.write(&env.root().join("scripts/disk.sh"), "echo ok\n");
    let id = created_id(&cron(&env, &["create", "every 1h", "Watch", "--name", "w"]).ok());
    cron(
        &env,
        &[
            "edit",
            &id,
            "--failure-deliver",
            "telegram:77",
            "--script",
            "disk.sh",
            "--no-agent",
        ],
    )
    .ok();
    let job = jobs(&env)[0].clone();
    assert_eq!(job["failure_deliver"], "telegram:77", "{job}");
    assert_eq!(job["no_agent"], true, "{job}");
    cron(&env, &["edit", &id, "--agent", "--failure-deliver", ""]).ok();
    let job = jobs(&env)[0].clone();
    assert_eq!(job["no_agent"], false, "{job}");
    assert!(job.get("failure_deliver").is_none(), "{job}");
    let run = cron(&env, &["edit", &id, "--agent", "--no-agent"]).code(2);
    assert!(run.stderr.contains("cannot be used with"), "{run}");

    // A hand-edited record without display text, times or errors.
    env.write(
        &env.root().join("cron/jobs.json"),
        r#"{"jobs": [{"id": "abc123def456", "prompt": "p", "schedule": {"kind": "interval", "minutes": 90},
            "enabled": true, "state": "scheduled", "last_status": "delivery_failed",
            "last_delivery_error": "telegram:5: Forbidden", "deliver": "local"}]}"#,
    );
    let list = cron(&env, &["list"]).ok();
    assert!(!list.stdout.contains('?'), "{list}");
    assert!(list.stdout.contains("    Schedule:  every 90m"), "{list}");
    assert!(
        list.stdout
            .contains("    ⚠ Delivery failed: telegram:5: Forbidden"),
        "{list}"
    );
}
