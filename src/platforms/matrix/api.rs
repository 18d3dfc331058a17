//! A small Matrix client-server API (v3) client over the shared `reqwest` client: login,
//! whoami, `/sync`, joins, room sends with transaction ids, typing, redactions, account data,
//! media upload and size-limited download. Errors keep the `errcode`, so callers can tell a
//! revoked token (`M_UNKNOWN_TOKEN`) from a rate limit (`M_LIMIT_EXCEEDED`).

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::PLATFORM;
use crate::platforms::PlatformError;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a Matrix error.
    #[error("{errcode} (HTTP {status}): {message}")]
    Matrix {
        status: u16,
        errcode: String,
        message: String,
        retry_after: Option<Duration>,
        soft_logout: bool,
    },
    /// The request did not get an answer.
    #[error("request failed: {source}")]
    Http {
        #[source]
        source: reqwest::Error,
    },
    /// A file was bigger than allowed.
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: u64 },
    /// Writing a downloaded file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ApiError {
    /// The Matrix error code, if the server sent one.
    #[must_use]
    pub fn errcode(&self) -> Option<&str> {
        match self {
            Self::Matrix { errcode, .. } => Some(errcode),
            _ => None,
        }
    }

    /// Whether the access token was refused.
    #[must_use]
    pub fn is_unknown_token(&self) -> bool {
        matches!(self, Self::Matrix { status: 401, .. })
            || self.errcode() == Some("M_UNKNOWN_TOKEN")
            || self.errcode() == Some("M_MISSING_TOKEN")
    }

    /// Whether the server asked for a fresh login on the same device (`soft_logout`).
    #[must_use]
    pub fn is_soft_logout(&self) -> bool {
        matches!(
            self,
            Self::Matrix {
                soft_logout: true,
                ..
            }
        )
    }

    /// Maps the failure to the supervisor's classes.
    #[must_use]
    pub fn classify(self) -> PlatformError {
        let platform = PLATFORM.to_string();
        match self {
            e if e.is_unknown_token() => PlatformError::Unauthorized {
                platform,
                message: e.to_string(),
            },
            Self::Matrix {
                status: 429,
                retry_after,
                ..
            } => PlatformError::RateLimited {
                platform,
                retry_after,
            },
            Self::Matrix {
                errcode,
                retry_after,
                ..
            } if errcode == "M_LIMIT_EXCEEDED" => PlatformError::RateLimited {
                platform,
                retry_after,
            },
            e @ Self::Matrix { status, .. } if status < 500 && status != 408 => {
                PlatformError::Fatal {
                    platform,
                    message: e.to_string(),
                    code: "matrix_request".into(),
                }
            }
            e => PlatformError::Transient {
                platform,
                message: e.to_string(),
            },
        }
    }
}

/// Percent-encodes one path segment (room ids hold `!` and `:`, event ids `$`).
#[must_use]
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `POST /login` and `GET /account/whoami` answers.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    /// The account.
    pub user_id: String,
    /// The access token (login only).
    #[serde(default)]
    pub access_token: Option<String>,
    /// The device.
    #[serde(default)]
    pub device_id: Option<String>,
}

/// The API client; the access token can change (re-login) while clones share it.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Arc<RwLock<String>>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

async fn error_from(resp: reqwest::Response) -> ApiError {
    let status = resp.status().as_u16();
    let header_retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let retry_after = body
        .get("retry_after_ms")
        .and_then(Value::as_u64)
        .map(Duration::from_millis)
        .or(header_retry);
    ApiError::Matrix {
        status,
        errcode: body
            .get("errcode")
            .and_then(Value::as_str)
            .unwrap_or("M_UNKNOWN")
            .to_string(),
        message: body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        retry_after,
        soft_logout: body.get("soft_logout").and_then(Value::as_bool) == Some(true),
    }
}

impl Api {
    /// A client for the homeserver at `base`.
    #[must_use]
    pub fn new(http: reqwest::Client, base: &str, token: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: Arc::new(RwLock::new(token.to_string())),
        }
    }

    /// Replaces the access token (after a login).
    pub fn set_token(&self, token: &str) {
        if let Ok(mut t) = self.token.write() {
            *t = token.to_string();
        }
    }

    fn token(&self) -> String {
        self.token.read().map(|t| t.clone()).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/_matrix/client/v3{path}", self.base)
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> Result<Value, ApiError> {
        let token = self.token();
        let req = if token.is_empty() {
            req
        } else {
            req.bearer_auth(token)
        };
        let resp = req
            .timeout(timeout)
            .send()
            .await
            .map_err(|source| ApiError::Http { source })?;
        if !resp.status().is_success() {
            return Err(error_from(resp).await);
        }
        resp.json()
            .await
            .map_err(|source| ApiError::Http { source })
    }

    /// `GET` a client-API path.
    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.send(self.http.get(self.url(path)), Duration::from_secs(30))
            .await
    }

    /// `PUT` JSON to a client-API path.
    pub async fn put(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(
            self.http.put(self.url(path)).json(body),
            Duration::from_secs(45),
        )
        .await
    }

    /// `POST` JSON to a client-API path.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(
            self.http.post(self.url(path)).json(body),
            Duration::from_secs(45),
        )
        .await
    }

    /// `POST /login` with a password; reuses `device_id` when given.
    pub async fn login(
        &self,
        user: &str,
        password: &str,
        device_id: Option<&str>,
    ) -> Result<Session, ApiError> {
        let mut body = json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
            "initial_device_display_name": "Hermes Agent",
        });
        if let Some(d) = device_id {
            body["device_id"] = json!(d);
        }
        let resp = self
            .send(
                self.http.post(self.url("/login")).json(&body),
                Duration::from_secs(30),
            )
            .await?;
        serde_json::from_value(resp).map_err(|e| ApiError::Matrix {
            status: 200,
            errcode: "M_BAD_JSON".into(),
            message: e.to_string(),
            retry_after: None,
            soft_logout: false,
        })
    }

    /// `GET /account/whoami`.
    pub async fn whoami(&self) -> Result<Session, ApiError> {
        let v = self.get("/account/whoami").await?;
        serde_json::from_value(v).map_err(|e| ApiError::Matrix {
            status: 200,
            errcode: "M_BAD_JSON".into(),
            message: e.to_string(),
            retry_after: None,
            soft_logout: false,
        })
    }

    /// One `/sync` long poll.
    pub async fn sync(
        &self,
        since: Option<&str>,
        filter: &str,
        timeout: Duration,
    ) -> Result<Value, ApiError> {
        let ms = timeout.as_millis().to_string();
        let mut query = vec![("timeout", ms.as_str()), ("filter", filter)];
        if let Some(s) = since {
            query.push(("since", s));
        }
        self.send(
            self.http.get(self.url("/sync")).query(&query),
            timeout + Duration::from_secs(15),
        )
        .await
    }

    /// `PUT /rooms/{room}/send/{type}/{txn}`; returns the event id.
    pub async fn send_event(
        &self,
        room: &str,
        event_type: &str,
        txn: &str,
        content: &Value,
    ) -> Result<String, ApiError> {
        let v = self
            .put(
                &format!("/rooms/{}/send/{}/{}", enc(room), enc(event_type), enc(txn)),
                content,
            )
            .await?;
        Ok(v.get("event_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// `POST /_matrix/media/v3/upload`; returns the `mxc://` URI.
    pub async fn upload(&self, bytes: Vec<u8>, mime: &str, name: &str) -> Result<String, ApiError> {
        let url = format!("{}/_matrix/media/v3/upload", self.base);
        let v = self
            .send(
                self.http
                    .post(url)
                    .query(&[("filename", name)])
                    .header("content-type", mime)
                    .body(bytes),
                Duration::from_mins(2),
            )
            .await?;
        Ok(v.get("content_uri")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// Downloads `mxc://server/id` into `dest`, refusing more than `max` bytes. Tries the
    /// authenticated media API (`/_matrix/client/v1/media/download`), then the legacy one.
    pub async fn download(&self, mxc: &str, dest: &Path, max: u64) -> Result<u64, ApiError> {
        let id = mxc.strip_prefix("mxc://").unwrap_or(mxc);
        let (server, media) = id.split_once('/').unwrap_or((id, ""));
        let tail = format!("{}/{}", enc(server), enc(media));
        let urls = [
            format!("{}/_matrix/client/v1/media/download/{tail}", self.base),
            format!("{}/_matrix/media/v3/download/{tail}", self.base),
        ];
        let mut last = None;
        for url in urls {
            let resp = self
                .http
                .get(&url)
                .bearer_auth(self.token())
                .timeout(Duration::from_mins(2))
                .send()
                .await
                .map_err(|source| ApiError::Http { source })?;
            if resp.status().is_success() {
                return save(resp, dest, max).await;
            }
            let e = error_from(resp).await;
            // Older servers answer 404 M_UNRECOGNIZED for the authenticated endpoint.
            let fallback = matches!(
                &e,
                ApiError::Matrix {
                    status: 404 | 405,
                    ..
                }
            );
            last = Some(e);
            if !fallback {
                break;
            }
        }
        Err(last.unwrap_or(ApiError::TooLarge { max }))
    }
}

async fn save(resp: reqwest::Response, dest: &Path, max: u64) -> Result<u64, ApiError> {
    if resp.content_length().is_some_and(|n| n > max) {
        return Err(ApiError::TooLarge { max });
    }
    let mut bytes = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|source| ApiError::Http { source })?;
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(ApiError::TooLarge { max });
        }
        bytes.extend_from_slice(&chunk);
    }
    let io = |source| ApiError::Io {
        path: dest.display().to_string(),
        source,
    };
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    crate::fsutil::write_atomic(dest, &bytes, Some(0o600)).map_err(io)?;
    Ok(bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let m = |status, errcode: &str, soft| ApiError::Matrix {
            status,
            errcode: errcode.into(),
            message: String::new(),
            retry_after: Some(Duration::from_millis(1500)),
            soft_logout: soft,
        };
        assert!(matches!(
            m(401, "M_UNKNOWN_TOKEN", false).classify(),
            PlatformError::Unauthorized { .. }
        ));
        assert!(m(401, "M_UNKNOWN_TOKEN", true).is_soft_logout());
        match m(429, "M_LIMIT_EXCEEDED", false).classify() {
            PlatformError::RateLimited { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_millis(1500)));
            }
            other => panic!("{other:?}"),
        }
        assert!(m(502, "M_UNKNOWN", false).classify().is_retryable());
        assert!(!m(403, "M_FORBIDDEN", false).classify().is_retryable());
        assert_eq!(enc("!a:b.c"), "%21a%3Ab.c");
    }
}
