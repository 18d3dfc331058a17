//! The agent: model providers, the tool loop, approvals, prompt building.

pub mod provider;
pub mod types;

pub use provider::{Provider, ProviderChain, ProviderError};
pub use types::{
    ChatRequest, ChatResponse, FinishReason, Image, Message, Role, StreamEvent, ToolCall, ToolSpec,
    Usage,
};
