//! A thin Slack Web API client over the shared `reqwest` client: Bearer tokens, JSON bodies
//! for write methods and forms for the rest, `{"ok": false, "error": …}` answers and HTTP 429
//! `Retry-After` classified into [`PlatformError`], private file downloads and uploads.

use std::path::Path;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::platforms::PlatformError;

/// The platform name used in errors, sources and status.
pub const PLATFORM: &str = "slack";
/// How many 429s one call waits out before giving up.
const RATE_LIMIT_RETRIES: u32 = 2;
/// A request timeout for ordinary calls.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Slack's error codes that mean the token is bad.
const AUTH_ERRORS: [&str; 5] = [
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "not_authed",
    "token_expired",
];

/// A failed call.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// No answer (connect, timeout, body).
    Network(String),
    /// An HTTP error status.
    Http {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// `{"ok": false, "error": "…"}`.
    Slack { method: String, error: String },
}

impl ApiError {
    /// The class the supervisor and delivery act on.
    pub(crate) fn classify(self) -> PlatformError {
        let platform = PLATFORM.to_string();
        match self {
            Self::Network(message) => PlatformError::Transient { platform, message },
            Self::Http {
                status: 429,
                retry_after,
            } => PlatformError::RateLimited {
                platform,
                retry_after,
            },
            Self::Http { status, .. } if status >= 500 => PlatformError::Transient {
                platform,
                message: format!("HTTP {status}"),
            },
            Self::Http { status, .. } => PlatformError::Fatal {
                platform,
                message: format!("HTTP {status}"),
                code: format!("slack_http_{status}"),
            },
            Self::Slack { method, error } if AUTH_ERRORS.contains(&error.as_str()) => {
                PlatformError::Unauthorized {
                    platform,
                    message: format!(
                        "Slack rejected the token in {method} ({error}); check SLACK_BOT_TOKEN and SLACK_APP_TOKEN"
                    ),
                }
            }
            Self::Slack { error, .. } if error == "ratelimited" => PlatformError::RateLimited {
                platform,
                retry_after: None,
            },
            Self::Slack { method, error } => PlatformError::Fatal {
                platform,
                message: format!("{method} failed: {error}"),
                code: format!("slack_{error}"),
            },
        }
    }
}

/// How a method's arguments are sent.
pub(crate) enum Args {
    /// `application/json` (write methods).
    Json(Value),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(&'static str, String)>),
}

/// The Web API.
#[derive(Clone)]
pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
    max_wait: Duration,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{kind}: {e}")
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    resp.headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

impl Api {
    pub(crate) fn new(http: reqwest::Client, base: &str, max_wait: Duration) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            max_wait,
        }
    }

    /// Calls `method` with `token`; an HTTP 429 with a short `Retry-After` is waited out.
    pub(crate) async fn call(
        &self,
        method: &str,
        token: &str,
        args: &Args,
    ) -> Result<Value, ApiError> {
        let mut attempt = 0;
        loop {
            let req = self
                .http
                .post(format!("{}/{method}", self.base))
                .bearer_auth(token)
                .timeout(CALL_TIMEOUT);
            let req = match args {
                Args::Json(v) => req.json(v),
                Args::Form(pairs) => req.form(pairs),
            };
            let resp = req
                .send()
                .await
                .map_err(|e| ApiError::Network(describe(&e)))?;
            let status = resp.status();
            if status.as_u16() == 429 {
                let retry = retry_after(&resp);
                let wait = retry.unwrap_or(Duration::from_secs(1));
                if attempt < RATE_LIMIT_RETRIES && wait <= self.max_wait {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(ApiError::Http {
                    status: 429,
                    retry_after: retry,
                });
            }
            if !status.is_success() {
                return Err(ApiError::Http {
                    status: status.as_u16(),
                    retry_after: None,
                });
            }
            let body: Value = resp
                .json()
                .await
                .map_err(|e| ApiError::Network(describe(&e)))?;
            if body.get("ok").and_then(Value::as_bool) == Some(true) {
                return Ok(body);
            }
            return Err(ApiError::Slack {
                method: method.to_string(),
                error: body
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown_error")
                    .to_string(),
            });
        }
    }

    /// Downloads a private file (`url_private_download`) with the bot token into `dest`,
    /// refusing more than `max` bytes. `Ok(false)` means it was too big.
    pub(crate) async fn download(
        &self,
        url: &str,
        token: &str,
        dest: &Path,
        max: u64,
    ) -> Result<bool, ApiError> {
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            .timeout(Duration::from_mins(2))
            .send()
            .await
            .map_err(|e| ApiError::Network(describe(&e)))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ApiError::Http {
                status: status.as_u16(),
                retry_after: retry_after(&resp),
            });
        }
        // Without a valid token Slack answers with its sign-in page instead of the file.
        let html = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
        if html {
            return Err(ApiError::Slack {
                method: "file download".into(),
                error: "not_authed".into(),
            });
        }
        let mut bytes = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ApiError::Network(describe(&e)))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max {
                return Ok(false);
            }
        }
        crate::fsutil::write_atomic(dest, &bytes, Some(0o600))
            .map_err(|e| ApiError::Network(format!("cannot write {}: {e}", dest.display())))?;
        Ok(true)
    }

    /// Posts raw bytes to an upload URL from `files.getUploadURLExternal`.
    pub(crate) async fn upload(&self, url: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        let resp = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .timeout(Duration::from_mins(2))
            .send()
            .await
            .map_err(|e| ApiError::Network(describe(&e)))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(ApiError::Http {
                status: resp.status().as_u16(),
                retry_after: retry_after(&resp),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(error: &str) -> PlatformError {
        ApiError::Slack {
            method: "auth.test".into(),
            error: error.into(),
        }
        .classify()
    }

    #[test]
    fn classification() {
        for e in AUTH_ERRORS {
            assert!(
                matches!(slack(e), PlatformError::Unauthorized { .. }),
                "{e}"
            );
        }
        assert!(matches!(
            slack("ratelimited"),
            PlatformError::RateLimited { .. }
        ));
        assert_eq!(slack("channel_not_found").code(), "slack_channel_not_found");
        assert!(matches!(
            ApiError::Http { status: 429, retry_after: Some(Duration::from_secs(3)) }.classify(),
            PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3)
        ));
        assert!(
            ApiError::Http {
                status: 503,
                retry_after: None
            }
            .classify()
            .is_retryable()
        );
        assert!(ApiError::Network("x".into()).classify().is_retryable());
    }
}
