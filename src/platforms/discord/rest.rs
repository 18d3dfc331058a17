//! A thin Discord REST v10 client over the shared `reqwest` client: `Bot` authorization,
//! per-route rate-limit buckets (`X-RateLimit-*`), 429s waited out when `retry_after` is short,
//! attachment downloads, and the classification of failures into [`PlatformError`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::platforms::PlatformError;

/// The platform name used in errors, sources and status.
pub const PLATFORM: &str = "discord";
/// How many 429s one call waits out before giving up.
const RATE_LIMIT_RETRIES: u32 = 3;
/// A request timeout for ordinary calls.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The bot account, as `GET /users/@me` answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BotUser {
    /// The bot's user id (a snowflake).
    pub id: String,
    /// Its username.
    #[serde(default)]
    pub username: String,
}

/// A failed call.
#[derive(Debug)]
pub(crate) enum RestError {
    /// No answer (connect, timeout, body).
    Network(String),
    /// An HTTP error answer.
    Http {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
}

impl RestError {
    /// The class the supervisor and delivery act on.
    pub(crate) fn classify(self) -> PlatformError {
        let platform = PLATFORM.to_string();
        match self {
            Self::Network(message) => PlatformError::Transient { platform, message },
            Self::Http {
                status,
                message,
                retry_after,
            } => match status {
                401 => PlatformError::Unauthorized {
                    platform,
                    message: format!(
                        "Discord rejected the bot token (401 {message}); check DISCORD_BOT_TOKEN in the Developer Portal"
                    ),
                },
                429 => PlatformError::RateLimited {
                    platform,
                    retry_after,
                },
                s if s >= 500 => PlatformError::Transient {
                    platform,
                    message: format!("{s} {message}"),
                },
                s => PlatformError::Fatal {
                    platform,
                    message: format!("{s} {message}"),
                    code: match s {
                        403 => "discord_forbidden",
                        404 => "discord_not_found",
                        _ => "discord_bad_request",
                    }
                    .into(),
                },
            },
        }
    }
}

/// What a request carries.
pub(crate) enum Body {
    Empty,
    Json(Value),
    /// `(content type, bytes)` of a multipart form.
    Multipart(String, Vec<u8>),
}

/// The REST endpoint for one bot token.
#[derive(Clone)]
pub(crate) struct Rest {
    http: reqwest::Client,
    base: String,
    token: String,
    max_wait: Duration,
    /// Routes whose bucket is exhausted, until when.
    blocked: Arc<Mutex<HashMap<String, Instant>>>,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes a path segment (reaction emoji).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The bucket key of a route: the method and path with message ids folded, so one
/// channel's sends share a bucket as Discord's major parameter does.
fn route_key(method: &Method, path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    for i in 1..parts.len() {
        if parts[i - 1] == "messages" && parts[i].bytes().all(|b| b.is_ascii_digit()) {
            parts[i] = "{id}";
        }
    }
    format!("{method} {}", parts.join("/"))
}

fn header_secs(resp: &reqwest::Response, name: &str) -> Option<Duration> {
    resp.headers()
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

impl Rest {
    pub(crate) fn new(http: reqwest::Client, base: &str, token: &str, max_wait: Duration) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            max_wait,
            blocked: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn describe(&self, e: &reqwest::Error) -> String {
        let kind = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "cannot connect"
        } else {
            "request failed"
        };
        format!("{kind}: {e}").replace(&self.token, "***")
    }

    async fn wait_for_bucket(&self, key: &str) {
        let until = self.blocked.lock().ok().and_then(|m| m.get(key).copied());
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                tokio::time::sleep((until - now).min(self.max_wait)).await;
            }
        }
    }

    fn note_bucket(&self, key: &str, resp: &reqwest::Response) {
        let remaining = resp
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let Ok(mut map) = self.blocked.lock() else {
            return;
        };
        match (remaining, header_secs(resp, "x-ratelimit-reset-after")) {
            (Some(0), Some(after)) => {
                map.insert(key.to_string(), Instant::now() + after);
            }
            _ => {
                map.remove(key);
            }
        }
    }

    /// Sends one request; 429s with a short `retry_after` are waited out and retried.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: &Body,
    ) -> Result<Value, RestError> {
        let key = route_key(&method, path);
        let mut attempt = 0;
        loop {
            self.wait_for_bucket(&key).await;
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .header("Authorization", format!("Bot {}", self.token))
                .header("User-Agent", "DiscordBot (https://hermes.local, 0.1)")
                .timeout(CALL_TIMEOUT);
            req = match body {
                Body::Empty => req,
                Body::Json(v) => req.json(v),
                Body::Multipart(ct, bytes) => req
                    .header(reqwest::header::CONTENT_TYPE, ct)
                    .body(bytes.clone())
                    .timeout(Duration::from_mins(2)),
            };
            let resp = req
                .send()
                .await
                .map_err(|e| RestError::Network(self.describe(&e)))?;
            self.note_bucket(&key, &resp);
            let status = resp.status();
            let header_retry =
                header_secs(&resp, "retry-after").or(header_secs(&resp, "x-ratelimit-reset-after"));
            let text = resp
                .text()
                .await
                .map_err(|e| RestError::Network(self.describe(&e)))?;
            let json: Option<Value> = serde_json::from_str(&text).ok();
            if status.is_success() {
                return Ok(json.unwrap_or(Value::Null));
            }
            let message = json
                .as_ref()
                .and_then(|j| j.get("message"))
                .and_then(Value::as_str)
                .map_or_else(
                    || status.canonical_reason().unwrap_or("error").to_string(),
                    str::to_string,
                );
            if status.as_u16() == 429 {
                // `retry_after` in the body is seconds as a float; the headers agree.
                let retry = json
                    .as_ref()
                    .and_then(|j| j.get("retry_after"))
                    .and_then(Value::as_f64)
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(Duration::from_secs_f64)
                    .or(header_retry);
                let wait = retry.unwrap_or(Duration::from_secs(1));
                if attempt < RATE_LIMIT_RETRIES && wait <= self.max_wait {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(RestError::Http {
                    status: 429,
                    message,
                    retry_after: retry,
                });
            }
            return Err(RestError::Http {
                status: status.as_u16(),
                message,
                retry_after: None,
            });
        }
    }

    /// `GET /users/@me`.
    pub(crate) async fn me(&self) -> Result<BotUser, RestError> {
        let v = self.call(Method::GET, "/users/@me", &Body::Empty).await?;
        serde_json::from_value(v).map_err(|e| RestError::Http {
            status: 502,
            message: format!("unexpected /users/@me answer: {e}"),
            retry_after: None,
        })
    }

    /// `GET /gateway/bot`: the websocket URL to connect to.
    pub(crate) async fn gateway_url(&self) -> Result<String, RestError> {
        let v = self.call(Method::GET, "/gateway/bot", &Body::Empty).await?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| RestError::Http {
                status: 502,
                message: "GET /gateway/bot answered without a url".into(),
                retry_after: None,
            })
    }

    /// Downloads an attachment (CDN URLs need no authorization) into `dest`, refusing more
    /// than `max` bytes. `Ok(false)` means it was too big.
    pub(crate) async fn download(
        &self,
        url: &str,
        dest: &Path,
        max: u64,
    ) -> Result<bool, RestError> {
        let resp = self
            .http
            .get(url)
            .timeout(Duration::from_mins(2))
            .send()
            .await
            .map_err(|e| RestError::Network(self.describe(&e)))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(RestError::Http {
                status: status.as_u16(),
                message: format!("download failed: {status}"),
                retry_after: None,
            });
        }
        let mut bytes = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| RestError::Network(self.describe(&e)))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max {
                return Ok(false);
            }
        }
        crate::fsutil::write_atomic(dest, &bytes, Some(0o600))
            .map_err(|e| RestError::Network(format!("cannot write {}: {e}", dest.display())))?;
        Ok(true)
    }
}

/// A hand-built `multipart/form-data` body: `payload_json` plus one file.
pub(crate) fn multipart(payload: &Value, file_name: &str, bytes: &[u8]) -> Body {
    let mut b = [0u8; 12];
    let _ = getrandom::fill(&mut b);
    let boundary: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let boundary = format!("hermes-{boundary}");
    let safe: String = file_name
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .collect();
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n{payload}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"{safe}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Body::Multipart(format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> RestError {
        RestError::Http {
            status,
            message: "x".into(),
            retry_after: Some(Duration::from_millis(1500)),
        }
    }

    #[test]
    fn classification_and_routes() {
        assert!(matches!(
            http(401).classify(),
            PlatformError::Unauthorized { .. }
        ));
        assert!(matches!(
            http(429).classify(),
            PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_millis(1500)
        ));
        assert!(http(502).classify().is_retryable());
        assert_eq!(http(403).classify().code(), "discord_forbidden");
        assert_eq!(http(400).classify().code(), "discord_bad_request");
        assert_eq!(
            route_key(&Method::PATCH, "/channels/1/messages/99"),
            "PATCH /channels/1/messages/{id}"
        );
        assert_eq!(encode_segment("👀"), "%F0%9F%91%80");
        assert_eq!(encode_segment("name:123"), "name:123");
    }

    #[test]
    fn multipart_shape() {
        let Body::Multipart(ct, body) =
            multipart(&serde_json::json!({"content": "hi"}), "a\"b.txt", b"data")
        else {
            panic!("multipart")
        };
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let body = String::from_utf8(body).unwrap();
        assert!(body.contains("name=\"payload_json\""));
        assert!(body.contains("{\"content\":\"hi\"}"));
        assert!(body.contains("filename=\"a_b.txt\""));
        assert!(body.ends_with(&format!("data\r\n--{boundary}--\r\n")));
    }
}
