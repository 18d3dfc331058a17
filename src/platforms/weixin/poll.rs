//! The `getupdates` loop: one long poll at a time, each message handed to the gateway and
//! the new cursor saved only once the whole batch was accepted, so a crash or a refusal
//! means the batch is fetched again rather than lost. Handles `-14` pauses and poll errors.

use std::time::Duration;

use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::api::{EP_GET_UPDATES, Ret};
use super::media::{self, DownloadLimits};
use super::state::SyncCursor;
use super::{PLATFORM, RELOGIN, Shared, TARGET, TOKEN_LOCK_SCOPE, convert, safe_id};
use crate::gateway::token_lock::TokenLock;
use crate::logs;
use crate::platforms::{InboundMessage, PlatformCx, PlatformError, SessionSource};

/// Why a batch stopped early.
enum Stop {
    /// The adapter is being cancelled.
    Cancelled,
    /// The gateway did not accept a message.
    Refused,
}

pub(super) async fn run(shared: &Shared, cx: &PlatformCx) -> Result<(), PlatformError> {
    let cfg = &shared.config;
    let _lock = take_lock(shared)?;
    if let Some(w) = super::group_policy_warning(&cfg.group_policy) {
        logs::warn(TARGET, w);
    }
    logs::info(
        TARGET,
        format!(
            "[Weixin] Connected account={} base={}",
            safe_id(&cfg.account_id),
            cfg.base_url
        ),
    );
    cx.set_status(PLATFORM, "connected");
    let t = &cfg.timings;
    let cursor = SyncCursor::new(&cfg.accounts_dir(), &cfg.account_id);
    let mut buf = cursor.load();
    let mut poll_timeout = t.long_poll;
    let mut failures: u32 = 0;
    let mut expirations: u32 = 0;
    let mut healthy = true;
    loop {
        let mut payload = Map::new();
        payload.insert("get_updates_buf".into(), Value::String(buf.clone()));
        let answer = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(()),
            r = shared.api.post(EP_GET_UPDATES, payload, poll_timeout) => r,
        };
        let value = match answer {
            Ok(v) => v,
            // A long poll that times out is an empty result.
            Err(e) if e.is_timeout() => continue,
            Err(e) if e.is_auth() => return Err(super::api_error(&e)),
            Err(e) => {
                failures += 1;
                logs::error(
                    TARGET,
                    format!(
                        "[Weixin] poll error ({failures}/{}): {}",
                        t.max_failures,
                        e.detail()
                    ),
                );
                set_health(cx, &mut healthy, false);
                if !sleep(&cx.cancel, failure_delay(t, &mut failures)).await {
                    return Ok(());
                }
                continue;
            }
        };
        if let Some(ms) = value
            .get("longpolling_timeout_ms")
            .and_then(Value::as_u64)
            .filter(|ms| *ms > 0)
        {
            poll_timeout = Duration::from_millis(ms);
        }
        let ret = Ret::of(&value);
        if ret.is_session_expired() || ret.is_stale_context() {
            expirations += 1;
            if t.session_expired_limit > 0 && expirations > t.session_expired_limit {
                return Err(super::unauthorized(format!(
                    "iLink kept answering `session expired` ({ret}) after {} pauses: the bot \
                     token was revoked or the bot was logged in elsewhere; {RELOGIN}",
                    t.session_expired_limit
                )));
            }
            logs::error(
                TARGET,
                format!(
                    "[Weixin] Session expired; pausing for {}",
                    human(t.session_pause)
                ),
            );
            set_health(cx, &mut healthy, false);
            failures = 0;
            if !sleep(&cx.cancel, t.session_pause).await {
                return Ok(());
            }
            continue;
        }
        if !ret.is_ok() {
            failures += 1;
            logs::warn(
                TARGET,
                format!(
                    "[Weixin] getUpdates failed {ret} ({failures}/{})",
                    t.max_failures
                ),
            );
            set_health(cx, &mut healthy, false);
            if !sleep(&cx.cancel, failure_delay(t, &mut failures)).await {
                return Ok(());
            }
            continue;
        }
        failures = 0;
        expirations = 0;
        set_health(cx, &mut healthy, true);
        let msgs = value
            .get("msgs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for msg in &msgs {
            match handle(shared, cx, msg).await {
                Ok(()) => {}
                Err(Stop::Cancelled) => return Ok(()),
                Err(Stop::Refused) => {
                    return Err(super::transient(
                        "the gateway did not accept an inbound message; the batch will be fetched again",
                    ));
                }
            }
        }
        let next = value
            .get("get_updates_buf")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !next.is_empty() && next != buf {
            if let Err(e) = cursor.save(next) {
                logs::warn(TARGET, format!("[Weixin] cannot save the sync cursor: {e}"));
            }
            buf = next.to_string();
        }
    }
}

/// Takes the machine-wide lock on the bot token; another holder is fatal.
fn take_lock(shared: &Shared) -> Result<Option<TokenLock>, PlatformError> {
    let cfg = &shared.config;
    match TokenLock::acquire(
        &cfg.lock_dir,
        TOKEN_LOCK_SCOPE,
        &cfg.token,
        "Weixin bot token",
        &cfg.paths,
    ) {
        Ok(Ok(lock)) => Ok(Some(lock)),
        Ok(Err(conflict)) => Err(PlatformError::Fatal {
            platform: PLATFORM.into(),
            message: conflict.to_string(),
            code: format!("{TOKEN_LOCK_SCOPE}_lock"),
        }),
        Err(e) => {
            // As upstream: an unusable lock directory must not keep the bot offline.
            logs::warn(TARGET, format!("[Weixin] token lock unavailable: {e}"));
            Ok(None)
        }
    }
}

/// Reads, downloads and delivers one message; marks it seen only once accepted.
async fn handle(shared: &Shared, cx: &PlatformCx, msg: &Value) -> Result<(), Stop> {
    let cfg = &shared.config;
    let Some(p) = convert::parse(msg) else {
        return Ok(());
    };
    if p.sender == cfg.account_id {
        return Ok(());
    }
    if let Some(id) = &p.message_id
        && shared.seen(id)
    {
        logs::debug(TARGET, format!("[Weixin] duplicate message {id} dropped"));
        return Ok(());
    }
    if let Some(token) = &p.context_token
        && let Err(e) = shared.tokens.set(&p.sender, token)
    {
        logs::warn(TARGET, format!("[Weixin] cannot save context tokens: {e}"));
    }
    let limits = DownloadLimits {
        cdn_base_url: cfg.cdn_base_url.clone(),
        max_bytes: cfg.max_media_bytes,
        timeout: cfg.timings.media_download,
    };
    let cache = cfg.paths.weixin_cache_dir();
    let mut files = Vec::new();
    for item in &p.media {
        match media::download(&shared.http, item, &limits, &cache).await {
            Ok(m) => files.push(m),
            Err(e) => logs::warn(
                TARGET,
                format!("[Weixin] {} download failed: {e}", item.kind.as_str()),
            ),
        }
    }
    if p.text.is_empty() && files.is_empty() {
        return Ok(());
    }
    logs::info(
        TARGET,
        format!(
            "[Weixin] inbound from={} type={} media={}",
            safe_id(&p.sender),
            p.chat_type.as_str(),
            files.len()
        ),
    );
    let inbound = InboundMessage {
        source: SessionSource {
            platform: PLATFORM.into(),
            chat_id: p.chat_id.clone(),
            chat_name: None,
            chat_type: p.chat_type,
            user_id: Some(p.sender.clone()),
            user_name: Some(p.sender.clone()),
            thread_id: None,
            is_bot: false,
            user_id_alt: None,
        },
        text: p.text,
        message_id: p.message_id.clone(),
        reply_to: None,
        media: files,
        mentioned: false,
        roles: Vec::new(),
    };
    if !cx.deliver(inbound).await {
        return Err(if cx.cancel.is_cancelled() {
            Stop::Cancelled
        } else {
            Stop::Refused
        });
    }
    if let Some(id) = &p.message_id {
        shared.mark_seen(id);
    }
    Ok(())
}

/// The wait after a failure: short, or long after `max_failures` in a row (then reset).
fn failure_delay(t: &super::Timings, failures: &mut u32) -> Duration {
    if *failures >= t.max_failures {
        *failures = 0;
        t.backoff_delay
    } else {
        t.retry_delay
    }
}

fn set_health(cx: &PlatformCx, healthy: &mut bool, now: bool) {
    if *healthy != now {
        *healthy = now;
        cx.set_status(PLATFORM, if now { "connected" } else { "retrying" });
    }
}

/// Sleeps unless cancelled first; false when cancelled.
async fn sleep(cancel: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        biased;
        () = cancel.cancelled() => false,
        () = tokio::time::sleep(d) => true,
    }
}

/// `10 minutes`, `1 minute`, `45 seconds`, `250 ms`.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        let m = secs / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else if secs >= 1 && d.subsec_millis() == 0 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_mins(10)), "10 minutes");
        assert_eq!(human(Duration::from_mins(1)), "1 minute");
        assert_eq!(human(Duration::from_secs(90)), "90 seconds");
        assert_eq!(human(Duration::from_millis(50)), "50 ms");
    }
}
