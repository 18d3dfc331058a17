//! Plan-level tests: every platform spec and every DM policy driven through `ScriptedPrompter`
//! and offline effects, with the plan applied to a temp home and the files checked.

use std::collections::BTreeMap;

use anyhow::Result;
use hermes::config::dotenv::EnvFile;
use hermes::home::HermesPaths;

use super::effects::{Effects, Outcome};
use super::plan::SetupPlan;
use super::platform::{self, Known};
use super::probe::Facts;
use super::prompter::{Answer, Prompter, ScriptedPrompter};
use super::spec::{self, Login, ProviderSpec};
use crate::cli::error::{CliError, Kind};

use Answer::{Cancel, Enter, No, Pick, Text, Yes};

mod steps;

pub(super) const TG_TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
const DISCORD_TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789";

/// Offline effects: canned answers, every call recorded.
#[derive(Default)]
pub(super) struct Fake {
    /// Probe results in order (then success).
    pub(super) probe_results: Vec<Result<Facts, String>>,
    pub(super) login_outputs: BTreeMap<String, String>,
    pub(super) models: Vec<String>,
    pub(super) check_results: Vec<Result<(), String>>,
    pub(super) calls: Vec<String>,
}

impl Effects for Fake {
    fn probe(
        &mut self,
        _: &mut dyn Prompter,
        name: &str,
        answers: &BTreeMap<String, String>,
    ) -> Outcome<Facts> {
        self.calls.push(format!(
            "probe {name} {:?}",
            answers.keys().collect::<Vec<_>>()
        ));
        Ok(if self.probe_results.is_empty() {
            Ok(Facts::from([
                ("username".into(), "hermes_bot".into()),
                ("id".into(), "42".into()),
            ]))
        } else {
            self.probe_results.remove(0)
        })
    }

    fn login(&mut self, p: &mut dyn Prompter, login: &Login) -> Outcome<BTreeMap<String, String>> {
        self.calls.push(format!("login {}", login.kind));
        p.say("[QR]");
        Ok(Ok(self.login_outputs.clone()))
    }

    fn list_models(
        &mut self,
        _: &mut dyn Prompter,
        prov: &ProviderSpec,
        base: &str,
        key: &str,
    ) -> Outcome<Vec<String>> {
        self.calls.push(format!("list {} {base} {key}", prov.id));
        Ok(if self.models.is_empty() {
            Err("HTTP 404".into())
        } else {
            Ok(self.models.clone())
        })
    }

    fn check_model(
        &mut self,
        _: &mut dyn Prompter,
        prov: &ProviderSpec,
        base: &str,
        key: &str,
        model: &str,
    ) -> Outcome<()> {
        self.calls
            .push(format!("check {} {base} {key} {model}", prov.id));
        Ok(if self.check_results.is_empty() {
            Ok(())
        } else {
            self.check_results.remove(0)
        })
    }

    fn edit(&mut self, text: &str) -> Result<String> {
        Ok(format!("{text}\nEdited.\n"))
    }
}

pub(super) struct Home {
    _dir: tempfile::TempDir,
    pub(super) paths: HermesPaths,
}

impl Home {
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        std::fs::create_dir_all(paths.home()).unwrap();
        Self { _dir: dir, paths }
    }

    pub(super) fn with_env(self, text: &str) -> Self {
        std::fs::write(self.paths.env_file(), text).unwrap();
        self
    }

    pub(super) fn current(&self) -> BTreeMap<String, String> {
        EnvFile::load(&self.paths.env_file()).unwrap().map()
    }

    pub(super) fn env(&self) -> String {
        std::fs::read_to_string(self.paths.env_file()).unwrap_or_default()
    }
}

/// Runs one platform with a script; applies the plan; returns the prompter for the transcript.
fn platform_run(
    home: &Home,
    name: &str,
    given: &BTreeMap<String, String>,
    script: Vec<Answer>,
    fx: &mut Fake,
) -> (Result<Option<SetupPlan>>, ScriptedPrompter) {
    let mut p = ScriptedPrompter::new(script);
    let current = home.current();
    let known = Known {
        current: &current,
        given,
        validate: true,
        paths: &home.paths,
    };
    let spec = spec::platform(name).unwrap();
    let r = platform::configure(&mut p, spec, &known, fx);
    if let Ok(Some(plan)) = &r {
        plan.apply(&home.paths).unwrap();
    }
    (r, p)
}

pub(super) fn no_flags() -> BTreeMap<String, String> {
    BTreeMap::new()
}

#[track_caller]
fn assert_env(home: &Home, expected: &str) {
    assert_eq!(home.env(), expected);
}

#[test]
fn telegram_full_walk() {
    let home = Home::new();
    let mut fx = Fake::default();
    let (r, p) = platform_run(
        &home,
        "telegram",
        &no_flags(),
        vec![
            Text("not-a-token"),
            Text(TG_TOKEN),
            Pick("Only allow listed user IDs"),
            Text("@alice"),
            Text("111, 222"),
            Pick("Only in listed group chats"),
            Text("-1001234567890"),
            Text("111"),
        ],
        &mut fx,
    );
    r.unwrap().unwrap();
    p.assert_done();
    let t = p.transcript.join("\n");
    assert!(t.contains("Talk to @BotFather"), "{t}");
    assert!(t.contains("! That is not a complete bot token"), "{t}");
    assert!(t.contains("! Use numeric ids separated by commas"), "{t}");
    assert!(t.contains("✓ Connected to @hermes_bot (bot id 42)."), "{t}");
    assert_eq!(fx.calls, ["probe telegram.getMe [\"TELEGRAM_BOT_TOKEN\"]"]);
    assert_env(
        &home,
        &format!(
            "TELEGRAM_BOT_TOKEN={TG_TOKEN}\nTELEGRAM_DM_POLICY=allowlist\nTELEGRAM_ALLOW_ALL_USERS=false\n\
             TELEGRAM_ALLOWED_USERS=111,222\nTELEGRAM_GROUP_POLICY=allowlist\n\
             TELEGRAM_GROUP_ALLOWED_CHATS=-1001234567890\nTELEGRAM_HOME_CHANNEL=111\n"
        ),
    );
}

#[test]
fn telegram_existing_install_keeps_the_token_and_defaults_to_current_values() {
    let home = Home::new().with_env(&format!(
        "# mine\nTELEGRAM_BOT_TOKEN={TG_TOKEN}\nTELEGRAM_DM_POLICY=open\nTELEGRAM_ALLOW_ALL_USERS=true\nTELEGRAM_HOME_CHANNEL=5\n"
    ));
    let mut fx = Fake::default();
    let (r, p) = platform_run(
        &home,
        "telegram",
        &no_flags(),
        // Replace the token? no; DM policy: Enter keeps `open`; group: Enter; home: Enter keeps 5.
        vec![No, Enter, Enter, Enter],
        &mut fx,
    );
    r.unwrap().unwrap();
    p.assert_done();
    assert!(
        p.transcript
            .contains(&"Telegram is already configured.".to_string())
    );
    assert_env(
        &home,
        &format!(
            "# mine\nTELEGRAM_BOT_TOKEN={TG_TOKEN}\nTELEGRAM_DM_POLICY=open\nTELEGRAM_ALLOW_ALL_USERS=true\n\
             TELEGRAM_HOME_CHANNEL=5\nTELEGRAM_GROUP_POLICY=open\n"
        ),
    );
}

#[test]
fn a_failed_check_asks_again_or_keeps_or_skips() {
    let home = Home::new();
    let mut fx = Fake {
        probe_results: vec![Err("Unauthorized".into())],
        ..Fake::default()
    };
    let (r, p) = platform_run(
        &home,
        "telegram",
        &no_flags(),
        vec![
            Text(TG_TOKEN),
            Enter,
            Enter,
            Enter,
            Pick("Enter the values again"),
            Text("987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"),
            Enter,
            Enter,
            Enter,
        ],
        &mut fx,
    );
    r.unwrap().unwrap();
    p.assert_done();
    assert!(
        p.transcript
            .iter()
            .any(|l| l == "⚠ Telegram did not accept the token: Unauthorized")
    );
    assert!(
        home.env().starts_with("TELEGRAM_BOT_TOKEN=987654321:"),
        "{}",
        home.env()
    );

    let home = Home::new();
    let mut fx = Fake {
        probe_results: vec![Err("Unauthorized".into())],
        ..Fake::default()
    };
    let (r, _) = platform_run(
        &home,
        "telegram",
        &no_flags(),
        vec![Text(TG_TOKEN), Enter, Enter, Enter, Pick("Skip Telegram")],
        &mut fx,
    );
    assert!(r.unwrap().is_none());
    assert_eq!(home.env(), "");
}

#[test]
fn cancelling_is_exit_130_and_writes_nothing() {
    let home = Home::new();
    let (r, _) = platform_run(
        &home,
        "telegram",
        &no_flags(),
        vec![Text(TG_TOKEN), Cancel],
        &mut Fake::default(),
    );
    let err = r.unwrap_err();
    assert_eq!(
        err.downcast_ref::<CliError>().map(|e| e.kind),
        Some(Kind::Cancelled)
    );
    assert!(!home.paths.env_file().exists());
}

#[test]
fn weixin_qr_login_then_policies() {
    let home = Home::new();
    let mut fx = Fake {
        login_outputs: BTreeMap::from([
            ("account_id".into(), "bot1@im.bot".into()),
            ("token".into(), "wx-secret-token".into()),
            ("base_url".into(), "https://ilinkai.weixin.qq.com".into()),
            ("user_id".into(), "o9cq80@im.wechat".into()),
        ]),
        probe_results: vec![Ok(Facts::from([(
            "account_id".into(),
            "bot1@im.bot".into(),
        )]))],
        ..Fake::default()
    };
    let (r, p) = platform_run(
        &home,
        "weixin",
        &no_flags(),
        vec![
            Yes,
            Pick("Only allow listed user IDs"),
            Enter, // the default is the user who scanned
            Enter, // groups: disabled
            Yes,   // home channel = user id
        ],
        &mut fx,
    );
    let plan = r.unwrap().unwrap();
    p.assert_done();
    assert!(plan.secrets.contains("WEIXIN_TOKEN"));
    // The account file is part of the plan (0600), written only when the plan is applied.
    let file = hermes::platforms::weixin::config::account_file(&home.paths, "bot1@im.bot");
    assert_eq!(plan.files.len(), 1);
    assert_eq!(plan.files[0].path, file);
    assert_eq!(plan.files[0].mode, Some(0o600));
    let shown = plan.describe(&home.paths).join("\n");
    assert!(
        shown.contains(&format!("{} (", file.display())) && shown.contains("mode 0600"),
        "{shown}"
    );
    assert_eq!(hermes::fsutil::mode_of(&file), Some(0o600));
    let account = hermes::platforms::weixin::config::load_account(&home.paths, "bot1@im.bot")
        .unwrap()
        .unwrap();
    assert_eq!(account.token, "wx-secret-token");
    assert_eq!(account.user_id, "o9cq80@im.wechat");
    let t = p.transcript.join("\n");
    assert!(t.contains("[QR]"), "{t}");
    assert!(t.contains("Home channel set to o9cq80@im.wechat."), "{t}");
    assert!(
        t.contains("✓ Weixin account bot1@im.bot is reachable."),
        "{t}"
    );
    assert_env(
        &home,
        "WEIXIN_ACCOUNT_ID=bot1@im.bot\nWEIXIN_BASE_URL=https://ilinkai.weixin.qq.com\n\
         WEIXIN_CDN_BASE_URL=https://novac2c.cdn.weixin.qq.com/c2c\nWEIXIN_TOKEN=wx-secret-token\n\
         WEIXIN_DM_POLICY=allowlist\nWEIXIN_ALLOW_ALL_USERS=false\nWEIXIN_ALLOWED_USERS=o9cq80@im.wechat\n\
         WEIXIN_GROUP_POLICY=disabled\nWEIXIN_HOME_CHANNEL=o9cq80@im.wechat\n",
    );
}

#[test]
fn weixin_declining_the_login_skips_it() {
    let home = Home::new();
    let (r, _) = platform_run(&home, "weixin", &no_flags(), vec![No], &mut Fake::default());
    assert!(r.unwrap().is_none());
}

#[test]
fn a_cancel_after_the_weixin_login_writes_no_account_file() {
    let home = Home::new();
    let mut fx = Fake {
        login_outputs: BTreeMap::from([
            ("account_id".into(), "bot1@im.bot".into()),
            ("token".into(), "wx-secret-token".into()),
            ("base_url".into(), "https://ilinkai.weixin.qq.com".into()),
            ("user_id".into(), "o9cq80@im.wechat".into()),
        ]),
        ..Fake::default()
    };
    let (r, _) = platform_run(&home, "weixin", &no_flags(), vec![Yes, Cancel], &mut fx);
    assert!(r.is_err());
    assert_eq!(fx.calls, ["login weixin_qr"]);
    assert!(!home.paths.weixin_dir().exists());
}

#[test]
fn discord_slack_matrix_email_homeassistant_webhook_walks() {
    let cases: Vec<(&str, Vec<Answer>, Vec<&str>)> = vec![
        (
            "discord",
            vec![
                Text(DISCORD_TOKEN),
                Enter,
                Enter,
                Text("123456789012345678"),
            ],
            vec![
                "DISCORD_DM_POLICY=pairing",
                "DISCORD_HOME_CHANNEL=123456789012345678",
            ],
        ),
        (
            "slack",
            vec![
                Text("xoxb-1-2-abc"),
                Text("xapp-1-A1-2-def"),
                Pick("Allow all direct messages"),
                Pick("Ignore channels"),
                Enter,
            ],
            vec![
                "SLACK_BOT_TOKEN=xoxb-1-2-abc",
                "SLACK_APP_TOKEN=xapp-1-A1-2-def",
                "SLACK_DM_POLICY=open",
                "SLACK_ALLOW_ALL_USERS=true",
                "SLACK_GROUP_POLICY=disabled",
            ],
        ),
        (
            "matrix",
            vec![
                Text("https://matrix.example.org"),
                Text("@hermes:example.org"),
                Enter, // no access token: a password instead
                Text("hunter22"),
                Pick("Disable direct messages"),
                Enter,
                Text("!room:example.org"),
            ],
            vec![
                "MATRIX_HOMESERVER=https://matrix.example.org",
                "MATRIX_USER_ID=@hermes:example.org",
                "MATRIX_PASSWORD=hunter22",
                "MATRIX_DM_POLICY=disabled",
                "MATRIX_HOME_CHANNEL=!room:example.org",
            ],
        ),
        (
            "email",
            vec![
                Text("bot@example.org"),
                Text("app-password"),
                Text("imap.example.org"),
                Enter,
                Text("smtp.example.org"),
                Enter,
                Enter, // allowlist
                Text("me@example.org"),
                Text("me@example.org"),
            ],
            vec![
                "EMAIL_ADDRESS=bot@example.org",
                "EMAIL_IMAP_PORT=993",
                "EMAIL_SMTP_PORT=587",
                "EMAIL_DM_POLICY=allowlist",
                "EMAIL_ALLOWED_USERS=me@example.org",
                "EMAIL_HOME_ADDRESS=me@example.org",
            ],
        ),
        (
            "homeassistant",
            vec![Enter, Text("eyJhbGciOiJIUzI1NiJ9.long-lived-token")],
            vec![
                "HASS_URL=http://homeassistant.local:8123",
                "HASS_TOKEN=eyJhbGciOiJIUzI1NiJ9.long-lived-token",
            ],
        ),
        (
            "webhook",
            vec![Enter, Text("short"), Text("0123456789abcdef0123")],
            vec![
                "WEBHOOK_PORT=8644",
                "WEBHOOK_SECRET=0123456789abcdef0123",
                "WEBHOOK_ENABLED=true",
            ],
        ),
    ];
    for (name, script, lines) in cases {
        let home = Home::new();
        let mut fx = Fake::default();
        let (r, p) = platform_run(&home, name, &no_flags(), script, &mut fx);
        r.unwrap_or_else(|e| panic!("{name}: {e}\n{}", p.transcript.join("\n")))
            .unwrap();
        p.assert_done();
        let env = home.current();
        for l in lines {
            let (k, v) = l.split_once('=').unwrap();
            assert_eq!(
                env.get(k).map(String::as_str),
                Some(v),
                "{name}: {}",
                home.env()
            );
        }
        let spec = spec::platform(name).unwrap();
        assert_eq!(
            fx.calls.len(),
            usize::from(spec.validate.is_some()),
            "{name}"
        );
        assert!(platform::is_configured(spec, &home.current()), "{name}");
    }
}

/// Valid answers for every field but the DM policy and its allowlist.
fn sample(env: &str) -> Option<&'static str> {
    Some(match env {
        "TELEGRAM_BOT_TOKEN" => TG_TOKEN,
        "DISCORD_BOT_TOKEN" => DISCORD_TOKEN,
        "SLACK_BOT_TOKEN" => "xoxb-1",
        "SLACK_APP_TOKEN" => "xapp-1",
        "MATRIX_HOMESERVER" => "https://m.example.org",
        "MATRIX_USER_ID" => "@bot:m.example.org",
        "MATRIX_ACCESS_TOKEN" => "syt_token",
        "EMAIL_ADDRESS" => "bot@example.org",
        "EMAIL_PASSWORD" => "pw",
        "EMAIL_IMAP_HOST" => "imap.example.org",
        "EMAIL_SMTP_HOST" => "smtp.example.org",
        "EMAIL_IMAP_PORT" => "993",
        "EMAIL_SMTP_PORT" => "587",
        "WEIXIN_ACCOUNT_ID" => "b@im.bot",
        "WEIXIN_TOKEN" => "wx-token",
        e if e.ends_with("_GROUP_POLICY") => "disabled",
        e if e.ends_with("_HOME_CHANNEL") || e.ends_with("_HOME_ADDRESS") => "",
        _ => return None,
    })
}

fn allowlist_sample(platform: &str) -> &'static str {
    match platform {
        "telegram" => "111,222",
        "discord" => "123456789012345678",
        "slack" => "U012AB3CD",
        "matrix" => "@alice:example.org",
        "email" => "me@example.org",
        _ => "o9cq80@im.wechat",
    }
}

#[test]
fn every_dm_policy_of_every_platform() {
    for spec in spec::platforms() {
        let prefix = hermes::auth::env_prefix(&spec.platform);
        let dm_var = format!("{prefix}_DM_POLICY");
        let Some(field) = spec.fields.iter().find(|f| f.env == dm_var) else {
            continue;
        };
        for choice in &field.choices {
            let home = Home::new();
            let mut given = BTreeMap::new();
            for (env, _) in spec.answer_vars() {
                if let Some(v) = sample(&env).filter(|v| !v.is_empty()) {
                    given.insert(env, v.to_string());
                }
            }
            let label: &'static str = Box::leak(choice.label.clone().into_boxed_str());
            let mut script = vec![Pick(label)];
            if choice.value == "allowlist" {
                script.push(Text(allowlist_sample(&spec.platform)));
            }
            // Home channels are asked (optional; left empty).
            for f in &spec.fields {
                if sample(&f.env) == Some("") && f.when.is_none() {
                    script.push(Enter);
                }
            }
            let mut fx = Fake::default();
            let (r, p) = platform_run(&home, &spec.platform, &given, script, &mut fx);
            r.unwrap_or_else(|e| {
                panic!(
                    "{dm_var}={}: {e}\n{}",
                    choice.value,
                    p.transcript.join("\n")
                )
            })
            .unwrap();
            p.assert_done();
            let env = home.current();
            assert_eq!(env.get(&dm_var), Some(&choice.value), "{}", home.env());
            let allow_all = env
                .get(&format!("{prefix}_ALLOW_ALL_USERS"))
                .map(String::as_str);
            assert_eq!(
                allow_all,
                Some(if choice.value == "open" {
                    "true"
                } else {
                    "false"
                })
            );
            let listed = env.get(&format!("{prefix}_ALLOWED_USERS"));
            if choice.value == "allowlist" {
                assert_eq!(
                    listed.map(String::as_str),
                    Some(allowlist_sample(&spec.platform))
                );
            } else {
                assert_eq!(listed, None, "{dm_var}={}", choice.value);
            }
            // The runtime reads back what the wizard wrote.
            let rt_env = hermes::config::Env::from_pairs(env.clone());
            let policy = hermes::auth::platform_policy(
                &spec.platform,
                &rt_env,
                &hermes::config::Settings::default(),
            );
            assert!(policy.dm_explicit);
            assert_eq!(policy.allow_all, choice.value == "open");
        }
    }
}

#[test]
fn the_shared_token_warning_names_the_other_profile() {
    let home = Home::new();
    let other = home.paths.profiles_dir().join("work");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join(".env"),
        format!("TELEGRAM_BOT_TOKEN={TG_TOKEN}\n"),
    )
    .unwrap();
    let (r, p) = platform_run(
        &home,
        "telegram",
        &no_flags(),
        vec![Text(TG_TOKEN), Enter, Enter, Enter],
        &mut Fake::default(),
    );
    r.unwrap().unwrap();
    assert!(
        p.transcript
            .iter()
            .any(|l| l.starts_with("⚠ TELEGRAM_BOT_TOKEN is also used by the profile `work`")),
        "{}",
        p.transcript.join("\n")
    );
}

#[test]
fn without_a_terminal_every_missing_answer_is_named_at_once() {
    let home = Home::new();
    let mut p = super::prompter::NoTtyPrompter::new(crate::output::Printer::new(
        true,
        crate::output::ColorChoice::Never,
        true,
    ));
    let current = BTreeMap::new();
    let known = Known {
        current: &current,
        given: &no_flags(),
        validate: true,
        paths: &home.paths,
    };
    let mut fx = Fake::default();
    for name in ["slack", "telegram"] {
        platform::configure(&mut p, spec::platform(name).unwrap(), &known, &mut fx).unwrap();
    }
    // Nothing live runs on placeholders.
    assert!(fx.calls.is_empty(), "{:?}", fx.calls);
    assert!(p.any_missing());
    let err = p.check_answers().unwrap_err();
    let cli = err.downcast_ref::<CliError>().unwrap();
    assert_eq!(
        err.to_string(),
        "missing answers (3): Slack bot token (xoxb-…); Slack app-level token (xapp-…); Telegram bot token"
    );
    assert_eq!(
        cli.hints[..3],
        [
            "pass --slack-bot-token-env VAR (or set SLACK_BOT_TOKEN)",
            "pass --slack-app-token-env VAR (or set SLACK_APP_TOKEN)",
            "pass --telegram-bot-token-env VAR (or set TELEGRAM_BOT_TOKEN)",
        ]
    );
}
