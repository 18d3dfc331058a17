//! The layers every request passes: security headers (outermost, so even refusals carry them),
//! CORS (403 for an unlisted browser origin, preflight answers), the body size limit from
//! `Content-Length`, and bearer auth (everything but `/health` and `/v1/health`).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HttpError;
use super::session::bearer_matches;
use super::state::{ApiState, LOG};

const SECURITY_HEADERS: [(&str, &str); 7] = [
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "0"),
    ("referrer-policy", "no-referrer"),
];

const ALLOW_METHODS: &str = "GET, POST, DELETE, OPTIONS";
// Upstream lists the first three; the session headers are added so browsers may send them.
const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, Idempotency-Key, X-Hermes-Session-Id, X-Hermes-Session-Key";
const EXPOSE_HEADERS: &str = "X-Hermes-Session-Id, X-Hermes-Session-Key";

/// Adds the security headers to every response.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    resp
}

/// CORS headers for an allowed origin; `None` when CORS does not apply.
fn cors_headers(state: &ApiState, origin: &str) -> Option<HeaderMap> {
    let cfg = state.config();
    if origin.is_empty() || cfg.cors_origins.is_empty() {
        return None;
    }
    let mut h = HeaderMap::new();
    if cfg.cors_any() {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    } else if cfg.cors_origins.iter().any(|o| o == origin) {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_str(origin).ok()?,
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    } else {
        return None;
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    Some(h)
}

fn status_only(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

/// Refuses unlisted browser origins, answers preflights, and decorates allowed responses
/// (streams included: headers go out before the first byte).
pub(crate) async fn cors(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let allowed = cors_headers(&state, &origin);
    if !origin.is_empty() && allowed.is_none() {
        return status_only(StatusCode::FORBIDDEN);
    }
    if req.method() == Method::OPTIONS {
        return match allowed {
            Some(h) => {
                let mut r = status_only(StatusCode::OK);
                r.headers_mut().extend(h);
                r
            }
            None => status_only(StatusCode::FORBIDDEN),
        };
    }
    let mut resp = next.run(req).await;
    if let Some(h) = allowed {
        resp.headers_mut().extend(h);
    }
    resp
}

/// 413 for a declared `Content-Length` over the limit (bodies without one are counted as they
/// are read).
pub(crate) async fn body_limit(
    State(state): State<ApiState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH)
        && let Some(len) = req.headers().get(header::CONTENT_LENGTH)
    {
        match len.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(n) if n > state.config().max_body_bytes as u64 => {
                return HttpError::too_large().into_response();
            }
            Some(_) => {}
            None => {
                return HttpError::invalid(
                    "Invalid Content-Length header.",
                    Some("invalid_content_length"),
                )
                .into_response();
            }
        }
    }
    next.run(req).await
}

/// Bearer auth for everything but the plain health checks.
pub(crate) async fn auth(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let Some(key) = state.key() else {
        return next.run(req).await;
    };
    if path == "/health" || path == "/v1/health" {
        return next.run(req).await;
    }
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if presented.is_some_and(|t| bearer_matches(t, key)) {
        return next.run(req).await;
    }
    crate::logs::warn(
        LOG,
        format_args!(
            "API server rejected invalid API key: method={} path={}",
            req.method(),
            path.chars().take(200).collect::<String>()
        ),
    );
    HttpError::unauthorized().into_response()
}
