//! Durable runs, and several connections at once.

use super::*;
use crate::store::FinishedTurn;

// ---- runs -------------------------------------------------------------------------------

#[test]
fn redelivered_message_is_stored_once() {
    let f = Fixture::new();
    let store = f.open();
    let first = store.insert_queued(&run_for("7", "msg-1")).unwrap();
    assert!(first.inserted);
    assert_eq!(first.run.state, RunState::Queued);
    assert_eq!(first.run.origin.as_ref().unwrap().chat_id, "7");
    let again = store.insert_queued(&run_for("7", "msg-1")).unwrap();
    assert!(!again.inserted);
    assert_eq!(again.run.id, first.run.id);
    // The same id on another platform, or no id at all, is a different message.
    let other = NewRun {
        platform: "discord".into(),
        ..run_for("7", "msg-1")
    };
    assert!(store.insert_queued(&other).unwrap().inserted);
    let anon = NewRun {
        message_id: None,
        ..run_for("7", "x")
    };
    assert!(store.insert_queued(&anon).unwrap().inserted);
    assert!(store.insert_queued(&anon).unwrap().inserted);
    assert_eq!(store.list_runs(None, 10).unwrap().len(), 4);
}

#[test]
fn claim_for_one_session_and_claim_due_for_all() {
    let f = Fixture::new();
    let store = f.open();
    let key = |chat: &str| run_for(chat, "x").session_key;
    let a1 = store.insert_queued(&run_for("1", "a1")).unwrap().run;
    let a2 = store.insert_queued(&run_for("1", "a2")).unwrap().run;
    let b1 = store.insert_queued(&run_for("2", "b1")).unwrap().run;
    let c1 = store.insert_queued(&run_for("3", "c1")).unwrap().run;

    // One session: its oldest run, and nothing while it is running.
    let got = store.claim_for(&key("1")).unwrap().unwrap();
    assert_eq!(
        (got.id, got.state, got.attempts),
        (a1.id, RunState::Running, 1)
    );
    assert!(
        store.claim_for(&key("1")).unwrap().is_none(),
        "chat 1 is busy"
    );
    assert!(
        store.claim_for(&key("9")).unwrap().is_none(),
        "no such session"
    );

    // Chat 2's run waits for a retry time; every other idle session gets its oldest run.
    store.claim_for(&key("2")).unwrap().unwrap();
    store
        .mark_retry(b1.id, f.clock.now() + SignedDuration::from_mins(5), "down")
        .unwrap();
    let due: Vec<i64> = store.claim_due().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(due, vec![c1.id], "chat 1 busy, chat 2 not due yet");
    assert!(store.claim_due().unwrap().is_empty());

    store.set_reply(a1.id, "r").unwrap();
    store.mark_sent(a1.id).unwrap();
    store.set_reply(c1.id, "r").unwrap();
    store.mark_sent(c1.id).unwrap();
    f.clock.advance(SignedDuration::from_mins(5));
    let due: Vec<i64> = store.claim_due().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(due, vec![a2.id, b1.id], "oldest first, one per session");
    assert_eq!(store.run(b1.id).unwrap().unwrap().attempts, 2);
}

#[test]
fn insert_claimed_starts_idle_sessions_and_finish_turn_writes_everything_at_once() {
    let fx = Fixture::new();
    let store = fx.open();
    let a = store.insert_claimed(&run_for("1", "a")).unwrap().run;
    assert_eq!(
        (a.state, a.attempts),
        (RunState::Running, 1),
        "idle: claimed"
    );
    let b = store.insert_claimed(&run_for("1", "b")).unwrap().run;
    assert_eq!((b.state, b.attempts), (RunState::Queued, 0), "busy: queued");
    let again = store.insert_claimed(&run_for("1", "a")).unwrap();
    assert!(!again.inserted, "a redelivery is not a new run");
    let held = store
        .insert_claimed(&NewRun {
            held_for_review: Some("review".into()),
            ..run_for("2", "h")
        })
        .unwrap()
        .run;
    assert_eq!(held.state, RunState::AwaitingReview);
    // Chat 2 has a run waiting for review, which does not block a new one.
    let c = store.insert_claimed(&run_for("2", "c")).unwrap().run;
    assert_eq!(c.state, RunState::Running);

    let session = store
        .create_session(&NewSession {
            source: "telegram".into(),
            session_key: Some(a.session_key.clone()),
            ..NewSession::default()
        })
        .unwrap();
    store
        .set_route(&Route::new(
            &a.session_key,
            &session.id,
            t("2026-01-01T00:00:00Z"),
        ))
        .unwrap();
    store
        .append_message(&session.id, &NewMessage::user("hello a"))
        .unwrap();
    let done = FinishedTurn {
        run_id: a.id,
        session_id: session.id.clone(),
        session_key: a.session_key.clone(),
        messages: vec![NewMessage {
            role: "assistant".into(),
            content: Some("the answer".into()),
            ..NewMessage::default()
        }],
        input_tokens: 12,
        output_tokens: 5,
        model: Some("m-1".into()),
        reply: "the answer".into(),
    };
    let run = store.finish_turn(&done).unwrap();
    assert_eq!(
        (run.state, run.reply.as_deref()),
        (RunState::Running, Some("the answer"))
    );
    let s = store.session(&session.id).unwrap().unwrap();
    assert_eq!(
        (
            s.message_count,
            s.input_tokens,
            s.output_tokens,
            s.model.as_deref()
        ),
        (2, 12, 5, Some("m-1"))
    );
    assert_eq!(
        store.route(&a.session_key).unwrap().unwrap().updated_at,
        fx.clock.now()
    );
    // Twice is refused (the reply is stored once), and nothing of the second call lands.
    assert!(
        store.finish_turn(&done).is_ok(),
        "still running: the reply is replaced"
    );
    store.mark_sent(a.id).unwrap();
    assert!(matches!(
        store.finish_turn(&done).unwrap_err(),
        StoreError::InvalidTransition {
            from: RunState::Sent,
            ..
        }
    ));
    assert_eq!(
        store.session(&session.id).unwrap().unwrap().message_count,
        3,
        "the refused call appended nothing"
    );
}

#[test]
fn claim_and_transitions() {
    let f = Fixture::new();
    let store = f.open();
    let first = store.insert_queued(&run_for("1", "a")).unwrap().run;
    let second = store.insert_queued(&run_for("1", "b")).unwrap().run;
    let other = store.insert_queued(&run_for("2", "c")).unwrap().run;

    let got = store.claim().unwrap().unwrap();
    assert_eq!(
        (got.id, got.state, got.attempts),
        (first.id, RunState::Running, 1)
    );
    // Chat 1 is busy, so the next claim skips the second run and takes chat 2's run.
    assert_eq!(store.claim().unwrap().unwrap().id, other.id);
    assert!(store.claim().unwrap().is_none());

    let err = store.approve(first.id).unwrap_err();
    assert!(matches!(
        err,
        StoreError::InvalidTransition {
            from: RunState::Running,
            action: "approve",
            ..
        }
    ));
    store.set_reply(first.id, "the answer").unwrap();
    let sent = store.mark_sent(first.id).unwrap();
    assert_eq!(
        (sent.state, sent.reply.as_deref()),
        (RunState::Sent, Some("the answer"))
    );
    assert!(store.discard(first.id).is_err());

    // c: provider down → retry in 5 minutes; not claimable before then.
    let due = f.clock.now() + SignedDuration::from_mins(5);
    let r = store
        .mark_retry(other.id, due, "provider unreachable")
        .unwrap();
    assert_eq!(
        (r.state, r.next_attempt_at),
        (RunState::RetryPending, Some(due))
    );
    assert_eq!(store.claim().unwrap().unwrap().id, second.id);
    assert!(store.claim().unwrap().is_none());
    f.clock.advance(SignedDuration::from_mins(5));
    let again = store.claim().unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (other.id, 2));
    store.mark_error(other.id, "gave up").unwrap();
    let retried = store.retry_now(other.id).unwrap();
    assert_eq!((retried.state, retried.error), (RunState::Queued, None));

    // b: first policy holds it for review; approve re-queues, discard ends it.
    let held = store
        .mark_awaiting_review(second.id, "needs first human")
        .unwrap();
    assert_eq!(held.state, RunState::AwaitingReview);
    assert_eq!(
        store.list_runs(Some(RunState::AwaitingReview), 10).unwrap()[0].id,
        second.id
    );
    assert_eq!(store.approve(second.id).unwrap().state, RunState::Queued);
    let gone = store.discard(second.id).unwrap();
    assert_eq!(
        (gone.state, gone.error.as_deref()),
        (RunState::Error, Some("discarded"))
    );

    assert!(matches!(
        store.approve(999),
        Err(StoreError::RunNotFound { id: 999 })
    ));
    assert!(store.run(999).unwrap().is_none());
}

#[test]
fn unfinished_after_a_crash_keeps_the_stored_reply() {
    let f = Fixture::new();
    {
        let store = f.open();
        let done = store.insert_queued(&run_for("1", "done")).unwrap().run;
        store.claim().unwrap();
        store.set_reply(done.id, "delivered").unwrap();
        store.mark_sent(done.id).unwrap();
        let crashed = store.insert_queued(&run_for("1", "crashed")).unwrap().run;
        let waiting = store.insert_queued(&run_for("2", "waiting")).unwrap().run;
        assert_eq!(store.claim().unwrap().unwrap().id, crashed.id);
        store
            .set_reply(crashed.id, "reply before delivery")
            .unwrap();
        let later = f.clock.now() + SignedDuration::from_hours(1);
        assert_eq!(store.claim().unwrap().unwrap().id, waiting.id);
        store.mark_retry(waiting.id, later, "timeout").unwrap();
        // The process dies here: no mark_sent for `crashed`.
    }
    let store = f.open();
    let left = store.unfinished().unwrap();
    let states: Vec<(&str, RunState, Option<&str>)> = left
        .iter()
        .map(|r| {
            (
                r.message_id.as_deref().unwrap(),
                r.state,
                r.reply.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("crashed", RunState::Queued, Some("reply before delivery")),
            ("waiting", RunState::RetryPending, None),
        ]
    );
    // Claimed again, the run still carries its reply: deliver it, do not run the agent.
    let again = store.claim().unwrap().unwrap();
    assert_eq!(again.reply.as_deref(), Some("reply before delivery"));
    assert_eq!(again.attempts, 2);
}

// ---- concurrency ------------------------------------------------------------------------

#[test]
fn a_second_connection_waits_for_the_writer() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.create_session(&telegram("1")).unwrap();
    // Another process holds the write lock for a moment.
    let other = Connection::open(&f.path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let id = s.id.clone();
    let path = f.path.clone();
    let clock = f.clock.clone();
    let writer = std::thread::spawn(move || {
        let store = Store::open_with_clock(&path, clock).unwrap();
        tx.send(()).unwrap();
        store
            .append_message(&id, &NewMessage::user("waited"))
            .unwrap()
    });
    rx.recv().unwrap();
    // Readers are not blocked by the writer in WAL mode.
    assert!(store.session(&s.id).unwrap().is_some());
    std::thread::sleep(Duration::from_millis(150));
    other.execute_batch("COMMIT").unwrap();
    assert!(writer.join().unwrap() > 0);
    assert_eq!(store.messages(&s.id).unwrap().len(), 1);
}

#[test]
fn two_stores_write_concurrently() {
    let f = Fixture::new();
    let s = f.open().create_session(&telegram("1")).unwrap();
    let handles: Vec<_> = (0..2)
        .map(|n| {
            let path = f.path.clone();
            let clock = f.clock.clone();
            let id = s.id.clone();
            std::thread::spawn(move || {
                let store = Store::open_with_clock(&path, clock).unwrap();
                for i in 0..50 {
                    store
                        .append_message(&id, &NewMessage::user(format!("{n}-{i}")))
                        .unwrap();
                    store
                        .insert_queued(&run_for("1", &format!("{n}-{i}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = f.open();
    assert_eq!(store.messages(&s.id).unwrap().len(), 100);
    assert_eq!(store.session(&s.id).unwrap().unwrap().message_count, 100);
    assert_eq!(store.list_runs(None, 1000).unwrap().len(), 100);
}

#[test]
fn concurrent_claims_never_share_a_run() {
    let f = Fixture::new();
    let store = f.open();
    for i in 0..40 {
        store
            .insert_queued(&run_for(&i.to_string(), &format!("m{i}")))
            .unwrap();
    }
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let path = f.path.clone();
            let clock = f.clock.clone();
            std::thread::spawn(move || {
                let store = Store::open_with_clock(&path, clock).unwrap();
                let mut got = Vec::new();
                while let Some(run) = store.claim().unwrap() {
                    got.push(run.id);
                }
                got
            })
        })
        .collect();
    let mut all: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (40, 40));
}

#[test]
fn grouped_writes_commit_together_and_a_failing_one_rolls_back_alone() {
    let fx = Fixture::new();
    let store = std::sync::Arc::new(fx.open());
    let rt = two_thread_runtime();
    rt.block_on(async {
        let mut running = Vec::new();
        for i in 0..40 {
            let e = store
                .queue_insert_claimed(run_for(&i.to_string(), &format!("m{i}")))
                .await
                .unwrap();
            assert!(e.inserted);
            assert_eq!(e.run.state, RunState::Running);
            running.push(e.run.id);
        }
        let queued = store
            .queue_insert_claimed(run_for("0", "second"))
            .await
            .unwrap()
            .run;
        assert_eq!(queued.state, RunState::Queued, "chat 0 is busy");
        // Forty writers at once, one of them invalid (a queued run cannot be marked sent).
        let mut tasks = Vec::new();
        for id in running.iter().copied().chain([queued.id]) {
            let store = store.clone();
            tasks.push(tokio::spawn(
                async move { store.mark_sent_grouped(id).await },
            ));
        }
        let mut failed = Vec::new();
        for (t, id) in tasks
            .into_iter()
            .zip(running.iter().copied().chain([queued.id]))
        {
            if let Err(e) = t.await.unwrap() {
                failed.push((id, e));
            }
        }
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0].0, queued.id);
        assert!(matches!(
            failed[0].1,
            StoreError::InvalidTransition {
                from: RunState::Queued,
                ..
            }
        ));
    });
    // Everything that succeeded is durable, as a fresh connection sees it.
    drop(store);
    let again = fx.open();
    assert_eq!(
        again.list_runs(Some(RunState::Sent), 100).unwrap().len(),
        40
    );
    assert_eq!(
        again.list_runs(Some(RunState::Queued), 100).unwrap().len(),
        1
    );
}

#[test]
fn background_checkpoints_keep_the_log_short_while_writers_never_stop() {
    let fx = Fixture::new();
    let store = fx.open().with_background_checkpoints().unwrap();
    let session = store
        .create_session(&NewSession {
            source: "telegram".into(),
            ..NewSession::default()
        })
        .unwrap();
    let wal = PathBuf::from(format!("{}-wal", fx.path.display()));
    let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let (mut largest, mut previous, mut restarts) = (0, 0, 0);
    // About 60 MB of log if it never started over.
    for i in 0..5000 {
        store
            .append_message(
                &session.id,
                &NewMessage::user(format!("message {i} {}", "x".repeat(200))),
            )
            .unwrap();
        let now = size();
        if now < previous {
            restarts += 1;
        }
        (largest, previous) = (largest.max(now), now);
    }
    assert!(restarts >= 1, "the log never started over");
    assert!(
        largest < 40 * 1024 * 1024,
        "the log grew to {largest} bytes while writes went on"
    );
    assert_eq!(store.messages(&session.id).unwrap().len(), 5000);
}

#[test]
fn a_change_that_panics_does_not_stall_later_groups() {
    let fx = Fixture::new();
    let store = std::sync::Arc::new(fx.open());
    let rt = two_thread_runtime();
    rt.block_on(async {
        let s = store.clone();
        let crashed = tokio::spawn(async move {
            s.write_grouped("test", |c| {
                c.execute_batch("INSERT INTO hermes_schema_version (version) VALUES (999)")
                    .unwrap();
                panic!("a bug inside a change");
                #[allow(unreachable_code)]
                Ok(())
            })
            .await
        })
        .await;
        assert!(crashed.is_err(), "the panic reached its task");
        let next = tokio::time::timeout(
            Duration::from_secs(10),
            store.queue_insert_claimed(run_for("1", "after")),
        )
        .await
        .expect("later changes still run")
        .unwrap();
        assert!(next.inserted);
    });
    let versions: i64 = fx
        .open()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM hermes_schema_version WHERE version = 999",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(versions, 0, "the half-done group was rolled back");
}

/// A runtime like the gateway's (two worker threads), for the grouped writes.
fn two_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn an_insert_for_an_idle_session_starts_its_turn_in_the_same_change() {
    let fx = Fixture::new();
    let store = std::sync::Arc::new(fx.open());
    let session = store
        .create_session(&crate::store::NewSession {
            source: "telegram".into(),
            session_key: Some("agent:main:telegram:dm:7".into()),
            ..crate::store::NewSession::default()
        })
        .unwrap();
    store
        .append_message(&session.id, &NewMessage::user("earlier".to_string()))
        .unwrap();
    store
        .set_route(&Route::new(
            "agent:main:telegram:dm:7",
            &session.id,
            store.now(),
        ))
        .unwrap();
    let rt = two_thread_runtime();
    rt.block_on(async {
        let (first, begun) = store
            .queue_insert_and_begin(
                run_for("7", "a"),
                |_| true,
                NewMessage::user("now".to_string()),
            )
            .await
            .unwrap();
        assert_eq!(first.run.state, RunState::Running);
        let begun = begun.expect("an idle session's turn starts with its insert");
        assert_eq!(begun.route.unwrap().session_id, session.id);
        let history = begun.history.unwrap();
        assert_eq!(
            history.len(),
            1,
            "the history stops before the turn's own message"
        );
        let stored = store.messages(&session.id).unwrap();
        assert_eq!(
            stored
                .iter()
                .filter_map(|m| m.content.clone())
                .collect::<Vec<_>>(),
            ["earlier", "now"]
        );
        // The session is busy now: the next message waits, and starts nothing.
        let (second, none) = store
            .queue_insert_and_begin(
                run_for("7", "b"),
                |_| true,
                NewMessage::user("later".to_string()),
            )
            .await
            .unwrap();
        assert_eq!(second.run.state, RunState::Queued);
        assert!(none.is_none());
        // A reset policy that ends the session reads the route and writes nothing more.
        let (third, reset) = store
            .queue_insert_and_begin(
                run_for("8", "c"),
                |_| false,
                NewMessage::user("x".to_string()),
            )
            .await
            .unwrap();
        assert_eq!(third.run.state, RunState::Running);
        let reset = reset.unwrap();
        assert!(reset.route.is_none() && reset.history.is_none());
        assert_eq!(store.messages(&session.id).unwrap().len(), 2);
    });
}

#[test]
fn marking_sent_claims_the_sessions_next_run_in_the_same_change() {
    let fx = Fixture::new();
    let store = std::sync::Arc::new(fx.open());
    let rt = two_thread_runtime();
    rt.block_on(async {
        let first = store
            .queue_insert_claimed(run_for("7", "first"))
            .await
            .unwrap()
            .run;
        let second = store
            .queue_insert_claimed(run_for("7", "second"))
            .await
            .unwrap()
            .run;
        assert_eq!(second.state, RunState::Queued, "the session is busy");
        let key = first.session_key.clone();
        // The first is marked sent and the second claimed at once.
        let (sent, claimed) = store
            .mark_sent_and_claim_grouped(first.id, key.clone())
            .await;
        assert_eq!(sent.unwrap().state, RunState::Sent);
        let claimed = claimed.unwrap().expect("the queued run is claimed");
        assert_eq!((claimed.id, claimed.state), (second.id, RunState::Running));
        // Nothing left: sent, and no claim.
        let (sent, claimed) = store
            .mark_sent_and_claim_grouped(second.id, key.clone())
            .await;
        assert_eq!(sent.unwrap().state, RunState::Sent);
        assert!(claimed.unwrap().is_none());
        // A run that is not running cannot be marked sent, and nothing is claimed with it.
        let third = store
            .queue_insert_claimed(run_for("7", "third"))
            .await
            .unwrap()
            .run;
        let fourth = store
            .queue_insert_claimed(run_for("7", "fourth"))
            .await
            .unwrap()
            .run;
        let (sent, claimed) = store.mark_sent_and_claim_grouped(fourth.id, key).await;
        assert!(matches!(
            sent,
            Err(StoreError::InvalidTransition {
                from: RunState::Queued,
                ..
            })
        ));
        assert!(claimed.is_err());
        assert_eq!(
            store.run(third.id).unwrap().unwrap().state,
            RunState::Running
        );
        assert_eq!(
            store.run(fourth.id).unwrap().unwrap().state,
            RunState::Queued
        );
    });
    // Durable: a fresh connection sees both sent.
    drop(store);
    assert_eq!(
        fx.open().list_runs(Some(RunState::Sent), 10).unwrap().len(),
        2
    );
}
