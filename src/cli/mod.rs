//! The command tree and dispatch. Each command lives in its own file with its `Args` and
//! `run`; the work itself lives in the library.

pub(crate) mod chat;
pub(crate) mod completion;
pub(crate) mod config;
pub(crate) mod cron;
pub(crate) mod doctor;
pub(crate) mod error;
pub(crate) mod gateway;
pub(crate) mod logs;
pub(crate) mod model;
pub(crate) mod pairing;
pub(crate) mod profile;
pub(crate) mod runs;
pub(crate) mod send;
pub(crate) mod sessions;
pub(crate) mod setup;
pub(crate) mod status;
pub(crate) mod update;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use hermes::config::{Env, Settings};
use hermes::home::HermesPaths;

use crate::output::{ColorChoice, Printer};

/// hermes runs your personal AI agents and the gateway that connects them to your chat apps.
#[derive(Debug, Parser)]
#[command(
    name = "hermes",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(arg_required_else_help = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every command accepts.
#[derive(Debug, clap::Args)]
pub(crate) struct GlobalArgs {
    /// Use this profile for this command only (accepted anywhere on the line).
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Print less: no status lines, only data and errors.
    #[arg(long, global = true)]
    pub(crate) quiet: bool,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,
    /// Never prompt; fail with the flag to pass instead.
    #[arg(long, global = true)]
    pub(crate) no_input: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Talk to the agent in the terminal, or ask one question with `-q`.
    Chat(chat::Args),
    /// Create, switch and manage profiles (separate agents with their own tokens and memory).
    Profile(profile::Args),
    /// Show and change configuration (`config.yaml` and `.env`).
    Config(config::Args),
    /// Run and manage the messaging gateway.
    Gateway(gateway::Args),
    /// View, follow and filter the logs.
    Logs(logs::Args),
    /// Approve or revoke users who asked to talk to the agent (DM pairing).
    Pairing(pairing::Args),
    /// Manage scheduled tasks (cron jobs).
    Cron(cron::Args),
    /// Print a shell completion script.
    Completion(completion::Args),
    /// Browse, export and clean up conversation history (`state.db`).
    Sessions(sessions::Args),
    /// Send a message to a chat without the agent (the same delivery as cron).
    Send(send::Args),
    /// Inspect queued, held and failed runs (messages waiting for an agent turn).
    Runs(runs::Args),
    /// Set up the model, the agent and messaging platforms (arrow keys, or flags).
    Setup(setup::Args),
    /// Choose the model provider, its API key and the model.
    Model(model::Args),
    /// Show the setup at a glance: model, keys, platforms, gateway, cron.
    Status(status::Args),
    /// Check the setup and fix what is safe to fix.
    Doctor(doctor::Args),
    /// Update hermes to the latest release (verified), then restart running gateways.
    Update(update::Args),
}

/// Parses argv building only the part of the command tree it names: the global flags and the
/// one subcommand. Building the whole tree (every command's flags and help text) is most of a
/// short command's start-up time and memory. Returns `None` whenever the lean parse cannot
/// answer exactly as the full tree would (no or unknown subcommand, `help`, `--help`,
/// `--version`, any usage error): the caller then parses with [`Cli`] itself, so help and
/// errors always come from the full tree.
pub(crate) fn parse_lean(argv: &[std::ffi::OsString]) -> Option<Cli> {
    use clap::{Args as _, FromArgMatches as _};
    let name = first_subcommand(argv)?;
    macro_rules! sub {
        ($($name:literal => $args:ty),* $(,)?) => {
            match name {
                $($name => <$args>::augment_args(clap::Command::new($name)),)*
                _ => return None,
            }
        };
    }
    let sub = sub! {
        "chat" => chat::Args,
        "profile" => profile::Args,
        "config" => config::Args,
        "gateway" => gateway::Args,
        "logs" => logs::Args,
        "pairing" => pairing::Args,
        "cron" => cron::Args,
        "completion" => completion::Args,
        "sessions" => sessions::Args,
        "send" => send::Args,
        "runs" => runs::Args,
        "setup" => setup::Args,
        "model" => model::Args,
        "status" => status::Args,
        "doctor" => doctor::Args,
        "update" => update::Args,
    };
    let root = GlobalArgs::augment_args(
        clap::Command::new("hermes")
            .version(hermes::VERSION)
            .propagate_version(true)
            .subcommand_required(true),
    )
    .subcommand(sub);
    let matches = root.try_get_matches_from(argv).ok()?;
    Some(Cli {
        global: GlobalArgs::from_arg_matches(&matches).ok()?,
        command: Command::from_arg_matches(&matches).ok()?,
    })
}

/// The first word of argv that is not a global flag or its value: the subcommand's name.
fn first_subcommand(argv: &[std::ffi::OsString]) -> Option<&str> {
    let mut words = argv.iter().skip(1);
    while let Some(w) = words.next() {
        let w = w.to_str()?;
        match w {
            "--quiet" | "--no-input" => {}
            "--color" => {
                words.next();
            }
            _ if w.starts_with("--color=") => {}
            _ if w.starts_with('-') => return None,
            _ => return Some(w),
        }
    }
    None
}

/// What every command gets: resolved paths, the printer, and the environment.
pub(crate) struct Context {
    pub(crate) paths: HermesPaths,
    pub(crate) out: Printer,
    pub(crate) process_env: Vec<(String, String)>,
    pub(crate) no_input: bool,
}

impl Context {
    /// The merged environment (process env overlaid by the profile's `.env`).
    pub(crate) fn env(&self) -> anyhow::Result<Env> {
        Ok(Env::load(&self.paths, self.process_env.clone())?)
    }

    /// Typed settings for the active profile.
    #[allow(dead_code)] // used by the runtime commands as they land
    pub(crate) fn settings(&self) -> anyhow::Result<Settings> {
        let (_, doc) = hermes::config::read_yaml(&self.paths.config_file())?;
        Ok(Settings::resolve(&doc, &self.env()?)?)
    }

    /// A process environment variable (not `.env`).
    pub(crate) fn var(&self, key: &str) -> Option<&str> {
        self.process_env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The path of the running hermes binary, for wrappers and services.
    pub(crate) fn exe(&self) -> PathBuf {
        std::env::current_exe().unwrap_or_else(|_| PathBuf::from("hermes"))
    }
}

/// Runs the parsed command.
pub(crate) fn dispatch(cx: &Context, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Chat(a) => chat::run(cx, a),
        Command::Profile(a) => profile::run(cx, a),
        Command::Config(a) => config::run(cx, a),
        Command::Gateway(a) => gateway::run(cx, a),
        Command::Logs(a) => logs::run(cx, a),
        Command::Pairing(a) => pairing::run(cx, a),
        Command::Cron(a) => cron::run(cx, a),
        Command::Completion(a) => completion::run(cx, a),
        Command::Sessions(a) => sessions::run(cx, a),
        Command::Runs(a) => runs::run(cx, a),
        Command::Send(a) => send::run(cx, a),
        Command::Setup(a) => setup::run(cx, a),
        Command::Model(a) => model::run(cx, a),
        Command::Status(a) => status::run(cx, a),
        Command::Doctor(a) => doctor::run(cx, a),
        Command::Update(a) => update::run(cx, a),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap_complete::Shell;

    use super::Cli;

    /// Every `--help` screen of the tree, in one reviewed snapshot.
    #[test]
    fn help_tree() {
        fn walk(cmd: &mut clap::Command, path: &str, out: &mut String) {
            let path = if path.is_empty() {
                cmd.get_name().to_string()
            } else {
                format!("{path} {}", cmd.get_name())
            };
            out.push_str("### ");
            out.push_str(&path);
            out.push_str(" --help\n");
            out.push_str(&cmd.render_long_help().to_string());
            out.push('\n');
            let mut subs: Vec<clap::Command> = cmd.get_subcommands().cloned().collect();
            for sub in &mut subs {
                if sub.get_name() != "help" {
                    walk(sub, &path, out);
                }
            }
        }
        let mut cmd = Cli::command().term_width(100);
        cmd.build();
        let mut out = String::new();
        walk(&mut cmd, "", &mut out);
        insta::assert_snapshot!("help_tree", out);
    }

    /// `completions/` holds exactly what `hermes completion SHELL` prints.
    /// `UPDATE_COMPLETIONS=1 cargo test` rewrites them.
    #[test]
    fn completions_in_sync() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
        for (shell, file) in [
            (Shell::Bash, "hermes.bash"),
            (Shell::Zsh, "_hermes"),
            (Shell::Fish, "hermes.fish"),
            (Shell::Elvish, "hermes.elv"),
            (Shell::PowerShell, "_hermes.ps1"),
        ] {
            let script = super::completion::script(shell);
            let path = dir.join(file);
            if update {
                std::fs::write(&path, &script).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == script,
                "{} is stale: run `UPDATE_COMPLETIONS=1 cargo test`",
                path.display()
            );
        }
    }
}
