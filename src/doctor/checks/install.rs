//! Command Installation (`~/.local/bin` on PATH when alias wrappers exist) and Profiles
//! (each profile's config parses).

use super::Ctx;
use crate::doctor::Finding;
use crate::home::{ProfileName, list_profiles};

const I: &str = "Command Installation";
const PROFILES: &str = "Profiles";

pub(in crate::doctor) fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let Ok(profiles) = list_profiles(cx.paths) else {
        return Vec::new();
    };
    let aliases: Vec<String> = profiles
        .iter()
        .filter_map(|p| p.alias.as_ref())
        .filter_map(|a| a.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    if aliases.is_empty() {
        return Vec::new();
    }
    let bin = cx.paths.local_bin_dir();
    let path_var = cx
        .inputs
        .process_env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let on_path = path_var
        .split(':')
        .any(|d| std::path::Path::new(d) == bin.as_path());
    if on_path {
        vec![Finding::ok(
            "install.local_bin",
            I,
            format!(
                "{} is on PATH (aliases: {})",
                cx.show(&bin),
                aliases.join(", ")
            ),
        )]
    } else {
        vec![
            Finding::warn(
                "install.local_bin",
                I,
                format!(
                    "{} is not on PATH: the alias wrappers ({}) will not be found",
                    cx.show(&bin),
                    aliases.join(", ")
                ),
                "Add ~/.local/bin to PATH in your shell profile",
            )
            .hint("export PATH=\"$HOME/.local/bin:$PATH\"  (in ~/.bashrc or ~/.zshrc)"),
        ]
    }
}

pub(in crate::doctor) fn profiles(cx: &Ctx<'_>) -> Vec<Finding> {
    let Ok(profiles) = list_profiles(cx.paths) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in profiles {
        let Ok(name) = ProfileName::parse(&p.name) else {
            continue;
        };
        let other = cx.paths.for_profile(&name);
        if other.home() == cx.paths.home() {
            continue;
        }
        if let Err(e) = crate::config::read_yaml(&other.config_file()) {
            out.push(Finding::fail(
                "profiles.config",
                PROFILES,
                format!("profile {}: {e}", p.name),
                format!("Fix the config.yaml of profile {}", p.name),
            ));
        }
    }
    out
}
