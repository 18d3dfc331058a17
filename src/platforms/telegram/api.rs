//! A thin Bot API client over the shared `reqwest` client: one `call` per method, the wire
//! types we read, multipart uploads, file downloads, and the classification of Telegram's
//! error answers into [`PlatformError`]. It knows nothing about the gateway.

use std::path::Path;
use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::platforms::PlatformError;

/// The platform name used in errors, sources and status.
pub const PLATFORM: &str = "telegram";

/// The bot account, as `getMe` answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BotInfo {
    /// The bot's user id.
    pub id: i64,
    /// `@username` without the `@`.
    #[serde(default)]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub first_name: String,
}

/// One `getUpdates` item (or webhook body).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Update {
    #[serde(default)]
    pub(crate) message: Option<Message>,
    #[serde(default)]
    pub(crate) edited_message: Option<Message>,
    #[serde(default)]
    pub(crate) callback_query: Option<CallbackQuery>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct User {
    pub(crate) id: i64,
    #[serde(default)]
    pub(crate) is_bot: bool,
    #[serde(default)]
    pub(crate) first_name: String,
    #[serde(default)]
    pub(crate) last_name: Option<String>,
    #[serde(default)]
    pub(crate) username: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Chat {
    pub(crate) id: i64,
    #[serde(default, rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) username: Option<String>,
    #[serde(default)]
    pub(crate) first_name: Option<String>,
    #[serde(default)]
    pub(crate) last_name: Option<String>,
    #[serde(default)]
    pub(crate) is_forum: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Entity {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// In UTF-16 code units.
    pub(crate) offset: usize,
    /// In UTF-16 code units.
    pub(crate) length: usize,
    #[serde(default)]
    pub(crate) user: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TextQuote {
    #[serde(default)]
    pub(crate) text: String,
}

/// A downloadable file as it appears inside a message.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FileRef {
    pub(crate) file_id: String,
    #[serde(default)]
    pub(crate) file_unique_id: Option<String>,
    #[serde(default)]
    pub(crate) file_size: Option<u64>,
    #[serde(default)]
    pub(crate) mime_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[allow(clippy::struct_field_names)] // the Bot API's names
pub(crate) struct Message {
    pub(crate) message_id: i64,
    #[serde(default)]
    pub(crate) from: Option<User>,
    #[serde(default)]
    pub(crate) chat: Chat,
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) caption: Option<String>,
    #[serde(default)]
    pub(crate) entities: Vec<Entity>,
    #[serde(default)]
    pub(crate) caption_entities: Vec<Entity>,
    #[serde(default)]
    pub(crate) message_thread_id: Option<i64>,
    #[serde(default)]
    pub(crate) is_topic_message: bool,
    #[serde(default)]
    pub(crate) reply_to_message: Option<Box<Message>>,
    #[serde(default)]
    pub(crate) quote: Option<TextQuote>,
    #[serde(default)]
    pub(crate) photo: Vec<FileRef>,
    #[serde(default)]
    pub(crate) document: Option<FileRef>,
    #[serde(default)]
    pub(crate) voice: Option<FileRef>,
    #[serde(default)]
    pub(crate) audio: Option<FileRef>,
    #[serde(default)]
    pub(crate) video: Option<FileRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CallbackQuery {
    pub(crate) id: String,
    pub(crate) from: User,
    #[serde(default)]
    pub(crate) message: Option<Message>,
    #[serde(default)]
    pub(crate) data: Option<String>,
}

/// `getFile`'s answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct File {
    #[serde(default)]
    pub(crate) file_path: Option<String>,
    #[serde(default)]
    pub(crate) file_size: Option<u64>,
}

/// What Telegram answered when a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// `error_code` (or the HTTP status when the body has none).
    pub(crate) code: u16,
    /// `description`.
    pub(crate) description: String,
    /// `parameters.retry_after`.
    pub(crate) retry_after: Option<Duration>,
}

/// A failed call: the network, or an answer with `ok: false`.
#[derive(Debug)]
pub(crate) enum ApiError {
    Network(String),
    Telegram(Failure),
}

impl ApiError {
    /// Whether Telegram said `message is not modified` (an edit to the same text).
    pub(crate) fn is_not_modified(&self) -> bool {
        matches!(self, Self::Telegram(f) if f.description.to_ascii_lowercase().contains("message is not modified"))
    }

    /// Whether this is a server-side (5xx) answer or a network failure.
    pub(crate) fn is_server_side(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Telegram(f) => f.code >= 500,
        }
    }

    /// The class the supervisor and delivery act on.
    pub(crate) fn classify(self) -> PlatformError {
        let platform = PLATFORM.to_string();
        match self {
            Self::Network(message) => PlatformError::Transient { platform, message },
            Self::Telegram(f) => match f.code {
                401 | 404 => PlatformError::Unauthorized {
                    platform,
                    message: format!(
                        "the bot token was rejected ({} {}); check TELEGRAM_BOT_TOKEN with @BotFather",
                        f.code, f.description
                    ),
                },
                409 => PlatformError::Fatal {
                    platform,
                    message: format!(
                        "another process is receiving updates for this bot (a second poller or a webhook): {}",
                        f.description
                    ),
                    code: "telegram_conflict".into(),
                },
                429 => PlatformError::RateLimited {
                    platform,
                    retry_after: f.retry_after,
                },
                c if c >= 500 => PlatformError::Transient {
                    platform,
                    message: format!("{c} {}", f.description),
                },
                c => PlatformError::Fatal {
                    platform,
                    message: format!("{c} {}", f.description),
                    code: if c == 403 {
                        "telegram_forbidden".into()
                    } else {
                        "telegram_bad_request".into()
                    },
                },
            },
        }
    }
}

/// Clients pinned to `TELEGRAM_FALLBACK_IPS`, and which one worked last.
#[derive(Default)]
pub(crate) struct Fallbacks {
    /// (address, a client resolving the Bot API host to it)
    pub(crate) clients: Vec<(std::net::IpAddr, reqwest::Client)>,
    /// The index of the fallback that answered last (tried first next time).
    sticky: std::sync::Mutex<Option<usize>>,
}

impl Fallbacks {
    pub(crate) fn new(clients: Vec<(std::net::IpAddr, reqwest::Client)>) -> Self {
        Self {
            clients,
            sticky: std::sync::Mutex::new(None),
        }
    }

    fn sticky(&self) -> Option<usize> {
        self.sticky.lock().ok().and_then(|s| *s)
    }

    fn set_sticky(&self, v: Option<usize>) {
        if let Ok(mut s) = self.sticky.lock() {
            *s = v;
        }
    }
}

/// A Bot API endpoint for one bot token.
#[derive(Clone)]
pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
    fallbacks: std::sync::Arc<Fallbacks>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// A request timeout for ordinary calls.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

impl Api {
    pub(crate) fn new(http: reqwest::Client, base: &str, token: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            fallbacks: std::sync::Arc::default(),
        }
    }

    /// The same endpoint, trying `fallbacks` when the host cannot be reached.
    pub(crate) fn with_fallbacks(mut self, fallbacks: Fallbacks) -> Self {
        self.fallbacks = std::sync::Arc::new(fallbacks);
        self
    }

    /// Sends the request `build` makes, first through the fallback address that worked
    /// last (if any), then the normal route, then every other fallback address; only a
    /// failure to connect moves on to the next.
    async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ApiError> {
        let fb = &self.fallbacks;
        let sticky = fb.sticky();
        let mut order: Vec<Option<usize>> = Vec::with_capacity(fb.clients.len() + 1);
        order.extend(sticky.map(Some));
        order.push(None);
        order.extend(
            (0..fb.clients.len())
                .filter(|i| Some(*i) != sticky)
                .map(Some),
        );
        let mut last = None;
        for slot in order {
            let client = slot.map_or(&self.http, |i| &fb.clients[i].1);
            match build(client).send().await {
                Ok(resp) => {
                    if slot != sticky {
                        if let Some(i) = slot {
                            crate::logs::warn(
                                "gateway.telegram",
                                format!(
                                    "the Bot API host is unreachable; using fallback IP {}",
                                    fb.clients[i].0
                                ),
                            );
                        }
                        fb.set_sticky(slot);
                    }
                    return Ok(resp);
                }
                Err(e) if e.is_connect() && !fb.clients.is_empty() => {
                    let via = slot.map_or_else(
                        || "the usual address".to_string(),
                        |i| format!("fallback IP {}", fb.clients[i].0),
                    );
                    crate::logs::warn(
                        "gateway.telegram",
                        format!(
                            "cannot reach the Bot API via {via}: {}",
                            describe(&e, &self.token)
                        ),
                    );
                    last = Some(e);
                }
                Err(e) => return Err(ApiError::Network(describe(&e, &self.token))),
            }
        }
        Err(ApiError::Network(last.map_or_else(
            || "no route to the Bot API".into(),
            |e| describe(&e, &self.token),
        )))
    }

    fn method_url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.base, self.token)
    }

    /// Calls `method` with a JSON body and decodes `result`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        timeout: Option<Duration>,
    ) -> Result<T, ApiError> {
        let url = self.method_url(method);
        let resp = self
            .send(|c| {
                c.post(&url)
                    .json(body)
                    .timeout(timeout.unwrap_or(CALL_TIMEOUT))
            })
            .await?;
        decode(resp, &self.token).await
    }

    /// Calls `method` with a multipart body (uploads).
    pub(crate) async fn call_multipart<T: DeserializeOwned>(
        &self,
        method: &str,
        form: Multipart,
    ) -> Result<T, ApiError> {
        let (content_type, body) = form.finish();
        let url = self.method_url(method);
        let resp = self
            .send(|c| {
                c.post(&url)
                    .header(reqwest::header::CONTENT_TYPE, &content_type)
                    .body(body.clone())
                    .timeout(Duration::from_mins(2))
            })
            .await?;
        decode(resp, &self.token).await
    }

    /// Downloads `<base>/file/bot<token>/<file_path>` into `dest`, refusing more than `max`
    /// bytes. Returns the size written.
    pub(crate) async fn download(
        &self,
        file_path: &str,
        dest: &Path,
        max: u64,
    ) -> Result<u64, ApiError> {
        let url = format!("{}/file/bot{}/{file_path}", self.base, self.token);
        let resp = self
            .send(|c| c.get(&url).timeout(Duration::from_mins(2)))
            .await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ApiError::Telegram(Failure {
                code: status.as_u16(),
                description: format!("download failed: {status}"),
                retry_after: None,
            }));
        }
        let mut bytes = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ApiError::Network(describe(&e, &self.token)))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max {
                return Err(ApiError::Telegram(Failure {
                    code: 413,
                    description: "file is too big".into(),
                    retry_after: None,
                }));
            }
        }
        crate::fsutil::write_atomic(dest, &bytes, Some(0o600))
            .map_err(|e| ApiError::Network(format!("cannot write {}: {e}", dest.display())))?;
        Ok(bytes.len() as u64)
    }
}

/// A network error's text with its causes, the host kept and the token replaced by `***`
/// (reqwest puts the URL, and with it the token, in the message).
fn describe(e: &reqwest::Error, token: &str) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    let text = format!("{kind}: {text}");
    if token.is_empty() {
        text
    } else {
        text.replace(token, "***")
    }
}

async fn decode<T: DeserializeOwned>(resp: reqwest::Response, token: &str) -> Result<T, ApiError> {
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| ApiError::Network(describe(&e, token)))?;
    let body: Option<Value> = serde_json::from_str(&text).ok();
    let ok = body
        .as_ref()
        .and_then(|b| b.get("ok"))
        .and_then(Value::as_bool);
    if status.is_success() && ok == Some(true) {
        let result = body
            .and_then(|mut b| b.get_mut("result").map(Value::take))
            .unwrap_or(Value::Null);
        return serde_json::from_value(result).map_err(|e| {
            ApiError::Telegram(Failure {
                code: 502,
                description: format!("unexpected answer: {e}"),
                retry_after: None,
            })
        });
    }
    let field = |k: &str| body.as_ref().and_then(|b| b.get(k));
    let code = field("error_code")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(if status.is_success() {
            502
        } else {
            status.as_u16()
        });
    let description = field("description")
        .or_else(|| field("message"))
        .and_then(Value::as_str)
        .map_or_else(|| format!("HTTP {status}"), str::to_string);
    let retry_after = field("parameters")
        .and_then(|p| p.get("retry_after"))
        .and_then(Value::as_u64)
        .map(Duration::from_secs);
    Err(ApiError::Telegram(Failure {
        code,
        description,
        retry_after,
    }))
}

/// A hand-built `multipart/form-data` body (two kinds of part are all the Bot API needs).
pub(crate) struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Multipart {
    pub(crate) fn new() -> Self {
        let mut b = [0u8; 12];
        let _ = getrandom::fill(&mut b);
        let hex: String = b.iter().fold(String::new(), |mut acc, x| {
            use std::fmt::Write as _;
            let _ = write!(acc, "{x:02x}");
            acc
        });
        Self {
            boundary: format!("hermes-{hex}"),
            body: Vec::new(),
        }
    }

    /// A text field.
    pub(crate) fn text(mut self, name: &str, value: &str) -> Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self
    }

    /// A file field.
    pub(crate) fn file(mut self, name: &str, file_name: &str, bytes: &[u8]) -> Self {
        let safe: String = file_name
            .chars()
            .map(|c| if c == '"' || c.is_control() { '_' } else { c })
            .collect();
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{safe}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.body,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: u16, retry: Option<u64>) -> ApiError {
        ApiError::Telegram(Failure {
            code,
            description: "x".into(),
            retry_after: retry.map(Duration::from_secs),
        })
    }

    #[test]
    fn classification() {
        assert!(matches!(
            failure(401, None).classify(),
            PlatformError::Unauthorized { .. }
        ));
        assert!(matches!(
            failure(404, None).classify(),
            PlatformError::Unauthorized { .. }
        ));
        assert_eq!(failure(409, None).classify().code(), "telegram_conflict");
        assert!(matches!(
            failure(429, Some(3)).classify(),
            PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3)
        ));
        assert!(failure(502, None).classify().is_retryable());
        assert!(ApiError::Network("x".into()).classify().is_retryable());
        assert_eq!(failure(400, None).classify().code(), "telegram_bad_request");
        assert!(
            ApiError::Telegram(Failure {
                code: 400,
                description: "Bad Request: message is not modified: specified new message content…"
                    .into(),
                retry_after: None
            })
            .is_not_modified()
        );
    }

    #[tokio::test]
    async fn network_errors_name_the_host_but_not_the_token() {
        let token = "123:SECRETTOKEN";
        let e = reqwest::Client::new()
            .post(format!("http://127.0.0.1:9/bot{token}/getMe"))
            .send()
            .await
            .unwrap_err();
        let text = describe(&e, token);
        assert!(text.contains("127.0.0.1:9"), "{text}");
        assert!(text.contains("bot***/getMe"), "{text}");
        assert!(!text.contains("SECRETTOKEN"), "{text}");
        assert!(text.starts_with("cannot connect"), "{text}");
    }

    #[test]
    fn multipart_shape() {
        let (ct, body) = Multipart::new()
            .text("chat_id", "42")
            .file("document", "a\"b.txt", b"hello")
            .finish();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let body = String::from_utf8(body).unwrap();
        assert!(body.starts_with(&format!("--{boundary}\r\n")));
        assert!(body.contains("name=\"chat_id\"\r\n\r\n42\r\n"));
        assert!(body.contains("filename=\"a_b.txt\""));
        assert!(body.ends_with(&format!("hello\r\n--{boundary}--\r\n")));
    }
}
