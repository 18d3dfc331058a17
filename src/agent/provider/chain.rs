//! The primary provider and its `fallback_providers`, tried in order. A fallback is used only
//! when the previous provider failed (after its own retries) in a way another provider might
//! not, and before any of the answer reached the caller. A provider that failed that way (down,
//! overloaded, a bad key) while a later one answered is tried last for a cool-down, so later
//! calls do not wait on its retries each time.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{Provider, ProviderConfigError, ProviderError};
use crate::agent::types::{ChatRequest, ChatResponse, StreamEvent};

/// One provider of a chain, with the model it is asked for.
pub struct ChainEntry {
    /// The provider (usually wrapped in [`super::Retrying`]).
    pub provider: Box<dyn Provider>,
    /// Its model; empty means the request's.
    pub model: String,
}

impl std::fmt::Debug for ChainEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainEntry")
            .field("provider", &self.provider.name())
            .field("model", &self.model)
            .finish()
    }
}

/// A configured fallback that could not be set up (it is left out of the chain).
#[derive(Debug)]
pub struct SkippedFallback {
    /// Its position in `fallback_providers`.
    pub index: usize,
    /// Its `provider` value.
    pub provider: String,
    /// Why it was skipped.
    pub error: ProviderConfigError,
}

/// A primary provider followed by fallbacks.
#[derive(Debug)]
pub struct ProviderChain {
    /// Never empty: the constructor takes the primary, so `entries[0]` always exists.
    entries: Vec<ChainEntry>,
    skipped: Vec<SkippedFallback>,
    /// Per entry: tried last until this instant (after it failed and a later one answered).
    cooling: Mutex<Vec<Option<Instant>>>,
    cool_down: Duration,
}

/// How long a failed provider is tried last, by default.
const COOL_DOWN: Duration = Duration::from_mins(2);

impl ProviderChain {
    /// A chain of one provider, asked for `model` unless a request names another.
    #[must_use]
    pub fn new(primary: Box<dyn Provider>, model: impl Into<String>) -> Self {
        Self {
            entries: vec![ChainEntry {
                provider: primary,
                model: model.into(),
            }],
            skipped: Vec::new(),
            cooling: Mutex::new(vec![None]),
            cool_down: COOL_DOWN,
        }
    }

    /// How long a provider that failed is tried after the others (default two minutes).
    #[must_use]
    pub fn with_cool_down(mut self, cool_down: Duration) -> Self {
        self.cool_down = cool_down;
        self
    }

    /// The entries in the order to try now: those not cooling down first, in order.
    fn order(&self) -> Vec<usize> {
        let now = Instant::now();
        let cooling = self
            .cooling
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let hot = |i: &usize| cooling.get(*i).copied().flatten().is_some_and(|t| t > now);
        let (later, mut first): (Vec<usize>, Vec<usize>) = (0..self.entries.len()).partition(hot);
        first.extend(later);
        first
    }

    fn set_cooling(&self, i: usize, until: Option<Instant>) {
        let mut cooling = self
            .cooling
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(slot) = cooling.get_mut(i) {
            *slot = until;
        }
    }

    /// Appends a fallback, always asked for its own `model` (or the request's if empty).
    #[must_use]
    pub fn with_fallback(mut self, provider: Box<dyn Provider>, model: impl Into<String>) -> Self {
        self.entries.push(ChainEntry {
            provider,
            model: model.into(),
        });
        self.cooling
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(None);
        self
    }

    /// Records a fallback that could not be built.
    pub(crate) fn skip(&mut self, skipped: SkippedFallback) {
        self.skipped.push(skipped);
    }

    /// The primary's model.
    #[must_use]
    pub fn default_model(&self) -> &str {
        &self.entries[0].model
    }

    /// `(provider name, model)` of each entry, primary first.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.provider.name(), e.model.as_str()))
    }

    /// Fallbacks left out because their configuration is incomplete.
    #[must_use]
    pub fn skipped(&self) -> &[SkippedFallback] {
        &self.skipped
    }
}

#[async_trait]
impl Provider for ProviderChain {
    fn name(&self) -> &str {
        self.entries[0].provider.name()
    }

    /// Tries the primary (with `req.model`, or its own model when that is empty), then each
    /// fallback with its own model. Returns the first success; when all fail, the primary's error (an error that rules
    /// out a fallback, or one after part of the answer was streamed, is returned at once).
    async fn chat(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<ChatResponse, ProviderError> {
        let mut first_err: Option<ProviderError> = None;
        let mut failed: Vec<usize> = Vec::new();
        for i in self.order() {
            let entry = &self.entries[i];
            let model = if (i == 0 && !req.model.is_empty()) || entry.model.is_empty() {
                req.model.clone()
            } else {
                entry.model.clone()
            };
            let attempt = ChatRequest {
                model,
                ..req.clone()
            };
            let mut streamed = false;
            let result = {
                let mut watch = |ev: StreamEvent| {
                    streamed = true;
                    on_event(ev);
                };
                entry.provider.chat(&attempt, &mut watch, cancel).await
            };
            match result {
                Ok(r) => {
                    self.set_cooling(i, None);
                    let until = Instant::now() + self.cool_down;
                    for f in failed {
                        self.set_cooling(f, Some(until));
                    }
                    return Ok(r);
                }
                Err(e) if streamed || !e.allows_fallback() => return Err(e),
                Err(e) => {
                    // Only a provider that is down or refusing us cools down, not one that
                    // could not take this particular request.
                    if e.is_retryable() || matches!(e, ProviderError::BadKey { .. }) {
                        failed.push(i);
                    }
                    first_err.get_or_insert(e);
                }
            }
        }
        // The chain always has a primary, so the loop ran and set an error.
        Err(first_err.unwrap_or(ProviderError::Cancelled))
    }
}
