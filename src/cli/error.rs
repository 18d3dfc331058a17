//! `CliError`: an error with a kind (which exit code) and hints (what the user can do).
//! `main` renders every error once: `Error:`, `Caused by:` lines, then `hint:` lines.

use std::fmt;

/// Which exit code an error maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 1: the user or their configuration must change something.
    User,
    /// 2: the command line itself is wrong.
    Usage,
    /// 130: the user cancelled.
    Cancelled,
    /// A specific exit code with nothing to print (the gateway's 75 and 78).
    Exit(u8),
}

/// An error raised by a command, with hints.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) kind: Kind,
    message: String,
    source: Option<anyhow::Error>,
    pub(crate) hints: Vec<String>,
}

impl CliError {
    /// A user error (exit 1).
    pub(crate) fn user(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::User,
            message: message.into(),
            source: None,
            hints: Vec::new(),
        }
    }

    /// A usage error (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Usage,
            message: message.into(),
            source: None,
            hints: Vec::new(),
        }
    }

    /// A cancellation (exit 130).
    pub(crate) fn cancelled(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Cancelled,
            message: message.into(),
            source: None,
            hints: Vec::new(),
        }
    }

    /// Exits with `code`, printing nothing more.
    pub(crate) fn exit(code: u8) -> Self {
        Self {
            kind: Kind::Exit(code),
            message: String::new(),
            source: None,
            hints: Vec::new(),
        }
    }

    /// Adds a hint line.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Attaches the underlying cause.
    pub(crate) fn caused_by(mut self, source: impl Into<anyhow::Error>) -> Self {
        self.source = Some(source.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The hints that library errors anywhere in the chain carry.
pub(crate) fn library_hints(err: &anyhow::Error) -> Vec<String> {
    let mut hints = Vec::new();
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<hermes::home::ProfileError>() {
            hints.extend(e.hints());
        } else if let Some(e) = cause.downcast_ref::<hermes::config::ConfigError>() {
            hints.extend(e.hints());
        } else if let Some(e) = cause.downcast_ref::<hermes::store::StoreError>() {
            hints.extend(e.hints());
        } else if let Some(e) = cause.downcast_ref::<hermes::auth::PairingError>() {
            hints.extend(e.hints());
        } else if let Some(e) = cause.downcast_ref::<hermes::gateway::lock::InstanceLockError>() {
            hints.extend(e.hints());
        } else if let Some(e) = cause.downcast_ref::<hermes::api::ApiServerError>() {
            hints.extend(e.hints());
        } else if let Some(e) =
            cause.downcast_ref::<hermes::gateway::service::manager::ServiceError>()
        {
            hints.extend(e.hints());
        } else if let Some(e) = cause.downcast_ref::<hermes::update::UpdateError>() {
            hints.extend(e.hints());
        }
    }
    hints
}
