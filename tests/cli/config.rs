//! `hermes config …` end to end: routing, coercion, lossless edits, errors.

use crate::{TestEnv, mode};

const COMMENTED: &str = "\
# My hermes config — hand written.
model:
  default: anthropic/claude   # the good one
  provider: openrouter

# Tools
agent:
    max_turns: 10      # keep it short
    reasoning_effort: low
list_key:
- a
- b
";

#[test]
fn set_keeps_comments_order_and_formatting() {
    let env = TestEnv::new();
    let cfg = env.root().join("config.yaml");
    env.write(&cfg, COMMENTED);
    let r = env.run(["config", "set", "agent.max_turns", "40"]).ok();
    assert!(
        r.stderr
            .contains("✓ Set agent.max_turns = 40 in [TMP]/home/.hermes/config.yaml"),
        "{r}"
    );
    env.run(["config", "set", "model", "gpt-4o"]).ok();
    env.run(["config", "set", "display.busy_input_mode", "queue"])
        .ok();
    env.run(["config", "set", "list_key.1", "B"]).ok();
    env.run(["config", "set", "list_key.2", "c"]).ok();
    assert_eq!(
        env.read(&cfg),
        "\
# My hermes config — hand written.
model:
  default: gpt-4o   # the good one
  provider: openrouter

# Tools
agent:
    max_turns: 40      # keep it short
    reasoning_effort: low
list_key:
- a
- B
- c
display:
    busy_input_mode: queue
"
    );
    // Unset removes the key and prunes an emptied parent.
    let r = env.run(["config", "unset", "display.busy_input_mode"]).ok();
    assert!(
        r.stderr.contains("✓ Unset display.busy_input_mode from"),
        "{r}"
    );
    assert!(!env.read(&cfg).contains("display"));
    let r = env
        .run(["config", "unset", "display.busy_input_mode"])
        .code(1);
    assert!(
        r.stderr
            .contains("Error: Config key not set: display.busy_input_mode"),
        "{r}"
    );
    assert!(env.read(&cfg).starts_with("# My hermes config"));
}

#[test]
fn values_are_coerced_and_read_back_typed() {
    let env = TestEnv::new();
    for (k, v) in [
        ("agent.max_turns", "40"),
        ("compression.threshold", "0.75"),
        ("streaming.enabled", "yes"),
        ("terminal.cwd", "-5"),
        ("timezone", "Asia/Shanghai"),
    ] {
        env.run(["config", "set", k, v]).ok();
    }
    let get = |k: &str| {
        env.run(["config", "get", k, "--json"])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    assert_eq!(get("agent.max_turns"), "40");
    assert_eq!(get("compression.threshold"), "0.75");
    assert_eq!(get("streaming.enabled"), "true");
    assert_eq!(get("terminal.cwd"), "-5");
    assert_eq!(get("timezone"), "\"Asia/Shanghai\"");
    // Defaults come through for keys not set.
    assert_eq!(
        env.run(["config", "get", "display.busy_input_mode"])
            .ok()
            .stdout,
        "interrupt\n"
    );
    assert_eq!(
        env.run(["config", "get", "gateway.api_server.port"])
            .ok()
            .stdout,
        "8642\n"
    );
    let r = env.run(["config", "get", "nope.missing"]).code(1);
    assert!(r.stderr.contains("Config key not set: nope.missing"), "{r}");
    // Maps print as YAML.
    assert!(
        env.run(["config", "get", "session_reset"])
            .ok()
            .stdout
            .contains("at_hour: 4")
    );
}

#[test]
fn secrets_go_to_a_private_env_file_that_keeps_comments() {
    let env = TestEnv::new();
    let dotenv = env.root().join(".env");
    env.write(&dotenv, "# keys\nexport GITHUB_TOKEN=old\n\nOTHER=1\n");
    std::fs::set_permissions(&dotenv, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let r = env.run(["config", "set", "OPENAI_API_KEY", "sk-x y"]).ok();
    assert!(
        r.stderr
            .contains("✓ Set OPENAI_API_KEY in [TMP]/home/.hermes/.env"),
        "{r}"
    );
    env.run(["config", "set", "github_token", "new"]).ok();
    // Env-shaped names go to .env too (upstream wrote API_SERVER_ENABLED into config.yaml).
    env.run(["config", "set", "API_SERVER_ENABLED", "true"])
        .ok();
    assert_eq!(
        env.read(&dotenv),
        "# keys\nexport GITHUB_TOKEN=new\n\nOTHER=1\nOPENAI_API_KEY='sk-x y'\nAPI_SERVER_ENABLED=true\n"
    );
    assert_eq!(mode(&dotenv), 0o600);
    assert!(
        !env.root().join("config.yaml").exists(),
        "nothing went to config.yaml"
    );
    assert_eq!(
        env.run(["config", "get", "OPENAI_API_KEY"]).ok().stdout,
        "sk-x y\n"
    );
    env.run(["config", "unset", "GITHUB_TOKEN"]).ok();
    assert!(!env.read(&dotenv).contains("GITHUB_TOKEN"));
    env.run(["config", "unset", "GITHUB_TOKEN"]).code(1);
    // A secret-looking yaml leaf is masked in output.
    let r = env
        .run(["config", "set", "model.api_key", "sk-abcdefghijklmnop1234"])
        .ok();
    assert!(r.stderr.contains("model.api_key = sk-a...1234"), "{r}");
    let show = env.run(["config", "show"]).ok();
    assert!(
        !show.stdout.contains("sk-abcdefghijklmnop1234") && show.stdout.contains("sk-a...1234"),
        "{show}"
    );
}

#[test]
fn unknown_keys_are_saved_with_a_notice() {
    let env = TestEnv::new();
    let r = env.run(["config", "set", "agent.max_turn", "5"]).ok();
    assert!(
        r.stderr
            .contains("'agent.max_turn' is not a recognized config key — it was saved anyway"),
        "{r}"
    );
    assert!(r.stderr.contains("Did you mean: agent.max_turns"), "{r}");
    let r = env.run(["config", "set", "--force", "foo.baz", "2"]).ok();
    assert!(!r.stderr.contains("not a recognized"), "{r}");
    let r = env
        .run(["config", "set", "delegation.max_iterations", "3"])
        .ok();
    assert!(
        r.stderr
            .contains("a key of the Python original that this version does not use"),
        "{r}"
    );
    assert_eq!(env.run(["config", "get", "foo.baz"]).ok().stdout, "2\n");
    let r = env.run(["config", "check"]).ok();
    assert!(
        r.stdout
            .contains("⚠ agent.max_turn: not a recognized key (did you mean agent.max_turns?)"),
        "{r}"
    );
    assert!(r.stdout.contains("⚠ foo.baz: not a recognized key"), "{r}");
    assert!(
        r.stdout
            .contains("⚠ delegation.max_iterations: a key of the Python original"),
        "{r}"
    );
}

#[test]
fn broken_config_is_reported_with_position_and_never_overwritten() {
    let env = TestEnv::new();
    let cfg = env.root().join("config.yaml");
    let broken = "model:\n  default: x\n  bad: [unclosed\nagent: {}\n";
    env.write(&cfg, broken);
    let r = env.run(["config", "set", "agent.max_turns", "3"]).code(1);
    assert!(
        r.stderr
            .contains("Error: [TMP]/home/.hermes/config.yaml does not parse: line "),
        "{r}"
    );
    assert!(r.stderr.contains("hint:"), "{r}");
    assert_eq!(env.read(&cfg), broken, "nothing was written");
    env.run(["config", "get", "model.default"]).code(1);
    env.run(["config", "show"]).code(1);
    let r = env.run(["config", "check"]).code(1);
    assert!(r.stdout.contains("✗"), "{r}");
    // Wrong value types are caught by check.
    env.write(&cfg, "agent:\n  max_turns: lots\n");
    let r = env.run(["config", "check"]).code(1);
    assert!(r.stdout.contains("wrong type"), "{r}");
}

#[test]
fn list_index_out_of_range_is_an_error() {
    let env = TestEnv::new();
    let cfg = env.root().join("config.yaml");
    env.write(
        &cfg,
        "custom_providers:\n- name: local\n  base_url: http://127.0.0.1:8080/v1\n",
    );
    env.run(["config", "set", "custom_providers.0.api_key", "abc"])
        .ok();
    assert_eq!(
        env.read(&cfg),
        "custom_providers:\n- name: local\n  base_url: http://127.0.0.1:8080/v1\n  api_key: abc\n"
    );
    let r = env
        .run(["config", "set", "custom_providers.5.name", "x"])
        .code(1);
    assert!(r.stderr.contains("hint: the list has 1 item(s)"), "{r}");
}

#[test]
fn show_path_env_path_and_profiles() {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    assert_eq!(
        env.run(["-p", "coder", "config", "env-path"])
            .ok()
            .stdout
            .trim(),
        "[TMP]/home/.hermes/profiles/coder/.env"
    );
    env.run(["-p", "coder", "config", "set", "model", "m1"])
        .ok();
    let show = env.run(["-p", "coder", "config"]).ok();
    assert!(show.stdout.contains("# profile: coder"), "{show}");
    assert!(show.stdout.contains("default: m1"), "{show}");
    let json = env.run(["-p", "coder", "config", "show", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["model"]["default"], "m1");
    assert_eq!(v["gateway"]["api_server"]["port"], 8642);
    // The default profile is untouched.
    assert!(!env.root().join("config.yaml").exists());
}

#[test]
fn edit_uses_the_editor_and_checks_the_result() {
    let env = TestEnv::new();
    let script = env.home().join("fake-editor");
    env.write(
        &script,
        "#!/bin/sh\nprintf 'agent:\\n  max_turns: 12\\n' >> \"$1\"\n",
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let r = env
        .run_with(
            ["config", "edit"],
            &[("EDITOR", &script.display().to_string())],
            "",
        )
        .ok();
    assert!(r.stderr.contains("parses"), "{r}");
    assert_eq!(
        env.run(["config", "get", "agent.max_turns"]).ok().stdout,
        "12\n"
    );
}

#[test]
fn get_and_show_report_environment_overrides() {
    let env = TestEnv::new();
    let cfg = env.root().join("config.yaml");
    env.write(&cfg, COMMENTED);
    env.run(["config", "set", "display.busy_input_mode", "interrupt"])
        .ok();
    let queue = [("HERMES_GATEWAY_BUSY_INPUT_MODE", "queue")];
    // The value hermes will use is printed; stderr says where it comes from.
    let r = env
        .run_with(["config", "get", "display.busy_input_mode"], &queue, "")
        .ok();
    assert_eq!(r.stdout, "queue\n");
    assert!(
        r.stderr.contains(
            "(overridden by $HERMES_GATEWAY_BUSY_INPUT_MODE; unset it to use config.yaml's value)"
        ),
        "{r}"
    );
    let r = env.run(["config", "get", "display.busy_input_mode"]).ok();
    assert_eq!(r.stdout, "interrupt\n");
    assert!(!r.stderr.contains("overridden"), "{r}");
    // A variable in the profile's .env overrides too, as the runtime reads it; `model` is
    // `model.default`.
    env.run(["config", "set", "HERMES_INFERENCE_MODEL", "openai/gpt-x"])
        .ok();
    let r = env.run(["config", "get", "model"]).ok();
    assert_eq!(r.stdout, "openai/gpt-x\n");
    assert!(r.stderr.contains("$HERMES_INFERENCE_MODEL"), "{r}");
    // A value the setting cannot take is not applied, so nothing is overridden.
    let r = env
        .run_with(
            ["config", "get", "agent.max_turns"],
            &[("HERMES_MAX_ITERATIONS", "lots")],
            "",
        )
        .ok();
    assert_eq!(r.stdout, "10\n");
    assert!(!r.stderr.contains("overridden"), "{r}");

    let r = env.run_with(["config", "show"], &queue, "").ok();
    assert!(
        r.stdout.contains(
            "# display.busy_input_mode is overridden by $HERMES_GATEWAY_BUSY_INPUT_MODE\n"
        ),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("# model.default is overridden by $HERMES_INFERENCE_MODEL\n"),
        "{r}"
    );
    assert!(r.stdout.contains("busy_input_mode: queue"), "{r}");
    let v: serde_json::Value = serde_json::from_str(
        &env.run_with(["config", "show", "--json"], &queue, "")
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["display"]["busy_input_mode"], "queue");
    assert_eq!(v["model"]["default"], "openai/gpt-x");
    // The file itself is untouched.
    assert!(env.read(&cfg).contains("busy_input_mode: interrupt"));
}
