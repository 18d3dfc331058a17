//! Model providers: the [`Provider`] trait the agent loop calls, its two HTTP implementations
//! (OpenAI-compatible Chat Completions and Anthropic Messages), retries, the fallback chain, and
//! building all of it from `config.yaml` + `.env`. The tool loop lives elsewhere.

mod anthropic;
mod chain;
mod config;
mod error;
mod http;
mod openai;
mod retry;
pub mod sse;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

pub use anthropic::{ANTHROPIC_VERSION, Anthropic, DEFAULT_BASE_URL as ANTHROPIC_BASE_URL};
pub use chain::{ChainEntry, ProviderChain, SkippedFallback};
pub use config::{
    ProviderConfigError, ProviderKind, ResolvedProvider, from_settings, resolve_fallbacks,
    resolve_primary,
};
pub use error::{ErrorBody, ProviderError, is_context_message, parse_retry_after};
pub use http::{Timeouts, http_client};
pub use openai::{Flavor, OpenAiCompatible};
pub use retry::{RetryPolicy, Retrying};

use crate::agent::types::{ChatRequest, ChatResponse, StreamEvent};

/// A language model behind some API.
#[async_trait]
pub trait Provider: Send + Sync {
    /// A short name for messages and logs (`openrouter`, `anthropic`, a custom name).
    fn name(&self) -> &str;

    /// Runs one completion. The answer is streamed from the server; each text, reasoning or
    /// tool-call delta goes to `on_event` as it arrives, and the assembled response is returned
    /// at the end. Cancelling `cancel` drops the connection and returns
    /// [`ProviderError::Cancelled`].
    async fn chat(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<ChatResponse, ProviderError>;
}

#[async_trait]
impl<P: Provider + ?Sized> Provider for Box<P> {
    fn name(&self) -> &str {
        (**self).name()
    }

    async fn chat(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<ChatResponse, ProviderError> {
        (**self).chat(req, on_event, cancel).await
    }
}

/// How a key shows in `Debug` output: never the key itself.
fn redacted(key: Option<&String>) -> &'static str {
    if key.is_some() { "***" } else { "none" }
}

/// A string field of a JSON object.
fn json_str<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}
