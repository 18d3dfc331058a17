//! The API server over an instant agent, for `benches/api-bench.sh`: every turn answers at once
//! (three text deltas), so the numbers measure HTTP, JSON, SSE and the transcript writes.
//!
//! `cargo run --release --example api_bench -- [PORT] [HOME]` prints `listening <addr> pid <pid>`
//! and serves until SIGINT or SIGTERM.

#![allow(clippy::print_stdout)]

use std::sync::Arc;

use hermes::api::{ApiKey, ApiServer, ApiServerConfig};
use hermes::gateway::turn::{
    ApprovalChoice, TokenUsage, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use hermes::home::HermesPaths;
use hermes::store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

struct Instant;

#[async_trait::async_trait]
impl TurnRunner for Instant {
    async fn run(
        &self,
        _request: TurnRequest,
        events: mpsc::UnboundedSender<TurnEvent>,
        _cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        for part in ["Hello", ", ", "world"] {
            let _ = events.send(TurnEvent::TextDelta(part.into()));
        }
        Ok(TurnResult {
            text: "Hello, world".into(),
            usage: TokenUsage {
                input: 10,
                output: 3,
            },
            model: "instant".into(),
            finish_reason: "stop".into(),
            ..TurnResult::default()
        })
    }

    fn resolve_approval(&self, _session_key: &str, _choice: ApprovalChoice) -> bool {
        false
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().map_or(Ok(18642), |p| p.parse())?;
    let home = args
        .next()
        .map_or_else(std::env::temp_dir, std::path::PathBuf::from);
    let paths = HermesPaths::at(&home, &home);
    let mut config = ApiServerConfig::new(paths.clone());
    config.port = port;
    config.key = Some(ApiKey::new("bench-key-0123456789"));
    config.max_concurrent_runs = 0;
    let store = Arc::new(Store::open(&paths.state_db())?.with_background_checkpoints()?);
    let server = ApiServer::bind(config, Arc::new(Instant), store).await?;
    println!(
        "listening {} pid {}",
        server.local_addr(),
        std::process::id()
    );
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = async { if let Some(t) = term.as_mut() { t.recv().await; } } => {}
        }
        stop.cancel();
    });
    server.run(cancel).await?;
    Ok(())
}
