//! `hermes status`: keys redacted (`sk-a...1234`), `--all` shows no key fragments, chat ids
//! or absolute home paths, `--deep` probes the provider.

use super::TestEnv;
use super::ops_http::FakeHttp;

fn setup(env: &TestEnv) {
    env.write(
        &env.root().join(".env"),
        "OPENROUTER_API_KEY=sk-or-abcdefghijklmnop1234\nTELEGRAM_BOT_TOKEN=123456:ABCDEFGHIJKLMNOPQRSTUV\nTELEGRAM_HOME_CHANNEL=-100777\nTELEGRAM_ALLOWED_USERS=42,43\n",
    );
    env.run([
        "config",
        "set",
        "model.default",
        "anthropic/claude-sonnet-4",
    ])
    .ok();
}

#[test]
fn status_redacts_keys_and_shows_platforms() {
    let env = TestEnv::new();
    setup(&env);
    let r = env.run(["status"]).ok();
    assert!(
        r.stdout
            .contains("  Home:      ~/.hermes (profile default)"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("  Model:     anthropic/claude-sonnet-4 via openrouter"),
        "{r}"
    );
    assert!(r.stdout.contains("OPENROUTER_API_KEY  sk-o...1234"), "{r}");
    assert!(r.stdout.contains("ANTHROPIC_API_KEY   not set"), "{r}");
    assert!(
        r.stdout.contains(
            "  telegram: TELEGRAM_BOT_TOKEN 1234...STUV; allowlist: 42,43; home channel: -100777; DMs: pairing"
        ),
        "{r}"
    );
    assert!(r.stdout.contains("◆ Gateway\n  stopped"), "{r}");
    assert!(
        !r.stdout.contains("abcdefghijklmnop"),
        "no secret in the output"
    );
}

#[test]
fn status_all_is_safe_to_paste() {
    let env = TestEnv::new();
    setup(&env);
    let r = env.run(["status", "--all"]).ok();
    assert!(r.stdout.contains("OPENROUTER_API_KEY  set"), "{r}");
    assert!(
        r.stdout.contains("allowlist: 2 user(s); home channel: set"),
        "{r}"
    );
    for secret in ["sk-o", "1234...", "-100777", "42,43", "[TMP]"] {
        assert!(!r.stdout.contains(secret), "{secret} leaked:\n{r}");
    }
    let j = env.run(["status", "--all", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["home"], "~/.hermes");
    assert_eq!(v["keys"]["OPENROUTER_API_KEY"], "set");
    assert_eq!(v["platforms"][0]["home_channel"], "set");
}

#[test]
fn status_deep_probes_the_provider() {
    let env = TestEnv::new();
    let fake = FakeHttp::start(vec![("/v1/models".into(), 200, b"{}".to_vec())]);
    env.run(["config", "set", "model.provider", "custom"]).ok();
    env.run([
        "config",
        "set",
        "model.base_url",
        &format!("{}/v1", fake.url),
    ])
    .ok();
    env.run(["config", "set", "model.default", "m"]).ok();
    let r = env.run(["status", "--deep"]).ok();
    assert!(r.stdout.contains("  Provider:  ok (HTTP 200)"), "{r}");
    assert_eq!(fake.hits(), ["/v1/models"]);
}

/// Discord answers a bad bot token with 401 `{"message": "401: Unauthorized", "code": 0}`
/// (discord.com/developers/docs/reference#authentication). The gateway parks the platform as
/// fatal; `status` names it from the configuration, probes it with `--deep`, and shows why
/// the running gateway stopped it.
#[test]
fn status_knows_discord_and_a_platform_parked_as_fatal() {
    let env = TestEnv::new();
    let fake = FakeHttp::start(vec![
        (
            "/users/@me".into(),
            401,
            br#"{"message": "401: Unauthorized", "code": 0}"#.to_vec(),
        ),
        (
            "/gateway/bot".into(),
            401,
            br#"{"message": "401: Unauthorized", "code": 0}"#.to_vec(),
        ),
    ]);
    env.write(
        &env.root().join(".env"),
        &format!(
            "DISCORD_BOT_TOKEN=MTIzNDU2Nzg5.bad.token\nDISCORD_API_BASE_URL={}\nDISCORD_ALLOWED_USERS=7\nAPI_SERVER_ENABLED=true\nAPI_SERVER_PORT=0\n",
            fake.url
        ),
    );
    let r = env.run(["status", "--deep"]).ok();
    assert!(
        r.stdout.contains(
            "  discord: DISCORD_BOT_TOKEN MTIz...oken; allowlist: 7; home channel: not set; DMs: pairing"
        ),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("    probe: REJECTED (Discord rejected the bot token"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("  api_server: API_SERVER_KEY not set; listens on 127.0.0.1:0"),
        "{r}"
    );
    assert!(!r.stdout.contains("none configured"), "{r}");

    let none = [("HERMES_SERVICE_MANAGER", "none")];
    env.run_with(["gateway", "start"], &none, "").ok();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let shown = loop {
        let r = env.run(["status"]).ok();
        if r.stdout.contains("  discord: fatal — ") {
            break r;
        }
        if std::time::Instant::now() > deadline {
            let _ = env.run_with(["gateway", "stop"], &none, "");
            panic!("discord never shown as fatal:\n{r}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let doctor = env
        .run_with(["doctor", "--timeout", "3"], &none, "")
        .code(1);
    let _ = env.run_with(["gateway", "stop"], &none, "");
    assert!(
        doctor
            .stdout
            .contains("✗ discord is stopped after a fatal error: discord rejected the credentials"),
        "{doctor}"
    );
    assert!(
        shown
            .stdout
            .contains("(fix it, then `hermes gateway restart`)"),
        "{shown}"
    );
}
