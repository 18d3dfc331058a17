//! Timing harness: 10,000 jobs in `cron/jobs.json`, then the gateway's every-minute tick when
//! nothing is due, through the same `Ticker::tick_once` the gateway runs (one kept job store,
//! re-read only when the file changes). Reports whether the ≤ 5 ms target is met.
//! Run: `cargo bench --bench cron-tick`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hermes::config::{Env, Settings};
use hermes::cron::Job;
use hermes::gateway::cron_bridge::{OutboxDeliverer, Ticker};
use hermes::home::HermesPaths;

const JOBS: usize = 10_000;
const TARGET: Duration = Duration::from_millis(5);

#[allow(clippy::print_stdout)] // a timing harness reports on stdout
fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let paths = HermesPaths::at(tmp.path(), tmp.path());
    let dir = paths.cron_dir();
    std::fs::create_dir_all(&dir).expect("mkdir");
    // Upstream-shaped records, none due for years (the tick reads the wall clock).
    let jobs: Vec<String> = (0..JOBS)
        .map(|i| {
            format!(
                r#"{{"id":"{i:012x}","name":"job {i}","prompt":"p","skills":[],"skill":null,"model":null,"provider":null,"base_url":null,"script":null,"no_agent":false,"schedule":{{"kind":"cron","expr":"{} 9 * * mon-fri","display":"x"}},"schedule_display":"x","repeat":{{"times":null,"completed":0}},"enabled":true,"state":"scheduled","paused_at":null,"paused_reason":null,"created_at":"2026-03-01T10:00:00+01:00","next_run_at":"2099-03-13T09:{:02}:00+01:00","last_run_at":null,"last_status":null,"last_error":null,"last_delivery_error":null,"deliver":"local","origin":null,"enabled_toolsets":null,"workdir":null}}"#,
                i % 60,
                i % 60
            )
        })
        .collect();
    let text = format!("{{\"jobs\": [{}]}}", jobs.join(","));
    std::fs::write(dir.join("jobs.json"), &text).expect("write");

    let env = Env::default();
    let mut settings = Settings::resolve(&serde_yaml_ng::Value::Null, &env).expect("settings");
    settings.timezone = "Europe/Berlin".into();
    let ticker = Arc::new(Ticker::new(
        paths.clone(),
        settings,
        env,
        None,
        OutboxDeliverer {
            outboxes: HashMap::new(),
        },
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");

    // The first tick parses the file (as the gateway's first tick after a start or an edit).
    let t = Instant::now();
    rt.block_on(ticker.tick_once());
    let cold = t.elapsed();
    assert_eq!(ticker.jobs().read(<[Job]>::len).expect("jobs"), JOBS);

    let rounds = 200u32;
    let mut times = Vec::with_capacity(rounds as usize);
    for _ in 0..rounds {
        let one = Instant::now();
        rt.block_on(ticker.tick_once());
        times.push(one.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / rounds;
    let p50 = times[times.len() / 2];
    let worst = times[times.len() - 1];
    // Nothing ran: no output directory was made.
    assert!(!dir.join("output").exists(), "a job ran");
    println!(
        "cron-tick: {JOBS} jobs ({} KiB jobs.json), Ticker::tick_once",
        text.len() / 1024
    );
    println!("  first tick (parses the file): {cold:?}");
    println!(
        "  tick, nothing due: mean {mean:?}, p50 {p50:?}, worst {worst:?} over {rounds} ticks"
    );
    println!(
        "  target: mean <= {TARGET:?}: {}",
        if mean <= TARGET { "met" } else { "NOT met" }
    );
}
