//! The respawn-storm breaker: `gateway-starts.log` holds the epoch seconds of recent starts
//! (one float per line, upstream's format); more than `max_starts` inside `window_seconds`
//! means the gateway keeps crashing and the supervisor stops restarting it.

use std::path::Path;

use serde_yaml_ng::Value;

use crate::config::Settings;
use crate::fsutil;

/// `gateway.respawn_storm` from config.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StormLimits {
    /// Starts allowed inside the window.
    pub max_starts: u32,
    /// The sliding window.
    pub window_seconds: u64,
}

impl Default for StormLimits {
    fn default() -> Self {
        Self {
            max_starts: 5,
            window_seconds: 120,
        }
    }
}

impl StormLimits {
    /// Reads `gateway.respawn_storm.{max_starts,window_seconds}` (defaults 5 and 120).
    #[must_use]
    pub fn from_settings(settings: &Settings) -> Self {
        let d = Self::default();
        let block = settings.gateway.extra.get("respawn_storm");
        let num = |k: &str| block.and_then(|b| b.get(k)).and_then(Value::as_u64);
        Self {
            max_starts: num("max_starts")
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
                .unwrap_or(d.max_starts),
            window_seconds: num("window_seconds")
                .filter(|n| *n > 0)
                .unwrap_or(d.window_seconds),
        }
    }
}

/// The verdict on one more start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Go ahead; `recent` starts (this one included) fall inside the window.
    Allowed {
        /// Starts in the window.
        recent: usize,
    },
    /// Too many starts: do not start again.
    Storm {
        /// Starts in the window (this attempt included).
        recent: usize,
    },
}

/// Parses the log (bad lines are skipped).
#[must_use]
pub fn parse(text: &str) -> Vec<f64> {
    text.lines()
        .filter_map(|l| l.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite())
        .collect()
}

/// Decides on a start at `now` given earlier starts.
#[must_use]
pub fn decide(earlier: &[f64], now: f64, limits: StormLimits) -> Verdict {
    #[allow(clippy::cast_precision_loss)] // window sizes are small whole seconds
    let window = limits.window_seconds as f64;
    let recent = earlier.iter().filter(|t| now - **t <= window).count() + 1;
    if recent > limits.max_starts as usize {
        Verdict::Storm { recent }
    } else {
        Verdict::Allowed { recent }
    }
}

/// Records a start at `now` in the log (kept to the last `max(4 × max_starts, 40)` entries)
/// and returns the verdict. A log that cannot be written never blocks a start.
#[must_use]
pub fn record_start(path: &Path, now: f64, limits: StormLimits) -> Verdict {
    let mut starts = fsutil::read_optional(path)
        .ok()
        .flatten()
        .map(|t| parse(&t))
        .unwrap_or_default();
    let verdict = decide(&starts, now, limits);
    starts.push(now);
    let keep = (limits.max_starts as usize * 4).max(40);
    let skip = starts.len().saturating_sub(keep);
    let text: String = starts[skip..].iter().map(|t| format!("{t}\n")).collect();
    let _ = fsutil::write_atomic(path, text.as_bytes(), None);
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_in_two_minutes_then_storm() {
        let limits = StormLimits::default();
        let t = tempfile::tempdir().unwrap();
        let log = t.path().join("gateway-starts.log");
        for i in 0..5u32 {
            assert_eq!(
                record_start(&log, 1000.0 + f64::from(i), limits),
                Verdict::Allowed {
                    recent: usize::try_from(i + 1).unwrap()
                }
            );
        }
        assert_eq!(
            record_start(&log, 1010.0, limits),
            Verdict::Storm { recent: 6 }
        );
        // Outside the window the old starts no longer count.
        assert_eq!(
            record_start(&log, 1200.0, limits),
            Verdict::Allowed { recent: 1 }
        );
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(parse(&text).len(), 7);
        assert!(text.starts_with("1000\n"), "{text}");
    }

    #[test]
    fn limits_from_config_and_ring_buffer() {
        let doc: Value = serde_yaml_ng::from_str(
            "gateway:\n  respawn_storm:\n    max_starts: 2\n    window_seconds: 10\n",
        )
        .unwrap();
        let s = Settings::resolve(&doc, &crate::config::Env::from_pairs::<&str, &str>([])).unwrap();
        let limits = StormLimits::from_settings(&s);
        assert_eq!(
            limits,
            StormLimits {
                max_starts: 2,
                window_seconds: 10
            }
        );
        let t = tempfile::tempdir().unwrap();
        let log = t.path().join("l");
        std::fs::write(&log, "garbage\n").unwrap();
        for i in 0..100 {
            let _ = record_start(&log, f64::from(i) * 100.0, limits);
        }
        assert_eq!(parse(&std::fs::read_to_string(&log).unwrap()).len(), 40);
    }
}
