//! The agent loop over either provider: the same scenarios against the scripted `OpenAI`
//! Chat Completions peer (plain `chat.completion` JSON) and the scripted Anthropic Messages peer
//! (SSE streams as in Anthropic's "Streaming Messages" reference: `tool_use` blocks with
//! `input_json_delta`, answered by `tool_result` blocks that carry `is_error` for failures;
//! errors as `{"type": "error", "error": {...}}`, 429 `rate_limit_error` with `retry-after`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hermes::agent::provider::Provider;
use hermes::gateway::turn::{ApprovalChoice, TurnError, TurnEvent, TurnResult, TurnRunner};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::anthropic;
use crate::fake::{Fake, Reply};
use crate::turns::{self, Harness, gone, openai, quick, request, wait_for_pid};

#[derive(Debug, Clone, Copy)]
enum Wire {
    OpenAi,
    Anthropic,
}

/// What the agent sent back for one tool call.
#[derive(Debug)]
struct Sent {
    id: String,
    content: String,
    /// Anthropic's `is_error` (`OpenAI` has no such field: always false there).
    is_error: bool,
}

impl Wire {
    fn harness(self, fake: &Fake) -> Harness {
        let p: Arc<dyn Provider> = match self {
            Self::OpenAi => Arc::new(quick(openai(fake, "fake"), 3)),
            Self::Anthropic => Arc::new(quick(anthropic::provider(fake), 3)),
        };
        Harness::with_provider(p, "")
    }

    fn answer(self, text: &str) -> Reply {
        match self {
            Self::OpenAi => turns::answer(text, 10),
            Self::Anthropic => anthropic::text_stream(&[text]),
        }
    }

    /// A reply calling tools; `args` is the raw JSON text of each call's arguments.
    fn calls(self, list: &[(&str, &str, &str)]) -> Reply {
        match self {
            Self::OpenAi => {
                let calls: Vec<Value> = list
                    .iter()
                    .map(|(id, name, args)| {
                        json!({"id": id, "type": "function",
                               "function": {"name": name, "arguments": args}})
                    })
                    .collect();
                Reply::json(
                    200,
                    &json!({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                            "role": "assistant", "content": null, "tool_calls": calls}}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}),
                )
            }
            Self::Anthropic => {
                let mut parts = vec![anthropic::message_start(10)];
                for (i, (id, name, args)) in (0u64..).zip(list) {
                    parts.push(anthropic::block_start(
                        i,
                        &json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                    ));
                    parts.push(anthropic::delta(
                        i,
                        &json!({"type": "input_json_delta", "partial_json": args}),
                    ));
                    parts.push(anthropic::block_stop(i));
                }
                parts.extend(anthropic::message_end("tool_use", 5));
                Reply::sse(parts)
            }
        }
    }

    fn rate_limited(self, retry_after: &str) -> Reply {
        let body = match self {
            Self::OpenAi => {
                json!({"error": {"message": "slow down", "type": "rate_limit_exceeded"}})
            }
            Self::Anthropic => {
                json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})
            }
        };
        Reply::json(429, &body).header("retry-after", retry_after)
    }

    /// The tool results of the n-th request, in order.
    fn results(self, fake: &Fake, n: usize) -> Vec<Sent> {
        let body = &fake.seen()[n].body;
        let msgs = body["messages"].as_array().cloned().unwrap_or_default();
        match self {
            Self::OpenAi => msgs
                .iter()
                .filter(|m| m["role"] == "tool")
                .map(|m| Sent {
                    id: m["tool_call_id"].as_str().unwrap_or_default().into(),
                    content: m["content"].as_str().unwrap_or_default().into(),
                    is_error: false,
                })
                .collect(),
            Self::Anthropic => msgs
                .iter()
                .filter_map(|m| m["content"].as_array())
                .flatten()
                .filter(|b| b["type"] == "tool_result")
                .map(|b| Sent {
                    id: b["tool_use_id"].as_str().unwrap_or_default().into(),
                    content: b["content"].as_str().unwrap_or_default().into(),
                    is_error: b["is_error"] == true,
                })
                .collect(),
        }
    }
}

const BOTH: [Wire; 2] = [Wire::OpenAi, Wire::Anthropic];

#[tokio::test]
async fn tool_errors_are_fed_back() {
    for wire in BOTH {
        let fake = Fake::start(vec![
            wire.calls(&[
                ("t1", "read_file", r#"{"path": "missing.txt"}"#),
                ("t2", "teleport", "{}"),
                ("t3", "write_file", r#"{"path": "ok.txt", "content": "x"}"#),
            ]),
            wire.answer("That file does not exist."),
        ])
        .await;
        let h = wire.harness(&fake);
        let (result, _) = h.turn(request("read missing.txt")).await;
        assert_eq!(
            result.unwrap().text,
            "That file does not exist.",
            "{wire:?}"
        );
        let sent = wire.results(&fake, 1);
        assert_eq!(sent.len(), 3, "{wire:?}: {sent:?}");
        assert_eq!(sent[0].id, "t1");
        assert!(sent[0].content.starts_with("Error: read_file:"), "{sent:?}");
        assert_eq!(sent[1].content, "Error: unknown tool 'teleport'");
        assert!(h.work.join("ok.txt").exists());
        if matches!(wire, Wire::Anthropic) {
            let flags: Vec<bool> = sent.iter().map(|s| s.is_error).collect();
            assert_eq!(flags, [true, true, false], "{sent:?}");
        }
    }
}

/// Runs a turn, answering its approval question with `choice`.
async fn approve(h: &Harness, choice: ApprovalChoice) -> TurnResult {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let agent = h.agent.clone();
    let req = request("clean");
    let key = req.session_key.clone();
    let task = tokio::spawn(async move { agent.run(req, tx, CancellationToken::new()).await });
    loop {
        if let TurnEvent::ApprovalRequested { reason, .. } =
            rx.recv().await.expect("an approval question")
        {
            assert_eq!(reason, "recursive delete");
            break;
        }
    }
    assert!(h.agent.resolve_approval(&key, choice));
    task.await.unwrap().unwrap()
}

#[tokio::test]
async fn approval_granted_and_denied() {
    for wire in BOTH {
        for (choice, removed) in [(ApprovalChoice::Once, true), (ApprovalChoice::Deny, false)] {
            let fake = Fake::start(vec![
                wire.calls(&[(
                    "c1",
                    "terminal",
                    r#"{"command": "rm -rf build && echo gone"}"#,
                )]),
                wire.answer("ok"),
            ])
            .await;
            let h = wire.harness(&fake);
            std::fs::create_dir_all(h.work.join("build/x")).unwrap();
            let r = approve(&h, choice).await;
            assert_eq!(r.text, "ok");
            assert_eq!(
                !h.work.join("build").exists(),
                removed,
                "{wire:?} {choice:?}"
            );
            let sent = wire.results(&fake, 1);
            if removed {
                assert!(sent[0].content.contains("gone"), "{sent:?}");
            } else {
                assert!(sent[0].content.contains("denied by the user"), "{sent:?}");
                if matches!(wire, Wire::Anthropic) {
                    assert!(sent[0].is_error, "{sent:?}");
                }
            }
        }
    }
}

#[tokio::test]
async fn interrupt_mid_command() {
    for wire in BOTH {
        let fake = Fake::start(vec![wire.calls(&[
            (
                "a",
                "terminal",
                r#"{"command": "echo $$ > pid; exec sleep 30"}"#,
            ),
            (
                "b",
                "write_file",
                r#"{"path": "after.txt", "content": "x"}"#,
            ),
        ])])
        .await;
        let h = wire.harness(&fake);
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
        assert!(
            matches!(result, Err(TurnError::Cancelled)),
            "{wire:?} {result:?}"
        );
        assert!(took < Duration::from_millis(1500), "{wire:?} took {took:?}");
        assert!(gone(pid), "{wire:?}: pid {pid} still running");
        assert!(!h.work.join("after.txt").exists(), "{wire:?}");
    }
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    for wire in BOTH {
        let fake = Fake::start(vec![wire.rate_limited("1"), wire.answer("finally")]).await;
        let h = wire.harness(&fake);
        let started = Instant::now();
        let (result, _) = h.turn(request("hi")).await;
        assert_eq!(result.unwrap().text, "finally", "{wire:?}");
        assert_eq!(fake.seen().len(), 2);
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{wire:?}: waited as asked"
        );
    }
}
