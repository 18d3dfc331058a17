//! `hermes setup`, `hermes model` and `hermes gateway setup` without a terminal: every answer
//! from flags and environment variables (what CI runs), live checks against local fakes, and
//! the errors that name a missing flag.

use std::collections::BTreeMap;

use hermes::config::dotenv::EnvFile;

use super::setup_fake::{DISCORD_TOKEN, Fakes, SECRET, TG_TOKEN, WX_TOKEN};
use super::{TestEnv, mode};

fn dotenv(env: &TestEnv) -> BTreeMap<String, String> {
    EnvFile::load(&env.root().join(".env")).unwrap().map()
}

fn fake_env(f: &Fakes) -> Vec<(String, String)> {
    vec![
        ("TELEGRAM_BASE_URL".into(), f.base.clone()),
        ("DISCORD_BASE_URL".into(), format!("{}/discord", f.base)),
        ("SLACK_BASE_URL".into(), format!("{}/slack", f.base)),
    ]
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn gateway_setup_configures_every_wave_one_platform_from_flags_and_env() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let mut vars = fake_env(&f);
    vars.extend([
        ("TG".to_string(), TG_TOKEN.to_string()),
        ("DISCORD_BOT_TOKEN".into(), DISCORD_TOKEN.into()),
        ("SLACK_BOT_TOKEN".into(), "xoxb-1-good".into()),
        ("SLACK_APP_TOKEN".into(), "xapp-1-A1-good".into()),
        ("MX".into(), SECRET.into()),
        ("EMAIL_PASSWORD".into(), SECRET.into()),
        ("HASS_TOKEN".into(), SECRET.into()),
        ("HOOK".into(), "0123456789abcdef0123".into()),
        ("WX".into(), WX_TOKEN.into()),
    ]);
    let imap = f.mail.0.to_string();
    let smtp = f.mail.1.to_string();
    let args: Vec<&str> = vec![
        "gateway",
        "setup",
        "--non-interactive",
        "--platform",
        "telegram",
        "--telegram-bot-token-env",
        "TG",
        "--telegram-dm-policy",
        "allowlist",
        "--telegram-allowed-users",
        "111, 222",
        "--telegram-home-channel",
        "111",
        "--platform",
        "discord",
        "--discord-dm-policy",
        "open",
        "--platform",
        "slack",
        "--slack-group-policy",
        "disabled",
        "--platform",
        "matrix",
        "--matrix-homeserver",
        &f.base,
        "--matrix-user-id",
        "@bot:localhost",
        "--matrix-access-token-env",
        "MX",
        "--matrix-dm-policy",
        "disabled",
        "--platform",
        "email",
        "--email-address",
        "bot@example.test",
        "--email-imap-host",
        "127.0.0.1",
        "--email-imap-port",
        &imap,
        "--email-smtp-host",
        "127.0.0.1",
        "--email-smtp-port",
        &smtp,
        "--email-allowed-users",
        "me@example.test",
        "--platform",
        "homeassistant",
        "--hass-url",
        &f.base,
        "--platform",
        "webhook",
        "--webhook-secret-env",
        "HOOK",
        "--webhook-port",
        "9000",
        "--platform",
        "weixin",
        "--weixin-account-id",
        "bot@im.bot",
        "--weixin-token-env",
        "WX",
        "--weixin-base-url",
        &f.weixin.base_url,
        "--weixin-dm-policy",
        "pairing",
    ];
    let run = env.run_with(&args, &refs(&vars), "").ok();
    for line in [
        "✓ Connected to @hermes_test_bot (bot id 777).",
        "✓ Connected as hermesbot (bot id 1001).",
        "✓ Connected to Acme as hermes.",
        "✓ Logged in as @bot:localhost.",
        "✓ Logged in to IMAP and SMTP as bot@example.test.",
        "✓ Home Assistant answered: API running.",
        "✓ Weixin account bot@im.bot is reachable.",
        "TELEGRAM_BOT_TOKEN=****saw0",
        "✓ Saved.",
        "Start the gateway in the foreground with `hermes gateway run`,",
    ] {
        assert!(run.stderr.contains(line), "no {line:?}\n{run}");
    }
    assert!(!run.stderr.contains(TG_TOKEN), "a secret was shown\n{run}");
    let e = dotenv(&env);
    let want = [
        ("TELEGRAM_BOT_TOKEN", TG_TOKEN),
        ("TELEGRAM_DM_POLICY", "allowlist"),
        ("TELEGRAM_ALLOWED_USERS", "111,222"),
        ("TELEGRAM_ALLOW_ALL_USERS", "false"),
        ("TELEGRAM_HOME_CHANNEL", "111"),
        ("DISCORD_BOT_TOKEN", DISCORD_TOKEN),
        ("DISCORD_DM_POLICY", "open"),
        ("DISCORD_ALLOW_ALL_USERS", "true"),
        ("SLACK_BOT_TOKEN", "xoxb-1-good"),
        ("SLACK_DM_POLICY", "pairing"),
        ("SLACK_GROUP_POLICY", "disabled"),
        ("MATRIX_ACCESS_TOKEN", SECRET),
        ("MATRIX_DM_POLICY", "disabled"),
        ("EMAIL_PASSWORD", SECRET),
        ("EMAIL_DM_POLICY", "allowlist"),
        ("EMAIL_ALLOWED_USERS", "me@example.test"),
        ("HASS_TOKEN", SECRET),
        ("WEBHOOK_ENABLED", "true"),
        ("WEBHOOK_PORT", "9000"),
        ("WEBHOOK_SECRET", "0123456789abcdef0123"),
        ("WEIXIN_ACCOUNT_ID", "bot@im.bot"),
        ("WEIXIN_TOKEN", WX_TOKEN),
        ("WEIXIN_DM_POLICY", "pairing"),
        ("WEIXIN_GROUP_POLICY", "disabled"),
    ];
    for (k, v) in want {
        assert_eq!(e.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(!e.contains_key("MATRIX_PASSWORD"));
    assert_eq!(mode(&env.root().join(".env")), 0o600);
    f.weixin.assert_clean();

    // Run again with nothing new: the current values stand, nothing is written.
    let before = std::fs::read_to_string(env.root().join(".env")).unwrap();
    let again = env
        .run_with(
            [
                "gateway",
                "setup",
                "--non-interactive",
                "--platform",
                "telegram",
            ],
            &refs(&fake_env(&f)),
            "",
        )
        .ok();
    assert!(again.stderr.contains("Nothing to change."), "{again}");
    assert_eq!(
        std::fs::read_to_string(env.root().join(".env")).unwrap(),
        before
    );
}

#[test]
fn a_missing_answer_without_a_terminal_names_the_flag() {
    let env = TestEnv::new();
    let run = env
        .run(["gateway", "setup", "--platform", "discord"])
        .code(1);
    assert!(
        run.stderr
            .contains("Error: missing answer: Discord bot token"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("hint: pass --discord-bot-token-env VAR (or set DISCORD_BOT_TOKEN)"),
        "{run}"
    );
    let run = env.run(["gateway", "setup"]).code(1);
    assert!(
        run.stderr
            .contains("hint: pass --platform <NAME> (one of: telegram,"),
        "{run}"
    );
    let run = env.run(["model"]).code(1);
    assert!(
        run.stderr
            .contains("Error: missing answer: the model provider\n"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("hint: pass --provider openrouter|openai|anthropic|nous|custom"),
        "{run}"
    );
    let run = env
        .run([
            "gateway",
            "setup",
            "--platform",
            "weixin",
            "--weixin-account-id",
            "b@im.bot",
        ])
        .code(1);
    assert!(
        run.stderr
            .contains("hint: pass --weixin-token-env VAR (or set WEIXIN_TOKEN)"),
        "{run}"
    );
    assert!(!env.root().join(".env").exists());
}

#[test]
fn every_missing_answer_is_named_in_one_error() {
    let env = TestEnv::new();
    let run = env
        .run([
            "gateway",
            "setup",
            "--platform",
            "telegram",
            "--platform",
            "discord",
            "--platform",
            "weixin",
        ])
        .code(1);
    assert!(
        run.stderr.contains(
            "Error: missing answers (4): Telegram bot token; Discord bot token; \
             WEIXIN_ACCOUNT_ID for Weixin / WeChat (personal) (the QR login needs a terminal); \
             WEIXIN_TOKEN for Weixin / WeChat (personal) (the QR login needs a terminal)"
        ),
        "{run}"
    );
    for hint in [
        "hint: pass --telegram-bot-token-env VAR (or set TELEGRAM_BOT_TOKEN)",
        "hint: pass --discord-bot-token-env VAR (or set DISCORD_BOT_TOKEN)",
        "hint: pass --weixin-account-id <VALUE>",
        "hint: pass --weixin-token-env VAR (or set WEIXIN_TOKEN)",
        "hint: or run it in a terminal to be asked",
    ] {
        assert!(run.stderr.contains(hint), "{hint}\n{run}");
    }
    // The model step and the platform step together.
    let run = env
        .run(["setup", "--platform", "slack", "--provider", "openai"])
        .code(1);
    assert!(
        run.stderr
            .contains("Error: missing answers (3): the openai API key; Slack bot token"),
        "{run}"
    );
    assert!(!env.root().join(".env").exists());
}

#[test]
fn platform_secrets_from_stdin_and_their_errors() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let vars = fake_env(&f);
    let run = env
        .run_with(
            [
                "gateway",
                "setup",
                "--platform",
                "telegram",
                "--platform",
                "discord",
                "--secret-stdin",
                "discord-bot-token",
                "--secret-stdin",
                "TELEGRAM_BOT_TOKEN",
            ],
            &refs(&vars),
            &format!("{DISCORD_TOKEN}\n{TG_TOKEN}\n"),
        )
        .ok();
    assert!(
        run.stderr.contains("Connected to @hermes_test_bot"),
        "{run}"
    );
    let e = dotenv(&env);
    assert_eq!(e["TELEGRAM_BOT_TOKEN"], TG_TOKEN);
    assert_eq!(e["DISCORD_BOT_TOKEN"], DISCORD_TOKEN);

    let run = env
        .run_with(
            [
                "gateway",
                "setup",
                "--platform",
                "telegram",
                "--secret-stdin",
                "TELEGRAM_DM_POLICY",
            ],
            &[],
            "x\n",
        )
        .code(2);
    assert!(
        run.stderr
            .contains("Error: --secret-stdin TELEGRAM_DM_POLICY: not a platform secret"),
        "{run}"
    );
    let run = env
        .run_with(
            [
                "gateway",
                "setup",
                "--platform",
                "slack",
                "--secret-stdin",
                "SLACK_BOT_TOKEN",
                "--secret-stdin",
                "SLACK_APP_TOKEN",
            ],
            &[],
            "xoxb-1-good\n",
        )
        .code(1);
    assert!(
        run.stderr.contains(
            "Error: --secret-stdin SLACK_APP_TOKEN read an empty line from standard input"
        ),
        "{run}"
    );
    assert!(!e.contains_key("SLACK_BOT_TOKEN"));
    assert!(!dotenv(&env).contains_key("SLACK_BOT_TOKEN"));
}

#[test]
fn a_rejected_token_fails_and_writes_nothing() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let mut vars = fake_env(&f);
    vars.push((
        "TELEGRAM_BOT_TOKEN".into(),
        "999999999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0".into(),
    ));
    let run = env
        .run_with(
            ["gateway", "setup", "--platform", "telegram"],
            &refs(&vars),
            "",
        )
        .code(1);
    assert!(
        run.stderr
            .contains("Error: Telegram did not accept the token:"),
        "{run}"
    );
    assert!(run.stderr.contains("--no-validate"), "{run}");
    assert!(!env.root().join(".env").exists());
    // --no-validate saves it unchecked.
    let run = env
        .run_with(
            [
                "gateway",
                "setup",
                "--platform",
                "telegram",
                "--no-validate",
            ],
            &refs(&vars),
            "",
        )
        .ok();
    assert!(run.stderr.contains("✓ Saved."), "{run}");
    assert_eq!(dotenv(&env)["TELEGRAM_DM_POLICY"], "pairing");
}

#[test]
fn model_against_a_local_openai_compatible_server() {
    let f = Fakes::start();
    let env = TestEnv::new();
    env.write(
        &env.root().join("config.yaml"),
        "# my settings\nagent:\n  max_turns: 7\n",
    );
    let url = format!("{}/v1", f.base);
    let run = env
        .run([
            "model",
            "--provider",
            "custom",
            "--base-url",
            &url,
            "--model",
            "tiny-b",
        ])
        .ok();
    assert!(
        run.stderr.contains("✓ custom answered; tiny-b works."),
        "{run}"
    );
    let cfg = env.read(&env.root().join("config.yaml"));
    assert_eq!(
        cfg,
        format!(
            "# my settings\nagent:\n  max_turns: 7\nmodel:\n  provider: custom\n  default: tiny-b\n  base_url: {url}\n"
        )
    );
    let chats = f.chats.lock().unwrap().clone();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0]["max_tokens"], 1);
    assert_eq!(chats[0]["model"], "tiny-b");

    let run = env.run(["model", "--model", "gpt-nope"]).code(1);
    assert!(run.stderr.contains("Error: The check failed:"), "{run}");
    assert!(run.stderr.contains("not found"), "{run}");
}

#[test]
fn setup_with_a_key_on_stdin_soul_file_and_telegram_in_one_go() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let soul = env.home().join("soul.md");
    env.write(&soul, "You are terse.\n");
    // Both secrets come on standard input: the API key first, then the bot token.
    let vars = fake_env(&f);
    let url = format!("{}/v1", f.base);
    let soul_arg = soul.display().to_string();
    let stdin = format!("sk-test-key-123456\n{TG_TOKEN}\n");
    let run = env
        .run_with(
            [
                "setup",
                "--non-interactive",
                "--provider",
                "openrouter",
                "--base-url",
                &url,
                "--api-key-stdin",
                "--model",
                "tiny-a",
                "--soul-file",
                &soul_arg,
                "--platform",
                "telegram",
                "--secret-stdin",
                "TELEGRAM_BOT_TOKEN",
            ],
            &refs(&vars),
            &stdin,
        )
        .ok();
    assert!(run.stderr.contains("OPENROUTER_API_KEY=****3456"), "{run}");
    assert!(run.stderr.contains("TELEGRAM_BOT_TOKEN=****saw0"), "{run}");
    // Said once the file is written, not before.
    let saved = run.stderr.find("✓ Saved.").expect("saved");
    let note = run
        .stderr
        .find("API key saved to [TMP]/home/.hermes/.env (mode 0600).")
        .expect("key note");
    assert!(saved < note, "{run}");
    let e = dotenv(&env);
    assert_eq!(e["OPENROUTER_API_KEY"], "sk-test-key-123456");
    assert_eq!(e["TELEGRAM_BOT_TOKEN"], TG_TOKEN);
    let cfg = env.read(&env.root().join("config.yaml"));
    assert!(
        cfg.contains("provider: openrouter") && cfg.contains(&format!("base_url: {url}")),
        "{cfg}"
    );
    assert_eq!(env.read(&env.root().join("SOUL.md")), "You are terse.\n");
}

#[test]
fn a_token_used_by_another_profile_is_flagged() {
    let env = TestEnv::new();
    env.write(
        &env.profile("work").join(".env"),
        &format!("TELEGRAM_BOT_TOKEN={TG_TOKEN}\n"),
    );
    let run = env
        .run_with(
            [
                "gateway",
                "setup",
                "--platform",
                "telegram",
                "--no-validate",
            ],
            &[("TELEGRAM_BOT_TOKEN", TG_TOKEN)],
            "",
        )
        .ok();
    assert!(
        run.stderr
            .contains("⚠ TELEGRAM_BOT_TOKEN is also used by the profile `work`"),
        "{run}"
    );
}

/// Stops the gateway of a home when a test ends, pass or fail.
struct Stop<'a>(&'a TestEnv);
impl Drop for Stop<'_> {
    fn drop(&mut self) {
        let _ = self.0.run_with(
            ["gateway", "stop"],
            &[("HERMES_SERVICE_MANAGER", "none")],
            "",
        );
    }
}

/// The final step without a terminal: `--start`, `--restart`, `--no-start` and
/// `--install-service`, with no service manager (the detached supervisor of the ops tests).
#[test]
fn start_flags_start_restart_decline_and_report_a_failed_install() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let mut vars = fake_env(&f);
    vars.push(("TELEGRAM_BOT_TOKEN".into(), TG_TOKEN.into()));
    vars.push(("HERMES_SERVICE_MANAGER".into(), "none".into()));
    let _stop = Stop(&env);
    // Each run changes the home channel, so there is something to write.
    let setup = |home: &str, flag: &str| {
        let args = [
            "gateway",
            "setup",
            "--platform",
            "telegram",
            "--telegram-home-channel",
            home,
            flag,
        ];
        env.run_with(args, &refs(&vars), "")
    };
    let pid_file = env.root().join("gateway.pid");

    let run = setup("1", "--no-start").ok();
    assert!(run.stderr.contains("✓ Saved."), "{run}");
    assert!(
        run.stderr
            .contains("or install it as a service with `hermes gateway install`."),
        "{run}"
    );
    assert!(!pid_file.exists(), "{run}");

    let run = setup("2", "--start").ok();
    assert!(
        run.stderr
            .contains("✓ Started the gateway of profile default (PID "),
        "{run}"
    );
    assert!(pid_file.exists());
    let first = env.read(&pid_file);

    let run = setup("3", "--no-start").ok();
    assert!(
        run.stderr
            .contains("Restart it to pick up the changes: `hermes gateway restart`."),
        "{run}"
    );
    assert_eq!(env.read(&pid_file), first, "--no-start left it alone");

    let run = setup("4", "--restart").ok();
    assert!(
        run.stderr
            .contains("The gateway of this profile is running (PID "),
        "{run}"
    );
    assert_ne!(env.read(&pid_file), first, "restarted: {run}");

    let stop = env
        .run_with(
            ["gateway", "stop"],
            &[("HERMES_SERVICE_MANAGER", "none")],
            "",
        )
        .ok();
    assert!(stop.stderr.contains("Stopped the gateway"), "{stop}");
    let run = setup("5", "--install-service").code(1);
    assert!(
        run.stderr.contains("no service manager is available here"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("Error: `hermes gateway install` did not succeed."),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("hint: the changes were saved; only this step failed"),
        "{run}"
    );
    assert_eq!(dotenv(&env)["TELEGRAM_HOME_CHANNEL"], "5");
    assert!(
        env.run(["gateway", "setup", "--start", "--no-start"])
            .code(2)
            .stderr
            .contains("cannot be used with")
    );
}

#[test]
fn a_matrix_password_check_ends_the_session_it_opened() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let run = env
        .run_with(
            [
                "gateway",
                "setup",
                "--platform",
                "matrix",
                "--matrix-homeserver",
                &f.base,
                "--matrix-user-id",
                "@bot:localhost",
                "--matrix-password-env",
                "PW",
                "--matrix-dm-policy",
                "disabled",
            ],
            &[("PW", SECRET)],
            "",
        )
        .ok();
    assert!(run.stderr.contains("✓ Saved."), "{run}");
    let marks: Vec<serde_json::Value> = f
        .chats
        .lock()
        .unwrap()
        .iter()
        .filter(|v| v.get("matrix").is_some())
        .cloned()
        .collect();
    assert_eq!(
        marks,
        [
            serde_json::json!({"matrix": "login"}),
            serde_json::json!({"matrix": "logout"})
        ]
    );
    assert_eq!(dotenv(&env)["MATRIX_PASSWORD"], SECRET);
}

#[test]
fn a_start_flag_on_setup_acts_after_a_model_only_change() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let url = format!("{}/v1", f.base);
    let run = env
        .run_with(
            [
                "setup",
                "model",
                "--provider",
                "custom",
                "--base-url",
                &url,
                "--model",
                "tiny-a",
                "--no-start",
            ],
            &[("HERMES_SERVICE_MANAGER", "none")],
            "",
        )
        .ok();
    assert!(run.stderr.contains("✓ Saved."), "{run}");
    assert!(
        run.stderr
            .contains("Start the gateway in the foreground with `hermes gateway run`,"),
        "{run}"
    );
}
