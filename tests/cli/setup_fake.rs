//! Local fakes for the setup wizards' live checks, on loopback: Telegram `getMe`, an
//! OpenAI-compatible `/models` + streaming chat endpoint, Discord `users/@me`, Slack
//! `auth.test`, Matrix `whoami`, Home Assistant `/api/`, a plain IMAP+SMTP pair, and the Weixin
//! iLink fake of `tests/weixin/`. They run on their own runtime while the binary is tested.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[allow(dead_code, unreachable_pub)]
#[path = "../weixin/fake.rs"]
pub(crate) mod weixin;

/// The Telegram token the fake accepts.
pub(crate) const TG_TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
/// Every other fake's secret.
pub(crate) const SECRET: &str = "good-secret-0123456789";
/// Discord's accepted token.
pub(crate) const DISCORD_TOKEN: &str =
    "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789";
/// The Weixin bot token the iLink fake accepts.
pub(crate) const WX_TOKEN: &str = "wx-bot-token-1";

/// Running fakes.
pub(crate) struct Fakes {
    rt: tokio::runtime::Runtime,
    /// `http://127.0.0.1:<port>`.
    pub(crate) base: String,
    /// The IMAP and SMTP ports.
    pub(crate) mail: (u16, u16),
    /// The Weixin fake.
    pub(crate) weixin: weixin::Fake,
    /// Bodies of the chat completions received, and `{"matrix": "login"|"logout"}` marks for
    /// the Matrix sessions opened and closed.
    pub(crate) chats: Arc<Mutex<Vec<Value>>>,
}

impl Fakes {
    pub(crate) fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let chats = Arc::new(Mutex::new(Vec::new()));
        let (base, mail, weixin) = rt.block_on(async {
            let app = router(Arc::clone(&chats));
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", l.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
            (base, mail().await, weixin::Fake::start(WX_TOKEN).await)
        });
        Self {
            rt,
            base,
            mail,
            weixin,
            chats,
        }
    }

    /// Scripts the Weixin QR login: scanned, then confirmed as `bot@im.bot` by `owner@im.wechat`.
    pub(crate) fn script_weixin_login(&self) {
        let _guard = self.rt.enter();
        self.weixin.with(|s| {
            s.qr_script = [
                json!({"status": "scaned"}),
                json!({"status": "confirmed", "ilink_bot_id": "bot@im.bot", "bot_token": WX_TOKEN,
                       "baseurl": self.weixin.base_url, "ilink_user_id": "owner@im.wechat"}),
            ]
            .into();
        });
    }
}

fn bearer(h: &HeaderMap) -> String {
    h.get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": "unauthorized"})),
    )
        .into_response()
}

fn router(chats: Arc<Mutex<Vec<Value>>>) -> Router {
    Router::new()
        .route("/{bot}/getMe", get(telegram).post(telegram))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .route("/slow/v1/models", get(slow_models))
        .route("/slow/v1/chat/completions", post(chat))
        .route("/discord/users/@me", get(discord))
        .route("/slack/auth.test", post(slack))
        .route("/_matrix/client/v3/account/whoami", get(whoami))
        .route("/_matrix/client/v3/login", post(matrix_login))
        .route("/_matrix/client/v3/logout", post(matrix_logout))
        .route("/api/", get(home_assistant))
        .with_state(chats)
}

async fn telegram(Path(bot): Path<String>) -> Response {
    if bot == format!("bot{TG_TOKEN}") {
        axum::Json(json!({"ok": true, "result": {"id": 777, "is_bot": true,
            "first_name": "Hermes", "username": "hermes_test_bot"}}))
        .into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"ok": false, "error_code": 401, "description": "Unauthorized"})),
        )
            .into_response()
    }
}

async fn models(h: HeaderMap) -> Response {
    if !matches!(bearer(&h).as_str(), "" | "Bearer sk-test-key-123456") {
        return unauthorized();
    }
    axum::Json(json!({"object": "list", "data": [
        {"id": "tiny-a", "object": "model"}, {"id": "tiny-b", "object": "model"}
    ]}))
    .into_response()
}

/// A hosted provider's `/models` (`OpenAI`'s "List models", `GET /v1/models` with a bearer key):
/// the key is required, and the answer takes a moment, as over the internet, so a terminal test
/// can see the spinner shown meanwhile.
async fn slow_models(h: HeaderMap) -> Response {
    if bearer(&h) != "Bearer sk-test-key-123456" {
        return unauthorized();
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    models(h).await
}

async fn chat(
    State(chats): State<Arc<Mutex<Vec<Value>>>>,
    h: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    if !matches!(bearer(&h).as_str(), "" | "Bearer sk-test-key-123456") {
        return unauthorized();
    }
    chats.lock().unwrap().push(body.clone());
    let model = body["model"].as_str().unwrap_or_default().to_string();
    if !model.starts_with("tiny-") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"message": format!("model `{model}` not found")}})),
        )
            .into_response();
    }
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "c1", "object": "chat.completion.chunk", "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let sse = format!(
        "data: {}\n\ndata: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
        chunk(json!({"role": "assistant", "content": "O"}), Value::Null),
        chunk(json!({}), json!("length")),
        json!({"id": "c1", "object": "chat.completion.chunk", "choices": [],
               "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}),
    );
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from(sse))
        .unwrap()
}

async fn discord(h: HeaderMap) -> Response {
    if bearer(&h) == format!("Bot {DISCORD_TOKEN}") {
        axum::Json(json!({"id": "1001", "username": "hermesbot", "bot": true})).into_response()
    } else {
        unauthorized()
    }
}

async fn slack(h: HeaderMap) -> Response {
    let ok = bearer(&h) == "Bearer xoxb-1-good";
    axum::Json(if ok {
        json!({"ok": true, "team": "Acme", "user": "hermes", "user_id": "U0HERMES"})
    } else {
        json!({"ok": false, "error": "invalid_auth"})
    })
    .into_response()
}

async fn whoami(h: HeaderMap) -> Response {
    if bearer(&h) == format!("Bearer {SECRET}") {
        axum::Json(json!({"user_id": "@bot:localhost"})).into_response()
    } else {
        unauthorized()
    }
}

/// The access token the fake Matrix login hands out.
pub(crate) const MATRIX_SESSION: &str = "syt_setup_check_token";

/// `POST /_matrix/client/v3/login` (Matrix client-server API, "Login", `m.login.password`):
/// `@bot:localhost` with `SECRET`.
async fn matrix_login(
    State(log): State<Arc<Mutex<Vec<Value>>>>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let ok = body["type"] == "m.login.password"
        && body["identifier"]["user"] == "@bot:localhost"
        && body["password"] == SECRET;
    if !ok {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"errcode": "M_FORBIDDEN", "error": "Invalid password"})),
        )
            .into_response();
    }
    log.lock().unwrap().push(json!({"matrix": "login"}));
    axum::Json(
        json!({"user_id": "@bot:localhost", "access_token": MATRIX_SESSION,
        "device_id": "SETUPCHECK"}),
    )
    .into_response()
}

/// `POST /_matrix/client/v3/logout` ("Logout"): ends the session of the bearer token.
async fn matrix_logout(State(log): State<Arc<Mutex<Vec<Value>>>>, h: HeaderMap) -> Response {
    if bearer(&h) != format!("Bearer {MATRIX_SESSION}") {
        return unauthorized();
    }
    log.lock().unwrap().push(json!({"matrix": "logout"}));
    axum::Json(json!({})).into_response()
}

async fn home_assistant(h: HeaderMap) -> Response {
    if bearer(&h) == format!("Bearer {SECRET}") {
        axum::Json(json!({"message": "API running."})).into_response()
    } else {
        unauthorized()
    }
}

/// Plain IMAP and SMTP listeners accepting `bot@example.test` / `SECRET`.
async fn mail() -> (u16, u16) {
    let imap = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ports = (
        imap.local_addr().unwrap().port(),
        smtp.local_addr().unwrap().port(),
    );
    tokio::spawn(async move {
        while let Ok((s, _)) = imap.accept().await {
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"* OK ready\r\n").await;
                let mut l = String::new();
                while r.read_line(&mut l).await.unwrap_or(0) > 0 {
                    let good = format!("a1 LOGIN \"bot@example.test\" \"{SECRET}\"");
                    let reply = if l.trim_end() == good {
                        "a1 OK LOGIN done\r\n"
                    } else if l.starts_with("a1 ") {
                        "a1 NO [AUTHENTICATIONFAILED] bad\r\n"
                    } else {
                        "* BYE\r\na2 OK\r\n"
                    };
                    let _ = w.write_all(reply.as_bytes()).await;
                    l.clear();
                }
            });
        }
    });
    tokio::spawn(async move {
        use base64::Engine as _;
        let good = base64::engine::general_purpose::STANDARD
            .encode(format!("\0bot@example.test\0{SECRET}"));
        while let Ok((s, _)) = smtp.accept().await {
            let good = good.clone();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"220 ready\r\n").await;
                let mut l = String::new();
                while r.read_line(&mut l).await.unwrap_or(0) > 0 {
                    let reply = if l.starts_with("EHLO") {
                        "250-hi\r\n250 AUTH PLAIN\r\n".to_string()
                    } else if l.trim_end() == format!("AUTH PLAIN {good}") {
                        "235 ok\r\n".to_string()
                    } else if l.starts_with("AUTH") {
                        "535 no\r\n".to_string()
                    } else {
                        "221 bye\r\n".to_string()
                    };
                    let _ = w.write_all(reply.as_bytes()).await;
                    l.clear();
                }
            });
        }
    });
    ports
}
