//! `hermes chat` against a scripted OpenAI-compatible server on 127.0.0.1 (plain
//! `chat.completion` JSON answers, one connection per request).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::TestEnv;

/// A server answering each `POST` with the next scripted completion text; it records bodies.
struct FakeModel {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl FakeModel {
    fn start(answers: &[&str]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        let mut script: Vec<String> = answers.iter().map(|s| (*s).to_string()).collect();
        script.reverse();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0u8; len];
                let _ = reader.read_exact(&mut body);
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                let text = script.pop().unwrap_or_else(|| "script exhausted".into());
                let reply = json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 1,
                    "model": "fake-model",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14},
                })
                .to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            }
        });
        Self { url, bodies }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

fn configure(env: &TestEnv, fake: &FakeModel) {
    env.run(["config", "set", "model.provider", "custom"]).ok();
    env.run(["config", "set", "model.base_url", &fake.url]).ok();
    env.run(["config", "set", "model.default", "fake-model"])
        .ok();
}

#[test]
fn one_shot_prints_only_the_answer_and_stores_the_session() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&["Hello from the fake!", "You said hi before."]);
    configure(&env, &fake);
    let r = env.run(["chat", "-q", "hi"]).ok();
    assert_eq!(r.stdout, "Hello from the fake!\n");
    let body = &fake.bodies()[0];
    assert_eq!(body["model"], "fake-model");
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["role"], "system");
    assert_eq!(msgs.last().unwrap()["content"], "hi");

    let list = env.run(["sessions", "list", "--json"]).ok();
    let sessions: Value = serde_json::from_str(&list.stdout).unwrap();
    let first = &sessions.as_array().unwrap()[0];
    assert_eq!(first["source"], "cli", "{first}");
    assert_eq!(first["message_count"], 2, "{first}");

    // `-r latest` continues it: the model sees the earlier exchange.
    let r = env.run(["chat", "-r", "latest", "-q", "again"]).ok();
    assert_eq!(r.stdout, "You said hi before.\n");
    let msgs = fake.bodies()[1]["messages"].as_array().unwrap().clone();
    let texts: Vec<&str> = msgs.iter().filter_map(|m| m["content"].as_str()).collect();
    assert_eq!(texts[1..], ["hi", "Hello from the fake!", "again"]);
    let list = env.run(["sessions", "list", "--json"]).ok();
    let sessions: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1);
}

#[test]
fn bundled_skills_are_installed_on_first_chat() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&["ok"]);
    configure(&env, &fake);
    env.run(["chat", "-q", "hi"]).ok();
    assert!(env.root().join("skills/summarize-url/SKILL.md").exists());
    let system = fake.bodies()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(system.contains("summarize-url"), "{system}");
}

#[test]
fn repl_reads_lines_from_stdin() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&["first answer", "second answer"]);
    configure(&env, &fake);
    let r = env
        .run_with(["chat"], &[], "hello\n/usage\nmore\n/exit\n")
        .ok();
    assert!(r.stdout.contains("first answer\n"), "{r}");
    assert!(r.stdout.contains("second answer\n"), "{r}");
    assert!(r.stdout.contains("input + "), "{r}");
    assert_eq!(fake.bodies().len(), 2);
}

#[test]
fn no_model_configured_is_a_user_error() {
    let env = TestEnv::new();
    let r = env.run(["chat", "-q", "hi"]).code(1);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("no model provider is configured"), "{r}");
    assert!(r.stderr.contains("hint: set a key"), "{r}");
}

#[test]
fn missing_key_names_the_variable() {
    let env = TestEnv::new();
    env.run(["config", "set", "model.provider", "openrouter"])
        .ok();
    env.run(["config", "set", "model.default", "x/y"]).ok();
    let r = env.run(["chat", "-q", "hi"]).code(1);
    assert!(r.stderr.contains("OPENROUTER_API_KEY is not set"), "{r}");
    assert!(
        r.stderr
            .contains("hint: `hermes config set OPENROUTER_API_KEY <key>`"),
        "{r}"
    );
}

#[test]
fn resume_without_sessions_fails_clearly() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&[]);
    configure(&env, &fake);
    let r = env.run(["chat", "-r", "latest", "-q", "hi"]).code(1);
    assert!(
        r.stderr.contains("there is no CLI session to resume"),
        "{r}"
    );
}
