//! Schedules as users type them (`in 30m`, `every 2h`, `0 9 * * mon-fri`, an ISO time,
//! `weekdays at 9am`) and as upstream stores them (`{kind, expr|minutes|run_at, display}`).
//! The 5-field evaluator is `cronexpr`; when jobs run is the tick's business.

use jiff::civil::DateTime;
use jiff::fmt::temporal::Pieces;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use serde_json::{Map, Value, json};

use super::cronexpr::{CronExpr, CronExprError};

/// The accepted forms, shown with every parse error.
pub const ACCEPTED_FORMS: &[&str] = &[
    "one-shot after a delay: `30m`, `in 2h`, `in 1d` (units m, h, d)",
    "interval: `every 30m`, `every 2h`, `every 1d`, `every hour`",
    "cron: `0 9 * * *`, `*/15 * * * *`, `0 9 * * mon-fri` (minute hour day month weekday)",
    "timestamp (one-shot, local time unless an offset is given): `2026-03-15T09:00:00`",
    "phrases: `every day at 9am`, `daily at 7am`, `weekdays at 9am`, `every monday 9:30pm`",
];

/// Why a schedule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Matches none of the accepted forms.
    #[error("Invalid schedule '{input}'")]
    Unrecognised { input: String },
    /// Looks like a cron expression but a field is wrong.
    #[error("Invalid cron expression '{input}'")]
    Cron {
        input: String,
        #[source]
        source: CronExprError,
    },
    /// Looks like a timestamp but is not a valid one.
    #[error("Invalid timestamp '{input}'")]
    Timestamp { input: String },
    /// A zero or absurd duration.
    #[error("Invalid duration '{input}': use a positive number of m, h or d")]
    Duration { input: String },
    /// A stored schedule record lacks what its kind needs.
    #[error("stored schedule is malformed (kind `{kind}`)")]
    Record { kind: String },
}

impl ScheduleError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Record { .. } => {
                vec!["fix it with `hermes cron edit ID --schedule ...`".into()]
            }
            _ => ACCEPTED_FORMS
                .iter()
                .map(|f| format!("accepted: {f}"))
                .collect(),
        }
    }
}

/// When a job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Once, at this instant.
    Once { run_at: Zoned },
    /// Every `minutes` of elapsed time, counted from the last run. Across a DST change the
    /// local clock time moves with it: `every 1d` is every 24 hours, so a 10:00 run becomes
    /// 11:00 (spring) or 09:00 (autumn). For a fixed local time, use a natural form
    /// (`every day at 9am`) or a cron expression, which are evaluated in local time.
    Interval { minutes: u64 },
    /// A cron expression, evaluated in the scheduler's time zone.
    Cron { expr: CronExpr },
}

/// A schedule with its display text (`once in 30m`, `every 120m`, `0 9 * * *`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSchedule {
    /// What it means.
    pub schedule: Schedule,
    /// How lists show it.
    pub display: String,
}

/// Parses a schedule as typed by a user; relative and local forms are taken from `now`.
pub fn parse(input: &str, now: &Zoned) -> Result<ParsedSchedule, ScheduleError> {
    let text = input.trim();
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let unrecognised = || ScheduleError::Unrecognised {
        input: text.to_string(),
    };
    if text.is_empty() {
        return Err(unrecognised());
    }
    if let Some(expr) = macro_expr(&lower) {
        return cron(expr, text);
    }
    if let Some(expr) = phrase(&words) {
        return cron(&expr, &words.join(" "));
    }
    if words.first() == Some(&"every") && words.len() > 1 {
        let minutes = duration_minutes(&words[1..].join(" ")).ok_or_else(unrecognised)?;
        return Ok(ParsedSchedule {
            schedule: Schedule::Interval { minutes },
            display: format!("every {minutes}m"),
        });
    }
    let delay = words.strip_prefix(&["in"]).unwrap_or(&words[..]).join(" ");
    if let Some(minutes) = duration_minutes(&delay) {
        let minutes_i = i64::try_from(minutes).map_err(|_| ScheduleError::Duration {
            input: text.to_string(),
        })?;
        let run_at = now
            .checked_add(SignedDuration::from_mins(minutes_i))
            .map_err(|_| ScheduleError::Duration {
                input: text.to_string(),
            })?;
        return Ok(ParsedSchedule {
            schedule: Schedule::Once { run_at },
            display: format!("once in {delay}"),
        });
    }
    if looks_like_date(text) {
        let run_at = timestamp(text, now.time_zone()).ok_or_else(|| ScheduleError::Timestamp {
            input: text.to_string(),
        })?;
        let display = format!("once at {}", run_at.strftime("%Y-%m-%d %H:%M"));
        return Ok(ParsedSchedule {
            schedule: Schedule::Once { run_at },
            display,
        });
    }
    if words.len() >= 5 && words.iter().all(|w| w.chars().all(is_cron_char)) {
        return cron(text, text);
    }
    Err(unrecognised())
}

fn is_cron_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '/' | '-' | '?')
}

fn cron(expr: &str, display: &str) -> Result<ParsedSchedule, ScheduleError> {
    let expr = CronExpr::parse(expr).map_err(|source| ScheduleError::Cron {
        input: display.to_string(),
        source,
    })?;
    Ok(ParsedSchedule {
        display: if display == expr.as_str() {
            expr.to_string()
        } else {
            display.to_string()
        },
        schedule: Schedule::Cron { expr },
    })
}

fn macro_expr(lower: &str) -> Option<&'static str> {
    Some(match lower {
        "@hourly" | "hourly" => "0 * * * *",
        "@daily" | "@midnight" | "daily" => "0 0 * * *",
        "@weekly" | "weekly" => "0 0 * * 0",
        "@monthly" | "monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        _ => return None,
    })
}

/// `30m`, `2 h`, `1day`, `hour` → minutes.
fn duration_minutes(text: &str) -> Option<u64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = if num.is_empty() { 1 } else { num.parse().ok()? };
    let mult = match unit {
        "m" | "min" | "mins" | "minute" | "minutes" => 1,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60,
        "d" | "day" | "days" => 1440,
        _ => return None,
    };
    // A bare unit (`hour`) is one of it; `0m` is no schedule at all.
    if num.is_empty() && !matches!(unit, "minute" | "hour" | "day") {
        return None;
    }
    (n > 0).then(|| n.checked_mul(mult)).flatten()
}

/// Natural phrases compiled to cron: `every day at 9am`, `daily at 7am`, `weekdays at 9am`,
/// `every monday 9am`, `every monday at 9:30pm`, `weekends at 10:00`.
fn phrase(words: &[&str]) -> Option<String> {
    let (days, rest) = match words {
        ["every", "day", rest @ ..] | ["daily", rest @ ..] => ("*", rest),
        ["weekdays", rest @ ..] | ["every", "weekday", rest @ ..] => ("1-5", rest),
        ["weekends", rest @ ..] | ["every", "weekend", rest @ ..] => ("0,6", rest),
        ["every", day, rest @ ..] => (weekday(day)?, rest),
        _ => return None,
    };
    let time = match rest {
        ["at", t @ ..] => t.join(""),
        t if !t.is_empty() => t.join(""),
        _ => return None,
    };
    let (h, m) = clock(&time)?;
    Some(format!("{m} {h} * * {days}"))
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("sunday", "0"),
    ("monday", "1"),
    ("tuesday", "2"),
    ("wednesday", "3"),
    ("thursday", "4"),
    ("friday", "5"),
    ("saturday", "6"),
];

fn weekday(word: &str) -> Option<&'static str> {
    let w = word.trim_end_matches('s');
    WEEKDAYS
        .iter()
        .find(|(full, _)| *full == w || (w.len() >= 3 && full.starts_with(w)))
        .map(|(_, n)| *n)
}

/// `9am`, `9:30pm`, `21:00`, `12am` → (hour, minute).
fn clock(text: &str) -> Option<(u8, u8)> {
    let (body, meridiem) = if let Some(b) = text.strip_suffix("am") {
        (b, Some(false))
    } else if let Some(b) = text.strip_suffix("pm") {
        (b, Some(true))
    } else {
        (text, None)
    };
    let (h, m) = match body.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?),
        None => (body.parse::<u8>().ok()?, 0),
        Some(_) => return None,
    };
    if m > 59 {
        return None;
    }
    let h = match meridiem {
        Some(pm) if (1..=12).contains(&h) => (h % 12) + if pm { 12 } else { 0 },
        None if h <= 23 && body.contains(':') => h,
        _ => return None,
    };
    Some((h, m))
}

fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// An ISO date or date-time; local to `tz` unless it carries an offset (`Z`, `+08:00`).
fn timestamp(text: &str, tz: &TimeZone) -> Option<Zoned> {
    let pieces = Pieces::parse(text).ok()?;
    let dt = pieces.date().to_datetime(pieces.time().unwrap_or_default());
    match pieces.to_numeric_offset() {
        Some(offset) => Some(offset.to_timestamp(dt).ok()?.to_zoned(tz.clone())),
        None => dt.to_zoned(tz.clone()).ok(),
    }
}

/// Reads a stored timestamp: ISO with an offset, or (legacy) a naive local time in `tz`.
#[must_use]
pub fn parse_stored_time(text: &str, tz: &TimeZone) -> Option<Zoned> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts.to_zoned(tz.clone()));
    }
    timestamp(text, tz).or_else(|| text.parse::<DateTime>().ok()?.to_zoned(tz.clone()).ok())
}

/// Formats a time as upstream stores it: ISO 8601 with the UTC offset, whole seconds.
#[must_use]
pub fn format_time(z: &Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

impl ParsedSchedule {
    /// The record upstream writes in `jobs.json`.
    #[must_use]
    pub fn to_record(&self) -> Value {
        match &self.schedule {
            Schedule::Once { run_at } => {
                json!({"kind": "once", "run_at": format_time(run_at), "display": self.display})
            }
            Schedule::Interval { minutes } => {
                json!({"kind": "interval", "minutes": minutes, "display": self.display})
            }
            Schedule::Cron { expr } => {
                json!({"kind": "cron", "expr": expr.as_str(), "display": self.display})
            }
        }
    }

    /// Reads a stored record (`{kind, expr|minutes|run_at, display}`).
    pub fn from_record(record: &Value, tz: &TimeZone) -> Result<Self, ScheduleError> {
        let empty = Map::new();
        let map = record.as_object().unwrap_or(&empty);
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or_default();
        let bad = || ScheduleError::Record {
            kind: kind.to_string(),
        };
        let schedule = match kind {
            "once" => Schedule::Once {
                run_at: map
                    .get("run_at")
                    .and_then(Value::as_str)
                    .and_then(|s| parse_stored_time(s, tz))
                    .ok_or_else(bad)?,
            },
            "interval" => Schedule::Interval {
                minutes: map
                    .get("minutes")
                    .and_then(|m| m.as_u64().or_else(|| m.as_f64().and_then(whole_minutes)))
                    .filter(|m| *m > 0)
                    .ok_or_else(bad)?,
            },
            "cron" => {
                let text = map.get("expr").and_then(Value::as_str).ok_or_else(bad)?;
                Schedule::Cron {
                    expr: CronExpr::parse(text).map_err(|source| ScheduleError::Cron {
                        input: text.to_string(),
                        source,
                    })?,
                }
            }
            _ => return Err(bad()),
        };
        let display = map
            .get("display")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
            .map_or_else(|| default_display(&schedule), str::to_string);
        Ok(Self { schedule, display })
    }
}

/// A float minute count (hand-edited records) as whole minutes, at least one.
fn whole_minutes(f: f64) -> Option<u64> {
    let text = format!("{:.0}", f.max(1.0));
    text.parse().ok()
}

fn default_display(s: &Schedule) -> String {
    match s {
        Schedule::Once { run_at } => format!("once at {}", run_at.strftime("%Y-%m-%d %H:%M")),
        Schedule::Interval { minutes } => format!("every {minutes}m"),
        Schedule::Cron { expr } => expr.to_string(),
    }
}

impl Schedule {
    /// Whether the job runs more than once by nature.
    #[must_use]
    pub fn is_recurring(&self) -> bool {
        !matches!(self, Self::Once { .. })
    }

    /// The first run of a new (or resumed) job, seen from `now`.
    #[must_use]
    pub fn first_run(&self, now: &Zoned) -> Option<Zoned> {
        match self {
            Self::Once { run_at } => Some(run_at.with_time_zone(now.time_zone().clone())),
            _ => self.next_after(now),
        }
    }

    /// The next run strictly after `now`; `None` for a one-shot.
    #[must_use]
    pub fn next_after(&self, now: &Zoned) -> Option<Zoned> {
        match self {
            Self::Once { .. } => None,
            Self::Interval { minutes } => {
                let m = i64::try_from(*minutes).ok()?;
                now.checked_add(m.minutes()).ok()
            }
            Self::Cron { expr } => expr.next_after(now),
        }
    }

    /// How late a run may start and still count: half the period, clamped to 120 s – 2 h
    /// (one-shots get the minimum).
    #[must_use]
    pub fn grace(&self, now: &Zoned) -> SignedDuration {
        const MIN: i64 = 120;
        const MAX: i64 = 7200;
        let period = match self {
            Self::Once { .. } => 0,
            Self::Interval { minutes } => i64::try_from(*minutes).unwrap_or(i64::MAX / 120) * 60,
            Self::Cron { expr } => expr
                .next_after(now)
                .and_then(|a| Some((a.clone(), expr.next_after(&a)?)))
                .map_or(0, |(a, b)| {
                    b.timestamp().duration_since(a.timestamp()).as_secs()
                }),
        };
        SignedDuration::from_secs((period / 2).clamp(MIN, MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Zoned {
        // A Friday.
        "2026-03-06T10:00:00-05:00[America/New_York]"
            .parse()
            .unwrap()
    }

    fn p(s: &str) -> ParsedSchedule {
        parse(s, &now()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ny(s: &str) -> Zoned {
        format!("{s}[America/New_York]").parse().unwrap()
    }

    fn at(s: &str, now: &Zoned) -> Zoned {
        parse(s, now)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .schedule
            .next_after(now)
            .unwrap()
    }

    #[test]
    fn intervals_count_elapsed_time_across_dst() {
        // Spring forward (2026-03-08 02:00 EST -> 03:00 EDT): 2 h of elapsed time.
        let before = ny("2026-03-08T01:00:00-05:00");
        assert_eq!(
            at("every 2h", &before).to_string(),
            "2026-03-08T04:00:00-04:00[America/New_York]"
        );
        // `every 1d` is 24 hours of elapsed time, so its local time moves with DST (use
        // `every day at 9am` for a fixed local time).
        let nine = ny("2026-03-07T09:00:00-05:00");
        assert_eq!(
            at("every 1d", &nine).to_string(),
            "2026-03-08T10:00:00-04:00[America/New_York]"
        );
        let fall = ny("2026-10-31T09:00:00-04:00");
        assert_eq!(
            at("every 1d", &fall).to_string(),
            "2026-11-01T08:00:00-05:00[America/New_York]"
        );
        // Fall back (2026-11-01 02:00 EDT -> 01:00 EST): 30 minutes after 01:45 EDT is the
        // second 01:15.
        let Schedule::Interval { .. } = p("every 30m").schedule else {
            panic!()
        };
        assert_eq!(
            at("every 30m", &ny("2026-11-01T01:45:00-04:00")).to_string(),
            "2026-11-01T01:15:00-05:00[America/New_York]"
        );
    }

    #[test]
    fn one_shot_delays_are_elapsed_time_across_dst() {
        let Schedule::Once { run_at } = parse("in 30m", &ny("2026-03-08T01:45:00-05:00"))
            .unwrap()
            .schedule
        else {
            panic!()
        };
        assert_eq!(
            run_at.to_string(),
            "2026-03-08T03:15:00-04:00[America/New_York]"
        );
        let Schedule::Once { run_at } = parse("in 30m", &ny("2026-11-01T01:45:00-04:00"))
            .unwrap()
            .schedule
        else {
            panic!()
        };
        assert_eq!(
            run_at.to_string(),
            "2026-11-01T01:15:00-05:00[America/New_York]"
        );
    }

    #[test]
    fn local_iso_times_in_a_gap_move_forward_and_in_a_fold_take_the_first() {
        let now = ny("2026-03-01T12:00:00-05:00");
        let once = |s: &str| match parse(s, &now).unwrap().schedule {
            Schedule::Once { run_at } => run_at.to_string(),
            other => panic!("{other:?}"),
        };
        // 02:30 does not exist on 2026-03-08 in New York: it is read as 03:30 EDT.
        assert_eq!(
            once("2026-03-08T02:30:00"),
            "2026-03-08T03:30:00-04:00[America/New_York]"
        );
        // 01:30 happens twice on 2026-11-01: the first (EDT) is taken.
        assert_eq!(
            once("2026-11-01T01:30:00"),
            "2026-11-01T01:30:00-04:00[America/New_York]"
        );
        // An explicit offset picks the second one.
        assert_eq!(
            once("2026-11-01T01:30:00-05:00"),
            "2026-11-01T01:30:00-05:00[America/New_York]"
        );
    }

    #[test]
    fn natural_forms_keep_their_local_time_across_dst() {
        let spring = ny("2026-03-07T09:00:00-05:00");
        assert_eq!(
            at("every day at 9am", &spring).to_string(),
            "2026-03-08T09:00:00-04:00[America/New_York]"
        );
        let fall = ny("2026-10-31T09:00:00-04:00");
        assert_eq!(
            at("every day at 9am", &fall).to_string(),
            "2026-11-01T09:00:00-05:00[America/New_York]"
        );
        // Friday 9am EST -> Monday 9am EDT.
        assert_eq!(
            at("weekdays at 9am", &ny("2026-03-06T09:00:00-05:00")).to_string(),
            "2026-03-09T09:00:00-04:00[America/New_York]"
        );
        // A daily time inside the gap runs once that day, at the moment the gap ends.
        let gap = at("every day at 2:30am", &ny("2026-03-07T12:00:00-05:00"));
        assert_eq!(gap.date().to_string(), "2026-03-08");
        assert_eq!(gap.offset().seconds(), -4 * 3600);
    }

    fn cron_of(s: &str) -> String {
        match p(s).schedule {
            Schedule::Cron { expr } => expr.to_string(),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn one_shot_delays() {
        for (input, display) in [
            ("30m", "once in 30m"),
            ("in 30m", "once in 30m"),
            ("in 2h", "once in 2h"),
        ] {
            let s = p(input);
            assert_eq!(s.display, display);
            assert!(!s.schedule.is_recurring());
        }
        let Schedule::Once { run_at } = p("in 1d").schedule else {
            panic!()
        };
        assert_eq!(
            run_at.to_string(),
            "2026-03-07T10:00:00-05:00[America/New_York]"
        );
        let r = p("in 30 minutes").to_record();
        assert_eq!(r["kind"], "once");
        assert_eq!(r["run_at"], "2026-03-06T10:30:00-05:00");
    }

    #[test]
    fn intervals() {
        assert_eq!(p("every 30m").schedule, Schedule::Interval { minutes: 30 });
        assert_eq!(p("every 2h").display, "every 120m");
        assert_eq!(p("every 1d").schedule, Schedule::Interval { minutes: 1440 });
        assert_eq!(p("every hour").schedule, Schedule::Interval { minutes: 60 });
        assert_eq!(
            p("Every 2 hours").schedule,
            Schedule::Interval { minutes: 120 }
        );
        let r = p("every 2h").to_record();
        assert_eq!(
            r,
            json!({"kind": "interval", "minutes": 120, "display": "every 120m"})
        );
    }

    #[test]
    fn cron_expressions_and_names() {
        assert_eq!(cron_of("0 9 * * *"), "0 9 * * *");
        assert_eq!(cron_of("0 9 * * mon-fri"), "0 9 * * mon-fri");
        assert_eq!(cron_of("0  9 1 jan,jul *"), "0 9 1 jan,jul *");
        assert_eq!(p("0 9 * * mon-fri").display, "0 9 * * mon-fri");
        assert_eq!(cron_of("@daily"), "0 0 * * *");
    }

    #[test]
    fn natural_phrases_compile_to_cron() {
        assert_eq!(cron_of("every day at 9am"), "0 9 * * *");
        assert_eq!(cron_of("daily at 7am"), "0 7 * * *");
        assert_eq!(cron_of("weekdays at 9am"), "0 9 * * 1-5");
        assert_eq!(cron_of("every monday 9am"), "0 9 * * 1");
        assert_eq!(cron_of("every monday at 9:30pm"), "30 21 * * 1");
        assert_eq!(cron_of("every Fri at 12am"), "0 0 * * 5");
        assert_eq!(cron_of("every sunday at 12pm"), "0 12 * * 0");
        assert_eq!(cron_of("daily at 18:45"), "45 18 * * *");
        assert_eq!(p("Every Day at 9am").display, "every day at 9am");
        // The compiled job runs at the right wall-clock time.
        let next = p("weekdays at 9am").schedule.next_after(&now()).unwrap();
        assert_eq!(
            next.to_string(),
            "2026-03-09T09:00:00-04:00[America/New_York]"
        );
    }

    #[test]
    fn iso_timestamps() {
        let Schedule::Once { run_at } = p("2026-03-15T09:00:00").schedule else {
            panic!()
        };
        assert_eq!(
            run_at.to_string(),
            "2026-03-15T09:00:00-04:00[America/New_York]"
        );
        assert_eq!(p("2026-03-15T09:00:00").display, "once at 2026-03-15 09:00");
        let Schedule::Once { run_at } = p("2026-03-15T09:00:00Z").schedule else {
            panic!()
        };
        assert_eq!(run_at.timestamp().to_string(), "2026-03-15T09:00:00Z");
        let Schedule::Once { run_at } = p("2026-03-15 09:00+08:00").schedule else {
            panic!()
        };
        assert_eq!(run_at.timestamp().to_string(), "2026-03-15T01:00:00Z");
        assert!(matches!(
            parse("2026-02-30T09:00", &now()),
            Err(ScheduleError::Timestamp { .. })
        ));
    }

    #[test]
    fn invalid_inputs_explain_the_forms() {
        for bad in [
            "",
            "whenever",
            "every",
            "every 0m",
            "in 5 fortnights",
            "daily at 25pm",
            "13pm",
        ] {
            let e = parse(bad, &now()).unwrap_err();
            assert!(
                matches!(e, ScheduleError::Unrecognised { .. }),
                "{bad}: {e:?}"
            );
            assert!(e.hints().iter().any(|h| h.contains("every 30m")));
        }
        let e = parse("61 9 * * *", &now()).unwrap_err();
        assert!(matches!(e, ScheduleError::Cron { .. }));
        let e = parse("0 9 * * funday", &now()).unwrap_err();
        assert!(matches!(e, ScheduleError::Cron { .. }), "{e:?}");
    }

    #[test]
    fn records_round_trip_and_legacy_times() {
        let tz = TimeZone::get("America/New_York").unwrap();
        for s in ["every 2h", "0 9 * * mon-fri", "in 30m", "weekdays at 9am"] {
            let parsed = p(s);
            let back = ParsedSchedule::from_record(&parsed.to_record(), &tz).unwrap();
            assert_eq!(back.display, parsed.display);
            assert_eq!(back.to_record(), parsed.to_record());
        }
        // Python's isoformat with microseconds, and a naive legacy value.
        let a = parse_stored_time("2026-03-06T10:00:00.123456+08:00", &tz).unwrap();
        assert_eq!(a.timestamp().to_string(), "2026-03-06T02:00:00.123456Z");
        let b = parse_stored_time("2026-03-06T10:00:00", &tz).unwrap();
        assert_eq!(format_time(&b), "2026-03-06T10:00:00-05:00");
        assert!(ParsedSchedule::from_record(&json!({"kind": "interval"}), &tz).is_err());
    }

    #[test]
    fn grace_is_half_the_period_clamped() {
        let n = now();
        assert_eq!(p("every 1m").schedule.grace(&n).as_secs(), 120);
        assert_eq!(p("every 30m").schedule.grace(&n).as_secs(), 900);
        assert_eq!(p("every 1d").schedule.grace(&n).as_secs(), 7200);
        assert_eq!(p("*/10 * * * *").schedule.grace(&n).as_secs(), 300);
        assert_eq!(p("in 5m").schedule.grace(&n).as_secs(), 120);
    }
}
