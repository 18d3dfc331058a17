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
    let starts = env.read(&env.root().join("gateway-starts.log"));
    assert_eq!(starts.lines().count(), 2, "{starts}");
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
