//! The API key in a real OS keychain: a private D-Bus session bus (`dbus-daemon`) with GNOME
//! Keyring's Secret Service (`gnome-keyring-daemon`, unlocked with a throwaway password)
//! under a temp `$HOME`. `hermes setup` stores the key there (not in `.env`), `secret-tool`
//! finds it, and `hermes chat` uses it. Without a session bus, or with one that never answers,
//! the key goes to `.env` without waiting long.
//!
//! Skipped (with a note) where dbus-daemon, gnome-keyring-daemon or secret-tool is not
//! installed (`.ci/run` installs them).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::setup_fake::Fakes;
use super::{TestEnv, mode};

const KEY: &str = "sk-test-key-123456";

fn installed(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A session bus with an unlocked Secret Service; both end with it.
struct Keyring {
    bus: Child,
    daemon: Child,
    address: String,
    home: PathBuf,
    runtime: PathBuf,
}

impl Keyring {
    #[allow(clippy::print_stderr)] // says why a test did nothing
    fn start(env: &TestEnv) -> Option<Self> {
        let missing: Vec<&str> = ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"]
            .into_iter()
            .filter(|t| !installed(t))
            .collect();
        if !missing.is_empty() {
            eprintln!(
                "{} not installed; skipping the keychain test",
                missing.join(", ")
            );
            return None;
        }
        let home = env.home();
        let runtime = env.home().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        // A session bus without service activation: a client that asks too early must not
        // start a second, locked gnome-keyring-daemon that would take the Secret Service name.
        let config = runtime.join("session.conf");
        let bus_config = format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
            runtime.join("bus").display()
        );
        std::fs::write(&config, bus_config).unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--nofork", "--print-address=1"])
            .arg(format!("--config-file={}", config.display()))
            .env("HOME", &home)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        // The daemon prints its address once it listens.
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(bus.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:path="), "{address}");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env_clear()
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        // The login keyring's password on stdin, then EOF: it is created and unlocked.
        daemon
            .stdin
            .take()
            .unwrap()
            .write_all(b"throwaway-password")
            .unwrap();
        let k = Self {
            bus,
            daemon,
            address,
            home,
            runtime,
        };
        // Ready once the login keyring takes an item: the daemon answers on the bus before it
        // has created and unlocked that keyring.
        let deadline = Instant::now() + Duration::from_secs(30);
        while k
            .secret_tool_in(
                &[
                    "store",
                    "--label=ready",
                    "service",
                    "hermes-test",
                    "username",
                    "ready",
                ],
                "x",
            )
            .0
            != Some(0)
        {
            assert!(
                Instant::now() < deadline,
                "the Secret Service did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        k.secret_tool(&["clear", "service", "hermes-test", "username", "ready"]);
        Some(k)
    }

    /// `secret-tool ARGS` on this bus: exit code and stdout.
    fn secret_tool(&self, args: &[&str]) -> (Option<i32>, String) {
        self.secret_tool_in(args, "")
    }

    /// `secret-tool ARGS` with `input` on stdin, given up on after 10 s (a locked keyring
    /// may wait for a prompt nobody answers).
    fn secret_tool_in(&self, args: &[&str], input: &str) -> (Option<i32>, String) {
        let mut child = Command::new("timeout")
            .arg("10")
            .arg("secret-tool")
            .args(args)
            .env_clear()
            .env("HOME", &self.home)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("secret-tool");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().expect("secret-tool");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// What the keychain holds for `var` in the profile at `home`.
    fn lookup(&self, var: &str, home: &Path) -> Option<String> {
        let account = format!("{var}@{}", home.display());
        match self.secret_tool(&["lookup", "service", "hermes", "username", &account]) {
            (Some(0), v) => Some(v),
            _ => None,
        }
    }

    /// The environment hermes runs with: this bus, the keychain on.
    fn env(&self) -> Vec<(&str, &str)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS", self.address.as_str()),
            ("XDG_RUNTIME_DIR", self.runtime.to_str().unwrap()),
            ("HERMES_NO_KEYCHAIN", ""),
        ]
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        for c in [&mut self.daemon, &mut self.bus] {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn setup_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "setup",
        "model",
        "--non-interactive",
        "--provider",
        "openrouter",
        "--base-url",
        url,
        "--api-key-stdin",
        "--model",
        "tiny-a",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn setup_stores_the_key_in_a_real_keychain_and_chat_reads_it_from_there() {
    let env = TestEnv::new();
    let Some(kr) = Keyring::start(&env) else {
        return;
    };
    let f = Fakes::start();
    let url = format!("{}/v1", f.base);
    // A stale key in .env goes away in the same change.
    env.write(
        &env.root().join(".env"),
        "KEEP=1\nOPENROUTER_API_KEY=sk-old-stale-000000\n",
    );
    let run = env
        .run_with(setup_args(&url, &[]), &kr.env(), &format!("{KEY}\n"))
        .ok();
    assert!(
        run.stderr
            .contains("the OS keychain (service `hermes`)\n    OPENROUTER_API_KEY=****3456"),
        "{run}"
    );
    assert!(run.stderr.contains("remove OPENROUTER_API_KEY"), "{run}");
    assert!(
        run.stderr.contains(
            "API key saved in the OS keychain (service `hermes`, account \
             `OPENROUTER_API_KEY@[TMP]/home/.hermes`), not in [TMP]/home/.hermes/.env."
        ),
        "{run}"
    );
    assert_eq!(
        kr.lookup("OPENROUTER_API_KEY", &env.root()).as_deref(),
        Some(KEY)
    );
    assert_eq!(env.read(&env.root().join(".env")), "KEEP=1\n");
    assert_eq!(mode(&env.root().join(".env")), 0o600);

    // The runtime finds the key in the keychain: the chat request carries it.
    let chats_before = f.chats.lock().unwrap().len();
    let run = env.run_with(["chat", "-q", "hi"], &kr.env(), "").ok();
    assert!(run.stdout.contains('O'), "{run}");
    let chats = f.chats.lock().unwrap().clone();
    assert_eq!(chats.len(), chats_before + 1, "{run}");
    assert_eq!(chats[chats_before]["model"], "tiny-a");
    // ...and only there: with the keychain off, the key is missing.
    let run = env
        .run_with(["chat", "-q", "hi"], &[("HERMES_NO_KEYCHAIN", "1")], "")
        .code(1);
    assert!(run.stderr.contains("OPENROUTER_API_KEY"), "{run}");

    // doctor names the store.
    let run = env.run_with(["doctor"], &kr.env(), "");
    assert!(
        run.stdout
            .contains("Model key store: the OS keychain (service `hermes`)"),
        "{run}"
    );
    assert!(run.stdout.contains("the OS keychain answers"), "{run}");

    // Running again keeps the stored key: nothing to change, the key is not asked for.
    let run = env
        .run_with(
            ["setup", "model", "--non-interactive", "--no-validate"],
            &kr.env(),
            "",
        )
        .ok();
    assert!(!run.stderr.contains("API key"), "{run}");
    assert_eq!(env.read(&env.root().join(".env")), "KEEP=1\n");

    // --no-keychain puts a new key in .env (and leaves the keychain alone).
    let run = env
        .run_with(
            setup_args(&url, &["--no-keychain", "--no-validate"]),
            &kr.env(),
            "sk-second-key-7777\n",
        )
        .ok();
    assert!(
        run.stderr
            .contains("API key saved to [TMP]/home/.hermes/.env (mode 0600)."),
        "{run}"
    );
    assert_eq!(
        env.read(&env.root().join(".env")),
        "KEEP=1\nOPENROUTER_API_KEY=sk-second-key-7777\n"
    );
    assert_eq!(
        kr.lookup("OPENROUTER_API_KEY", &env.root()).as_deref(),
        Some(KEY)
    );
}

#[test]
fn without_a_session_bus_the_key_goes_to_dotenv() {
    let env = TestEnv::new();
    let run = env
        .run_with(
            setup_args("http://127.0.0.1:9/v1", &["--no-validate"]),
            &[
                ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
                ("HERMES_NO_KEYCHAIN", ""),
            ],
            &format!("{KEY}\n"),
        )
        .ok();
    assert!(
        run.stderr
            .contains("API key saved to [TMP]/home/.hermes/.env (mode 0600)."),
        "{run}"
    );
    assert_eq!(
        env.read(&env.root().join(".env")),
        format!("OPENROUTER_API_KEY={KEY}\n")
    );
}

#[test]
fn a_session_bus_that_never_answers_is_given_up_on() {
    // A socket that accepts connections and never says a word, like a hung bus.
    let env = TestEnv::new();
    let socket = env.home().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let address = format!("unix:path={}", socket.display());
    let started = Instant::now();
    let run = env
        .run_with(
            setup_args("http://127.0.0.1:9/v1", &["--no-validate"]),
            &[
                ("DBUS_SESSION_BUS_ADDRESS", address.as_str()),
                ("HERMES_NO_KEYCHAIN", ""),
            ],
            &format!("{KEY}\n"),
        )
        .ok();
    let took = started.elapsed();
    drop(listener);
    assert!(
        run.stderr
            .contains("API key saved to [TMP]/home/.hermes/.env (mode 0600)."),
        "{run}"
    );
    assert_eq!(
        env.read(&env.root().join(".env")),
        format!("OPENROUTER_API_KEY={KEY}\n")
    );
    // One keychain call is given up on after 2 s; the whole run stays well under a minute.
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
