//! Retrying a provider on transient failures (rate limits, 5xx, unreachable) with jittered
//! exponential backoff, but only while nothing has been streamed to the caller yet: once the
//! user has seen part of an answer, a second answer would repeat it.

use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{Provider, ProviderError};
use crate::agent::types::{ChatRequest, ChatResponse, StreamEvent};

/// How many times to try, and how long to wait in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total (1 = no retries).
    pub max_attempts: u32,
    /// Wait before the first retry; doubles each time.
    pub base_delay: Duration,
    /// Longest wait, also the cap on a provider's `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_mins(1),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait after failed attempt number `attempt` (1-based). `jitter` in `[0, 1)` spreads
    /// clients apart: the wait is between half and all of the exponential step. A provider's
    /// `Retry-After` is honoured as given (capped at `max_delay`).
    #[must_use]
    pub fn delay(&self, attempt: u32, err: &ProviderError, jitter: f64) -> Duration {
        if let ProviderError::RateLimited {
            retry_after: Some(d),
            ..
        } = err
        {
            return (*d).min(self.max_delay);
        }
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let step = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let jitter = jitter.clamp(0.0, 1.0);
        step.mul_f64(0.5 + jitter / 2.0)
    }
}

/// A uniform random number in `[0, 1)` from the OS; `0.5` if it has none.
fn jitter() -> f64 {
    #[allow(clippy::cast_precision_loss)] // 53 random bits fit an f64 exactly.
    getrandom::u64().map_or(0.5, |r| (r >> 11) as f64 / (1u64 << 53) as f64)
}

/// A provider with retries.
#[derive(Debug)]
pub struct Retrying<P> {
    inner: P,
    policy: RetryPolicy,
}

impl<P: Provider> Retrying<P> {
    /// Wraps `inner`.
    pub fn new(inner: P, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

#[async_trait]
impl<P: Provider> Provider for Retrying<P> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<ChatResponse, ProviderError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut streamed = false;
            let result = {
                let mut watch = |ev: StreamEvent| {
                    streamed = true;
                    on_event(ev);
                };
                self.inner.chat(req, &mut watch, cancel).await
            };
            let err = match result {
                Ok(r) => return Ok(r),
                Err(e) => e,
            };
            if streamed || !err.is_retryable() || attempt >= self.policy.max_attempts {
                return Err(err);
            }
            let wait = self.policy.delay(attempt, &err, jitter());
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ProviderError::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> ProviderError {
        ProviderError::Server {
            provider: "p".into(),
            status: 500,
            message: String::new(),
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        };
        assert_eq!(p.delay(1, &server(), 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(1, &server(), 1.0), Duration::from_secs(1));
        assert_eq!(p.delay(3, &server(), 1.0), Duration::from_secs(4));
        assert_eq!(p.delay(9, &server(), 1.0), Duration::from_secs(10));
        assert_eq!(p.delay(u32::MAX, &server(), 0.0), Duration::from_secs(5));
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        };
        let rl = |s| ProviderError::RateLimited {
            provider: "p".into(),
            retry_after: Some(Duration::from_secs(s)),
            message: String::new(),
        };
        assert_eq!(p.delay(1, &rl(7), 0.9), Duration::from_secs(7));
        assert_eq!(p.delay(1, &rl(3600), 0.9), Duration::from_secs(30));
    }

    #[test]
    fn jitter_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
