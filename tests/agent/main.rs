//! Integration tests of the model providers against scripted HTTP peers on loopback that follow
//! the published `OpenAI` Chat Completions and Anthropic Messages formats.

mod anthropic;
mod both;
mod chain;
mod fake;
mod llm_peer;
mod openai;
#[path = "../support/peer.rs"]
mod peer;
mod turns;

use hermes::agent::provider::{Provider, ProviderError};
use hermes::agent::{ChatRequest, ChatResponse, StreamEvent};
use tokio_util::sync::CancellationToken;

/// Runs one chat call, collecting the stream events.
pub(crate) async fn run(
    provider: &dyn Provider,
    req: &ChatRequest,
) -> (Result<ChatResponse, ProviderError>, Vec<StreamEvent>) {
    let mut events = Vec::new();
    let result = provider
        .chat(req, &mut |e| events.push(e), &CancellationToken::new())
        .await;
    (result, events)
}

/// The text deltas of `events`, in order.
pub(crate) fn texts(events: &[StreamEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::TextDelta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}
