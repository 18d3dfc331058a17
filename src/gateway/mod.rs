//! The gateway's process-level pieces: pid records and liveness, service naming.
//! The runtime (supervisor, router, adapters) builds on these.

pub mod pid;
pub mod service;
pub mod lock;
pub mod state;
pub mod token_lock;
pub mod supervisor;
