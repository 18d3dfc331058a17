//! A home laid out exactly as the Python original lays one out is read and changed
//! correctly by this binary (the drop-in rule).

use crate::{TestEnv, mode};

const UPSTREAM_CONFIG: &str = "\
model:
  default: anthropic/claude-sonnet-4.6
  provider: openrouter
display:
  tool_progress: all
agent:
  verify_on_stop: false
  max_turns: 90
plugins:
  enabled: []
_config_version: 33

# ── Security ──────────────────────────────────────────────────────────
# security:
#   redact_secrets: true
";

const UPSTREAM_PROFILE_ENV: &str = "\
# Per-profile secrets for this Hermes profile.
# API keys and tokens set here override the shell environment.
# Behavioral settings belong in config.yaml, not here.
OPENROUTER_API_KEY=\"sk-or-with space\"
export TELEGRAM_BOT_TOKEN=123456:ABC
";

fn upstream_home(env: &TestEnv) {
    let root = env.root();
    env.write(&root.join("config.yaml"), UPSTREAM_CONFIG);
    env.write(
        &root.join(".env"),
        "# root secrets\nOPENAI_API_KEY=sk-root\n",
    );
    env.write(
        &root.join("SOUL.md"),
        "You are Hermes Agent, an intelligent AI assistant.",
    );
    env.write(&root.join("active_profile"), "coder\n");
    let coder = env.profile("coder");
    env.write(
        &coder.join("config.yaml"),
        "# coder's own\nmodel:\n  default: gpt-5\n  provider: openai   # direct\n",
    );
    env.write(&coder.join(".env"), UPSTREAM_PROFILE_ENV);
    std::fs::set_permissions(
        coder.join(".env"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    env.write(&coder.join("SOUL.md"), "Coder persona");
    env.write(&coder.join("memories/MEMORY.md"), "m");
    env.write(
        &coder.join("skills/dev/review/SKILL.md"),
        "---\nname: review\n---\n",
    );
    env.write(&coder.join("sessions/sessions.json"), "{}");
    // A stale pid file from a gateway that died (bare integer, the legacy form).
    env.write(&coder.join("gateway.pid"), "999999\n");
    env.write(
        &coder.join("pairing/telegram-approved.json"),
        "{\"42\": {\"user_name\": \"ann\", \"approved_at\": 1}}",
    );
    env.write(
        &env.profile("writer").join("config.yaml"),
        "model: openrouter/some-model\n",
    );
    // Upstream's wrapper: `hermes` not on PATH at creation time.
    let wrapper = env.home().join(".local/bin/coder");
    env.write(&wrapper, "#!/bin/sh\nexec hermes -p coder \"$@\"\n");
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
}

#[test]
fn upstream_home_reads_correctly() {
    let env = TestEnv::new();
    upstream_home(&env);
    let r = env.run(["profile", "list", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "coder", "writer"]);
    assert_eq!(v[0]["model"], "anthropic/claude-sonnet-4.6");
    assert_eq!(v[1]["active"], true, "active_profile is honoured");
    assert_eq!(v[1]["model"], "gpt-5");
    assert_eq!(
        v[1]["gateway_pid"],
        serde_json::Value::Null,
        "a stale pid is not a running gateway"
    );
    assert!(
        v[1]["alias"]
            .as_str()
            .unwrap()
            .ends_with(".local/bin/coder"),
        "upstream's wrapper is recognised"
    );
    assert_eq!(v[1]["skills"], 1);
    assert_eq!(v[2]["model"], "openrouter/some-model", "bare model string");

    // The sticky profile applies; .env values are read with dotenv quoting, and the profile's
    // .env wins over the shell.
    assert_eq!(
        env.run(["config", "get", "model.default"]).ok().stdout,
        "gpt-5\n"
    );
    assert_eq!(
        env.run(["config", "get", "OPENROUTER_API_KEY"]).ok().stdout,
        "sk-or-with space\n"
    );
    let r = env
        .run_with(
            ["config", "get", "TELEGRAM_BOT_TOKEN"],
            &[("TELEGRAM_BOT_TOKEN", "from-shell")],
            "",
        )
        .ok();
    assert_eq!(r.stdout, "123456:ABC\n");
    // Maps print merged with the built-in defaults, as the original does.
    let model = env
        .run(["-p", "default", "config", "get", "model"])
        .ok()
        .stdout;
    assert!(
        model.starts_with("default: anthropic/claude-sonnet-4.6\nprovider: openrouter\n"),
        "{model}"
    );
    assert_eq!(
        env.run(["-p", "writer", "config", "get", "model.default"])
            .ok()
            .stdout,
        "openrouter/some-model\n"
    );
    // Keys of the Python original this version ignores are reported, not rejected.
    let r = env.run(["-p", "default", "config", "check"]).ok();
    assert!(
        r.stdout
            .contains("agent.verify_on_stop: a key of the Python original"),
        "{r}"
    );
}

#[test]
fn upstream_home_is_modified_losslessly() {
    let env = TestEnv::new();
    upstream_home(&env);
    env.run(["-p", "default", "config", "set", "agent.max_turns", "60"])
        .ok();
    assert_eq!(
        env.read(&env.root().join("config.yaml")),
        UPSTREAM_CONFIG.replace("  max_turns: 90", "  max_turns: 60"),
        "comments, order and the trailing commented block survive"
    );
    env.run(["config", "set", "model.provider", "anthropic"])
        .ok();
    assert_eq!(
        env.read(&env.profile("coder").join("config.yaml")),
        "# coder's own\nmodel:\n  default: gpt-5\n  provider: anthropic   # direct\n"
    );
    env.run(["config", "set", "ANTHROPIC_API_KEY", "sk-ant"])
        .ok();
    let dotenv = env.read(&env.profile("coder").join(".env"));
    assert_eq!(
        dotenv,
        format!("{UPSTREAM_PROFILE_ENV}ANTHROPIC_API_KEY=sk-ant\n")
    );
    assert_eq!(mode(&env.profile("coder").join(".env")), 0o600);
    // Upstream's files beside ours are left alone.
    assert!(
        env.profile("coder")
            .join("pairing/telegram-approved.json")
            .exists()
    );
    assert_eq!(
        env.read(&env.root().join("SOUL.md")),
        "You are Hermes Agent, an intelligent AI assistant."
    );
    // Cloning from an upstream profile leaves its bot token behind.
    let r = env
        .run(["profile", "create", "twin", "--clone", "--no-alias"])
        .ok();
    assert!(r.stderr.contains("not cloned: telegram"), "{r}");
    let twin_env = env.read(&env.profile("twin").join(".env"));
    assert!(
        twin_env.contains("OPENROUTER_API_KEY") && !twin_env.contains("TELEGRAM_BOT_TOKEN"),
        "{twin_env}"
    );
}
