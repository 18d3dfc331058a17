//! Home Assistant integration tests against a real Home Assistant (`shared/peers/
//! homeassistant.sh`, with `input_boolean.test_switch`): the agent's `ha_*` tools, the adapter
//! (events in over the websocket API, notifications out over REST, bad tokens, reconnects),
//! and the gateway end to end. The instance is shared, so tests run one at a time.

mod adapter;
mod gateway;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
#[path = "../support/peer.rs"]
mod peer;
mod tools;
mod wizard;

#[path = "../support/adapter_gateway.rs"]
mod adapter_gateway;
pub(crate) use adapter_gateway::Gateway;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use hermes::home::HermesPaths;
use hermes::platforms::homeassistant::{HomeAssistant, HomeAssistantConfig};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, MutexGuard};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// How long a test waits for something that should happen soon.
pub(crate) const WAIT: Duration = Duration::from_secs(30);
/// The entity the peer's configuration defines.
pub(crate) const SWITCH: &str = "input_boolean.test_switch";

/// The instance is shared: one test at a time.
pub(crate) async fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::const_new(());
    SERIAL.lock().await
}

pub(crate) fn ha(key: &str) -> String {
    peer::fact("homeassistant", key)
}

/// Something no other test run uses.
pub(crate) fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag} {nanos}")
}

/// A REST call from the test's side (its own client, not the adapter's).
pub(crate) async fn rest(method: &str, path: &str, body: Option<Value>) -> Value {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", ha("URL"));
    let req = match method {
        "GET" => client.get(url),
        _ => client.post(url).json(&body.unwrap_or_else(|| json!({}))),
    };
    let resp = req.bearer_auth(ha("TOKEN")).send().await.unwrap();
    assert!(
        resp.status().is_success(),
        "{method} {path}: {}",
        resp.status()
    );
    resp.json().await.unwrap()
}

/// The switch's state, read over REST.
pub(crate) async fn switch_state() -> String {
    rest("GET", &format!("/api/states/{SWITCH}"), None).await["state"]
        .as_str()
        .unwrap()
        .to_string()
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn next_json(ws: &mut Ws) -> Value {
    loop {
        if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// Every persistent notification, over the websocket API (they are not states since 2023.6).
pub(crate) async fn notifications() -> Vec<Value> {
    let (mut ws, _) = tokio_tungstenite::connect_async(ha("WEBSOCKET_URL"))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "auth_required");
    ws.send(Message::text(
        json!({"type": "auth", "access_token": ha("TOKEN")}).to_string(),
    ))
    .await
    .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "auth_ok");
    ws.send(Message::text(
        json!({"id": 1, "type": "persistent_notification/get"}).to_string(),
    ))
    .await
    .unwrap();
    loop {
        let v = next_json(&mut ws).await;
        if v["id"] == 1 {
            let _ = ws.close(None).await;
            return v["result"].as_array().cloned().unwrap_or_default();
        }
    }
}

/// A temporary hermes home.
pub(crate) struct Home {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
}

impl Home {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        Self { dir, paths }
    }

    /// Watching the test switch, no cooldown.
    pub(crate) fn config(&self, url: &str, token: &str) -> HomeAssistantConfig {
        let mut c = HomeAssistantConfig::new(token, url);
        c.watch_entities.insert(SWITCH.into());
        c.cooldown = Duration::ZERO;
        c.lock_dir = Some(self.dir.path().join("locks"));
        c
    }

    pub(crate) fn adapter(&self, config: HomeAssistantConfig) -> Arc<HomeAssistant> {
        Arc::new(HomeAssistant::new(
            config,
            &self.paths,
            reqwest::Client::new(),
        ))
    }
}

/// A TCP forwarder in front of Home Assistant that can cut every open connection, as a
/// network drop or a server restart would.
pub(crate) struct Proxy {
    pub(crate) url: String,
    conns: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    pub(crate) async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let conns: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let list = conns.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let up = upstream.clone();
                let h = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(up).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                list.lock().unwrap().push(h);
            }
        });
        Self { url, conns, accept }
    }

    /// Closes every connection made so far.
    pub(crate) fn cut(&self) {
        for h in self.conns.lock().unwrap().drain(..) {
            h.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}
