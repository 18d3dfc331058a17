//! The gateway runtime end to end: in process (a memory platform in, a scripted agent, the
//! real `SQLite` store and pairing files) and as real processes against fake platform APIs.

mod delivery;
#[path = "../telegram/fake_api.rs"]
#[allow(dead_code)]
mod fake_api;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod harness;
mod model;
mod process;
mod runtime;
