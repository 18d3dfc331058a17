//! Colour decisions of the real binary: `--color`, a terminal, and `NO_COLOR`, which always
//! wins (<https://no-color.org>).

use std::process::Command;

use crate::TestEnv;

const BOLD: &str = "\u{1b}[1m";

/// Runs `hermes profile list` plus `extra` args without the harness's `NO_COLOR`; returns stdout.
fn list(env: &TestEnv, extra: &[&str], no_color: Option<&str>) -> String {
    let mut cmd = Command::new(TestEnv::bin());
    cmd.env_clear()
        .env("HOME", env.home())
        .env("PATH", "/usr/bin:/bin")
        .args(["profile", "list"])
        .args(extra);
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("run hermes");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The same under a pseudo-terminal (`script` from util-linux), so stdout is a TTY.
fn list_on_tty(env: &TestEnv, no_color: Option<&str>) -> String {
    let mut cmd = Command::new("script");
    cmd.env_clear()
        .env("HOME", env.home())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm")
        .args(["-qec"])
        .arg(format!("{} profile list", TestEnv::bin().display()))
        .arg("/dev/null");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("run script (util-linux)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn color_flag_and_no_color() {
    let env = TestEnv::new();
    // Piped: plain unless asked for.
    assert!(!list(&env, &[], None).contains('\u{1b}'));
    assert!(list(&env, &["--color", "always"], None).contains(BOLD));
    // NO_COLOR beats even `--color always`; an empty NO_COLOR does not count.
    assert!(!list(&env, &["--color", "always"], Some("1")).contains('\u{1b}'));
    assert!(list(&env, &["--color", "always"], Some("")).contains(BOLD));
}

#[test]
fn a_terminal_gets_colour_unless_no_color() {
    let env = TestEnv::new();
    assert!(list_on_tty(&env, None).contains(BOLD));
    assert!(!list_on_tty(&env, Some("1")).contains('\u{1b}'));
}
