//! A scripted HTTP peer on 127.0.0.1:0 (axum): each request gets the next scripted reply, and
//! every request (path, headers, JSON body) is recorded for assertions. The wire formats the
//! replies use are written by the tests that script them, next to the document they follow.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

/// One piece of a streamed reply.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// Bytes to send.
    Data(String),
    /// A pause.
    Wait(Duration),
    /// Break the connection (the chunked body ends without its terminator).
    Abort,
    /// Never send anything more.
    Hang,
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    parts: Vec<Part>,
}

impl Reply {
    /// `text/event-stream` made of `parts`.
    pub(crate) fn sse(parts: Vec<Part>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            parts,
        }
    }

    /// A JSON body with `status`.
    pub(crate) fn json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            parts: vec![Part::Data(body.to_string())],
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request the fake received.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: serde_json::Value,
}

impl Seen {
    /// A header's value ("" when absent).
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    script: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
    /// Set when a reply body was dropped before it finished (the client hung up).
    dropped_early: AtomicBool,
}

/// A running fake server.
pub(crate) struct Fake {
    pub(crate) url: String,
    inner: Arc<Inner>,
}

impl Fake {
    /// Starts a server answering with `replies` in order (then 500 "script exhausted").
    pub(crate) async fn start(replies: Vec<Reply>) -> Self {
        let inner = Arc::new(Inner {
            script: Mutex::new(replies.into()),
            ..Inner::default()
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inner }
    }

    /// The requests received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }

    /// Whether a reply body was dropped before it ended.
    pub(crate) fn dropped_early(&self) -> bool {
        self.inner.dropped_early.load(Ordering::SeqCst)
    }
}

/// An address nothing listens on.
pub(crate) async fn closed_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

/// Sets `dropped_early` if dropped before `finished`.
struct DropGuard {
    inner: Arc<Inner>,
    finished: bool,
}

impl DropGuard {
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.inner.dropped_early.store(true, Ordering::SeqCst);
        }
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    inner.seen.lock().unwrap().push(Seen {
        path: uri.path().to_string(),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    let reply = inner.script.lock().unwrap().pop_front().unwrap_or_else(|| {
        Reply::json(
            500,
            &serde_json::json!({"error": {"message": "script exhausted"}}),
        )
    });
    let guard = DropGuard {
        inner: inner.clone(),
        finished: false,
    };
    let parts: VecDeque<Part> = reply.parts.into();
    let stream =
        futures_util::stream::unfold((parts, guard), |(mut parts, mut guard)| async move {
            loop {
                let Some(part) = parts.pop_front() else {
                    guard.finish();
                    return None;
                };
                match part {
                    Part::Data(d) => return Some((Ok(Bytes::from(d)), (parts, guard))),
                    Part::Wait(d) => tokio::time::sleep(d).await,
                    Part::Abort => {
                        guard.finish();
                        let err = std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "scripted abort",
                        );
                        return Some((Err(err), (parts, guard)));
                    }
                    Part::Hang => std::future::pending::<()>().await,
                }
            }
        });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (k, v) in reply.headers {
        resp.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    resp
}
