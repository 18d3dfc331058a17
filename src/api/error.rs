//! Errors: `ApiServerError` (why the server could not start or stopped) and `HttpError`, the
//! OpenAI-shaped error responses every endpoint answers with.

use std::net::SocketAddr;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Why the API server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ApiServerError {
    /// A network-accessible bind without a key.
    #[error(
        "Refusing to start: binding to {host} requires API_SERVER_KEY. Set API_SERVER_KEY or use \
         the default 127.0.0.1."
    )]
    KeyRequired {
        /// The bind address.
        host: String,
    },
    /// A network-accessible bind with a placeholder key.
    #[error(
        "Refusing to start: API_SERVER_KEY is a placeholder or too short (<8 characters) for a \
         network-accessible bind on {host}."
    )]
    WeakKey {
        /// The bind address.
        host: String,
    },
    /// The port is taken.
    #[error(
        "Port {port} already in use. Set a different port in config.yaml: platforms.api_server.port"
    )]
    PortInUse {
        /// The port.
        port: u16,
    },
    /// Binding failed for another reason (bad address, permissions).
    #[error("cannot listen on {addr}")]
    Bind {
        /// `host:port` as configured.
        addr: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("the API server on {addr} stopped")]
    Serve {
        /// The bound address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl ApiServerError {
    /// What the user can do about it.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::KeyRequired { .. } | Self::WeakKey { .. } => vec![
                "generate a key with `openssl rand -hex 32` and set API_SERVER_KEY in the \
                 profile's .env"
                    .into(),
            ],
            Self::PortInUse { .. } => vec![
                "run `hermes config set platforms.api_server.port 8643` (or set \
                 API_SERVER_PORT)"
                    .into(),
            ],
            Self::Bind { .. } => vec![
                "check platforms.api_server.host (API_SERVER_HOST) is an address of this machine"
                    .into(),
            ],
            Self::Serve { .. } => Vec::new(),
        }
    }
}

/// An error answer: status, OpenAI-shaped JSON body, extra headers.
#[derive(Debug, Clone)]
pub(crate) struct HttpError {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(HeaderName, String)>,
}

impl HttpError {
    /// Upstream's `_openai_error`: `{"error":{message,type,param,code}}`.
    pub(crate) fn openai(
        status: StatusCode,
        message: impl Into<String>,
        kind: &str,
        param: Option<&str>,
        code: Option<&str>,
    ) -> Self {
        Self {
            status,
            body: json!({"error": {
                "message": message.into(), "type": kind, "param": param, "code": code,
            }}),
            headers: Vec::new(),
        }
    }

    /// A 400 `invalid_request_error` with a code.
    pub(crate) fn invalid(message: impl Into<String>, code: Option<&str>) -> Self {
        Self::openai(
            StatusCode::BAD_REQUEST,
            message,
            "invalid_request_error",
            None,
            code,
        )
    }

    /// The short form some handlers use upstream: `{"error":{message,type}}`.
    pub(crate) fn bare(status: StatusCode, message: &str) -> Self {
        Self {
            status,
            body: json!({"error": {"message": message, "type": "invalid_request_error"}}),
            headers: Vec::new(),
        }
    }

    /// 401 with upstream's exact body.
    pub(crate) fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            body: json!({"error": {
                "message": "Invalid API key",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }}),
            headers: Vec::new(),
        }
    }

    /// 413 for a body over the limit.
    pub(crate) fn too_large() -> Self {
        Self::openai(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body too large.",
            "invalid_request_error",
            None,
            Some("body_too_large"),
        )
    }

    /// A 404 with a code.
    pub(crate) fn not_found(message: impl Into<String>, code: Option<&str>) -> Self {
        Self::openai(
            StatusCode::NOT_FOUND,
            message,
            "invalid_request_error",
            None,
            code,
        )
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body)).into_response();
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}
