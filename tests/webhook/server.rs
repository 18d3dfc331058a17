//! The webhook server against real HTTP requests: a stand-in gateway stores every message,
//! a memory platform named `telegram` is the delivery target.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use hermes::cron::{ChatTarget, HomeChannels};
use hermes::home::HermesPaths;
use hermes::platforms::memory::{MemoryHandle, memory_platform};
use hermes::platforms::webhook::signature::github_signature;
use hermes::platforms::webhook::{Route, Targets, Webhook, WebhookConfig};
use hermes::platforms::{
    Capabilities, ChatRef, InboundMessage, OutboundMessage, Platform, PlatformCx,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const SECRET: &str = "route-secret";

struct Running {
    _dir: tempfile::TempDir,
    paths: HermesPaths,
    webhook: Arc<Webhook>,
    base: String,
    received: mpsc::UnboundedReceiver<InboundMessage>,
    target: MemoryHandle,
    cancel: CancellationToken,
    http: reqwest::Client,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn route(name: &str, v: &Value) -> (String, Route) {
    (name.to_string(), Route::from_value(name, v))
}

async fn start(routes: BTreeMap<String, Route>, max_body: usize) -> Running {
    start_limited(routes, max_body, None).await
}

async fn start_limited(
    routes: BTreeMap<String, Route>,
    max_body: usize,
    rate_limit: Option<usize>,
) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
    let mut config = WebhookConfig::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, &paths);
    config.secret = Some("global-secret".into());
    config.routes = routes;
    config.max_body_bytes = max_body;
    if let Some(limit) = rate_limit {
        config.rate_limit = limit;
    }
    let webhook = Arc::new(Webhook::new(config));
    let (platform, target) = memory_platform("telegram", Capabilities::default());
    webhook.bind_targets(Targets {
        outboxes: HashMap::from([(
            "telegram".to_string(),
            (platform.outbox(), platform.capabilities()),
        )]),
        homes: HomeChannels::from_list(vec![ChatTarget {
            platform: "telegram".into(),
            chat_id: "1000".into(),
            thread_id: None,
        }]),
    });
    // A stand-in gateway: every message is stored at once and passed to the test.
    let (inbound_tx, mut inbound_rx) = mpsc::channel(16);
    let (received_tx, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(inbound) = inbound_rx.recv().await {
            let hermes::platforms::Inbound { message, accepted } = inbound;
            let _ = received_tx.send(message);
            let _ = accepted.send(());
        }
    });
    let (status, _status_rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let cx = PlatformCx {
        inbound: inbound_tx,
        cancel: cancel.clone(),
        http: reqwest::Client::new(),
        status,
    };
    let runner = webhook.clone();
    tokio::spawn(async move { runner.run(cx).await });
    let mut addr = None;
    for _ in 0..200 {
        addr = webhook.local_addr();
        if addr.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let base = format!("http://{}", addr.expect("the server bound a port"));
    Running {
        _dir: dir,
        paths,
        webhook,
        base,
        received,
        target,
        cancel,
        http: reqwest::Client::new(),
    }
}

impl Running {
    async fn post(&self, path: &str, body: &[u8], headers: &[(&str, String)]) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn signed(&self, path: &str, secret: &str, body: &Value) -> (u16, Value) {
        let raw = serde_json::to_vec(body).unwrap();
        let sig = github_signature(secret, &raw);
        self.post(path, &raw, &[("X-Hub-Signature-256", sig)]).await
    }

    async fn next(&mut self) -> InboundMessage {
        tokio::time::timeout(Duration::from_secs(10), self.received.recv())
            .await
            .expect("a message reached the gateway")
            .unwrap()
    }
}

fn gh_routes() -> BTreeMap<String, Route> {
    BTreeMap::from([
        route(
            "github",
            &json!({"secret": SECRET, "deliver": "telegram:42",
                "prompt": "PR #{pull_request.number}: {pull_request.title} ({event_type})"}),
        ),
        route(
            "home",
            &json!({"deliver": "telegram", "path": "/hooks/home"}),
        ),
    ])
}

#[tokio::test]
async fn a_valid_signature_is_accepted_rendered_and_the_reply_forwarded() {
    let mut w = start(gh_routes(), 1_048_576).await;
    let body = json!({"pull_request": {"number": 7, "title": "Fix the parser"}});
    let raw = serde_json::to_vec(&body).unwrap();
    let (status, answer) = w
        .post(
            "/webhooks/github",
            &raw,
            &[
                ("X-Hub-Signature-256", github_signature(SECRET, &raw)),
                ("X-GitHub-Event", "pull_request".into()),
                ("X-GitHub-Delivery", "d-1".into()),
            ],
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "accepted");
    assert_eq!(answer["run"], "webhook:github:d-1");
    let m = w.next().await;
    assert_eq!(m.text, "PR #7: Fix the parser (pull_request)");
    assert_eq!(m.source.platform, "webhook");
    assert_eq!(m.source.chat_id, "webhook:github:d-1");
    assert_eq!(m.message_id.as_deref(), Some("d-1"));

    // The gateway answers through the webhook's outbox; it lands in the target chat.
    let outbox = w.webhook.outbox();
    let chat = m.source.chat();
    let mut reply = OutboundMessage::text("Looks good to me");
    reply.reply_to = Some("d-1".into());
    outbox.send(&chat, &reply).await.unwrap();
    let sent = w.target.sent();
    let hermes::platforms::memory::Recorded::Message {
        chat,
        text,
        reply_to,
        ..
    } = &sent[0]
    else {
        panic!("{sent:?}");
    };
    assert_eq!(chat.chat_id, "42");
    assert_eq!(text, "Looks good to me");
    assert_eq!(
        *reply_to, None,
        "the webhook's delivery id means nothing there"
    );

    // The same delivery again (a sender's retry) does not start a second run.
    let (status, answer) = w
        .post(
            "/webhooks/github",
            &raw,
            &[
                ("X-Hub-Signature-256", github_signature(SECRET, &raw)),
                ("X-GitHub-Delivery", "d-1".into()),
            ],
        )
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("duplicate"))
    );

    // A route with a custom path and the global secret, delivering to the home channel.
    let (status, _) = w
        .signed("/hooks/home", "global-secret", &json!({"a": 1}))
        .await;
    assert_eq!(status, 202);
    let m = w.next().await;
    assert!(
        m.text
            .starts_with("Webhook event 'unknown' on route 'home':\n\n```json\n{\n  \"a\": 1\n}"),
        "{}",
        m.text
    );
    w.webhook
        .outbox()
        .send(&m.source.chat(), &OutboundMessage::text("done"))
        .await
        .unwrap();
    assert!(matches!(
        w.target.sent().last(),
        Some(hermes::platforms::memory::Recorded::Message { chat, .. }) if chat.chat_id == "1000"
    ));
}

#[tokio::test]
async fn bad_or_missing_signatures_unknown_routes_and_big_bodies_are_refused() {
    let mut w = start(gh_routes(), 1024).await;
    let raw = br#"{"pull_request": {"number": 1}}"#;
    let (status, answer) = w.post("/webhooks/github", raw, &[]).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("Invalid signature"))
    );
    let (status, _) = w
        .post(
            "/webhooks/github",
            raw,
            &[("X-Hub-Signature-256", github_signature("wrong", raw))],
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = w
        .post(
            "/webhooks/github",
            raw,
            &[("X-Hub-Signature-256", "sha256=zz".into())],
        )
        .await;
    assert_eq!(status, 401);
    let (status, answer) = w.signed("/webhooks/nope", SECRET, &json!({})).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (404, Some("Unknown route: nope"))
    );
    let big = vec![b' '; 2048];
    let (status, answer) = w
        .post(
            "/webhooks/github",
            &big,
            &[("X-Hub-Signature-256", github_signature(SECRET, &big))],
        )
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (413, Some("Payload too large"))
    );
    // The X-Hermes-Signature header (bare hex) works too.
    let sig = github_signature(SECRET, raw);
    let (status, _) = w
        .post(
            "/webhooks/github",
            raw,
            &[(
                "X-Hermes-Signature",
                sig.trim_start_matches("sha256=").to_string(),
            )],
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(w.next().await.text, "PR #1: {pull_request.title} (unknown)");
    assert!(
        w.received.try_recv().is_err(),
        "refused requests reached nobody"
    );
    let health: Value = reqwest::get(format!("{}/health", w.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok", "platform": "webhook"}));
}

#[tokio::test]
async fn the_subscriptions_file_is_hot_reloaded() {
    let mut w = start(BTreeMap::new(), 1_048_576).await;
    let file = w.paths.webhook_subscriptions_file();
    let (status, _) = w.signed("/webhooks/alerts", "s1", &json!({"x": 1})).await;
    assert_eq!(status, 404, "no such route yet");

    let write = |v: Value| {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        hermes::fsutil::write_atomic(&file, &serde_json::to_vec(&v).unwrap(), None).unwrap();
    };
    write(
        json!({"alerts": {"secret": "s1", "prompt": "Alert: {alert.name}",
        "deliver": "telegram:7", "created_at": "2026-01-01T00:00:00Z"},
        "nosecret": {"prompt": "x", "secret": ""}}),
    );
    let (status, _) = w
        .signed(
            "/webhooks/alerts",
            "s1",
            &json!({"alert": {"name": "disk full"}}),
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(w.next().await.text, "Alert: disk full");
    // A route without a secret of its own falls back to the global one.
    let (status, _) = w
        .signed("/webhooks/nosecret", "global-secret", &json!({}))
        .await;
    assert_eq!(status, 202);
    let _ = w.next().await;

    // The secret is rotated in the file: the old one stops working at once.
    write(
        json!({"alerts": {"secret": "s2", "prompt": "Alert v2: {alert.name}", "deliver": "log"}}),
    );
    let (status, _) = w
        .signed("/webhooks/alerts", "s1", &json!({"alert": {"name": "a"}}))
        .await;
    assert_eq!(status, 401);
    let (status, _) = w
        .signed("/webhooks/alerts", "s2", &json!({"alert": {"name": "b"}}))
        .await;
    assert_eq!(status, 202);
    assert_eq!(w.next().await.text, "Alert v2: b");
    let (status, _) = w
        .signed("/webhooks/nosecret", "global-secret", &json!({}))
        .await;
    assert_eq!(status, 404, "removed from the file");

    std::fs::remove_file(&file).unwrap();
    let (status, _) = w.signed("/webhooks/alerts", "s2", &json!({})).await;
    assert_eq!(status, 404);
    // A run resumed after a restart finds its target through the route name.
    let chat = ChatRef {
        platform: "webhook".into(),
        chat_id: "webhook:gone:d-9".into(),
        thread_id: None,
    };
    let err = w
        .webhook
        .outbox()
        .send(&chat, &OutboundMessage::text("x"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no longer exists"), "{err}");
}

/// Over the per-route limit (`extra.rate_limit` per minute) a request gets 429 with a
/// `Retry-After` and reaches nobody; other routes are counted on their own.
#[tokio::test]
async fn a_route_over_its_rate_limit_gets_429_with_retry_after() {
    let mut w = start_limited(gh_routes(), 1_048_576, Some(2)).await;
    let body = json!({"pull_request": {"number": 7, "title": "t"}});
    for _ in 0..2 {
        let (status, _) = w.signed("/webhooks/github", SECRET, &body).await;
        assert_eq!(status, 202);
        w.next().await;
    }
    let raw = serde_json::to_vec(&body).unwrap();
    let resp = w
        .http
        .post(format!("{}/webhooks/github", w.base))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", github_signature(SECRET, &raw))
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["error"], "Rate limit exceeded");
    assert!(
        w.received.try_recv().is_err(),
        "the refused request reached nobody"
    );
    // Another route has its own budget.
    let (status, _) = w
        .signed("/hooks/home", "global-secret", &json!({"x": 1}))
        .await;
    assert_eq!(status, 202);
}
