//! Gateway overhead per message: an in-memory platform, an agent that answers instantly,
//! the real `SQLite` store. Sends N messages from M users and measures wall time until every
//! reply is delivered, plus RSS idle and after load.
//! Run: `cargo bench --bench gateway-throughput` (N and M from `BENCH_MESSAGES` / `BENCH_USERS`).

#![allow(clippy::print_stdout, clippy::cast_precision_loss)] // a benchmark reports figures on stdout

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hermes::config::{Env, Settings};
use hermes::gateway::runtime::{self, Deps, Options};
use hermes::gateway::state::StateFile;
use hermes::gateway::turn::{
    ApprovalChoice, TokenUsage, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use hermes::home::HermesPaths;
use hermes::platforms::memory::{Recorded, memory_platform};
use hermes::platforms::{Capabilities, ChatType, InboundMessage, SessionSource};
use hermes::store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

struct Instant0;

#[async_trait::async_trait]
impl TurnRunner for Instant0 {
    async fn run(
        &self,
        r: TurnRequest,
        _e: mpsc::UnboundedSender<TurnEvent>,
        _c: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        Ok(TurnResult {
            text: format!("ok {}", r.input.len()),
            messages: vec![],
            usage: TokenUsage::default(),
            model: "instant".into(),
            finish_reason: "stop".into(),
        })
    }
    fn resolve_approval(&self, _: &str, _: ApprovalChoice) -> bool {
        false
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::var("BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let users: usize = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(
            std::env::var("BENCH_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2),
        )
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
    std::fs::create_dir_all(paths.home()).unwrap();
    let env = Env::from_pairs([
        ("GATEWAY_ALLOW_ALL_USERS", "true"),
        ("TELEGRAM_HOME_CHANNEL", "0"),
    ]);
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("display:\n  tool_progress: off\n  busy_input_mode: queue\n")
            .unwrap();
    let settings = Settings::resolve(&yaml, &env).unwrap();
    rt.block_on(async move {
        let store = Arc::new(
            Store::open(&paths.state_db())
                .unwrap()
                .with_background_checkpoints()
                .unwrap(),
        );
        let (platform, handle) = memory_platform(
            "telegram",
            Capabilities {
                typing: false,
                ..Capabilities::default()
            },
        );
        let state = Arc::new(StateFile::new(
            &paths,
            hermes::gateway::lock::own_record(&paths, &[]),
        ));
        let deps = Deps {
            paths: paths.clone(),
            settings,
            env,
            platforms: vec![Arc::new(platform)],
            runner: Arc::new(Instant0),
            store,
            state,
            options: Options {
                poll: Duration::from_millis(50),
                ..Options::default()
            },
            process_notices: None,
        };
        let cancel = CancellationToken::new();
        let task = tokio::spawn(runtime::run(
            deps,
            cancel.clone(),
            Arc::new(AtomicBool::new(false)),
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let idle = rss_kib();
        let start = Instant::now();
        for i in 0..n {
            let user = (i % users).to_string();
            handle.send(InboundMessage {
                source: SessionSource {
                    platform: "telegram".into(),
                    chat_id: user.clone(),
                    chat_type: ChatType::Dm,
                    user_id: Some(user),
                    ..SessionSource::default()
                },
                text: format!("message {i}"),
                message_id: Some(i.to_string()),
                ..InboundMessage::default()
            });
        }
        // Polled, not woken on every reply: the harness should not add a wake-up per message.
        // Each poll looks only at what was sent since the last one, so the harness's own cost
        // stays linear in the number of messages.
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let replies = std::sync::atomic::AtomicUsize::new(0);
        let all_replied = |sent: &[Recorded]| {
            use std::sync::atomic::Ordering::Relaxed;
            let from = seen.swap(sent.len(), Relaxed);
            let new = sent[from..]
                .iter()
                .filter(|s| matches!(s, Recorded::Message { text, .. } if text.starts_with("ok ")))
                .count();
            replies.fetch_add(new, Relaxed) + new >= n
        };
        let deadline = Instant::now() + Duration::from_mins(10);
        let mut done = false;
        while !done && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
            done = handle.wait_for(Duration::ZERO, all_replied).await;
        }
        let elapsed = start.elapsed();
        let after = rss_kib();
        cancel.cancel();
        let _ = task.await;
        assert!(done, "not every reply arrived");
        #[allow(clippy::cast_precision_loss)]
        let per_msg_ms = elapsed.as_secs_f64() * 1000.0 / n as f64;
        #[allow(clippy::cast_precision_loss)]
        let rate = n as f64 / elapsed.as_secs_f64();
        println!("messages: {n} from {users} users");
        println!(
            "wall: {:.2} s  → {rate:.0} messages/s, {per_msg_ms:.3} ms per message",
            elapsed.as_secs_f64()
        );
        println!(
            "RSS idle: {:.1} MiB, after load: {:.1} MiB",
            idle as f64 / 1024.0,
            after as f64 / 1024.0
        );
    });
}
