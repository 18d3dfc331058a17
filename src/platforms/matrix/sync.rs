//! The Matrix receive loop: log in (saved token, `MATRIX_ACCESS_TOKEN`, or a password login
//! that reuses the device), take the `matrix-user` lock, then `/sync` until cancelled,
//! saving `since` only after the batch's messages were accepted. Rate limits wait
//! `retry_after_ms`; dropped connections retry with jittered backoff; a revoked token is
//! `Unauthorized` (after one fresh password login when the server says `soft_logout`).

use std::time::Duration;

use serde_json::{Value, json};

use super::api::{ApiError, enc};
use super::{LOCK_SCOPE, Me, PLATFORM, Shared, TARGET, lock, rooms};
use crate::backoff;
use crate::gateway::token_lock::TokenLock;
use crate::logs;
use crate::platforms::{PlatformCx, PlatformError};

/// The `/sync` filter: no presence or typing, room timelines up to 50 events.
fn filter() -> String {
    json!({
        "presence": {"types": []},
        "account_data": {"types": ["m.direct"]},
        "room": {
            "timeline": {"limit": 50},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    })
    .to_string()
}

fn io_error(what: &str, e: &std::io::Error) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message: format!("cannot {what}: {e}"),
    }
}

/// A password login as the configured user on the saved (or configured) device; the token is
/// saved so the next start reuses it.
async fn password_login(shared: &Shared) -> Result<Option<String>, ApiError> {
    let config = &shared.config;
    let (Some(user), Some(password)) = (&config.user_id, &config.password) else {
        return Ok(None);
    };
    let saved = shared.state.get();
    let device = config.device_id.clone().or(saved.device_id);
    let session = shared.api.login(user, password, device.as_deref()).await?;
    let token = session.access_token.clone().unwrap_or_default();
    shared.api.set_token(&token);
    let homeserver = config.homeserver.clone();
    let _ = shared.state.update(|s| {
        s.homeserver = homeserver;
        s.user_id.clone_from(&session.user_id);
        s.device_id.clone_from(&session.device_id);
        s.access_token = Some(token);
    });
    logs::info(
        TARGET,
        format!(
            "logged in as {} (device {})",
            session.user_id,
            session.device_id.as_deref().unwrap_or("?")
        ),
    );
    Ok(Some(session.user_id))
}

/// Establishes who we are: the token in use if the server accepts it, else a password login.
async fn login(shared: &Shared) -> Result<String, PlatformError> {
    let config = &shared.config;
    let saved_matches = config.access_token.is_none()
        && shared.state.get().access_token.is_some()
        && shared.state.get().homeserver == config.homeserver;
    if config.access_token.is_some() || saved_matches {
        match shared.api.whoami().await {
            Ok(s) => return Ok(s.user_id),
            // A stale saved token: log in again below.
            Err(e) if e.is_unknown_token() && config.access_token.is_none() => {}
            Err(e) => return Err(e.classify()),
        }
    }
    match password_login(shared).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(PlatformError::Unauthorized {
            platform: PLATFORM.into(),
            message: "no usable access token and no password to log in with".into(),
        }),
        Err(e) => Err(e.classify()),
    }
}

fn take_lock(shared: &Shared, user_id: &str) -> Result<TokenLock, PlatformError> {
    let identity = format!("{}|{user_id}", shared.config.homeserver);
    crate::platforms::take_credential_lock(
        &shared.paths,
        shared.config.lock_dir.as_deref(),
        &crate::platforms::LockRequest {
            platform: PLATFORM,
            scope: LOCK_SCOPE,
            identity: &identity,
            label: "Matrix account",
            noun: "account",
        },
    )
}

/// Loads the display name and the DM rooms (`m.direct`).
async fn load_profile(shared: &Shared, user_id: &str) -> Result<(), PlatformError> {
    let display_name = shared
        .api
        .get(&format!("/profile/{}/displayname", enc(user_id)))
        .await
        .ok()
        .and_then(|v| {
            v.get("displayname")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    if let Ok(mut me) = shared.me.write() {
        *me = Me {
            user_id: user_id.to_string(),
            display_name,
        };
    }
    match shared
        .api
        .get(&format!("/user/{}/account_data/m.direct", enc(user_id)))
        .await
    {
        Ok(v) => rooms::set_direct(shared, &v),
        Err(ApiError::Matrix { status: 404, .. }) => {}
        Err(e) => return Err(e.classify()),
    }
    Ok(())
}

/// Runs until cancelled.
pub(super) async fn run(shared: &Shared, cx: &PlatformCx) -> Result<(), PlatformError> {
    let user_id = tokio::select! {
        biased;
        () = cx.cancel.cancelled() => return Ok(()),
        r = login(shared) => r?,
    };
    let _lock = take_lock(shared, &user_id)?;
    {
        let homeserver = shared.config.homeserver.clone();
        let saved = shared.state.get();
        if saved.user_id != user_id || saved.homeserver != homeserver {
            // Another account: its sync position and threads do not apply.
            shared
                .state
                .update(|s| {
                    s.homeserver = homeserver;
                    s.user_id.clone_from(&user_id);
                    s.since = None;
                    s.acked.clear();
                    s.threads.clear();
                    s.e2ee_noticed.clear();
                })
                .map_err(|e| io_error("save the Matrix state", &e))?;
        }
    }
    load_profile(shared, &user_id).await?;
    cx.set_status(PLATFORM, "connected");
    logs::info(TARGET, format!("connected as {user_id}"));
    let filter = filter();
    let mut failures: u32 = 0;
    let mut relogged = false;
    loop {
        let since = shared.state.get().since;
        let result = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(()),
            r = shared.api.sync(since.as_deref(), &filter, shared.config.sync_timeout) => r,
        };
        let pause = match result {
            Ok(batch) => {
                if failures > 0 {
                    failures = 0;
                    cx.set_status(PLATFORM, "connected");
                }
                relogged = false;
                if !rooms::process(shared, cx, &batch, since.is_none()).await? {
                    return Ok(());
                }
                if let Some(next) = batch.get("next_batch").and_then(Value::as_str) {
                    shared
                        .state
                        .update(|s| {
                            s.since = Some(next.to_string());
                            s.acked.clear();
                        })
                        .map_err(|e| io_error("save the Matrix sync position", &e))?;
                }
                None
            }
            Err(e) if e.is_soft_logout() && !relogged && shared.config.password.is_some() => {
                logs::warn(TARGET, "soft logout: logging in again");
                relogged = true;
                password_login(shared).await.map_err(ApiError::classify)?;
                None
            }
            Err(e) => match e.classify() {
                PlatformError::RateLimited { retry_after, .. } => Some(
                    retry_after
                        .unwrap_or(Duration::from_secs(5))
                        .min(Duration::from_mins(5)),
                ),
                PlatformError::Transient { message, .. } => {
                    logs::warn(TARGET, format!("sync failed: {message}"));
                    cx.set_status(PLATFORM, "retrying");
                    failures = failures.saturating_add(1);
                    Some(backoff::delay(
                        failures - 1,
                        Duration::from_millis(500),
                        Duration::from_mins(1),
                    ))
                }
                fatal => return Err(fatal),
            },
        };
        if let Some(d) = pause {
            tokio::select! {
                biased;
                () = cx.cancel.cancelled() => return Ok(()),
                () = tokio::time::sleep(d) => {}
            }
        }
        // Nothing else clears answered reactions after a restart; keep the map small.
        let mut pending = lock(&shared.pending_reactions);
        if pending.len() > 1000 {
            pending.clear();
        }
    }
}
