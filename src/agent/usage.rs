//! Token usage over time for `/insights [days]`: per-day sums of the token counters the store
//! keeps per session (a session counts on the day it started).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::store::{SessionQuery, SessionStore, StoreError};

/// One day's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayUsage {
    /// The local date.
    pub date: Date,
    /// Sessions started that day.
    pub sessions: u64,
    /// Prompt tokens.
    pub input: u64,
    /// Completion tokens.
    pub output: u64,
}

/// Usage of the last `days` days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Insights {
    /// Days with activity, oldest first.
    pub days: Vec<DayUsage>,
    /// Sessions in the period.
    pub sessions: u64,
    /// Prompt tokens in the period.
    pub input: u64,
    /// Completion tokens in the period.
    pub output: u64,
}

/// Sums the sessions started in the last `days` days (up to `now`), per local day in `tz`.
pub fn insights(
    store: &dyn SessionStore,
    days: u32,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Insights, StoreError> {
    let since = now
        .checked_sub(SignedDuration::from_hours(24 * i64::from(days.max(1))))
        .unwrap_or(Timestamp::MIN);
    let sessions = store.list_sessions(&SessionQuery {
        limit: 100_000,
        include_archived: true,
        ..SessionQuery::default()
    })?;
    let mut out = Insights::default();
    for s in sessions.iter().map(|s| &s.session) {
        if s.started_at <= since || s.started_at > now {
            continue;
        }
        let date = s.started_at.to_zoned(tz.clone()).date();
        let at = if let Some(i) = out.days.iter().position(|d| d.date == date) {
            i
        } else {
            out.days.push(DayUsage {
                date,
                sessions: 0,
                input: 0,
                output: 0,
            });
            out.days.len() - 1
        };
        let day = &mut out.days[at];
        day.sessions += 1;
        day.input += s.input_tokens;
        day.output += s.output_tokens;
        out.sessions += 1;
        out.input += s.input_tokens;
        out.output += s.output_tokens;
    }
    out.days.sort_by_key(|d| d.date);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::{ManualClock, NewSession, Store};

    #[test]
    fn sums_per_day_within_the_window() {
        let t = tempfile::tempdir().unwrap();
        let start: Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let store = Store::open_with_clock(&t.path().join("state.db"), clock.clone())
            .unwrap()
            .with_time_zone(TimeZone::UTC);
        let new = NewSession {
            source: "cli".into(),
            ..NewSession::default()
        };
        let a = store.create_session(&new).unwrap();
        store.add_tokens(&a.id, 100, 10).unwrap();
        clock.advance(SignedDuration::from_hours(24));
        let b = store.create_session(&new).unwrap();
        store.add_tokens(&b.id, 50, 5).unwrap();
        let c = store.create_session(&new).unwrap();
        store.add_tokens(&c.id, 1, 1).unwrap();
        let now = crate::store::Clock::now(clock.as_ref());
        let all = insights(&store, 7, now, &TimeZone::UTC).unwrap();
        assert_eq!(all.sessions, 3);
        assert_eq!((all.input, all.output), (151, 16));
        assert_eq!(all.days.len(), 2);
        assert_eq!(all.days[1].sessions, 2);
        assert_eq!(all.days[0].date.to_string(), "2026-03-01");
        let last_day = insights(&store, 1, now, &TimeZone::UTC).unwrap();
        assert_eq!(last_day.sessions, 2);
    }
}
