//! The one error type of the home/profile layer.

use std::io;
use std::path::PathBuf;

/// Why a profile operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The name does not match the profile name rule.
    #[error("Invalid profile name '{name}'. Must match [a-z0-9][a-z0-9_-]{{0,63}}")]
    InvalidName { name: String },
    /// The name is reserved.
    #[error(
        "Profile name '{name}' is reserved — it collides with either the Hermes installation itself or a common system binary.  Pick a different name."
    )]
    Reserved { name: String },
    /// The profile does not exist.
    #[error("Profile '{name}' does not exist. Create it with: hermes profile create {name}")]
    NotFound { name: String },
    /// A profile of that name already exists.
    #[error("Profile '{name}' already exists at {}", path.display())]
    AlreadyExists { name: String, path: PathBuf },
    /// `default` is the root itself and cannot be deleted, renamed into, or imported over.
    #[error("the default profile cannot be {action}")]
    DefaultProfile { action: &'static str },
    /// The gateway of the profile runs; the operation needs it stopped.
    #[error("the gateway of profile '{name}' is running (PID {pid})")]
    GatewayRunning { name: String, pid: u32 },
    /// An alias name is not usable.
    #[error("cannot create alias '{name}': {reason}")]
    AliasCollision { name: String, reason: String },
    /// An archive is not a profile export.
    #[error("{} is not a profile archive: {reason}", path.display())]
    BadArchive { path: PathBuf, reason: String },
    /// A file-system operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ProfileError {
    /// Wraps an `io::Error` with what was being done to which path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }

    /// Hints a user can act on, rendered by the binary under the error.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::NotFound { .. } => vec!["run `hermes profile list` to see profiles".into()],
            Self::AlreadyExists { name, .. } => vec![format!(
                "pick another name, or remove it first: `hermes profile delete {name}`"
            )],
            Self::DefaultProfile { action } => match *action {
                "imported over" => {
                    vec!["import it under another name: `--name NAME`".into()]
                }
                "renamed" => vec![
                    "`default` is the root home itself (~/.hermes) and keeps its name; to copy it under a new name: `hermes profile create NAME --clone-all`".into(),
                ],
                _ => vec![
                    "`default` is the root home itself (~/.hermes); to remove hermes, stop its service with `hermes gateway uninstall`, then delete that directory".into(),
                ],
            },
            Self::GatewayRunning { name, .. } => {
                vec![format!("stop it first: `hermes -p {name} gateway stop`")]
            }
            Self::AliasCollision { .. } => {
                vec![
                    "choose another alias with `--name ALIAS`, or skip it with `--no-alias`".into(),
                ]
            }
            _ => Vec::new(),
        }
    }
}
