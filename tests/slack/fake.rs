//! A local Slack, written from Slack's API documentation: Socket Mode (`apps.connections.open`
//! with the app-level token returns a `wss` URL; the socket sends `hello`, then envelopes
//! `events_api` / `slash_commands` / `disconnect`, each acknowledged by echoing its
//! `envelope_id`; unacknowledged envelopes are retried on the next connection with
//! `retry_attempt` + 1) and the Web API (`auth.test`, `chat.postMessage`, `chat.update`,
//! `reactions.add`/`remove`, `conversations.info`, `files.info`,
//! `files.getUploadURLExternal` + `files.completeUploadExternal`; failures are HTTP 200
//! `{"ok": false, "error": …}`, rate limits HTTP 429 with `Retry-After`). Private files need
//! the bot token as a Bearer header. Everything is recorded.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// The bot's user id.
pub(crate) const BOT_USER: &str = "UHERMES";
/// The bot id.
pub(crate) const BOT_ID: &str = "BHERMES";

/// One Web API call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: String,
    pub(crate) args: Value,
    pub(crate) token: String,
}

enum Out {
    Frame(Message),
    Drop,
}

struct State {
    bot_token: String,
    app_token: String,
    revoked: bool,
    calls: Vec<Call>,
    /// (method, times, Retry-After seconds)
    rate_limits: Vec<(String, u32, u64)>,
    conn: Option<mpsc::UnboundedSender<Out>>,
    connections: u32,
    next: u64,
    /// Sent, not yet acknowledged: (envelope id, envelope).
    unacked: Vec<(String, Value)>,
    acks: Vec<String>,
    files: HashMap<String, Vec<u8>>,
    uploads: HashMap<String, Vec<u8>>,
    channels: HashMap<String, String>,
}

/// A running fake Slack.
#[derive(Clone)]
pub(crate) struct Fake {
    state: Arc<Mutex<State>>,
    /// The Web API base, e.g. `http://127.0.0.1:1234/api`.
    pub(crate) api: String,
    root: String,
    ws: String,
}

impl Fake {
    pub(crate) async fn start(bot_token: &str, app_token: &str) -> Self {
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sock = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let root = format!("http://{}", http.local_addr().unwrap());
        let fake = Self {
            state: Arc::new(Mutex::new(State {
                bot_token: bot_token.into(),
                app_token: app_token.into(),
                revoked: false,
                calls: Vec::new(),
                rate_limits: Vec::new(),
                conn: None,
                connections: 0,
                next: 0,
                unacked: Vec::new(),
                acks: Vec::new(),
                files: HashMap::new(),
                uploads: HashMap::new(),
                channels: HashMap::new(),
            })),
            api: format!("{root}/api"),
            ws: format!("ws://{}/link", sock.local_addr().unwrap()),
            root,
        };
        let f = fake.clone();
        let app = axum::Router::new().fallback(move |u: Uri, h: HeaderMap, b: Bytes| {
            let f = f.clone();
            async move { f.http(&u, &h, &b) }
        });
        tokio::spawn(async move { axum::serve(http, app).await });
        let f = fake.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = sock.accept().await {
                let f = f.clone();
                tokio::spawn(async move { f.socket(tcp).await });
            }
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    // ---- scripting ----

    /// Both tokens stop working (`invalid_auth`), and the socket is told to go away.
    pub(crate) fn revoke(&self) {
        let conn = {
            let mut s = self.lock();
            s.revoked = true;
            s.conn.take()
        };
        if let Some(c) = conn {
            let _ = c.send(Out::Drop);
        }
    }
    pub(crate) fn rate_limit(&self, method: &str, times: u32, retry_after: u64) {
        self.lock()
            .rate_limits
            .push((method.into(), times, retry_after));
    }
    pub(crate) fn add_channel(&self, id: &str, name: &str) {
        self.lock().channels.insert(id.into(), name.into());
    }
    /// A private file; returns its `url_private_download`.
    pub(crate) fn add_file(&self, name: &str, bytes: &[u8]) -> String {
        self.lock().files.insert(name.into(), bytes.to_vec());
        format!("{}/files/{name}", self.root)
    }

    /// Sends an envelope (queued until a socket is connected); returns its id.
    pub(crate) fn envelope(&self, kind: &str, payload: Value) -> String {
        let mut s = self.lock();
        s.next += 1;
        let id = format!("env-{}", s.next);
        let env = json!({"envelope_id": id, "type": kind, "payload": payload,
            "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": ""});
        s.unacked.push((id.clone(), env.clone()));
        if let Some(c) = &s.conn {
            let _ = c.send(Out::Frame(Message::text(env.to_string())));
        }
        id
    }

    /// An `events_api` envelope around `event`.
    pub(crate) fn event(&self, event: Value) -> String {
        self.envelope(
            "events_api",
            json!({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                "event": event, "event_id": "Ev1", "event_time": 1}),
        )
    }

    /// A fresh message timestamp.
    pub(crate) fn ts(&self) -> String {
        let mut s = self.lock();
        s.next += 1;
        format!("1700000000.{:06}", s.next)
    }

    /// A DM from `user`; returns the event's ts.
    pub(crate) fn dm(&self, user: &str, text: &str) -> String {
        let ts = self.ts();
        self.event(
            json!({"type": "message", "user": user, "text": text, "ts": ts,
            "channel": format!("D{user}"), "channel_type": "im"}),
        );
        ts
    }

    /// A channel message; returns the event's ts.
    pub(crate) fn channel_message(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        thread_ts: Option<&str>,
    ) -> String {
        let ts = self.ts();
        let mut ev = json!({"type": "message", "user": user, "text": text, "ts": ts,
            "channel": channel, "channel_type": "channel"});
        if let Some(t) = thread_ts {
            ev["thread_ts"] = json!(t);
        }
        self.event(ev);
        ts
    }

    pub(crate) fn disconnect(&self, reason: &str) {
        if let Some(c) = &self.lock().conn {
            let d = json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}});
            let _ = c.send(Out::Frame(Message::text(d.to_string())));
        }
    }
    pub(crate) fn drop_connection(&self) {
        if let Some(c) = self.lock().conn.take() {
            let _ = c.send(Out::Drop);
        }
    }

    // ---- inspection ----

    pub(crate) fn calls(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }
    /// Texts posted with `chat.postMessage`.
    pub(crate) fn posted(&self) -> Vec<String> {
        self.calls("chat.postMessage")
            .iter()
            .filter_map(|c| c.args["text"].as_str().map(str::to_string))
            .collect()
    }
    pub(crate) fn acked(&self, id: &str) -> bool {
        self.lock().acks.iter().any(|a| a == id)
    }
    pub(crate) fn connections(&self) -> u32 {
        self.lock().connections
    }
    pub(crate) fn connected(&self) -> bool {
        self.lock().conn.is_some()
    }
    pub(crate) fn upload(&self, file_id: &str) -> Option<Vec<u8>> {
        self.lock().uploads.get(file_id).cloned()
    }

    // ---- the socket ----

    async fn socket(&self, tcp: tokio::net::TcpStream) {
        let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
            return;
        };
        let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
        let hello = json!({"type": "hello", "num_connections": 1,
            "debug_info": {"host": "fake"}, "connection_info": {"app_id": "A1"}});
        if ws.send(Message::text(hello.to_string())).await.is_err() {
            return;
        }
        {
            let mut s = self.lock();
            s.connections += 1;
            s.conn = Some(tx.clone());
            for (_, env) in &mut s.unacked {
                env["retry_attempt"] = json!(env["retry_attempt"].as_u64().unwrap_or(0) + 1);
                env["retry_reason"] = json!("timeout");
                let _ = tx.send(Out::Frame(Message::text(env.to_string())));
            }
        }
        loop {
            tokio::select! {
                out = rx.recv() => match out {
                    Some(Out::Frame(m)) => if ws.send(m).await.is_err() { break },
                    Some(Out::Drop) | None => return,
                },
                frame = ws.next() => {
                    match frame {
                        Some(Ok(Message::Text(t))) => {
                            if let Ok(v) = serde_json::from_str::<Value>(&t)
                                && let Some(id) = v["envelope_id"].as_str()
                            {
                                let mut s = self.lock();
                                s.acks.push(id.to_string());
                                s.unacked.retain(|(e, _)| e != id);
                            }
                        }
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                        Some(Ok(_)) => {}
                    }
                }
            }
        }
        let mut s = self.lock();
        if s.conn.as_ref().is_some_and(|c| c.same_channel(&tx)) {
            s.conn = None;
        }
    }

    // ---- HTTP ----

    fn http(&self, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Response {
        let path = uri.path().to_string();
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("")
            .to_string();
        let mut s = self.lock();
        if let Some(id) = path.strip_prefix("/upload/") {
            s.uploads.insert(id.to_string(), body.to_vec());
            return "OK - 1".into_response();
        }
        if let Some(name) = path.strip_prefix("/files/") {
            if s.revoked || token != s.bot_token {
                // Slack answers a sign-in page, not an error status.
                return ([("content-type", "text/html")], "<html>sign in</html>").into_response();
            }
            return match s.files.get(name) {
                Some(b) => b.clone().into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            };
        }
        let Some(method) = path.strip_prefix("/api/") else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let json_ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"));
        let args = if json_ct {
            serde_json::from_slice(body).unwrap_or(Value::Null)
        } else {
            form(&String::from_utf8_lossy(body))
        };
        s.calls.push(Call {
            method: method.to_string(),
            args: args.clone(),
            token: token.clone(),
        });
        if let Some(rl) = s.rate_limits.iter_mut().find(|r| r.0 == method && r.1 > 0) {
            rl.1 -= 1;
            let retry = rl.2;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry.to_string())],
                axum::Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response();
        }
        let expected = if method == "apps.connections.open" {
            &s.app_token
        } else {
            &s.bot_token
        };
        if token.is_empty() {
            return axum::Json(json!({"ok": false, "error": "not_authed"})).into_response();
        }
        if s.revoked || &token != expected {
            return axum::Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
        }
        let ok = |mut v: Value| {
            v["ok"] = json!(true);
            axum::Json(v).into_response()
        };
        match method {
            "auth.test" => ok(
                json!({"url": "https://fake.slack.com/", "team": "Fake Team",
                "user": "hermes", "team_id": "T1", "user_id": BOT_USER, "bot_id": BOT_ID}),
            ),
            "apps.connections.open" => ok(json!({"url": self.ws})),
            "chat.postMessage" => {
                s.next += 1;
                let ts = format!("1800000000.{:06}", s.next);
                ok(json!({"channel": args["channel"], "ts": ts,
                    "message": {"text": args["text"], "user": BOT_USER, "ts": ts}}))
            }
            "chat.update" => {
                ok(json!({"channel": args["channel"], "ts": args["ts"], "text": args["text"]}))
            }
            "reactions.add" | "reactions.remove" | "files.completeUploadExternal" => ok(json!({})),
            "conversations.info" => {
                let id = args["channel"].as_str().unwrap_or("");
                match s.channels.get(id) {
                    Some(name) => {
                        ok(json!({"channel": {"id": id, "name": name, "is_channel": true}}))
                    }
                    None => axum::Json(json!({"ok": false, "error": "channel_not_found"}))
                        .into_response(),
                }
            }
            "files.info" => {
                let id = args["file"].as_str().unwrap_or("");
                ok(
                    json!({"file": {"id": id, "name": format!("{id}.txt"), "mimetype": "text/plain",
                    "size": 5, "url_private_download": format!("{}/files/{id}.txt", self.root)}}),
                )
            }
            "files.getUploadURLExternal" => {
                s.next += 1;
                let id = format!("F{}", s.next);
                ok(json!({"upload_url": format!("{}/upload/{id}", self.root), "file_id": id}))
            }
            _ => axum::Json(json!({"ok": false, "error": "unknown_method"})).into_response(),
        }
    }
}

/// Decodes `a=1&b=x%20y` into a JSON object.
fn form(body: &str) -> Value {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let Ok(b) =
                    u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let mut map = serde_json::Map::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        map.insert(decode(k), Value::String(decode(v)));
    }
    Value::Object(map)
}

/// Waits until `f` holds (polling), failing with `what` after 15 s.
pub(crate) async fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
