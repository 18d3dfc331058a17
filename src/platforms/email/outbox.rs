//! Sending mail: one message per reply (no chunking), threaded with `In-Reply-To`,
//! `References` and a `Re:` subject from the received message, files as attachments.

use std::sync::Arc;

use jiff::fmt::rfc2822;

use super::PLATFORM;
use super::compose::{self, FilePart, Outgoing};
use super::config::EmailConfig;
use super::net;
use super::smtp::{self, SmtpError, Submission};
use super::state::Threads;
use crate::platforms::{ChatRef, OutboundMessage, Outbox, PlatformError, Sent};

/// The subject of a message that starts a conversation (cron deliveries, `send_message`).
pub const DEFAULT_SUBJECT: &str = "Hermes Agent";

/// Maps a submission failure to the class the gateway acts on.
#[must_use]
pub(crate) fn classify_smtp(e: &SmtpError) -> PlatformError {
    match e {
        SmtpError::AuthFailed { .. } => PlatformError::Unauthorized {
            platform: PLATFORM.into(),
            message: e.to_string(),
        },
        SmtpError::Io { source } if net::is_certificate_error(source) => PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: e.to_string(),
            code: "email_tls".into(),
        },
        _ if e.is_temporary() => PlatformError::Transient {
            platform: PLATFORM.into(),
            message: e.to_string(),
        },
        _ => PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: e.to_string(),
            code: "email_rejected".into(),
        },
    }
}

/// The email [`Outbox`].
#[derive(Debug, Clone)]
pub struct EmailOutbox {
    config: Arc<EmailConfig>,
    threads: Arc<Threads>,
}

impl EmailOutbox {
    /// An outbox for `config`, threading replies with `threads`.
    #[must_use]
    pub fn new(config: Arc<EmailConfig>, threads: Arc<Threads>) -> Self {
        Self { config, threads }
    }

    fn submission(&self) -> Submission<'_> {
        Submission {
            host: &self.config.smtp_host,
            port: self.config.smtp_port,
            security: self.config.smtp_security,
            user: &self.config.address,
            password: &self.config.password,
        }
    }

    /// Builds the message for `to` (threaded when we know its context).
    fn compose(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Outgoing, PlatformError> {
        let ctx = self.threads.lookup(
            &to.chat_id,
            to.thread_id.as_deref(),
            msg.reply_to.as_deref(),
        );
        let mut files = Vec::new();
        for path in &msg.attachments {
            let data = std::fs::read(path).map_err(|e| PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: format!("cannot read attachment {}: {e}", path.display()),
                code: "email_attachment".into(),
            })?;
            let name = path
                .file_name()
                .map_or_else(|| "attachment".into(), |n| n.to_string_lossy().into_owned());
            files.push(FilePart { name, data });
        }
        let (subject, in_reply_to, references) = match &ctx {
            Some(c) => (
                compose::reply_subject(&c.subject),
                Some(c.message_id.clone()),
                c.reply_references(),
            ),
            None => (
                msg.subject
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SUBJECT.to_string()),
                None,
                Vec::new(),
            ),
        };
        Ok(Outgoing {
            from: self.config.address.clone(),
            to: to.chat_id.clone(),
            subject,
            message_id: compose::new_message_id(&self.config.address),
            in_reply_to,
            references,
            date: rfc2822::to_string(&jiff::Zoned::now()).unwrap_or_default(),
            body: msg.text.clone(),
            files,
        })
    }
}

#[async_trait::async_trait]
impl Outbox for EmailOutbox {
    async fn send(&self, to: &ChatRef, msg: &OutboundMessage) -> Result<Sent, PlatformError> {
        if !to.chat_id.contains('@') {
            return Err(PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: format!("'{}' is not an email address", to.chat_id),
                code: "email_bad_recipient".into(),
            });
        }
        let out = self.compose(to, msg)?;
        let tls = net::connector(&self.config.tls).map_err(|e| PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: e.to_string(),
            code: "email_tls".into(),
        })?;
        let raw = compose::render(&out);
        smtp::send(
            &self.submission(),
            tls,
            &self.config.address,
            &[&out.to],
            &raw,
        )
        .await
        .map_err(|e| classify_smtp(&e))?;
        Ok(Sent {
            message_id: Some(out.message_id),
        })
    }
}
