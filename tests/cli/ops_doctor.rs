//! `hermes doctor`: each trouble is created in a temp home, then the finding and what
//! `--fix` does about it are asserted. Probes go to fake servers on 127.0.0.1.

use super::ops_http::FakeHttp;
use super::{Run, TestEnv, mode};

const NONE: (&str, &str) = ("HERMES_SERVICE_MANAGER", "none");

fn doctor(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> Run {
    let mut all = vec!["doctor", "--timeout", "3"];
    all.extend(args);
    let mut e = vec![NONE];
    e.extend(extra);
    env.run_with(all, &e, "")
}

/// A model server whose `/v1/models` answers `status`.
fn model(env: &TestEnv, status: u16) -> FakeHttp {
    let fake = FakeHttp::start(vec![(
        "/v1/models".into(),
        status,
        br#"{"data":[{"id":"m"}]}"#.to_vec(),
    )]);
    env.run(["config", "set", "model.provider", "custom"]).ok();
    env.run([
        "config",
        "set",
        "model.base_url",
        &format!("{}/v1", fake.url),
    ])
    .ok();
    env.run(["config", "set", "model.default", "m"]).ok();
    fake
}

#[test]
fn a_healthy_home_passes_after_fix_creates_the_directories() {
    let env = TestEnv::new();
    let fake = model(&env, 200);
    let first = doctor(&env, &["--fix"], &[]).ok();
    assert!(first.stdout.contains("✓ Fixed: created "), "{first}");
    assert!(first.stdout.contains("  Fixed 1 issue(s).\n"), "{first}");
    let r = doctor(&env, &[], &[]).ok();
    assert!(r.stdout.contains("🩺 Hermes Doctor"), "{r}");
    assert!(r.stdout.contains("◆ Configuration Files"), "{r}");
    assert!(
        r.stdout
            .contains(&format!("✓ {}/v1 answers (HTTP 200)", fake.url)),
        "{r}"
    );
    assert!(r.stdout.contains("  All checks passed! 🎉"), "{r}");
    assert!(fake.hits().contains(&"/v1/models".to_string()));
}

#[test]
fn env_permissions_are_fixed_to_0600() {
    let env = TestEnv::new();
    let _fake = model(&env, 200);
    let file = env.root().join(".env");
    env.write(&file, "OPENROUTER_API_KEY=sk-or-abcdefghijklmnop\n");
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let r = doctor(&env, &[], &[]).ok();
    assert!(
        r.stdout
            .contains("⚠ ~/.hermes/.env is readable by others (mode 644); it holds your keys"),
        "{r}"
    );
    assert!(r.stdout.contains("Found 2 issue(s) to address:"), "{r}");
    assert!(r.stdout.contains("chmod 600 ~/.hermes/.env"), "{r}");
    assert!(
        r.stdout
            .contains("Tip: run 'hermes doctor --fix' to auto-fix what's possible."),
        "{r}"
    );
    let f = doctor(&env, &["--fix"], &[]).ok();
    assert!(f.stdout.contains("✓ Fixed: chmod 600 "), "{f}");
    assert!(f.stdout.contains("Fixed 2 issue(s)."), "{f}");
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn broken_config_is_a_failure_with_line_and_column_and_exit_1() {
    let env = TestEnv::new();
    env.write(
        &env.root().join("config.yaml"),
        "model:\n  default: [unclosed\n",
    );
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout
            .contains("✗ ~/.hermes/config.yaml does not parse: line "),
        "{r}"
    );
    assert!(r.stdout.contains(", column "), "{r}");
}

#[test]
fn unknown_keys_bad_time_zone_and_missing_provider() {
    let env = TestEnv::new();
    env.write(
        &env.root().join("config.yaml"),
        "gatewy:\n  port: 1\ntimezone: Mars/Base\n",
    );
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout.contains("⚠ Unknown config key `gatewy.port`"),
        "{r}"
    );
    assert!(
        r.stdout.contains("✗ Time zone `Mars/Base` is not valid"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("✗ no model provider is configured (no API key is set)"),
        "{r}"
    );
}

#[test]
fn rejected_and_unreachable_provider() {
    let env = TestEnv::new();
    let _fake = model(&env, 401);
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout.contains("✗ custom rejected the key (HTTP 401)"),
        "{r}"
    );
    // Offline is a warning, not a failure.
    env.run(["config", "set", "model.base_url", "http://127.0.0.1:9/v1"])
        .ok();
    let r = doctor(&env, &[], &[]).ok();
    assert!(
        r.stdout
            .contains("⚠ Could not reach http://127.0.0.1:9/v1 (connection failed); offline?"),
        "{r}"
    );
}

#[test]
fn telegram_credentials_allowlist_and_pending_pairing() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    let tg = FakeHttp::start(vec![(
        "/bot123456:GOODTOKENGOODTOKEN/getMe".into(),
        200,
        br#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"B","username":"good_bot"}}"#
            .to_vec(),
    )]);
    env.write(
        &env.root().join(".env"),
        &format!(
            "TELEGRAM_BOT_TOKEN=123456:GOODTOKENGOODTOKEN\nTELEGRAM_BASE_URL={}\n",
            tg.url
        ),
    );
    let r = doctor(&env, &[], &[]).ok();
    assert!(
        r.stdout
            .contains("✓ telegram: credentials accepted (@good_bot)"),
        "{r}"
    );
    assert!(r.stdout.contains("⚠ telegram: no user allowlists configured and nobody is paired — all unauthorized users will be denied"), "{r}");
    assert!(
        r.stdout
            .contains("⚠ Gateway is not running: messages to your bots go unanswered"),
        "{r}"
    );

    // A pending request, and an allowlist.
    let paths = hermes::home::HermesPaths::at(&env.root(), &env.home());
    hermes::auth::PairingStore::open(&paths)
        .request_code("telegram", "42", "ann", hermes::auth::now())
        .unwrap();
    env.run(["config", "set", "TELEGRAM_ALLOWED_USERS", "7"])
        .ok();
    let r = doctor(&env, &[], &[]).ok();
    assert!(
        r.stdout
            .contains("⚠ 1 pairing request(s) waiting for approval"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("✓ telegram: 1 user(s) allowed, 0 paired (DMs: pairing)"),
        "{r}"
    );

    // A revoked token.
    tg.route(
        "/bot123456:GOODTOKENGOODTOKEN/getMe",
        401,
        br#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#.to_vec(),
    );
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout
            .contains("✗ telegram: TELEGRAM_BOT_TOKEN was rejected"),
        "{r}"
    );
}

#[test]
fn the_same_bot_token_in_two_profiles() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    let token = "TELEGRAM_BOT_TOKEN=999:SHAREDSHAREDSHARED\nTELEGRAM_BASE_URL=http://127.0.0.1:9\n";
    env.write(&env.root().join(".env"), token);
    env.write(&env.profile("coder").join(".env"), token);
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout
            .contains("✗ TELEGRAM_BOT_TOKEN is the same in profiles default and coder"),
        "{r}"
    );
}

#[test]
fn stale_pid_is_removed_by_fix() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    env.write(&env.root().join("gateway.pid"), "999999999");
    let r = doctor(&env, &[], &[]).ok();
    assert!(
        r.stdout
            .contains("⚠ Stale gateway.pid: PID 999999999 is not running"),
        "{r}"
    );
    let f = doctor(&env, &["--fix"], &[]).ok();
    assert!(f.stdout.contains("✓ Fixed: removed the stale "), "{f}");
    assert!(!env.root().join("gateway.pid").exists());
}

#[test]
fn outdated_systemd_unit_is_rewritten_and_linger_reported() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    let unit = env
        .home()
        .join(".config/systemd/user/hermes-gateway.service");
    env.write(&unit, "[Unit]\nDescription=old\n");
    let sd = [("HERMES_SERVICE_MANAGER", "systemd")];
    let r = env.run_with(["doctor", "--timeout", "3"], &sd, "").ok();
    assert!(
        r.stdout
            .contains("✓ hermes-gateway installed (~/.config/systemd/user/hermes-gateway.service)"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("⚠ ~/.config/systemd/user/hermes-gateway.service is outdated"),
        "{r}"
    );
    // Root has no linger flag in this sandbox.
    if !std::path::Path::new("/var/lib/systemd/linger/root").exists() {
        assert!(r.stdout.contains("⚠ Systemd linger disabled"), "{r}");
    }
    let f = env
        .run_with(["doctor", "--fix", "--timeout", "3"], &sd, "")
        .ok();
    assert!(f.stdout.contains("✓ Fixed: rewrote "), "{f}");
    let text = env.read(&unit);
    assert!(
        text.contains("ExecStart=") && text.contains("gateway run --replace"),
        "{text}"
    );
    assert_eq!(mode(&unit), 0o644);
}

#[test]
fn exposed_api_server_hub_key_and_port_in_use() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    env.write(
        &env.root().join(".env"),
        "API_SERVER_ENABLED=true\nAPI_SERVER_HOST=0.0.0.0\n",
    );
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout
            .contains("✗ API server listens on 0.0.0.0:8642 without API_SERVER_KEY"),
        "{r}"
    );

    env.run(["config", "set", "API_SERVER_KEY", "changeme"])
        .ok();
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout.contains("with a placeholder API_SERVER_KEY"),
        "{r}"
    );

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    env.run(["config", "set", "API_SERVER_HOST", "127.0.0.1"])
        .ok();
    env.run(["config", "set", "API_SERVER_PORT", &port]).ok();
    env.run([
        "config",
        "set",
        "API_SERVER_KEY",
        "3f9a0c1b2d4e5f60718293a4b5c6d7e8",
    ])
    .ok();
    env.run([
        "config",
        "set",
        "HERMES_API_KEY",
        "another-key-entirely-0000",
    ])
    .ok();
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout.contains(&format!(
            "✗ Port {port} is in use by another process; the API server will not start"
        )),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("⚠ HERMES_API_KEY differs from API_SERVER_KEY"),
        "{r}"
    );
    drop(busy);
    let r = doctor(&env, &[], &[]);
    assert!(r.stdout.contains(&format!("✓ Port {port} is free")), "{r}");
}

#[test]
fn cron_missing_script_and_unset_home_channel() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    let job = |id: &str, script: &str, deliver: &str| {
        format!(
            r#"{{"id": "{id}", "name": "{id}", "prompt": "hi", "script": {script}, "schedule": {{"kind": "interval", "minutes": 60, "display": "every 60m"}}, "enabled": true, "deliver": "{deliver}"}}"#
        )
    };
    env.write(
        &env.root().join("cron/jobs.json"),
        &format!(
            r#"{{"jobs": [{}, {}]}}"#,
            job("checker", "\"check_and_send.sh\"", "local"),
            job("digest", "null", "telegram")
        ),
    );
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout
            .contains("✗ Cron job 'checker' runs check_and_send.sh, which does not exist"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("⚠ Cron job 'digest' delivers to telegram, but telegram has no home channel"),
        "{r}"
    );
    env.write(&env.root().join("scripts/check_and_send.sh"), "echo hi\n");
    env.run(["config", "set", "TELEGRAM_HOME_CHANNEL", "-1001"])
        .ok();
    let r = doctor(&env, &[], &[]);
    assert!(!r.stdout.contains("Cron job '"), "{r}");
    assert!(r.stdout.contains("✓ 2 cron job(s), 2 enabled"), "{r}");
}

#[test]
fn local_bin_missing_from_path_with_alias_wrappers() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    env.run(["profile", "create", "coder"]).ok();
    let r = doctor(&env, &[], &[]).ok();
    assert!(
        r.stdout.contains(
            "⚠ ~/.local/bin is not on PATH: the alias wrappers (coder) will not be found"
        ),
        "{r}"
    );
    let path = format!("{}/.local/bin:/usr/bin:/bin", env.home().display());
    let r = doctor(&env, &[], &[("PATH", &path)]).ok();
    assert!(
        r.stdout
            .contains("✓ ~/.local/bin is on PATH (aliases: coder)"),
        "{r}"
    );
}

#[test]
fn json_output_lists_findings_and_fixes() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    env.write(&env.root().join("gateway.pid"), "999999999");
    let r = doctor(&env, &["--json", "--fix"], &[]).ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let stale = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "gateway.stale_pid")
        .unwrap();
    assert_eq!(stale["fixed"]["ok"], true);
    assert_eq!(v["ok"], true);
    assert!(v["fixed"].as_u64().unwrap() >= 1);
}

/// Discord's `GET /users/@me` answers 401 `{"message": "401: Unauthorized", "code": 0}` for a
/// bad bot token (discord.com/developers/docs/reference#authentication); Slack's `auth.test`
/// answers HTTP 200 with `{"ok": true, "user": …, "team": …}` (api.slack.com/methods/auth.test).
#[test]
fn discord_and_slack_are_checked_like_telegram() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    let fake = FakeHttp::start(vec![
        (
            "/users/@me".into(),
            401,
            br#"{"message": "401: Unauthorized", "code": 0}"#.to_vec(),
        ),
        (
            "/auth.test".into(),
            200,
            br#"{"ok":true,"url":"https://t.slack.com/","team":"Team","user":"hermes","team_id":"T1","user_id":"U1","bot_id":"B1"}"#
                .to_vec(),
        ),
    ]);
    env.write(
        &env.root().join(".env"),
        &format!(
            "DISCORD_BOT_TOKEN=MTIzNDU2Nzg5.bad.token\nDISCORD_API_BASE_URL={u}\nSLACK_BOT_TOKEN=xoxb-123-456-abcdef\nSLACK_APP_TOKEN=xapp-1-A1-123-abcdef\nSLACK_API_BASE_URL={u}\nSLACK_ALLOWED_USERS=U7\n",
            u = fake.url
        ),
    );
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        !r.stdout.contains("No messaging platform is configured"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("✗ discord: DISCORD_BOT_TOKEN was rejected (Discord rejected the bot token"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("✓ slack: credentials accepted (@hermes in Team)"),
        "{r}"
    );
    assert!(r.stdout.contains("⚠ discord: no user allowlists configured and nobody is paired — all unauthorized users will be denied"), "{r}");
    assert!(
        r.stdout
            .contains("✓ slack: 1 user(s) allowed, 0 paired (DMs: pairing)"),
        "{r}"
    );
    // Configured platforms but no gateway: a warning in the summary, not an info row.
    assert!(
        r.stdout
            .contains("⚠ Gateway is not running: messages to your bots go unanswered"),
        "{r}"
    );
    assert!(
        r.stdout.contains("Start the gateway: hermes gateway start"),
        "{r}"
    );
    let hits = fake.hits();
    assert!(hits.contains(&"/users/@me".to_string()), "{hits:?}");
    assert!(hits.contains(&"/auth.test".to_string()), "{hits:?}");

    // A placeholder is what the gateway refuses to start: a configuration failure.
    env.run(["config", "set", "DISCORD_BOT_TOKEN", "changeme"])
        .ok();
    let r = doctor(&env, &[], &[]).code(1);
    assert!(
        r.stdout
            .contains("✗ discord is enabled but DISCORD_BOT_TOKEN is set to a placeholder value"),
        "{r}"
    );
}

#[test]
fn no_platform_leaves_the_gateway_check_an_info_row() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    let r = doctor(&env, &[], &[]).ok();
    assert!(r.stdout.contains("→ Gateway is not running\n"), "{r}");
    assert!(
        r.stdout.contains("No messaging platform is configured"),
        "{r}"
    );
}

#[test]
fn hub_key_without_a_server_key_is_hinted() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    env.write(
        &env.root().join(".env"),
        "API_SERVER_ENABLED=true\nHERMES_API_KEY=3f9a0c1b2d4e5f60718293a4b5c6d7e8\n",
    );
    // Not `.ok()`: another test may hold port 8642, which is a separate failure.
    let r = doctor(&env, &[], &[]);
    assert!(
        r.stdout.contains(
            "⚠ HERMES_API_KEY is set but API_SERVER_KEY is empty: a hub sending that key gets 401"
        ),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("Set API_SERVER_KEY to the value of HERMES_API_KEY"),
        "{r}"
    );
}

#[test]
fn both_user_and_system_units_are_reported() {
    let env = TestEnv::new();
    let _m = model(&env, 200);
    let system = env.home().join("etc-systemd");
    env.write(&system.join("hermes-gateway.service"), "[Unit]\n");
    env.write(
        &env.home()
            .join(".config/systemd/user/hermes-gateway.service"),
        "[Unit]\n",
    );
    let sd = [
        ("HERMES_SERVICE_MANAGER", "systemd"),
        ("HERMES_SYSTEMD_SYSTEM_DIR", system.to_str().unwrap()),
    ];
    let r = env.run_with(["doctor", "--timeout", "1"], &sd, "");
    assert!(
        r.stdout
            .contains("⚠ Both user and system gateway services are installed"),
        "{r}"
    );
    assert!(
        r.stdout.contains("Keep one gateway service: `hermes gateway uninstall` or `sudo hermes gateway uninstall --system`"),
        "{r}"
    );
}
