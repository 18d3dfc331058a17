//! The HTTP side shared by every provider: send a JSON POST, classify a failed answer, and read
//! the body chunk by chunk under the first-byte and idle timeouts, dropping the connection as
//! soon as the caller cancels. Wire formats are the providers' business.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::error::{ErrorBody, ProviderError, classify_status, one_line, parse_retry_after};
use super::sse::{SseEvent, SseParser};

/// How long to wait at each stage of a model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP/TLS connect (applied by [`http_client`]; a caller-built client sets its own).
    pub connect: Duration,
    /// From sending the request to the first byte of the answer's body.
    pub first_byte: Duration,
    /// Between two chunks of a streamed answer.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_mins(2),
            idle: Duration::from_mins(2),
        }
    }
}

/// A client suited to model calls: connect timeout set, no overall timeout (answers stream for
/// minutes; the idle timeout guards them instead).
pub fn http_client(timeouts: &Timeouts) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .user_agent(concat!("hermes/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Who is being called, for error messages.
#[derive(Debug, Clone)]
pub(crate) struct Caller<'a> {
    /// Provider name.
    pub(crate) provider: &'a str,
    /// Where its key came from.
    pub(crate) key: &'a str,
}

/// A successful answer whose body is being read.
pub(crate) struct Body<'a> {
    resp: reqwest::Response,
    caller: Caller<'a>,
    cancel: &'a CancellationToken,
    deadline: Instant,
    idle: Duration,
    /// Whether the answer is an event stream (else a plain JSON body).
    pub(crate) is_sse: bool,
    sse: SseParser,
    done: bool,
    /// A chunk read ahead to sniff the format.
    pending: Option<Vec<u8>>,
}

/// Sends `request`; returns the body reader on 2xx, a classified error otherwise.
pub(crate) async fn send<'a>(
    request: reqwest::RequestBuilder,
    caller: Caller<'a>,
    timeouts: &Timeouts,
    cancel: &'a CancellationToken,
) -> Result<Body<'a>, ProviderError> {
    let started = Instant::now();
    let deadline = started + timeouts.first_byte;
    let resp = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(ProviderError::Cancelled),
        r = tokio::time::timeout_at(deadline.into(), request.send()) => match r {
            Err(_) => return Err(unreachable(&caller, "no answer within the first-byte timeout")),
            Ok(Err(e)) => return Err(unreachable(&caller, &describe(&e))),
            Ok(Ok(resp)) => resp,
        },
    };
    let status = resp.status().as_u16();
    if !resp.status().is_success() {
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
        let text = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            r = tokio::time::timeout(timeouts.idle, resp.text()) => match r {
                Ok(Ok(t)) => t,
                _ => String::new(),
            },
        };
        return Err(classify_status(
            caller.provider,
            caller.key,
            status,
            retry_after,
            &ErrorBody::parse(&text),
        ));
    }
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut body = Body {
        resp,
        caller,
        cancel,
        deadline,
        idle: timeouts.idle,
        is_sse: content_type.starts_with("text/event-stream"),
        sse: SseParser::new(),
        done: false,
        pending: None,
    };
    // Some servers stream without the right content type: sniff the first chunk.
    if !body.is_sse && !content_type.contains("json") {
        let first = body.chunk().await?;
        body.is_sse = first.as_deref().is_some_and(|b| {
            b.iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|c| !matches!(c, b'{' | b'['))
        });
        body.pending = first;
    }
    Ok(body)
}

impl Body<'_> {
    /// The next raw chunk, or `None` at the end of the body.
    async fn chunk(&mut self) -> Result<Option<Vec<u8>>, ProviderError> {
        if let Some(p) = self.pending.take() {
            return Ok(Some(p));
        }
        let got = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Err(ProviderError::Cancelled),
            r = tokio::time::timeout_at(self.deadline.into(), self.resp.chunk()) => r,
        };
        match got {
            Err(_) => Err(unreachable(
                &self.caller,
                "the answer stalled (no data within the timeout)",
            )),
            Ok(Err(e)) => Err(unreachable(
                &self.caller,
                &format!("the connection broke mid-answer ({})", describe(&e)),
            )),
            Ok(Ok(c)) => {
                self.deadline = Instant::now() + self.idle;
                Ok(c.map(|b| b.to_vec()))
            }
        }
    }

    /// The next batch of SSE events; `None` once the body has ended and all were returned.
    pub(crate) async fn events(&mut self) -> Result<Option<Vec<SseEvent>>, ProviderError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some(bytes) = self.chunk().await? else {
                self.done = true;
                return Ok(Some(self.sse.finish().into_iter().collect()));
            };
            let evs = self.sse.push(&bytes);
            if !evs.is_empty() {
                return Ok(Some(evs));
            }
        }
    }

    /// The whole body as JSON (for servers that answer without streaming).
    pub(crate) async fn json(&mut self) -> Result<serde_json::Value, ProviderError> {
        let mut buf = Vec::new();
        while let Some(c) = self.chunk().await? {
            buf.extend_from_slice(&c);
        }
        serde_json::from_slice(&buf).map_err(|e| ProviderError::Protocol {
            provider: self.caller.provider.to_string(),
            message: format!(
                "the body is not JSON ({e}): {}",
                one_line(&String::from_utf8_lossy(&buf))
            ),
        })
    }

    /// A protocol error naming this provider.
    pub(crate) fn protocol(&self, message: impl Into<String>) -> ProviderError {
        ProviderError::Protocol {
            provider: self.caller.provider.to_string(),
            message: message.into(),
        }
    }

    /// The caller, for classifying in-stream errors.
    pub(crate) fn caller(&self) -> &Caller<'_> {
        &self.caller
    }

    /// An "answer ended early" error.
    pub(crate) fn truncated(&self) -> ProviderError {
        unreachable(
            &self.caller,
            "the connection closed before the answer was complete",
        )
    }
}

fn unreachable(caller: &Caller<'_>, reason: &str) -> ProviderError {
    ProviderError::Unreachable {
        provider: caller.provider.to_string(),
        reason: reason.to_string(),
    }
}

/// A short description of a transport error, with its innermost cause (e.g. "connection
/// refused") — reqwest's own text is only "error sending request".
fn describe(e: &reqwest::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    let what = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed"
    } else {
        "request failed"
    };
    let cause = inner.to_string();
    if cause == e.to_string() {
        what.to_string()
    } else {
        format!("{what}: {}", one_line(&cause))
    }
}
