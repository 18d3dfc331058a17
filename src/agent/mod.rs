//! The agent: model providers, the tool loop, approvals, prompt building, skills and context
//! compression. [`Agent`] implements the gateway's [`crate::gateway::turn::TurnRunner`].

pub mod approval;
pub mod compress;
pub mod config;
pub mod progress;
pub mod prompt;
pub mod provider;
mod runner;
pub mod skills;
pub mod tools;
pub mod types;
pub mod usage;

pub use config::AgentConfig;
pub use provider::{Provider, ProviderChain, ProviderError};
pub use runner::{Agent, turn_error};
pub use skills::{SyncReport, skill_prompt, sync_bundled_skills};
pub use types::{
    ChatRequest, ChatResponse, FinishReason, Image, Message, Role, StreamEvent, ToolCall, ToolSpec,
    Usage,
};
