//! `hermes chat` against a scripted OpenAI-compatible server on 127.0.0.1 (plain
//! `chat.completion` JSON answers as in `OpenAI`'s Chat Completions API reference: text in
//! `message.content`, tool calls in `message.tool_calls[]` with JSON-encoded arguments; one
//! connection per request).

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

/// The bearer key a keyed fake wants; a request without it gets `OpenAI`'s 401 error object.
const WANTED_KEY: &str = "sk-local-0123456789";

/// A scripted answer: text.
fn text(t: &str) -> Value {
    json!({"role": "assistant", "content": t})
}

/// A scripted answer: tool calls `(name, arguments)`.
fn tools(list: &[(&str, Value)]) -> Value {
    let calls: Vec<Value> = list
        .iter()
        .enumerate()
        .map(|(i, (name, args))| {
            json!({"id": format!("call_{i}_{name}"), "type": "function",
                   "function": {"name": name, "arguments": args.to_string()}})
        })
        .collect();
    json!({"role": "assistant", "content": null, "tool_calls": calls})
}

impl FakeModel {
    fn start(answers: &[&str]) -> Self {
        Self::script(answers.iter().map(|a| text(a)).collect())
    }

    /// Answers with these assistant messages in turn.
    fn script(answers: Vec<Value>) -> Self {
        Self::serve(answers, false)
    }

    /// Like [`Self::start`], but only for requests bearing [`WANTED_KEY`].
    fn keyed(answers: &[&str]) -> Self {
        Self::serve(answers.iter().map(|a| text(a)).collect(), true)
    }

    fn serve(answers: Vec<Value>, keyed: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        let mut script = answers;
        script.reverse();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut len = 0usize;
                let mut authorized = !keyed;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("authorization:")
                        && line.trim_end().ends_with(&format!("Bearer {WANTED_KEY}"))
                    {
                        authorized = true;
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
                if !authorized {
                    let reply = json!({"error": {"message": "Incorrect API key provided",
                        "type": "invalid_request_error", "code": "invalid_api_key"}})
                    .to_string();
                    let _ = write!(
                        stream,
                        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                    continue;
                }
                let mut message = script.pop().unwrap_or_else(|| text("script exhausted"));
                // `{proc}` in a scripted call stands for the background process id the
                // conversation so far mentions (as a model would copy it from a tool result).
                let raw = String::from_utf8_lossy(&body).to_string();
                let id = raw.match_indices("proc_").find_map(|(at, _)| {
                    let id = raw.get(at..at + 17)?;
                    id[5..]
                        .chars()
                        .all(|c| c.is_ascii_hexdigit())
                        .then(|| id.to_string())
                });
                if let Some(id) = id {
                    message =
                        serde_json::from_str(&message.to_string().replace("{proc}", &id)).unwrap();
                }
                let finish = if message.get("tool_calls").is_some() {
                    "tool_calls"
                } else {
                    "stop"
                };
                let reply = json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 1,
                    "model": "fake-model",
                    "choices": [{"index": 0, "finish_reason": finish, "message": message}],
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

/// The sessions of `hermes sessions list --json`.
fn sessions(env: &TestEnv) -> Vec<Value> {
    let list = env.run(["sessions", "list", "--json"]).ok();
    serde_json::from_str::<Value>(&list.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The `content` texts of the messages the model was sent in request `i` (after the system
/// prompt).
fn sent_texts(fake: &FakeModel, i: usize) -> Vec<String> {
    fake.bodies()[i]["messages"].as_array().unwrap()[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn repl_title_model_undo_retry_insights_and_stop() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&["first answer", "second answer", "retried answer"]);
    configure(&env, &fake);
    let input = "hello\n/title My Chat\n/title\n/model other-model\n/model\nsecond\n/undo\n/retry\n/insights\n/insights x\n/stop\n/exit\n";
    let r = env.run_with(["chat"], &[], input).ok();
    assert!(r.stderr.contains("Title set: My Chat"), "{r}");
    assert!(r.stdout.contains("Title: My Chat\n"), "{r}");
    assert!(
        r.stderr.contains("This session now uses other-model."),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("Model: other-model (configured default: fake-model)"),
        "{r}"
    );
    // The switched model answers the next message.
    assert_eq!(fake.bodies()[1]["model"], "other-model");
    assert_eq!(sent_texts(&fake, 1), ["hello", "first answer", "second"]);
    // /undo dropped "second"; /retry dropped "hello" and sent it again on an empty history.
    assert!(
        r.stderr
            .contains("Removed the last exchange (2 message(s))."),
        "{r}"
    );
    assert_eq!(sent_texts(&fake, 2), ["hello"]);
    assert!(r.stdout.contains("retried answer\n"), "{r}");
    assert!(
        r.stdout
            .contains("Last 7 day(s): 1 session(s), 33 input + 9 output tokens"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("/insights takes a number of days from 1 to 365, not `x`"),
        "{r}"
    );
    assert!(
        r.stderr.contains("No background process is running."),
        "{r}"
    );
    assert_eq!(fake.bodies().len(), 3);

    let all = sessions(&env);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["title"], "My Chat", "{}", all[0]);
    assert_eq!(all[0]["message_count"], 2, "{}", all[0]);
    // `-c NAME` continues the titled session.
    let fake2 = FakeModel::start(&["welcome back"]);
    configure(&env, &fake2);
    env.run(["chat", "-c", "My Chat", "-q", "again"]).ok();
    assert_eq!(sent_texts(&fake2, 0), ["hello", "retried answer", "again"]);
}

#[test]
fn nothing_to_undo_retry_or_compress_in_a_fresh_session() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&[]);
    configure(&env, &fake);
    let r = env
        .run_with(["chat"], &[], "/undo\n/retry\n/compress\n/bogus\n/exit\n")
        .ok();
    assert!(r.stderr.contains("Nothing to undo."), "{r}");
    assert!(r.stderr.contains("Nothing to retry."), "{r}");
    assert!(r.stderr.contains("Nothing to compress yet."), "{r}");
    assert!(r.stderr.contains("unknown command /bogus"), "{r}");
    assert!(fake.bodies().is_empty());
}

#[test]
fn compress_summarises_into_a_child_session() {
    let env = TestEnv::new();
    let fake = FakeModel::start(&["a1", "a2", "a3", "THE SUMMARY", "a4"]);
    configure(&env, &fake);
    env.run(["config", "set", "compression.protect_last_n", "2"])
        .ok();
    let r = env
        .run_with(
            ["chat"],
            &[],
            "q1\n/title Long talk\nq2\nq3\n/compress\nq4\n/exit\n",
        )
        .ok();
    assert!(
        r.stderr
            .contains("Compressed the conversation: 6 messages → 3."),
        "{r}"
    );
    // The summary request carried the older turns.
    let summary_req = serde_json::to_string(&fake.bodies()[3]).unwrap();
    assert!(
        summary_req.contains("q1") && summary_req.contains("a2"),
        "{summary_req}"
    );
    // The next turn sees the summary and the kept messages only.
    let next = sent_texts(&fake, 4);
    assert_eq!(next.len(), 4, "{next:?}");
    assert!(next[0].contains("THE SUMMARY"), "{next:?}");
    assert_eq!(next[1..], ["q3", "a3", "q4"]);
    // The compressed transcript lives in a child session that took the title; the full one
    // stays in the store.
    let all = sessions(&env);
    assert_eq!(all.len(), 2, "{all:?}");
    let child = all.iter().find(|s| s["title"] == "Long talk").unwrap();
    let parent = all.iter().find(|s| s["title"].is_null()).unwrap();
    assert_eq!(child["parent_session_id"], parent["id"], "{all:?}");
    assert_eq!(parent["message_count"], 6, "{all:?}");
    assert_eq!(child["message_count"], 5, "{all:?}");
}

/// Two terminal calls, then a `read_file` call, then an answer.
fn tool_script() -> Vec<Value> {
    vec![
        tools(&[("terminal", json!({"command": "ls -la"}))]),
        tools(&[("terminal", json!({"command": "echo hi"}))]),
        tools(&[("read_file", json!({"path": "notes.md"}))]),
        text("done"),
    ]
}

#[test]
fn tool_progress_follows_display_tool_progress() {
    for (mode, expected) in [
        (
            "all",
            vec!["💻 `ls -la`...", "💻 `echo hi`...", "📄 read_file..."],
        ),
        ("new", vec!["💻 `ls -la`...", "📄 read_file..."]),
        (
            "verbose",
            vec![
                "💻 `ls -la`...",
                "💻 `echo hi`...",
                r#"📄 read_file({"path":"notes.md"})..."#,
            ],
        ),
        ("off", vec![]),
    ] {
        let env = TestEnv::new();
        let fake = FakeModel::script(tool_script());
        configure(&env, &fake);
        env.run(["config", "set", "display.tool_progress", mode])
            .ok();
        let r = env.run(["chat", "-q", "look around"]).ok();
        assert_eq!(r.stdout, "done\n", "{r}");
        let lines: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("💻") || l.starts_with("📄"))
            .collect();
        assert_eq!(lines, expected, "mode {mode}\n{r}");
    }
}

#[test]
fn one_shot_refuses_dangerous_commands_and_says_why() {
    let env = TestEnv::new();
    let fake = FakeModel::script(vec![
        tools(&[("terminal", json!({"command": "rm -rf ./victim"}))]),
        text("I could not do that."),
    ]);
    configure(&env, &fake);
    let victim = env.home().parent().unwrap().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    let r = env.run(["chat", "-q", "clean up"]).ok();
    assert_eq!(r.stdout, "I could not do that.\n");
    assert!(r.stderr.contains("Did not run a dangerous command"), "{r}");
    assert!(victim.exists());
    let result = sent_texts(&fake, 1).last().unwrap().clone();
    assert!(result.contains("non-interactive run"), "{result}");
    assert!(!result.contains("denied by the user"), "{result}");
}

#[test]
fn chat_has_the_gateway_tools_and_prints_process_notices() {
    let env = TestEnv::new();
    let fake = FakeModel::script(vec![
        tools(&[(
            "terminal",
            json!({"command": "echo built", "background": true}),
        )]),
        tools(&[("process", json!({"action": "wait", "session_id": "{proc}"}))]),
        tools(&[("cronjob", json!({"action": "list"}))]),
        tools(&[(
            "send_message",
            json!({"target": "telegram", "message": "hi"}),
        )]),
        text("all done"),
    ]);
    configure(&env, &fake);
    let r = env.run(["chat", "-q", "build it"]).ok();
    assert_eq!(r.stdout, "all done\n");
    let offered: Vec<String> = fake.bodies()[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap().to_string())
        .collect();
    for name in ["send_message", "cronjob", "terminal", "process"] {
        assert!(offered.contains(&name.to_string()), "{name}: {offered:?}");
    }
    assert!(
        r.stderr.contains("✅ Background process proc_")
            && r.stderr.contains("finished: `echo built`"),
        "{r}"
    );
    let texts = sent_texts(&fake, 3);
    assert!(texts.last().unwrap().contains("\"jobs\":[]"), "{texts:?}");
    // No platform is configured: the model hears why the message was not sent.
    let texts = sent_texts(&fake, 4);
    assert!(texts.last().unwrap().starts_with("Error:"), "{texts:?}");

    // `display.background_process_notifications: off` silences them.
    let env = TestEnv::new();
    let fake = FakeModel::script(vec![
        tools(&[(
            "terminal",
            json!({"command": "echo built", "background": true}),
        )]),
        tools(&[("process", json!({"action": "wait", "session_id": "{proc}"}))]),
        text("all done"),
    ]);
    configure(&env, &fake);
    env.run([
        "config",
        "set",
        "display.background_process_notifications",
        "off",
    ])
    .ok();
    let r = env.run(["chat", "-q", "build it"]).ok();
    assert!(!r.stderr.contains("Background process"), "{r}");
}

#[test]
fn a_custom_endpoint_takes_model_api_key() {
    let env = TestEnv::new();
    let fake = FakeModel::keyed(&["keyed hello"]);
    configure(&env, &fake);
    // Without a key the 401 says what to set; cloud keys are not sent to this host.
    let r = env
        .run_with(
            ["chat", "-q", "hi"],
            &[("OPENAI_API_KEY", "sk-cloud-should-stay-home")],
            "",
        )
        .code(1);
    assert!(r.stderr.contains("no key was sent"), "{r}");
    assert!(r.stderr.contains("hermes config set model.api_key"), "{r}");
    let set = env.run(["config", "set", "model.api_key", WANTED_KEY]).ok();
    assert!(!set.stderr.contains("does not use"), "{set}");
    let r = env.run(["chat", "-q", "hi"]).ok();
    assert_eq!(r.stdout, "keyed hello\n");
}

#[test]
fn stop_ends_the_sessions_background_processes() {
    let env = TestEnv::new();
    let fake = FakeModel::script(vec![
        tools(&[(
            "terminal",
            json!({"command": "echo $$ > server.pid; exec sleep 30", "background": true}),
        )]),
        // The turn ends only once the server wrote its pid (under load, /stop could otherwise
        // end it before it did).
        tools(&[(
            "terminal",
            json!({"command": "for i in $(seq 200); do [ -s server.pid ] && break; sleep 0.05; done"}),
        )]),
        text("started the server"),
    ]);
    configure(&env, &fake);
    let r = env
        .run_with(["chat"], &[], "start a server\n/stop\n/exit\n")
        .ok();
    assert!(r.stdout.contains("started the server"), "{r}");
    assert!(
        r.stderr.contains("Stopping 1 background process(es)."),
        "{r}"
    );
    let pid: i32 = std::fs::read_to_string(env.home().parent().unwrap().join("server.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SIGTERM ends `sleep` at once; the stopped process is gone (or an unreaped zombie).
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(')').next().unwrap_or_default().trim_start();
    assert!(
        stat.is_empty() || state.starts_with('Z'),
        "pid {pid}: {stat}"
    );
}
