//! `hermes profile` — create, switch, inspect and remove profiles (separate agents with their
//! own tokens, sessions and memory).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use hermes::home::{self, CloneMode, CreateOptions, ProfileName};

use super::Context;
use super::error::CliError;

/// Manage profiles: separate agents with their own tokens, sessions and memory.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List every profile: active marker, model, gateway state and alias.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a profile the sticky default (`default` goes back to ~/.hermes).
    Use {
        /// Profile name, or `default`.
        name: String,
    },
    /// Create a new profile.
    Create(CreateArgs),
    /// Show one profile's details.
    Show {
        /// Profile name (default: the active profile).
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a profile: stop its gateway, remove its service, alias and directory.
    Delete {
        /// Profile name.
        name: String,
        /// Do not ask for the typed confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Rename a profile (directory, alias, sticky default, session keys).
    Rename {
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile.
    Alias {
        /// Profile name.
        name: String,
        /// Remove the wrapper instead of creating it.
        #[arg(long)]
        remove: bool,
        /// Wrapper name (default: the profile name).
        #[arg(long = "name", value_name = "ALIAS")]
        alias: Option<String>,
    },
    /// Export a profile to a .tar.gz (never includes .env or auth.json).
    Export {
        /// Profile name.
        name: String,
        /// Output file (default: `<name>.tar.gz`).
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import a profile from an archive made by `profile export`.
    Import {
        /// The .tar.gz archive.
        archive: PathBuf,
        /// Name for the new profile (default: the archive's folder name).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
struct CreateArgs {
    /// Profile name (lowercase letters, digits, `_` and `-`).
    name: String,
    /// Copy config.yaml, .env, SOUL.md, memories and skills from the active profile.
    #[arg(long)]
    clone: bool,
    /// Copy everything from the active profile except history and runtime state.
    #[arg(long)]
    clone_all: bool,
    /// Profile to clone from; implies `--clone` unless `--clone-all` is given.
    #[arg(long, value_name = "SOURCE")]
    clone_from: Option<String>,
    /// Also copy messaging channel credentials (bot tokens, allowlists); two gateways cannot share a bot.
    #[arg(long)]
    clone_channels: bool,
    /// Do not create the `~/.local/bin/<name>` wrapper.
    #[arg(long)]
    no_alias: bool,
    /// Do not seed the bundled skills.
    #[arg(long, conflicts_with_all = ["clone", "clone_all", "clone_from"])]
    no_skills: bool,
    /// One or two sentences on what this profile is for.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    match args.action {
        Action::List { json } => list(cx, json),
        Action::Use { name } => use_profile(cx, &name),
        Action::Create(a) => create(cx, a),
        Action::Show { name, json } => show(cx, name.as_deref(), json),
        Action::Delete { name, yes } => delete(cx, &name, yes),
        Action::Rename { old, new } => rename(cx, &old, &new),
        Action::Alias {
            name,
            remove,
            alias,
        } => alias_cmd(cx, &name, remove, alias.as_deref()),
        Action::Export { name, output } => export(cx, &name, output),
        Action::Import { archive, name } => import(cx, &archive, name.as_deref()),
    }
}

/// `~/…` for paths under the user's home.
fn tilde(cx: &Context, p: &Path) -> String {
    match p.strip_prefix(cx.paths.user_home()) {
        Ok(rel) if cx.paths.user_home() != Path::new("/") => format!("~/{}", rel.display()),
        _ => p.display().to_string(),
    }
}

fn list(cx: &Context, json: bool) -> anyhow::Result<()> {
    let profiles = home::list_profiles(&cx.paths)?;
    if json {
        cx.out.json(&serde_json::to_value(&profiles)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = profiles
        .iter()
        .map(|p| {
            vec![
                if p.active {
                    cx.out.green("*")
                } else {
                    " ".into()
                },
                p.name.clone(),
                p.model.clone().unwrap_or_else(|| "—".into()),
                p.gateway_pid
                    .map_or_else(|| "stopped".into(), |pid| format!("running (PID {pid})")),
                p.alias
                    .as_ref()
                    .and_then(|a| a.file_name())
                    .map_or_else(|| "—".into(), |n| n.to_string_lossy().into_owned()),
            ]
        })
        .collect();
    cx.out
        .table(&["", "PROFILE", "MODEL", "GATEWAY", "ALIAS"], &rows);
    Ok(())
}

fn use_profile(cx: &Context, raw: &str) -> anyhow::Result<()> {
    let name = ProfileName::parse(raw)?;
    home::set_active_profile(&cx.paths, &name)?;
    if name.is_default() {
        cx.out.success(format!(
            "Switched to: default ({})",
            tilde(cx, cx.paths.root())
        ));
    } else {
        cx.out.success(format!("Switched to: {name}"));
        cx.out.status(format!(
            "  Every `hermes` command now uses {}. Go back with `hermes profile use default`.",
            tilde(cx, cx.paths.for_profile(&name).home())
        ));
    }
    Ok(())
}

fn path_has_local_bin(cx: &Context) -> bool {
    let dir = cx.paths.local_bin_dir();
    cx.var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| Path::new(d) == dir)
}

fn warn_path(cx: &Context) {
    if !path_has_local_bin(cx) {
        cx.out.warn(format!(
            "{} is not in your PATH.",
            cx.paths.local_bin_dir().display()
        ));
        cx.out
            .status("  Add to your shell config (~/.bashrc or ~/.zshrc):");
        cx.out.status("    export PATH=\"$HOME/.local/bin:$PATH\"");
    }
}

/// Writes the wrapper for `name` under `alias_name` unless it collides; returns whether it did.
fn try_alias(cx: &Context, name: &ProfileName, alias_name: &str) -> anyhow::Result<bool> {
    if let Some(reason) = home::alias_collision(&cx.paths, alias_name, cx.var("PATH")) {
        cx.out
            .warn(format!("Cannot create alias '{alias_name}' — {reason}"));
        cx.out.status(format!(
            "  Choose a custom alias:  hermes profile alias {name} --name <custom>"
        ));
        cx.out.status(format!(
            "  Or use the flag:        hermes -p {name} <command>"
        ));
        return Ok(false);
    }
    let path = home::write_wrapper(&cx.paths, alias_name, name, &cx.exe())?;
    cx.out
        .success(format!("Wrapper created: {}", path.display()));
    Ok(true)
}

fn create(cx: &Context, a: CreateArgs) -> anyhow::Result<()> {
    let parsed = ProfileName::parse(&a.name)?;
    if parsed.is_default() {
        return Err(CliError::user(format!(
            "Cannot create a profile named '{}' — it is the built-in profile ({}).",
            a.name,
            tilde(cx, cx.paths.root())
        ))
        .hint("pick another name")
        .into());
    }
    let name = ProfileName::parse_new(&a.name)?;
    let mode = if a.clone_all {
        CloneMode::All
    } else if a.clone || a.clone_from.is_some() {
        CloneMode::Config
    } else {
        CloneMode::Fresh
    };
    let source = a
        .clone_from
        .as_deref()
        .map(ProfileName::parse)
        .transpose()?;
    if let Some(src) = &source
        && !cx.paths.for_profile(src).home().is_dir()
    {
        return Err(
            CliError::user(format!("Source profile '{src}' does not exist"))
                .hint("run `hermes profile list` to see profiles")
                .into(),
        );
    }
    let created = home::create_profile(
        &cx.paths,
        &CreateOptions {
            name: name.clone(),
            mode,
            source,
            clone_channels: a.clone_channels,
            no_skills: a.no_skills,
            description: a.description.clone(),
        },
    )?;
    cx.out.success(format!(
        "Profile '{name}' created at {}",
        created.home.display()
    ));
    match (mode, &created.source) {
        (CloneMode::Config, Some(src)) => cx.out.status(format!("  Cloned config, .env, SOUL.md, memories and skills from {src}.")),
        (CloneMode::All, Some(src)) => cx.out.status(format!("  Full copy from {src} (excluding session history, logs and cron jobs).")),
        _ if a.no_skills => cx.out.status("  No bundled skills seeded (--no-skills). Delete .no-bundled-skills in the profile to opt back in."),
        _ => cx.out.status("  Bundled skills seeded."),
    }
    if !created.channels_left_behind.is_empty() {
        cx.out.warn(format!(
            "Messaging channels not cloned: {}. Each gateway needs its own bot; pass --clone-channels to copy them anyway.",
            created.channels_left_behind.join(", ")
        ));
    }
    let mut alias_ok = false;
    if !a.no_alias {
        alias_ok = try_alias(cx, &name, name.as_str())?;
        if alias_ok {
            warn_path(cx);
        }
    }
    let cmd = if alias_ok {
        name.to_string()
    } else {
        format!("hermes -p {name}")
    };
    cx.out.status("");
    cx.out.status("Next steps:");
    cx.out.status(format!(
        "  {cmd} setup            Configure API keys and model"
    ));
    cx.out
        .status(format!("  {cmd} chat             Start chatting"));
    cx.out.status(format!(
        "  {cmd} gateway start    Start the messaging gateway"
    ));
    if mode == CloneMode::Fresh {
        cx.out.status(format!(
            "  Edit {} to customize the personality",
            tilde(cx, &created.home.join("SOUL.md"))
        ));
    } else {
        cx.out.status(format!(
            "  Edit {} for different API keys",
            tilde(cx, &created.home.join(".env"))
        ));
    }
    Ok(())
}

fn show(cx: &Context, name: Option<&str>, json: bool) -> anyhow::Result<()> {
    let name = match name {
        Some(n) => ProfileName::parse(n)?,
        None => cx.paths.profile().clone(),
    };
    let info = home::profile_info(&cx.paths, &name)?;
    if json {
        cx.out.json(&serde_json::to_value(&info)?);
        return Ok(());
    }
    cx.out.data(format!(
        "Profile:  {}{}",
        info.name,
        if info.active { " (active)" } else { "" }
    ));
    cx.out.data(format!("Path:     {}", info.path.display()));
    if let Some(m) = &info.model {
        let provider = info
            .provider
            .as_ref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        cx.out.data(format!("Model:    {m}{provider}"));
    }
    cx.out.data(format!(
        "Gateway:  {}",
        info.gateway_pid
            .map_or_else(|| "stopped".into(), |pid| format!("running (PID {pid})"))
    ));
    cx.out.data(format!("Service:  {}", info.service));
    cx.out.data(format!("Skills:   {}", info.skills));
    cx.out.data(format!(
        ".env:     {}",
        if info.has_env {
            "exists"
        } else {
            "not configured"
        }
    ));
    cx.out.data(format!(
        "SOUL.md:  {}",
        if info.has_soul {
            "exists"
        } else {
            "not configured"
        }
    ));
    if let Some(a) = &info.alias {
        let alias_name = a
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cx.out.data(format!(
            "Alias:    {alias_name} → hermes -p {}  ({})",
            info.name,
            a.display()
        ));
    }
    if let Some(d) = &info.description {
        cx.out.data(format!("About:    {d}"));
    }
    Ok(())
}

fn delete(cx: &Context, raw: &str, yes: bool) -> anyhow::Result<()> {
    let name = ProfileName::parse(raw)?;
    if name.is_default() {
        return Err(CliError::user(format!(
            "Cannot delete the default profile ({}).",
            tilde(cx, cx.paths.root())
        ))
        .hint(format!(
            "to remove everything, stop the gateway service with `hermes gateway uninstall`, then delete {}",
            tilde(cx, cx.paths.root())
        ))
        .into());
    }
    let info = home::profile_info(&cx.paths, &name)?;
    cx.out.status(format!("Profile: {}", info.name));
    cx.out.status(format!("Path:    {}", info.path.display()));
    cx.out.status("");
    cx.out.status("This will permanently delete:");
    cx.out
        .status("  • All config, API keys, memories, sessions, skills, cron jobs");
    if let Some(a) = &info.alias {
        cx.out
            .status(format!("  • Command alias ({})", a.display()));
    }
    if let Some(pid) = info.gateway_pid {
        cx.out.warn(format!(
            "Gateway is running (PID {pid}) — it will be stopped."
        ));
    }
    if !yes {
        if cx.no_input {
            return Err(CliError::user("refusing to delete without confirmation")
                .hint("pass `--yes` (`-y`) to delete without the prompt")
                .into());
        }
        eprint_prompt(&format!("Type '{name}' to confirm: "));
        let mut answer = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .context("reading the confirmation")?;
        if read == 0 || answer.trim() != name.as_str() {
            return Err(CliError::cancelled(
                "Cancelled: the name did not match; nothing was deleted.",
            )
            .into());
        }
    }
    let done = home::delete_profile(&cx.paths, &name)?;
    if let Some(pid) = done.stopped_gateway {
        cx.out.success(format!("Stopped gateway (PID {pid})"));
    }
    for s in &done.removed_services {
        cx.out.success(format!("Removed {}", s.display()));
    }
    if let Some(a) = &done.removed_alias {
        cx.out.success(format!("Removed {}", a.display()));
    }
    cx.out.success(format!("Removed {}", info.path.display()));
    if done.reset_active {
        cx.out.success("Active profile reset to default");
    }
    cx.out.status(format!("Profile '{name}' deleted."));
    Ok(())
}

/// A prompt on stderr without a newline (the answer is read from stdin).
fn eprint_prompt(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

fn rename(cx: &Context, old_raw: &str, new_raw: &str) -> anyhow::Result<()> {
    let old = ProfileName::parse(old_raw)?;
    let new = ProfileName::parse(new_raw)?;
    if old.is_default() {
        return Err(CliError::user("Cannot rename the default profile.")
            .hint(format!(
                "`default` is the root home itself ({}) and keeps its name; to copy it under a new name: `hermes profile create {new_raw} --clone-all`",
                tilde(cx, cx.paths.root())
            ))
            .into());
    }
    if new.is_default() {
        return Err(
            CliError::user(format!("Cannot rename to '{new_raw}' — it is reserved.")).into(),
        );
    }
    let new = ProfileName::parse_new(new.as_str())?;
    let done = home::rename_profile(&cx.paths, &old, &new)?;
    cx.out.success(format!("Renamed {old} → {new}"));
    if done.removed_alias.is_some() && try_alias(cx, &new, new.as_str())? {
        cx.out.success(format!("Alias updated: {new}"));
    }
    if done.moved_active {
        cx.out.success(format!("Active profile updated: {new}"));
    }
    if done.migrated_sessions > 0 {
        cx.out.success(format!(
            "Migrated {} session key(s)",
            done.migrated_sessions
        ));
    }
    if let Some(s) = &done.stale_service {
        cx.out.warn(format!("{} still runs the old name; reinstall it: `hermes -p {new} gateway install --force` and remove the old one", s.display()));
    }
    cx.out.status(format!("Path: {}", done.home.display()));
    Ok(())
}

fn alias_cmd(
    cx: &Context,
    raw: &str,
    remove: bool,
    alias_name: Option<&str>,
) -> anyhow::Result<()> {
    let name = ProfileName::parse(raw)?;
    if !name.is_default() && !cx.paths.for_profile(&name).home().is_dir() {
        return Err(home::ProfileError::NotFound {
            name: name.to_string(),
        }
        .into());
    }
    let alias_name = alias_name.unwrap_or(name.as_str());
    if remove {
        match home::remove_wrapper(&cx.paths, alias_name)? {
            home::AliasStatus::Removed(p) => cx
                .out
                .success(format!("Removed alias '{alias_name}' ({})", p.display())),
            _ => cx
                .out
                .status(format!("No alias '{alias_name}' found to remove.")),
        }
        return Ok(());
    }
    if let Some(reason) = home::alias_collision(&cx.paths, alias_name, cx.var("PATH")) {
        return Err(home::ProfileError::AliasCollision {
            name: alias_name.to_string(),
            reason,
        }
        .into());
    }
    let path = home::write_wrapper(&cx.paths, alias_name, &name, &cx.exe())?;
    cx.out.success(format!("Alias created: {}", path.display()));
    warn_path(cx);
    Ok(())
}

fn export(cx: &Context, raw: &str, output: Option<PathBuf>) -> anyhow::Result<()> {
    let name = ProfileName::parse(raw)?;
    let out = output.unwrap_or_else(|| PathBuf::from(format!("{name}.tar.gz")));
    let out = if out.is_absolute() {
        out
    } else {
        std::env::current_dir()?.join(out)
    };
    let written = home::export_profile(&cx.paths, &name, &out)?;
    cx.out
        .success(format!("Exported '{name}' to {}", written.display()));
    cx.out
        .status("  .env and auth.json are not included: set the secrets again after importing.");
    Ok(())
}

fn import(cx: &Context, archive: &Path, name: Option<&str>) -> anyhow::Result<()> {
    if !archive.is_file() {
        return Err(CliError::user(format!("Archive not found: {}", archive.display())).into());
    }
    let (name, dir) = home::import_profile(&cx.paths, archive, name)?;
    cx.out
        .success(format!("Imported profile '{name}' at {}", dir.display()));
    if try_alias(cx, &name, name.as_str())? {
        warn_path(cx);
    }
    cx.out.status(format!(
        "  Add its secrets with `hermes -p {name} config set KEY VALUE` (exports never carry .env)."
    ));
    Ok(())
}
