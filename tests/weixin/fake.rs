//! A fake Tencent iLink bot server and media CDN, written from the protocol description in
//! the shared reference `upstream-behavior.md` §10 (Weixin), not from hermes' code.
//!
//! Why §10 and not a vendor document: Tencent publishes no reference for the iLink bot API
//! (`ilinkai.weixin.qq.com/ilink/bot/*`). §10 is the published description the project has:
//! it was derived from the open-source iLink bot clients (upstream's `weixin.py` and the
//! `@tencent-weixin/openclaw-weixin` package it follows) and lists the endpoints, headers,
//! `base_info`, cursor, `context_token`, error codes (`-14`, `-2`) and the AES-128-ECB CDN
//! scheme this fake implements.
//!
//! Every request's headers and `base_info` are checked; a wrong one gets HTTP 400 and is
//! recorded as a violation, which each test asserts is empty at the end. Tests can also
//! script `getupdates` faults (an HTTP status, or a connection dropped mid-answer).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aes::Aes128;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::time::Instant;

/// One request the fake saw.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    /// Which listener (`main` or a mirror's label).
    pub(crate) server: &'static str,
    /// `getupdates`, `sendmessage`, `get_qrcode_status`, `cdn_upload`, …
    pub(crate) endpoint: String,
    /// The JSON body (POST) or `null`.
    pub(crate) body: Value,
    /// The raw query string.
    pub(crate) query: String,
    /// When it arrived.
    pub(crate) at: Instant,
}

/// A one-shot fault of a `getupdates` call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PollFault {
    /// Answer with this HTTP status (e.g. 429, 502).
    Status(u16),
    /// Drop the connection in the middle of the answer.
    HangUp,
}

/// What the fake knows and does.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The bot token it accepts; any other gets `-14 session timeout`.
    pub(crate) token: String,
    /// Answer every `getupdates` with this HTTP status instead (a revoked token).
    pub(crate) poll_http_status: Option<u16>,
    /// One-shot `getupdates` faults, used before anything else.
    pub(crate) poll_faults: VecDeque<PollFault>,
    /// The message log; cursor `c<N>` means the first N were acknowledged.
    pub(crate) messages: Vec<Value>,
    /// Answers returned by `getupdates` before the log is consulted.
    pub(crate) poll_script: VecDeque<Value>,
    /// Answers returned by `sendmessage` before the default `{ret: 0}`.
    pub(crate) send_script: VecDeque<Value>,
    /// Answers of `get_qrcode_status`, in order (then `wait`).
    pub(crate) qr_script: VecDeque<Value>,
    /// QR codes issued so far.
    pub(crate) qr_issued: u32,
    /// CDN objects by `encrypted_query_param`.
    pub(crate) cdn: HashMap<String, Vec<u8>>,
    /// Every request.
    pub(crate) requests: Vec<Req>,
    /// Protocol violations seen.
    pub(crate) violations: Vec<String>,
}

#[derive(Clone)]
struct Ctx {
    label: &'static str,
    state: Arc<Mutex<State>>,
    notify: Arc<Notify>,
}

/// A running fake.
pub(crate) struct Fake {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base_url: String,
    /// `http://127.0.0.1:<port>/c2c`.
    pub(crate) cdn_url: String,
    state: Arc<Mutex<State>>,
    notify: Arc<Notify>,
}

impl Fake {
    /// Starts a fake accepting `token`.
    pub(crate) async fn start(token: &str) -> Self {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            ..State::default()
        }));
        let notify = Arc::new(Notify::new());
        let base_url = serve(Ctx {
            label: "main",
            state: Arc::clone(&state),
            notify: Arc::clone(&notify),
        })
        .await;
        Self {
            cdn_url: format!("{base_url}/c2c"),
            base_url,
            state,
            notify,
        }
    }

    /// Another listener over the same state (a redirect target); returns its `host:port`.
    pub(crate) async fn mirror(&self, label: &'static str) -> String {
        let url = serve(Ctx {
            label,
            state: Arc::clone(&self.state),
            notify: Arc::clone(&self.notify),
        })
        .await;
        url.trim_start_matches("http://").to_string()
    }

    /// Runs `f` on the state.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut s = self.state.lock().unwrap();
        f(&mut s)
    }

    /// Appends a message to the log and wakes a waiting long poll.
    pub(crate) fn push(&self, msg: Value) {
        self.with(|s| s.messages.push(msg));
        self.notify.notify_waiters();
    }

    /// The requests to `endpoint`.
    pub(crate) fn requests(&self, endpoint: &str) -> Vec<Req> {
        self.with(|s| {
            s.requests
                .iter()
                .filter(|r| r.endpoint == endpoint)
                .cloned()
                .collect()
        })
    }

    /// The texts sent to `user` so far (`sendmessage`), each with its `context_token`.
    #[allow(dead_code)] // not every module of the suite reads them
    pub(crate) fn sent_to(&self, user: &str) -> Vec<(String, String)> {
        self.requests("sendmessage")
            .iter()
            .filter(|r| r.body["msg"]["to_user_id"] == user)
            .map(|r| {
                let msg = &r.body["msg"];
                let field = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
                (
                    field(&msg["item_list"][0]["text_item"]["text"]),
                    field(&msg["context_token"]),
                )
            })
            .collect()
    }

    /// Waits (up to 5 s) until `cond` holds.
    pub(crate) async fn wait_for(&self, what: &str, cond: impl Fn(&State) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.with(|s| cond(s)) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Panics if any request broke the protocol.
    pub(crate) fn assert_clean(&self) {
        let v = self.with(|s| s.violations.clone());
        assert!(v.is_empty(), "protocol violations: {v:#?}");
    }
}

async fn serve(ctx: Ctx) -> String {
    let app = Router::new()
        .route("/ilink/bot/get_bot_qrcode", get(qr_code))
        .route("/ilink/bot/get_qrcode_status", get(qr_status))
        .route("/ilink/bot/{endpoint}", post(api))
        .route("/c2c/download", get(cdn_download))
        .route("/c2c/upload", post(cdn_upload))
        .with_state(ctx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the POST headers and body; returns the parsed body or what is wrong.
fn check_post(h: &HeaderMap, body: &[u8]) -> Result<Value, String> {
    let want = [
        ("content-type", "application/json"),
        ("authorizationtype", "ilink_bot_token"),
        ("ilink-app-id", "bot"),
        ("ilink-app-clientversion", "131584"),
    ];
    for (name, value) in want {
        if header(h, name) != Some(value) {
            return Err(format!("header {name} is {:?}", header(h, name)));
        }
    }
    let uin = header(h, "x-wechat-uin").ok_or("no X-WECHAT-UIN")?;
    let decoded = B64.decode(uin).map_err(|_| "X-WECHAT-UIN is not base64")?;
    let text = String::from_utf8(decoded).map_err(|_| "X-WECHAT-UIN is not text")?;
    text.parse::<u32>()
        .map_err(|_| format!("X-WECHAT-UIN decodes to {text:?}, not a u32"))?;
    if !header(h, "authorization").is_some_and(|a| a.starts_with("Bearer ")) {
        return Err("no bearer Authorization".into());
    }
    let raw = std::str::from_utf8(body).map_err(|_| "body is not UTF-8")?;
    let v: Value = serde_json::from_str(raw).map_err(|e| format!("body is not JSON: {e}"))?;
    if v["base_info"]["channel_version"] != "2.2.0" {
        return Err(format!("base_info missing or wrong: {raw}"));
    }
    // Compact, with non-ASCII left unescaped: the same length as serde_json's compact form.
    if raw.len() != v.to_string().len() {
        return Err(format!("body is not compact unescaped JSON: {raw}"));
    }
    Ok(v)
}

fn check_get(h: &HeaderMap) -> Result<(), String> {
    if header(h, "ilink-app-id") != Some("bot")
        || header(h, "ilink-app-clientversion") != Some("131584")
    {
        return Err("GET without the iLink-App headers".into());
    }
    if h.contains_key("authorization") {
        return Err("GET must not carry Authorization".into());
    }
    Ok(())
}

fn record(ctx: &Ctx, endpoint: &str, body: Value, query: Option<String>) {
    ctx.state.lock().unwrap().requests.push(Req {
        server: ctx.label,
        endpoint: endpoint.into(),
        body,
        query: query.unwrap_or_default(),
        at: Instant::now(),
    });
}

fn reject(ctx: &Ctx, why: String) -> Response {
    ctx.state.lock().unwrap().violations.push(why.clone());
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"ret": -1, "errmsg": why})),
    )
        .into_response()
}

async fn api(
    AxState(ctx): AxState<Ctx>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let v = match check_post(&headers, &body) {
        Ok(v) => v,
        Err(why) => return reject(&ctx, format!("{endpoint}: {why}")),
    };
    record(&ctx, &endpoint, v.clone(), None);
    let token_ok = {
        let s = ctx.state.lock().unwrap();
        header(&headers, "authorization") == Some(format!("Bearer {}", s.token).as_str())
    };
    if endpoint == "getupdates" {
        let fault = ctx.state.lock().unwrap().poll_faults.pop_front();
        match fault {
            Some(PollFault::Status(code)) => {
                return (StatusCode::from_u16(code).unwrap(), "scripted fault").into_response();
            }
            Some(PollFault::HangUp) => {
                let stream = futures_util::stream::once(async {
                    Err::<Bytes, std::io::Error>(std::io::Error::other("the fake hangs up"))
                });
                return Response::new(axum::body::Body::from_stream(stream));
            }
            None => {}
        }
    }
    if endpoint == "getupdates"
        && let Some(code) = ctx.state.lock().unwrap().poll_http_status
    {
        return (StatusCode::from_u16(code).unwrap(), "token revoked").into_response();
    }
    if !token_ok {
        return axum::Json(json!({"ret": -14, "errcode": -14, "errmsg": "session timeout"}))
            .into_response();
    }
    let answer = match endpoint.as_str() {
        "getupdates" => get_updates(&ctx, &v).await,
        "sendmessage" => {
            let msg = &v["msg"];
            if msg["item_list"].as_array().is_none_or(Vec::is_empty)
                || msg["to_user_id"].as_str().is_none()
            {
                return reject(&ctx, format!("sendmessage without items or peer: {v}"));
            }
            let scripted = ctx.state.lock().unwrap().send_script.pop_front();
            scripted.unwrap_or_else(|| json!({"ret": 0}))
        }
        "getconfig" => {
            if v["ilink_user_id"].as_str().is_none() {
                return reject(&ctx, "getconfig without ilink_user_id".into());
            }
            json!({"ret": 0, "typing_ticket": "ticket-1"})
        }
        "sendtyping" => {
            if v["typing_ticket"] != "ticket-1" || !matches!(v["status"].as_i64(), Some(1 | 2)) {
                return reject(&ctx, format!("bad sendtyping: {v}"));
            }
            json!({"ret": 0})
        }
        "getuploadurl" => {
            json!({"ret": 0, "upload_param": format!("up-{}", v["filekey"].as_str().unwrap_or_default())})
        }
        other => return reject(&ctx, format!("unknown endpoint {other}")),
    };
    axum::Json(answer).into_response()
}

/// Scripted answers first; otherwise the log from the cursor on, holding an empty poll
/// briefly (a real long poll holds up to 35 s).
async fn get_updates(ctx: &Ctx, v: &Value) -> Value {
    if let Some(scripted) = ctx.state.lock().unwrap().poll_script.pop_front() {
        return scripted;
    }
    let buf = v["get_updates_buf"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let from: usize = buf
        .strip_prefix('c')
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    for _ in 0..2 {
        let notified = ctx.notify.notified();
        let batch = {
            let s = ctx.state.lock().unwrap();
            (s.messages.len() > from).then(|| (s.messages[from..].to_vec(), s.messages.len()))
        };
        if let Some((msgs, len)) = batch {
            return json!({"ret": 0, "msgs": msgs, "get_updates_buf": format!("c{len}")});
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), notified).await;
    }
    json!({"ret": 0, "msgs": [], "get_updates_buf": buf})
}

async fn qr_code(
    AxState(ctx): AxState<Ctx>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(why) = check_get(&headers) {
        return reject(&ctx, why);
    }
    if q.as_deref() != Some("bot_type=3") {
        return reject(&ctx, format!("get_bot_qrcode query {q:?}"));
    }
    record(&ctx, "get_bot_qrcode", Value::Null, q);
    let n = {
        let mut s = ctx.state.lock().unwrap();
        s.qr_issued += 1;
        s.qr_issued
    };
    axum::Json(json!({
        "qrcode": format!("qr-{n}"),
        "qrcode_img_content": format!("https://liteapp.weixin.qq.com/q/7GiQu1?qrcode=qr-{n}&bot_type=3"),
    }))
    .into_response()
}

async fn qr_status(
    AxState(ctx): AxState<Ctx>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(why) = check_get(&headers) {
        return reject(&ctx, why);
    }
    let issued = ctx.state.lock().unwrap().qr_issued;
    if q.as_deref() != Some(format!("qrcode=qr-{issued}").as_str()) {
        return reject(
            &ctx,
            format!("status poll for {q:?}, latest code is qr-{issued}"),
        );
    }
    record(&ctx, "get_qrcode_status", Value::Null, q);
    let next = ctx.state.lock().unwrap().qr_script.pop_front();
    axum::Json(next.unwrap_or_else(|| json!({"status": "wait"}))).into_response()
}

async fn cdn_download(AxState(ctx): AxState<Ctx>, RawQuery(q): RawQuery) -> Response {
    record(&ctx, "cdn_download", Value::Null, q.clone());
    let param = q
        .as_deref()
        .and_then(|q| q.strip_prefix("encrypted_query_param="))
        .map(urlencoding_decode);
    let data = param.and_then(|p| ctx.state.lock().unwrap().cdn.get(&p).cloned());
    match data {
        Some(d) => d.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn cdn_upload(
    AxState(ctx): AxState<Ctx>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    if header(&headers, "content-type") != Some("application/octet-stream") {
        return reject(&ctx, "CDN upload without octet-stream".into());
    }
    record(&ctx, "cdn_upload", Value::Null, q);
    let param = format!("dl-{}", ctx.state.lock().unwrap().cdn.len());
    ctx.state
        .lock()
        .unwrap()
        .cdn
        .insert(param.clone(), body.to_vec());
    ([("x-encrypted-param", param)], "").into_response()
}

fn urlencoding_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let h = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// AES-128-ECB with PKCS#7, written here independently of hermes' helpers.
pub(crate) fn ecb_encrypt(plain: &[u8], key: &[u8; 16]) -> Vec<u8> {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let pad = 16 - plain.len() % 16;
    let mut data = plain.to_vec();
    data.extend(std::iter::repeat_n(u8::try_from(pad).unwrap(), pad));
    for block in data.chunks_mut(16) {
        cipher.encrypt_block(GenericArray::from_mut_slice(block));
    }
    data
}

/// The inverse of [`ecb_encrypt`].
pub(crate) fn ecb_decrypt(ct: &[u8], key: &[u8; 16]) -> Vec<u8> {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let mut data = ct.to_vec();
    for block in data.chunks_mut(16) {
        cipher.decrypt_block(GenericArray::from_mut_slice(block));
    }
    let pad = usize::from(*data.last().unwrap());
    data.truncate(data.len() - pad);
    data
}
