//! The hermes runtime library: homes and profiles, configuration, and the gateway's pieces.
//! The terminal (printing, prompts, argument parsing) lives in the binary, never here.

pub mod agent;
pub mod api;
pub mod auth;
pub mod backoff;
pub mod config;
pub mod cron;
pub mod doctor;
pub mod fsutil;
pub mod gateway;
pub mod home;
pub mod logs;
pub mod platforms;
pub mod store;
pub mod update;

/// The version of this build, as printed by `hermes --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
