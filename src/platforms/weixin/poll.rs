//! The `getupdates` loop: one long poll at a time, each message handed to the gateway and
//! the new cursor saved only once the whole batch was accepted, so a crash or a refusal
//! means the batch is fetched again rather than lost. Rapid text fragments of one chat are
//! joined after a quiet moment (§10 text batching); the cursor then waits for them too.
//! Handles `-14` pauses and poll errors.

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
    // Text fragments waiting for a quiet moment, and the cursor to save once none is left:
    // until then a restart fetches them again rather than losing them.
    let mut batches = Batches::default();
    let mut unsaved: Option<String> = None;
    loop {
        let mut payload = Map::new();
        payload.insert("get_updates_buf".into(), Value::String(buf.clone()));
        let due = batches.next_due();
        let answer = tokio::select! {
            biased;
            () = cx.cancel.cancelled() => return Ok(()),
            () = async { tokio::time::sleep_until(due.unwrap_or_else(tokio::time::Instant::now)).await }, if due.is_some() => {
                // The poll in flight is dropped; the next one asks again from the same cursor.
                let now = tokio::time::Instant::now();
                match flush(shared, cx, batches.take(|b| b.due <= now)).await {
                    Ok(()) => {}
                    Err(Stop::Cancelled) => return Ok(()),
                    Err(Stop::Refused) => return Err(refused()),
                }
                if batches.is_empty()
                    && let Some(next) = unsaved.take()
                    && let Err(e) = cursor.save(&next)
                {
                    logs::warn(TARGET, format!("[Weixin] cannot save the sync cursor: {e}"));
                }
                continue;
            }
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
            let Some(m) = read(shared, msg).await else {
                continue;
            };
            let step = if batchable(cfg, &m) {
                batches.add(cfg, m);
                Ok(())
            } else {
                // Earlier fragments of the same chat go first, to keep the order.
                let earlier = batches.take(|b| batch_key(&b.message) == batch_key(&m));
                let ids: Vec<String> = m.message_id.iter().cloned().collect();
                match flush(shared, cx, earlier).await {
                    Ok(()) => deliver(shared, cx, m, &ids).await,
                    e => e,
                }
            };
            match step {
                Ok(()) => {}
                Err(Stop::Cancelled) => return Ok(()),
                Err(Stop::Refused) => return Err(refused()),
            }
        }
        let next = value
            .get("get_updates_buf")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !next.is_empty() && next != buf {
            if batches.is_empty() {
                if let Err(e) = cursor.save(next) {
                    logs::warn(TARGET, format!("[Weixin] cannot save the sync cursor: {e}"));
                }
                unsaved = None;
            } else {
                unsaved = Some(next.to_string());
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

/// Reads one message and downloads its media; `None` when there is nothing to hand on.
async fn read(shared: &Shared, msg: &Value) -> Option<InboundMessage> {
    let cfg = &shared.config;
    let p = convert::parse(msg)?;
    if p.sender == cfg.account_id {
        return None;
    }
    if let Some(id) = &p.message_id
        && shared.seen(id)
    {
        logs::debug(TARGET, format!("[Weixin] duplicate message {id} dropped"));
        return None;
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
    let mut notes = Vec::new();
    for item in &p.media {
        match media::download(&shared.http, item, &limits, &cache).await {
            Ok(m) => files.push(m),
            Err(e) => {
                logs::warn(
                    TARGET,
                    format!("[Weixin] {} download failed: {e}", item.kind.as_str()),
                );
                // A size refusal is said in the text, so the user is answered rather than
                // silently ignored.
                if let media::MediaError::TooLarge { limit } = e {
                    notes.push(format!(
                        "[Weixin {} skipped: larger than the {limit}-byte limit]",
                        item.kind.as_str()
                    ));
                }
            }
        }
    }
    let mut text = p.text;
    for note in notes {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&note);
    }
    if text.is_empty() && files.is_empty() {
        return None;
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
    Some(InboundMessage {
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
        text,
        message_id: p.message_id.clone(),
        reply_to: None,
        media: files,
        mentioned: false,
        roles: Vec::new(),
    })
}

/// Hands one message (perhaps several batched fragments) to the gateway; marks its ids seen
/// only once accepted.
async fn deliver(
    shared: &Shared,
    cx: &PlatformCx,
    message: InboundMessage,
    ids: &[String],
) -> Result<(), Stop> {
    if !cx.deliver(message).await {
        return Err(if cx.cancel.is_cancelled() {
            Stop::Cancelled
        } else {
            Stop::Refused
        });
    }
    for id in ids {
        shared.mark_seen(id);
    }
    Ok(())
}

/// A fragment this long was probably split by the `WeChat` client; more is likely coming.
const SPLIT_THRESHOLD: usize = 1800;

/// Text fragments of one chat and sender waiting for a quiet moment (upstream's text
/// batching, §10): joined by newlines and handed on as one message.
struct Batch {
    message: InboundMessage,
    ids: Vec<String>,
    due: tokio::time::Instant,
}

/// The pending batches, in arrival order.
#[derive(Default)]
struct Batches(Vec<Batch>);

fn batch_key(m: &InboundMessage) -> (&str, Option<&str>) {
    (m.source.chat_id.as_str(), m.source.user_id.as_deref())
}

impl Batches {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// When the next batch is due.
    fn next_due(&self) -> Option<tokio::time::Instant> {
        self.0.iter().map(|b| b.due).min()
    }

    /// Adds a text fragment; the batch's timer restarts.
    fn add(&mut self, cfg: &super::WeixinConfig, message: InboundMessage) {
        let delay = if message.text.chars().count() >= SPLIT_THRESHOLD {
            cfg.text_batch_split_delay
        } else {
            cfg.text_batch_delay
        };
        let due = tokio::time::Instant::now() + delay;
        let id = message.message_id.clone();
        if let Some(b) = self
            .0
            .iter_mut()
            .find(|b| batch_key(&b.message) == batch_key(&message))
        {
            if !message.text.is_empty() {
                if !b.message.text.is_empty() {
                    b.message.text.push('\n');
                }
                b.message.text.push_str(&message.text);
            }
            b.message.message_id = message.message_id;
            b.ids.extend(id);
            b.due = due;
        } else {
            self.0.push(Batch {
                message,
                ids: id.into_iter().collect(),
                due,
            });
        }
    }

    /// Takes the batches that are due (all of them with `all`), or the one of `key`.
    fn take(&mut self, pick: impl Fn(&Batch) -> bool) -> Vec<Batch> {
        let (out, keep) = std::mem::take(&mut self.0).into_iter().partition(pick);
        self.0 = keep;
        out
    }
}

/// Delivers `batches` in order.
async fn flush(shared: &Shared, cx: &PlatformCx, batches: Vec<Batch>) -> Result<(), Stop> {
    for b in batches {
        deliver(shared, cx, b.message, &b.ids).await?;
    }
    Ok(())
}

/// Whether a message waits for more fragments: plain text (not a command, no media) while
/// batching is on.
fn batchable(cfg: &super::WeixinConfig, m: &InboundMessage) -> bool {
    !cfg.text_batch_delay.is_zero() && m.media.is_empty() && !m.text.trim_start().starts_with('/')
}

fn refused() -> PlatformError {
    super::transient(
        "the gateway did not accept an inbound message; the batch will be fetched again",
    )
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
