//! Conversations through the runtime: authorization and pairing, durable runs, busy modes,
//! /stop, shutdown notices and resume, retries, review, slash commands, resets.

use std::sync::Arc;
use std::time::Duration;

use hermes::auth::{Approval, ApproveOutcome, PairingStore};
use hermes::gateway::runtime::Exit;
use hermes::gateway::turn::TurnError;
use hermes::store::{ManualClock, RunState, RunStore, SessionStore};

use crate::harness::{Gw, Scripted, dm, group};

const ALLOW_ALICE: &[(&str, &str)] = &[("TELEGRAM_ALLOWED_USERS", "1")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_user_gets_an_answer_stored_durably() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_millis(150));
    let mut gw = Gw::start(ALLOW_ALICE, "", runner);
    assert!(
        gw.handle.send_and_wait(dm("1", "hello there", "m1")).await,
        "accepted only once stored"
    );
    assert!(
        gw.wait_text("echo: hello there").await,
        "{:?}",
        gw.handle.texts()
    );
    // The run is durable and marked sent; the transcript has both sides.
    let runs = gw.store.list_runs(None, 10).unwrap();
    assert_eq!(runs.len(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        gw.store.run(runs[0].id).unwrap().unwrap().state,
        RunState::Sent
    );
    let sessions = gw
        .store
        .list_sessions(&hermes::store::SessionQuery::default())
        .unwrap();
    let msgs = gw.store.messages(&sessions[0].session.id).unwrap();
    assert_eq!(
        msgs.iter().map(|m| m.role.as_str()).collect::<Vec<_>>(),
        ["user", "assistant"]
    );
    assert_eq!(sessions[0].session.input_tokens, 10);
    // A redelivered message (same id) is not answered twice.
    assert!(gw.handle.send_and_wait(dm("1", "hello there", "m1")).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gw.runner.inputs().len(), 1);
    // Typing and the tool progress line were shown.
    let sent = gw.handle.sent();
    assert!(
        sent.iter()
            .any(|s| matches!(s, hermes::platforms::memory::Recorded::Typing { .. }))
    );
    assert!(
        gw.handle
            .texts()
            .iter()
            .any(|t| t.contains("💻 `ls -la`..."))
    );
    // The first DM on a platform without a home channel suggests /sethome, once.
    assert_eq!(
        gw.handle
            .texts()
            .iter()
            .filter(|t| t.contains("No home channel is set for Telegram"))
            .count(),
        1
    );
    assert_eq!(gw.stop().await, Exit::Stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_pair_groups_are_ignored_and_approval_applies_at_once() {
    let mut gw = Gw::start(&[], "", Scripted::echo());
    gw.handle.send(group("-100", "7", "hi group", "g1"));
    gw.handle.send(dm("7", "hi", "d1"));
    assert!(gw.wait_text("Here's your pairing code:").await);
    let texts = gw.handle.texts();
    assert_eq!(texts.len(), 1, "groups never pair: {texts:?}");
    let code: String = texts[0].split('`').nth(1).unwrap().to_string();
    assert!(texts[0].contains(&format!("hermes pairing approve telegram {code}")));
    // Asking again within 10 minutes stays silent.
    gw.handle.send(dm("7", "hello?", "d2"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gw.handle.texts().len(), 1);
    assert!(gw.runner.inputs().is_empty(), "nothing reached the agent");
    // The operator approves through the same files the CLI uses; no restart needed.
    let store = PairingStore::open(&gw.paths);
    let out = store
        .approve("telegram", &Approval::parse(&code), hermes::auth::now())
        .unwrap();
    assert!(matches!(out, ApproveOutcome::Approved(_)), "{out:?}");
    gw.handle.send(dm("7", "now?", "d3"));
    assert!(gw.wait_text("echo: now?").await, "{:?}", gw.handle.texts());
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_merges_messages_into_one_follow_up() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_millis(600));
    *runner.cancel_delay.lock().unwrap() = Duration::from_millis(400);
    let mut gw = Gw::start(ALLOW_ALICE, "", runner.clone());
    gw.handle.send(dm("1", "first", "1"));
    tokio::time::sleep(Duration::from_millis(150)).await;
    gw.handle.send(dm("1", "second", "2"));
    gw.handle.send(dm("1", "third", "3"));
    assert!(gw.wait_text("Interrupting current task").await);
    assert!(
        gw.wait_text("echo: second\n\nthird").await,
        "{:?}",
        gw.handle.texts()
    );
    assert!(runner.cancelled.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(runner.inputs(), ["first", "second\n\nthird"]);
    assert_eq!(
        gw.handle
            .texts()
            .iter()
            .filter(|t| t.contains("Interrupting"))
            .count(),
        1,
        "acknowledged once"
    );
    let runs = gw.store.list_runs(None, 10).unwrap();
    assert!(
        runs.iter()
            .any(|r| r.error.as_deref() == Some("interrupted by a newer message"))
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_mode_answers_in_order_and_stop_only_interrupts() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_millis(300));
    let mut gw = Gw::start(
        ALLOW_ALICE,
        "display:\n  busy_input_mode: queue\n",
        runner.clone(),
    );
    gw.handle.send(dm("1", "one", "1"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    gw.handle.send(dm("1", "two", "2"));
    assert!(gw.wait_text("Queued").await);
    assert!(gw.wait_text("echo: two").await);
    assert_eq!(runner.inputs(), ["one", "two"]);
    // /stop cancels the running turn and queues nothing.
    runner.set_delay(Duration::from_secs(30));
    gw.handle.send(dm("1", "long job", "3"));
    tokio::time::sleep(Duration::from_millis(150)).await;
    gw.handle.send(dm("1", "/stop", "4"));
    assert!(gw.wait_text("Stopped the current task").await);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(runner.inputs().len(), 3, "nothing new ran after /stop");
    let stopped = gw.store.list_runs(Some(RunState::Error), 10).unwrap();
    assert_eq!(stopped[0].error.as_deref(), Some("stopped by the user"));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_tells_the_chat_and_the_next_start_answers_once() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_secs(30));
    let mut gw = Gw::start(ALLOW_ALICE, "", runner.clone());
    gw.handle.send(dm("1", "slow question", "1"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gw.stop().await, Exit::Stopped);
    assert!(
        gw.handle
            .texts()
            .iter()
            .any(|t| t == "⚠️ Gateway shutting down — Your current task will be interrupted.")
    );
    // The same home, a new gateway: the interrupted run resumes and is answered once.
    let dir = std::mem::replace(&mut gw.dir, tempfile::tempdir().unwrap());
    let again = Scripted::echo();
    let mut gw2 = Gw::start_in(
        dir,
        ALLOW_ALICE,
        "",
        again.clone(),
        Arc::new(hermes::store::SystemClock),
    );
    assert!(
        gw2.wait_text("echo: slow question").await,
        "{:?}",
        gw2.handle.texts()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(again.inputs(), ["slow question"]);
    assert_eq!(
        gw2.handle
            .texts()
            .iter()
            .filter(|t| t.contains("echo: slow question"))
            .count(),
        1
    );
    gw2.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_provider_queues_the_run_and_retries() {
    let runner = Scripted::new(|r, n| {
        if n < 3 {
            Err(TurnError::Unavailable {
                message: "The model provider is unreachable.".into(),
            })
        } else {
            Ok(format!("late: {}", r.input))
        }
    });
    let mut gw = Gw::start(ALLOW_ALICE, "", runner.clone());
    gw.handle.send(dm("1", "are you there", "1"));
    assert!(
        gw.wait_text("late: are you there").await,
        "{:?}",
        gw.handle.texts()
    );
    let told: Vec<String> = gw
        .handle
        .texts()
        .into_iter()
        .filter(|t| t.contains("Your message is queued"))
        .collect();
    assert_eq!(told.len(), 1, "told once, not on every retry: {told:?}");
    assert_eq!(runner.inputs().len(), 3);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_policy_holds_runs_until_approved() {
    let mut gw = Gw::start(
        ALLOW_ALICE,
        "platforms:\n  telegram:\n    review: true\n",
        Scripted::echo(),
    );
    gw.handle.send(dm("1", "please check", "1"));
    assert!(gw.wait_text("waiting for the owner's review").await);
    let held = gw
        .store
        .list_runs(Some(RunState::AwaitingReview), 10)
        .unwrap();
    assert_eq!(held.len(), 1);
    assert!(gw.runner.inputs().is_empty());
    gw.store.approve(held[0].id).unwrap();
    assert!(gw.wait_text("echo: please check").await);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands() {
    let mut gw = Gw::start(ALLOW_ALICE, "", Scripted::echo());
    gw.handle.send(dm("1", "/help", "h"));
    assert!(gw.wait_text("/sethome").await);
    gw.handle.send(dm("1", "remember this", "1"));
    assert!(gw.wait_text("echo: remember this").await);
    gw.handle.send(dm("1", "/title Planning", "t"));
    assert!(gw.wait_text("Title set: Planning").await);
    gw.handle.send(dm("1", "/status", "s"));
    assert!(gw.wait_text("📊 Session status").await);
    assert!(
        gw.handle
            .texts()
            .iter()
            .any(|t| t.contains("Title: Planning") && t.contains("Tokens: 10 in, 5 out"))
    );
    gw.handle.send(dm("1", "/new", "n"));
    assert!(gw.wait_text("New session started").await);
    assert!(
        gw.handle
            .texts()
            .iter()
            .any(|t| t.contains("Previous session: “Planning”") && t.contains("/resume"))
    );
    gw.handle.send(dm("1", "/sethome", "sh"));
    assert!(
        gw.wait_text("✅ Home channel set to **user1** (ID: 1).")
            .await
    );
    let dotenv = std::fs::read_to_string(gw.paths.env_file()).unwrap();
    assert!(dotenv.contains("TELEGRAM_HOME_CHANNEL=1"), "{dotenv}");
    gw.handle.send(dm("1", "/resume Planning", "r"));
    assert!(gw.wait_text("Resumed").await, "{:?}", gw.handle.texts());
    gw.handle.send(dm("1", "/model gpt-test", "md"));
    assert!(gw.wait_text("This chat now uses gpt-test").await);
    gw.handle.send(dm("1", "next", "2"));
    assert!(gw.wait_text("echo: next").await);
    let last = gw.runner.calls.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.model.as_deref(), Some("gpt-test"));
    assert_eq!(
        last.history.first().map(|h| h.content.as_str()),
        Some("remember this"),
        "resumed history"
    );
    gw.handle.send(dm("1", "/undo", "u"));
    assert!(gw.wait_text("Removed the last exchange").await);
    gw.handle.send(dm("1", "/background count the stars", "b"));
    assert!(
        gw.wait_text("🔄 Background task started: \"count the stars\"")
            .await
    );
    assert!(
        gw.wait_text("✅ Background task complete\n\necho: count the stars")
            .await
    );
    gw.handle.send(dm("1", "/bogus", "x"));
    assert!(
        gw.wait_text("echo: /bogus").await,
        "unknown commands go to the agent (skills)"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_reset_policy_starts_a_new_session_with_one_notice() {
    let clock = Arc::new(ManualClock::new("2026-03-07T12:00:00Z".parse().unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let yaml = "session_reset:\n  mode: idle\n  idle_minutes: 60\n";
    let mut gw = Gw::start_in(dir, ALLOW_ALICE, yaml, Scripted::echo(), clock.clone());
    gw.handle.send(dm("1", "morning", "1"));
    assert!(gw.wait_text("echo: morning").await);
    clock.advance(jiff::SignedDuration::from_mins(30));
    gw.handle.send(dm("1", "still here", "2"));
    assert!(gw.wait_text("echo: still here").await);
    assert!(
        !gw.handle
            .texts()
            .iter()
            .any(|t| t.contains("automatically reset")),
        "{:?}",
        gw.handle.texts()
    );
    clock.advance(jiff::SignedDuration::from_mins(61));
    gw.handle.send(dm("1", "after lunch", "3"));
    assert!(gw.wait_text("echo: after lunch").await);
    let notices: Vec<String> = gw
        .handle
        .texts()
        .into_iter()
        .filter(|t| t.contains("Session automatically reset (previous session was idle)"))
        .collect();
    assert_eq!(notices.len(), 1);
    let last = gw.runner.calls.lock().unwrap().last().cloned().unwrap();
    assert!(last.history.is_empty(), "fresh session: {:?}", last.history);
    assert!(last.context_note.unwrap().contains("idle"));
    assert_eq!(
        gw.store
            .list_sessions(&hermes::store::SessionQuery::default())
            .unwrap()
            .len(),
        2
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_warns_running_chats_and_comes_back_online_in_the_home_channel() {
    let env: &[(&str, &str)] = &[
        ("TELEGRAM_ALLOWED_USERS", "1"),
        ("TELEGRAM_HOME_CHANNEL", "1"),
    ];
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_secs(30));
    let mut gw = Gw::start(env, "", runner);
    gw.handle.send(dm("1", "long task", "1"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    gw.restart.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(gw.stop().await, Exit::Restart);
    assert!(
        gw.handle.texts().iter().any(
            |t| t.starts_with("⚠️ Gateway restarting — Your current task will be interrupted.")
        )
    );
    let dir = std::mem::replace(&mut gw.dir, tempfile::tempdir().unwrap());
    let mut gw2 = Gw::start_in(
        dir,
        env,
        "",
        Scripted::echo(),
        Arc::new(hermes::store::SystemClock),
    );
    assert!(
        gw2.wait_text("♻️ Gateway online — Hermes is back and ready.")
            .await
    );
    assert!(
        gw2.wait_text("echo: long task").await,
        "the interrupted run resumes"
    );
    gw2.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_insights_and_compress_from_chat() {
    let mut gw = Gw::start(ALLOW_ALICE, "", Scripted::echo());
    gw.handle.send(dm(
        "1",
        "/cron add \"every 2h\" check the servers --name servers",
        "c1",
    ));
    assert!(
        gw.wait_text("✅ Scheduled “servers”").await,
        "{:?}",
        gw.handle.texts()
    );
    let jobs: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(gw.paths.cron_dir().join("jobs.json")).unwrap(),
    )
    .unwrap();
    let job = &jobs["jobs"][0];
    assert_eq!(job["prompt"], "check the servers");
    assert_eq!(
        job["deliver"], "origin",
        "a job made in chat reports to that chat"
    );
    assert_eq!(job["origin"]["chat_id"], "1");
    gw.handle.send(dm("1", "/cron list", "c2"));
    assert!(gw.wait_text("⏰ Scheduled jobs").await);
    gw.handle.send(dm("1", "/cron pause servers", "c3"));
    assert!(gw.wait_text("⏸ Paused").await);
    gw.handle.send(dm("1", "/cron remove servers", "c4"));
    assert!(gw.wait_text("🗑 Removed").await);
    gw.handle.send(dm("1", "/cron add \"whenever\" x", "c5"));
    assert!(
        gw.wait_text("❌").await,
        "a bad schedule is an error with the accepted forms"
    );
    gw.handle.send(dm("1", "hi", "1"));
    assert!(gw.wait_text("echo: hi").await);
    gw.handle.send(dm("1", "/insights", "i"));
    assert!(
        gw.wait_text("📊 Last 7 day(s): 1 session(s), 10 in / 5 out tokens")
            .await,
        "{:?}",
        gw.handle.texts()
    );
    // The scripted agent cannot summarise: the command says so instead of pretending.
    gw.handle.send(dm("1", "/compress", "z"));
    assert!(
        gw.wait_text("❌ context compression needs a configured model")
            .await
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steer_mode_feeds_the_running_turn() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_millis(500));
    let mut gw = Gw::start(
        ALLOW_ALICE,
        "display:\n  busy_input_mode: steer\n",
        runner.clone(),
    );
    gw.handle.send(dm("1", "write the report", "1"));
    tokio::time::sleep(Duration::from_millis(150)).await;
    gw.handle.send(dm("1", "make it short", "2"));
    assert!(gw.wait_text("⏩ Got it").await);
    assert!(gw.wait_text("echo: write the report").await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        *runner.steered.lock().unwrap(),
        ["make it short"],
        "the running turn took the guidance"
    );
    assert_eq!(
        runner.inputs(),
        ["write the report"],
        "no extra turn and no interruption"
    );
    let runs = gw.store.list_runs(None, 10).unwrap();
    assert!(
        runs.iter().any(|r| r.error.as_deref()
            == Some(&*format!(
                "steered into run #{}",
                runs.iter().map(|r| r.id).min().unwrap()
            ))),
        "{runs:?}"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_mode_answers_each_queued_message_in_its_own_turn() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_millis(300));
    let mut gw = Gw::start(
        ALLOW_ALICE,
        "display:\n  busy_input_mode: queue\n",
        runner.clone(),
    );
    gw.handle.send(dm("1", "a", "1"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    gw.handle.send(dm("1", "b", "2"));
    gw.handle.send(dm("1", "c", "3"));
    assert!(gw.wait_text("echo: c").await, "{:?}", gw.handle.texts());
    assert_eq!(runner.inputs(), ["a", "b", "c"]);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_tasks_use_the_chat_model_run_side_by_side_and_report_failures() {
    // "fail please" fails. A background task checks, when it finishes, that the other two
    // have already started: run one after another, the first would find itself alone.
    let me: Arc<std::sync::OnceLock<std::sync::Weak<Scripted>>> = Arc::default();
    let seen = me.clone();
    let runner = Scripted::new(move |r, _| {
        if r.input == "fail please" {
            return Err(TurnError::Failed {
                message: "provider returned 500".into(),
            });
        }
        if r.session_key.starts_with("background:") {
            let runner = seen.get().and_then(std::sync::Weak::upgrade).unwrap();
            let started = runner
                .inputs()
                .iter()
                .filter(|i| ["first job", "second job", "fail please"].contains(&i.as_str()))
                .count();
            if started < 3 {
                return Err(TurnError::Failed {
                    message: format!("ran alone ({started} started)"),
                });
            }
        }
        Ok(format!("done: {}", r.input))
    });
    me.set(Arc::downgrade(&runner)).unwrap();
    let mut gw = Gw::start(ALLOW_ALICE, "", runner);
    gw.handle.send(dm("1", "remember the chat", "1"));
    assert!(gw.wait_text("done: remember the chat").await);
    gw.handle.send(dm("1", "/model gpt-bg", "m"));
    assert!(gw.wait_text("This chat now uses gpt-bg").await);
    gw.runner.set_delay(Duration::from_millis(1500));
    gw.handle.send(dm("1", "/background first job", "b1"));
    gw.handle.send(dm("1", "/background second job", "b2"));
    gw.handle.send(dm("1", "/background fail please", "b3"));
    assert!(
        gw.wait_text("✅ Background task complete\n\ndone: first job")
            .await
    );
    assert!(
        gw.wait_text("✅ Background task complete\n\ndone: second job")
            .await
    );
    assert!(
        gw.wait_text("❌ Background task failed\n\nprovider returned 500")
            .await,
        "{:?}",
        gw.handle.texts()
    );
    let calls = gw.runner.calls.lock().unwrap().clone();
    let bg: Vec<_> = calls
        .iter()
        .filter(|c| c.session_key.starts_with("background:"))
        .collect();
    assert_eq!(bg.len(), 3);
    let chat = calls
        .iter()
        .find(|c| c.input == "remember the chat")
        .unwrap();
    for c in &bg {
        assert_eq!(c.model.as_deref(), Some("gpt-bg"), "the chat's /model");
        assert!(c.history.is_empty(), "no chat history: {:?}", c.history);
        assert_ne!(c.session_id, chat.session_id, "its own session");
    }
    let ids: std::collections::HashSet<_> = bg.iter().map(|c| c.session_id.clone()).collect();
    assert_eq!(ids.len(), 3, "one session per task");
    // The chat's own conversation did not take the tasks in.
    gw.runner.set_delay(Duration::ZERO);
    gw.handle.send(dm("1", "and now?", "2"));
    assert!(gw.wait_text("done: and now?").await);
    let last = gw.runner.calls.lock().unwrap().last().cloned().unwrap();
    assert!(
        last.history
            .iter()
            .all(|h| !h.content.contains("first job") && !h.content.contains("fail please")),
        "{:?}",
        last.history
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_handed_over_at_once_is_stored_in_order_and_answered_once_each() {
    // The memory platform hands over everything waiting before it awaits any acceptance, as
    // a batch-fetching adapter does: the inserts share commits, the order holds per chat.
    let runner = Scripted::echo();
    let mut gw = Gw::start(
        &[("TELEGRAM_ALLOWED_USERS", "1,2,3")],
        "display:\n  busy_input_mode: queue\n",
        runner.clone(),
    );
    let mut expected = Vec::new();
    for i in 0..60 {
        let user = (i % 3 + 1).to_string();
        let text = format!("m{i}");
        gw.handle.send(dm(&user, &text, &format!("id{i}")));
        expected.push(format!("echo: {text}"));
    }
    let done = gw
        .handle
        .wait_for(Duration::from_secs(10), |sent| {
            sent.iter()
                .filter(|s| matches!(s, hermes::platforms::memory::Recorded::Message { text, .. } if text.starts_with("echo: ")))
                .count()
                >= 60
        })
        .await;
    assert!(done, "{:?}", gw.handle.texts());
    let answers: Vec<String> = gw
        .handle
        .texts()
        .into_iter()
        .filter(|t| t.starts_with("echo: "))
        .collect();
    assert_eq!(answers.len(), 60, "each message answered once: {answers:?}");
    for user in 0..3 {
        // Per chat, answers come in the order the messages were sent.
        let mine: Vec<&String> = answers
            .iter()
            .filter(|a| a[7..].parse::<usize>().unwrap() % 3 == user)
            .collect();
        let want: Vec<&String> = expected
            .iter()
            .filter(|e| e[7..].parse::<usize>().unwrap() % 3 == user)
            .collect();
        assert_eq!(mine, want);
    }
    // Every run is stored, in arrival order, and ends sent.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut runs = gw.store.list_runs(None, 100).unwrap();
    runs.sort_by_key(|r| r.id);
    assert_eq!(
        runs.iter().map(|r| r.text.clone()).collect::<Vec<_>>(),
        (0..60).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    assert!(runs.iter().all(|r| r.state == RunState::Sent), "{runs:?}");
    gw.stop().await;
}
