//! The email adapter's settings: upstream's `EMAIL_*` variables over `platforms.email` in
//! `config.yaml` (`address`, `imap_host`, `smtp_host`, `skip_attachments`,
//! `require_authenticated_sender`, `authserv_id`), plus our TLS options.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_yaml_ng::Value;

use super::net::{Security, TlsOptions};
use crate::config::{Env, Settings};

/// Default IMAP port (implicit TLS), as upstream.
pub const DEFAULT_IMAP_PORT: u16 = 993;
/// Default SMTP submission port (STARTTLS), as upstream.
pub const DEFAULT_SMTP_PORT: u16 = 587;
/// Seconds between mailbox checks when the server has no IDLE.
pub const DEFAULT_POLL_SECS: u64 = 15;
/// Largest attachment saved; bigger ones become a note in the text.
pub const DEFAULT_ATTACHMENT_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// Largest message fetched whole; bigger ones are cut.
pub(crate) const DEFAULT_MESSAGE_MAX_BYTES: u64 = 40 * 1024 * 1024;

/// Everything the email adapter needs.
#[derive(Clone)]
pub struct EmailConfig {
    /// `EMAIL_ADDRESS`: the bot's mailbox (also the IMAP and SMTP login).
    pub address: String,
    /// `EMAIL_PASSWORD` (never printed).
    pub password: String,
    /// `EMAIL_IMAP_HOST`.
    pub imap_host: String,
    /// `EMAIL_IMAP_PORT` (993).
    pub imap_port: u16,
    /// `EMAIL_IMAP_TLS`: `tls` (default; `starttls` when the port is 143) or `none`.
    pub imap_security: Security,
    /// `EMAIL_SMTP_HOST`.
    pub smtp_host: String,
    /// `EMAIL_SMTP_PORT` (587).
    pub smtp_port: u16,
    /// `EMAIL_SMTP_TLS`: `starttls` (default; `tls` when the port is 465) or `none`.
    pub smtp_security: Security,
    /// `EMAIL_TLS_CA_FILE` / `EMAIL_TLS_INSECURE`.
    pub tls: TlsOptions,
    /// `EMAIL_POLL_INTERVAL`: between checks without IDLE, and the longest IDLE wait.
    pub poll_interval: Duration,
    /// `EMAIL_IMAP_IDLE` (on): wait in IDLE when the server supports it.
    pub use_idle: bool,
    /// `platforms.email.skip_attachments`: ignore every attachment.
    pub skip_attachments: bool,
    /// `EMAIL_ATTACHMENT_MAX_BYTES`.
    pub attachment_max_bytes: u64,
    /// Largest message fetched whole.
    pub message_max_bytes: u64,
    /// Drop allowlisted senders whose `From:` domain the server did not authenticate
    /// (`platforms.email.require_authenticated_sender`, or off with
    /// `EMAIL_TRUST_FROM_HEADER=true`).
    pub require_authenticated_sender: bool,
    /// `EMAIL_AUTHSERV_ID`: only trust `Authentication-Results` from this server.
    pub authserv_id: Option<String>,
    /// An allowlist grants access (`EMAIL_ALLOWED_USERS` or `GATEWAY_ALLOWED_USERS`).
    pub allowlist_in_effect: bool,
    /// Everyone is allowed (`EMAIL_ALLOW_ALL_USERS` or `GATEWAY_ALLOW_ALL_USERS`).
    pub allow_all: bool,
    /// `HERMES_GATEWAY_LOCK_DIR`.
    pub lock_dir: Option<PathBuf>,
}

impl fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailConfig")
            .field("address", &self.address)
            .field("password", &"***")
            .field(
                "imap",
                &(&self.imap_host, self.imap_port, self.imap_security),
            )
            .field(
                "smtp",
                &(&self.smtp_host, self.smtp_port, self.smtp_security),
            )
            .field("tls", &self.tls)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

/// Why the email settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailConfigError {
    /// Required settings are blank, in upstream's words.
    #[error(
        "Not configured — missing {}. Set it via `hermes gateway setup` (env) or platforms.email in config.yaml.",
        .missing.join(", ")
    )]
    Missing { missing: Vec<&'static str> },
    /// A value cannot be parsed.
    #[error("{var} is not valid: {value}")]
    Invalid { var: &'static str, value: String },
}

impl EmailConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Missing { .. } => vec!["run `hermes gateway setup` and pick Email".into()],
            Self::Invalid { var, .. } => match *var {
                "EMAIL_IMAP_TLS" | "EMAIL_SMTP_TLS" => vec!["use tls, starttls or none".into()],
                _ => vec![format!("set {var} to a number")],
            },
        }
    }
}

fn block(settings: &Settings) -> Vec<&Value> {
    let mut out = Vec::new();
    for v in [
        settings.platforms.get("email"),
        settings.gateway.platforms.get("email"),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(extra) = v.get("extra") {
            out.push(extra);
        }
        out.push(v);
    }
    if let Some(v) = settings.extra.get("email") {
        out.push(v);
    }
    out
}

fn yaml<'a>(blocks: &[&'a Value], key: &str) -> Option<&'a Value> {
    blocks
        .iter()
        .find_map(|b| b.get(key).filter(|v| !v.is_null()))
}

fn yaml_str(blocks: &[&Value], key: &str) -> Option<String> {
    match yaml(blocks, key)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

fn yaml_bool(blocks: &[&Value], key: &str) -> Option<bool> {
    match yaml(blocks, key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => Some(true),
            "false" | "no" | "0" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn env_str(env: &Env, key: &str) -> Option<String> {
    env.get(key)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn number<T: std::str::FromStr>(
    env: &Env,
    var: &'static str,
) -> Result<Option<T>, EmailConfigError> {
    match env_str(env, var) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| EmailConfigError::Invalid { var, value: v }),
    }
}

fn security(env: &Env, var: &'static str) -> Result<Option<Security>, EmailConfigError> {
    match env_str(env, var) {
        None => Ok(None),
        Some(v) => Security::parse(&v)
            .map(Some)
            .ok_or(EmailConfigError::Invalid { var, value: v }),
    }
}

impl EmailConfig {
    /// Whether the profile mentions email at all (any of the four required settings, or an
    /// enabled `platforms.email` block).
    #[must_use]
    pub fn is_configured(env: &Env, settings: &Settings) -> bool {
        let blocks = block(settings);
        if yaml_bool(&blocks, "enabled") == Some(false) {
            return false;
        }
        [
            "EMAIL_ADDRESS",
            "EMAIL_PASSWORD",
            "EMAIL_IMAP_HOST",
            "EMAIL_SMTP_HOST",
        ]
        .iter()
        .any(|k| env_str(env, k).is_some())
            || ["address", "imap_host", "smtp_host"]
                .iter()
                .any(|k| yaml_str(&blocks, k).is_some())
    }

    /// The settings; every missing required value is named in the error.
    pub fn from_env(env: &Env, settings: &Settings) -> Result<Self, EmailConfigError> {
        let blocks = block(settings);
        let pick = |var: &str, key: &str| env_str(env, var).or_else(|| yaml_str(&blocks, key));
        let address = pick("EMAIL_ADDRESS", "address");
        let password = env.get("EMAIL_PASSWORD").filter(|p| !p.trim().is_empty());
        let imap_host = pick("EMAIL_IMAP_HOST", "imap_host");
        let smtp_host = pick("EMAIL_SMTP_HOST", "smtp_host");
        let missing: Vec<&'static str> = [
            ("EMAIL_ADDRESS", address.is_none()),
            ("EMAIL_PASSWORD", password.is_none()),
            ("EMAIL_IMAP_HOST", imap_host.is_none()),
            ("EMAIL_SMTP_HOST", smtp_host.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            return Err(EmailConfigError::Missing { missing });
        }
        let imap_port = number(env, "EMAIL_IMAP_PORT")?.unwrap_or(DEFAULT_IMAP_PORT);
        let smtp_port = number(env, "EMAIL_SMTP_PORT")?.unwrap_or(DEFAULT_SMTP_PORT);
        let imap_security = security(env, "EMAIL_IMAP_TLS")?.unwrap_or(if imap_port == 143 {
            Security::StartTls
        } else {
            Security::Tls
        });
        let smtp_security = security(env, "EMAIL_SMTP_TLS")?.unwrap_or(if smtp_port == 465 {
            Security::Tls
        } else {
            Security::StartTls
        });
        let poll: u64 = number(env, "EMAIL_POLL_INTERVAL")?.unwrap_or(DEFAULT_POLL_SECS);
        let require_authenticated_sender = match yaml_bool(&blocks, "require_authenticated_sender")
        {
            Some(b) => b,
            None => !env.flag("EMAIL_TRUST_FROM_HEADER").unwrap_or(false),
        };
        let flag = |k: &str| env.flag(k).unwrap_or(false);
        Ok(Self {
            // Unwraps above would be equivalent; `missing` is empty, so all are `Some`.
            address: address.unwrap_or_default(),
            password: password.unwrap_or_default().to_string(),
            imap_host: imap_host.unwrap_or_default(),
            imap_port,
            imap_security,
            smtp_host: smtp_host.unwrap_or_default(),
            smtp_port,
            smtp_security,
            tls: TlsOptions {
                ca_file: env_str(env, "EMAIL_TLS_CA_FILE").map(PathBuf::from),
                insecure: flag("EMAIL_TLS_INSECURE"),
            },
            poll_interval: Duration::from_secs(poll.max(1)),
            use_idle: env.flag("EMAIL_IMAP_IDLE").unwrap_or(true),
            skip_attachments: yaml_bool(&blocks, "skip_attachments").unwrap_or(false),
            attachment_max_bytes: number(env, "EMAIL_ATTACHMENT_MAX_BYTES")?
                .unwrap_or(DEFAULT_ATTACHMENT_MAX_BYTES),
            message_max_bytes: DEFAULT_MESSAGE_MAX_BYTES,
            require_authenticated_sender,
            authserv_id: env_str(env, "EMAIL_AUTHSERV_ID")
                .or_else(|| yaml_str(&blocks, "authserv_id"))
                .map(|s| s.to_ascii_lowercase()),
            allowlist_in_effect: env_str(env, "EMAIL_ALLOWED_USERS").is_some()
                || env_str(env, "GATEWAY_ALLOWED_USERS").is_some(),
            allow_all: flag("EMAIL_ALLOW_ALL_USERS") || flag("GATEWAY_ALLOW_ALL_USERS"),
            lock_dir: env.get("HERMES_GATEWAY_LOCK_DIR").map(PathBuf::from),
        })
    }

    /// A config for tests and probes: the given account, every other setting at its default.
    #[must_use]
    pub fn new(address: &str, password: &str, imap_host: &str, smtp_host: &str) -> Self {
        Self {
            address: address.into(),
            password: password.into(),
            imap_host: imap_host.into(),
            imap_port: DEFAULT_IMAP_PORT,
            imap_security: Security::Tls,
            smtp_host: smtp_host.into(),
            smtp_port: DEFAULT_SMTP_PORT,
            smtp_security: Security::StartTls,
            tls: TlsOptions::default(),
            poll_interval: Duration::from_secs(DEFAULT_POLL_SECS),
            use_idle: true,
            skip_attachments: false,
            attachment_max_bytes: DEFAULT_ATTACHMENT_MAX_BYTES,
            message_max_bytes: DEFAULT_MESSAGE_MAX_BYTES,
            require_authenticated_sender: true,
            authserv_id: None,
            allowlist_in_effect: false,
            allow_all: false,
            lock_dir: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::resolve(&doc, &Env::default()).unwrap()
    }

    #[test]
    fn all_four_are_required() {
        let env = Env::from_pairs([
            ("EMAIL_ADDRESS", "bot@example.test"),
            ("EMAIL_IMAP_HOST", " "),
        ]);
        let s = settings("{}");
        assert!(EmailConfig::is_configured(&env, &s));
        let err = EmailConfig::from_env(&env, &s).unwrap_err();
        assert_eq!(
            err,
            EmailConfigError::Missing {
                missing: vec!["EMAIL_PASSWORD", "EMAIL_IMAP_HOST", "EMAIL_SMTP_HOST"]
            }
        );
        assert!(
            err.to_string()
                .starts_with("Not configured — missing EMAIL_PASSWORD, ")
        );
        assert!(!EmailConfig::is_configured(&Env::default(), &s));
    }

    #[test]
    fn defaults_and_overrides() {
        let env = Env::from_pairs([
            ("EMAIL_ADDRESS", "bot@example.test"),
            ("EMAIL_PASSWORD", "pw"),
            ("EMAIL_SMTP_HOST", "smtp.example.test"),
        ]);
        let s = settings(
            "platforms:\n  email:\n    extra:\n      imap_host: imap.example.test\n      skip_attachments: true\n",
        );
        let c = EmailConfig::from_env(&env, &s).unwrap();
        assert_eq!(c.imap_host, "imap.example.test");
        assert_eq!((c.imap_port, c.imap_security), (993, Security::Tls));
        assert_eq!((c.smtp_port, c.smtp_security), (587, Security::StartTls));
        assert_eq!(c.poll_interval, Duration::from_secs(15));
        assert!(c.skip_attachments && c.require_authenticated_sender && c.use_idle);
        assert!(!format!("{c:?}").contains("\"pw\""));

        let env = Env::from_pairs([
            ("EMAIL_ADDRESS", "bot@example.test"),
            ("EMAIL_PASSWORD", "pw"),
            ("EMAIL_IMAP_HOST", "127.0.0.1"),
            ("EMAIL_IMAP_PORT", "143"),
            ("EMAIL_SMTP_HOST", "127.0.0.1"),
            ("EMAIL_SMTP_PORT", "465"),
            ("EMAIL_TRUST_FROM_HEADER", "true"),
            ("EMAIL_ALLOWED_USERS", "alice@example.test"),
            ("EMAIL_TLS_INSECURE", "1"),
        ]);
        let c = EmailConfig::from_env(&env, &settings("{}")).unwrap();
        assert_eq!(c.imap_security, Security::StartTls);
        assert_eq!(c.smtp_security, Security::Tls);
        assert!(!c.require_authenticated_sender && c.allowlist_in_effect && c.tls.insecure);

        let env = Env::from_pairs([
            ("EMAIL_ADDRESS", "a@b"),
            ("EMAIL_PASSWORD", "pw"),
            ("EMAIL_IMAP_HOST", "h"),
            ("EMAIL_SMTP_HOST", "h"),
            ("EMAIL_IMAP_TLS", "sometimes"),
        ]);
        assert!(matches!(
            EmailConfig::from_env(&env, &settings("{}")),
            Err(EmailConfigError::Invalid {
                var: "EMAIL_IMAP_TLS",
                ..
            })
        ));
    }
}
