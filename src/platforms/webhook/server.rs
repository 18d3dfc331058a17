//! The webhook HTTP server: `GET /health`, and `POST <route path>` checked in upstream's order
//! (unknown route 404, disabled 403, body over the limit 413, bad or missing signature 401,
//! rate limit 429, unparsable body 400, event filter, duplicate delivery) before the rendered
//! prompt is handed to the gateway. The request is answered 202 as soon as the gateway has
//! stored the message; the agent runs afterwards.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::config::{Route, RouteTable};
use super::outbox::{Destination, WebhookOutbox, destination};
use super::signature::{self, INSECURE_NO_AUTH};
use super::{PLATFORM, render};
use crate::logs;
use crate::platforms::{ChatType, InboundMessage, OutboundMessage, PlatformCx, SessionSource};

/// How long a delivery id is remembered (retries of the same delivery are ignored).
const IDEMPOTENCY_TTL: Duration = Duration::from_hours(1);
/// The rate-limit window.
const RATE_WINDOW: Duration = Duration::from_mins(1);
const TARGET: &str = "gateway.platforms.webhook";

/// Shared by the request handlers.
pub(super) struct Server {
    pub(super) routes: Arc<RouteTable>,
    pub(super) outbox: Arc<WebhookOutbox>,
    pub(super) cx: PlatformCx,
    rate: Mutex<HashMap<String, VecDeque<Instant>>>,
    seen: Mutex<HashMap<String, Instant>>,
}

impl Server {
    pub(super) fn new(routes: Arc<RouteTable>, outbox: Arc<WebhookOutbox>, cx: PlatformCx) -> Self {
        Self {
            routes,
            outbox,
            cx,
            rate: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records a hit; `Err(wait)` when the route is over its limit for the last minute, with
    /// the time until the oldest hit leaves the window.
    fn within_rate(&self, route: &str, now: Instant) -> Result<(), Duration> {
        let limit = self.routes.config().rate_limit;
        let Ok(mut rate) = self.rate.lock() else {
            return Ok(());
        };
        let window = rate.entry(route.to_string()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW)
        {
            window.pop_front();
        }
        if window.len() >= limit {
            let oldest = window.front().copied().unwrap_or(now);
            return Err(RATE_WINDOW.saturating_sub(now.duration_since(oldest)));
        }
        window.push_back(now);
        Ok(())
    }

    /// Records a delivery id; false when it was seen within the last hour.
    fn first_delivery(&self, id: &str, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return true;
        };
        if seen.len() > 1024 {
            seen.retain(|_, t| now.duration_since(*t) < IDEMPOTENCY_TTL);
        }
        if seen
            .get(id)
            .is_some_and(|t| now.duration_since(*t) < IDEMPOTENCY_TTL)
        {
            return false;
        }
        seen.insert(id.to_string(), now);
        true
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A delivery id from the sender's headers, or a fresh one. Colons are replaced: the id
/// ends the chat id `webhook:<route>:<id>`.
fn delivery_id(headers: &HeaderMap) -> String {
    let given = ["x-github-delivery", "svix-id", "x-request-id"]
        .iter()
        .find_map(|h| header(headers, h));
    if let Some(id) = given {
        id.replace(':', "-")
    } else {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        let ms = jiff::Timestamp::now().as_millisecond();
        format!("{ms}-{}", signature::hex(&b))
    }
}

/// `GET /health`.
pub(super) async fn health() -> Response {
    reply(
        StatusCode::OK,
        json!({"status": "ok", "platform": PLATFORM}),
    )
}

/// Every other request.
pub(super) async fn handle(
    State(server): State<Arc<Server>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = uri.path();
    let Some(route) = server.routes.by_path(path) else {
        let name = path.rsplit('/').next().unwrap_or_default();
        return reply(
            StatusCode::NOT_FOUND,
            json!({"error": format!("Unknown route: {name}")}),
        );
    };
    if method != Method::POST {
        return reply(StatusCode::METHOD_NOT_ALLOWED, json!({"error": "Use POST"}));
    }
    if !route.enabled {
        return reply(
            StatusCode::FORBIDDEN,
            json!({"error": format!("Route disabled: {}", route.name)}),
        );
    }
    let max = server.routes.config().max_body_bytes;
    let declared = header(&headers, "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": "Payload too large"}),
        );
    }
    // The limit also covers chunked bodies that declare no length.
    let Ok(raw) = to_bytes(body, max).await else {
        return reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": "Payload too large"}),
        );
    };
    let config = server.routes.config();
    let Some(secret) = config.secret_of(&route) else {
        logs::error(
            TARGET,
            format!("Route {} has no HMAC secret; refusing request", route.name),
        );
        return reply(
            StatusCode::FORBIDDEN,
            json!({"error": "Webhook route is missing an HMAC secret"}),
        );
    };
    if secret != INSECURE_NO_AUTH && !signature::verify(&headers, &raw, secret) {
        logs::warn(
            TARGET,
            format!("Invalid signature for route {}", route.name),
        );
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"error": "Invalid signature"}),
        );
    }
    let now = Instant::now();
    if let Err(wait) = server.within_rate(&route.name, now) {
        // Retry-After in whole seconds, rounded up (RFC 9110 §10.2.3).
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, secs.max(1).to_string())],
            axum::Json(json!({"error": "Rate limit exceeded"})),
        )
            .into_response();
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&raw) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "Cannot parse body"}),
        );
    };
    let event = ["x-github-event", "x-gitlab-event"]
        .iter()
        .find_map(|h| header(&headers, h))
        .map(str::to_string)
        .or_else(|| {
            ["event_type", "type"]
                .iter()
                .find_map(|k| payload.get(*k).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown".into());
    if !route.events.is_empty() && !route.events.contains(&event) {
        return reply(StatusCode::OK, json!({"status": "ignored", "event": event}));
    }
    let prompt = render::render(&route.prompt, &payload, &event, &route.name);
    let id = delivery_id(&headers);
    if !server.first_delivery(&id, now) {
        logs::info(TARGET, format!("Skipping duplicate delivery {id}"));
        return reply(
            StatusCode::OK,
            json!({"status": "duplicate", "delivery_id": id}),
        );
    }
    let dest = match destination(&route, &server.outbox.homes()) {
        Ok(d) => d,
        Err(e) => {
            logs::warn(TARGET, format!("Route {}: {e}", route.name));
            Destination::Log
        }
    };
    if route.deliver_only {
        return deliver_only(&server, &route, &dest, prompt, &id).await;
    }
    accept(&server, &route, dest, prompt, &event, id).await
}

async fn deliver_only(
    server: &Server,
    route: &Route,
    dest: &Destination,
    text: String,
    id: &str,
) -> Response {
    match server
        .outbox
        .forward(dest, &OutboundMessage::text(text))
        .await
    {
        Ok(_) => reply(
            StatusCode::OK,
            json!({"status": "delivered", "route": route.name, "target": route.deliver, "delivery_id": id}),
        ),
        Err(e) => {
            logs::warn(
                TARGET,
                format!("direct delivery failed for route {}: {e}", route.name),
            );
            reply(
                StatusCode::BAD_GATEWAY,
                json!({"status": "error", "error": "Delivery failed", "delivery_id": id}),
            )
        }
    }
}

async fn accept(
    server: &Server,
    route: &Route,
    dest: Destination,
    prompt: String,
    event: &str,
    id: String,
) -> Response {
    let chat_id = format!("webhook:{}:{id}", route.name);
    server.outbox.remember(&chat_id, dest);
    let message = InboundMessage {
        source: SessionSource {
            platform: PLATFORM.into(),
            chat_id: chat_id.clone(),
            chat_name: Some(format!("webhook/{}", route.name)),
            // Not a DM: no home-channel prompt, no pairing; each delivery is its own chat.
            chat_type: ChatType::Channel,
            user_id: Some(format!("webhook:{}", route.name)),
            user_name: Some(route.name.clone()),
            ..SessionSource::default()
        },
        text: prompt,
        message_id: Some(id.clone()),
        mentioned: true,
        ..InboundMessage::default()
    };
    logs::info(
        TARGET,
        format!(
            "POST event={event} route={} prompt_len={} delivery={id}",
            route.name,
            message.text.len()
        ),
    );
    if !server.cx.deliver(message).await {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": "The gateway is shutting down"}),
        );
    }
    reply(
        StatusCode::ACCEPTED,
        json!({"status": "accepted", "route": route.name, "event": event,
            "delivery_id": id, "run": chat_id}),
    )
}
