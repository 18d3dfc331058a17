//! Timing harness (no assertions): 10,000 jobs in `cron/jobs.json`, then a tick when nothing
//! is due — the gateway's every-minute case. Run: `cargo bench --bench cron-tick`.

use std::time::Instant;

use async_trait::async_trait;
use hermes::cron::tick::{DeliveryError, ExecError, JobExecutor, TickEnv};
use hermes::cron::{ChatTarget, Deliverer, Job, JobStore, tick};
use jiff::Zoned;
use jiff::tz::TimeZone;

struct Never;

#[async_trait]
impl JobExecutor for Never {
    async fn execute(&self, _job: &Job) -> Result<String, ExecError> {
        Err(ExecError::Failed {
            message: "nothing should run".into(),
        })
    }
}

#[async_trait]
impl Deliverer for Never {
    async fn deliver(&self, _to: &ChatTarget, _text: &str) -> Result<(), DeliveryError> {
        Ok(())
    }
}

#[allow(clippy::print_stdout)] // a timing harness reports on stdout
fn main() {
    const JOBS: usize = 10_000;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cron");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let tz = TimeZone::get("Europe/Berlin").expect("tz");
    let now: Zoned = "2026-03-06T10:00:00+01:00[Europe/Berlin]"
        .parse()
        .expect("now");
    // Upstream-shaped records, all due next week.
    let jobs: Vec<String> = (0..JOBS)
        .map(|i| {
            format!(
                r#"{{"id":"{i:012x}","name":"job {i}","prompt":"p","skills":[],"skill":null,"model":null,"provider":null,"base_url":null,"script":null,"no_agent":false,"schedule":{{"kind":"cron","expr":"{} 9 * * mon-fri","display":"x"}},"schedule_display":"x","repeat":{{"times":null,"completed":0}},"enabled":true,"state":"scheduled","paused_at":null,"paused_reason":null,"created_at":"2026-03-01T10:00:00+01:00","next_run_at":"2026-03-13T09:{:02}:00+01:00","last_run_at":null,"last_status":null,"last_error":null,"last_delivery_error":null,"deliver":"local","origin":null,"enabled_toolsets":null,"workdir":null}}"#,
                i % 60,
                i % 60
            )
        })
        .collect();
    let text = format!("{{\"jobs\": [{}]}}", jobs.join(","));
    std::fs::write(dir.join("jobs.json"), &text).expect("write");

    let store = JobStore::at(&dir, tz);
    let t = Instant::now();
    let n = store.read(<[Job]>::len).expect("load");
    let cold = t.elapsed();
    assert_eq!(n, JOBS);

    let env = TickEnv::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let rounds = 200u32;
    let mut worst = std::time::Duration::ZERO;
    let t = Instant::now();
    for _ in 0..rounds {
        let one = Instant::now();
        let r = rt
            .block_on(tick(&now, &store, &env, &Never, &Never))
            .expect("tick");
        worst = worst.max(one.elapsed());
        assert!(r.runs.is_empty() && !r.busy);
    }
    let mean = t.elapsed() / rounds;
    println!(
        "cron-tick: {JOBS} jobs ({} KiB jobs.json)",
        text.len() / 1024
    );
    println!("  cold load:              {cold:?}");
    println!(
        "  tick, nothing due:      mean {mean:?}, worst {worst:?} over {rounds} ticks (target <= 5ms)"
    );
}
