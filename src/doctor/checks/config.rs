//! Configuration Files: `config.yaml` parses (file, line, column), unknown keys, `.env`
//! readable and mode 0600, the profile's directories, and a valid time zone.

use super::Ctx;
use crate::config::{ConfigError, keys};
use crate::doctor::{Finding, Fix};
use crate::fsutil;
use crate::gateway::reset;
use crate::home::PROFILE_DIRS;

const S: &str = "Configuration Files";

pub(in crate::doctor) fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let config = cx.paths.config_file();
    match (&cx.config_error, &cx.doc) {
        (
            Some(ConfigError::Parse {
                line,
                column,
                message,
                ..
            }),
            _,
        ) => out.push(
            Finding::fail(
                "config.parse",
                S,
                format!(
                    "{} does not parse: line {line}, column {column}",
                    cx.show(&config)
                ),
                format!(
                    "Fix {} at line {line}, column {column} (`hermes config edit`)",
                    cx.show(&config)
                ),
            )
            .detail(format!("({message})")),
        ),
        (Some(e), _) => out.push(Finding::fail(
            "config.read",
            S,
            format!("{e}"),
            format!("Make {} readable", cx.show(&config)),
        )),
        (None, Some(doc)) if config.exists() => {
            out.push(Finding::ok(
                "config.parse",
                S,
                format!("{} parses", cx.show(&config)),
            ));
            let defaults = crate::config::defaults();
            for key in keys::unknown_keys(&defaults, doc) {
                let mut f = Finding::warn(
                    "config.unknown_key",
                    S,
                    format!("Unknown config key `{key}`"),
                    format!("Remove or correct `{key}` in config.yaml"),
                )
                .detail("(kept, but this version does not use it)");
                if let Some(s) = keys::suggest(&defaults, &key) {
                    f = f.hint(format!("did you mean `{s}`?"));
                }
                out.push(f);
            }
        }
        _ => out.push(Finding::info(
            "config.missing",
            S,
            format!("No {} (built-in defaults apply)", cx.show(&config)),
        )),
    }

    let env_file = cx.paths.env_file();
    if let Some(e) = &cx.env_error {
        out.push(Finding::fail(
            "env.read",
            S,
            format!("{e}"),
            format!("Fix {}", cx.show(&env_file)),
        ));
    } else if env_file.exists() {
        match fsutil::mode_of(&env_file) {
            Some(mode) if mode & 0o077 != 0 => out.push(
                Finding::warn(
                    "env.permissions",
                    S,
                    format!(
                        "{} is readable by others (mode {mode:o}); it holds your keys",
                        cx.show(&env_file)
                    ),
                    format!("chmod 600 {}", cx.show(&env_file)),
                )
                .with_fix(Fix::Chmod {
                    path: env_file.clone(),
                    mode: 0o600,
                }),
            ),
            _ => out.push(Finding::ok(
                "env.permissions",
                S,
                format!("{} exists (mode 600)", cx.show(&env_file)),
            )),
        }
    } else {
        out.push(Finding::info(
            "env.missing",
            S,
            format!("No {} (keys come from the environment)", cx.show(&env_file)),
        ));
    }

    let missing: Vec<_> = PROFILE_DIRS
        .iter()
        .map(|d| cx.paths.home().join(d))
        .filter(|p| !p.is_dir())
        .collect();
    if missing.is_empty() {
        out.push(Finding::ok(
            "home.dirs",
            S,
            format!("{} directory structure complete", cx.show(cx.paths.home())),
        ));
    } else {
        let names: Vec<String> = missing
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        out.push(
            Finding::warn(
                "home.dirs",
                S,
                format!("Missing directories: {}", names.join(", ")),
                format!(
                    "Create the missing directories in {}",
                    cx.show(cx.paths.home())
                ),
            )
            .with_fix(Fix::CreateDirs { paths: missing }),
        );
    }

    let tz = &cx.settings.timezone;
    match reset::resolve_time_zone(tz) {
        Ok(_) if tz.trim().is_empty() => out.push(Finding::ok(
            "timezone",
            S,
            "Time zone: the system's (set `timezone:` or TZ to change it)",
        )),
        Ok(_) => out.push(Finding::ok("timezone", S, format!("Time zone: {tz}"))),
        Err(_) => out.push(
            Finding::fail(
                "timezone",
                S,
                format!("Time zone `{tz}` is not valid"),
                format!("Set a valid IANA time zone (e.g. Asia/Shanghai) instead of `{tz}`"),
            )
            .hint("`hermes config set timezone Europe/Berlin`, or TZ=… in .env"),
        ),
    }
    out
}
