//! A local Discord, written from the Discord developer documentation for API v10: "Gateway"
//! (opcodes 0/1/2/6/7/9/10/11, Hello → Identify/Resume, heartbeats and ACKs, `READY` with
//! `session_id` and `resume_gateway_url`, replay then `RESUMED`, close event codes), "Rate
//! Limits" (429 with a JSON `retry_after` in float seconds and `X-RateLimit-*` headers) and the
//! Channel/Message/User resources. REST is served by axum and the gateway by tokio-tungstenite,
//! both on 127.0.0.1 port 0. Every REST request and gateway command is recorded.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The bot's user id.
pub(crate) const BOT_ID: &str = "900000000000000001";

/// One REST request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path below `/api/v10`.
    pub(crate) path: String,
    pub(crate) body: Value,
    /// The raw body (multipart uploads).
    pub(crate) raw: String,
    pub(crate) at: std::time::Instant,
}

enum Out {
    Frame(Message),
    /// Drop the TCP connection without a close frame.
    Drop,
}

struct State {
    token: String,
    revoked: bool,
    disallow_intents: bool,
    ack_heartbeats: bool,
    fail_threads: bool,
    heartbeat_ms: u64,
    requests: Vec<Request>,
    /// (method, path suffix, times, `retry_after` seconds)
    rate_limits: Vec<(String, String, u32, f64)>,
    next_id: u64,
    channels: HashMap<String, Value>,
    files: HashMap<String, Vec<u8>>,
    session: Option<String>,
    seq: u64,
    log: Vec<(u64, Value)>,
    conn: Option<mpsc::UnboundedSender<Out>>,
    connections: u32,
    identifies: Vec<Value>,
    resumes: Vec<Value>,
    heartbeats: Vec<Value>,
}

/// A running fake Discord.
#[derive(Clone)]
pub(crate) struct Fake {
    state: Arc<Mutex<State>>,
    /// The REST base, e.g. `http://127.0.0.1:1234/api/v10`.
    pub(crate) api: String,
    /// The gateway URL `GET /gateway/bot` hands out.
    pub(crate) gateway: String,
}

impl Fake {
    pub(crate) async fn start(token: &str) -> Self {
        let rest = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gw = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}/api/v10", rest.local_addr().unwrap());
        let gateway = format!("ws://{}", gw.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            token: token.to_string(),
            revoked: false,
            disallow_intents: false,
            ack_heartbeats: true,
            fail_threads: false,
            heartbeat_ms: 250,
            requests: Vec::new(),
            rate_limits: Vec::new(),
            next_id: 1_000,
            channels: HashMap::new(),
            files: HashMap::new(),
            session: None,
            seq: 0,
            log: Vec::new(),
            conn: None,
            connections: 0,
            identifies: Vec::new(),
            resumes: Vec::new(),
            heartbeats: Vec::new(),
        }));
        let fake = Self {
            state,
            api,
            gateway,
        };
        let f = fake.clone();
        let app = axum::Router::new().fallback(move |m: Method, u: Uri, h: HeaderMap, b: Bytes| {
            let f = f.clone();
            async move { f.rest(&m, &u, &h, &b) }
        });
        tokio::spawn(async move { axum::serve(rest, app).await });
        let f = fake.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = gw.accept().await {
                let f = f.clone();
                tokio::spawn(async move { f.connection(tcp).await });
            }
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    // ---- scripting ----

    pub(crate) fn set_heartbeat_ms(&self, ms: u64) {
        self.lock().heartbeat_ms = ms;
    }
    pub(crate) fn set_ack_heartbeats(&self, on: bool) {
        self.lock().ack_heartbeats = on;
    }
    pub(crate) fn disallow_intents(&self) {
        self.lock().disallow_intents = true;
    }
    pub(crate) fn fail_threads(&self) {
        self.lock().fail_threads = true;
    }
    /// The token stops working: REST answers 401, the gateway closes with 4004.
    pub(crate) fn revoke(&self) {
        let conn = {
            let mut s = self.lock();
            s.revoked = true;
            s.conn.take()
        };
        if let Some(c) = conn {
            let _ = c.send(Out::Frame(close(4004, "Authentication failed.")));
        }
    }
    /// The next `times` requests whose path ends with `suffix` answer 429.
    pub(crate) fn rate_limit(&self, method: &str, suffix: &str, times: u32, retry_after: f64) {
        self.lock()
            .rate_limits
            .push((method.into(), suffix.into(), times, retry_after));
    }
    /// A channel `GET /channels/{id}` answers.
    pub(crate) fn add_channel(&self, channel: Value) {
        let id = channel["id"].as_str().unwrap().to_string();
        self.lock().channels.insert(id, channel);
    }
    /// A downloadable attachment; returns its URL.
    pub(crate) fn add_file(&self, name: &str, bytes: &[u8]) -> String {
        self.lock().files.insert(name.into(), bytes.to_vec());
        format!("{}/attachments/{name}", self.api)
    }

    /// Sends (or, while no session is connected, queues for resume) a dispatch.
    pub(crate) fn dispatch(&self, t: &str, d: Value) -> u64 {
        let mut s = self.lock();
        Self::dispatch_locked(&mut s, t, d)
    }

    fn dispatch_locked(s: &mut State, t: &str, d: Value) -> u64 {
        s.seq += 1;
        let payload = json!({"op": 0, "t": t, "s": s.seq, "d": d});
        s.log.push((s.seq, payload.clone()));
        if let Some(c) = &s.conn {
            let _ = c.send(Out::Frame(Message::text(payload.to_string())));
        }
        s.seq
    }

    fn next_id(&self) -> String {
        let mut s = self.lock();
        s.next_id += 1;
        format!("{}", 800_000_000_000_000_000 + s.next_id)
    }

    /// A `MESSAGE_CREATE` in a DM from `user`; returns the message id.
    pub(crate) fn dm(&self, user: &str, text: &str) -> String {
        let id = self.next_id();
        self.dispatch("MESSAGE_CREATE", dm_message(&id, user, text));
        id
    }

    /// A `MESSAGE_CREATE` in a server channel; returns the message id.
    pub(crate) fn guild_message(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        mention: bool,
    ) -> String {
        let id = self.next_id();
        self.dispatch(
            "MESSAGE_CREATE",
            guild_message(&id, channel, user, text, mention),
        );
        id
    }

    /// Drops the connection without a close frame and, before anyone can reconnect, sends
    /// a DM that must arrive through resume.
    pub(crate) fn drop_and_dm(&self, user: &str, text: &str) -> String {
        let id = self.next_id();
        let mut s = self.lock();
        if let Some(c) = s.conn.take() {
            let _ = c.send(Out::Drop);
        }
        Self::dispatch_locked(&mut s, "MESSAGE_CREATE", dm_message(&id, user, text));
        id
    }

    pub(crate) fn drop_connection(&self) {
        if let Some(c) = self.lock().conn.take() {
            let _ = c.send(Out::Drop);
        }
    }
    pub(crate) fn close(&self, code: u16) {
        if let Some(c) = self.lock().conn.take() {
            let _ = c.send(Out::Frame(close(code, "")));
        }
    }
    pub(crate) fn send_reconnect(&self) {
        self.send_op(json!({"op": 7, "d": null}));
    }
    pub(crate) fn send_invalid_session(&self, resumable: bool) {
        self.send_op(json!({"op": 9, "d": resumable}));
    }
    fn send_op(&self, v: Value) {
        if let Some(c) = &self.lock().conn {
            let _ = c.send(Out::Frame(Message::text(v.to_string())));
        }
    }

    // ---- inspection ----

    pub(crate) fn requests(&self, method: &str, path_contains: &str) -> Vec<Request> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_contains))
            .cloned()
            .collect()
    }
    /// Texts posted with `POST /channels/{channel}/messages`.
    pub(crate) fn posted(&self, channel: &str) -> Vec<String> {
        self.requests("POST", &format!("/channels/{channel}/messages"))
            .iter()
            .filter(|r| r.path.ends_with("/messages"))
            .filter_map(|r| r.body["content"].as_str().map(str::to_string))
            .collect()
    }
    pub(crate) fn all_posted(&self) -> Vec<String> {
        self.requests("POST", "/messages")
            .iter()
            .filter(|r| r.path.ends_with("/messages"))
            .filter_map(|r| r.body["content"].as_str().map(str::to_string))
            .collect()
    }
    pub(crate) fn identifies(&self) -> Vec<Value> {
        self.lock().identifies.clone()
    }
    pub(crate) fn resumes(&self) -> Vec<Value> {
        self.lock().resumes.clone()
    }
    pub(crate) fn heartbeats(&self) -> Vec<Value> {
        self.lock().heartbeats.clone()
    }
    pub(crate) fn connections(&self) -> u32 {
        self.lock().connections
    }
    pub(crate) fn connected(&self) -> bool {
        self.lock().conn.is_some()
    }

    // ---- the gateway ----

    async fn connection(&self, tcp: tokio::net::TcpStream) {
        let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
            return;
        };
        let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
        let interval = {
            let mut s = self.lock();
            s.connections += 1;
            s.heartbeat_ms
        };
        let hello = json!({"op": 10, "d": {"heartbeat_interval": interval}});
        if ws.send(Message::text(hello.to_string())).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                out = rx.recv() => match out {
                    Some(Out::Frame(m)) => {
                        let closing = matches!(m, Message::Close(_));
                        if ws.send(m).await.is_err() || closing {
                            break;
                        }
                    }
                    Some(Out::Drop) | None => return, // dropping the socket, no close frame
                },
                frame = ws.next() => {
                    let Some(Ok(Message::Text(text))) = frame else { break };
                    let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                    self.command(&v, &tx);
                }
            }
        }
        let mut s = self.lock();
        if s.conn.as_ref().is_some_and(|c| c.same_channel(&tx)) {
            s.conn = None;
        }
    }

    fn command(&self, v: &Value, tx: &mpsc::UnboundedSender<Out>) {
        let mut s = self.lock();
        match v["op"].as_u64() {
            Some(1) => {
                s.heartbeats.push(v["d"].clone());
                if s.ack_heartbeats {
                    let _ = tx.send(Out::Frame(Message::text(json!({"op": 11}).to_string())));
                }
            }
            Some(2) => {
                s.identifies.push(v["d"].clone());
                if s.revoked || v["d"]["token"].as_str() != Some(&s.token) {
                    let _ = tx.send(Out::Frame(close(4004, "Authentication failed.")));
                    return;
                }
                if s.disallow_intents {
                    let _ = tx.send(Out::Frame(close(4014, "Disallowed intent(s).")));
                    return;
                }
                let n = s.identifies.len();
                s.session = Some(format!("session-{n}"));
                s.seq = 0;
                s.log.clear();
                s.conn = Some(tx.clone());
                let ready = json!({"v": 10, "session_id": format!("session-{n}"),
                    "resume_gateway_url": self.gateway,
                    "user": {"id": BOT_ID, "username": "hermes", "bot": true},
                    "guilds": []});
                Self::dispatch_locked(&mut s, "READY", ready);
            }
            Some(6) => {
                s.resumes.push(v["d"].clone());
                if s.revoked {
                    let _ = tx.send(Out::Frame(close(4004, "Authentication failed.")));
                    return;
                }
                if v["d"]["session_id"].as_str() != s.session.as_deref() {
                    let _ = tx.send(Out::Frame(Message::text(
                        json!({"op": 9, "d": false}).to_string(),
                    )));
                    return;
                }
                let after = v["d"]["seq"].as_u64().unwrap_or(0);
                for (seq, p) in &s.log {
                    if *seq > after {
                        let _ = tx.send(Out::Frame(Message::text(p.to_string())));
                    }
                }
                s.conn = Some(tx.clone());
                Self::dispatch_locked(&mut s, "RESUMED", Value::Null);
            }
            _ => {}
        }
    }

    // ---- REST ----

    fn rest(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Response {
        let path = uri
            .path()
            .strip_prefix("/api/v10")
            .unwrap_or(uri.path())
            .to_string();
        let raw = String::from_utf8_lossy(body).into_owned();
        let json_body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut s = self.lock();
        if let Some(name) = path.strip_prefix("/attachments/") {
            return match s.files.get(name) {
                Some(b) => b.clone().into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            };
        }
        // Multipart: record the JSON payload part as the body.
        let body_value = if json_body.is_null() && raw.contains("name=\"payload_json\"") {
            raw.split("\r\n\r\n")
                .nth(1)
                .and_then(|p| p.split("\r\n").next())
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or(Value::Null)
        } else {
            json_body
        };
        s.requests.push(Request {
            method: method.to_string(),
            path: path.clone(),
            body: body_value.clone(),
            raw,
            at: std::time::Instant::now(),
        });
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if s.revoked || auth != format!("Bot {}", s.token) {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"message": "401: Unauthorized", "code": 0})),
            )
                .into_response();
        }
        let m = method.to_string();
        if let Some(rl) = s
            .rate_limits
            .iter_mut()
            .find(|r| r.0 == m && path.ends_with(&r.1) && r.2 > 0)
        {
            rl.2 -= 1;
            let retry = rl.3;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    ("retry-after", format!("{}", retry.ceil())),
                    ("x-ratelimit-limit", "5".into()),
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset-after", format!("{retry}")),
                    ("x-ratelimit-bucket", "fakebucket".into()),
                    ("x-ratelimit-scope", "user".into()),
                ],
                axum::Json(json!({"message": "You are being rate limited.", "retry_after": retry, "global": false})),
            )
                .into_response();
        }
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (m.as_str(), parts.as_slice()) {
            ("GET", ["users", "@me"]) => {
                axum::Json(json!({"id": BOT_ID, "username": "hermes", "bot": true})).into_response()
            }
            ("GET", ["gateway", "bot"]) => axum::Json(json!({"url": self.gateway, "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}))
            .into_response(),
            ("GET", ["channels", id]) => match s.channels.get(*id) {
                Some(c) => axum::Json(c.clone()).into_response(),
                None => (
                    StatusCode::NOT_FOUND,
                    axum::Json(json!({"message": "Unknown Channel", "code": 10003})),
                )
                    .into_response(),
            },
            ("POST", ["channels", channel, "messages"]) => {
                s.next_id += 1;
                let id = format!("{}", 700_000_000_000_000_000 + s.next_id);
                axum::Json(json!({"id": id, "channel_id": channel, "content": body_value["content"],
                    "author": {"id": BOT_ID, "username": "hermes", "bot": true}}))
                .into_response()
            }
            ("PATCH", ["channels", channel, "messages", id]) => {
                axum::Json(json!({"id": id, "channel_id": channel, "content": body_value["content"]}))
                    .into_response()
            }
            ("POST", ["channels", _, "typing"])
            | ("PUT" | "DELETE", ["channels", _, "messages", _, "reactions", _, "@me"]) => {
                StatusCode::NO_CONTENT.into_response()
            }
            ("POST", ["channels", channel, "messages", _, "threads"]) => {
                if s.fail_threads {
                    return (
                        StatusCode::FORBIDDEN,
                        axum::Json(json!({"message": "Missing Permissions", "code": 50013})),
                    )
                        .into_response();
                }
                s.next_id += 1;
                let id = format!("{}", 600_000_000_000_000_000 + s.next_id);
                let thread = json!({"id": id, "type": 11, "parent_id": channel,
                    "name": body_value["name"], "guild_id": "1"});
                s.channels.insert(id, thread.clone());
                axum::Json(thread).into_response()
            }
            _ => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"message": "404: Not Found", "code": 0})),
            )
                .into_response(),
        }
    }
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.to_string().into(),
    }))
}

/// A DM message object from `user` (the DM channel id is `5<user>`).
pub(crate) fn dm_message(id: &str, user: &str, text: &str) -> Value {
    json!({"id": id, "channel_id": format!("5{user}"), "type": 0, "content": text,
        "author": {"id": user, "username": format!("user{user}"), "bot": false},
        "mentions": [], "attachments": []})
}

/// A server message object.
pub(crate) fn guild_message(
    id: &str,
    channel: &str,
    user: &str,
    text: &str,
    mention: bool,
) -> Value {
    let (content, mentions) = if mention {
        (
            format!("<@{BOT_ID}> {text}"),
            json!([{"id": BOT_ID, "username": "hermes"}]),
        )
    } else {
        (text.to_string(), json!([]))
    };
    json!({"id": id, "channel_id": channel, "guild_id": "1", "type": 0, "content": content,
        "author": {"id": user, "username": format!("user{user}"), "bot": false},
        "member": {"roles": ["role-1"]}, "mentions": mentions, "attachments": []})
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
