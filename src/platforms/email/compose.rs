//! Writing an outgoing message: headers (RFC 2047 words for non-ASCII subjects), a
//! quoted-printable UTF-8 text body, and base64 attachments in `multipart/mixed`.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// One file to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    /// The file name shown to the reader.
    pub name: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// Everything that goes into one outgoing message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// Our address.
    pub from: String,
    /// The recipient.
    pub to: String,
    /// The subject (unencoded).
    pub subject: String,
    /// Our `Message-ID`, with angle brackets.
    pub message_id: String,
    /// The message answered, with angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread's ids, oldest first.
    pub references: Vec<String>,
    /// RFC 2822 date.
    pub date: String,
    /// The text body.
    pub body: String,
    /// Files.
    pub files: Vec<FilePart>,
}

/// A new `Message-ID` in `domain`: `<hermes-<12 hex>@domain>`, as upstream writes them.
#[must_use]
pub(crate) fn new_message_id(address: &str) -> String {
    let domain = address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost");
    format!("<hermes-{}@{domain}>", random_hex(6))
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    // The OS generator failing leaves zeros; ids stay well-formed, only less unique.
    let _ = getrandom::fill(&mut b);
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// The reply subject: `Re: <subject>` unless it already starts with `Re:`.
#[must_use]
pub(crate) fn reply_subject(subject: &str) -> String {
    let s = subject.trim();
    if s.is_empty() {
        "Re: Hermes Agent".into()
    } else if super::parse::is_reply_subject(s) {
        s.to_string()
    } else {
        format!("Re: {s}")
    }
}

/// A header value: as is when printable ASCII, else RFC 2047 base64 words of at most 39
/// bytes each (whole characters), joined by folding whitespace.
fn encode_header(value: &str) -> String {
    let clean: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    if clean.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return clean;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in clean.chars() {
        if chunk.len() + c.len_utf8() > 39 {
            words.push(format!("=?utf-8?b?{}?=", B64.encode(&chunk)));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?utf-8?b?{}?=", B64.encode(&chunk)));
    }
    words.join("\r\n ")
}

/// Quoted-printable (RFC 2045 §6.7) with CRLF line breaks and soft breaks at 76 columns.
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    let normalized = text.replace("\r\n", "\n");
    for (i, line) in normalized.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let bytes = line.as_bytes();
        let mut col = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let piece = if literal {
                char::from(b).to_string()
            } else {
                format!("={b:02X}")
            };
            if col + piece.len() > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            col += piece.len();
            out.push_str(&piece);
        }
    }
    out
}

fn base64_lines(data: &[u8]) -> String {
    let encoded = B64.encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    for (i, chunk) in encoded.as_bytes().chunks(76).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    out
}

/// A MIME type for a file name, from a short table of common extensions.
#[must_use]
pub(crate) fn mime_for(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" | "md" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// `filename="…"` for ASCII names, RFC 2231 `filename*=utf-8''…` otherwise.
fn filename_param(name: &str) -> String {
    if name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        format!("filename=\"{name}\"")
    } else {
        let enc: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("filename*=utf-8''{enc}")
    }
}

const TEXT_HEADERS: &str =
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n";

/// The full message, CRLF line endings, ready for DATA.
#[must_use]
pub fn render(m: &Outgoing) -> Vec<u8> {
    let mut out = String::new();
    let _ = write!(out, "From: {}\r\nTo: {}\r\n", m.from, m.to);
    let _ = write!(out, "Subject: {}\r\n", encode_header(&m.subject));
    let _ = write!(out, "Date: {}\r\nMessage-ID: {}\r\n", m.date, m.message_id);
    if let Some(id) = &m.in_reply_to {
        let _ = write!(out, "In-Reply-To: {id}\r\n");
    }
    if !m.references.is_empty() {
        let _ = write!(out, "References: {}\r\n", m.references.join("\r\n "));
    }
    out.push_str("MIME-Version: 1.0\r\n");
    if m.files.is_empty() {
        out.push_str(TEXT_HEADERS);
        out.push_str("\r\n");
        out.push_str(&quoted_printable(&m.body));
        out.push_str("\r\n");
        return out.into_bytes();
    }
    let boundary = format!("=_hermes_{}", random_hex(12));
    let _ = write!(
        out,
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"
    );
    let _ = write!(out, "--{boundary}\r\n{TEXT_HEADERS}\r\n");
    out.push_str(&quoted_printable(&m.body));
    out.push_str("\r\n");
    for f in &m.files {
        let _ = write!(
            out,
            "--{boundary}\r\nContent-Type: {}\r\nContent-Disposition: attachment; {}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            mime_for(&f.name),
            filename_param(&f.name),
            base64_lines(&f.data)
        );
    }
    let _ = write!(out, "--{boundary}--\r\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outgoing {
        Outgoing {
            from: "bot@example.test".into(),
            to: "alice@example.test".into(),
            subject: reply_subject("Café plans for the whole week ahead, with friends"),
            message_id: new_message_id("bot@example.test"),
            in_reply_to: Some("<m2@example.test>".into()),
            references: vec!["<root@example.test>".into(), "<m2@example.test>".into()],
            date: "Sun, 22 Nov 2026 06:00:00 +0000".into(),
            body: format!("Ça va?\n=x\n{}\n.lonely dot", "long ".repeat(40)),
            files: Vec::new(),
        }
    }

    #[test]
    fn a_reply_round_trips_through_the_parser() {
        let m = sample();
        let raw = render(&m);
        assert!(raw.split(|b| *b == b'\n').all(|l| l.len() <= 78));
        let e = super::super::parse::parse(&raw, None).unwrap();
        assert_eq!(
            e.subject,
            "Re: Café plans for the whole week ahead, with friends"
        );
        assert_eq!(e.in_reply_to.as_deref(), Some("<m2@example.test>"));
        assert_eq!(e.references, m.references);
        assert_eq!(e.message_id.as_deref(), Some(m.message_id.as_str()));
        assert_eq!(e.body.trim_end(), m.body);
        assert!(m.message_id.starts_with("<hermes-") && m.message_id.ends_with("@example.test>"));
    }

    #[test]
    fn attachments_are_base64_parts() {
        let mut m = sample();
        m.files = vec![FilePart {
            name: "résumé.pdf".into(),
            data: vec![0, 1, 2, 255],
        }];
        let e = super::super::parse::parse(&render(&m), None).unwrap();
        assert_eq!(e.body.trim_end(), m.body);
        assert_eq!(e.attachments.len(), 1);
        assert_eq!(e.attachments[0].filename, "résumé.pdf");
        assert_eq!(e.attachments[0].mime, "application/pdf");
        assert_eq!(e.attachments[0].data, [0, 1, 2, 255]);
    }

    #[test]
    fn subjects() {
        assert_eq!(reply_subject("RE: x"), "RE: x");
        assert_eq!(reply_subject(""), "Re: Hermes Agent");
        assert_eq!(encode_header("plain"), "plain");
        assert!(encode_header("é").starts_with("=?utf-8?b?"));
    }
}
