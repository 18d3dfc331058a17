//! A scripted OpenAI-compatible chat completions server for long and streamed replies (the
//! streaming format of the `OpenAI` API reference: `data: {chunk}` lines, a final chunk with
//! `finish_reason`, `data: [DONE]`). Every request is answered with the same scripted text,
//! sent as `pieces` content deltas with `gap` between them, so that a gateway with
//! `streaming.enabled` sees the text grow. Shared by the per-platform `long_reply` tests;
//! `tests/gateway/model.rs` stays the echoing model of the other end-to-end tests.

#![allow(dead_code)] // each platform's test binary uses part of it

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::response::IntoResponse;
use futures_util::StreamExt;

struct Inner {
    answer: String,
    pieces: usize,
    gap: Duration,
    /// The last user message of every request, in order.
    asked: Mutex<Vec<String>>,
}

/// A running model server.
pub(crate) struct LongModel {
    pub(crate) url: String,
    inner: Arc<Inner>,
}

impl LongModel {
    /// Answers every request with `answer`, in `pieces` deltas `gap` apart.
    pub(crate) async fn start(answer: &str, pieces: usize, gap: Duration) -> Self {
        let inner = Arc::new(Inner {
            answer: answer.to_string(),
            pieces: pieces.max(1),
            gap,
            asked: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(chat))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inner }
    }

    /// The last user message of each request so far.
    pub(crate) fn asked(&self) -> Vec<String> {
        self.inner.asked.lock().unwrap().clone()
    }

    /// `model:` for config.yaml, pointing at this server.
    pub(crate) fn config_yaml(&self) -> String {
        format!(
            "model:\n  provider: custom\n  base_url: {}\n  default: test-model\n",
            self.url
        )
    }

    /// [`Self::config_yaml`] with streaming by edits, at most every 0.1 s.
    pub(crate) fn streaming_config_yaml(&self) -> String {
        format!(
            "{}streaming:\n  enabled: true\n  edit_interval: 0.1\n  buffer_threshold: 10\n",
            self.config_yaml()
        )
    }
}

/// Asserts what a streamed preview showed: `first` (as posted, with the cursor) and then
/// each of `edits` are prefixes of `answer` that only grow.
#[allow(dead_code)] // not every suite streams
pub(crate) fn assert_growing_preview(answer: &str, first: &str, edits: &[String]) {
    let mut shown = first.trim_end_matches(" ▉").len();
    assert!(first.ends_with(" ▉") && shown < answer.len(), "{first}");
    assert!(answer.starts_with(first.trim_end_matches(" ▉")), "{first}");
    for t in edits {
        let prefix = t.trim_end_matches(" ▉");
        assert!(answer.starts_with(prefix), "{t}");
        assert!(prefix.len() >= shown, "edits only grow");
        shown = prefix.len();
    }
}

/// Splits `text` into `n` pieces of about equal length, on character boundaries.
pub(crate) fn split_pieces(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(n.max(1)).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// A markdown answer of at least `min_chars` characters: numbered paragraphs, with one fenced
/// code block in the middle that is itself longer than `fence_chars`, so that a chunker working
/// at a limit below that must split inside the fence.
pub(crate) fn long_answer(min_chars: usize, fence_chars: usize) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("Here is the long answer you asked for.\n\n");
    let mut n = 0;
    let paragraph = |text: &mut String, n: &mut usize| {
        *n += 1;
        let _ = write!(
            text,
            "Paragraph {n}: the quick brown fox jumps over the lazy dog, and then it runs \
             back again across the meadow to see whether the dog has noticed anything.\n\n"
        );
    };
    while text.chars().count() < min_chars / 2 {
        paragraph(&mut text, &mut n);
    }
    text.push_str("```rust\n");
    let mut line = 0;
    let start = text.chars().count();
    while text.chars().count() - start < fence_chars {
        line += 1;
        let _ = writeln!(
            text,
            "let value_{line} = compute({line}) * 2; // line {line}"
        );
    }
    text.push_str("```\n\n");
    while text.chars().count() < min_chars {
        paragraph(&mut text, &mut n);
    }
    text.push_str("That is the end of the answer.");
    text
}

/// Whitespace-separated words of `chunks` put back together: where the chunker closed a code
/// fence at the end of one chunk and reopened it at the start of the next (a "```" line, then a
/// "```lang" line), both added lines are dropped, so the words can be compared with the
/// model's answer. The chunker also trims whitespace at chunk ends, hence words.
pub(crate) fn rejoined_words(chunks: &[String]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut these: Vec<String> = chunk.split_whitespace().map(str::to_string).collect();
        if i > 0
            && words.last().is_some_and(|w| w == "```")
            && these
                .first()
                .is_some_and(|w| w.starts_with("```") && w.len() > 3)
        {
            words.pop();
            these.remove(0);
        }
        words.extend(these);
    }
    words
}

/// The words of `text`.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

async fn chat(
    State(inner): State<Arc<Inner>>,
    body: axum::Json<serde_json::Value>,
) -> impl IntoResponse {
    let last_user = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|x| x["role"] == "user"))
        .and_then(|m| {
            m["content"]
                .as_str()
                .map(str::to_string)
                .or_else(|| m["content"][0]["text"].as_str().map(str::to_string))
        })
        .unwrap_or_default();
    inner.asked.lock().unwrap().push(last_user);
    let chunk = |delta: serde_json::Value, finish: Option<&str>| {
        let c = serde_json::json!({"id": "c1", "object": "chat.completion.chunk", "created": 1,
            "model": "test-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        format!("data: {c}\n\n")
    };
    let mut events = vec![chunk(serde_json::json!({"role": "assistant"}), None)];
    for piece in split_pieces(&inner.answer, inner.pieces) {
        events.push(chunk(serde_json::json!({"content": piece}), None));
    }
    let mut last = chunk(serde_json::json!({}), Some("stop"));
    last.push_str("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\ndata: [DONE]\n\n");
    events.push(last);
    let gap = inner.gap;
    // The role chunk goes at once; each content piece (and the end) after `gap`.
    let stream =
        futures_util::stream::iter(events.into_iter().enumerate()).then(move |(i, e)| async move {
            if i > 0 && !gap.is_zero() {
                tokio::time::sleep(gap).await;
            }
            Ok::<_, std::convert::Infallible>(e)
        });
    (
        [("content-type", "text/event-stream")],
        axum::body::Body::from_stream(stream),
    )
}

/// Asserts that `sent`, the texts a peer received in order, is `answer` chunked at `limit`:
/// several messages, none longer than the limit, each with balanced code fences, one of them
/// reopening the fence the previous one closed, exactly the core chunker's split, and together
/// the words of the answer in order.
pub(crate) fn assert_chunked(sent: &[String], answer: &str, limit: usize) {
    assert!(
        sent.len() >= 2,
        "a {}-char answer arrived as {} message(s)",
        answer.chars().count(),
        sent.len()
    );
    for c in sent {
        assert!(c.chars().count() <= limit, "{} chars", c.chars().count());
        assert_eq!(
            c.matches("```").count() % 2,
            0,
            "unbalanced fences in:\n{c}"
        );
    }
    assert!(
        sent.iter().skip(1).any(|c| c.starts_with("```rust\n")),
        "no chunk reopens the code fence: {sent:#?}"
    );
    assert_eq!(
        sent,
        hermes::platforms::chunk::chunk_text(answer, limit).as_slice()
    );
    assert_eq!(rejoined_words(sent), words(answer));
}
