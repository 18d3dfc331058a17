//! A small SMTP submission client (RFC 5321, STARTTLS RFC 3207, AUTH PLAIN/LOGIN RFC 4954):
//! one connection per message, as upstream does. Building the message is `compose`'s job.

use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use tokio_rustls::TlsConnector;

use super::net::{Security, Wire};

/// Why a submission failed.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// The connection broke or timed out.
    #[error("SMTP connection failed: {source}")]
    Io {
        #[source]
        source: io::Error,
    },
    /// The server rejected the credentials (535 and friends).
    #[error("SMTP authentication rejected: {code} {message}")]
    AuthFailed { code: u16, message: String },
    /// The server answered with an error code to a step.
    #[error("SMTP {step} failed: {code} {message}")]
    Rejected {
        step: &'static str,
        code: u16,
        message: String,
    },
    /// STARTTLS was asked for but the server does not offer it.
    #[error("the SMTP server does not offer STARTTLS")]
    NoStartTls,
    /// The server sent something that is not an SMTP reply.
    #[error("SMTP protocol error: {message}")]
    Protocol { message: String },
}

impl From<io::Error> for SmtpError {
    fn from(source: io::Error) -> Self {
        Self::Io { source }
    }
}

impl SmtpError {
    /// Whether trying again later may work (4xx replies and broken connections).
    #[must_use]
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Io { .. } | Self::Protocol { .. } => true,
            Self::Rejected { code, .. } => (400..500).contains(code),
            Self::AuthFailed { .. } | Self::NoStartTls => false,
        }
    }
}

/// Where and how to submit.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    /// Server host.
    pub host: &'a str,
    /// Server port.
    pub port: u16,
    /// TLS mode.
    pub security: Security,
    /// The login (and envelope sender).
    pub user: &'a str,
    /// The password.
    pub password: &'a str,
}

struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        self.lines.join(" ")
    }
}

async fn read_reply(wire: &mut Wire) -> Result<Reply, SmtpError> {
    let mut lines = Vec::new();
    loop {
        let raw = wire.read_line().await?;
        let line = String::from_utf8_lossy(&raw).into_owned();
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| SmtpError::Protocol {
                message: format!("not an SMTP reply: {line}"),
            })?;
        let more = line.as_bytes().get(3) == Some(&b'-');
        lines.push(line.get(4..).unwrap_or_default().to_string());
        if !more {
            return Ok(Reply { code, lines });
        }
    }
}

async fn step(
    wire: &mut Wire,
    cmd: &[u8],
    step: &'static str,
    ok: &[u16],
) -> Result<Reply, SmtpError> {
    wire.write(cmd).await?;
    let reply = read_reply(wire).await?;
    if ok.contains(&reply.code) {
        Ok(reply)
    } else {
        Err(SmtpError::Rejected {
            step,
            code: reply.code,
            message: reply.text(),
        })
    }
}

/// The AUTH mechanisms an EHLO reply lists.
fn auth_mechanisms(ehlo: &Reply) -> Vec<String> {
    ehlo.lines
        .iter()
        .filter_map(|l| {
            let upper = l.to_ascii_uppercase();
            let rest = upper
                .strip_prefix("AUTH ")
                .or_else(|| upper.strip_prefix("AUTH="))?
                .to_string();
            Some(rest)
        })
        .flat_map(|r| r.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn offers(ehlo: &Reply, ext: &str) -> bool {
    ehlo.lines.iter().any(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case(ext))
    })
}

/// Dot-stuffs a CRLF message for DATA and appends the terminator.
fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut at_line_start = true;
    for &b in message {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The EHLO name: the domain of our address, else `localhost`.
fn helo_name(user: &str) -> &str {
    user.rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| {
            !d.is_empty()
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        .unwrap_or("localhost")
}

async fn authenticate(
    wire: &mut Wire,
    ehlo: &Reply,
    sub: &Submission<'_>,
) -> Result<(), SmtpError> {
    let mechs = auth_mechanisms(ehlo);
    if mechs.is_empty() {
        // Nothing to log in to (a local relay): submit unauthenticated.
        return Ok(());
    }
    let auth_fail = |r: SmtpError| match r {
        SmtpError::Rejected { code, message, .. } if code != 421 && code >= 500 || code == 454 => {
            SmtpError::AuthFailed { code, message }
        }
        other => other,
    };
    if mechs.iter().any(|m| m == "PLAIN") {
        let token = B64.encode(format!("\0{}\0{}", sub.user, sub.password));
        step(
            wire,
            format!("AUTH PLAIN {token}\r\n").as_bytes(),
            "AUTH",
            &[235],
        )
        .await
        .map_err(auth_fail)?;
    } else {
        step(wire, b"AUTH LOGIN\r\n", "AUTH", &[334])
            .await
            .map_err(auth_fail)?;
        let user = B64.encode(sub.user);
        step(wire, format!("{user}\r\n").as_bytes(), "AUTH", &[334])
            .await
            .map_err(auth_fail)?;
        let pass = B64.encode(sub.password);
        step(wire, format!("{pass}\r\n").as_bytes(), "AUTH", &[235])
            .await
            .map_err(auth_fail)?;
    }
    Ok(())
}

/// Connects, secures and logs in, returning the open session and its EHLO reply.
async fn open(sub: &Submission<'_>, tls: TlsConnector) -> Result<Wire, SmtpError> {
    let mut wire = Wire::connect(sub.host, sub.port, sub.security, tls).await?;
    let greeting = read_reply(&mut wire).await?;
    if greeting.code != 220 {
        return Err(SmtpError::Rejected {
            step: "greeting",
            code: greeting.code,
            message: greeting.text(),
        });
    }
    let ehlo_cmd = format!("EHLO {}\r\n", helo_name(sub.user));
    let mut ehlo = step(&mut wire, ehlo_cmd.as_bytes(), "EHLO", &[250]).await?;
    if sub.security == Security::StartTls {
        if !offers(&ehlo, "STARTTLS") {
            return Err(SmtpError::NoStartTls);
        }
        step(&mut wire, b"STARTTLS\r\n", "STARTTLS", &[220]).await?;
        wire = wire.start_tls().await?;
        ehlo = step(&mut wire, ehlo_cmd.as_bytes(), "EHLO", &[250]).await?;
    }
    authenticate(&mut wire, &ehlo, sub).await?;
    Ok(wire)
}

/// Logs in and quits: checks the credentials (`doctor`, startup).
pub(crate) async fn check_login(sub: &Submission<'_>, tls: TlsConnector) -> Result<(), SmtpError> {
    let mut wire = open(sub, tls).await?;
    let _ = step(&mut wire, b"QUIT\r\n", "QUIT", &[221]).await;
    Ok(())
}

/// Submits one message from `sub.user` to `to`.
pub async fn send(
    sub: &Submission<'_>,
    tls: TlsConnector,
    from: &str,
    to: &[&str],
    message: &[u8],
) -> Result<(), SmtpError> {
    let mut wire = open(sub, tls).await?;
    step(
        &mut wire,
        format!("MAIL FROM:<{from}>\r\n").as_bytes(),
        "MAIL FROM",
        &[250],
    )
    .await?;
    for rcpt in to {
        step(
            &mut wire,
            format!("RCPT TO:<{rcpt}>\r\n").as_bytes(),
            "RCPT TO",
            &[250, 251],
        )
        .await?;
    }
    step(&mut wire, b"DATA\r\n", "DATA", &[354]).await?;
    step(&mut wire, &dot_stuff(message), "DATA", &[250]).await?;
    let _ = step(&mut wire, b"QUIT\r\n", "QUIT", &[221]).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing() {
        assert_eq!(dot_stuff(b"a\r\n.b\r\n..c"), b"a\r\n..b\r\n...c\r\n.\r\n");
        assert_eq!(dot_stuff(b".x\r\n"), b"..x\r\n.\r\n");
    }

    #[test]
    fn ehlo_parsing() {
        let ehlo = Reply {
            code: 250,
            lines: vec![
                "mail.example.test".into(),
                "STARTTLS".into(),
                "AUTH PLAIN LOGIN".into(),
                "AUTH=LOGIN".into(),
            ],
        };
        assert!(offers(&ehlo, "starttls"));
        assert!(!offers(&ehlo, "CHUNKING"));
        assert_eq!(auth_mechanisms(&ehlo), ["PLAIN", "LOGIN", "LOGIN"]);
        assert_eq!(helo_name("bot@example.test"), "example.test");
        assert_eq!(helo_name("bot"), "localhost");
    }

    #[test]
    fn temporary_errors() {
        let r = |code| SmtpError::Rejected {
            step: "RCPT TO",
            code,
            message: String::new(),
        };
        assert!(r(451).is_temporary());
        assert!(!r(550).is_temporary());
        assert!(
            !SmtpError::AuthFailed {
                code: 535,
                message: String::new()
            }
            .is_temporary()
        );
    }
}
