//! Reading one fetched message: sender, subject, thread headers, the text body (plain text
//! preferred, HTML turned into text), attachments, and the two checks upstream makes before
//! trusting a message — is it automated, and is its `From:` domain authenticated.

use mail_parser::{MessageParser, MimeHeaders};

/// Address fragments of senders that never get an answer.
const NOREPLY_PATTERNS: [&str; 13] = [
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "mailer-daemon",
    "postmaster",
    "bounce",
    "notifications@",
    "automated@",
    "auto-confirm",
    "auto-reply",
    "automailer",
];

/// A file that came with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name (decoded), or `attachment.<subtype>`.
    pub filename: String,
    /// `type/subtype`.
    pub mime: String,
    /// The decoded bytes.
    pub data: Vec<u8>,
}

/// One inbound email, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Email {
    /// The bare `From:` address, lowercased.
    pub from: String,
    /// The `From:` display name.
    pub from_name: Option<String>,
    /// The decoded subject (empty when there is none).
    pub subject: String,
    /// `Message-ID`, with angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To`, with angle brackets.
    pub in_reply_to: Option<String>,
    /// `References`, oldest first, with angle brackets.
    pub references: Vec<String>,
    /// The text body.
    pub body: String,
    /// Attachments and inline files.
    pub attachments: Vec<Attachment>,
    /// Auto-replies, bulk mail and no-reply senders.
    pub automated: bool,
    /// Whether the receiving server vouched for the `From:` domain, and why (not).
    pub authenticated: (bool, String),
}

impl Email {
    /// The thread this message belongs to: the first `References` entry, else
    /// `In-Reply-To`, else its own id.
    #[must_use]
    pub fn thread_root(&self) -> Option<String> {
        self.references
            .first()
            .or(self.in_reply_to.as_ref())
            .or(self.message_id.as_ref())
            .cloned()
    }

    /// The text handed to the agent: the subject as context on a new thread, then the body.
    #[must_use]
    pub fn agent_text(&self) -> String {
        let body = self.body.trim();
        let subject = self.subject.trim();
        let text = if !subject.is_empty() && !is_reply_subject(subject) {
            format!("[Subject: {subject}]\n\n{body}")
        } else {
            body.to_string()
        };
        if text.trim().is_empty() {
            "(empty email)".into()
        } else {
            text
        }
    }
}

/// `Re:` (any case) starts the subject.
#[must_use]
pub(crate) fn is_reply_subject(subject: &str) -> bool {
    subject
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("re:"))
}

fn angle(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') {
        id.to_string()
    } else {
        format!("<{id}>")
    }
}

/// The trimmed raw value of a header, unfolded.
fn raw_header(msg: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    msg.header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|v| !v.is_empty())
}

/// Whether headers or the address mark the message as automated.
fn is_automated(msg: &mail_parser::Message<'_>, from: &str) -> bool {
    if NOREPLY_PATTERNS.iter().any(|p| from.contains(p)) {
        return true;
    }
    let header = |n: &str| raw_header(msg, n).map(|v| v.to_ascii_lowercase());
    header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "list" | "junk"))
        || header("X-Auto-Response-Suppress").is_some()
        || header("List-Unsubscribe").is_some()
}

fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .unwrap_or_default()
}

/// Equal, or one a subdomain of the other (DMARC relaxed alignment).
fn aligned(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_end_matches('.'), b.trim_end_matches('.'));
    !a.is_empty()
        && !b.is_empty()
        && (a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}")))
}

/// `method=result` and `property=value` pairs of one `Authentication-Results` value.
fn auth_pairs(value: &str) -> Vec<(String, String)> {
    value
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter_map(|t| {
            let (k, v) = t.split_once('=')?;
            Some((
                k.to_ascii_lowercase(),
                v.trim_matches(|c| c == '"' || c == '(' || c == ')')
                    .to_ascii_lowercase(),
            ))
        })
        .collect()
}

/// Whether the receiving server's `Authentication-Results` vouch for the `From:` domain:
/// DMARC pass, or SPF or DKIM pass aligned with it. The topmost header is the trusted one
/// (our server prepends it), or the first whose authserv-id matches `authserv_id`.
#[must_use]
pub(crate) fn verify_sender(
    results: &[String],
    from: &str,
    authserv_id: Option<&str>,
) -> (bool, String) {
    let from_domain = domain_of(from);
    if from_domain.is_empty() {
        return (false, "missing From domain".into());
    }
    if results.is_empty() {
        return (false, "no Authentication-Results header".into());
    }
    let trusted = results.iter().find(|v| {
        authserv_id.is_none_or(|id| {
            let serv = v
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            serv == id.to_ascii_lowercase() || aligned(&serv, &id.to_ascii_lowercase())
        })
    });
    let Some(trusted) = trusted else {
        return (
            false,
            "no Authentication-Results from trusted authserv-id".into(),
        );
    };
    let pairs = auth_pairs(trusted);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if get("dmarc") == Some("pass") {
        return (true, "dmarc=pass".into());
    }
    if get("spf") == Some("pass") {
        let raw = get("smtp.mailfrom")
            .or_else(|| get("smtp.from"))
            .or_else(|| get("envelope-from"))
            .unwrap_or_default();
        let domain = if raw.contains('@') {
            domain_of(raw)
        } else {
            raw.to_string()
        };
        if aligned(&domain, &from_domain) {
            return (true, "spf=pass aligned".into());
        }
    }
    if get("dkim") == Some("pass") {
        let domain = get("header.d")
            .map(str::to_string)
            .or_else(|| get("header.from").map(domain_of))
            .unwrap_or_default();
        if aligned(&domain, &from_domain) {
            return (true, "dkim=pass aligned".into());
        }
    }
    let short: String = trusted.chars().take(120).collect();
    (false, format!("authentication failed ({short})"))
}

/// Reads a raw RFC 5322 message; `None` when it has no usable `From:` address.
#[must_use]
pub fn parse(raw: &[u8], authserv_id: Option<&str>) -> Option<Email> {
    let msg = MessageParser::default().parse(raw)?;
    let sender = msg.from()?.first()?;
    let from = sender.address()?.trim().to_ascii_lowercase();
    if from.is_empty() {
        return None;
    }
    let from_name = sender
        .name()
        .map(|n| n.trim().trim_matches('"').to_string())
        .filter(|n| !n.is_empty());
    let ids = |v: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        match v {
            mail_parser::HeaderValue::Text(t) => vec![angle(t)],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| angle(t)).collect(),
            _ => Vec::new(),
        }
    };
    let results: Vec<String> = msg
        .header_values("Authentication-Results")
        .filter_map(|v| v.as_text().map(str::to_string))
        .collect();
    let body = msg
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    let attachments = msg
        .attachments()
        .filter_map(|part| {
            let data = part.contents();
            if data.is_empty() {
                return None;
            }
            let ct = part.content_type();
            let mime = ct.map_or_else(
                || "application/octet-stream".to_string(),
                |c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream")),
            );
            let filename = part.attachment_name().map_or_else(
                || {
                    format!(
                        "attachment.{}",
                        ct.and_then(|c| c.subtype()).unwrap_or("bin")
                    )
                },
                str::to_string,
            );
            Some(Attachment {
                filename,
                mime: mime.to_ascii_lowercase(),
                data: data.to_vec(),
            })
        })
        .collect();
    Some(Email {
        automated: is_automated(&msg, &from),
        authenticated: verify_sender(&results, &from, authserv_id),
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        message_id: msg.message_id().map(angle),
        in_reply_to: ids(msg.in_reply_to()).into_iter().next(),
        references: ids(msg.references()),
        body,
        attachments,
        from,
        from_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = "From: \"Alice A.\" <Alice@Example.TEST>\r\nTo: bot@example.test\r\nSubject: =?utf-8?q?Caf=C3=A9_plans?=\r\nMessage-ID: <m2@example.test>\r\nIn-Reply-To: <m1@example.test>\r\nReferences: <root@example.test> <m1@example.test>\r\n\r\nhello bot\r\n";

    #[test]
    fn reads_sender_subject_and_thread() {
        let e = parse(PLAIN.as_bytes(), None).unwrap();
        assert_eq!(e.from, "alice@example.test");
        assert_eq!(e.from_name.as_deref(), Some("Alice A."));
        assert_eq!(e.subject, "Café plans");
        assert_eq!(e.message_id.as_deref(), Some("<m2@example.test>"));
        assert_eq!(e.in_reply_to.as_deref(), Some("<m1@example.test>"));
        assert_eq!(e.references, ["<root@example.test>", "<m1@example.test>"]);
        assert_eq!(e.thread_root().as_deref(), Some("<root@example.test>"));
        assert_eq!(e.agent_text(), "[Subject: Café plans]\n\nhello bot");
        assert!(!e.automated);
        assert_eq!(
            e.authenticated,
            (false, "no Authentication-Results header".into())
        );
    }

    #[test]
    fn html_only_becomes_text_and_attachments_are_kept() {
        let raw = "From: a@example.test\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>there</b></p><p>second</p>\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";
        let e = parse(raw.as_bytes(), None).unwrap();
        assert!(e.body.contains("Hello there"), "{:?}", e.body);
        assert!(!e.body.contains('<'));
        assert_eq!(
            e.agent_text(),
            e.body.trim(),
            "a reply subject is not repeated"
        );
        assert_eq!(e.attachments.len(), 1);
        assert_eq!(e.attachments[0].filename, "r.pdf");
        assert_eq!(e.attachments[0].mime, "application/pdf");
        assert_eq!(e.attachments[0].data, b"%PDF-");
        assert_eq!(e.thread_root(), None);
    }

    #[test]
    fn automated_mail_is_flagged() {
        for extra in [
            "Auto-Submitted: auto-replied\r\n",
            "Precedence: bulk\r\n",
            "List-Unsubscribe: <mailto:x@example.test>\r\n",
        ] {
            let raw = format!("From: a@example.test\r\n{extra}\r\nhi\r\n");
            assert!(parse(raw.as_bytes(), None).unwrap().automated, "{extra}");
        }
        let raw = "From: no-reply@shop.example\r\n\r\nhi\r\n";
        assert!(parse(raw.as_bytes(), None).unwrap().automated);
        let raw = "From: a@example.test\r\nAuto-Submitted: no\r\n\r\nhi\r\n";
        assert!(!parse(raw.as_bytes(), None).unwrap().automated);
        assert!(parse(b"Subject: no sender\r\n\r\nx", None).is_none());
    }

    #[test]
    fn sender_authentication() {
        let r = |s: &str| vec![s.to_string()];
        assert!(
            verify_sender(
                &r("mx.example.com; dmarc=pass header.from=a.com"),
                "x@a.com",
                None
            )
            .0
        );
        assert!(
            verify_sender(
                &r("mx; spf=pass smtp.mailfrom=bounce@mail.a.com"),
                "x@a.com",
                None
            )
            .0
        );
        assert!(!verify_sender(&r("mx; spf=pass smtp.mailfrom=evil.com"), "x@a.com", None).0);
        assert!(verify_sender(&r("mx; dkim=pass header.d=a.com"), "x@a.com", None).0);
        assert!(!verify_sender(&r("mx; dkim=fail header.d=a.com"), "x@a.com", None).0);
        // Pinned to our server: an injected header from elsewhere is skipped.
        let two = vec![
            "evil.example; dmarc=pass".to_string(),
            "mx.ours.example; dmarc=fail".to_string(),
        ];
        assert!(!verify_sender(&two, "x@a.com", Some("mx.ours.example")).0);
        assert!(verify_sender(&two, "x@a.com", None).0);
    }
}
