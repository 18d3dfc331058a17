//! The gateway runtime end to end, in process: a memory platform in, a scripted agent, the
//! real `SQLite` store and pairing files, replies out.

mod harness;
mod runtime;
