//! The email adapter: IMAP for inbound mail (IDLE when the server has it, else polling by
//! UID), SMTP for replies. The sender's address is the user and chat id, the thread root
//! (`References`/`In-Reply-To`) the thread id. Authorization is the gateway's: unknown senders
//! are delivered and ignored there (email never pairs by default).

mod compose;
mod config;
mod imap;
mod inbox;
mod net;
mod outbox;
mod parse;
mod smtp;
mod state;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use compose::{FilePart, Outgoing, render as render_message};
pub use config::{
    DEFAULT_ATTACHMENT_MAX_BYTES, DEFAULT_IMAP_PORT, DEFAULT_POLL_SECS, DEFAULT_SMTP_PORT,
    EmailConfig, EmailConfigError,
};
pub use imap::{Fetched, Idle, Imap, ImapError, Mailbox};
pub use net::{Security, TlsOptions, TlsSetupError, connector};
pub use outbox::{DEFAULT_SUBJECT, EmailOutbox};
pub use parse::{Email as ParsedEmail, parse as parse_message};
pub use smtp::{SmtpError, Submission, send as smtp_send};
pub use state::{Cursor, ThreadContext, Threads};

use super::{Capabilities, Outbox, Platform, PlatformCx, PlatformError};
use crate::backoff;
use crate::gateway::token_lock::TokenLock;
use crate::home::HermesPaths;
use crate::logs;

/// The platform name.
pub const PLATFORM: &str = "email";
/// Replies are never split: one answer is one mail (the gateway chunks at this length).
pub const MAX_MESSAGE_LENGTH: usize = 1_000_000;
/// The token lock's scope: one gateway per mailbox.
const LOCK_SCOPE: &str = "email-address";
/// Log target.
const TARGET: &str = "gateway.email";

/// Maps an IMAP failure to the class the supervisor acts on.
#[must_use]
pub fn classify_imap(e: &ImapError) -> PlatformError {
    match e {
        ImapError::AuthFailed { .. } => PlatformError::Unauthorized {
            platform: PLATFORM.into(),
            message: e.to_string(),
        },
        ImapError::Io { source } if net::is_certificate_error(source) => PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: e.to_string(),
            code: "email_tls".into(),
        },
        ImapError::NoStartTls => PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: e.to_string(),
            code: "email_starttls".into(),
        },
        _ => PlatformError::Transient {
            platform: PLATFORM.into(),
            message: e.to_string(),
        },
    }
}

fn tls_error(e: &TlsSetupError) -> PlatformError {
    PlatformError::Fatal {
        platform: PLATFORM.into(),
        message: e.to_string(),
        code: "email_tls".into(),
    }
}

/// Logs in over IMAP and SMTP and logs out again (`doctor`, the setup wizard).
pub async fn probe(config: &EmailConfig) -> Result<(), PlatformError> {
    let tls = connector(&config.tls).map_err(|e| tls_error(&e))?;
    let mut imap = Imap::connect(
        &config.imap_host,
        config.imap_port,
        config.imap_security,
        tls.clone(),
    )
    .await
    .map_err(|e| classify_imap(&e))?;
    imap.login(&config.address, &config.password)
        .await
        .map_err(|e| classify_imap(&e))?;
    imap.logout().await;
    let sub = Submission {
        host: &config.smtp_host,
        port: config.smtp_port,
        security: config.smtp_security,
        user: &config.address,
        password: &config.password,
    };
    smtp::check_login(&sub, tls)
        .await
        .map_err(|e| outbox::classify_smtp(&e))
}

/// One mailbox.
pub struct Email {
    config: Arc<EmailConfig>,
    paths: HermesPaths,
    threads: Arc<Threads>,
    outbox: Arc<EmailOutbox>,
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Email {
    /// An adapter for `config`, keeping its state under `paths`.
    #[must_use]
    pub fn new(config: EmailConfig, paths: &HermesPaths) -> Self {
        let config = Arc::new(config);
        let threads = Arc::new(Threads::restore(
            paths.platform_state_dir(PLATFORM).join("threads.json"),
        ));
        let outbox = Arc::new(EmailOutbox::new(config.clone(), threads.clone()));
        Self {
            config,
            paths: paths.clone(),
            threads,
            outbox,
        }
    }

    /// `<home>/email/cursor.json`: the last processed UID.
    #[must_use]
    pub fn cursor_file(&self) -> PathBuf {
        self.paths.platform_state_dir(PLATFORM).join("cursor.json")
    }

    /// `<home>/cache/email/`: saved attachments.
    #[must_use]
    pub fn media_dir(&self) -> PathBuf {
        self.paths.cache_dir().join(PLATFORM)
    }

    fn take_lock(&self) -> Result<TokenLock, PlatformError> {
        let identity = format!(
            "{}@{}",
            self.config.address.to_ascii_lowercase(),
            self.config.imap_host.to_ascii_lowercase()
        );
        super::take_credential_lock(
            &self.paths,
            self.config.lock_dir.as_deref(),
            &super::LockRequest {
                platform: PLATFORM,
                scope: LOCK_SCOPE,
                identity: &identity,
                label: "Email address",
                noun: "mailbox",
            },
        )
    }
}

#[async_trait::async_trait]
impl Platform for Email {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_message_length: MAX_MESSAGE_LENGTH,
            edits: false,
            threads: true,
            reactions: false,
            typing: false,
            files: true,
        }
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
        let _lock = self.take_lock()?;
        let tls = connector(&self.config.tls).map_err(|e| tls_error(&e))?;
        let mut failures: u32 = 0;
        loop {
            if cx.cancel.is_cancelled() {
                return Ok(());
            }
            let err = match inbox::session(self, &tls, &cx, &mut failures).await {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            if !err.is_retryable() {
                return Err(err);
            }
            logs::warn(TARGET, format!("{err}; reconnecting"));
            cx.set_status(PLATFORM, "retrying");
            let wait = match &err {
                PlatformError::RateLimited {
                    retry_after: Some(d),
                    ..
                } => *d,
                _ => backoff::delay(failures, Duration::from_secs(1), Duration::from_mins(2)),
            };
            failures = failures.saturating_add(1);
            tokio::select! {
                biased;
                () = cx.cancel.cancelled() => return Ok(()),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
