//! How replies reach a chat: streamed by edits (`streaming:`), chunked with reply-to modes,
//! files named by `MEDIA:` lines attached, the typing indicator switch.

use std::sync::Arc;
use std::time::Duration;

use hermes::platforms::memory::Recorded;
use hermes::store::SystemClock;

use crate::harness::{Gw, Scripted, caps, dm};

const ALLOW_ALICE: &[(&str, &str)] = &[("TELEGRAM_ALLOWED_USERS", "1")];

const STREAMING: &str = "streaming:\n  enabled: true\n  edit_interval: 0.05\n  buffer_threshold: 8\ndisplay:\n  tool_progress: off\n";

/// The messages and edits that carry reply text (no typing, no notices).
fn reply_events(gw: &Gw, marker: &str) -> Vec<Recorded> {
    gw.handle
        .sent()
        .into_iter()
        .filter(|s| match s {
            Recorded::Message { text, .. } | Recorded::Edit { text, .. } => text.contains(marker),
            Recorded::Typing { .. } => false,
        })
        .collect()
}

async fn wait_edit(gw: &Gw, exact: &str) -> bool {
    gw.handle
        .wait_for(Duration::from_secs(5), |sent| {
            sent.iter()
                .any(|s| matches!(s, Recorded::Edit { text, .. } if text == exact))
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_reply_is_posted_once_then_edited_into_the_final_text() {
    let answer = "Streaming works: the quick brown fox jumps over the lazy dog.";
    let runner = Scripted::new(move |_, _| Ok(answer.to_string()));
    *runner.stream.lock().unwrap() = Some((6, Duration::from_millis(25)));
    let mut gw = Gw::start(ALLOW_ALICE, STREAMING, runner);
    gw.handle.send(dm("1", "stream please", "m1"));
    assert!(wait_edit(&gw, answer).await, "{:?}", gw.handle.sent());
    let events = reply_events(&gw, "Stream");
    // One message (the preview, with the cursor), then edits; the last edit is the reply.
    let messages: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Recorded::Message { text, id, .. } => Some((text.clone(), id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(messages.len(), 1, "{events:?}");
    let (first, preview_id) = &messages[0];
    assert!(first.ends_with(" ▉"), "preview shows the cursor: {first:?}");
    assert!(answer.starts_with(first.trim_end_matches(" ▉")));
    let edits: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Recorded::Edit { text, id, .. } => Some((text.clone(), id.clone())),
            _ => None,
        })
        .collect();
    assert!(edits.len() >= 2, "grows by edits: {edits:?}");
    assert!(edits.iter().all(|(_, id)| id == preview_id));
    assert_eq!(edits.last().unwrap().0, answer);
    // Every intermediate edit is a prefix of the answer plus the cursor.
    for (text, _) in &edits[..edits.len() - 1] {
        assert!(answer.starts_with(text.trim_end_matches(" ▉")), "{text:?}");
    }
    assert_eq!(gw.stop().await, hermes::gateway::runtime::Exit::Stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_reply_longer_than_one_message_keeps_the_preview_as_its_first_chunk() {
    // The memory platform takes 200 characters per message.
    let answer: String = (0..40).map(|i| format!("word{i:02} ")).collect();
    let expected = answer.trim_end().to_string();
    let runner = Scripted::new({
        let a = answer.clone();
        move |_, _| Ok(a.clone())
    });
    *runner.stream.lock().unwrap() = Some((20, Duration::from_millis(10)));
    let mut gw = Gw::start(ALLOW_ALICE, STREAMING, runner);
    gw.handle.send(dm("1", "long please", "m1"));
    assert!(gw.wait_text("word39").await, "{:?}", gw.handle.sent());
    let sent = gw.handle.sent();
    let preview = sent
        .iter()
        .find_map(|s| match s {
            Recorded::Message { text, id, .. } if text.starts_with("word00") => Some(id.clone()),
            _ => None,
        })
        .expect("a preview");
    // The last edit of the preview is the first chunk; the rest follows as new messages.
    let first_chunk = sent
        .iter()
        .rev()
        .find_map(|s| match s {
            Recorded::Edit { id, text, .. } if *id == preview => Some(text.clone()),
            _ => None,
        })
        .expect("the preview edited into the first chunk");
    assert!(!first_chunk.contains('▉'));
    let rest: Vec<String> = sent
        .iter()
        .filter_map(|s| match s {
            Recorded::Message { text, id, .. } if *id != preview && text.contains("word") => {
                Some(text.clone())
            }
            _ => None,
        })
        .collect();
    assert!(!rest.is_empty());
    let whole = std::iter::once(first_chunk)
        .chain(rest)
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        whole.split_whitespace().collect::<Vec<_>>(),
        expected.split_whitespace().collect::<Vec<_>>()
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_streaming_the_reply_is_one_new_message() {
    let runner = Scripted::new(|_, _| Ok("plain answer here".into()));
    *runner.stream.lock().unwrap() = Some((4, Duration::from_millis(5)));
    let mut gw = Gw::start(ALLOW_ALICE, "display:\n  tool_progress: off\n", runner);
    gw.handle.send(dm("1", "hi", "m1"));
    assert!(gw.wait_text("plain answer here").await);
    assert!(
        !gw.handle
            .sent()
            .iter()
            .any(|s| matches!(s, Recorded::Edit { .. }))
    );
    gw.stop().await;
}

/// The reply-to of every message carrying reply text.
async fn reply_tos(mode: Option<&str>) -> Vec<Option<String>> {
    let answer: String = (0..60).map(|i| format!("part{i:02} ")).collect();
    let runner = Scripted::new(move |_, _| Ok(answer.clone()));
    let mut env = vec![("TELEGRAM_ALLOWED_USERS", "1")];
    if let Some(m) = mode {
        env.push(("TELEGRAM_REPLY_TO_MODE", m));
    }
    let mut gw = Gw::start(&env, "display:\n  tool_progress: off\n", runner);
    gw.handle.send(dm("1", "long one", "u-5"));
    assert!(gw.wait_text("part59").await);
    let out = gw
        .handle
        .sent()
        .into_iter()
        .filter_map(|s| match s {
            Recorded::Message { text, reply_to, .. } if text.contains("part") => Some(reply_to),
            _ => None,
        })
        .collect();
    gw.stop().await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_to_modes_first_all_and_off() {
    let quoted = Some("u-5".to_string());
    let first = reply_tos(None).await;
    assert!(first.len() >= 2, "{first:?}");
    assert_eq!(first[0], quoted);
    assert!(first[1..].iter().all(Option::is_none));
    let all = reply_tos(Some("all")).await;
    assert!(all.len() >= 2);
    assert!(all.iter().all(|r| *r == quoted), "{all:?}");
    let off = reply_tos(Some("off")).await;
    assert!(off.iter().all(Option::is_none), "{off:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_lines_go_out_as_attachments_where_the_platform_takes_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, b"%PDF-1.4").unwrap();
    let text = format!("Your report is ready.\nMEDIA:{}", file.display());
    let runner = Scripted::new(move |_, _| Ok(text.clone()));
    let mut with_files = caps();
    with_files.files = true;
    let mut gw = Gw::start_with(
        tempfile::tempdir().unwrap(),
        ALLOW_ALICE,
        "display:\n  tool_progress: off\n",
        runner,
        Arc::new(SystemClock),
        with_files,
    );
    gw.handle.send(dm("1", "send me the report", "m1"));
    assert!(gw.wait_text("Your report is ready.").await);
    let sent = gw.handle.sent();
    let (text, attachments) = sent
        .iter()
        .find_map(|s| match s {
            Recorded::Message {
                text, attachments, ..
            } if text.contains("report is ready") => Some((text.clone(), attachments.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(text, "Your report is ready.");
    assert_eq!(attachments, vec![file]);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_indicator_can_be_turned_off_per_platform() {
    let runner = Scripted::echo();
    runner.set_delay(Duration::from_millis(150));
    let mut gw = Gw::start(
        ALLOW_ALICE,
        "gateway:\n  platforms:\n    telegram:\n      typing_indicator: false\n",
        runner,
    );
    gw.handle.send(dm("1", "quiet please", "m1"));
    assert!(gw.wait_text("echo: quiet please").await);
    assert!(
        !gw.handle
            .sent()
            .iter()
            .any(|s| matches!(s, Recorded::Typing { .. }))
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_naming_a_skill_runs_the_skill() {
    let runner = Scripted::echo();
    let mut gw = Gw::start(ALLOW_ALICE, "display:\n  tool_progress: off\n", runner);
    let skill = gw.paths.skills_dir().join("ops/deploy-check/SKILL.md");
    std::fs::create_dir_all(skill.parent().unwrap()).unwrap();
    std::fs::write(
        &skill,
        "---\nname: deploy-check\ndescription: Check a deploy.\n---\nRun the smoke tests, then report.\n",
    )
    .unwrap();
    gw.handle.send(dm("1", "/deploy_check staging", "m1"));
    assert!(
        gw.wait_text("Run the smoke tests").await,
        "{:?}",
        gw.handle.texts()
    );
    let input = gw.runner.inputs().pop().unwrap();
    assert!(input.contains("\"deploy-check\" skill"), "{input}");
    assert!(input.contains("Run the smoke tests, then report."));
    assert!(input.ends_with("staging"), "{input}");
    // An unknown command that is no skill still reaches the agent as typed.
    gw.handle.send(dm("1", "/nosuchskill now", "m2"));
    assert!(gw.wait_text("echo: /nosuchskill now").await);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_process_notices_reach_the_chat_that_started_the_process() {
    use hermes::gateway::runtime::{self, Deps};
    let model = crate::model::Model::start(Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let paths = hermes::home::HermesPaths::at(&dir.path().join(".hermes"), dir.path());
    std::fs::create_dir_all(paths.home()).unwrap();
    let env = hermes::config::Env::from_pairs([
        ("TELEGRAM_ALLOWED_USERS".to_string(), "1".to_string()),
        ("OPENAI_API_KEY".to_string(), "sk-test".to_string()),
        ("HERMES_YOLO_MODE".to_string(), "1".to_string()),
    ]);
    let yaml = format!(
        "model:\n  default: test-model\n  provider: custom\n  base_url: {}\n  api_key: sk-test\ndisplay:\n  tool_progress: off\n  background_process_notifications: result\n",
        model.url
    );
    let settings = crate::harness::settings(&yaml, &env);
    let agent = hermes::agent::Agent::from_settings(paths.clone(), &settings, env.clone()).unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let agent = agent.with_process_notices(tx);
    let store = Arc::new(hermes::store::Store::open(&paths.state_db()).unwrap());
    let (platform, handle) = hermes::platforms::memory::memory_platform("telegram", caps());
    let state = Arc::new(hermes::gateway::state::StateFile::new(
        &paths,
        hermes::gateway::lock::own_record(&paths, &[]),
    ));
    let deps = Deps {
        paths: paths.clone(),
        settings,
        env,
        platforms: vec![Arc::new(platform)],
        runner: Arc::new(agent),
        store,
        state,
        options: crate::harness::fast_options(),
        process_notices: Some(rx),
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(runtime::run(
        deps,
        cancel.clone(),
        Arc::new(std::sync::atomic::AtomicBool::new(false)),
    ));
    handle.send(dm("1", "bg: sleep 0.3; echo built-ok", "m1"));
    let finished = handle
        .wait_for(Duration::from_secs(10), |sent| {
            sent.iter().any(|s| {
                matches!(s, Recorded::Message { text, chat, .. }
                    if text.contains("✅ Background process") && text.contains("built-ok") && chat.chat_id == "1")
            })
        })
        .await;
    assert!(finished, "{:?}", handle.texts());
    // The turn itself answered first: the process ran on after it.
    let texts = handle.texts();
    let answer = texts
        .iter()
        .position(|t| t.starts_with("answer: "))
        .unwrap();
    let notice = texts
        .iter()
        .position(|t| t.contains("✅ Background process"))
        .unwrap();
    assert!(answer < notice, "{texts:?}");
    cancel.cancel();
    let _ = task.await;
}
