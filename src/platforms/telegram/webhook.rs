//! Webhook mode: `setWebhook` with a secret, an axum listener that checks Telegram's
//! `X-Telegram-Bot-Api-Secret-Token` header (403 otherwise), and `deleteWebhook` on stop.
//! Updates answer 200 only once the gateway has accepted them, so Telegram retries the rest.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::api::{ApiError, BotInfo, PLATFORM};
use super::config::WebhookConfig;
use super::cursor::Cursor;
use super::{ALLOWED_UPDATES, Telegram, io_error, update_id};
use crate::platforms::{PlatformCx, PlatformError};

/// The header Telegram puts the `secret_token` in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

type Job = (Value, oneshot::Sender<bool>);

#[derive(Clone)]
struct Shared {
    secret: String,
    jobs: mpsc::Sender<Job>,
}

/// The path part of the public URL (`https://host/tg` → `/tg`).
fn route_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.is_empty() {
        "/".into()
    } else {
        path.to_string()
    }
}

/// Compares without an early exit, so timing does not reveal the secret.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn receive(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(axum::http::HeaderValue::as_bytes)
        .unwrap_or_default();
    if !same_secret(given, s.secret.as_bytes()) {
        return StatusCode::FORBIDDEN;
    }
    let Ok(update) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let (tx, rx) = oneshot::channel();
    if s.jobs.send((update, tx)).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match rx.await {
        Ok(true) => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Serves the webhook until cancelled.
pub(super) async fn serve(
    tg: &Telegram,
    bot: &BotInfo,
    w: &WebhookConfig,
    cx: &PlatformCx,
) -> Result<(), PlatformError> {
    let listener = tokio::net::TcpListener::bind((w.listen, w.port))
        .await
        .map_err(|e| PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: format!(
                "cannot listen on {}:{} for the webhook: {e}",
                w.listen, w.port
            ),
            code: "telegram_webhook_bind".into(),
        })?;
    let mut cursor = Cursor::load(&tg.cursor_file());
    // Updates left pending by an earlier run go first.
    if !tg.drain(&mut cursor, bot, cx).await? {
        return Ok(());
    }
    tg.api
        .call::<Value>(
            "setWebhook",
            &json!({"url": w.url, "secret_token": w.secret, "allowed_updates": ALLOWED_UPDATES}),
            None,
        )
        .await
        .map_err(ApiError::classify)?;

    let (jobs, mut rx) = mpsc::channel::<Job>(16);
    let stop = CancellationToken::new();
    let app = Router::new()
        .route(&route_path(&w.url), post(receive))
        .with_state(Shared {
            secret: w.secret.clone(),
            jobs,
        });
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(stop.clone().cancelled_owned())
            .into_future(),
    );
    cx.set_status(PLATFORM, "connected");

    let result = loop {
        let (raw, reply) = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => break Ok(()),
            job = rx.recv() => match job {
                Some(j) => j,
                None => break Ok(()),
            },
        };
        let id = update_id(&raw);
        if cursor.is_acknowledged(id) {
            let _ = reply.send(true); // a retry of one we already have
            continue;
        }
        if let Err(e) = cursor.add(vec![raw]) {
            let _ = reply.send(false);
            break Err(io_error("save the Telegram cursor", &e));
        }
        match tg.drain(&mut cursor, bot, cx).await {
            Ok(true) => {
                let _ = reply.send(true);
            }
            Ok(false) => {
                let _ = reply.send(false);
                break Ok(());
            }
            Err(e) => {
                let _ = reply.send(false);
                break Err(e);
            }
        }
    };
    stop.cancel();
    // Best effort: the next start sets it again, and long polling deletes it first.
    let _ = tg
        .api
        .call::<Value>(
            "deleteWebhook",
            &json!({}),
            Some(std::time::Duration::from_secs(5)),
        )
        .await;
    let _ = server.await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_secrets() {
        assert_eq!(
            route_path("https://bot.example.com/tg/hook?x=1"),
            "/tg/hook"
        );
        assert_eq!(route_path("https://bot.example.com"), "/");
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
