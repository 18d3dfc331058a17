//! Help output of the real binary. The whole tree is snapshotted by a unit test in the
//! binary (`cli::tests::help_tree`); here we check the binary prints it and exits right.

use std::path::{Path, PathBuf};

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

/// A scratch home with profiles `coder` and `cook`, and the completion script for `shell`
/// written to a file.
fn completion_env(shell: &str, file: &str) -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    env.run(["profile", "create", "coder", "--no-alias"]).ok();
    env.run(["profile", "create", "cook", "--no-alias"]).ok();
    let script = env.home().join(file);
    env.write(&script, &env.run(["completion", shell]).ok().stdout);
    (env, script)
}

/// Runs a shell program; the shells are installed by `.ci/run`.
fn shell(env: &TestEnv, program: &str, args: &[&str], extra: &[(&str, &str)]) -> Vec<String> {
    let path = which(program).unwrap_or_else(|| {
        panic!("{program} is not installed (`apt-get install {program}`; .ci/run installs it)")
    });
    let r = env.run_program(&path, args, extra).ok();
    let mut words: Vec<String> = r.stdout.split_whitespace().map(str::to_string).collect();
    words.sort();
    words
}

fn which(program: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

const PROFILES: [&str; 3] = ["coder", "cook", "default"];

/// Lines that must complete profile names, and lines that must not.
const WANTS_PROFILE: &[&[&str]] = &[
    &["-p", ""],
    &["config", "--profile", ""],
    &["profile", "use", ""],
    &["profile", "show", "--json", ""],
    &["profile", "delete", "-y", ""],
    &["profile", "rename", ""],
    &["profile", "alias", "--name", "x", ""],
    &["--color", "never", "profile", "export", ""],
];
const NO_PROFILE: &[&[&str]] = &[
    &["profile", "create", ""],
    &["profile", "rename", "coder", ""],
    &["profile", "use", "-"],
    &["profile", "import", ""],
];

#[test]
fn bash_completes_profile_names_at_profile_positions() {
    let (env, script) = completion_env("bash", "c.bash");
    let run = |words: &[&str]| {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let body = format!(
            "source '{}'\nCOMP_WORDS=(hermes {}); COMP_CWORD={}\n_hermes_with_profiles hermes \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\necho \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            quoted.join(" "),
            words.len()
        );
        shell(&env, "bash", &["-c", &body], &[])
    };
    for words in WANTS_PROFILE {
        assert_eq!(run(words), PROFILES, "{words:?}");
    }
    for words in NO_PROFILE {
        assert!(!run(words).contains(&"coder".to_string()), "{words:?}");
    }
    // A prefix narrows the names.
    assert_eq!(run(&["profile", "use", "co"]), ["coder", "cook"]);
}

#[test]
fn fish_completes_profile_names_at_profile_positions() {
    let (env, script) = completion_env("fish", "c.fish");
    let run = |words: &[&str]| {
        let line = format!("hermes {}", words.join(" "));
        let body = format!("source '{}'; complete -C '{line}'", script.display());
        shell(&env, "fish", &["--no-config", "-c", &body], &[])
    };
    for words in WANTS_PROFILE {
        assert_eq!(run(words), PROFILES, "{words:?}");
    }
    for words in NO_PROFILE {
        assert!(!run(words).contains(&"coder".to_string()), "{words:?}");
    }
    // The root is found from a profile's HERMES_HOME too.
    let profile_home = env.profile("coder").display().to_string();
    let body = format!("source '{}'; complete -C 'hermes -p '", script.display());
    let names = shell(
        &env,
        "fish",
        &["--no-config", "-c", &body],
        &[("HERMES_HOME", &profile_home)],
    );
    assert_eq!(names, PROFILES);
}

#[test]
fn elvish_completes_profile_names_at_profile_positions() {
    let (env, script) = completion_env("elvish", "c.elv");
    // The `edit:` module exists only in an interactive elvish; a stand-in with the two names
    // the script uses lets a non-interactive elvish run the real completer.
    let stub = "var edit: = (ns [&completion:=(ns [&arg-completer=[&]]) &complex-candidate~={|text &display=''| put $text}])\n";
    let run = |words: &[&str]| {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = env.home().join("t.elv");
        env.write(
            &program,
            &format!(
                "{stub}{}\n$edit:completion:arg-completer[hermes] hermes {}\n",
                env.read(&script),
                quoted.join(" ")
            ),
        );
        shell(
            &env,
            "elvish",
            &["-norc", &program.display().to_string()],
            &[],
        )
        .into_iter()
        .filter(|w| w != "▶")
        .collect::<Vec<_>>()
    };
    for words in WANTS_PROFILE {
        assert_eq!(run(words), PROFILES, "{words:?}");
    }
    for words in NO_PROFILE {
        assert!(!run(words).contains(&"coder".to_string()), "{words:?}");
    }
    // Everything else still goes to clap's completer.
    assert!(run(&["profile", ""]).contains(&"rename".to_string()));
}

#[test]
fn zsh_profile_completer_lists_names_and_is_wired_to_profile_arguments() {
    let (env, script) = completion_env("zsh", "_hermes");
    // The script parses.
    shell(&env, "zsh", &["-n", &script.display().to_string()], &[]);
    // `_hermes_profiles` really lists the names (`_describe` and `compdef` exist only under
    // compinit; stand-ins print what they are given).
    let body = format!(
        "compdef() {{ }}\n_describe() {{ print -l -- ${{(P)2}} }}\nsource '{}'\n_hermes_profiles\n",
        script.display()
    );
    assert_eq!(shell(&env, "zsh", &["-f", "-c", &body], &[]), PROFILES);
    let profile_home = env.profile("cook").display().to_string();
    assert_eq!(
        shell(
            &env,
            "zsh",
            &["-f", "-c", &body],
            &[("HERMES_HOME", &profile_home)]
        ),
        PROFILES
    );
    // Each profile argument's spec names it; `profile create NAME` (a new name) does not.
    let text = env.read(&script);
    let section = |verb: &str| {
        // `profile` is the first command with subcommands, so its sections come first.
        let start = text
            .find(&format!("\n({verb})\n"))
            .unwrap_or_else(|| panic!("no {verb} section"));
        let end = text[start..].find(";;").unwrap() + start;
        text[start..end].to_string()
    };
    for verb in ["use", "show", "delete", "rename", "alias", "export"] {
        let s = section(verb);
        let first_positional = s
            .lines()
            .find(|l| l.starts_with("':") || l.starts_with("'::"))
            .unwrap_or_else(|| panic!("{verb}: no positional\n{s}"));
        assert!(
            first_positional.ends_with(":_hermes_profiles' \\"),
            "{verb}: {first_positional}"
        );
        assert!(s.contains(":NAME:_hermes_profiles'"), "{verb}: -p");
    }
    assert!(section("create").contains(":_default' \\"));
}

#[test]
fn powershell_script_answers_profile_positions_before_clap() {
    // PowerShell is not in Debian's archive, so this checks the script's shape: the hook runs
    // first inside clap's one registered completer and returns profile names.
    let env = TestEnv::new();
    let ps = env.run(["completion", "powershell"]).ok().stdout;
    assert_eq!(ps.matches("Register-ArgumentCompleter").count(), 1);
    let param = ps
        .find("param($wordToComplete, $commandAst, $cursorPosition)")
        .unwrap();
    let hook = ps.find("$hermesWants = $false").unwrap();
    let clap = ps
        .find("$commandElements = $commandAst.CommandElements")
        .unwrap();
    assert!(param < hook && hook < clap);
    for needle in [
        "@('-p', '--profile')",
        "@('use', 'show', 'delete', 'rename', 'alias', 'export')",
        "Join-Path $hermesRoot 'profiles'",
        "@('default')",
    ] {
        assert!(ps.contains(needle), "{needle}");
    }
    assert_eq!(ps.matches('{').count(), ps.matches('}').count());
}
