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
