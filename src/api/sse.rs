//! Server-sent events: a response whose body is fed by a channel, and whose end (the client went
//! away, or the stream finished) cancels the turn behind it.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Response, header};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};

/// Frames waiting for a slow client before the producer waits.
const BUFFER: usize = 64;

/// The producer side of an SSE stream.
#[derive(Debug, Clone)]
pub(crate) struct SseSender {
    tx: mpsc::Sender<Bytes>,
}

/// The client is gone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Disconnected;

impl SseSender {
    /// Sends raw bytes.
    pub(crate) async fn raw(&self, bytes: impl Into<Bytes>) -> Result<(), Disconnected> {
        self.tx.send(bytes.into()).await.map_err(|_| Disconnected)
    }

    /// `data: <json>\n\n`.
    pub(crate) async fn data(&self, value: &impl Serialize) -> Result<(), Disconnected> {
        self.raw(frame(None, value)).await
    }

    /// `event: <name>\ndata: <json>\n\n`.
    pub(crate) async fn event(
        &self,
        name: &str,
        value: &impl Serialize,
    ) -> Result<(), Disconnected> {
        self.raw(frame(Some(name), value)).await
    }

    /// `: keepalive\n\n`.
    pub(crate) async fn keepalive(&self) -> Result<(), Disconnected> {
        self.raw(Bytes::from_static(b": keepalive\n\n")).await
    }

    /// Resolves when the client has gone away.
    pub(crate) async fn closed(&self) {
        self.tx.closed().await;
    }
}

fn frame(event: Option<&str>, value: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let mut s = String::with_capacity(json.len() + 32);
    if let Some(name) = event {
        s.push_str("event: ");
        s.push_str(name);
        s.push('\n');
    }
    s.push_str("data: ");
    s.push_str(&json);
    s.push_str("\n\n");
    Bytes::from(s)
}

/// A streaming response and its producer. Dropping the body (the client disconnected, or the
/// stream ended) cancels `cancel`.
pub(crate) fn channel(cancel: &CancellationToken) -> (SseSender, Response<Body>) {
    let (tx, rx) = mpsc::channel::<Bytes>(BUFFER);
    let guard = cancel.clone().drop_guard();
    let stream = futures_util::stream::unfold(
        (rx, guard),
        |(mut rx, guard): (mpsc::Receiver<Bytes>, DropGuard)| async move {
            let bytes = rx.recv().await?;
            Some((Ok::<_, Infallible>(bytes), (rx, guard)))
        },
    );
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    (SseSender { tx }, resp)
}
