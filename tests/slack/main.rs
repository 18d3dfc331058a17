//! Slack adapter integration tests against a local fake (Web API + Socket Mode websocket) written
//! from Slack's API documentation (`fake`), adapter-level (`adapter`) and through the real
//! `hermes gateway run` binary (`e2e`), plus the wizard spec.

mod adapter;
#[path = "../discord/fake.rs"]
mod discord_fake;
mod e2e;
mod fake;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
mod wizard;

#[path = "../support/adapter_gateway.rs"]
mod adapter_gateway;
pub(crate) use adapter_gateway::Gateway;

use std::sync::Arc;
use std::time::Duration;

use hermes::home::HermesPaths;
use hermes::platforms::slack::{Slack, SlackConfig, Timings};

/// How long a test waits for something that should happen at once.
const WAIT: Duration = Duration::from_secs(15);
/// The bot token the fake accepts.
pub(crate) const BOT_TOKEN: &str = "xoxb-100-200-slackbottokenfortests";
/// The app-level token the fake accepts.
pub(crate) const APP_TOKEN: &str = "xapp-1-A100-200-slackapptokenfortests";

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
    pub(crate) fn config(&self, fake: &fake::Fake) -> SlackConfig {
        let mut c = SlackConfig::new(BOT_TOKEN, APP_TOKEN, &fake.api);
        c.lock_dir = Some(self.dir.path().join("locks"));
        c.timings = Timings {
            connect: Duration::from_secs(5),
            idle: Duration::from_secs(5),
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_millis(200),
            max_rate_limit_wait: Duration::from_secs(5),
        };
        c
    }

    pub(crate) fn adapter(&self, config: SlackConfig) -> Arc<Slack> {
        Arc::new(Slack::new(config, &self.paths, reqwest::Client::new()))
    }
}
