//! A small incremental parser for server-sent events (the WHATWG `text/event-stream` format):
//! `event:`/`data:` fields, multi-line data, `:` comments, LF/CRLF/CR line ends, and input
//! split anywhere (even inside a UTF-8 character). It yields events; meaning is the caller's.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, if any (`None` means the default type, `message`).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Incremental parser state.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The previous chunk ended with `\r`: a leading `\n` in the next one belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// A fresh parser.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the events completed by them, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        let mut rest = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(stripped) = rest.strip_prefix(b"\n") {
                rest = stripped;
            }
        }
        while let Some(pos) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.line.extend_from_slice(&rest[..pos]);
            let was_cr = rest[pos] == b'\r';
            rest = &rest[pos + 1..];
            if was_cr {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            let line = std::mem::take(&mut self.line);
            if let Some(ev) = self.process_line(&line) {
                out.push(ev);
            }
        }
        self.line.extend_from_slice(rest);
        out
    }

    /// Ends the input: a last line without a newline is processed and a pending event is
    /// dispatched (lenient: the standard would drop it, but some servers never send the final
    /// blank line).
    pub fn finish(&mut self) -> Option<SseEvent> {
        let line = std::mem::take(&mut self.line);
        let from_line = if line.is_empty() {
            None
        } else {
            self.process_line(&line)
        };
        from_line.or_else(|| self.dispatch())
    }

    fn process_line(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_string()),
            // `id` and `retry` matter to browsers reconnecting, not to a single request.
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: event.map(str::to_string),
            data: data.to_string(),
        }
    }

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(p.push(c));
        }
        out.extend(p.finish());
        out
    }

    #[test]
    fn data_and_event_fields() {
        let got = parse_all(&[b"event: message_start\ndata: {\"a\":1}\n\ndata: [DONE]\n\n"]);
        assert_eq!(
            got,
            vec![ev(Some("message_start"), "{\"a\":1}"), ev(None, "[DONE]")]
        );
    }

    #[test]
    fn multi_line_data_comments_and_no_space() {
        let got = parse_all(&[b": keep-alive\ndata:first\ndata: second\nid: 7\nretry: 10\n\n"]);
        assert_eq!(got, vec![ev(None, "first\nsecond")]);
    }

    #[test]
    fn crlf_and_cr_line_ends() {
        let got = parse_all(&[b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"]);
        assert_eq!(got, vec![ev(None, "a"), ev(None, "b"), ev(None, "c")]);
    }

    #[test]
    fn split_at_every_byte() {
        let text = "event: x\r\ndata: h\u{e9}llo \u{1f600}\r\n\r\n: c\r\ndata: 2\r\n\r\n";
        let whole = parse_all(&[text.as_bytes()]);
        let bytes: Vec<&[u8]> = text.as_bytes().chunks(1).collect();
        assert_eq!(parse_all(&bytes), whole);
        assert_eq!(
            whole,
            vec![ev(Some("x"), "h\u{e9}llo \u{1f600}"), ev(None, "2")]
        );
    }

    #[test]
    fn cr_at_chunk_end_then_lf() {
        let got = parse_all(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
        assert_eq!(got, vec![ev(None, "a\nb")]);
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        let got = parse_all(&[b"event: ping\n\ndata: x\n\n"]);
        assert_eq!(got, vec![ev(None, "x")]);
    }

    #[test]
    fn trailing_event_without_blank_line_is_flushed() {
        let got = parse_all(&[b"data: last"]);
        assert_eq!(got, vec![ev(None, "last")]);
    }

    #[test]
    fn empty_data_field_dispatches_empty_event() {
        let got = parse_all(&[b"data\n\n"]);
        assert_eq!(got, vec![ev(None, "")]);
    }
}
