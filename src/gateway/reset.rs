//! The classic session reset policy (upstream-behavior §4.7): when an idle or a daily boundary
//! ends a conversation. Pure decisions over timestamps; replacing the session is the router's job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde_json::Value;

use crate::config::{ResetMode, SessionResetSettings, Settings};
use crate::gateway::session_key::ChatType;
use crate::home::HermesPaths;

/// When sessions expire, for one platform or chat type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPolicy {
    /// `none`, `idle`, `daily` or `both`.
    pub mode: ResetMode,
    /// Local hour (0–23) of the daily reset.
    pub at_hour: u32,
    /// Minutes without activity before an idle reset.
    pub idle_minutes: i64,
    /// Tell the user once that the session was reset.
    pub notify: bool,
    /// Platforms that never get the notice.
    pub notify_exclude_platforms: Vec<String>,
}

impl Default for ResetPolicy {
    /// Upstream's classic defaults: `both`, 04:00, 24 h idle, notify except API and webhooks.
    fn default() -> Self {
        Self {
            mode: ResetMode::Both,
            at_hour: 4,
            idle_minutes: 1440,
            notify: true,
            notify_exclude_platforms: vec!["api_server".into(), "webhook".into()],
        }
    }
}

impl From<&SessionResetSettings> for ResetPolicy {
    fn from(s: &SessionResetSettings) -> Self {
        Self {
            mode: s.mode,
            at_hour: s.at_hour.min(23),
            idle_minutes: s.idle_minutes,
            notify: s.notify,
            notify_exclude_platforms: s.notify_exclude_platforms.clone(),
        }
    }
}

impl ResetPolicy {
    /// Whether a reset on `platform` is announced to the user.
    #[must_use]
    pub fn notifies(&self, platform: &str) -> bool {
        self.notify && !self.notify_exclude_platforms.iter().any(|p| p == platform)
    }

    /// This policy with the keys present in a `gateway.json` entry laid over it.
    /// An unknown `mode` string means `none`, as upstream treats it.
    fn overlaid(&self, entry: &Value) -> Self {
        let mut p = self.clone();
        let Some(map) = entry.as_object() else {
            return p;
        };
        if let Some(mode) = map.get("mode").and_then(Value::as_str) {
            p.mode = match mode {
                "idle" => ResetMode::Idle,
                "daily" => ResetMode::Daily,
                "both" => ResetMode::Both,
                _ => ResetMode::None,
            };
        }
        if let Some(h) = map.get("at_hour").and_then(Value::as_u64) {
            p.at_hour = u32::try_from(h.min(23)).unwrap_or(4);
        }
        if let Some(m) = map.get("idle_minutes").and_then(Value::as_i64) {
            p.idle_minutes = m;
        }
        if let Some(n) = map.get("notify").and_then(Value::as_bool) {
            p.notify = n;
        }
        if let Some(list) = map
            .get("notify_exclude_platforms")
            .and_then(Value::as_array)
        {
            p.notify_exclude_platforms = list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
        }
        p
    }
}

/// Why a session expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReason {
    /// No activity for longer than `idle_minutes`.
    Idle,
    /// The daily reset hour passed since the last activity.
    Daily,
}

impl ResetReason {
    /// `idle` or `daily`, as stored in `auto_reset_reason`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Daily => "daily",
        }
    }
}

/// Decides whether a session last active at `last_activity` has expired at `now`.
///
/// The idle check comes first (as upstream). The daily boundary is the most recent `at_hour:00`
/// wall-clock time in `tz` at or before `now`; on a day when that hour does not exist (a DST
/// gap) the boundary is the first instant after the gap.
#[must_use]
pub fn should_reset(
    policy: &ResetPolicy,
    last_activity: Timestamp,
    now: Timestamp,
    tz: &TimeZone,
) -> Option<ResetReason> {
    let idle = matches!(policy.mode, ResetMode::Idle | ResetMode::Both);
    let daily = matches!(policy.mode, ResetMode::Daily | ResetMode::Both);
    if idle && policy.idle_minutes > 0 {
        let deadline = last_activity.checked_add(SignedDuration::from_mins(policy.idle_minutes));
        if deadline.is_ok_and(|d| now > d) {
            return Some(ResetReason::Idle);
        }
    }
    if daily
        && let Some(boundary) = daily_boundary(now, policy.at_hour, tz)
        && last_activity < boundary
    {
        return Some(ResetReason::Daily);
    }
    None
}

/// The latest `hour:00` local time at or before `now`.
fn daily_boundary(now: Timestamp, hour: u32, tz: &TimeZone) -> Option<Timestamp> {
    let hour = i8::try_from(hour.min(23)).ok()?;
    let today = now.to_zoned(tz.clone()).date();
    let at = |date: jiff::civil::Date| {
        date.at(hour, 0, 0, 0)
            .to_zoned(tz.clone())
            .ok()
            .map(|z| z.timestamp())
    };
    let boundary = at(today)?;
    if boundary <= now {
        Some(boundary)
    } else {
        at(today.checked_sub(1.day()).ok()?)
    }
}

/// Why the reset policies could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// `gateway.json` exists but cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `gateway.json` is not valid JSON.
    #[error("{} is not valid JSON", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The configured time zone is unknown.
    #[error("unknown time zone `{name}`")]
    TimeZone {
        /// The configured name.
        name: String,
        /// jiff's reason.
        #[source]
        source: jiff::Error,
    },
}

impl ResetError {
    /// What the user can do about it.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Read { path, .. } => vec![format!("check the permissions of {}", path.display())],
            Self::Parse { path, .. } => vec![format!(
                "fix or remove {}; reset policies then come from `session_reset` in config.yaml",
                path.display()
            )],
            Self::TimeZone { .. } => vec![
                "use an IANA name such as `Europe/Berlin`: `hermes config set timezone Europe/Berlin`"
                    .into(),
            ],
        }
    }
}

/// Resolves the profile's `timezone` setting; empty means `TZ` or the system zone.
pub fn resolve_time_zone(name: &str) -> Result<TimeZone, ResetError> {
    if name.trim().is_empty() {
        return Ok(TimeZone::system());
    }
    TimeZone::get(name.trim()).map_err(|source| ResetError::TimeZone {
        name: name.to_string(),
        source,
    })
}

/// Every reset policy of a profile, with upstream's precedence:
/// `reset_by_platform[p]` > `reset_by_type[chat type]` > the default (`session_reset`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResetPolicies {
    /// The default, from config.yaml `session_reset`.
    pub default: ResetPolicy,
    /// Overrides per platform, from `gateway.json`.
    pub by_platform: BTreeMap<String, ResetPolicy>,
    /// Overrides per chat type (`dm`, `group`, `channel`, `thread`), from `gateway.json`.
    pub by_type: BTreeMap<String, ResetPolicy>,
}

impl ResetPolicies {
    /// Reads `<home>/gateway.json` (a missing file means no overrides) over the settings' default.
    pub fn load(paths: &HermesPaths, settings: &Settings) -> Result<Self, ResetError> {
        Self::load_file(
            &paths.gateway_json_file(),
            ResetPolicy::from(&settings.session_reset),
        )
    }

    /// Reads a `gateway.json` at `path` over `default`.
    pub fn load_file(path: &Path, default: ResetPolicy) -> Result<Self, ResetError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    default,
                    ..Self::default()
                });
            }
            Err(source) => {
                return Err(ResetError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let doc: Value = serde_json::from_str(&text).map_err(|source| ResetError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::from_document(&doc, default))
    }

    /// Builds the policies from a parsed `gateway.json`. Override entries only name what they
    /// change; the rest comes from the default.
    #[must_use]
    pub fn from_document(doc: &Value, default: ResetPolicy) -> Self {
        let section = |name: &str| -> BTreeMap<String, ResetPolicy> {
            doc.get(name)
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), default.overlaid(v)))
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            by_platform: section("reset_by_platform"),
            by_type: section("reset_by_type"),
            default,
        }
    }

    /// The policy that applies to a chat.
    #[must_use]
    pub fn policy_for(&self, platform: &str, chat_type: ChatType) -> &ResetPolicy {
        self.by_platform
            .get(platform)
            .or_else(|| self.by_type.get(chat_type.as_str()))
            .unwrap_or(&self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    /// A wall-clock time in New York.
    fn at(s: &str) -> Timestamp {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(ny())
            .unwrap()
            .timestamp()
    }

    fn policy(mode: ResetMode) -> ResetPolicy {
        ResetPolicy {
            mode,
            ..ResetPolicy::default()
        }
    }

    #[test]
    fn none_never_resets() {
        let p = policy(ResetMode::None);
        assert_eq!(
            should_reset(&p, at("2025-01-01T00:00"), at("2025-03-01T12:00"), &ny()),
            None
        );
    }

    #[test]
    fn idle_is_strictly_after_deadline() {
        let p = ResetPolicy {
            idle_minutes: 60,
            ..policy(ResetMode::Idle)
        };
        let last = at("2025-06-01T10:00");
        assert_eq!(should_reset(&p, last, at("2025-06-01T11:00"), &ny()), None);
        assert_eq!(
            should_reset(&p, last, at("2025-06-01T11:00:01"), &ny()),
            Some(ResetReason::Idle)
        );
    }

    #[test]
    fn daily_at_hour_boundary() {
        let p = policy(ResetMode::Daily);
        let last = at("2025-06-01T22:00");
        // Before 04:00 the boundary is still yesterday's.
        assert_eq!(
            should_reset(&p, last, at("2025-06-02T03:59:59"), &ny()),
            None
        );
        // At 04:00 sharp the day rolls over.
        assert_eq!(
            should_reset(&p, last, at("2025-06-02T04:00"), &ny()),
            Some(ResetReason::Daily)
        );
        // Activity after today's boundary keeps the session.
        assert_eq!(
            should_reset(&p, at("2025-06-02T04:00"), at("2025-06-02T23:00"), &ny()),
            None
        );
    }

    #[test]
    fn both_picks_whichever_first() {
        let p = ResetPolicy {
            idle_minutes: 600,
            ..policy(ResetMode::Both)
        };
        // 03:00 → 05:00: only two idle hours, but the 04:00 boundary passed.
        assert_eq!(
            should_reset(&p, at("2025-06-02T03:00"), at("2025-06-02T05:00"), &ny()),
            Some(ResetReason::Daily)
        );
        // 05:00 → 23:00 the same day: no boundary, but 18 idle hours.
        assert_eq!(
            should_reset(&p, at("2025-06-02T05:00"), at("2025-06-02T23:00"), &ny()),
            Some(ResetReason::Idle)
        );
    }

    #[test]
    fn idle_counts_real_minutes_across_spring_forward() {
        // 2025-03-09 02:00 EST jumps to 03:00 EDT: 01:30 → 03:30 wall clock is one real hour.
        let p = ResetPolicy {
            idle_minutes: 90,
            ..policy(ResetMode::Idle)
        };
        assert_eq!(
            should_reset(&p, at("2025-03-09T01:30"), at("2025-03-09T03:30"), &ny()),
            None
        );
        assert_eq!(
            should_reset(&p, at("2025-03-09T01:30"), at("2025-03-09T04:01"), &ny()),
            Some(ResetReason::Idle)
        );
    }

    #[test]
    fn daily_hour_inside_dst_gap_moves_after_the_gap() {
        // at_hour 2 does not exist on 2025-03-09 in New York; the boundary is 03:00 EDT.
        let p = ResetPolicy {
            at_hour: 2,
            ..policy(ResetMode::Daily)
        };
        let last = at("2025-03-09T01:59");
        assert_eq!(
            should_reset(&p, last, at("2025-03-09T03:00"), &ny()),
            Some(ResetReason::Daily)
        );
        // 01:59 EST + 1 minute is 03:00 EDT; one second before it nothing has passed.
        let just_before: Timestamp = "2025-03-09T06:59:59Z".parse().unwrap();
        assert_eq!(should_reset(&p, last, just_before, &ny()), None);
    }

    #[test]
    fn daily_boundary_uses_local_hour_not_utc() {
        // 04:00 New York in summer is 08:00 UTC.
        let p = policy(ResetMode::Daily);
        let last: Timestamp = "2025-07-01T07:00:00Z".parse().unwrap();
        let now_before: Timestamp = "2025-07-01T07:59:00Z".parse().unwrap();
        let now_after: Timestamp = "2025-07-01T08:00:00Z".parse().unwrap();
        assert_eq!(should_reset(&p, last, now_before, &ny()), None);
        assert_eq!(
            should_reset(&p, last, now_after, &ny()),
            Some(ResetReason::Daily)
        );
        // In UTC the 04:00 boundary came before the last activity.
        assert_eq!(should_reset(&p, last, now_after, &TimeZone::UTC), None);
    }

    #[test]
    fn precedence_platform_then_type_then_default() {
        let doc = serde_json::json!({
            "reset_by_platform": {"telegram": {"mode": "idle", "idle_minutes": 240}},
            "reset_by_type": {"group": {"mode": "none"}, "dm": {"at_hour": 6}},
            "unrelated": true
        });
        let default = ResetPolicy::default();
        let all = ResetPolicies::from_document(&doc, default.clone());
        let tg = all.policy_for("telegram", ChatType::Group);
        assert_eq!((tg.mode, tg.idle_minutes), (ResetMode::Idle, 240));
        assert_eq!(
            all.policy_for("discord", ChatType::Group).mode,
            ResetMode::None
        );
        let dm = all.policy_for("discord", ChatType::Dm);
        assert_eq!((dm.mode, dm.at_hour), (ResetMode::Both, 6));
        assert_eq!(all.policy_for("slack", ChatType::Thread), &default);
    }

    #[test]
    fn load_file_missing_and_broken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.json");
        let none = ResetPolicies::load_file(&path, ResetPolicy::default()).unwrap();
        assert!(none.by_platform.is_empty() && none.by_type.is_empty());
        std::fs::write(&path, "{not json").unwrap();
        let err = ResetPolicies::load_file(&path, ResetPolicy::default()).unwrap_err();
        assert!(matches!(err, ResetError::Parse { .. }));
        assert!(!err.hints().is_empty());
        std::fs::write(
            &path,
            r#"{"reset_by_platform": {"discord": {"mode": "idle", "idle_minutes": 60}}}"#,
        )
        .unwrap();
        let some = ResetPolicies::load_file(&path, ResetPolicy::default()).unwrap();
        assert_eq!(some.by_platform["discord"].idle_minutes, 60);
    }

    #[test]
    fn notify_exclusions_and_time_zones() {
        let p = ResetPolicy::default();
        assert!(p.notifies("telegram"));
        assert!(!p.notifies("api_server"));
        assert!(resolve_time_zone("").is_ok());
        assert!(resolve_time_zone("Asia/Shanghai").is_ok());
        assert!(matches!(
            resolve_time_zone("Mars/Olympus"),
            Err(ResetError::TimeZone { .. })
        ));
    }
}
