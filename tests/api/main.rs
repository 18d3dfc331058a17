//! Integration tests of the OpenAI-compatible API server: a real server on 127.0.0.1:0 over a
//! real `state.db` in a temp home, a scripted agent, and real HTTP clients (reqwest, curl and
//! the official `openai` Python SDK).

mod basics;
mod chat;
mod fake;
#[path = "../support/peer.rs"]
mod peer;
mod responses;
mod runs;
mod sdk;
mod sessions;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use hermes::api::{ApiKey, ApiServer, ApiServerConfig, ApiState};
use hermes::home::HermesPaths;
use hermes::store::Store;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use fake::FakeRunner;

pub(crate) const KEY: &str = "sk-test-key-123";

/// A running server and what it runs over.
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    pub(crate) runner: Arc<FakeRunner>,
    pub(crate) store: Arc<Store>,
    pub(crate) state: ApiState,
    pub(crate) paths: HermesPaths,
    pub(crate) http: reqwest::Client,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// A server with a key and a short keepalive.
    pub(crate) async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// A server whose config `adjust` changes first.
    pub(crate) async fn with(adjust: impl FnOnce(&mut ApiServerConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(dir.path(), dir.path());
        let mut config = ApiServerConfig::new(paths.clone());
        config.port = 0;
        config.key = Some(ApiKey::new(KEY));
        config.keepalive = Duration::from_millis(100);
        adjust(&mut config);
        let runner = FakeRunner::new();
        let store = Arc::new(Store::open(&paths.state_db()).unwrap());
        let server = ApiServer::bind(config, runner.clone(), store.clone())
            .await
            .unwrap();
        let addr = server.local_addr();
        let state = server.state().clone();
        let cancel = CancellationToken::new();
        let task = tokio::spawn({
            let cancel = cancel.clone();
            async move { server.run(cancel).await.unwrap() }
        });
        Self {
            addr,
            runner,
            store,
            state,
            paths,
            http: reqwest::Client::new(),
            cancel,
            task,
            _dir: dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(KEY)
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(KEY).json(body)
    }

    /// POSTs and returns status and JSON body.
    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self.post(path, body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Stops the server and waits for it.
    pub(crate) async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops")
            .unwrap();
    }
}

/// The whole SSE body of a response, as text.
pub(crate) async fn sse_text(resp: reqwest::Response) -> String {
    let mut out = String::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the stream keeps moving")
    {
        out.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    out
}

/// The `data:` payloads of an SSE text (JSON ones parsed; `[DONE]` as a string).
pub(crate) fn sse_data(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|frame| {
            frame
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .map(|d| serde_json::from_str(d).unwrap_or_else(|_| Value::String(d.into())))
        })
        .collect()
}

/// `(event name, data)` of every named SSE event.
pub(crate) fn sse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|frame| {
            let name = frame.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = frame.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name.to_string(), serde_json::from_str(data).unwrap()))
        })
        .collect()
}

/// A chat request body with one user message.
pub(crate) fn chat(text: &str) -> Value {
    serde_json::json!({"model": "hermes-agent", "messages": [{"role": "user", "content": text}]})
}

/// POSTs `body` on a raw socket and reads until `needle` arrives; dropping the socket is a real
/// hang-up (reqwest may keep draining a dropped body).
pub(crate) async fn open_stream(
    addr: SocketAddr,
    path: &str,
    body: &Value,
    needle: &str,
) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let payload = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    );
    sock.write_all(request.as_bytes()).await.unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let n = tokio::time::timeout(Duration::from_secs(10), sock.read(&mut buf))
            .await
            .expect("the stream keeps moving")
            .unwrap();
        assert!(n > 0, "the stream ended early");
        seen.extend_from_slice(&buf[..n]);
    }
    sock
}
