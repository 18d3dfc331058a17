//! The `hermes` binary: strip `-p/--profile` from anywhere in argv, parse, resolve the home,
//! dispatch, and render any error once with the right exit code.

mod cli;
mod output;
mod wizard;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use hermes::home::{ResolveInput, resolve};

use crate::cli::error::{CliError, Kind, library_hints};
use crate::cli::{Cli, Context};
use crate::output::Printer;

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let (profile, argv) = match extract_profile(argv) {
        Ok(v) => v,
        Err(e) => return render(&plain_printer(), &anyhow::Error::new(e)),
    };
    // `hermes --version` answers before any of the command tree is built.
    if let [_, flag] = argv.as_slice()
        && (flag == "--version" || flag == "-V")
    {
        plain_printer().data(format_args!("hermes {}", hermes::VERSION));
        return ExitCode::SUCCESS;
    }
    let parsed = cli::parse_lean(&argv).map_or_else(|| Cli::try_parse_from(&argv), Ok);
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let process_env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let var = |k: &str| {
        process_env
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let out = Printer::new(
        cli.global.quiet,
        cli.global.color,
        var("NO_COLOR").is_some(),
    );
    let is_gateway = matches!(argv.get(1).and_then(|a| a.to_str()), Some("gateway"));
    let input = ResolveInput {
        explicit_profile: profile.or(cli.global.profile.clone()),
        hermes_home: var("HERMES_HOME").map(PathBuf::from),
        user_home: var("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from),
        data_dir_suffix: var("HERMES_DATA_DIR_SUFFIX"),
        xdg_state_home: var("XDG_STATE_HOME").map(PathBuf::from),
        xdg_config_home: var("XDG_CONFIG_HOME").map(PathBuf::from),
        supervised: [
            "HERMES_SUPERVISED_CHILD",
            "HERMES_S6_SUPERVISED_CHILD",
            "HERMES_GATEWAY_EXTERNAL_SUPERVISOR",
        ]
        .iter()
        .any(|k| var(k).is_some())
            || (is_gateway && var("INVOCATION_ID").is_some()),
    };
    let resolution = match resolve(&input) {
        Ok(r) => r,
        Err(e) => return render(&out, &anyhow::Error::new(e)),
    };
    for w in &resolution.warnings {
        out.warn(w);
    }
    let cx = Context {
        paths: resolution.paths,
        out,
        process_env,
        no_input: cli.global.no_input,
    };
    match cli::dispatch(&cx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => render(&cx.out, &e),
    }
}

fn plain_printer() -> Printer {
    Printer::new(
        false,
        output::ColorChoice::Auto,
        std::env::var_os("NO_COLOR").is_some(),
    )
}

/// Renders an error and chooses the exit code: 1 user, 2 usage, 130 cancelled.
fn render(out: &Printer, err: &anyhow::Error) -> ExitCode {
    let cli = err.downcast_ref::<CliError>();
    if let Some(Kind::Exit(code)) = cli.map(|c| c.kind) {
        return ExitCode::from(code);
    }
    let mut hints = cli.map(|c| c.hints.clone()).unwrap_or_default();
    hints.extend(library_hints(err));
    let causes: Vec<String> = err.chain().skip(1).map(ToString::to_string).collect();
    out.error_block(&err.to_string(), &causes, &hints);
    match cli.map(|c| c.kind) {
        Some(Kind::Usage) => ExitCode::from(2),
        Some(Kind::Cancelled) => ExitCode::from(130),
        Some(Kind::User | Kind::Exit(_)) | None => ExitCode::from(1),
    }
}

/// Removes `-p NAME`, `-pNAME`, `--profile NAME` and `--profile=NAME` from anywhere before a
/// `--`, as upstream's pre-parser does, so `hermes chat -p coder` and `hermes -p coder chat`
/// mean the same. The last one given wins.
fn extract_profile(argv: Vec<OsString>) -> Result<(Option<String>, Vec<OsString>), CliError> {
    let mut out = Vec::with_capacity(argv.len());
    let mut profile = None;
    let mut iter = argv.into_iter();
    if let Some(first) = iter.next() {
        out.push(first);
    }
    while let Some(arg) = iter.next() {
        let Some(s) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if s == "--" {
            out.push(arg);
            out.extend(iter);
            break;
        }
        if s == "-p" || s == "--profile" {
            match iter.next().and_then(|v| v.into_string().ok()) {
                Some(v) if !v.starts_with('-') => profile = Some(v),
                _ => {
                    return Err(CliError::usage(format!("`{s}` needs a profile name"))
                        .hint("for example: `hermes -p coder chat`"));
                }
            }
        } else if let Some(v) = s.strip_prefix("--profile=") {
            profile = Some(v.to_string());
        } else if let Some(v) = s
            .strip_prefix("-p")
            .filter(|v| !v.is_empty() && !s.starts_with("--"))
        {
            profile = Some(v.to_string());
        } else {
            out.push(arg);
        }
    }
    Ok((profile, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn profile_flag_anywhere() {
        let (p, rest) =
            extract_profile(args(&["hermes", "config", "-p", "coder", "path"])).unwrap();
        assert_eq!(p.as_deref(), Some("coder"));
        assert_eq!(rest, args(&["hermes", "config", "path"]));
        let (p, _) = extract_profile(args(&["hermes", "--profile=work", "config"])).unwrap();
        assert_eq!(p.as_deref(), Some("work"));
        let (p, _) = extract_profile(args(&["hermes", "-pwork", "config"])).unwrap();
        assert_eq!(p.as_deref(), Some("work"));
        let (p, rest) = extract_profile(args(&["hermes", "x", "--", "-p", "y"])).unwrap();
        assert_eq!((p, rest.len()), (None, 5));
        assert!(extract_profile(args(&["hermes", "config", "-p"])).is_err());
    }

    #[test]
    fn command_tree_is_valid() {
        Cli::command().debug_assert();
    }

    /// The lean parse (one subcommand built) gives what the full tree gives, and steps aside
    /// for everything it cannot answer identically.
    #[test]
    fn lean_parse_matches_the_full_tree() {
        for line in [
            "hermes profile list",
            "hermes --quiet profile list --json",
            "hermes --color never config get model",
            "hermes --color=always config set a.b 1",
            "hermes config show --json --quiet",
            "hermes profile create x --clone-all --description hi",
            "hermes cron add 1h hello",
            "hermes gateway status --json",
            "hermes completion fish",
            "hermes --no-input sessions list",
        ] {
            let argv = args(&line.split(' ').collect::<Vec<_>>());
            let lean = cli::parse_lean(&argv).unwrap_or_else(|| panic!("lean parse of {line}"));
            let full = Cli::try_parse_from(&argv).unwrap();
            assert_eq!(format!("{lean:?}"), format!("{full:?}"), "{line}");
        }
        for line in [
            "hermes",
            "hermes --version",
            "hermes profile --help",
            "hermes profile",
            "hermes help profile",
            "hermes nope",
            "hermes config bogus",
            "hermes profile create",
            "hermes --bogus profile list",
        ] {
            let argv = args(&line.split(' ').collect::<Vec<_>>());
            assert!(cli::parse_lean(&argv).is_none(), "{line}");
        }
    }
}
