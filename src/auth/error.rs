//! The error type of the access-control layer (the pairing store's files).

use std::io;
use std::path::PathBuf;

/// Why a pairing operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PairingError {
    /// The platform name cannot name a pairing file.
    #[error("'{platform}' is not a platform name")]
    InvalidPlatform { platform: String },
    /// A pairing file holds something other than a JSON object.
    #[error("{} is not a JSON object", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The system random source failed.
    #[error("no randomness available for a pairing code")]
    Random {
        #[source]
        source: io::Error,
    },
    /// The profile's `.env` could not be updated.
    #[error(transparent)]
    EnvFile(#[from] crate::config::dotenv::EnvFileError),
    /// A file-system operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl PairingError {
    /// Wraps an `io::Error` with what was being done to which path.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
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
            Self::InvalidPlatform { .. } => vec![
                "platform names are lowercase letters, digits, `_` and `-`, e.g. `telegram`".into(),
            ],
            Self::Corrupt { path, .. } => vec![format!(
                "fix the file by hand or move it away; nothing was changed: {}",
                path.display()
            )],
            Self::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => vec![
                "the file belongs to another user: in Docker run `docker exec -u hermes …`, or chown it to the user the gateway runs as".into(),
            ],
            _ => Vec::new(),
        }
    }
}
