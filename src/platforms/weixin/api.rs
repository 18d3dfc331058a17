//! The iLink bot HTTP API (`<base>/ilink/bot/*`): POSTs of compact JSON carrying `base_info`
//! with the bot-token headers, GETs for the QR login with the two app headers, and the
//! `ret`/`errcode` status every answer carries. What the codes mean for the loop is elsewhere.

use std::time::Duration;

use serde_json::{Map, Value};

use super::crypto;

/// `getupdates`: the long poll.
pub const EP_GET_UPDATES: &str = "ilink/bot/getupdates";
/// `sendmessage`.
pub const EP_SEND_MESSAGE: &str = "ilink/bot/sendmessage";
/// `sendtyping`.
pub const EP_SEND_TYPING: &str = "ilink/bot/sendtyping";
/// `getconfig` (typing tickets).
pub const EP_GET_CONFIG: &str = "ilink/bot/getconfig";
/// `getuploadurl` (media upload).
pub const EP_GET_UPLOAD_URL: &str = "ilink/bot/getuploadurl";
/// `get_bot_qrcode` (GET).
pub const EP_GET_BOT_QR: &str = "ilink/bot/get_bot_qrcode";
/// `get_qrcode_status` (GET).
pub const EP_GET_QR_STATUS: &str = "ilink/bot/get_qrcode_status";

/// `base_info.channel_version` on every POST.
pub const CHANNEL_VERSION: &str = "2.2.0";
/// `iLink-App-Id`.
pub const APP_ID: &str = "bot";
/// `iLink-App-ClientVersion`: (2<<16)|(2<<8)|0.
pub const APP_CLIENT_VERSION: u32 = (2 << 16) | (2 << 8);

/// `errcode`/`ret` of an expired session.
pub const SESSION_EXPIRED: i64 = -14;
/// `errcode`/`ret` of a rate limit (or, with some messages, a stale context token).
pub const RATE_LIMITED: i64 = -2;

/// A failed iLink call (transport level; `ret` codes are read by the caller).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No answer within the timeout.
    #[error("iLink {endpoint} timed out")]
    Timeout { endpoint: String },
    /// A non-success HTTP status.
    #[error("iLink {endpoint} HTTP {status}: {body}")]
    Status {
        endpoint: String,
        status: u16,
        body: String,
    },
    /// The request could not be made.
    #[error("iLink {endpoint} request failed")]
    Network {
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer is not JSON.
    #[error("iLink {endpoint} returned invalid JSON")]
    Decode {
        endpoint: String,
        #[source]
        source: serde_json::Error,
    },
}

impl ApiError {
    /// The server refused the credentials (HTTP 401 or 403).
    #[must_use]
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::Status {
                status: 401 | 403,
                ..
            }
        )
    }

    /// The call timed out.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// The full message with its causes, for logs.
    #[must_use]
    pub fn detail(&self) -> String {
        let mut s = self.to_string();
        let mut src = std::error::Error::source(self);
        while let Some(e) = src {
            s.push_str(": ");
            s.push_str(&e.to_string());
            src = e.source();
        }
        s
    }
}

/// The status fields of an iLink answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ret {
    /// `ret`.
    pub ret: Option<i64>,
    /// `errcode`.
    pub errcode: Option<i64>,
    /// `errmsg`.
    pub errmsg: String,
}

impl Ret {
    /// Reads `ret`, `errcode` and `errmsg` from an answer.
    #[must_use]
    pub fn of(v: &Value) -> Self {
        Self {
            ret: v.get("ret").and_then(Value::as_i64),
            errcode: v.get("errcode").and_then(Value::as_i64),
            errmsg: v
                .get("errmsg")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// Both codes absent or zero.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.ret.unwrap_or(0) == 0 && self.errcode.unwrap_or(0) == 0
    }

    fn either(&self, code: i64) -> bool {
        self.ret == Some(code) || self.errcode == Some(code)
    }

    /// `-14`: the session expired.
    #[must_use]
    pub fn is_session_expired(&self) -> bool {
        self.either(SESSION_EXPIRED)
    }

    /// `-2` with `unknown error`, an empty message or `rate limited`: in practice a stale
    /// context token rather than a real rate limit (upstream #35949, #48222).
    #[must_use]
    pub fn is_stale_context(&self) -> bool {
        self.either(RATE_LIMITED)
            && matches!(
                self.errmsg.trim().to_ascii_lowercase().as_str(),
                "" | "unknown error" | "rate limited"
            )
    }

    /// `-2` that is a real rate limit.
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        self.either(RATE_LIMITED) && !self.is_stale_context()
    }
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = |c: Option<i64>| c.map_or_else(|| "none".to_string(), |c| c.to_string());
        write!(
            f,
            "ret={} errcode={} errmsg={}",
            code(self.ret),
            code(self.errcode),
            self.errmsg
        )
    }
}

/// A client for one iLink base URL, with or without a bot token.
#[derive(Clone)]
pub struct Ilink {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

impl std::fmt::Debug for Ilink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ilink")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Ilink {
    /// A client for `base_url`; `token` is sent as the bearer on POSTs.
    #[must_use]
    pub fn new(http: reqwest::Client, base_url: &str, token: Option<&str>) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: token.map(str::to_string),
        }
    }

    /// The base URL.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// POSTs `payload` (an object) plus `base_info` to `endpoint` and returns the JSON answer.
    pub async fn post(
        &self,
        endpoint: &str,
        mut payload: Map<String, Value>,
        timeout: Duration,
    ) -> Result<Value, ApiError> {
        payload.insert(
            "base_info".into(),
            serde_json::json!({ "channel_version": CHANNEL_VERSION }),
        );
        // serde_json writes compact JSON and leaves non-ASCII unescaped, as iLink expects.
        let body = Value::Object(payload).to_string();
        let mut req = self
            .http
            .post(format!("{}/{endpoint}", self.base_url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("AuthorizationType", "ilink_bot_token")
            .header("X-WECHAT-UIN", crypto::random_uin())
            .header("iLink-App-Id", APP_ID)
            .header("iLink-App-ClientVersion", APP_CLIENT_VERSION.to_string());
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        read_json(endpoint, req.body(body).send().await).await
    }

    /// GETs `path_and_query` (QR login) with only the two app headers.
    pub async fn get(&self, path_and_query: &str, timeout: Duration) -> Result<Value, ApiError> {
        let endpoint = path_and_query.split('?').next().unwrap_or(path_and_query);
        let req = self
            .http
            .get(format!("{}/{path_and_query}", self.base_url))
            .timeout(timeout)
            .header("iLink-App-Id", APP_ID)
            .header("iLink-App-ClientVersion", APP_CLIENT_VERSION.to_string());
        read_json(endpoint, req.send().await).await
    }
}

async fn read_json(
    endpoint: &str,
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<Value, ApiError> {
    let endpoint = endpoint.to_string();
    let classify = |endpoint: String, source: reqwest::Error| {
        if source.is_timeout() {
            ApiError::Timeout { endpoint }
        } else {
            ApiError::Network { endpoint, source }
        }
    };
    let resp = sent.map_err(|e| classify(endpoint.clone(), e))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| classify(endpoint.clone(), e))?;
    if !status.is_success() {
        return Err(ApiError::Status {
            endpoint,
            status: status.as_u16(),
            body: text.chars().take(200).collect(),
        });
    }
    serde_json::from_str(&text).map_err(|source| ApiError::Decode { endpoint, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ret_classification() {
        let r = |v: Value| Ret::of(&v);
        assert!(r(serde_json::json!({})).is_ok());
        assert!(r(serde_json::json!({"ret": 0, "errcode": 0})).is_ok());
        assert!(r(serde_json::json!({"errcode": -14})).is_session_expired());
        for msg in ["unknown error", "", "Rate Limited"] {
            let x = r(serde_json::json!({"ret": -2, "errmsg": msg}));
            assert!(x.is_stale_context() && !x.is_rate_limited(), "{msg}");
        }
        let x = r(serde_json::json!({"ret": -2, "errmsg": "frequency limit"}));
        assert!(x.is_rate_limited() && !x.is_stale_context());
        assert_eq!(x.to_string(), "ret=-2 errcode=none errmsg=frequency limit");
        assert_eq!(APP_CLIENT_VERSION, 131_584);
    }
}
