//! Help output of the real binary. The whole tree is snapshotted by a unit test in the
//! binary (`cli::tests::help_tree`); here we check the binary prints it and exits right.

use crate::TestEnv;

#[test]
fn help_and_version_exit_zero() {
    let env = TestEnv::new();
    let r = env.run(["--help"]).ok();
    assert!(
        r.stdout.contains("profile")
            && r.stdout.contains("config")
            && r.stdout.contains("completion"),
        "{r}"
    );
    let r = env.run(["--version"]).ok();
    assert_eq!(r.stdout, format!("hermes {}\n", env!("CARGO_PKG_VERSION")));
    let r = env.run(["profile", "create", "--help"]).ok();
    assert!(r.stdout.contains("--clone-channels"), "{r}");
}

#[test]
fn usage_errors_exit_two() {
    let env = TestEnv::new();
    let r = env.run(["config", "bogus"]).code(2);
    assert!(r.stderr.contains("unrecognized subcommand 'bogus'"), "{r}");
    env.run(["nope"]).code(2);
    env.run(Vec::<String>::new()).code(2);
}

#[test]
fn completion_scripts_complete_profiles() {
    let env = TestEnv::new();
    let bash = env.run(["completion"]).ok().stdout;
    assert!(bash.contains("_hermes_profile_names"));
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/completions/hermes.bash"
    ))
    .unwrap();
    assert_eq!(
        bash, committed,
        "completions/hermes.bash is stale: run UPDATE_COMPLETIONS=1 cargo test"
    );
    // The bash script really completes profile names after -p.
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    let script = env.home().join("c.bash");
    env.write(&script, &format!(
        "{bash}\nCOMP_WORDS=(hermes -p co); COMP_CWORD=2; _hermes_with_profiles; echo \"${{COMPREPLY[@]}}\"\n"
    ));
    let out = env
        .run_program(
            std::path::Path::new("/bin/bash"),
            &[&script.display().to_string()],
            &[],
        )
        .ok();
    assert_eq!(out.stdout.trim(), "coder");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        env.run(["completion", shell]).ok();
    }
}
