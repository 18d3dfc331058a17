//! Telegram adapter integration tests: against the real Bot API emulator (`emulator`) and
//! against a local fake written from the Bot API reference for what the emulator lacks
//! (`fake_api` is the fake, `fake` the tests), plus the wizard spec. One binary, as
//! `tests/cli` does.

mod cron;
mod emulator;
mod fake;
mod fake_api;
mod gateway;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../support/peer.rs"]
mod peer;
mod wizard;

#[path = "../support/adapter_gateway.rs"]
mod adapter_gateway;
pub(crate) use adapter_gateway::Gateway;

use std::sync::Arc;
use std::time::Duration;

use hermes::home::HermesPaths;
use hermes::platforms::telegram::{Telegram, TelegramConfig};

/// How long a test waits for something that should happen at once.
const WAIT: Duration = Duration::from_secs(15);

/// A temporary hermes home (and token lock directory).
pub(crate) struct Home {
    dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
}

impl Home {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        Self { dir, paths }
    }

    /// A config pointing at `base` with this home's lock dir and a quick idle poll.
    pub(crate) fn config(&self, token: &str, base: &str) -> TelegramConfig {
        let mut c = TelegramConfig::new(token, base);
        c.lock_dir = Some(self.dir.path().join("locks"));
        c.idle_poll_delay = Duration::from_millis(50);
        c.poll_timeout = Duration::from_secs(2);
        c
    }

    pub(crate) fn adapter(&self, config: TelegramConfig) -> Arc<Telegram> {
        Arc::new(Telegram::new(config, &self.paths, reqwest::Client::new()))
    }
}
