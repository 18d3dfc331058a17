use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::tz::TimeZone;
use jiff::{ToSpan, Zoned};

use super::*;
use crate::cron::jobs::{JobRules, NewJob};

fn tz() -> TimeZone {
    TimeZone::get("America/New_York").unwrap()
}

fn t0() -> Zoned {
    "2026-03-06T10:00:00-05:00[America/New_York]"
        .parse()
        .unwrap()
}

fn at(minutes: i64) -> Zoned {
    t0().checked_add(minutes.minutes()).unwrap()
}

/// Returns a scripted result per job name; counts calls; can panic to simulate a crash.
#[derive(Default)]
struct FakeExec {
    calls: Mutex<Vec<String>>,
    panic_on: Option<String>,
    refuse_agent: bool,
}

#[async_trait]
impl JobExecutor for FakeExec {
    async fn execute(&self, job: &Job) -> Result<String, ExecError> {
        let name = job.display_name();
        self.calls.lock().unwrap().push(name.clone());
        assert!(
            self.panic_on.as_deref() != Some(name.as_str()),
            "simulated crash mid-run"
        );
        match job.prompt.as_deref().unwrap_or_default() {
            "fail" => Err(ExecError::Failed {
                message: "provider returned 500".into(),
            }),
            "silent" => Ok("[SILENT]".into()),
            p => Ok(format!("output of {p}")),
        }
    }

    fn check(&self, job: &Job) -> Result<(), ExecError> {
        if self.refuse_agent && !job.no_agent {
            return Err(ExecError::Blocked {
                reason: "no agent runtime".into(),
            });
        }
        Ok(())
    }
}

impl FakeExec {
    fn count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

/// Records sends; fails for one platform.
#[derive(Default)]
struct FakeOut {
    sent: Mutex<Vec<(String, String)>>,
    fail_platform: Option<&'static str>,
    attempts: AtomicUsize,
}

#[async_trait]
impl Deliverer for FakeOut {
    async fn deliver(&self, to: &ChatTarget, text: &str) -> Result<(), DeliveryError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.fail_platform == Some(to.platform.as_str()) {
            return Err(DeliveryError {
                message: "platform is down".into(),
            });
        }
        self.sent
            .lock()
            .unwrap()
            .push((to.to_string(), text.to_string()));
        Ok(())
    }
}

struct Fx {
    tmp: tempfile::TempDir,
    store: JobStore,
    rules: JobRules,
    env: TickEnv,
}

fn fx() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let store = JobStore::at(&tmp.path().join("cron"), tz());
    let homes = HomeChannels::from_list(vec![ChatTarget {
        platform: "telegram".into(),
        chat_id: "-100".into(),
        thread_id: None,
    }]);
    let rules = JobRules::new(homes.clone(), tmp.path().join("scripts"));
    let env = TickEnv {
        homes,
        state_db: Some(tmp.path().join("state.db")),
        ..TickEnv::default()
    };
    Fx {
        tmp,
        store,
        rules,
        env,
    }
}

impl Fx {
    fn add(&self, schedule: &str, name: &str, prompt: &str, deliver: &str) -> Job {
        let n = NewJob {
            schedule: schedule.into(),
            name: Some(name.into()),
            prompt: Some(prompt.into()),
            deliver: Some(deliver.into()),
            ..NewJob::default()
        };
        self.store.create(n, &t0(), &self.rules).unwrap()
    }

    fn job(&self, name: &str) -> Job {
        self.store.get(name).unwrap()
    }

    fn tick(&self, now: &Zoned, ex: &FakeExec, out: &FakeOut) -> TickReport {
        rt().block_on(tick(now, &self.store, &self.env, ex, out))
            .unwrap()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn runs_only_due_jobs_and_advances_them() {
    let f = fx();
    f.add("every 30m", "half", "a", "local");
    f.add("every 2h", "two", "b", "local");
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    assert!(f.tick(&at(10), &ex, &out).runs.is_empty());
    let r = f.tick(&at(30), &ex, &out);
    assert_eq!(r.runs.len(), 1);
    assert_eq!(r.runs[0].name, "half");
    assert_eq!(r.runs[0].delivery, DeliveryStatus::Local);
    let half = f.job("half");
    assert_eq!(
        half.next_run_at.as_deref(),
        Some("2026-03-06T11:00:00-05:00")
    );
    assert_eq!(
        half.last_run_at.as_deref(),
        Some("2026-03-06T10:30:00-05:00")
    );
    assert_eq!(half.repeat.as_ref().unwrap().completed, 1);
    assert_eq!(half.state(), "scheduled");
    assert_eq!(half.last_status.as_deref(), Some("ok"));
    // Same minute again: nothing is due any more.
    assert!(f.tick(&at(30), &ex, &out).runs.is_empty());
    assert_eq!(ex.count(), 1);
    // The output file and the history row.
    let path = r.runs[0].output_path.clone().unwrap();
    assert!(path.ends_with(format!("cron/output/{}/2026-03-06_10-30-00.md", half.id)));
    let doc = std::fs::read_to_string(&path).unwrap();
    assert!(doc.starts_with("# Cron Job: half\n"), "{doc}");
    assert!(
        doc.contains("**Status:** ok") && doc.ends_with("output of a\n"),
        "{doc}"
    );
    let rows = RunHistory::open(&f.tmp.path().join("state.db"))
        .unwrap()
        .list(Some(&half.id), 5)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].status.as_str(), rows[0].delivery_status.as_deref()),
        ("ok", Some("local"))
    );
    assert_eq!(
        rows[0].output_path.as_deref(),
        Some(path.display().to_string().as_str())
    );
}

#[test]
fn a_crash_after_the_claim_never_fires_the_job_twice() {
    let f = fx();
    f.add("every 30m", "boom", "a", "local");
    let ex = FakeExec {
        panic_on: Some("boom".into()),
        ..FakeExec::default()
    };
    let out = FakeOut::default();
    let crashed = std::panic::catch_unwind(AssertUnwindSafe(|| f.tick(&at(30), &ex, &out)));
    assert!(crashed.is_err());
    assert_eq!(ex.count(), 1);
    // The claim was saved before the run: advanced, and marked running.
    let job = f.job("boom");
    assert_eq!(
        job.next_run_at.as_deref(),
        Some("2026-03-06T11:00:00-05:00")
    );
    assert_eq!(job.state(), "running");
    // A restarted scheduler at the same minute does not run it again, and says what happened.
    let calm = FakeExec::default();
    let r = f.tick(&at(30), &calm, &out);
    assert_eq!(calm.count(), 0);
    assert!(r.runs.is_empty());
    assert_eq!(r.interrupted.len(), 1);
    let job = f.job("boom");
    assert_eq!(job.state(), "scheduled");
    assert_eq!(job.last_status.as_deref(), Some("error"));
    assert!(job.last_error.unwrap().starts_with("interrupted"));
    let rows = RunHistory::open(&f.tmp.path().join("state.db"))
        .unwrap()
        .list(None, 5)
        .unwrap();
    assert_eq!(rows[0].status, "interrupted");
    // It runs normally at its next time.
    assert_eq!(f.tick(&at(60), &calm, &out).runs.len(), 1);
}

#[test]
fn catches_up_within_grace_and_skips_beyond() {
    let f = fx();
    // Hourly: grace is 30 minutes.
    f.add("every 1h", "near", "a", "local");
    f.add("every 1h", "far", "b", "local");
    // `far` is due at 11:00 like `near`; pretend the scheduler was down until 11:20 for near…
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    let r = f.tick(&at(80), &ex, &out);
    assert_eq!(
        r.runs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["near", "far"]
    );
    assert_eq!(
        f.job("near").next_run_at.as_deref(),
        Some("2026-03-06T12:20:00-05:00")
    );
    // …and until 13:05 for both: 45 minutes late is beyond the grace, so both skip ahead.
    let r = f.tick(&at(245), &ex, &out);
    assert!(r.runs.is_empty());
    assert_eq!(r.skipped.len(), 2);
    assert_eq!(ex.count(), 2);
    let near = f.job("near");
    assert_eq!(
        near.next_run_at.as_deref(),
        Some("2026-03-06T15:05:00-05:00")
    );
    let why = near.last_error.unwrap();
    assert!(
        why.contains("missed its run at 2026-03-06T12:20:00-05:00 (105m late; catch-up grace 30m)"),
        "{why}"
    );
    assert!(
        why.contains("skipped to 2026-03-06T15:05:00-05:00"),
        "{why}"
    );
    // A daily cron job missed by three hours is skipped; by one hour it catches up.
    f.add("0 9 * * *", "daily", "c", "local");
    let next_day_noon: Zoned = "2026-03-07T12:00:00-05:00[America/New_York]"
        .parse()
        .unwrap();
    let r = f.tick(&next_day_noon, &ex, &out);
    assert!(r.skipped.iter().any(|s| s.name == "daily"));
    let r = f.tick(
        &"2026-03-08T10:00:00-04:00[America/New_York]"
            .parse()
            .unwrap(),
        &ex,
        &out,
    );
    assert!(r.runs.iter().any(|s| s.name == "daily"));
}

#[test]
fn a_requested_run_ignores_the_grace() {
    let f = fx();
    f.add("every 1h", "req", "a", "local");
    f.store.trigger("req", &at(5)).unwrap();
    assert!(f.job("req").extra.contains_key(RUN_NOW_KEY));
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    let r = f.tick(&at(300), &ex, &out);
    assert_eq!(r.runs.len(), 1);
    assert!(!f.job("req").extra.contains_key(RUN_NOW_KEY));
}

#[test]
fn repeat_counts_end_in_completed() {
    let f = fx();
    let n = NewJob {
        schedule: "every 30m".into(),
        name: Some("twice".into()),
        prompt: Some("a".into()),
        repeat: Some(2),
        ..NewJob::default()
    };
    f.store.create(n, &t0(), &f.rules).unwrap();
    f.add("in 15m", "once", "b", "local");
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    assert_eq!(f.tick(&at(15), &ex, &out).runs.len(), 1);
    let once = f.job("once");
    assert_eq!(
        (once.state(), once.enabled, once.next_run_at.clone()),
        ("completed", false, None)
    );
    f.tick(&at(30), &ex, &out);
    assert_eq!(f.job("twice").state(), "scheduled");
    f.tick(&at(60), &ex, &out);
    let twice = f.job("twice");
    assert_eq!(twice.state(), "completed");
    assert!(!twice.enabled);
    assert_eq!(twice.repeat.unwrap().completed, 2);
    assert!(f.tick(&at(90), &ex, &out).runs.is_empty());
    assert_eq!(ex.count(), 3);
}

#[test]
fn paused_jobs_do_not_run_until_resumed() {
    let f = fx();
    f.add("every 30m", "p", "a", "local");
    f.store.pause("p", &at(1)).unwrap();
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    assert!(f.tick(&at(30), &ex, &out).runs.is_empty());
    let resumed = f.store.resume("p", &at(100)).unwrap();
    assert_eq!(
        resumed.next_run_at.as_deref(),
        Some("2026-03-06T12:10:00-05:00")
    );
    assert!(f.tick(&at(101), &ex, &out).runs.is_empty());
    assert_eq!(f.tick(&at(130), &ex, &out).runs.len(), 1);
}

#[test]
fn run_failure_and_delivery_failure_are_recorded_separately_and_reported() {
    let f = fx();
    f.add("every 30m", "broken", "fail", "telegram");
    f.add("every 30m", "undelivered", "a", "discord:42");
    f.store
        .update(|jobs| {
            jobs[1]
                .extra
                .insert("failure_deliver".into(), "telegram".into());
            Ok(())
        })
        .unwrap();
    let ex = FakeExec::default();
    let out = FakeOut {
        fail_platform: Some("discord"),
        ..FakeOut::default()
    };
    let r = f.tick(&at(30), &ex, &out);
    assert_eq!(r.runs.len(), 2);

    let broken = f.job("broken");
    assert_eq!(broken.last_status.as_deref(), Some("error"));
    assert_eq!(broken.last_error.as_deref(), Some("provider returned 500"));
    assert_eq!(broken.last_delivery_error, None);

    let und = f.job("undelivered");
    assert_eq!(und.last_status.as_deref(), Some("delivery_failed"));
    assert_eq!(und.last_error, None);
    assert_eq!(
        und.last_delivery_error.as_deref(),
        Some("discord:42: platform is down")
    );

    let sent = out.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    // The failed run is reported to its own target, wrapped.
    assert_eq!(sent[0].0, "telegram:-100");
    assert_eq!(
        sent[0].1,
        "Cronjob Response: broken\n-------------\n\n⚠️ Cron 'broken' failed: provider returned 500\n\nNote: The agent cannot see this message, and therefore cannot respond to it."
    );
    // The failed delivery is reported to the failure target.
    assert_eq!(sent[1].0, "telegram:-100");
    assert!(
        sent[1]
            .1
            .contains("could not deliver its output: discord:42: platform is down")
    );
    let rows = RunHistory::open(&f.tmp.path().join("state.db"))
        .unwrap()
        .list(None, 5)
        .unwrap();
    assert_eq!(
        (rows[0].status.as_str(), rows[0].delivery_status.as_deref()),
        ("ok", Some("failed"))
    );
    assert_eq!(
        (rows[1].status.as_str(), rows[1].delivery_status.as_deref()),
        ("error", Some("delivered"))
    );
}

#[test]
fn silent_output_is_not_delivered_and_wrapping_can_be_off() {
    let mut f = fx();
    f.add("every 30m", "quiet", "silent", "telegram");
    f.add("every 30m", "plain", "a", "telegram:7:9");
    f.env.wrap_response = false;
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    let r = f.tick(&at(30), &ex, &out);
    assert_eq!(r.runs[0].delivery, DeliveryStatus::Silent);
    assert_eq!(f.job("quiet").last_status.as_deref(), Some("ok"));
    assert_eq!(
        *out.sent.lock().unwrap(),
        [("telegram:7:9".to_string(), "output of a".to_string())]
    );
    assert!(is_silent("2 deals filtered\n\n[SILENT]"));
    assert!(is_silent("[SILENT] nothing new"));
    assert!(is_silent(" no_reply "));
    assert!(!is_silent(
        "I considered staying [SILENT] but here is the news"
    ));
    assert!(!is_silent("Silent retry succeeded"));
}

#[test]
fn a_busy_lock_runs_nothing_and_blocked_jobs_stay_due() {
    let f = fx();
    f.add("every 30m", "agentic", "a", "local");
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    let held = f.store.try_tick_lock().unwrap().unwrap();
    let r = f.tick(&at(30), &ex, &out);
    assert!(r.busy && r.runs.is_empty());
    drop(held);
    let refusing = FakeExec {
        refuse_agent: true,
        ..FakeExec::default()
    };
    let r = f.tick(&at(30), &refusing, &out);
    assert_eq!(r.blocked.len(), 1);
    let job = f.job("agentic");
    assert_eq!(job.last_status.as_deref(), Some("blocked_config"));
    assert_eq!(job.last_error.as_deref(), Some("no agent runtime"));
    assert!(
        job.is_due(at(30).timestamp()),
        "left due for a scheduler that can run it"
    );
    assert_eq!(f.tick(&at(31), &ex, &out).runs.len(), 1);
}

#[test]
fn output_files_are_pruned_to_the_retention() {
    let mut f = fx();
    f.env.output_retention = 2;
    let job = f.add("every 30m", "many", "a", "local");
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    for k in 1..=4 {
        f.tick(&at(30 * k), &ex, &out);
    }
    let files: Vec<_> = std::fs::read_dir(f.store.output_dir(&job.id))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 2);
}

#[test]
fn failures_without_a_failure_target_go_to_a_home_channel() {
    // Chat 666 refuses; the home channel (-100) works.
    struct Picky(FakeOut);
    #[async_trait]
    impl Deliverer for Picky {
        async fn deliver(&self, to: &ChatTarget, text: &str) -> Result<(), DeliveryError> {
            if to.chat_id == "666" {
                return Err(DeliveryError {
                    message: "Bad Request: chat not found".into(),
                });
            }
            self.0.deliver(to, text).await
        }
    }
    let f = fx();
    // A local job that fails: reported to the (only) configured home channel.
    f.add("every 30m", "local-broken", "fail", "local");
    // A job whose delivery fails: reported to its platform's home channel.
    f.add("every 30m", "lost", "a", "telegram:666");
    let ex = FakeExec::default();
    let out = Picky(FakeOut::default());
    let r = rt()
        .block_on(tick(&at(30), &f.store, &f.env, &ex, &out))
        .unwrap();
    assert_eq!(r.runs.len(), 2);
    let sent = out.0.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].0, "telegram:-100");
    assert_eq!(
        sent[0].1,
        "⚠️ Cron 'local-broken' failed: provider returned 500"
    );
    assert_eq!(sent[1].0, "telegram:-100");
    assert_eq!(
        sent[1].1,
        "⚠️ Cron 'lost' could not deliver its output: telegram:666: Bad Request: chat not found"
    );
    assert_eq!(
        f.job("lost").last_status.as_deref(),
        Some("delivery_failed")
    );
}

#[test]
fn failure_targets_prefer_the_failure_target_then_the_platform_home_then_any_home() {
    let homes = HomeChannels::from_list(vec![
        ChatTarget {
            platform: "telegram".into(),
            chat_id: "-100".into(),
            thread_id: None,
        },
        ChatTarget {
            platform: "discord".into(),
            chat_id: "55".into(),
            thread_id: None,
        },
    ]);
    let f = fx();
    let mut job = f.add("every 30m", "j", "a", "discord:9");
    let ids = |v: Vec<ChatTarget>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(ids(failure_targets(&job, &homes)), ["discord:55"]);
    job.deliver = Some("local".into());
    assert_eq!(
        ids(failure_targets(&job, &homes)),
        ["telegram:-100", "discord:55"]
    );
    job.extra
        .insert("failure_deliver".into(), "telegram:7".into());
    assert_eq!(ids(failure_targets(&job, &homes)), ["telegram:7"]);
    assert!(failure_targets(&job, &HomeChannels::default()).len() == 1);
    job.extra.remove("failure_deliver");
    assert!(failure_targets(&job, &HomeChannels::default()).is_empty());
}

#[test]
fn missed_interrupted_and_blocked_runs_are_reported_once() {
    let f = fx();
    f.add("every 30m", "late", "a", "local");
    f.add("every 30m", "crashed", "a", "local");
    f.store
        .update(|jobs| {
            jobs[1].state = Some("running".into());
            Ok(())
        })
        .unwrap();
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    // Three hours late: beyond the grace, so skipped and reported.
    let r = f.tick(&at(210), &ex, &out);
    assert_eq!((r.skipped.len(), r.interrupted.len()), (1, 1), "{r:?}");
    let sent = out.sent.lock().unwrap().clone();
    assert!(
        sent.iter()
            .any(|(to, t)| to == "telegram:-100"
                && t.starts_with("⚠️ Cron 'late' did not run: missed")),
        "{sent:?}"
    );
    assert!(
        sent.iter()
            .any(|(_, t)| t.starts_with("⚠️ Cron 'crashed' failed: interrupted")),
        "{sent:?}"
    );
    // A job this scheduler refuses is reported the first time only.
    let f = fx();
    f.add("every 30m", "agentic", "a", "local");
    let refusing = FakeExec {
        refuse_agent: true,
        ..FakeExec::default()
    };
    let out = FakeOut::default();
    f.tick(&at(30), &refusing, &out);
    f.tick(&at(31), &refusing, &out);
    let sent = out.sent.lock().unwrap().clone();
    assert_eq!(
        sent,
        [(
            "telegram:-100".to_string(),
            "⚠️ Cron 'agentic' cannot run: no agent runtime".to_string()
        )]
    );
}

#[test]
fn a_daily_job_keeps_its_local_time_through_a_dst_change() {
    let f = fx();
    // Created Friday 2026-03-06 10:00 EST; New York springs forward on Sunday 2026-03-08.
    f.add("every day at 9am", "daily", "a", "local");
    f.add("every 1d", "elapsed", "b", "local");
    let (ex, out) = (FakeExec::default(), FakeOut::default());
    let z = |s: &str| -> Zoned { format!("{s}[America/New_York]").parse().unwrap() };
    // Saturday: 9am (daily) and 10am (elapsed, 24 h after creation), both EST.
    assert_eq!(
        f.tick(&z("2026-03-07T09:00:00-05:00"), &ex, &out)
            .runs
            .len(),
        1
    );
    assert_eq!(
        f.tick(&z("2026-03-07T10:00:00-05:00"), &ex, &out)
            .runs
            .len(),
        1
    );
    // `every 1d` counts 24 elapsed hours: after the change that is 11:00 EDT.
    assert_eq!(
        f.job("elapsed").next_run_at.as_deref(),
        Some("2026-03-08T11:00:00-04:00")
    );
    // Sunday 9am is now EDT, and the next daily run is 9am EDT again.
    assert_eq!(
        f.tick(&z("2026-03-08T09:00:00-04:00"), &ex, &out)
            .runs
            .len(),
        1
    );
    assert_eq!(
        f.job("daily").next_run_at.as_deref(),
        Some("2026-03-09T09:00:00-04:00"),
        "9am local again after the change"
    );
}
