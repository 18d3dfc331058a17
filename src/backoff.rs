//! Jittered exponential backoff shared by the supervisor, adapters and providers.

use std::time::Duration;

/// Full-jitter exponential backoff: attempt `n` (0-based) waits a random time in
/// `[base·2ⁿ/2, base·2ⁿ]`, capped at `max`.
#[must_use]
pub fn delay(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX));
    let ceiling = exp.min(max);
    let half = ceiling / 2;
    half + ceiling.saturating_sub(half).mul_f64(random_unit())
}

/// A uniform random number in `[0, 1)` from the OS generator (0.5 if it fails).
#[must_use]
pub fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    #[allow(clippy::cast_precision_loss)] // 53 random bits are plenty for a delay
    let v = (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_cap() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(5);
        for attempt in 0..30 {
            let d = delay(attempt, base, max);
            let ceiling = (base * 2u32.saturating_pow(attempt.min(20))).min(max);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
    }
}
