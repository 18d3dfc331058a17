//! The 5-field cron expression (`minute hour day-of-month month day-of-week`): parsing with
//! ranges, lists, steps and names, and `next_after` evaluated in a time zone, DST included.
//! Natural phrases and the other schedule kinds live in `schedule`.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan, Zoned};

/// Why a cron expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronExprError {
    /// Not exactly five fields.
    #[error("expected 5 fields (minute hour day-of-month month day-of-week), found {found}")]
    FieldCount { found: usize },
    /// One field does not parse.
    #[error("{field} field `{value}`: {problem}")]
    Field {
        field: &'static str,
        value: String,
        problem: &'static str,
    },
}

/// Which field, its bounds, and the names it accepts.
struct FieldSpec {
    name: &'static str,
    min: u8,
    max: u8,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const SPECS: [FieldSpec; 5] = [
    FieldSpec {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    FieldSpec {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    FieldSpec {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    FieldSpec {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    // 7 is Sunday too, as in Vixie cron; folded onto 0 after parsing.
    FieldSpec {
        name: "day-of-week",
        min: 0,
        max: 7,
        names: DAYS,
    },
];

/// A parsed 5-field cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    source: String,
    minutes: u64,
    hours: u32,
    doms: u32,
    months: u16,
    dows: u8,
    /// The day-of-month field starts with `*` (Vixie: then days match on day-of-week alone).
    dom_star: bool,
    /// The day-of-week field starts with `*`.
    dow_star: bool,
    /// The hour field starts with `*`: the job also runs in a repeated (fall-back) hour.
    hour_star: bool,
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for CronExpr {
    type Err = CronExprError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl CronExpr {
    /// Parses `m h dom mon dow`; names (`jan`, `mon-fri`) are case-insensitive.
    pub fn parse(expr: &str) -> Result<Self, CronExprError> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(CronExprError::FieldCount {
                found: fields.len(),
            });
        }
        let mut sets = [0u64; 5];
        for (i, (field, spec)) in fields.iter().zip(SPECS.iter()).enumerate() {
            sets[i] = parse_field(field, spec)?;
        }
        // Fold day-of-week 7 onto 0 (both Sunday).
        if sets[4] & (1 << 7) != 0 {
            sets[4] = (sets[4] & !(1 << 7)) | 1;
        }
        // The bit sets fit their types by construction (max bit 59, 23, 31, 12, 6).
        Ok(Self {
            source: fields.join(" "),
            minutes: sets[0],
            hours: u32::try_from(sets[1]).unwrap_or(u32::MAX),
            doms: u32::try_from(sets[2]).unwrap_or(u32::MAX),
            months: u16::try_from(sets[3]).unwrap_or(u16::MAX),
            dows: u8::try_from(sets[4]).unwrap_or(u8::MAX),
            dom_star: fields[2].starts_with('*'),
            dow_star: fields[4].starts_with('*'),
            hour_star: fields[1].starts_with('*'),
        })
    }

    /// The expression as written (fields joined by single spaces).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn day_matches(&self, d: Date) -> bool {
        if self.months & (1 << d.month()) == 0 {
            return false;
        }
        let dom = self.doms & (1 << d.day()) != 0;
        let dow = self.dows & (1 << d.weekday().to_sunday_zero_offset()) != 0;
        // Vixie cron: when both day fields are restricted, either may match.
        if self.dom_star || self.dow_star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// Matching wall-clock times from `start` (inclusive) on, in order, for up to `days` days.
    fn civil_matches(&self, start: DateTime, days: i64) -> impl Iterator<Item = DateTime> + '_ {
        let first_day = start.date();
        (0..days)
            .filter_map(move |n| first_day.checked_add(n.days()).ok())
            .filter(move |d| self.day_matches(*d))
            .flat_map(move |d| {
                bits(u64::from(self.hours)).flat_map(move |h| {
                    bits(self.minutes).filter_map(move |m| {
                        let t =
                            Time::new(i8::try_from(h).ok()?, i8::try_from(m).ok()?, 0, 0).ok()?;
                        Some(d.to_datetime(t))
                    })
                })
            })
            .filter(move |dt| *dt >= start)
    }

    /// The instants a wall-clock match stands for: a time skipped by a spring-forward gap runs
    /// at the end of the gap; a repeated (fall-back) time runs at its first occurrence, and at
    /// its second too only when the hour field is a wildcard.
    fn instants(&self, tz: &TimeZone, dt: DateTime) -> [Option<Timestamp>; 2] {
        let amb = tz.to_ambiguous_timestamp(dt);
        match amb.offset() {
            AmbiguousOffset::Unambiguous { offset } => [offset.to_timestamp(dt).ok(), None],
            AmbiguousOffset::Gap { before, .. } => {
                // `before` maps the skipped time past the gap; the transition preceding that
                // instant is where the gap ends.
                let later = before.to_timestamp(dt).ok();
                let end = later.and_then(|ts| tz.preceding(ts).next().map(|t| t.timestamp()));
                [end.or(later), None]
            }
            AmbiguousOffset::Fold { before, after } => {
                let first = before.to_timestamp(dt).ok();
                let second = if self.hour_star {
                    after.to_timestamp(dt).ok()
                } else {
                    None
                };
                [first, second]
            }
        }
    }

    /// The first run strictly after `now`, in `now`'s time zone; `None` if none within 8 years
    /// (e.g. `0 0 30 2 *`).
    #[must_use]
    pub fn next_after(&self, now: &Zoned) -> Option<Zoned> {
        let tz = now.time_zone().clone();
        let now_ts = now.timestamp();
        // Start a little before `now` on the wall clock, so the second pass of a repeated hour
        // is not missed; anything not after `now` is filtered below.
        let start = (now.datetime() - 3.hours())
            .with()
            .second(0)
            .subsec_nanosecond(0)
            .build()
            .ok()?;
        let mut best: Option<(Timestamp, DateTime)> = None;
        for dt in self.civil_matches(start, 366 * 8 + 2) {
            if let Some((_, found_at)) = best {
                // A later wall-clock time can only be an earlier instant within a fold.
                if dt > found_at + 3.hours() {
                    break;
                }
            }
            for ts in self.instants(&tz, dt).into_iter().flatten() {
                if ts > now_ts && best.is_none_or(|(b, _)| ts < b) {
                    best = Some((ts, best.map_or(dt, |(_, at)| at)));
                }
            }
        }
        best.map(|(ts, _)| ts.to_zoned(tz))
    }
}

/// The set bits of `set`, lowest first.
fn bits(set: u64) -> impl Iterator<Item = u32> {
    (0..64u32).filter(move |i| set & (1u64 << i) != 0)
}

fn parse_field(field: &str, spec: &FieldSpec) -> Result<u64, CronExprError> {
    let err = |problem: &'static str| CronExprError::Field {
        field: spec.name,
        value: field.to_string(),
        problem,
    };
    if field.is_empty() {
        return Err(err("is empty"));
    }
    let mut set = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u8 = s.parse().map_err(|_| err("the step is not a number"))?;
                if step == 0 {
                    return Err(err("the step must be at least 1"));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (spec.min, spec.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let lo = value(a, spec).ok_or_else(|| err(value_problem(spec)))?;
            let hi = value(b, spec).ok_or_else(|| err(value_problem(spec)))?;
            if lo > hi {
                return Err(err("the range runs backwards"));
            }
            (lo, hi)
        } else {
            let v = value(range, spec).ok_or_else(|| err(value_problem(spec)))?;
            // `5/15` means from 5 to the end, every 15 (Vixie and croniter).
            (v, if part.contains('/') { spec.max } else { v })
        };
        let mut v = lo;
        while v <= hi {
            set |= 1u64 << v;
            v = match v.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
    }
    Ok(set)
}

fn value_problem(spec: &FieldSpec) -> &'static str {
    match spec.name {
        "minute" => "values must be 0-59",
        "hour" => "values must be 0-23",
        "day-of-month" => "values must be 1-31",
        "month" => "values must be 1-12 or jan-dec",
        _ => "values must be 0-7 or sun-sat",
    }
}

fn value(text: &str, spec: &FieldSpec) -> Option<u8> {
    if let Ok(n) = text.parse::<u8>() {
        return (spec.min..=spec.max).contains(&n).then_some(n);
    }
    let lower = text.to_ascii_lowercase();
    let idx = spec.names.iter().position(|n| *n == lower)?;
    // Month names are 1-based; day names start at Sunday = 0.
    let idx = u8::try_from(idx).ok()?;
    Some(if spec.names.len() == 12 { idx + 1 } else { idx })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str, tz: &str) -> Zoned {
        s.parse::<DateTime>().unwrap().in_tz(tz).unwrap()
    }

    fn next(expr: &str, from: &str, tz: &str) -> String {
        let e = CronExpr::parse(expr).unwrap();
        e.next_after(&at(from, tz)).unwrap().to_string()
    }

    #[test]
    fn simple_fields() {
        assert_eq!(
            next("0 9 * * *", "2026-03-02T08:00", "UTC"),
            "2026-03-02T09:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 9 * * *", "2026-03-02T09:00", "UTC"),
            "2026-03-03T09:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-03-02T09:07:30", "UTC"),
            "2026-03-02T09:15:00+00:00[UTC]"
        );
        assert_eq!(
            next("5/20 * * * *", "2026-03-02T09:26", "UTC"),
            "2026-03-02T09:45:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 0 1 1 *", "2026-03-02T00:00", "UTC"),
            "2027-01-01T00:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("30 4 1,15 * *", "2026-03-02T00:00", "UTC"),
            "2026-03-15T04:30:00+00:00[UTC]"
        );
    }

    #[test]
    fn names_and_ranges() {
        // 2026-03-06 is a Friday.
        assert_eq!(
            next("0 9 * * mon-fri", "2026-03-06T10:00", "UTC"),
            "2026-03-09T09:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 9 * * SAT,sun", "2026-03-06T10:00", "UTC"),
            "2026-03-07T09:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 9 * * 7", "2026-03-06T10:00", "UTC"),
            "2026-03-08T09:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 0 1 jun-aug *", "2026-03-06T10:00", "UTC"),
            "2026-06-01T00:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 0 29 feb *", "2026-03-06T10:00", "UTC"),
            "2028-02-29T00:00:00+00:00[UTC]"
        );
        assert!(
            CronExpr::parse("0 0 30 2 *")
                .unwrap()
                .next_after(&at("2026-01-01T00:00", "UTC"))
                .is_none()
        );
    }

    #[test]
    fn dom_dow_or_semantics() {
        // Both restricted: the 13th OR any Friday. 2026-03-06 is a Friday, the 13th is too.
        assert_eq!(
            next("0 0 13 * fri", "2026-03-01T00:00", "UTC"),
            "2026-03-06T00:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 0 10 * fri", "2026-03-07T00:00", "UTC"),
            "2026-03-10T00:00:00+00:00[UTC]"
        );
        // A starred day-of-week (even `*/2`) means day-of-month alone decides.
        assert_eq!(
            next("0 0 10 * *", "2026-03-07T00:00", "UTC"),
            "2026-03-10T00:00:00+00:00[UTC]"
        );
        assert_eq!(
            next("0 0 1-7 * */1", "2026-03-08T00:00", "UTC"),
            "2026-04-01T00:00:00+00:00[UTC]"
        );
    }

    #[test]
    fn spring_forward_gap_runs_once_at_gap_end() {
        // New York: 2026-03-08 02:00 EST jumps to 03:00 EDT.
        let tz = "America/New_York";
        assert_eq!(
            next("30 2 * * *", "2026-03-07T03:00", tz),
            "2026-03-08T03:00:00-04:00[America/New_York]"
        );
        assert_eq!(
            next("30 2 * * *", "2026-03-08T03:00", tz),
            "2026-03-09T02:30:00-04:00[America/New_York]"
        );
        // Every quarter hour: the skipped 02:xx runs collapse into one run at 03:00.
        assert_eq!(
            next("*/15 * * * *", "2026-03-08T01:45", tz),
            "2026-03-08T03:00:00-04:00[America/New_York]"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-03-08T03:00", tz),
            "2026-03-08T03:15:00-04:00[America/New_York]"
        );
        // Berlin: 2026-03-29 02:00 CET jumps to 03:00 CEST.
        let tz = "Europe/Berlin";
        assert_eq!(
            next("30 2 * * *", "2026-03-28T12:00", tz),
            "2026-03-29T03:00:00+02:00[Europe/Berlin]"
        );
    }

    #[test]
    fn fall_back_fold_runs_once_at_first_occurrence() {
        // New York: 2026-11-01 01:00-02:00 happens twice (EDT, then EST).
        let tz = "America/New_York";
        let first = next("30 1 * * *", "2026-10-31T12:00", tz);
        assert_eq!(first, "2026-11-01T01:30:00-04:00[America/New_York]");
        let after_first: Zoned = first.parse().unwrap();
        let e = CronExpr::parse("30 1 * * *").unwrap();
        assert_eq!(
            e.next_after(&after_first).unwrap().to_string(),
            "2026-11-02T01:30:00-05:00[America/New_York]"
        );
        // Berlin: 2026-10-25 02:00-03:00 repeats.
        let tz = "Europe/Berlin";
        let first = next("30 2 * * *", "2026-10-24T12:00", tz);
        assert_eq!(first, "2026-10-25T02:30:00+02:00[Europe/Berlin]");
        let e = CronExpr::parse("30 2 * * *").unwrap();
        let second = e.next_after(&first.parse().unwrap()).unwrap();
        assert_eq!(
            second.to_string(),
            "2026-10-26T02:30:00+01:00[Europe/Berlin]"
        );
    }

    #[test]
    fn hourly_jobs_keep_running_through_the_repeated_hour() {
        let e = CronExpr::parse("0,45 * * * *").unwrap();
        let mut t: Zoned = "2026-11-01T00:50:00-04:00[America/New_York]"
            .parse()
            .unwrap();
        let mut seen = Vec::new();
        for _ in 0..5 {
            t = e.next_after(&t).unwrap();
            seen.push(t.strftime("%H:%M%:z").to_string());
        }
        assert_eq!(
            seen,
            [
                "01:00-04:00",
                "01:45-04:00",
                "01:00-05:00",
                "01:45-05:00",
                "02:00-05:00"
            ]
        );
    }

    #[test]
    fn invalid_expressions() {
        for (bad, needle) in [
            ("61 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day-of-month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day-of-week"),
            ("* * * * foo", "day-of-week"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"),
        ] {
            let e = CronExpr::parse(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
        assert_eq!(
            CronExpr::parse("* * *").unwrap_err(),
            CronExprError::FieldCount { found: 3 }
        );
    }
}
