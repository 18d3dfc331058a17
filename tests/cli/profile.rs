//! `hermes profile …` end to end, plus `-p` anywhere and the sticky profile.

use crate::{TestEnv, mode};

#[test]
fn create_fresh_profile_lays_out_home_and_wrapper() {
    let env = TestEnv::new();
    env.write(
        &env.root().join("config.yaml"),
        "# mine\nmodel:\n  default: gpt-4o\n  provider: openai\nagent:\n  max_turns: 7\n",
    );
    let r = env.run(["profile", "create", "coder"]).ok();
    assert!(
        r.stderr
            .contains("Profile 'coder' created at [TMP]/home/.hermes/profiles/coder"),
        "{r}"
    );
    assert!(r.stderr.contains("is not in your PATH"), "{r}");
    assert!(r.stderr.contains("coder setup"), "{r}");
    let home = env.profile("coder");
    for d in [
        "memories",
        "sessions",
        "skills",
        "skins",
        "logs",
        "plans",
        "workspace",
        "cron",
        "home",
    ] {
        assert!(home.join(d).is_dir(), "missing {d}");
    }
    assert_eq!(mode(&home.join(".env")), 0o600);
    assert!(
        env.read(&home.join(".env")).starts_with('#'),
        "placeholder .env is comments only"
    );
    assert!(home.join("SOUL.md").is_file());
    assert!(home.join("skills/daily-briefing/SKILL.md").is_file());
    // Only the model block is carried over into a fresh profile.
    let cfg = env.read(&home.join("config.yaml"));
    assert!(
        cfg.contains("default: gpt-4o") && cfg.contains("provider: openai"),
        "{cfg}"
    );
    assert!(!cfg.contains("max_turns"), "{cfg}");
    // The wrapper runs the profile.
    let wrapper = env.home().join(".local/bin/coder");
    assert_eq!(mode(&wrapper) & 0o111, 0o111);
    let r = env.run_program(&wrapper, &["config", "path"], &[]).ok();
    assert_eq!(
        r.stdout.trim(),
        "[TMP]/home/.hermes/profiles/coder/config.yaml"
    );
    // With ~/.local/bin on PATH there is no warning.
    let path = format!("{}:/usr/bin:/bin", env.home().join(".local/bin").display());
    let r = env
        .run_with(
            ["profile", "create", "writer", "--no-skills"],
            &[("PATH", &path)],
            "",
        )
        .ok();
    assert!(!r.stderr.contains("not in your PATH"), "{r}");
    assert!(env.profile("writer").join(".no-bundled-skills").exists());
    assert!(!env.profile("writer").join("skills/daily-briefing").exists());
}

#[test]
fn create_errors_are_clear_and_change_nothing() {
    let env = TestEnv::new();
    let r = env.run(["profile", "create", "bad name"]).code(1);
    assert!(
        r.stderr.contains(
            "Error: Invalid profile name 'bad name'. Must match [a-z0-9][a-z0-9_-]{0,63}"
        ),
        "{r}"
    );
    let r = env.run(["profile", "create", "hermes"]).code(1);
    assert!(r.stderr.contains("is reserved"), "{r}");
    let r = env.run(["profile", "create", "Default"]).code(1);
    assert!(
        r.stderr.contains("Cannot create a profile named 'Default'"),
        "{r}"
    );
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    let r = env.run(["profile", "create", "Coder"]).code(1);
    assert!(r.stderr.contains("Profile 'coder' already exists"), "{r}");
    assert!(r.stderr.contains("hint:"), "{r}");
    let r = env
        .run(["profile", "create", "v", "--clone-from", "nope"])
        .code(1);
    assert!(
        r.stderr.contains("Source profile 'nope' does not exist"),
        "{r}"
    );
    env.run(["profile", "create", "t", "--no-skills", "--clone"])
        .code(2);
    let r = env.run(["profile", "create"]).code(2);
    assert!(r.stderr.contains("<NAME>"), "{r}");
    // Nothing half-made is left behind.
    let names: Vec<String> = std::fs::read_dir(env.root().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["coder"]);
    // A subcommand name gets a profile but no alias.
    let r = env.run(["profile", "create", "chat"]).ok();
    assert!(
        r.stderr
            .contains("Cannot create alias 'chat' — 'chat' conflicts with a hermes subcommand"),
        "{r}"
    );
    assert!(!env.home().join(".local/bin/chat").exists());
    assert!(r.stderr.contains("hermes -p chat setup"), "{r}");
}

#[test]
fn clone_modes_copy_what_they_promise_and_never_channels() {
    let env = TestEnv::new();
    let root = env.root();
    env.write(&root.join("config.yaml"), "model: gpt-4o\ntelegram:\n  require_mention: true\nplatforms:\n  slack: {enabled: true}\nagent:\n  max_turns: 9\n");
    env.write(
        &root.join(".env"),
        "OPENAI_API_KEY=sk-1\nTELEGRAM_BOT_TOKEN=123:abc\nGATEWAY_ALLOWED_USERS=1\n",
    );
    env.write(&root.join("SOUL.md"), "custom soul");
    env.write(&root.join("memories/MEMORY.md"), "remember");
    env.write(
        &root.join("skills/cat/one/SKILL.md"),
        "---\nname: one\n---\n",
    );
    env.write(&root.join("state.db"), "db");
    env.write(&root.join("sessions/s1.json"), "{}");
    env.write(&root.join("cron/jobs.json"), "{\"jobs\": []}");
    env.write(&root.join("gateway.pid"), "1");
    env.write(&root.join("notes/keep.txt"), "extra");

    let r = env
        .run(["profile", "create", "x", "--clone", "--no-alias"])
        .ok();
    assert!(
        r.stderr
            .contains("Messaging channels not cloned: telegram, gateway"),
        "{r}"
    );
    let x = env.profile("x");
    assert_eq!(env.read(&x.join("SOUL.md")), "custom soul");
    assert_eq!(env.read(&x.join("memories/MEMORY.md")), "remember");
    assert!(x.join("skills/cat/one/SKILL.md").exists());
    assert_eq!(env.read(&x.join(".env")), "OPENAI_API_KEY=sk-1\n");
    assert_eq!(mode(&x.join(".env")), 0o600);
    let cfg = env.read(&x.join("config.yaml"));
    assert!(
        cfg.contains("model: gpt-4o") && cfg.contains("max_turns: 9"),
        "{cfg}"
    );
    assert!(!cfg.contains("telegram") && !cfg.contains("slack"), "{cfg}");
    assert!(!x.join("state.db").exists() && !x.join("notes").exists());

    env.run([
        "profile",
        "create",
        "y",
        "--clone-all",
        "--no-alias",
        "--clone-channels",
    ])
    .ok();
    let y = env.profile("y");
    assert!(
        env.read(&y.join(".env"))
            .contains("TELEGRAM_BOT_TOKEN=123:abc")
    );
    assert!(env.read(&y.join("config.yaml")).contains("telegram"));
    assert_eq!(env.read(&y.join("notes/keep.txt")), "extra");
    for gone in [
        "state.db",
        "sessions/s1.json",
        "cron/jobs.json",
        "gateway.pid",
        "profiles",
    ] {
        assert!(!y.join(gone).exists(), "{gone} must not be cloned");
    }

    // --clone-from names the source; the clone of a clone works.
    let r = env
        .run(["profile", "create", "z", "--clone-from", "x", "--no-alias"])
        .ok();
    assert!(r.stderr.contains("from x"), "{r}");
    assert_eq!(env.read(&env.profile("z").join("SOUL.md")), "custom soul");
}

#[test]
fn profile_flag_anywhere_sticky_profile_and_trusted_home() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    let coder_cfg = "[TMP]/home/.hermes/profiles/coder/config.yaml";
    let root_cfg = "[TMP]/home/.hermes/config.yaml";
    for args in [
        vec!["-p", "coder", "config", "path"],
        vec!["config", "-p", "coder", "path"],
        vec!["config", "path", "-p", "coder"],
        vec!["config", "path", "--profile=coder"],
        vec!["--profile", "Coder", "config", "path"],
    ] {
        assert_eq!(env.run(&args).ok().stdout.trim(), coder_cfg, "{args:?}");
    }
    assert_eq!(env.run(["config", "path"]).ok().stdout.trim(), root_cfg);

    let r = env.run(["profile", "use", "coder"]).ok();
    assert!(r.stderr.contains("Switched to: coder"), "{r}");
    assert_eq!(env.read(&env.root().join("active_profile")), "coder\n");
    assert_eq!(env.run(["config", "path"]).ok().stdout.trim(), coder_cfg);
    // -p default beats the sticky profile.
    assert_eq!(
        env.run(["-p", "default", "config", "path"])
            .ok()
            .stdout
            .trim(),
        root_cfg
    );
    // A supervisor marker ignores the sticky profile (units hard-code the root).
    let r = env
        .run_with(["config", "path"], &[("HERMES_SUPERVISED_CHILD", "1")], "")
        .ok();
    assert_eq!(r.stdout.trim(), root_cfg);
    // HERMES_HOME pointing at the root still honours the sticky profile (#22502) …
    let root = env.root().display().to_string();
    let r = env
        .run_with(["config", "path"], &[("HERMES_HOME", &root)], "")
        .ok();
    assert_eq!(r.stdout.trim(), coder_cfg);
    // … while a HERMES_HOME inside profiles/ is trusted as-is.
    env.run(["profile", "create", "work", "--no-alias"]).ok();
    let work = env.profile("work").display().to_string();
    let r = env
        .run_with(["config", "path"], &[("HERMES_HOME", &work)], "")
        .ok();
    assert_eq!(
        r.stdout.trim(),
        "[TMP]/home/.hermes/profiles/work/config.yaml"
    );

    let r = env.run(["profile", "use", "default"]).ok();
    assert!(r.stderr.contains("Switched to: default"), "{r}");
    assert!(!env.root().join("active_profile").exists());

    let r = env.run(["-p", "ghost", "config", "path"]).code(1);
    assert!(
        r.stderr.contains(
            "Error: Profile 'ghost' does not exist. Create it with: hermes profile create ghost"
        ),
        "{r}"
    );
    let r = env.run(["config", "path", "-p"]).code(2);
    assert!(r.stderr.contains("needs a profile name"), "{r}");
    let r = env.run(["profile", "use", "ghost"]).code(1);
    assert!(r.stderr.contains("does not exist"), "{r}");

    // A sticky profile that was removed by hand warns and falls back instead of failing.
    env.write(&env.root().join("active_profile"), "vanished\n");
    let r = env.run(["config", "path"]).ok();
    assert_eq!(r.stdout.trim(), root_cfg);
    assert!(
        r.stderr
            .contains("active profile 'vanished' no longer exists"),
        "{r}"
    );
}

#[test]
fn list_and_show_report_model_alias_and_gateway() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder"]).ok();
    env.run(["-p", "coder", "config", "set", "model.default", "claude-x"])
        .ok();
    env.run([
        "-p",
        "coder",
        "config",
        "set",
        "model.provider",
        "anthropic",
    ])
    .ok();
    env.run(["profile", "use", "coder"]).ok();
    let r = env.run(["profile", "list"]).ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["PROFILE", "MODEL", "GATEWAY", "ALIAS"]
    );
    assert!(
        lines[2].starts_with('*')
            && lines[2].contains("coder")
            && lines[2].contains("claude-x")
            && lines[2].contains("stopped"),
        "{r}"
    );
    let r = env.run(["profile", "list", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[1]["name"], "coder");
    assert_eq!(v[1]["active"], true);
    assert_eq!(v[1]["alias"], "[TMP]/home/.local/bin/coder");

    let r = env.run(["profile", "show", "coder"]).ok();
    assert!(r.stdout.contains("Model:    claude-x (anthropic)"), "{r}");
    assert!(r.stdout.contains("Service:  hermes-gateway-coder"), "{r}");
    assert!(
        r.stdout.contains("Alias:    coder → hermes -p coder"),
        "{r}"
    );
    let r = env.run(["profile", "show", "--json"]).ok();
    assert!(r.stdout.contains("\"skills\": 2"), "{r}");
    env.run(["profile", "show", "nope"]).code(1);
}

#[test]
fn delete_asks_for_the_name_and_cleans_up() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder"]).ok();
    env.run(["profile", "use", "coder"]).ok();
    let r = env
        .run_with(["profile", "delete", "coder"], &[], "wrong\n")
        .code(130);
    assert!(r.stderr.contains("Type 'coder' to confirm: "), "{r}");
    assert!(r.stderr.contains("nothing was deleted"), "{r}");
    assert!(env.profile("coder").is_dir());
    env.run_with(["profile", "delete", "coder"], &[], "")
        .code(130);
    let r = env
        .run_with(["profile", "delete", "coder"], &[], "coder\n")
        .ok();
    assert!(r.stderr.contains("Profile 'coder' deleted."), "{r}");
    assert!(r.stderr.contains("Active profile reset to default"), "{r}");
    assert!(!env.profile("coder").exists());
    assert!(!env.home().join(".local/bin/coder").exists());
    assert!(!env.root().join("active_profile").exists());

    env.run(["profile", "create", "tmpx", "--no-alias"]).ok();
    env.run(["profile", "delete", "tmpx", "--no-input"]).code(1);
    env.run(["profile", "delete", "tmpx", "-y"]).ok();
    assert!(!env.profile("tmpx").exists());
    let r = env.run(["profile", "delete", "default", "-y"]).code(1);
    assert!(
        r.stderr.contains("Cannot delete the default profile"),
        "{r}"
    );
    env.run(["profile", "delete", "nope", "-y"]).code(1);
}

#[test]
fn delete_removes_an_installed_user_unit() {
    let env = TestEnv::new();
    env.run(["profile", "create", "svc", "--no-alias"]).ok();
    let unit = env
        .home()
        .join(".config/systemd/user/hermes-gateway-svc.service");
    env.write(&unit, "[Service]\nExecStart=/bin/true\n");
    let r = env.run(["profile", "delete", "svc", "-y"]).ok();
    assert!(r.stderr.contains("hermes-gateway-svc.service"), "{r}");
    assert!(!unit.exists());
}

#[test]
fn rename_moves_everything_that_names_the_profile() {
    let env = TestEnv::new();
    env.run(["profile", "create", "zed"]).ok();
    env.run(["profile", "use", "zed"]).ok();
    env.write(&env.profile("zed").join("sessions/sessions.json"), r#"{"agent:zed:telegram:dm:1": {"session_id": "a"}, "agent:main:telegram:dm:2": {"session_id": "b"}}"#);
    let r = env.run(["profile", "rename", "zed", "zork"]).ok();
    assert!(r.stderr.contains("Renamed zed → zork"), "{r}");
    assert!(r.stderr.contains("Alias updated: zork"), "{r}");
    assert!(r.stderr.contains("Active profile updated: zork"), "{r}");
    assert!(!env.profile("zed").exists() && env.profile("zork").is_dir());
    assert!(!env.home().join(".local/bin/zed").exists());
    assert!(env.home().join(".local/bin/zork").exists());
    assert_eq!(env.read(&env.root().join("active_profile")), "zork\n");
    let idx = env.read(&env.profile("zork").join("sessions/sessions.json"));
    assert!(
        idx.contains("agent:zork:telegram:dm:1") && idx.contains("agent:main:telegram:dm:2"),
        "{idx}"
    );

    env.run(["profile", "create", "other", "--no-alias"]).ok();
    assert!(
        env.run(["profile", "rename", "zork", "other"])
            .code(1)
            .stderr
            .contains("already exists")
    );
    assert!(
        env.run(["profile", "rename", "nope", "q"])
            .code(1)
            .stderr
            .contains("does not exist")
    );
    assert!(
        env.run(["profile", "rename", "default", "q"])
            .code(1)
            .stderr
            .contains("Cannot rename the default profile")
    );
    assert!(
        env.run(["profile", "rename", "zork", "default"])
            .code(1)
            .stderr
            .contains("reserved")
    );
}

#[test]
fn alias_create_remove_and_collisions() {
    let env = TestEnv::new();
    env.run(["profile", "create", "x", "--no-alias"]).ok();
    let r = env.run(["profile", "alias", "x", "--name", "xx"]).ok();
    assert!(
        r.stderr.contains("Alias created: [TMP]/home/.local/bin/xx"),
        "{r}"
    );
    let out = env
        .run_program(&env.home().join(".local/bin/xx"), &["config", "path"], &[])
        .ok();
    assert!(out.stdout.contains("profiles/x/config.yaml"), "{out}");
    assert!(
        env.run(["profile", "show", "x"])
            .ok()
            .stdout
            .contains("Alias:    xx → hermes -p x")
    );
    let r = env
        .run(["profile", "alias", "x", "--name", "xx", "--remove"])
        .ok();
    assert!(r.stderr.contains("Removed alias 'xx'"), "{r}");
    let r = env
        .run(["profile", "alias", "x", "--name", "xx", "--remove"])
        .ok();
    assert!(r.stderr.contains("No alias 'xx' found to remove."), "{r}");
    let r = env.run(["profile", "alias", "x", "--name", "chat"]).code(1);
    assert!(
        r.stderr.contains("conflicts with a hermes subcommand"),
        "{r}"
    );
    let r = env.run(["profile", "alias", "x", "--name", "ls"]).code(1);
    assert!(
        r.stderr
            .contains("conflicts with an existing command (/usr/bin/ls)"),
        "{r}"
    );
    assert!(
        env.run(["profile", "alias", "nope"])
            .code(1)
            .stderr
            .contains("does not exist")
    );
}

#[test]
fn wrapper_carries_a_custom_root() {
    // Upstream #28292: a wrapper made under a custom HERMES_HOME must keep using it.
    let env = TestEnv::new();
    let custom = env.home().join("elsewhere");
    let custom_s = custom.display().to_string();
    env.run_with(
        ["profile", "create", "bot"],
        &[("HERMES_HOME", &custom_s)],
        "",
    )
    .ok();
    assert!(custom.join("profiles/bot").is_dir());
    let wrapper = env.home().join(".local/bin/bot");
    assert!(env.read(&wrapper).contains("HERMES_HOME="));
    let r = env.run_program(&wrapper, &["config", "path"], &[]).ok();
    assert_eq!(
        r.stdout.trim(),
        "[TMP]/home/elsewhere/profiles/bot/config.yaml"
    );
}

#[test]
fn export_and_import_round_trip_without_secrets() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    env.run([
        "-p",
        "coder",
        "config",
        "set",
        "OPENAI_API_KEY",
        "sk-secret",
    ])
    .ok();
    env.write(&env.profile("coder").join("auth.json"), "{\"t\": 1}");
    env.write(&env.profile("coder").join("memories/USER.md"), "likes tea");
    let r = env
        .run(["profile", "export", "coder", "-o", "out.tar.gz"])
        .ok();
    assert!(
        r.stderr.contains("Exported 'coder' to [TMP]/out.tar.gz"),
        "{r}"
    );
    let archive = env.home().parent().unwrap().join("out.tar.gz");
    let listing = std::process::Command::new("tar")
        .arg("tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.contains("coder/memories/USER.md"), "{listing}");
    assert!(
        !listing.contains(".env") && !listing.contains("auth.json"),
        "{listing}"
    );

    let a = archive.display().to_string();
    let r = env.run(["profile", "import", &a, "--name", "copy"]).ok();
    assert!(r.stderr.contains("Imported profile 'copy'"), "{r}");
    assert_eq!(
        env.read(&env.profile("copy").join("memories/USER.md")),
        "likes tea"
    );
    assert!(
        !env.read(&env.profile("copy").join(".env"))
            .contains("sk-secret")
    );
    assert!(
        env.run(["profile", "import", &a, "--name", "copy"])
            .code(1)
            .stderr
            .contains("already exists")
    );
    assert!(
        env.run(["profile", "import", &a, "--name", "default"])
            .code(1)
            .stderr
            .contains("default profile cannot be imported")
    );
    assert!(
        env.run(["profile", "import", "missing.tar.gz"])
            .code(1)
            .stderr
            .contains("Archive not found")
    );
    let junk = env.home().join("junk.tar.gz");
    env.write(&junk, "not gzip");
    let r = env
        .run(["profile", "import", &junk.display().to_string()])
        .code(1);
    assert!(r.stderr.contains("is not a profile archive"), "{r}");
    assert!(
        env.run(["profile", "export", "nope"])
            .code(1)
            .stderr
            .contains("does not exist")
    );
}

#[test]
fn create_description_is_saved_and_shown() {
    let env = TestEnv::new();
    env.run([
        "profile",
        "create",
        "coder",
        "--no-alias",
        "--description",
        "Writes code: reviews, fixes and refactors.",
    ])
    .ok();
    let meta = env.read(&env.profile("coder").join("profile.yaml"));
    assert_eq!(
        meta.trim(),
        "description: 'Writes code: reviews, fixes and refactors.'"
    );
    let r = env.run(["profile", "show", "coder"]).ok();
    assert!(
        r.stdout
            .contains("About:    Writes code: reviews, fixes and refactors."),
        "{r}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&env.run(["profile", "show", "coder", "--json"]).ok().stdout).unwrap();
    assert_eq!(
        v["description"],
        "Writes code: reviews, fixes and refactors."
    );
    // Without the flag there is no profile.yaml and no About line.
    env.run(["profile", "create", "plain", "--no-alias"]).ok();
    assert!(!env.profile("plain").join("profile.yaml").exists());
    let r = env.run(["profile", "show", "plain"]).ok();
    assert!(!r.stdout.contains("About:"), "{r}");
}

/// A live process that `gateway.pid` can name; killed when dropped.
struct FakeProcess(std::process::Child);

impl FakeProcess {
    /// `sleep 300` whose command line reads `argv0 300`.
    fn spawn(argv0: &str) -> Self {
        use std::os::unix::process::CommandExt;
        Self(
            std::process::Command::new("sleep")
                .arg0(argv0)
                .arg("300")
                .spawn()
                .expect("spawn sleep"),
        )
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Field 22 of /proc/<pid>/stat: what the gateway records to tell a reused pid apart.
    fn start_time(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 1..];
        after.split_whitespace().nth(19).unwrap().parse().unwrap()
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn list_and_show_report_a_running_gateway_by_its_pid_file() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    env.run(["profile", "create", "writer", "--no-alias"]).ok();
    // The record a running gateway writes (src/gateway/pid.rs): a live pid whose start time
    // matches and whose command line is a hermes gateway.
    let gateway = FakeProcess::spawn("hermes-gateway");
    env.write(
        &env.profile("coder").join("gateway.pid"),
        &serde_json::json!({
            "pid": gateway.pid(),
            "kind": "hermes-gateway",
            "argv": ["hermes", "gateway", "run"],
            "start_time": gateway.start_time(),
            "hermes_home": env.profile("coder").display().to_string(),
        })
        .to_string(),
    );
    // A live process that is not a gateway (a reused pid) counts as stopped.
    let other = FakeProcess::spawn("sleep");
    env.write(
        &env.profile("writer").join("gateway.pid"),
        &other.pid().to_string(),
    );
    let r = env.run(["profile", "list"]).ok();
    let row = |name: &str| {
        r.stdout
            .lines()
            .find(|l| l.trim_start_matches('*').split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} row\n{r}"))
            .to_string()
    };
    assert!(
        row("coder").contains(&format!("running (PID {})", gateway.pid())),
        "{r}"
    );
    assert!(row("writer").contains("stopped"), "{r}");
    assert!(row("default").contains("stopped"), "{r}");
    let v: serde_json::Value =
        serde_json::from_str(&env.run(["profile", "list", "--json"]).ok().stdout).unwrap();
    assert_eq!(v[1]["gateway_pid"], gateway.pid());
    assert!(v[2]["gateway_pid"].is_null());
    let r = env.run(["profile", "show", "coder"]).ok();
    assert!(
        r.stdout
            .contains(&format!("Gateway:  running (PID {})", gateway.pid())),
        "{r}"
    );
    // A start time that does not match is a reused pid: stopped.
    env.write(
        &env.profile("coder").join("gateway.pid"),
        &serde_json::json!({"pid": gateway.pid(), "start_time": gateway.start_time() + 1})
            .to_string(),
    );
    assert!(
        env.run(["profile", "show", "coder"])
            .ok()
            .stdout
            .contains("Gateway:  stopped")
    );
    // Renaming a profile whose gateway runs is refused.
    env.write(
        &env.profile("coder").join("gateway.pid"),
        &gateway.pid().to_string(),
    );
    let r = env.run(["profile", "rename", "coder", "coder2"]).code(1);
    assert!(
        r.stderr
            .contains(&format!("is running (PID {})", gateway.pid())),
        "{r}"
    );
}

#[test]
fn gateway_commands_under_systemd_ignore_the_sticky_profile() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    env.run(["profile", "use", "coder"]).ok();
    let status = |extra: &[(&str, &str)]| -> serde_json::Value {
        serde_json::from_str(
            &env.run_with(["gateway", "status", "--json"], extra, "")
                .ok()
                .stdout,
        )
        .unwrap()
    };
    assert_eq!(status(&[])["profile"], "coder");
    // systemd sets INVOCATION_ID for every unit it starts: a unit names its profile with -p,
    // so a gateway command it runs must not follow the sticky file.
    assert_eq!(
        status(&[("INVOCATION_ID", "0123abcd")])["profile"],
        "default"
    );
    // -p still wins under systemd.
    let v: serde_json::Value = serde_json::from_str(
        &env.run_with(
            ["-p", "coder", "gateway", "status", "--json"],
            &[("INVOCATION_ID", "0123abcd")],
            "",
        )
        .ok()
        .stdout,
    )
    .unwrap();
    assert_eq!(v["profile"], "coder");
    // Other commands run from a systemd unit (a timer, a login session's shell) still use it.
    let r = env
        .run_with(["config", "path"], &[("INVOCATION_ID", "0123abcd")], "")
        .ok();
    assert_eq!(
        r.stdout.trim(),
        "[TMP]/home/.hermes/profiles/coder/config.yaml"
    );
}

#[test]
fn clone_all_copies_auth_json_privately_and_clone_does_not() {
    let env = TestEnv::new();
    let auth = env.root().join("auth.json");
    let text = "{\"providers\": {\"nous\": {\"access_token\": \"a\"}}}\n";
    env.write(&auth, text);
    std::fs::set_permissions(&auth, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    // Like upstream, a full clone keeps the source's credentials (the clone is meant to work
    // at once), and only its owner can read them.
    env.run(["profile", "create", "full", "--clone-all", "--no-alias"])
        .ok();
    let copied = env.profile("full").join("auth.json");
    assert_eq!(env.read(&copied), text);
    assert_eq!(mode(&copied), 0o600);
    // --clone copies config, .env, SOUL.md, memories and skills only.
    env.run(["profile", "create", "cfg", "--clone", "--no-alias"])
        .ok();
    assert!(!env.profile("cfg").join("auth.json").exists());
}

#[test]
fn default_profile_refusals_suggest_commands_that_exist() {
    let env = TestEnv::new();
    // Upstream refuses to rename `default` too; the hint offers a named copy instead.
    let r = env.run(["profile", "rename", "default", "main"]).code(1);
    assert!(
        r.stderr
            .contains("Error: Cannot rename the default profile.\nhint: `default` is the root home itself (~/.hermes) and keeps its name; to copy it under a new name: `hermes profile create main --clone-all`"),
        "{r}"
    );
    let r = env.run(["profile", "delete", "default", "-y"]).code(1);
    assert!(
        r.stderr.contains("hint: to remove everything, stop the gateway service with `hermes gateway uninstall`, then delete ~/.hermes"),
        "{r}"
    );
    env.run(["profile", "create", "x", "--no-alias"]).ok();
    let archive = env.home().join("x.tar.gz");
    env.run([
        "profile",
        "export",
        "x",
        "-o",
        &archive.display().to_string(),
    ])
    .ok();
    let r = env
        .run([
            "profile",
            "import",
            &archive.display().to_string(),
            "--name",
            "default",
        ])
        .code(1);
    assert!(
        r.stderr
            .contains("hint: import it under another name: `--name NAME`"),
        "{r}"
    );
    // No hint names a command this binary does not have.
    env.run(["gateway", "uninstall", "--help"]).ok();
    env.run(["profile", "create", "--help"]).ok();
    for run in [
        env.run(["profile", "rename", "default", "main"]),
        env.run(["profile", "delete", "default", "-y"]),
    ] {
        assert!(!run.stderr.contains("`hermes uninstall`"), "{run}");
    }
}
