//! A small `IMAP4rev1` client (RFC 3501) speaking only what the adapter needs: STARTTLS, LOGIN,
//! SELECT, UID SEARCH, UID FETCH, UID STORE, IDLE (RFC 2177), ID (RFC 2971) and LOGOUT.
//! Responses are read as lines with literals; parsing stays as shallow as those commands allow.

use std::io;
use std::time::Duration;

use tokio_rustls::TlsConnector;
use tokio_util::sync::CancellationToken;

use super::net::{Security, Wire};

/// Why an IMAP exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The connection broke or timed out.
    #[error("IMAP connection failed: {source}")]
    Io {
        #[source]
        source: io::Error,
    },
    /// The server rejected the login.
    #[error("IMAP login rejected: {message}")]
    AuthFailed { message: String },
    /// The server answered NO or BAD to a command.
    #[error("IMAP {command} failed: {message}")]
    Rejected { command: String, message: String },
    /// The server said BYE or sent something we cannot read.
    #[error("IMAP protocol error: {message}")]
    Protocol { message: String },
    /// STARTTLS was asked for but the server does not offer it.
    #[error("the IMAP server does not offer STARTTLS")]
    NoStartTls,
}

impl From<io::Error> for ImapError {
    fn from(source: io::Error) -> Self {
        Self::Io { source }
    }
}

/// One server response: its text (literals replaced by `{n}`) and the literals, in order.
#[derive(Debug, Default)]
struct Response {
    text: String,
    literals: Vec<Vec<u8>>,
}

/// What SELECT reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mailbox {
    /// `UIDVALIDITY`: when it changes, old UIDs mean nothing.
    pub uid_validity: Option<u32>,
    /// `UIDNEXT`: the UID the next message will get.
    pub uid_next: Option<u32>,
    /// `EXISTS`: messages in the mailbox.
    pub exists: u32,
}

/// A fetched message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Its UID.
    pub uid: u32,
    /// `RFC822.SIZE`, when asked for.
    pub size: Option<u64>,
    /// The first literal of the response (the requested body section).
    pub body: Vec<u8>,
}

/// How an IDLE wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// The server announced new messages.
    NewMail,
    /// Nothing happened within the wait.
    Timeout,
    /// The adapter is stopping.
    Cancelled,
}

/// A logged-out or logged-in IMAP session.
pub struct Imap {
    wire: Wire,
    tag: u32,
    caps: Vec<String>,
}

impl std::fmt::Debug for Imap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Imap")
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

/// Whether `s` can be sent as a quoted string (7-bit, no CR/LF/NUL).
fn quotable(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `{n}` or `{n+}` at the end of a line: the byte count of the literal that follows.
fn literal_len(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"}")?;
    let open = line.iter().rposition(|b| *b == b'{')?;
    let digits = &line[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The number after `key` in a response's tokens (`UID 7`, `RFC822.SIZE 588`).
fn number_after(text: &str, key: &str) -> Option<u64> {
    let mut tokens = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '[' || c == ']')
        .filter(|t| !t.is_empty());
    while let Some(t) = tokens.next() {
        if t.eq_ignore_ascii_case(key) {
            return tokens.next()?.parse().ok();
        }
    }
    None
}

/// The text after the status word of a tagged or untagged status line.
fn status_text(text: &str) -> String {
    text.splitn(3, ' ').nth(2).unwrap_or_default().to_string()
}

impl Imap {
    /// Connects, reads the greeting, and upgrades with STARTTLS when `security` asks for it.
    pub async fn connect(
        host: &str,
        port: u16,
        security: Security,
        tls: TlsConnector,
    ) -> Result<Self, ImapError> {
        let wire = Wire::connect(host, port, security, tls).await?;
        let mut imap = Self {
            wire,
            tag: 0,
            caps: Vec::new(),
        };
        let greeting = imap.read_response().await?;
        let upper = greeting.text.to_ascii_uppercase();
        if upper.starts_with("* BYE") {
            return Err(ImapError::Protocol {
                message: format!("the server refused the connection: {}", greeting.text),
            });
        }
        if !(upper.starts_with("* OK") || upper.starts_with("* PREAUTH")) {
            return Err(ImapError::Protocol {
                message: format!("unexpected greeting: {}", greeting.text),
            });
        }
        imap.capability().await?;
        if security == Security::StartTls {
            if !imap.has("STARTTLS") {
                return Err(ImapError::NoStartTls);
            }
            imap.command("STARTTLS").await?;
            imap.wire = imap.wire.start_tls().await?;
            imap.capability().await?;
        }
        Ok(imap)
    }

    /// Whether the server advertised `cap` (case-insensitive).
    #[must_use]
    pub fn has(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c.eq_ignore_ascii_case(cap))
    }

    /// Whether the connection is encrypted.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.wire.is_tls()
    }

    async fn capability(&mut self) -> Result<(), ImapError> {
        let untagged = self.command("CAPABILITY").await?;
        self.caps = untagged
            .iter()
            .filter_map(|r| {
                let rest = r.text.strip_prefix("* ")?;
                let (word, caps) = rest.split_once(' ')?;
                word.eq_ignore_ascii_case("CAPABILITY").then_some(caps)
            })
            .flat_map(|caps| caps.split_whitespace().map(str::to_string))
            .collect();
        Ok(())
    }

    /// Logs in; a rejected password is [`ImapError::AuthFailed`].
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), ImapError> {
        let result = if quotable(user) && quotable(password) {
            self.command(&format!("LOGIN {} {}", quote(user), quote(password)))
                .await
        } else {
            self.command_with_literals("LOGIN", &[user.as_bytes(), password.as_bytes()])
                .await
        };
        match result {
            Ok(_) => {
                // Servers may send new capabilities after login; ask again.
                self.capability().await?;
                if self.has("ID") {
                    // 163/NetEase refuse SEARCH and FETCH from clients that do not say who
                    // they are; everyone else ignores it. Best effort.
                    let id = format!(
                        "ID (\"name\" \"hermes-agent\" \"version\" \"{}\")",
                        env!("CARGO_PKG_VERSION")
                    );
                    let _ = self.command(&id).await;
                }
                Ok(())
            }
            Err(ImapError::Rejected { message, .. }) => {
                let upper = message.to_ascii_uppercase();
                if upper.contains("[UNAVAILABLE]") || upper.contains("[INUSE]") {
                    Err(ImapError::Rejected {
                        command: "LOGIN".into(),
                        message,
                    })
                } else {
                    Err(ImapError::AuthFailed { message })
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Opens `mailbox` read-write.
    pub async fn select(&mut self, mailbox: &str) -> Result<Mailbox, ImapError> {
        let untagged = self.command(&format!("SELECT {}", quote(mailbox))).await?;
        let mut mb = Mailbox::default();
        for r in &untagged {
            let t = &r.text;
            if let Some(n) = number_after(t, "UIDVALIDITY") {
                mb.uid_validity = u32::try_from(n).ok();
            }
            if let Some(n) = number_after(t, "UIDNEXT") {
                mb.uid_next = u32::try_from(n).ok();
            }
            let mut words = t.split_whitespace().skip(1);
            if let (Some(n), Some(w)) = (words.next(), words.next())
                && w.eq_ignore_ascii_case("EXISTS")
            {
                mb.exists = n.parse().unwrap_or(0);
            }
        }
        Ok(mb)
    }

    /// `UID SEARCH <criteria>`: the matching UIDs, ascending.
    pub async fn uid_search(&mut self, criteria: &str) -> Result<Vec<u32>, ImapError> {
        let untagged = self.command(&format!("UID SEARCH {criteria}")).await?;
        let mut uids: Vec<u32> = untagged
            .iter()
            .filter_map(|r| {
                let rest = r.text.strip_prefix("* ")?;
                let (word, nums) = rest.split_once(' ').unwrap_or((rest, ""));
                word.eq_ignore_ascii_case("SEARCH").then_some(nums)
            })
            .flat_map(|nums| nums.split_whitespace().filter_map(|n| n.parse().ok()))
            .collect();
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// `UID FETCH <uid> (UID <items>)`: the message's first literal, or `None` when the
    /// message is gone.
    pub async fn uid_fetch(&mut self, uid: u32, items: &str) -> Result<Option<Fetched>, ImapError> {
        let untagged = self
            .command(&format!("UID FETCH {uid} (UID {items})"))
            .await?;
        for r in untagged {
            if !r.text.to_ascii_uppercase().contains(" FETCH ") {
                continue;
            }
            if number_after(&r.text, "UID").and_then(|n| u32::try_from(n).ok()) != Some(uid) {
                continue;
            }
            return Ok(Some(Fetched {
                uid,
                size: number_after(&r.text, "RFC822.SIZE"),
                body: r.literals.into_iter().next().unwrap_or_default(),
            }));
        }
        Ok(None)
    }

    /// Adds `\Seen` to a message.
    pub async fn mark_seen(&mut self, uid: u32) -> Result<(), ImapError> {
        self.command(&format!("UID STORE {uid} +FLAGS.SILENT (\\Seen)"))
            .await
            .map(|_| ())
    }

    /// Waits in IDLE for new mail, at most `max`, or until `cancel` fires.
    pub async fn idle(
        &mut self,
        max: Duration,
        cancel: &CancellationToken,
    ) -> Result<Idle, ImapError> {
        let tag = self.next_tag();
        self.wire
            .write(format!("{tag} IDLE\r\n").as_bytes())
            .await?;
        loop {
            let r = self.read_response().await?;
            if r.text.starts_with('+') {
                break;
            }
            if r.text.starts_with(&format!("{tag} ")) {
                return Err(ImapError::Rejected {
                    command: "IDLE".into(),
                    message: status_text(&r.text),
                });
            }
        }
        let deadline = tokio::time::Instant::now() + max;
        let outcome = loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => break Idle::Cancelled,
                () = tokio::time::sleep_until(deadline) => break Idle::Timeout,
                line = self.wire.read_line() => {
                    let line = String::from_utf8_lossy(&line?).into_owned();
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("* BYE") {
                        return Err(ImapError::Protocol { message: line });
                    }
                    if upper.starts_with("* ") && upper.ends_with(" EXISTS") {
                        break Idle::NewMail;
                    }
                }
            }
        };
        self.wire.write(b"DONE\r\n").await?;
        self.finish(&tag, "IDLE").await?;
        Ok(outcome)
    }

    /// Says goodbye (best effort).
    pub async fn logout(&mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.command("LOGOUT")).await;
    }

    fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("H{:04}", self.tag)
    }

    /// Sends `cmd` and collects the untagged responses until its tagged completion.
    async fn command(&mut self, cmd: &str) -> Result<Vec<Response>, ImapError> {
        let tag = self.next_tag();
        self.wire
            .write(format!("{tag} {cmd}\r\n").as_bytes())
            .await?;
        let verb = cmd.split(' ').next().unwrap_or(cmd).to_string();
        self.finish(&tag, &verb).await
    }

    /// Sends `verb` with each argument as a synchronizing literal.
    async fn command_with_literals(
        &mut self,
        verb: &str,
        args: &[&[u8]],
    ) -> Result<Vec<Response>, ImapError> {
        let tag = self.next_tag();
        let mut head = format!("{tag} {verb}");
        for (i, arg) in args.iter().enumerate() {
            head.push_str(&format!(" {{{}}}\r\n", arg.len()));
            self.wire.write(head.as_bytes()).await?;
            head.clear();
            let go = self.read_response().await?;
            if !go.text.starts_with('+') {
                return Err(ImapError::Rejected {
                    command: verb.into(),
                    message: status_text(&go.text),
                });
            }
            self.wire.write(arg).await?;
            if i + 1 == args.len() {
                self.wire.write(b"\r\n").await?;
            }
        }
        self.finish(&tag, verb).await
    }

    async fn finish(&mut self, tag: &str, verb: &str) -> Result<Vec<Response>, ImapError> {
        let mut untagged = Vec::new();
        loop {
            let r = self.read_response().await?;
            if let Some(rest) = r.text.strip_prefix(tag).and_then(|t| t.strip_prefix(' ')) {
                let status = rest
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                return if status == "OK" {
                    Ok(untagged)
                } else {
                    Err(ImapError::Rejected {
                        command: verb.into(),
                        message: status_text(&r.text),
                    })
                };
            }
            if r.text.to_ascii_uppercase().starts_with("* BYE") && verb != "LOGOUT" {
                return Err(ImapError::Protocol {
                    message: r.text.clone(),
                });
            }
            untagged.push(r);
        }
    }

    /// One response: a line, and for each `{n}` at a line's end, n bytes and the next line.
    async fn read_response(&mut self) -> Result<Response, ImapError> {
        let mut r = Response::default();
        loop {
            let line = self.wire.read_line().await?;
            r.text.push_str(&String::from_utf8_lossy(&line));
            match literal_len(&line) {
                Some(n) => r.literals.push(self.wire.read_exact(n).await?),
                None => return Ok(r),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_lengths() {
        assert_eq!(literal_len(b"* 1 FETCH (UID 1 BODY[] {588}"), Some(588));
        assert_eq!(literal_len(b"A1 LOGIN {5+}"), Some(5));
        assert_eq!(literal_len(b"* OK done"), None);
        assert_eq!(literal_len(b"* OK {x}"), None);
    }

    #[test]
    fn numbers_after_keys() {
        let t = "* 3 FETCH (UID 17 RFC822.SIZE 588 BODY[] {588})";
        assert_eq!(number_after(t, "UID"), Some(17));
        assert_eq!(number_after(t, "rfc822.size"), Some(588));
        assert_eq!(
            number_after("* OK [UIDVALIDITY 1763791558] UIDs valid", "UIDVALIDITY"),
            Some(1_763_791_558)
        );
        assert_eq!(
            number_after("* OK [UIDNEXT 4] Predicted", "UIDNEXT"),
            Some(4)
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quote(r#"pa"ss\word"#), r#""pa\"ss\\word""#);
        assert!(quotable("bot@example.test"));
        assert!(!quotable("pässword"));
        assert!(!quotable("a\r\nb"));
    }
}
