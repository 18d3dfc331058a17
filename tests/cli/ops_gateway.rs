//! `hermes gateway start|stop|restart|status|list` without a service manager, for real: the
//! detached supervisor, `kill -9` recovery, stale pid files, two profiles, `--all`.

use std::path::Path;
use std::time::{Duration, Instant};

use super::TestEnv;

const NONE: &[(&str, &str)] = &[("HERMES_SERVICE_MANAGER", "none")];

/// Stops every gateway of the home when the test ends, pass or fail.
struct Cleanup<'a>(&'a TestEnv);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.run_with(["gateway", "stop", "--all"], NONE, "");
    }
}

fn pid_in(file: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(file).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["pid"].as_u64().and_then(|p| u32::try_from(p).ok())
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn status_json(env: &TestEnv, profile: Option<&str>) -> serde_json::Value {
    let mut args = Vec::new();
    if let Some(p) = profile {
        args.extend(["-p", p]);
    }
    args.extend(["gateway", "status", "--json"]);
    serde_json::from_str(&env.run_with(args, NONE, "").ok().stdout).unwrap()
}

#[test]
fn detached_gateway_restarts_after_kill_9_then_stops() {
    let env = TestEnv::new();
    let _c = Cleanup(&env);
    let r = env.run_with(["gateway", "start"], NONE, "").ok();
    assert!(
        r.stderr
            .contains("✓ Started the gateway of profile default (PID "),
        "{r}"
    );
    assert!(r.stderr.contains("supervisor PID"), "{r}");
    let first = pid_in(&env.root().join("gateway.pid")).expect("gateway.pid");
    let supervisor = pid_in(&env.root().join("gateway-supervisor.pid")).expect("supervisor pid");

    let st = env.run_with(["gateway", "status"], NONE, "").ok();
    assert!(
        st.stdout
            .contains(&format!("Gateway: running (PID {first}) — profile default")),
        "{st}"
    );
    assert!(
        st.stdout
            .contains(&format!("Supervisor: PID {supervisor} (detached)"))
    );
    assert!(st.stdout.contains("Uptime: "), "{st}");

    // A second start is a no-op that says so.
    let again = env.run_with(["gateway", "start"], NONE, "").ok();
    assert!(again.stderr.contains("already running"), "{again}");

    // kill -9 the gateway: the supervisor starts a new one.
    std::process::Command::new("kill")
        .args(["-9", &first.to_string()])
        .status()
        .unwrap();
    wait_for("a new gateway PID", || {
        let v = status_json(&env, None);
        v["running"] == true && v["pid"].as_u64() != Some(u64::from(first))
    });
    let v = status_json(&env, None);
    assert_eq!(v["supervisor_pid"].as_u64(), Some(u64::from(supervisor)));
    // Only the crash restart counts towards the respawn-storm breaker.
    let starts = env.read(&env.root().join("gateway-starts.log"));
    assert_eq!(starts.lines().count(), 1, "{starts}");
    let log = env.read(&env.root().join("logs/gateway.stdout.log"));
    assert!(
        log.contains(&format!("gateway PID {first} ended (signal 9)")),
        "{log}"
    );

    let second = v["pid"].as_u64().unwrap();
    let stop = env.run_with(["gateway", "stop"], NONE, "").ok();
    assert!(
        stop.stderr.contains(&format!(
            "✓ Stopped the gateway of profile default (PID {second})"
        )),
        "{stop}"
    );
    assert!(!alive(supervisor), "the supervisor exited");
    assert!(!alive(u32::try_from(second).unwrap()));
    assert!(!env.root().join("gateway-supervisor.pid").exists());
    let st = env.run_with(["gateway", "status"], NONE, "").ok();
    assert!(
        st.stdout.contains("Gateway: stopped — profile default"),
        "{st}"
    );
    let again = env.run_with(["gateway", "stop"], NONE, "").ok();
    assert!(
        again
            .stderr
            .contains("No gateway is running for profile default."),
        "{again}"
    );
}

#[test]
fn restart_goes_through_the_supervisor() {
    let env = TestEnv::new();
    let _c = Cleanup(&env);
    env.run_with(["gateway", "start"], NONE, "").ok();
    let first = pid_in(&env.root().join("gateway.pid")).unwrap();
    let supervisor = pid_in(&env.root().join("gateway-supervisor.pid")).unwrap();
    let r = env.run_with(["gateway", "restart"], NONE, "").ok();
    assert!(
        r.stderr
            .contains("✓ Restarted the gateway of profile default"),
        "{r}"
    );
    let second = pid_in(&env.root().join("gateway.pid")).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        pid_in(&env.root().join("gateway-supervisor.pid")),
        Some(supervisor),
        "same supervisor"
    );
    let log = env.read(&env.root().join("logs/gateway.stdout.log"));
    assert!(log.contains("ended (exit 75)"), "{log}");
}

#[test]
fn deliberate_restarts_never_trip_the_storm_breaker_and_start_clears_it() {
    let env = TestEnv::new();
    let _c = Cleanup(&env);
    // A storm window already full of crash restarts (a crash loop that was since fixed).
    #[allow(clippy::cast_precision_loss)]
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let full: String = (0..8)
        .map(|i| format!("{}\n", now - f64::from(i)))
        .collect();
    env.write(&env.root().join("gateway-starts.log"), &full);
    env.run_with(["gateway", "start"], NONE, "").ok();
    assert!(
        !env.root().join("gateway-starts.log").exists(),
        "`gateway start` opens a new window"
    );
    let supervisor = pid_in(&env.root().join("gateway-supervisor.pid")).unwrap();
    // Six restarts in a row, well inside the 120 s window with its limit of 5.
    let mut last = pid_in(&env.root().join("gateway.pid")).unwrap();
    for i in 0..6 {
        let r = env.run_with(["gateway", "restart"], NONE, "");
        assert_eq!(r.code, 0, "restart {i}: {r}");
        let now = pid_in(&env.root().join("gateway.pid")).unwrap();
        assert_ne!(now, last, "restart {i} started a new gateway");
        last = now;
    }
    let v = status_json(&env, None);
    assert_eq!(v["running"], true, "{v}");
    assert_eq!(v["supervisor_pid"].as_u64(), Some(u64::from(supervisor)));
    let log = env.read(&env.root().join("logs/gateway.stdout.log"));
    assert!(!log.contains("respawn storm"), "{log}");
    assert!(!env.root().join("gateway-starts.log").exists());
    // A crash after all that is still restarted, and is the first one counted.
    std::process::Command::new("kill")
        .args(["-9", &last.to_string()])
        .status()
        .unwrap();
    wait_for("the gateway after a crash", || {
        let v = status_json(&env, None);
        v["running"] == true && v["pid"].as_u64() != Some(u64::from(last))
    });
    let starts = env.read(&env.root().join("gateway-starts.log"));
    assert_eq!(starts.lines().count(), 1, "{starts}");
}

#[test]
fn restart_notices_a_supervisor_that_gave_up_instead_of_waiting_out_its_timeout() {
    let env = TestEnv::new();
    let _c = Cleanup(&env);
    env.run_with(["gateway", "start"], NONE, "").ok();
    // The restarted gateway cannot start (its config broke meanwhile): it crashes, is
    // restarted until the storm breaker trips, and the supervisor exits.
    env.write(
        &env.root().join("config.yaml"),
        "model:\n  default: [unclosed\n",
    );
    let r = env.run_with(["gateway", "restart"], NONE, "").code(1);
    assert!(
        r.stderr.contains("the gateway exited during startup"),
        "the supervisor's exit is noticed, not the 30 s timeout: {r}"
    );
    assert!(!r.stderr.contains("did not report running"), "{r}");
    assert!(r.stderr.contains("respawn storm"), "its last lines: {r}");
}

#[test]
fn status_clears_a_stale_pid_file() {
    let env = TestEnv::new();
    env.write(
        &env.root().join("gateway.pid"),
        r#"{"pid": 999999999, "kind": "hermes-gateway", "argv": ["hermes", "gateway", "run"]}"#,
    );
    env.write(&env.root().join("gateway-supervisor.pid"), "999999998");
    let r = env.run_with(["gateway", "status"], NONE, "").ok();
    assert!(
        r.stderr
            .contains("Removed a stale gateway.pid (no gateway was running)."),
        "{r}"
    );
    assert!(
        r.stderr.contains("Removed a stale gateway-supervisor.pid"),
        "{r}"
    );
    assert!(r.stdout.contains("Gateway: stopped — profile default"));
    assert!(!env.root().join("gateway.pid").exists());
    assert!(!env.root().join("gateway-supervisor.pid").exists());
    // A stale file does not block a start either.
    env.write(&env.root().join("gateway.pid"), "999999999");
    let _c = Cleanup(&env);
    env.run_with(["gateway", "start"], NONE, "").ok();
    assert!(pid_in(&env.root().join("gateway.pid")).is_some_and(alive));
}

#[test]
fn two_profiles_with_start_all_list_and_stop_all() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    let _c = Cleanup(&env);
    let r = env.run_with(["gateway", "start", "--all"], NONE, "").ok();
    assert!(
        r.stderr.contains("Started the gateway of profile default"),
        "{r}"
    );
    assert!(
        r.stderr.contains("Started the gateway of profile coder"),
        "{r}"
    );
    let d = pid_in(&env.root().join("gateway.pid")).unwrap();
    let c = pid_in(&env.profile("coder").join("gateway.pid")).unwrap();
    assert_ne!(d, c);

    let list = env.run_with(["gateway", "list"], NONE, "").ok();
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(lines[0].starts_with("PROFILE  GATEWAY  PID"), "{list}");
    assert!(
        lines[1].starts_with("default  running") && lines[1].contains(&d.to_string()),
        "{list}"
    );
    assert!(
        lines[2].starts_with("coder    running") && lines[2].contains(&c.to_string()),
        "{list}"
    );
    let coder = status_json(&env, Some("coder"));
    assert_eq!(coder["pid"].as_u64(), Some(u64::from(c)));

    let stop = env.run_with(["gateway", "stop", "--all"], NONE, "").ok();
    assert!(
        stop.stderr
            .contains("Stopped the gateway of profile default"),
        "{stop}"
    );
    assert!(
        stop.stderr.contains("Stopped the gateway of profile coder"),
        "{stop}"
    );
    let list = env.run_with(["gateway", "list", "--json"], NONE, "").ok();
    let v: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert!(
        v.as_array().unwrap().iter().all(|r| r["running"] == false),
        "{list}"
    );
    let none = env.run_with(["gateway", "stop", "--all"], NONE, "").ok();
    assert!(none.stderr.contains("No gateway was running."), "{none}");
}

#[test]
fn install_without_a_service_manager_explains() {
    let env = TestEnv::new();
    let r = env.run_with(["gateway", "install"], NONE, "").code(1);
    assert!(
        r.stderr.contains("no service manager is available here"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("`hermes gateway start` runs the gateway detached"),
        "{r}"
    );
}

/// Fake `systemctl` and `loginctl` on PATH: they append their arguments to `systemd.log` and
/// answer `is-active` with the content of `active` (`inactive` when the file is missing).
/// Units are written in the temp home (user scope) or `etc/` (`HERMES_SYSTEMD_SYSTEM_DIR`).
struct FakeSystemd {
    bin: std::path::PathBuf,
    log: std::path::PathBuf,
    active: std::path::PathBuf,
    system_dir: std::path::PathBuf,
}

impl FakeSystemd {
    fn new(env: &TestEnv) -> Self {
        let base = env.home().join("fake-systemd");
        let bin = base.join("bin");
        let log = base.join("systemd.log");
        let active = base.join("active");
        let script = format!(
            "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> '{log}'\ncase \"$*\" in\n  *is-active*) cat '{active}' 2>/dev/null || echo inactive ;;\nesac\nexit 0\n",
            log = log.display(),
            active = active.display()
        );
        for name in ["systemctl", "loginctl"] {
            env.write(&bin.join(name), &script);
            std::fs::set_permissions(
                bin.join(name),
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .unwrap();
        }
        Self {
            system_dir: base.join("etc"),
            bin,
            log,
            active,
        }
    }

    /// The environment for a command run with `extra_path` after the fake tools.
    fn env(&self, extra_path: &str) -> Vec<(String, String)> {
        vec![
            ("HERMES_SERVICE_MANAGER".into(), "systemd".into()),
            (
                "HERMES_SYSTEMD_SYSTEM_DIR".into(),
                self.system_dir.display().to_string(),
            ),
            (
                "PATH".into(),
                format!("{}:{extra_path}", self.bin.display()),
            ),
        ]
    }

    fn set_active(&self, active: bool) {
        std::fs::write(&self.active, if active { "active\n" } else { "inactive\n" }).unwrap();
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn run_sd(env: &TestEnv, sd: &[(String, String)], args: &[&str]) -> super::Run {
    let pairs: Vec<(&str, &str)> = sd.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.run_with(args, &pairs, "")
}

#[test]
fn outdated_unit_check_ignores_the_callers_path_and_rewrites_keep_it_and_restart() {
    let env = TestEnv::new();
    let sd = FakeSystemd::new(&env);
    let login_shell = sd.env("/opt/tools/bin:/usr/bin:/bin");
    let cron_shell = sd.env("/usr/bin:/bin");
    let r = run_sd(
        &env,
        &login_shell,
        &["gateway", "install", "--no-start-now"],
    )
    .ok();
    assert!(r.stderr.contains("✓ Installed "), "{r}");
    let unit = env
        .home()
        .join(".config/systemd/user/hermes-gateway.service");
    let text = env.read(&unit);
    assert!(text.contains("/opt/tools/bin:/usr/bin:/bin\""), "{text}");

    // From a shell with a shorter PATH (cron, sudo, ssh): not outdated.
    let st = run_sd(&env, &cron_shell, &["gateway", "status"]).ok();
    assert!(
        st.stdout
            .contains("Service: hermes-gateway (systemd (user)"),
        "{st}"
    );
    assert!(!st.stderr.contains("outdated"), "{st}");
    // `status` only reports linger; it never claims to have tried enabling it.
    assert!(!st.stderr.contains("Auto-enable failed"), "{st}");
    if !std::path::Path::new("/var/lib/systemd/linger/root").exists() {
        assert!(
            st.stderr
                .contains("Systemd linger is off — the gateway will STOP when you log out."),
            "{st}"
        );
    }
    let doc = run_sd(&env, &cron_shell, &["doctor", "--timeout", "1"]);
    assert!(doc.stdout.contains("✓ hermes-gateway installed"), "{doc}");
    assert!(!doc.stdout.contains("is outdated"), "{doc}");
    let again = run_sd(&env, &cron_shell, &["gateway", "install", "--no-start-now"]).ok();
    assert!(
        again.stderr.contains("is installed and up to date"),
        "{again}"
    );

    // A unit an older version wrote, while the service runs: --fix rewrites it, keeps the
    // tool directories on PATH, reloads systemd and restarts the service.
    env.write(&unit, &text.replace("RestartSec=5", "RestartSec=30"));
    sd.set_active(true);
    let doc = run_sd(&env, &cron_shell, &["doctor", "--timeout", "1"]);
    assert!(
        doc.stdout
            .contains("⚠ ~/.config/systemd/user/hermes-gateway.service is outdated"),
        "{doc}"
    );
    let fix = run_sd(&env, &cron_shell, &["doctor", "--fix", "--timeout", "1"]);
    assert!(
        fix.stdout.contains(
            "and ran `systemctl --user daemon-reload`, `systemctl --user restart hermes-gateway.service`"
        ),
        "{fix}"
    );
    let fixed = env.read(&unit);
    assert!(fixed.contains("RestartSec=5\n"), "{fixed}");
    assert!(fixed.contains("/opt/tools/bin"), "PATH kept: {fixed}");

    // install --force on a running service restarts it even with --no-start-now.
    env.write(&unit, &fixed.replace("RestartSec=5", "RestartSec=30"));
    std::fs::remove_file(&sd.log).unwrap();
    let r = run_sd(
        &env,
        &cron_shell,
        &["gateway", "install", "--force", "--no-start-now"],
    )
    .ok();
    assert!(r.stderr.contains("✓ Rewrote the outdated "), "{r}");
    assert!(
        sd.calls()
            .contains("systemctl --user restart hermes-gateway.service"),
        "{}",
        sd.calls()
    );
    assert!(env.read(&unit).contains("/opt/tools/bin"));
}

#[test]
fn system_unit_runs_as_the_named_user_and_is_checked_for_outdatedness() {
    let env = TestEnv::new();
    let sd = FakeSystemd::new(&env);
    let shell = sd.env("/usr/bin:/bin");
    let r = run_sd(
        &env,
        &shell,
        &[
            "gateway",
            "install",
            "--system",
            "--run-as-user",
            "nobody",
            "--no-start-now",
        ],
    )
    .ok();
    assert!(r.stderr.contains("✓ Installed "), "{r}");
    let unit = sd.system_dir.join("hermes-gateway.service");
    let text = env.read(&unit);
    let group = if text.contains("Group=nogroup") {
        "nogroup"
    } else {
        "nobody"
    };
    assert!(
        text.contains(&format!("User=nobody\nGroup={group}\nRestart=always\n")),
        "{text}"
    );
    // The gateway runs in that user's own home (sudo resets $HOME).
    assert!(
        text.contains("Environment=\"HERMES_HOME=/nonexistent/.hermes\"\n"),
        "{text}"
    );
    assert!(text.contains("WantedBy=multi-user.target"), "{text}");
    let calls = sd.calls();
    assert!(
        calls.contains("systemctl daemon-reload\nsystemctl enable hermes-gateway.service\n"),
        "{calls}"
    );
    assert!(
        !calls.contains("loginctl"),
        "no linger for a system unit: {calls}"
    );

    // Checked like a user unit, with the installed User=/Group=.
    let st = run_sd(&env, &shell, &["gateway", "status", "--system"]).ok();
    assert!(st.stdout.contains("(systemd (system)"), "{st}");
    assert!(!st.stderr.contains("outdated"), "{st}");
    env.write(
        &unit,
        &text.replace("TimeoutStopSec=60", "TimeoutStopSec=10"),
    );
    let st = run_sd(&env, &shell, &["gateway", "status", "--system"]).ok();
    assert!(
        st.stderr.contains("The installed service file is outdated"),
        "{st}"
    );
    let doc = run_sd(&env, &shell, &["doctor", "--fix", "--timeout", "1"]);
    assert!(doc.stdout.contains("✓ Fixed: rewrote "), "{doc}");
    let fixed = env.read(&unit);
    assert!(
        fixed.contains("TimeoutStopSec=60") && fixed.contains("User=nobody\n"),
        "{fixed}"
    );
}
