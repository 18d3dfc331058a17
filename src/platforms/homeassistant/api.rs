//! Home Assistant's REST API (`/api/states`, `/api/services`, `/api/events`), shared by the
//! adapter's outbox (persistent notifications) and the agent's `ha_*` tools.

use std::time::Duration;

use serde_json::Value;

use super::PLATFORM;
use crate::platforms::PlatformError;

/// How long one REST call may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Why a REST call failed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// 401/403: the token is wrong or revoked.
    #[error("Home Assistant rejected the access token (HTTP {status})")]
    Unauthorized { status: u16 },
    /// 404: no such entity or service.
    #[error("not found: {path}")]
    NotFound { path: String },
    /// 429 (from Home Assistant or a proxy in front of it), with its `Retry-After`.
    #[error("Home Assistant is rate limiting requests (HTTP 429)")]
    RateLimited { retry_after: Option<Duration> },
    /// Any other error status.
    #[error("Home Assistant API error ({status}): {body}")]
    Status { status: u16, body: String },
    /// The request did not complete.
    #[error("cannot reach Home Assistant: {source}")]
    Http {
        #[source]
        source: reqwest::Error,
    },
}

impl RestError {
    /// The class the gateway acts on.
    #[must_use]
    pub fn classify(&self) -> PlatformError {
        match self {
            Self::Unauthorized { .. } => PlatformError::Unauthorized {
                platform: PLATFORM.into(),
                message: self.to_string(),
            },
            Self::RateLimited { retry_after } => PlatformError::RateLimited {
                platform: PLATFORM.into(),
                retry_after: *retry_after,
            },
            Self::Status { status: 429, .. } => PlatformError::RateLimited {
                platform: PLATFORM.into(),
                retry_after: None,
            },
            Self::Status { status, .. } if *status >= 500 => PlatformError::Transient {
                platform: PLATFORM.into(),
                message: self.to_string(),
            },
            Self::Http { .. } => PlatformError::Transient {
                platform: PLATFORM.into(),
                message: self.to_string(),
            },
            Self::NotFound { .. } | Self::Status { .. } => PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: self.to_string(),
                code: "homeassistant_rejected".into(),
            },
        }
    }
}

/// `Retry-After` in delta-seconds (RFC 9110 §10.2.3); an HTTP-date is not used.
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    h.get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// A REST client for one instance.
#[derive(Clone)]
pub struct Rest {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Rest {
    /// A client for the instance at `base` (e.g. `http://homeassistant.local:8123`).
    #[must_use]
    pub fn new(http: reqwest::Client, base: &str, token: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    async fn call(&self, req: reqwest::RequestBuilder, path: &str) -> Result<Value, RestError> {
        let resp = req
            .bearer_auth(&self.token)
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|source| RestError::Http { source })?;
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        let body = resp
            .text()
            .await
            .map_err(|source| RestError::Http { source })?;
        match status {
            200..=299 => Ok(serde_json::from_str(&body).unwrap_or(Value::String(body))),
            401 | 403 => Err(RestError::Unauthorized { status }),
            404 => Err(RestError::NotFound { path: path.into() }),
            429 => Err(RestError::RateLimited { retry_after }),
            _ => Err(RestError::Status {
                status,
                body: body.chars().take(300).collect(),
            }),
        }
    }

    /// `GET <path>`.
    pub async fn get(&self, path: &str) -> Result<Value, RestError> {
        let url = format!("{}{path}", self.base);
        self.call(self.http.get(url), path).await
    }

    /// `POST <path>` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, RestError> {
        let url = format!("{}{path}", self.base);
        self.call(self.http.post(url).json(body), path).await
    }

    /// `GET /api/` — checks the token (`doctor`).
    pub async fn check(&self) -> Result<(), RestError> {
        self.get("/api/").await.map(|_| ())
    }

    /// Every entity's state.
    pub async fn states(&self) -> Result<Vec<Value>, RestError> {
        match self.get("/api/states").await? {
            Value::Array(a) => Ok(a),
            other => Err(RestError::Status {
                status: 200,
                body: format!("expected a list of states, got {other}"),
            }),
        }
    }

    /// One entity's state.
    pub async fn state(&self, entity_id: &str) -> Result<Value, RestError> {
        self.get(&format!("/api/states/{entity_id}")).await
    }

    /// Every service, by domain.
    pub async fn services(&self) -> Result<Vec<Value>, RestError> {
        match self.get("/api/services").await? {
            Value::Array(a) => Ok(a),
            other => Err(RestError::Status {
                status: 200,
                body: format!("expected a list of services, got {other}"),
            }),
        }
    }

    /// Calls `domain.service` with `data`; returns the states it changed.
    pub async fn call_service(
        &self,
        domain: &str,
        service: &str,
        data: &Value,
    ) -> Result<Value, RestError> {
        self.post(&format!("/api/services/{domain}/{service}"), data)
            .await
    }
}
