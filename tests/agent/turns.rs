//! The agent loop (`Agent` as a `TurnRunner`) against the scripted `OpenAI`-compatible peer:
//! replies as `chat.completion` objects (plain JSON) or `chat.completion.chunk` SSE streams,
//! tool calls as `message.tool_calls[]` with JSON-encoded `function.arguments`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hermes::agent::provider::{OpenAiCompatible, Provider, ProviderChain, RetryPolicy, Retrying};
use hermes::agent::tools::ProcessNotice;
use hermes::agent::{Agent, compress};
use hermes::config::{Env, Settings};
use hermes::gateway::turn::{
    ApprovalChoice, HistoryMessage, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use hermes::home::HermesPaths;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::fake::{Fake, Part, Reply};

/// A `chat.completion` with text.
pub(crate) fn answer(text: &str, prompt_tokens: u64) -> Reply {
    completion(
        json!({"role": "assistant", "content": text}),
        "stop",
        prompt_tokens,
    )
}

/// A `chat.completion` calling tools: `(id, name, arguments)`.
pub(crate) fn calls(list: &[(&str, &str, Value)], prompt_tokens: u64) -> Reply {
    let calls: Vec<Value> = list
        .iter()
        .map(|(id, name, args)| {
            json!({"id": id, "type": "function",
                   "function": {"name": name, "arguments": args.to_string()}})
        })
        .collect();
    completion(
        json!({"role": "assistant", "content": null, "tool_calls": calls}),
        "tool_calls",
        prompt_tokens,
    )
}

fn completion(message: Value, finish: &str, prompt_tokens: u64) -> Reply {
    Reply::json(
        200,
        &json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000,
            "model": "fake-model-1",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 7,
                      "total_tokens": prompt_tokens + 7},
        }),
    )
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"message": message, "type": "error"}}),
    )
}

/// A profile home, a work directory, and an agent talking to one or more fakes.
pub(crate) struct Harness {
    _dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
    pub(crate) work: PathBuf,
    pub(crate) agent: Arc<Agent>,
}

pub(crate) fn quick<P: Provider>(p: P, attempts: u32) -> Retrying<P> {
    Retrying::new(
        p,
        RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_secs(2),
        },
    )
}

pub(crate) fn openai(fake: &Fake, name: &str) -> OpenAiCompatible {
    OpenAiCompatible::new(name, &format!("{}/v1", fake.url), reqwest::Client::new())
        .with_key("sk-test", "OPENAI_API_KEY")
}

impl Harness {
    /// An agent over one fake (with quick retries) and extra config.yaml text.
    pub(crate) fn new(fake: &Fake, yaml: &str) -> Self {
        Self::with_provider(Arc::new(quick(openai(fake, "fake"), 3)), yaml)
    }

    pub(crate) fn with_provider(provider: Arc<dyn Provider>, yaml: &str) -> Self {
        Self::build(provider, yaml, None)
    }

    fn build(
        provider: Arc<dyn Provider>,
        yaml: &str,
        notices: Option<mpsc::UnboundedSender<ProcessNotice>>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        let paths = HermesPaths::at(&home, dir.path());
        std::fs::write(home.join("SOUL.md"), "You are Testy.").unwrap();
        let text = format!("terminal:\n  cwd: {}\n{yaml}", work.display());
        std::fs::write(paths.config_file(), &text).unwrap();
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        let env = Env::from_pairs([
            ("PATH", "/usr/bin:/bin"),
            ("HOME", dir.path().to_str().unwrap()),
        ]);
        let settings = Settings::resolve(&doc, &env).unwrap();
        let mut agent = Agent::new(paths.clone(), &settings, env, provider, "fake-model");
        if let Some(tx) = notices {
            agent = agent.with_process_notices(tx);
        }
        Self {
            _dir: dir,
            paths,
            work,
            agent: Arc::new(agent),
        }
    }

    /// Runs a turn to the end, collecting its events.
    pub(crate) async fn turn(
        &self,
        req: TurnRequest,
    ) -> (Result<TurnResult, TurnError>, Vec<TurnEvent>) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let result = self.agent.run(req, tx, CancellationToken::new()).await;
        let mut events = Vec::new();
        while let Ok(e) = rx.try_recv() {
            events.push(e);
        }
        (result, events)
    }
}

/// A CLI turn with `input`.
pub(crate) fn request(input: &str) -> TurnRequest {
    TurnRequest {
        session_id: "sess-1".into(),
        session_key: "agent:main:cli:dm:local".into(),
        input: input.into(),
        ..TurnRequest::default()
    }
}

/// The `messages` of the n-th request the fake saw.
fn sent(fake: &Fake, n: usize) -> Vec<Value> {
    fake.seen()[n].body["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn plain_reply() {
    let fake = Fake::start(vec![answer("Hello there!", 120)]).await;
    let h = Harness::new(&fake, "");
    let (result, events) = h.turn(request("hi")).await;
    let r = result.unwrap();
    assert_eq!(r.text, "Hello there!");
    assert_eq!(r.model, "fake-model-1");
    assert_eq!(r.finish_reason, "stop");
    assert_eq!((r.usage.input, r.usage.output), (120, 7));
    assert_eq!(
        r.messages,
        vec![HistoryMessage::text("assistant", "Hello there!")]
    );
    assert_eq!(events, vec![TurnEvent::TextDelta("Hello there!".into())]);
    let body = &fake.seen()[0].body;
    assert_eq!(body["model"], "fake-model");
    let msgs = sent(&fake, 0);
    assert_eq!(msgs[0]["role"], "system");
    let system = msgs[0]["content"].as_str().unwrap();
    assert!(system.starts_with("You are Testy."), "{system}");
    assert!(system.contains("## Current Session Context"));
    assert_eq!(msgs.last().unwrap()["content"], "hi");
    let tools: Vec<&str> = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    for name in [
        "terminal",
        "read_file",
        "memory",
        "web_extract",
        "skill_view",
    ] {
        assert!(tools.contains(&name), "{name} offered: {tools:?}");
    }
}

#[tokio::test]
async fn streamed_reply_events() {
    let chunk = |delta: Value, finish: Value| {
        Part::Data(format!(
            "data: {}\n\n",
            json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        ))
    };
    let fake = Fake::start(vec![Reply::sse(vec![
        chunk(
            json!({"role": "assistant", "reasoning_content": "thinking"}),
            Value::Null,
        ),
        chunk(json!({"content": "Hel"}), Value::Null),
        chunk(json!({"content": "lo"}), Value::Null),
        chunk(json!({}), json!("stop")),
        Part::Data("data: [DONE]\n\n".into()),
    ])])
    .await;
    let h = Harness::new(&fake, "");
    let (result, events) = h.turn(request("hi")).await;
    assert_eq!(result.unwrap().text, "Hello");
    assert_eq!(
        events,
        vec![
            TurnEvent::ReasoningDelta("thinking".into()),
            TurnEvent::TextDelta("Hel".into()),
            TurnEvent::TextDelta("lo".into()),
        ]
    );
}

#[tokio::test]
async fn multi_step_tool_calls() {
    let fake = Fake::start(vec![
        calls(
            &[(
                "call_1",
                "terminal",
                json!({"command": "echo hi $AI_AGENT $HERMES_SESSION_ID > out.txt; cat out.txt"}),
            )],
            50,
        ),
        calls(&[("call_2", "read_file", json!({"path": "out.txt"}))], 80),
        answer("The file says hi.", 100),
    ])
    .await;
    let h = Harness::new(&fake, "");
    let (result, events) = h.turn(request("write and read a file")).await;
    let r = result.unwrap();
    assert_eq!(r.text, "The file says hi.");
    assert_eq!((r.usage.input, r.usage.output), (230, 21));
    let roles: Vec<&str> = r.messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(
        roles,
        ["assistant", "tool", "assistant", "tool", "assistant"]
    );
    let first: Value = serde_json::from_str(&r.messages[1].content).unwrap();
    assert_eq!(first["exit_code"], 0);
    assert_eq!(first["output"], "hi hermes-agent sess-1");
    assert_eq!(r.messages[3].content, "1|hi hermes-agent sess-1");
    assert_eq!(r.messages[3].tool_name.as_deref(), Some("read_file"));
    let calls: Value = serde_json::from_str(r.messages[0].tool_calls.as_deref().unwrap()).unwrap();
    assert_eq!(calls[0]["function"]["name"], "terminal");
    assert!(
        matches!(&events[0], TurnEvent::ToolStarted { emoji, label, .. }
        if emoji == "💻" && label.starts_with("`echo hi") && label.ends_with("...`")),
        "{:?}",
        events[0]
    );
    assert!(matches!(
        &events[1],
        TurnEvent::ToolFinished { ok: true, .. }
    ));
    assert!(
        matches!(&events[2], TurnEvent::ToolStarted { emoji, label, .. }
        if emoji == "📄" && label == "read_file"),
        "{:?}",
        events[2]
    );
    // The tool results went back to the model, answering their calls.
    let second = sent(&fake, 1);
    let tool = second.last().unwrap();
    assert_eq!(tool["role"], "tool");
    assert_eq!(tool["tool_call_id"], "call_1");
    assert_eq!(sent(&fake, 2).len(), second.len() + 2);
}

#[tokio::test]
async fn tool_errors_are_fed_back() {
    let fake = Fake::start(vec![
        Reply::json(
            200,
            &json!({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": null, "tool_calls": [
                        {"id": "a", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\": \"missing.txt\"}"}},
                        {"id": "b", "type": "function", "function": {"name": "terminal", "arguments": "{not json"}},
                        {"id": "c", "type": "function", "function": {"name": "teleport", "arguments": "{}"}}
                    ]}}]}),
        ),
        answer("Sorry, that file does not exist.", 10),
    ])
    .await;
    let h = Harness::new(&fake, "");
    let (result, events) = h.turn(request("read missing.txt")).await;
    let r = result.unwrap();
    assert_eq!(r.text, "Sorry, that file does not exist.");
    assert!(
        r.messages[1].content.starts_with("Error: read_file:"),
        "{}",
        r.messages[1].content
    );
    assert!(r.messages[1].content.contains("does not exist"));
    assert!(r.messages[2].content.contains("not valid JSON"));
    assert_eq!(r.messages[3].content, "Error: unknown tool 'teleport'");
    assert!(events.contains(&TurnEvent::ToolFinished {
        id: "a".into(),
        name: "read_file".into(),
        ok: false
    }));
    let back = sent(&fake, 1);
    assert_eq!(
        back.len() - sent(&fake, 0).len(),
        4,
        "one call message, three results"
    );
}

/// Runs a turn in the background, answering its approval question with `choice`.
async fn approve(h: &Harness, req: TurnRequest, choice: ApprovalChoice) -> (TurnResult, TurnEvent) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let agent = h.agent.clone();
    let key = req.session_key.clone();
    let task = tokio::spawn(async move { agent.run(req, tx, CancellationToken::new()).await });
    let asked = loop {
        if let e @ TurnEvent::ApprovalRequested { .. } =
            rx.recv().await.expect("an approval question")
        {
            break e;
        }
    };
    assert!(h.agent.resolve_approval(&key, choice));
    assert!(!h.agent.resolve_approval(&key, choice), "answered once");
    (task.await.unwrap().unwrap(), asked)
}

#[tokio::test]
async fn approval_granted_runs_the_command() {
    let fake = Fake::start(vec![
        calls(
            &[(
                "c1",
                "terminal",
                json!({"command": "rm -rf build && echo gone"}),
            )],
            10,
        ),
        answer("Removed.", 10),
    ])
    .await;
    let h = Harness::new(&fake, "");
    std::fs::create_dir_all(h.work.join("build/x")).unwrap();
    let (r, asked) = approve(&h, request("clean"), ApprovalChoice::Once).await;
    assert_eq!(
        asked,
        TurnEvent::ApprovalRequested {
            id: "c1".into(),
            command: "rm -rf build && echo gone".into(),
            reason: "recursive delete".into()
        }
    );
    assert!(!h.work.join("build").exists());
    assert!(r.messages[1].content.contains("gone"));
}

#[tokio::test]
async fn approval_denied_tells_the_model() {
    let fake = Fake::start(vec![
        calls(
            &[("c1", "terminal", json!({"command": "rm -rf build"}))],
            10,
        ),
        answer("OK, I left it.", 10),
    ])
    .await;
    let h = Harness::new(&fake, "");
    std::fs::create_dir_all(h.work.join("build")).unwrap();
    let (r, _) = approve(&h, request("clean"), ApprovalChoice::Deny).await;
    assert!(h.work.join("build").exists());
    assert!(
        r.messages[1].content.contains("denied by the user"),
        "{}",
        r.messages[1].content
    );
    assert_eq!(r.text, "OK, I left it.");
}

#[tokio::test]
async fn approval_for_session_and_always() {
    let fake = Fake::start(vec![
        calls(&[("c1", "terminal", json!({"command": "rm -rf a"}))], 10),
        answer("done", 10),
        calls(&[("c2", "terminal", json!({"command": "rm -rf b"}))], 10),
        answer("done again", 10),
        calls(
            &[(
                "c3",
                "terminal",
                json!({"command": "dd if=/dev/zero of=z bs=1 count=1"}),
            )],
            10,
        ),
        answer("copied", 10),
    ])
    .await;
    let h = Harness::new(&fake, "");
    for d in ["a", "b"] {
        std::fs::create_dir_all(h.work.join(d)).unwrap();
    }
    approve(&h, request("one"), ApprovalChoice::Session).await;
    // The same pattern in the same session runs without asking.
    let (r, events) = h.turn(request("two")).await;
    assert_eq!(r.unwrap().text, "done again");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, TurnEvent::ApprovalRequested { .. }))
    );
    assert!(!h.work.join("b").exists());
    approve(&h, request("three"), ApprovalChoice::Always).await;
    let config = std::fs::read_to_string(h.paths.config_file()).unwrap();
    assert!(config.contains("command_allowlist"), "{config}");
    assert!(config.contains("disk copy"), "{config}");
}

#[tokio::test]
async fn yolo_skips_approval() {
    let fake = Fake::start(vec![
        calls(
            &[("c1", "terminal", json!({"command": "rm -rf build"}))],
            10,
        ),
        answer("Removed.", 10),
    ])
    .await;
    let h = Harness::new(&fake, "");
    std::fs::create_dir_all(h.work.join("build")).unwrap();
    let req = TurnRequest {
        yolo: true,
        ..request("clean")
    };
    let (r, events) = h.turn(req).await;
    assert_eq!(r.unwrap().text, "Removed.");
    assert!(!h.work.join("build").exists());
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, TurnEvent::ApprovalRequested { .. }))
    );
}

/// Whether a process is gone (or a zombie nobody reaped, which cannot run).
pub(crate) fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

pub(crate) async fn wait_for_pid(file: &Path) -> i32 {
    for _ in 0..200 {
        if let Ok(t) = std::fs::read_to_string(file)
            && let Ok(pid) = t.trim().parse()
        {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the command never wrote its pid");
}

async fn interrupt(command: &str) -> (Harness, Duration, i32, Result<TurnResult, TurnError>) {
    let fake = Fake::start(vec![Reply::json(
        200,
        &json!({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": null, "tool_calls": [
                    {"id": "a", "type": "function", "function": {"name": "terminal", "arguments": json!({"command": command}).to_string()}},
                    {"id": "b", "type": "function", "function": {"name": "write_file", "arguments": "{\"path\": \"after.txt\", \"content\": \"x\"}"}}
                ]}}]}),
    )])
    .await;
    let h = Harness::new(&fake, "");
    let (tx, _rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let agent = h.agent.clone();
    let c = cancel.clone();
    let task = tokio::spawn(async move { agent.run(request("wait"), tx, c).await });
    let pid = wait_for_pid(&h.work.join("pid")).await;
    let started = Instant::now();
    cancel.cancel();
    let result = task.await.unwrap();
    let took = started.elapsed();
    (h, took, pid, result)
}

#[tokio::test]
async fn interrupt_kills_the_running_command() {
    let (h, took, pid, result) = interrupt("echo $$ > pid; exec sleep 30").await;
    assert!(matches!(result, Err(TurnError::Cancelled)), "{result:?}");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert!(gone(pid), "pid {pid} still running");
    assert!(
        !h.work.join("after.txt").exists(),
        "the next tool call was skipped"
    );
}

#[tokio::test]
async fn interrupt_escalates_to_sigkill() {
    // The shell ignores SIGTERM (and its children inherit that), so only SIGKILL ends it.
    let (_h, took, pid, result) =
        interrupt("trap '' TERM; echo $$ > pid; while true; do sleep 0.05; done").await;
    assert!(matches!(result, Err(TurnError::Cancelled)), "{result:?}");
    assert!(
        took >= Duration::from_millis(900),
        "SIGKILL came after the grace: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(gone(pid), "pid {pid} still running");
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let fake = Fake::start(vec![
        error(429, "slow down").header("retry-after", "1"),
        answer("finally", 5),
    ])
    .await;
    let h = Harness::new(&fake, "");
    let started = Instant::now();
    let (result, _) = h.turn(request("hi")).await;
    assert_eq!(result.unwrap().text, "finally");
    assert_eq!(fake.seen().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited as asked"
    );
}

#[tokio::test]
async fn persistent_rate_limit_is_unavailable() {
    let fake = Fake::start(vec![
        error(429, "slow down"),
        error(429, "slow down"),
        error(429, "slow down"),
    ])
    .await;
    let h = Harness::new(&fake, "");
    let (result, _) = h.turn(request("hi")).await;
    match result {
        Err(e @ TurnError::Unavailable { .. }) => {
            assert!(e.is_retryable());
            assert!(e.to_string().contains("rate limiting"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_error_then_success() {
    let fake = Fake::start(vec![error(503, "overloaded"), answer("back", 5)]).await;
    let h = Harness::new(&fake, "");
    let (result, _) = h.turn(request("hi")).await;
    assert_eq!(result.unwrap().text, "back");
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn bad_key_is_a_config_error() {
    let fake = Fake::start(vec![error(401, "invalid api key")]).await;
    let h = Harness::new(&fake, "");
    let (result, _) = h.turn(request("hi")).await;
    match result {
        Err(e @ TurnError::Config { .. }) => {
            assert!(!e.is_retryable());
            assert!(e.to_string().contains("rejected the API key"), "{e}");
            assert!(e.to_string().contains("OPENAI_API_KEY"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.seen().len(), 1, "a bad key is not retried");
}

#[tokio::test]
async fn fallback_provider_answers() {
    let primary = Fake::start(vec![error(500, "down")]).await;
    let backup = Fake::start(vec![answer("from the backup", 5)]).await;
    let chain = ProviderChain::new(Box::new(quick(openai(&primary, "primary"), 1)), "p-model")
        .with_fallback(Box::new(quick(openai(&backup, "backup"), 1)), "b-model");
    let h = Harness::with_provider(Arc::new(chain), "");
    let (result, _) = h.turn(request("hi")).await;
    assert_eq!(result.unwrap().text, "from the backup");
    assert_eq!(backup.seen()[0].body["model"], "b-model");
}

#[tokio::test]
async fn max_turns_forces_an_answer() {
    let fake = Fake::start(vec![
        calls(&[("c1", "terminal", json!({"command": "true"}))], 10),
        calls(&[("c2", "terminal", json!({"command": "true"}))], 10),
        answer("Here is what I have so far.", 10),
    ])
    .await;
    let h = Harness::new(&fake, "agent:\n  max_turns: 2\n");
    let (result, _) = h.turn(request("loop forever")).await;
    let r = result.unwrap();
    assert_eq!(r.text, "Here is what I have so far.");
    assert_eq!(r.finish_reason, "max_turns");
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen[1].body["tools"].is_array());
    assert!(
        seen[2]
            .body
            .get("tools")
            .is_none_or(|t| t.as_array().is_none_or(Vec::is_empty))
    );
    let last = sent(&fake, 2);
    assert!(
        last.last().unwrap()["content"]
            .as_str()
            .unwrap()
            .contains("agent.max_turns")
    );
}

#[tokio::test]
async fn compression_summarises_older_messages() {
    let fake = Fake::start(vec![
        calls(&[("c1", "terminal", json!({"command": "echo step"}))], 900),
        answer("SUMMARY: the user likes tea", 50),
        answer("Done.", 100),
    ])
    .await;
    let h = Harness::new(
        &fake,
        "model:\n  context_length: 1000\ncompression:\n  threshold: 0.5\n  protect_last_n: 2\n",
    );
    let history = vec![
        HistoryMessage::text("user", "oldest question"),
        HistoryMessage::text("assistant", "old answer"),
        HistoryMessage::text("user", "I like tea"),
        HistoryMessage::text("assistant", "noted"),
    ];
    let req = TurnRequest {
        history,
        ..request("go on")
    };
    let (result, _) = h.turn(req).await;
    let r = result.unwrap();
    assert_eq!(r.text, "Done.");
    let summary_req = &fake.seen()[1].body;
    assert!(
        summary_req
            .get("tools")
            .is_none_or(|t| t.as_array().is_none_or(Vec::is_empty))
    );
    let transcript = summary_req["messages"][1]["content"].as_str().unwrap();
    assert!(transcript.contains("oldest question"), "{transcript}");
    let last = sent(&fake, 2);
    let texts: Vec<String> = last.iter().map(|m| m["content"].to_string()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("SUMMARY: the user likes tea"))
    );
    assert!(
        !texts.iter().any(|t| t.contains("oldest question")),
        "{texts:?}"
    );
    assert_eq!(last.len(), 4, "system, summary, the call and its result");
    assert_eq!(r.usage.input, 1050);
    let marker = r
        .messages
        .iter()
        .find_map(compress::parse_marker)
        .expect("a stored summary");
    assert_eq!(marker, (2, "SUMMARY: the user likes tea"));
}

#[tokio::test]
async fn manual_compress_replaces_history() {
    let fake = Fake::start(vec![answer("short summary", 10)]).await;
    let h = Harness::new(&fake, "compression:\n  protect_last_n: 2\n");
    let history: Vec<HistoryMessage> = (0..6)
        .map(|i| {
            HistoryMessage::text(
                if i % 2 == 0 { "user" } else { "assistant" },
                format!("m{i}"),
            )
        })
        .collect();
    let (out, usage) = h
        .agent
        .compress(history, None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(usage.input, 10);
    assert_eq!(out.len(), 3);
    assert_eq!(compress::parse_marker(&out[0]), Some((0, "short summary")));
    assert_eq!(out[1].content, "m4");
    assert_eq!(out[2].content, "m5");
}

#[tokio::test]
async fn background_process_reports_its_end() {
    let fake = Fake::start(vec![
        calls(
            &[(
                "c1",
                "terminal",
                json!({"command": "echo bg-out; exit 3", "background": true}),
            )],
            10,
        ),
        answer("Started it.", 10),
    ])
    .await;
    let (tx, mut notices) = mpsc::unbounded_channel();
    let provider = Arc::new(quick(openai(&fake, "fake"), 1));
    let h = Harness::build(
        provider,
        "display:\n  background_process_notifications: error\n",
        Some(tx),
    );
    let (result, _) = h.turn(request("start it")).await;
    let r = result.unwrap();
    let started: Value = serde_json::from_str(&r.messages[1].content).unwrap();
    let id = started["session_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("proc_"), "{started}");
    let notice = tokio::time::timeout(Duration::from_secs(5), notices.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(notice.session_key, "agent:main:cli:dm:local");
    assert_eq!(notice.process_id, id);
    assert!(notice.text.contains("failed (exit 3)"), "{}", notice.text);
    assert!(notice.text.contains("bg-out"), "{}", notice.text);
}

#[tokio::test]
async fn context_too_long_compresses_and_retries_once() {
    // OpenAI's error object for an over-long prompt (`code: context_length_exceeded`).
    let too_long = || {
        Reply::json(
            400,
            &json!({"error": {
                "message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
                "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}),
        )
    };
    let fake = Fake::start(vec![
        too_long(),
        answer("SUMMARY: earlier chat about tea", 20),
        answer("Here you go.", 30),
    ])
    .await;
    let h = Harness::new(&fake, "compression:\n  protect_last_n: 2\n");
    let history = vec![
        HistoryMessage::text("user", "oldest question"),
        HistoryMessage::text("assistant", "old answer"),
        HistoryMessage::text("user", "I like tea"),
        HistoryMessage::text("assistant", "noted"),
    ];
    let req = TurnRequest {
        history: history.clone(),
        ..request("go on")
    };
    let (result, _) = h.turn(req).await;
    let r = result.unwrap();
    assert_eq!(r.text, "Here you go.");
    assert_eq!(fake.seen().len(), 3);
    let retried = sent(&fake, 2);
    let texts: Vec<String> = retried.iter().map(|m| m["content"].to_string()).collect();
    assert!(
        texts.iter().any(|t| t.contains("SUMMARY: earlier chat")),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("oldest question")),
        "{texts:?}"
    );
    assert!(
        r.messages
            .iter()
            .any(|m| compress::parse_marker(m).is_some())
    );

    // Too long again after compressing: the turn fails with what to do, no endless loop.
    let fake = Fake::start(vec![
        too_long(),
        answer("SUMMARY", 20),
        too_long(),
        answer("never asked", 1),
    ])
    .await;
    let h = Harness::new(&fake, "compression:\n  protect_last_n: 2\n");
    let req = TurnRequest {
        history,
        ..request("go on")
    };
    let (result, _) = h.turn(req).await;
    let err = result.unwrap_err();
    assert!(err.to_string().contains("context"), "{err}");
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn platform_toolsets_decide_what_each_platform_is_offered() {
    let fake = Fake::start(vec![answer("ok", 1), answer("ok", 1)]).await;
    let h = Harness::new(
        &fake,
        "platform_toolsets:\n  telegram: [terminal]\n  discord: [file, web]\ntoolsets: [memory, todo]\n",
    );
    let a = &h.agent;
    assert!(a.offers("telegram", "terminal") && a.offers("telegram", "process"));
    assert!(!a.offers("telegram", "read_file"));
    assert!(a.offers("discord", "read_file") && a.offers("discord", "web_extract"));
    assert!(!a.offers("discord", "terminal"));
    // The CLI takes `toolsets`; a platform not listed gets every core tool.
    assert!(a.offers("cli", "memory") && !a.offers("cli", "terminal"));
    assert!(a.offers("slack", "terminal") && a.offers("slack", "read_file"));
    // What a Telegram turn sends to the model.
    let req = TurnRequest {
        source: hermes::platforms::SessionSource {
            platform: "telegram".into(),
            chat_id: "1".into(),
            ..hermes::platforms::SessionSource::default()
        },
        ..request("hi")
    };
    h.turn(req).await.0.unwrap();
    let body = fake.seen()[0].body.clone();
    let mut names: Vec<&str> = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["process", "terminal"]);
}

#[tokio::test]
async fn a_turns_workdir_is_where_its_commands_run_and_paths_resolve() {
    let fake = Fake::start(vec![
        calls(
            &[(
                "call_1",
                "terminal",
                json!({"command": "pwd; echo job > made.txt"}),
            )],
            10,
        ),
        calls(&[("call_2", "read_file", json!({"path": "made.txt"}))], 10),
        answer("done", 10),
    ])
    .await;
    let h = Harness::new(&fake, "");
    let job_dir = tempfile::tempdir().unwrap();
    let mut req = request("tidy up");
    req.workdir = Some(job_dir.path().to_path_buf());
    let (result, _) = h.turn(req).await;
    let r = result.unwrap();
    let first: Value = serde_json::from_str(&r.messages[1].content).unwrap();
    let pwd =
        std::fs::canonicalize(first["output"].as_str().unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(pwd, std::fs::canonicalize(job_dir.path()).unwrap());
    assert_eq!(r.messages[3].content, "1|job");
    assert!(job_dir.path().join("made.txt").is_file());
    assert!(!h.work.join("made.txt").exists(), "not in terminal.cwd");
}
