//! A fake Telegram Bot API on loopback, written from the Bot API reference
//! (core.telegram.org/bots/api), for what the emulator lacks:
//! - `POST /bot<token>/<method>` with a JSON (or multipart) body answers
//!   `{"ok":true,"result":…}`, or `{"ok":false,"error_code":N,"description":…}` with
//!   `"parameters":{"retry_after":S}` on 429; a wrong token answers 401 `Unauthorized`.
//! - `getUpdates` long-polls up to `timeout` seconds and honours `offset`: updates below it
//!   are confirmed and forgotten, the rest are returned again until confirmed.
//! - `setMessageReaction`, `sendChatAction`, `editMessageText` answer `true`.
//! - `getFile` answers `{file_id, file_unique_id, file_size, file_path}`; the bytes are at
//!   `GET /file/bot<token>/<file_path>`.
//! - Tests queue updates, script answers per method (errors, a dropped connection), and
//!   assert on the recorded requests.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The fake bot's `getMe`.
pub(crate) const BOT_ID: i64 = 777;
pub(crate) const BOT_USERNAME: &str = "hermes_test_bot";

/// One recorded call.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The JSON body (`Null` for multipart).
    pub(crate) body: Value,
    /// The raw body.
    pub(crate) raw: Vec<u8>,
}

/// A scripted answer, used once.
#[derive(Debug, Clone)]
pub(crate) enum Scripted {
    /// `{"ok":false,…}` with this HTTP status / `error_code`.
    Error {
        code: u16,
        description: &'static str,
        retry_after: Option<u64>,
    },
    /// The connection is dropped in the middle of the answer.
    HangUp,
}

#[derive(Default)]
struct Inner {
    requests: Vec<Request>,
    updates: Vec<Value>,
    next_update_id: i64,
    next_message_id: i64,
    scripted: HashMap<String, VecDeque<Scripted>>,
    /// `file_id` → (`file_path`, bytes, declared size)
    files: HashMap<String, (String, Vec<u8>, Option<u64>)>,
}

#[derive(Clone)]
struct Shared {
    token: String,
    inner: Arc<Mutex<Inner>>,
    notify: Arc<Notify>,
}

/// A running fake.
pub(crate) struct FakeApi {
    pub(crate) base: String,
    shared: Shared,
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

fn error(code: u16, description: &str, retry_after: Option<u64>) -> Response {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(s) = retry_after {
        body["parameters"] = json!({"retry_after": s});
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

fn hang_up() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("the fake hangs up"))
    });
    Response::new(Body::from_stream(stream))
}

async fn method(
    State(s): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    if bot != format!("bot{}", s.token) {
        return error(401, "Unauthorized", None);
    }
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body: Value = if is_json {
        serde_json::from_slice(&raw).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let scripted = {
        let mut inner = s.inner.lock().unwrap();
        inner.requests.push(Request {
            method: method.clone(),
            body: body.clone(),
            raw: raw.to_vec(),
        });
        inner
            .scripted
            .get_mut(&method)
            .and_then(VecDeque::pop_front)
    };
    s.notify.notify_waiters();
    match scripted {
        Some(Scripted::Error {
            code,
            description,
            retry_after,
        }) => return error(code, description, retry_after),
        Some(Scripted::HangUp) => return hang_up(),
        None => {}
    }
    match method.as_str() {
        "getMe" => ok(
            json!({"id": BOT_ID, "is_bot": true, "first_name": "Hermes", "username": BOT_USERNAME}),
        ),
        "getUpdates" => get_updates(&s, &body).await,
        "sendMessage" | "sendPhoto" | "sendDocument" => {
            let id = {
                let mut inner = s.inner.lock().unwrap();
                inner.next_message_id += 1;
                inner.next_message_id
            };
            ok(
                json!({"message_id": id, "date": 1_700_000_000, "chat": {"id": body["chat_id"], "type": "private"}, "text": body["text"]}),
            )
        }
        "getFile" => {
            let id = body["file_id"].as_str().unwrap_or_default();
            let inner = s.inner.lock().unwrap();
            match inner.files.get(id) {
                Some((path, bytes, declared)) => ok(json!({
                    "file_id": id, "file_unique_id": format!("{id}-u"),
                    "file_size": declared.unwrap_or(bytes.len() as u64), "file_path": path})),
                None => error(400, "Bad Request: invalid file_id", None),
            }
        }
        "editMessageText"
        | "sendChatAction"
        | "setMessageReaction"
        | "setWebhook"
        | "deleteWebhook"
        | "answerCallbackQuery" => ok(json!(true)),
        _ => error(404, "Not Found", None),
    }
}

async fn get_updates(s: &Shared, body: &Value) -> Response {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0).min(5));
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let notified = s.notify.notified();
        {
            let mut inner = s.inner.lock().unwrap();
            if offset > 0 {
                inner
                    .updates
                    .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            }
            if !inner.updates.is_empty() {
                return ok(Value::Array(inner.updates.clone()));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(json!([]));
        }
    }
}

async fn file(State(s): State<Shared>, Path((bot, path)): Path<(String, String)>) -> Response {
    if bot != format!("bot{}", s.token) {
        return error(401, "Unauthorized", None);
    }
    let inner = s.inner.lock().unwrap();
    inner
        .files
        .values()
        .find(|(p, _, _)| *p == path)
        .map_or_else(
            || error(404, "Not Found", None),
            |(_, bytes, _)| bytes.clone().into_response(),
        )
}

impl FakeApi {
    pub(crate) async fn start(token: &str) -> Self {
        let shared = Shared {
            token: token.to_string(),
            inner: Arc::new(Mutex::new(Inner {
                next_update_id: 100,
                next_message_id: 500,
                ..Inner::default()
            })),
            notify: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/file/{bot}/{*path}", get(file))
            .route("/{bot}/{method}", any(method))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("http://{addr}"),
            shared,
        }
    }

    /// Queues an update (its `update_id` is assigned here) and returns the id.
    pub(crate) fn push_update(&self, mut update: Value) -> i64 {
        let id = {
            let mut inner = self.shared.inner.lock().unwrap();
            inner.next_update_id += 1;
            let id = inner.next_update_id;
            update["update_id"] = json!(id);
            inner.updates.push(update);
            id
        };
        self.shared.notify.notify_waiters();
        id
    }

    /// Answers the next call of `method` with `answer`.
    pub(crate) fn script(&self, method: &str, answer: Scripted) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .scripted
            .entry(method.to_string())
            .or_default()
            .push_back(answer);
    }

    /// Makes a file downloadable; `declared` overrides the size `getFile` reports.
    pub(crate) fn add_file(&self, file_id: &str, path: &str, bytes: &[u8], declared: Option<u64>) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .files
            .insert(file_id.into(), (path.into(), bytes.to_vec(), declared));
    }

    /// The calls of `method` so far.
    pub(crate) fn calls(&self, method: &str) -> Vec<Request> {
        self.shared
            .inner
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.method == method)
            .cloned()
            .collect()
    }
}
