//! The store's notion of "now": the system clock in production, a hand-set clock in tests.

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that only moves when told to (tests, simulations).
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// A clock stopped at `at`.
    #[must_use]
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let mut t = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *t = t.saturating_add(by).unwrap_or(*t);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Seconds since the epoch as a float, the format upstream's `state.db` uses for every time.
#[must_use]
pub(crate) fn to_epoch(ts: Timestamp) -> f64 {
    // f64 holds microsecond precision for dates far beyond any session.
    #[allow(clippy::cast_precision_loss)]
    let micros = ts.as_microsecond() as f64;
    micros / 1_000_000.0
}

/// The inverse of [`to_epoch`]; out-of-range values clamp to the nearest representable instant.
#[must_use]
pub(crate) fn from_epoch(secs: f64) -> Timestamp {
    // Saturating float→int conversion is what we want for garbage values.
    #[allow(clippy::cast_possible_truncation)]
    let micros = (secs * 1_000_000.0).round() as i64;
    Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_round_trip() {
        let t: Timestamp = "2025-01-01T12:00:00.123456Z".parse().unwrap();
        assert_eq!(from_epoch(to_epoch(t)), t);
        assert_eq!(
            from_epoch(1_735_732_800.0).to_string(),
            "2025-01-01T12:00:00Z"
        );
        assert_eq!(from_epoch(f64::MAX), Timestamp::MAX);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Timestamp::UNIX_EPOCH);
        c.advance(SignedDuration::from_secs(90));
        assert_eq!(c.now().as_second(), 90);
        c.set(Timestamp::from_second(5).unwrap());
        assert_eq!(c.now().as_second(), 5);
    }
}
