//! The gateway's process-level pieces: pid records and liveness, service naming.
//! The runtime (supervisor, router, adapters) builds on these.

pub mod commands;
pub mod cron_bridge;
pub mod detached;
pub mod lock;
pub mod overview;
pub mod pid;
pub mod reset;
pub mod runtime;
pub mod service;
pub mod session_key;
pub mod state;
pub mod supervisor;
pub mod token_lock;
pub mod turn;
