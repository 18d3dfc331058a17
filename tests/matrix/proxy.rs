//! A loopback reverse proxy in front of the real Synapse that can answer the next `/sync`
//! calls with scripted faults: `429 M_LIMIT_EXCEEDED` with `retry_after_ms` (the error body of
//! the client-server API spec, §Rate limiting) or a dropped connection. Everything else is
//! passed through unchanged.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A scripted answer for one `/sync`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fault {
    /// `429 {"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":N}`.
    RateLimited(u64),
    /// The connection drops in the middle of the answer.
    HangUp,
}

#[derive(Default)]
struct Inner {
    faults: VecDeque<Fault>,
    served: Vec<Fault>,
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    http: reqwest::Client,
    inner: Arc<Mutex<Inner>>,
}

/// A running proxy.
pub(crate) struct Proxy {
    pub(crate) url: String,
    shared: Shared,
}

impl Proxy {
    pub(crate) async fn start(upstream: &str) -> Self {
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            inner: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    /// Queues faults for the next `/sync` requests.
    pub(crate) fn fail_syncs(&self, faults: &[Fault]) {
        self.shared.inner.lock().unwrap().faults.extend(faults);
    }

    /// How many scripted faults were served.
    pub(crate) fn served(&self) -> usize {
        self.shared.inner.lock().unwrap().served.len()
    }

    /// Waits until `n` faults were served (the sync in flight when they were queued ends
    /// first: at its timeout, or at once when an event arrives).
    pub(crate) async fn wait_served(&self, n: usize) {
        let start = std::time::Instant::now();
        while self.served() < n {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(45),
                "only {} of {n} faults were served",
                self.served()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

async fn forward(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if uri.path().ends_with("/sync") {
        let fault = {
            let mut inner = s.inner.lock().unwrap();
            let f = inner.faults.pop_front();
            if let Some(f) = f {
                inner.served.push(f);
            }
            f
        };
        match fault {
            Some(Fault::RateLimited(ms)) => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(serde_json::json!({"errcode": "M_LIMIT_EXCEEDED",
                        "error": "Too Many Requests", "retry_after_ms": ms})),
                )
                    .into_response();
            }
            Some(Fault::HangUp) => {
                let stream = futures_util::stream::once(async {
                    Err::<Bytes, std::io::Error>(std::io::Error::other("the proxy hangs up"))
                });
                return Response::new(Body::from_stream(stream));
            }
            None => {}
        }
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut req = s
        .http
        .request(method, format!("{}{path}", s.upstream))
        .body(body);
    for name in ["authorization", "content-type"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            let ctype = resp.headers().get("content-type").cloned();
            let bytes = resp.bytes().await.unwrap_or_default();
            let mut out = Response::new(Body::from(bytes));
            *out.status_mut() = status;
            if let Some(c) = ctype {
                out.headers_mut().insert("content-type", c);
            }
            out
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}
