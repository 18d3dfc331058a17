//! Discord adapter integration tests against a local fake (REST + gateway websocket) written
//! from Discord's API reference (`fake`), adapter-level (`adapter`) and through the real
//! `hermes gateway run` binary (`e2e`), plus the wizard spec.

mod adapter;
mod e2e;
mod fake;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
mod proxy;
#[path = "../slack/fake.rs"]
mod slack_fake;
mod wizard;

#[path = "../support/adapter_gateway.rs"]
mod adapter_gateway;
pub(crate) use adapter_gateway::{Gateway, platform_cx};

use std::sync::Arc;
use std::time::Duration;

use hermes::home::HermesPaths;
use hermes::platforms::discord::{Discord, DiscordConfig, Timings};

/// How long a test waits for something that should happen at once.
const WAIT: Duration = Duration::from_secs(15);
/// The token the fake accepts.
pub(crate) const TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAx.fake.discord-token-for-tests";

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

    /// A config pointing at `fake` with short delays.
    pub(crate) fn config(&self, fake: &fake::Fake) -> DiscordConfig {
        let mut c = DiscordConfig::new(TOKEN, &fake.api);
        c.lock_dir = Some(self.dir.path().join("locks"));
        c.timings = Timings {
            connect: Duration::from_secs(5),
            hello: Duration::from_secs(5),
            invalid_session: Duration::from_millis(100),
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_millis(200),
            max_rate_limit_wait: Duration::from_secs(5),
        };
        c
    }

    pub(crate) fn adapter(&self, config: DiscordConfig) -> Arc<Discord> {
        Arc::new(Discord::new(config, &self.paths, reqwest::Client::new()))
    }
}
