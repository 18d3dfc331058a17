//! The Weixin adapter against a fake iLink server over loopback: QR login, the durable poll
//! loop, sends, typing, media and the error paths.

mod fake;
mod gateway;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod login;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
mod poll;
mod seed002;
mod send;

use std::sync::Arc;
use std::time::Duration;

use hermes::config::{Env, Settings};
use hermes::home::HermesPaths;
use hermes::platforms::weixin::{Timings, Weixin, WeixinConfig};
use hermes::platforms::{Inbound, Platform, PlatformCx, PlatformError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use fake::Fake;

/// The bot account every test uses.
pub(crate) const ACCOUNT: &str = "bot1@im.bot";
/// The token the fake accepts.
pub(crate) const TOKEN: &str = "tok-good";

/// A temporary home.
pub(crate) struct Home {
    _dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
}

pub(crate) fn home() -> Home {
    let dir = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
    Home { _dir: dir, paths }
}

/// Timings short enough for tests.
pub(crate) fn fast() -> Timings {
    Timings {
        long_poll: Duration::from_secs(3),
        api: Duration::from_secs(3),
        config: Duration::from_secs(3),
        session_pause: Duration::from_millis(200),
        session_expired_limit: 6,
        retry_delay: Duration::from_millis(10),
        backoff_delay: Duration::from_millis(150),
        max_failures: 3,
        chunk_delay: Duration::from_millis(2),
        typing_ticket_ttl: Duration::from_mins(10),
        dedup_ttl: Duration::from_mins(5),
        media_download: Duration::from_secs(3),
    }
}

/// A configuration pointing at `fake`, resolved through `from_env` like the gateway does.
pub(crate) fn config(fake: &Fake, home: &Home, token: &str) -> WeixinConfig {
    let locks = home.paths.home().join("locks");
    let env = Env::from_pairs([
        ("WEIXIN_ACCOUNT_ID", ACCOUNT.to_string()),
        ("WEIXIN_TOKEN", token.to_string()),
        ("WEIXIN_BASE_URL", fake.base_url.clone()),
        ("WEIXIN_CDN_BASE_URL", fake.cdn_url.clone()),
        ("HERMES_GATEWAY_LOCK_DIR", locks.display().to_string()),
    ]);
    let mut c = WeixinConfig::from_env(&env, &Settings::default(), &home.paths).unwrap();
    c.timings = fast();
    // Text batching is off unless a test is about it: one message in, one message out.
    c.text_batch_delay = Duration::ZERO;
    c
}

pub(crate) fn adapter(fake: &Fake, home: &Home) -> Arc<Weixin> {
    Arc::new(Weixin::new(
        config(fake, home, TOKEN),
        reqwest::Client::new(),
    ))
}

/// A running `run` of an adapter, with the gateway's end of the channels.
pub(crate) struct Running {
    pub(crate) rx: mpsc::Receiver<Inbound>,
    pub(crate) cancel: CancellationToken,
    pub(crate) task: JoinHandle<Result<(), PlatformError>>,
    _status: mpsc::UnboundedReceiver<(String, String)>,
}

pub(crate) fn start(w: &Arc<Weixin>) -> Running {
    let (tx, rx) = mpsc::channel(8);
    let (status_tx, status_rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let cx = PlatformCx {
        inbound: tx,
        cancel: cancel.clone(),
        http: reqwest::Client::new(),
        status: status_tx,
    };
    let w = Arc::clone(w);
    let task = tokio::spawn(async move { w.run(cx).await });
    Running {
        rx,
        cancel,
        task,
        _status: status_rx,
    }
}

impl Running {
    /// The next inbound message (5 s at most).
    pub(crate) async fn next(&mut self) -> Inbound {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("an inbound message within 5 s")
            .expect("the adapter is running")
    }

    /// Receives and accepts the next message.
    pub(crate) async fn accept(&mut self) -> hermes::platforms::InboundMessage {
        let m = self.next().await;
        m.accepted.send(()).unwrap();
        m.message
    }

    /// Cancels and returns what `run` returned.
    pub(crate) async fn stop(self) -> Result<(), PlatformError> {
        self.cancel.cancel();
        self.finish().await
    }

    /// Waits for `run` to end on its own.
    pub(crate) async fn finish(self) -> Result<(), PlatformError> {
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("run ends within 5 s")
            .unwrap()
    }
}

/// A text DM from `from` as iLink delivers it.
pub(crate) fn dm(id: u64, from: &str, text: &str, context_token: &str) -> serde_json::Value {
    serde_json::json!({
        "message_id": id,
        "from_user_id": from,
        "to_user_id": ACCOUNT,
        "msg_type": 1,
        "context_token": context_token,
        "item_list": [{"type": 1, "text_item": {"text": text}}],
    })
}
