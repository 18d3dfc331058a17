//! `hermes doctor`'s checks: each looks at one thing (config, keys, platforms, gateway,
//! service, API server, cron, install) and returns [`Finding`]s, some with a safe [`Fix`].
//! Rendering the rows and the summary is the binary's job; `hermes status` reuses
//! [`facts`] and [`probe`].

mod checks;
pub mod facts;
pub mod fix;
pub mod probe;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

pub use fix::{Fix, apply};

use crate::gateway::service::manager::Backend;
use crate::home::HermesPaths;

/// How a row is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `✓`.
    Ok,
    /// `→`: context, never an issue.
    Info,
    /// `⚠`.
    Warn,
    /// `✗`: makes `doctor` exit 1.
    Fail,
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// A stable id (`env.permissions`, `cron.script_missing`, …) for scripts and tests.
    pub id: &'static str,
    /// The section it is shown under.
    pub section: &'static str,
    /// Its level.
    pub level: Level,
    /// The row's text.
    pub text: String,
    /// Dim text after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `→` lines under it (what to do).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// The line in the numbered summary (warnings and failures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// What `--fix` can do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Finding {
    /// A `✓` row.
    #[must_use]
    pub fn ok(id: &'static str, section: &'static str, text: impl Into<String>) -> Self {
        Self {
            id,
            section,
            level: Level::Ok,
            text: text.into(),
            detail: None,
            hints: Vec::new(),
            issue: None,
            fix: None,
        }
    }

    /// A `→` row.
    #[must_use]
    pub fn info(id: &'static str, section: &'static str, text: impl Into<String>) -> Self {
        Self {
            level: Level::Info,
            ..Self::ok(id, section, text)
        }
    }

    /// A `⚠` row; `issue` is its summary line.
    #[must_use]
    pub fn warn(
        id: &'static str,
        section: &'static str,
        text: impl Into<String>,
        issue: impl Into<String>,
    ) -> Self {
        Self {
            level: Level::Warn,
            issue: Some(issue.into()),
            ..Self::ok(id, section, text)
        }
    }

    /// A `✗` row; `issue` is its summary line.
    #[must_use]
    pub fn fail(
        id: &'static str,
        section: &'static str,
        text: impl Into<String>,
        issue: impl Into<String>,
    ) -> Self {
        Self {
            level: Level::Fail,
            issue: Some(issue.into()),
            ..Self::ok(id, section, text)
        }
    }

    /// Adds dim detail.
    #[must_use]
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    /// Adds a `→` hint.
    #[must_use]
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hints.push(h.into());
        self
    }

    /// Attaches a fix.
    #[must_use]
    pub fn with_fix(mut self, f: Fix) -> Self {
        self.fix = Some(f);
        self
    }
}

/// The service side, as the binary found it (it knows the binary path and install PATH).
#[derive(Debug, Clone)]
pub struct ServiceFacts {
    /// The backend this host offers.
    pub backend: Backend,
    /// Unit name or label.
    pub name: String,
    /// The installed file (when the backend has files).
    pub file: Option<PathBuf>,
    /// What `gateway install` would write now.
    pub expected: Option<String>,
    /// Linger of the user (systemd user scope only).
    pub linger: Option<bool>,
    /// A user and a system unit both exist.
    pub both_scopes: bool,
    /// The command that reloads the manager after a rewrite (`systemctl --user daemon-reload`).
    pub reload: Vec<String>,
    /// The command that restarts the running service after a rewrite (empty when it is not
    /// running).
    pub restart: Vec<String>,
}

/// Everything the checks look at.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The profile checked.
    pub paths: HermesPaths,
    /// The process environment (the profile's `.env` is read by the checks).
    pub process_env: Vec<(String, String)>,
    /// HTTP for probes.
    pub http: reqwest::Client,
    /// Timeout of each network probe.
    pub probe_timeout: Duration,
    /// The service side.
    pub service: ServiceFacts,
}

/// Section titles, in display order.
pub const SECTIONS: &[&str] = &[
    "Configuration Files",
    "Model Provider",
    "Messaging Platforms",
    "Gateway",
    "Gateway Service",
    "API Server",
    "Cron",
    "Command Installation",
    "Profiles",
];

/// Runs every check; network probes run concurrently with short timeouts.
pub async fn run(inputs: &Inputs) -> Vec<Finding> {
    let ctx = checks::Ctx::load(inputs);
    let mut out = checks::config::check(&ctx);
    let (provider, platforms) = tokio::join!(
        checks::platforms::provider(&ctx),
        checks::platforms::platforms(&ctx)
    );
    out.extend(provider);
    out.extend(checks::key_store::check(&ctx));
    out.extend(platforms);
    out.extend(checks::gateway::check(&ctx));
    out.extend(checks::gateway::service(&ctx));
    out.extend(checks::gateway::api_server(&ctx));
    out.extend(checks::cron::check(&ctx));
    out.extend(checks::install::check(&ctx));
    out.extend(checks::install::profiles(&ctx));
    // Stable order: by section, keeping each check's own order inside a section.
    out.sort_by_key(|f| SECTIONS.iter().position(|s| *s == f.section));
    out
}

/// Whether any finding is a failure.
#[must_use]
pub fn has_failures(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.level == Level::Fail)
}
