//! Each tool called as the agent calls it: through the registry, with a real `ToolContext` over a
//! temp directory (and, for `web_extract`, a local HTTP server; for `send_message`, a recording
//! sender).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::agent::config::NotifyMode;

struct Setup {
    dir: tempfile::TempDir,
    cx: ToolContext,
    registry: Registry,
    notices: mpsc::UnboundedReceiver<ProcessNotice>,
}

fn setup(sender: Option<Arc<dyn MessageSender>>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let config = AgentConfig {
        terminal_cwd: dir.path().to_path_buf(),
        ..AgentConfig::default()
    };
    let (tx, notices) = mpsc::unbounded_channel();
    let mut env = BTreeMap::new();
    env.insert("PATH".to_string(), "/usr/bin:/bin".to_string());
    env.insert("HOME".to_string(), dir.path().display().to_string());
    let cx = ToolContext {
        session_id: "s1".into(),
        session_key: "cli:s1".into(),
        source: SessionSource {
            platform: "cli".into(),
            chat_id: "s1".into(),
            ..SessionSource::default()
        },
        paths: HermesPaths::at(&home, dir.path()),
        config: Arc::new(config),
        env: Arc::new(env),
        cancel: CancellationToken::new(),
        processes: Arc::new(Processes::new(NotifyMode::Concise, Some(tx))),
        state: Arc::default(),
    };
    Setup {
        dir,
        cx,
        registry: Registry::core(sender, None),
        notices,
    }
}

impl Setup {
    async fn call(&self, name: &str, args: Value) -> ToolOutput {
        let tool = self.registry.get(name).expect("tool registered").clone();
        tool.call(args, &self.cx).await
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

fn json_of(out: &ToolOutput) -> Value {
    serde_json::from_str(&out.content).unwrap_or_else(|_| panic!("not JSON: {}", out.content))
}

#[tokio::test]
async fn patch_replaces_once_all_or_explains() {
    let s = setup(None);
    std::fs::write(s.path("a.txt"), "one two\ntwo three\n").unwrap();
    // Ambiguous without replace_all.
    let out = s
        .call(
            "patch",
            json!({"path": "a.txt", "old_string": "two", "new_string": "2"}),
        )
        .await;
    assert!(!out.ok, "{}", out.content);
    assert!(out.content.contains('2'), "{}", out.content);
    assert_eq!(
        std::fs::read_to_string(s.path("a.txt")).unwrap(),
        "one two\ntwo three\n"
    );
    let out = s
        .call(
            "patch",
            json!({"path": "a.txt", "old_string": "one two", "new_string": "uno dos"}),
        )
        .await;
    assert!(out.ok, "{}", out.content);
    let out = s
        .call(
            "patch",
            json!({"path": "a.txt", "old_string": "t", "new_string": "T", "replace_all": true}),
        )
        .await;
    assert!(out.ok, "{}", out.content);
    assert_eq!(
        std::fs::read_to_string(s.path("a.txt")).unwrap(),
        "uno dos\nTwo Three\n"
    );
    let out = s
        .call(
            "patch",
            json!({"path": "a.txt", "old_string": "zzz", "new_string": ""}),
        )
        .await;
    assert!(
        !out.ok && out.content.contains("was not found"),
        "{}",
        out.content
    );
    let out = s.call("patch", json!({"path": "a.txt"})).await;
    assert!(
        out.content
            .contains("missing required argument 'old_string'"),
        "{}",
        out.content
    );
}

#[tokio::test]
async fn search_files_by_content_and_name() {
    let s = setup(None);
    std::fs::create_dir_all(s.path("src/node_modules")).unwrap();
    std::fs::write(s.path("src/main.rs"), "fn main() {\n    hello();\n}\n").unwrap();
    std::fs::write(s.path("src/lib.rs"), "pub fn hello() {}\n").unwrap();
    std::fs::write(s.path("src/node_modules/x.rs"), "hello\n").unwrap();
    std::fs::write(s.path("notes.md"), "say hello\n").unwrap();
    let out = s
        .call(
            "search_files",
            json!({"pattern": "hel+o\\(", "path": "src"}),
        )
        .await;
    assert!(out.ok, "{}", out.content);
    assert!(out.content.contains("main.rs"), "{}", out.content);
    assert!(out.content.contains("lib.rs"), "{}", out.content);
    assert!(!out.content.contains("node_modules"), "{}", out.content);
    let out = s
        .call(
            "search_files",
            json!({"pattern": "*.md", "target": "files"}),
        )
        .await;
    assert!(out.content.contains("notes.md"), "{}", out.content);
    assert!(!out.content.contains("main.rs"), "{}", out.content);
    let out = s
        .call("search_files", json!({"pattern": "(unclosed"}))
        .await;
    assert!(!out.ok, "{}", out.content);
    let out = s
        .call("search_files", json!({"pattern": "x", "path": "nowhere"}))
        .await;
    assert!(out.content.contains("does not exist"), "{}", out.content);
}

#[tokio::test]
async fn todo_keeps_a_list_per_session() {
    let s = setup(None);
    let out = s
        .call(
            "todo",
            json!({"todos": [
                {"id": "1", "content": "write tests", "status": "in_progress"},
                {"id": "2", "content": "ship", "status": "pending"}
            ]}),
        )
        .await;
    assert!(out.ok, "{}", out.content);
    let read = s.call("todo", json!({})).await;
    assert!(read.content.contains("write tests"), "{}", read.content);
    assert!(read.content.contains("ship"), "{}", read.content);
    let bad = s.call("todo", json!({"todos": [{"id": "1"}]})).await;
    assert!(!bad.ok, "{}", bad.content);
    // Another session has its own list.
    let mut other = s.cx.clone();
    other.session_id = "s2".into();
    let tool = s.registry.get("todo").unwrap().clone();
    let theirs = tool.call(json!({}), &other).await;
    assert!(
        !theirs.content.contains("write tests"),
        "{}",
        theirs.content
    );
}

#[tokio::test]
async fn process_poll_log_wait_and_kill() {
    let mut s = setup(None);
    let started = s
        .call(
            "terminal",
            json!({"command": "echo line1; echo line2", "background": true}),
        )
        .await;
    let id = json_of(&started)["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let blocker = s
        .call(
            "terminal",
            json!({"command": "echo waiting; exec sleep 30", "background": true}),
        )
        .await;
    let blocker_id = json_of(&blocker)["session_id"]
        .as_str()
        .unwrap()
        .to_string();

    let waited = json_of(
        &s.call("process", json!({"action": "wait", "session_id": id}))
            .await,
    );
    assert_eq!(waited["status"], "exited", "{waited}");
    assert!(
        waited["output"].as_str().unwrap().contains("line2"),
        "{waited}"
    );
    let log = json_of(
        &s.call(
            "process",
            json!({"action": "log", "session_id": id, "limit": 1}),
        )
        .await,
    );
    assert_eq!(log["output"], "line2", "{log}");
    assert_eq!(log["total_lines"], 2, "{log}");
    let polled = json_of(
        &s.call("process", json!({"action": "poll", "session_id": id}))
            .await,
    );
    assert!(
        polled["new_output"].as_str().unwrap().contains("line1"),
        "{polled}"
    );
    let again = json_of(
        &s.call("process", json!({"action": "poll", "session_id": id}))
            .await,
    );
    assert_eq!(again["new_output"], "", "{again}");

    let listed = json_of(&s.call("process", json!({"action": "list"})).await);
    assert_eq!(listed["processes"].as_array().unwrap().len(), 2, "{listed}");
    let killed = s
        .call(
            "process",
            json!({"action": "kill", "session_id": blocker_id}),
        )
        .await;
    assert!(killed.ok, "{}", killed.content);
    let after = json_of(
        &s.call(
            "process",
            json!({"action": "wait", "session_id": blocker_id, "timeout": 5}),
        )
        .await,
    );
    assert_eq!(after["status"], "exited", "{after}");

    let unknown = s
        .call(
            "process",
            json!({"action": "poll", "session_id": "proc_nope"}),
        )
        .await;
    assert!(
        unknown.content.contains("no background process"),
        "{}",
        unknown.content
    );
    // Another session cannot see these processes.
    let mut other = s.cx.clone();
    other.session_key = "cli:other".into();
    let tool = s.registry.get("process").unwrap().clone();
    let theirs = tool
        .call(json!({"action": "poll", "session_id": id}), &other)
        .await;
    assert!(!theirs.ok);

    // Both ends were announced (concise mode: one line each).
    let mut texts = Vec::new();
    while texts.len() < 2 {
        let n = tokio::time::timeout(Duration::from_secs(5), s.notices.recv())
            .await
            .expect("a notice")
            .unwrap();
        assert_eq!(n.session_key, "cli:s1");
        texts.push(n.text);
    }
    assert!(texts.iter().any(|t| t.contains("finished")), "{texts:?}");
}

#[tokio::test]
async fn terminal_timeout_stops_the_command() {
    let s = setup(None);
    let started = Instant::now();
    let out = s
        .call(
            "terminal",
            json!({"command": "echo begun; exec sleep 30", "timeout": 1}),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!out.ok);
    let v = json_of(&out);
    assert_eq!(v["error"], "Command timed out after 1s", "{v}");
    assert!(v["output"].as_str().unwrap().contains("begun"), "{v}");
    let refused = s
        .call("terminal", json!({"command": "true", "timeout": 100_000}))
        .await;
    assert!(
        refused.content.contains("use background=true"),
        "{}",
        refused.content
    );
}

#[tokio::test]
async fn read_file_refuses_devices_fifos_directories_and_huge_files() {
    let s = setup(None);
    for (path, why) in [
        ("/dev/zero", "not a regular file"),
        ("/dev/null", "not a regular file"),
    ] {
        let out = s.call("read_file", json!({"path": path})).await;
        assert!(
            !out.ok && out.content.contains(why),
            "{path}: {}",
            out.content
        );
    }
    let fifo = s.path("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::time::timeout(
        Duration::from_secs(5),
        s.call("read_file", json!({"path": "pipe"})),
    )
    .await
    .expect("a FIFO is refused, not opened");
    assert!(
        out.content.contains("not a regular file"),
        "{}",
        out.content
    );
    let out = s.call("read_file", json!({"path": "."})).await;
    assert!(out.content.contains("is a directory"), "{}", out.content);
    let big = std::fs::File::create(s.path("big.log")).unwrap();
    big.set_len(MAX_TEST_BIG).unwrap();
    let out = s.call("read_file", json!({"path": "big.log"})).await;
    assert!(
        out.content.contains("more than read_file reads"),
        "{}",
        out.content
    );
    std::fs::write(s.path("ok.txt"), "a\nb\n").unwrap();
    let out = s.call("read_file", json!({"path": "ok.txt"})).await;
    assert_eq!(out.content, "1|a\n2|b");
}

/// Bigger than `read_file`'s cap (a sparse file: no disk is used).
const MAX_TEST_BIG: u64 = 64 * 1024 * 1024;

/// Records what `send_message` sends.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<(String, String, String)>>,
}

#[async_trait]
impl MessageSender for Recorder {
    async fn send(
        &self,
        origin: &SessionSource,
        target: &str,
        message: &str,
    ) -> Result<String, String> {
        if target == "nowhere" {
            return Err("no chat matches 'nowhere'".into());
        }
        self.sent.lock().unwrap().push((
            origin.platform.clone(),
            target.to_string(),
            message.to_string(),
        ));
        Ok(format!("sent to {target}"))
    }

    async fn list_targets(&self, _origin: &SessionSource) -> Result<String, String> {
        Ok("telegram (home channel 42)".into())
    }
}

#[tokio::test]
async fn send_message_goes_through_the_sender() {
    let rec = Arc::new(Recorder::default());
    let s = setup(Some(rec.clone()));
    let out = s
        .call(
            "send_message",
            json!({"target": "telegram:42", "message": "build done"}),
        )
        .await;
    assert!(out.ok, "{}", out.content);
    assert!(
        out.content.contains("sent to telegram:42"),
        "{}",
        out.content
    );
    assert_eq!(
        rec.sent.lock().unwrap().clone(),
        [(
            "cli".to_string(),
            "telegram:42".to_string(),
            "build done".to_string()
        )]
    );
    let list = s.call("send_message", json!({"action": "list"})).await;
    assert!(list.content.contains("home channel 42"), "{}", list.content);
    let failed = s
        .call("send_message", json!({"target": "nowhere", "message": "x"}))
        .await;
    assert!(
        !failed.ok && failed.content.contains("no chat matches"),
        "{}",
        failed.content
    );
    let missing = s.call("send_message", json!({"target": "telegram"})).await;
    assert!(!missing.ok, "{}", missing.content);
    assert_eq!(rec.sent.lock().unwrap().len(), 1);
}

/// A one-page HTTP/1.1 server on loopback; returns its base URL.
async fn page_server(content_type: &'static str, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let reply = if request.starts_with("GET /missing") {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn web_extract_fetches_pages_as_text() {
    let s = setup(None);
    let url = page_server(
        "text/html; charset=utf-8",
        "<html><head><title>Release notes</title><script>var x=1;</script></head><body><h1>Version 2</h1><p>Faster &amp; smaller.</p></body></html>",
    )
    .await;
    let out = s
        .call(
            "web_extract",
            json!({"urls": [format!("{url}/notes"), format!("{url}/missing"), "ftp://x/y"]}),
        )
        .await;
    assert!(out.ok, "{}", out.content);
    let v = json_of(&out);
    let r = &v["results"];
    assert_eq!(r[0]["title"], "Release notes", "{v}");
    let text = r[0]["content"].as_str().unwrap();
    assert!(
        text.contains("Version 2") && text.contains("Faster & smaller."),
        "{text}"
    );
    assert!(!text.contains("var x"), "{text}");
    assert!(r[1]["error"].as_str().unwrap().contains("404"), "{v}");
    assert!(r[2]["error"].as_str().unwrap().contains("http"), "{v}");
    let none = s.call("web_extract", json!({})).await;
    assert!(!none.ok);
}

#[tokio::test]
async fn platform_toolsets_choose_the_tools() {
    let s = setup(Some(Arc::new(Recorder::default())));
    let names = |sets: &[&str]| -> Vec<String> {
        let sets: Vec<String> = sets.iter().map(|t| (*t).to_string()).collect();
        s.registry
            .specs_for(&sets)
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    assert_eq!(names(&["terminal"]), ["process", "terminal"]);
    assert_eq!(names(&["web", "todo"]), ["todo", "web_extract"]);
    assert!(names(&["hermes-telegram"]).contains(&"send_message".to_string()));
    assert!(names(&[]).is_empty());
}
