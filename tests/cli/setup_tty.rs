//! The wizards in a real terminal: the binary runs in a tmux pane and the test presses keys as
//! a user would (arrow keys, space, typing, Enter, Esc, Ctrl-C), then checks the files written.
//! Skipped (with a note) where tmux is not installed.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use hermes::config::dotenv::EnvFile;

use super::TestEnv;
use super::setup_fake::{Fakes, TG_TOKEN};

/// A tmux server with one pane running `hermes …`.
struct Pane {
    socket: String,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Pane {
    /// Starts `hermes ARGS` in a 120×50 pane; the pane prints `EXIT=<code>` when it ends.
    #[allow(clippy::print_stderr)] // says why a test did nothing
    fn start(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("tmux is not installed; skipping the terminal test");
            return None;
        }
        let socket = format!(
            "hermes-test-{}-{}",
            std::process::id(),
            env.home().display().to_string().len() + rand_suffix()
        );
        let mut cmd = vec![
            "env".to_string(),
            "-i".into(),
            format!("HOME={}", env.home().display()),
            "PATH=/usr/bin:/bin".into(),
            "TERM=xterm-256color".into(),
            "NO_COLOR=1".into(),
        ];
        cmd.extend(vars.iter().map(|(k, v)| format!("{k}={v}")));
        cmd.push(TestEnv::bin().display().to_string());
        cmd.extend(args.iter().map(|a| (*a).to_string()));
        let line = format!(
            "{}; echo EXIT=$?; sleep 120",
            cmd.iter().map(|c| quote(c)).collect::<Vec<_>>().join(" ")
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", "120", "-y", "50", &line])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "tmux new-session failed");
        Some(Self { socket })
    }

    /// The whole pane including scrollback.
    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "capture-pane",
                "-p",
                "-J",
                "-S",
                "-",
                "-t",
                "t",
            ])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until `text` appears at least `n` times.
    #[track_caller]
    fn wait_n(&self, text: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if s.matches(text).count() >= n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?} (×{n}); the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[track_caller]
    fn wait(&self, text: &str) {
        self.wait_n(text, 1);
    }

    /// Presses keys (tmux names: Up, Down, Enter, Space, Escape, C-c, …).
    fn keys(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "send-keys {keys:?}");
        // Let the program redraw before the next wait looks at the screen.
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Types text literally.
    fn type_text(&self, text: &str) {
        let ok = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t", "-l", text])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "send-keys -l");
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> usize {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("random");
    u32::from_le_bytes(b) as usize
}

fn env_file(env: &TestEnv) -> PathBuf {
    env.root().join(".env")
}

#[test]
fn first_setup_in_a_terminal_model_telegram_and_weixin() {
    let f = Fakes::start();
    f.script_weixin_login();
    let env = TestEnv::new();
    let tg = f.base.clone();
    let wx = f.weixin.base_url.clone();
    let Some(pane) = Pane::start(
        &env,
        &["setup"],
        &[("TELEGRAM_BASE_URL", &tg), ("WEIXIN_BASE_URL", &wx)],
    ) else {
        return;
    };
    pane.wait("Welcome to Hermes!");
    pane.wait("Which model provider should the agent use?");
    pane.keys(&["Down", "Down", "Down", "Down", "Enter"]);
    pane.wait("Base URL of the server");
    pane.type_text(&format!("{}/v1", f.base));
    pane.keys(&["Enter"]);
    pane.wait("API key (leave it empty if the server needs none):");
    pane.keys(&["Enter"]);
    pane.wait("Which model? (type to filter)");
    pane.type_text("tiny-b");
    pane.keys(&["Enter"]);
    pane.wait("custom answered; tiny-b works.");
    pane.wait("What should happen to SOUL.md");
    pane.keys(&["Enter"]);
    pane.wait("Set up messaging platforms");
    pane.keys(&["Enter"]);
    pane.wait("Select platforms to configure");
    // Telegram is first, Weixin last: space toggles, arrows move.
    pane.keys(&["Space"]);
    pane.keys(&[
        "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Space",
    ]);
    pane.keys(&["Enter"]);
    pane.wait("Telegram bot token:");
    pane.type_text(TG_TOKEN);
    pane.keys(&["Enter"]);
    pane.wait("How should direct messages be authorized?");
    pane.keys(&["Enter"]);
    pane.wait("How should group chats be handled?");
    pane.keys(&["Enter"]);
    pane.wait("Home channel (chat id for cron results and notices, optional)");
    pane.keys(&["Enter"]);
    pane.wait("Connected to @hermes_test_bot (bot id 777).");
    pane.wait("Start the QR login now?");
    pane.keys(&["Enter"]);
    pane.wait("Scan this QR code with WeChat");
    pane.wait("微信连接成功，account_id=bot@im.bot");
    pane.wait_n("How should direct messages be authorized?", 2);
    pane.keys(&["Down", "Down", "Enter"]);
    pane.wait("Allowed Weixin user IDs (comma-separated)");
    pane.keys(&["Enter"]);
    pane.wait_n("How should group chats be handled?", 2);
    pane.keys(&["Enter"]);
    pane.wait("Use your Weixin user ID (owner@im.wechat) as the home channel?");
    pane.keys(&["Enter"]);
    pane.wait("Weixin account bot@im.bot is reachable.");
    pane.wait("Write these changes?");
    let screen = pane.screen();
    assert!(
        !screen.contains(TG_TOKEN),
        "the token was echoed:\n{screen}"
    );
    assert!(screen.contains("TELEGRAM_BOT_TOKEN=****saw0"), "{screen}");
    pane.keys(&["Enter"]);
    pane.wait("Install the gateway as a service");
    pane.keys(&["n"]);
    pane.wait("EXIT=0");

    let e = EnvFile::load(&env_file(&env)).unwrap().map();
    assert_eq!(e["TELEGRAM_BOT_TOKEN"], TG_TOKEN);
    assert_eq!(e["TELEGRAM_DM_POLICY"], "pairing");
    assert_eq!(e["WEIXIN_ACCOUNT_ID"], "bot@im.bot");
    assert_eq!(e["WEIXIN_DM_POLICY"], "allowlist");
    assert_eq!(e["WEIXIN_ALLOWED_USERS"], "owner@im.wechat");
    assert_eq!(e["WEIXIN_HOME_CHANNEL"], "owner@im.wechat");
    assert_eq!(e["WEIXIN_GROUP_POLICY"], "disabled");
    let cfg = env.read(&env.root().join("config.yaml"));
    assert!(
        cfg.contains("provider: custom") && cfg.contains("default: tiny-b"),
        "{cfg}"
    );
    assert!(env.root().join("weixin/accounts/bot@im.bot.json").exists());
}

#[test]
fn ctrl_c_and_esc_cancel_with_130_and_change_nothing() {
    let env = TestEnv::new();
    env.write(&env_file(&env), "KEEP=1\n");
    // Ctrl-C in the platform list.
    let Some(pane) = Pane::start(&env, &["gateway", "setup"], &[]) else {
        return;
    };
    pane.wait("Select platforms to configure");
    pane.keys(&["Space", "C-c"]);
    pane.wait("EXIT=130");
    drop(pane);
    // Esc in a select, after a token was typed.
    let pane = Pane::start(&env, &["gateway", "setup", "--platform", "telegram"], &[]).unwrap();
    pane.wait("Telegram bot token:");
    pane.type_text(TG_TOKEN);
    pane.keys(&["Enter"]);
    pane.wait("How should direct messages be authorized?");
    pane.keys(&["Escape"]);
    pane.wait("EXIT=130");
    drop(pane);
    // Ctrl-C while typing a hidden token.
    let pane = Pane::start(&env, &["gateway", "setup", "--platform", "discord"], &[]).unwrap();
    pane.wait("Discord bot token:");
    pane.type_text("abc");
    pane.keys(&["C-c"]);
    pane.wait("EXIT=130");
    assert!(pane.screen().contains("cancelled; nothing was changed"));
    assert_eq!(env.read(&env_file(&env)), "KEEP=1\n");
}

const NO_SERVICE: (&str, &str) = ("HERMES_SERVICE_MANAGER", "none");

/// Runs `gateway setup --platform weixin` to the QR login, then leaves with `leave` at
/// `where_` (a prompt text).
fn weixin_then_leave(f: &Fakes, env: &TestEnv, where_: &str, leave: &str) {
    f.script_weixin_login();
    let wx = f.weixin.base_url.clone();
    let pane = Pane::start(
        env,
        &["gateway", "setup", "--platform", "weixin"],
        &[("WEIXIN_BASE_URL", &wx)],
    )
    .unwrap();
    pane.wait("Start the QR login now?");
    pane.keys(&["Enter"]);
    pane.wait("微信连接成功，account_id=bot@im.bot");
    if where_ == "Write these changes?" {
        pane.wait("How should direct messages be authorized?");
        pane.keys(&["Enter"]);
        pane.wait("How should group chats be handled?");
        pane.keys(&["Enter"]);
        pane.wait("as the home channel?");
        pane.keys(&["Enter"]);
        pane.wait("Weixin account bot@im.bot is reachable.");
        pane.wait("Write these changes?");
        let screen = pane.screen();
        // The summary lists the account file (mode 0600) among the changes.
        assert!(
            screen.contains("weixin/accounts/bot@im.bot.json (") && screen.contains("mode 0600"),
            "{screen}"
        );
    } else {
        pane.wait(where_);
    }
    pane.keys(&[leave]);
    pane.wait("EXIT=130");
    assert!(pane.screen().contains("cancelled; nothing was changed"));
}

#[test]
fn leaving_after_the_weixin_login_writes_nothing() {
    let f = Fakes::start();
    let env = TestEnv::new();
    if Command::new("tmux").arg("-V").output().is_err() {
        return;
    }
    for (where_, leave) in [
        ("Write these changes?", "n"),
        ("Write these changes?", "Escape"),
        ("How should direct messages be authorized?", "C-c"),
    ] {
        weixin_then_leave(&f, &env, where_, leave);
        assert!(
            !env.root().join("weixin").exists(),
            "{leave} at {where_:?} left the account file"
        );
        assert!(!env_file(&env).exists(), "{leave} at {where_:?} wrote .env");
    }
}

#[test]
fn gateway_setup_in_a_terminal_writes_telegram_and_weixin() {
    let f = Fakes::start();
    f.script_weixin_login();
    let env = TestEnv::new();
    let tg = f.base.clone();
    let wx = f.weixin.base_url.clone();
    let Some(pane) = Pane::start(
        &env,
        &["gateway", "setup"],
        &[
            ("TELEGRAM_BASE_URL", &tg),
            ("WEIXIN_BASE_URL", &wx),
            NO_SERVICE,
        ],
    ) else {
        return;
    };
    pane.wait("Select platforms to configure");
    pane.keys(&["Space"]);
    pane.keys(&[
        "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Space",
    ]);
    pane.keys(&["Enter"]);
    pane.wait("Telegram bot token:");
    pane.type_text(TG_TOKEN);
    pane.keys(&["Enter"]);
    pane.wait("How should direct messages be authorized?");
    // Only listed user IDs: the IDs are asked next.
    pane.keys(&["Down", "Down", "Enter"]);
    pane.wait("Allowed Telegram user IDs (comma-separated)");
    pane.type_text("111, 222x");
    pane.keys(&["BSpace", "Enter"]);
    pane.wait("How should group chats be handled?");
    pane.keys(&["Enter"]);
    pane.wait("Home channel (chat id for cron results and notices, optional)");
    pane.type_text("111");
    pane.keys(&["Enter"]);
    pane.wait("Connected to @hermes_test_bot (bot id 777).");
    pane.wait("Start the QR login now?");
    pane.keys(&["Enter"]);
    pane.wait("微信连接成功，account_id=bot@im.bot");
    pane.wait_n("How should direct messages be authorized?", 2);
    pane.keys(&["Enter"]);
    pane.wait_n("How should group chats be handled?", 2);
    pane.keys(&["Enter"]);
    pane.wait("Use your Weixin user ID (owner@im.wechat) as the home channel?");
    pane.keys(&["Enter"]);
    pane.wait("Weixin account bot@im.bot is reachable.");
    pane.wait("Write these changes?");
    assert!(
        !env.root().join("weixin").exists(),
        "written before the confirmation"
    );
    pane.keys(&["Enter"]);
    pane.wait("Install the gateway as a service");
    // No service manager here: the install fails, the manual steps are shown, and the
    // changes stay written.
    pane.keys(&["y"]);
    pane.wait("`hermes gateway install` did not succeed.");
    pane.wait("EXIT=0");
    let screen = pane.screen();
    assert!(
        !screen.contains(TG_TOKEN),
        "the token was echoed:\n{screen}"
    );
    assert!(!screen.contains(super::setup_fake::WX_TOKEN), "{screen}");

    let e = EnvFile::load(&env_file(&env)).unwrap().map();
    assert_eq!(e["TELEGRAM_BOT_TOKEN"], TG_TOKEN);
    assert_eq!(e["TELEGRAM_DM_POLICY"], "allowlist");
    assert_eq!(e["TELEGRAM_ALLOWED_USERS"], "111,222");
    assert_eq!(e["TELEGRAM_HOME_CHANNEL"], "111");
    assert_eq!(e["WEIXIN_ACCOUNT_ID"], "bot@im.bot");
    assert_eq!(e["WEIXIN_DM_POLICY"], "pairing");
    assert_eq!(e["WEIXIN_HOME_CHANNEL"], "owner@im.wechat");
    assert_eq!(super::mode(&env_file(&env)), 0o600);
    let account = env.root().join("weixin/accounts/bot@im.bot.json");
    assert_eq!(super::mode(&account), 0o600);
    let acc: serde_json::Value = serde_json::from_str(&env.read(&account)).unwrap();
    assert_eq!(acc["token"], super::setup_fake::WX_TOKEN);
    assert_eq!(acc["user_id"], "owner@im.wechat");
}

#[test]
fn a_hidden_key_and_a_keyed_providers_model_list_with_a_spinner() {
    let f = Fakes::start();
    let env = TestEnv::new();
    let url = format!("{}/slow/v1", f.base);
    let Some(pane) = Pane::start(&env, &["model", "--base-url", &url], &[]) else {
        return;
    };
    pane.wait("Which model provider should the agent use?");
    pane.keys(&["Enter"]); // OpenRouter
    pane.wait("Create a key at https://openrouter.ai/keys");
    pane.wait("OpenRouter API key:");
    pane.type_text("sk-test-key-123456");
    pane.keys(&["Enter"]);
    // The list takes a moment: a spinner with the yaml's wording shows meanwhile.
    pane.wait("Fetching the model list from openrouter…");
    let during = pane.screen();
    assert!(!during.contains('░'), "a bar, not a spinner:\n{during}");
    pane.wait("Which model? (type to filter)");
    pane.type_text("tiny-b");
    pane.keys(&["Enter"]);
    pane.wait("openrouter answered; tiny-b works.");
    pane.wait("Write these changes?");
    let screen = pane.screen();
    assert!(screen.contains("OPENROUTER_API_KEY=****3456"), "{screen}");
    assert!(
        !screen.contains("API key saved"),
        "said before writing:\n{screen}"
    );
    pane.keys(&["Enter"]);
    pane.wait("API key saved to");
    pane.wait("EXIT=0");
    let screen = pane.screen();
    assert!(
        !screen.contains("sk-test-key-123456"),
        "the key was echoed:\n{screen}"
    );
    let e = EnvFile::load(&env_file(&env)).unwrap().map();
    assert_eq!(e["OPENROUTER_API_KEY"], "sk-test-key-123456");
    let cfg = env.read(&env.root().join("config.yaml"));
    assert!(
        cfg.contains("provider: openrouter") && cfg.contains("default: tiny-b"),
        "{cfg}"
    );
    assert!(cfg.contains(&format!("base_url: {url}")), "{cfg}");
    assert_eq!(f.chats.lock().unwrap().len(), 1, "one validation request");
}

#[test]
fn esc_cancels_typed_text_prompts() {
    let env = TestEnv::new();
    env.write(&env_file(&env), "KEEP=1\n");
    let Some(pane) = Pane::start(&env, &["model"], &[]) else {
        return;
    };
    pane.wait("Which model provider should the agent use?");
    pane.keys(&["Down", "Down", "Down", "Down", "Enter"]);
    pane.wait("Base URL of the server");
    pane.type_text("http://127.0.0.1:9");
    pane.keys(&["Escape"]);
    pane.wait("EXIT=130");
    assert!(pane.screen().contains("cancelled; nothing was changed"));
    drop(pane);
    let pane = Pane::start(&env, &["gateway", "setup", "--platform", "telegram"], &[]).unwrap();
    pane.wait("Telegram bot token:");
    pane.type_text(TG_TOKEN);
    pane.keys(&["Enter"]);
    pane.wait("How should direct messages be authorized?");
    pane.keys(&["Down", "Down", "Enter"]);
    pane.wait("Allowed Telegram user IDs (comma-separated)");
    pane.type_text("123");
    pane.keys(&["Escape"]);
    pane.wait("EXIT=130");
    assert_eq!(env.read(&env_file(&env)), "KEEP=1\n");
    assert!(!env.root().join("config.yaml").exists());
}

#[test]
fn quick_asks_only_what_is_missing() {
    let f = Fakes::start();
    let env = TestEnv::new();
    env.write(
        &env.root().join("config.yaml"),
        &format!(
            "model:\n  provider: custom\n  default: tiny-a\n  base_url: {}/v1\n",
            f.base
        ),
    );
    env.write(&env_file(&env), &format!("TELEGRAM_BOT_TOKEN={TG_TOKEN}\n"));
    let soul = env.home().join("my-soul.md");
    env.write(&soul, "Be brief.\n");
    // The model and a platform are configured; SOUL.md is not.
    let Some(pane) = Pane::start(&env, &["setup", "--quick"], &[]) else {
        return;
    };
    pane.wait("Hermes is already set up here");
    pane.wait("What should happen to SOUL.md");
    pane.keys(&["Down", "Down", "Enter"]);
    pane.wait("Path of the file to use as SOUL.md");
    pane.type_text(&soul.display().to_string());
    pane.keys(&["Enter"]);
    pane.wait("Write these changes?");
    pane.keys(&["Enter"]);
    pane.wait("EXIT=0");
    let screen = pane.screen();
    assert!(!screen.contains("Which model provider"), "{screen}");
    assert!(!screen.contains("Set up messaging platforms"), "{screen}");
    assert_eq!(env.read(&env.root().join("SOUL.md")), "Be brief.\n");
    drop(pane);
    // Now nothing is missing: nothing is asked.
    let pane = Pane::start(&env, &["setup", "--quick"], &[]).unwrap();
    pane.wait("Nothing to change.");
    pane.wait("EXIT=0");
    let screen = pane.screen();
    assert!(!screen.contains('?'), "asked something:\n{screen}");
}

#[test]
fn reset_asks_first_then_starts_from_the_defaults() {
    let env = TestEnv::new();
    let cfg = "model:\n  provider: openrouter\n  default: openai/gpt-4.1\n";
    env.write(&env.root().join("config.yaml"), cfg);
    env.write(&env_file(&env), "OPENROUTER_API_KEY=sk-or-old-key-abcdef\n");
    // No: the current settings stay the defaults.
    let Some(pane) = Pane::start(&env, &["setup", "--reset"], &[]) else {
        return;
    };
    pane.wait("Start from the built-in defaults instead of your current settings?");
    pane.keys(&["n"]);
    pane.wait("Hermes is already set up here");
    pane.wait("Which model provider should the agent use?");
    pane.keys(&["Enter"]);
    pane.wait("Leave it empty to keep the current key (****cdef).");
    pane.keys(&["C-c"]);
    pane.wait("EXIT=130");
    drop(pane);
    // Yes: a first run, with nothing current to keep.
    let pane = Pane::start(&env, &["setup", "--reset"], &[]).unwrap();
    pane.wait("Start from the built-in defaults instead of your current settings?");
    pane.keys(&["y"]);
    pane.wait("Welcome to Hermes!");
    pane.wait("Which model provider should the agent use?");
    pane.keys(&["Enter"]);
    pane.wait("OpenRouter API key:");
    let screen = pane.screen();
    assert!(!screen.contains("keep the current key"), "{screen}");
    pane.keys(&["Escape"]);
    pane.wait("EXIT=130");
    assert_eq!(env.read(&env.root().join("config.yaml")), cfg);
    assert_eq!(
        env.read(&env_file(&env)),
        "OPENROUTER_API_KEY=sk-or-old-key-abcdef\n"
    );
}
