//! `_rate_limits.json`: when each user last asked for a code (`"<platform>:<user>"`), the
//! failed-approval streak (`"_failures:<platform>"`) and lockouts (`"_lockout:<platform>"`).

use serde_json::Value;

use super::files::Object;
use super::{LOCKOUT_SECS, MAX_FAILURES, RATE_LIMIT_SECS};

pub(super) fn failures_key(platform: &str) -> String {
    format!("_failures:{platform}")
}

fn lockout_key(platform: &str) -> String {
    format!("_lockout:{platform}")
}

fn number(rates: &Object, key: &str) -> f64 {
    rates.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

pub(super) fn locked_until(rates: &Object, platform: &str, now: f64) -> Option<f64> {
    let until = number(rates, &lockout_key(platform));
    (now < until).then_some(until)
}

pub(super) fn is_limited(rates: &Object, platform: &str, aliases: &[String], now: f64) -> bool {
    aliases.iter().any(|a| {
        rates
            .get(&format!("{platform}:{a}"))
            .and_then(Value::as_f64)
            .is_some_and(|t| now - t < RATE_LIMIT_SECS)
    })
}

/// Records a request for every alias, and forgets requests older than the window.
pub(super) fn record_request(rates: &mut Object, platform: &str, aliases: &[String], now: f64) {
    rates.retain(|k, v| k.starts_with('_') || v.as_f64().is_none_or(|t| now - t < RATE_LIMIT_SECS));
    for a in aliases {
        rates.insert(format!("{platform}:{a}"), Value::from(now));
    }
}

/// Counts a failed approval; the fifth in a row locks the platform and restarts the count.
pub(super) fn record_failure(rates: &mut Object, platform: &str, now: f64) -> (u32, bool) {
    let key = failures_key(platform);
    let failures = rates
        .get(&key)
        .and_then(Value::as_u64)
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
        .saturating_add(1);
    if failures >= MAX_FAILURES {
        rates.insert(lockout_key(platform), Value::from(now + LOCKOUT_SECS));
        rates.insert(key, Value::from(0));
        (failures, true)
    } else {
        rates.insert(key, Value::from(failures));
        (failures, false)
    }
}
