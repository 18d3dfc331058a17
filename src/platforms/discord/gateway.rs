//! One Discord gateway websocket connection: Hello, the heartbeat with ACK tracking (a missed
//! ACK means a zombie connection), and the close codes. A reader, a writer and a heartbeat task
//! run beside the adapter's loop, so slow message handling never starves the heartbeat.
//! What to do with dispatches (and sessions across connections) is the adapter's.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::config::Timings;
use super::rest::PLATFORM;
use crate::backoff;
use crate::platforms::PlatformError;

/// `GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT`.
pub const INTENTS: u64 = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15);

/// Opcodes we send or read.
pub(crate) mod op {
    pub(crate) const DISPATCH: u64 = 0;
    pub(crate) const HEARTBEAT: u64 = 1;
    pub(crate) const IDENTIFY: u64 = 2;
    pub(crate) const RESUME: u64 = 6;
    pub(crate) const RECONNECT: u64 = 7;
    pub(crate) const INVALID_SESSION: u64 = 9;
    pub(crate) const HELLO: u64 = 10;
    pub(crate) const HEARTBEAT_ACK: u64 = 11;
}

/// What the connection's tasks hand the adapter's loop.
#[derive(Debug)]
pub(crate) enum Event {
    /// A gateway payload other than heartbeat traffic.
    Payload(Value),
    /// The server closed the socket with this code and reason.
    Closed(Option<u16>, String),
    /// The socket failed without a close frame (a drop).
    Dropped(String),
    /// No heartbeat ACK came back: the connection is a zombie.
    Zombie,
}

/// What a close code asks for.
#[derive(Debug)]
pub(crate) enum CloseAction {
    /// Reconnect and resume the session.
    Resume,
    /// Start a new session (identify again).
    Reidentify,
    /// Stop: the adapter cannot continue.
    Fail(PlatformError),
}

/// Maps a gateway close code to what happens next.
pub(crate) fn close_action(code: Option<u16>, reason: &str) -> CloseAction {
    let platform = PLATFORM.to_string();
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    match code {
        Some(4004) => CloseAction::Fail(PlatformError::Unauthorized {
            platform,
            message: format!(
                "Discord rejected the bot token (gateway close 4004, authentication failed{reason}); check DISCORD_BOT_TOKEN in the Developer Portal"
            ),
        }),
        Some(4013) => CloseAction::Fail(PlatformError::Fatal {
            platform,
            message: format!(
                "Discord rejected the gateway intents (close 4013, invalid intents{reason})"
            ),
            code: "discord_invalid_intents".into(),
        }),
        Some(4014) => CloseAction::Fail(PlatformError::Fatal {
            platform,
            message: format!(
                "Discord refused a privileged intent (close 4014, disallowed intents{reason}). Enable the Message Content intent: Discord Developer Portal → your application → Bot → Privileged Gateway Intents → MESSAGE CONTENT INTENT, then restart the gateway"
            ),
            code: "discord_disallowed_intents".into(),
        }),
        Some(c @ (4010..=4012)) => CloseAction::Fail(PlatformError::Fatal {
            platform,
            message: format!("Discord closed the gateway with {c}{reason}"),
            code: format!("discord_gateway_{c}"),
        }),
        Some(4007 | 4009) => CloseAction::Reidentify,
        _ => CloseAction::Resume,
    }
}

/// The Identify payload.
pub(crate) fn identify(token: &str) -> Value {
    json!({"op": op::IDENTIFY, "d": {
        "token": token,
        "intents": INTENTS,
        "properties": {"os": std::env::consts::OS, "browser": "hermes", "device": "hermes"},
    }})
}

/// The Resume payload.
pub(crate) fn resume(token: &str, session_id: &str, seq: u64) -> Value {
    json!({"op": op::RESUME, "d": {"token": token, "session_id": session_id, "seq": seq}})
}

fn heartbeat(seq: &AtomicU64) -> Message {
    let s = seq.load(Ordering::SeqCst);
    let d = if s == 0 { Value::Null } else { json!(s) };
    Message::text(json!({"op": op::HEARTBEAT, "d": d}).to_string())
}

/// `?v=10&encoding=json` on a gateway URL.
fn with_query(url: &str) -> String {
    if url.contains('?') {
        url.to_string()
    } else {
        format!("{}/?v=10&encoding=json", url.trim_end_matches('/'))
    }
}

fn transient(message: String) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message,
    }
}

/// A live gateway connection.
pub(crate) struct Connection {
    out: mpsc::UnboundedSender<Message>,
    events: mpsc::UnboundedReceiver<Event>,
    /// The last processed sequence number (0: none), sent with heartbeats.
    pub(crate) seq: Arc<AtomicU64>,
    /// The reader and the heartbeat (aborted on drop).
    tasks: JoinSet<()>,
    /// Ends on its own once the close frame is written or every sender is gone.
    writer: tokio::task::JoinHandle<()>,
}

impl Connection {
    /// Connects (through `proxy` with `CONNECT` when given), waits for Hello and starts the
    /// heartbeat.
    pub(crate) async fn open(
        url: &str,
        timings: &Timings,
        proxy: Option<&reqwest::Url>,
    ) -> Result<Self, PlatformError> {
        let target = with_query(url);
        let timed_out = |_| transient("timed out connecting to the Discord gateway".into());
        let failed = |e: tokio_tungstenite::tungstenite::Error| {
            transient(format!("cannot connect to the Discord gateway: {e}"))
        };
        match proxy {
            None => {
                let (ws, _) = tokio::time::timeout(
                    timings.connect,
                    tokio_tungstenite::connect_async(target.as_str()),
                )
                .await
                .map_err(timed_out)?
                .map_err(failed)?;
                Self::start(ws, timings).await
            }
            Some(p) => {
                let parsed = reqwest::Url::parse(&target)
                    .map_err(|e| transient(format!("bad gateway URL {target}: {e}")))?;
                let host = parsed.host_str().unwrap_or_default().to_string();
                let port = parsed.port_or_known_default().unwrap_or(443);
                let (ws, _) = tokio::time::timeout(timings.connect, async {
                    let io = crate::platforms::proxy::tunnel(p, &host, port)
                        .await
                        .map_err(transient)?;
                    tokio_tungstenite::client_async_tls(target.as_str(), io)
                        .await
                        .map_err(failed)
                })
                .await
                .map_err(timed_out)??;
                Self::start(ws, timings).await
            }
        }
    }

    async fn start<S>(
        ws: tokio_tungstenite::WebSocketStream<S>,
        timings: &Timings,
    ) -> Result<Self, PlatformError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (ev_tx, mut events) = mpsc::unbounded_channel::<Event>();
        let acked = Arc::new(AtomicBool::new(true));
        let seq = Arc::new(AtomicU64::new(0));
        let mut tasks = JoinSet::new();
        let writer = tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                let closing = matches!(m, Message::Close(_));
                if sink.send(m).await.is_err() || closing {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        {
            let acked = acked.clone();
            let seq = seq.clone();
            let out = out.clone();
            let ev_tx = ev_tx.clone();
            tasks.spawn(async move {
                let end = loop {
                    let text = match stream.next().await {
                        Some(Ok(Message::Text(t))) => t.to_string(),
                        Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                        Some(Ok(Message::Close(frame))) => {
                            break frame.map_or(Event::Closed(None, String::new()), |f| {
                                Event::Closed(Some(u16::from(f.code)), f.reason.to_string())
                            });
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => break Event::Dropped(e.to_string()),
                        None => break Event::Dropped("the connection ended".into()),
                    };
                    let Ok(payload) = serde_json::from_str::<Value>(&text) else {
                        continue;
                    };
                    match payload.get("op").and_then(Value::as_u64) {
                        Some(op::HEARTBEAT_ACK) => acked.store(true, Ordering::SeqCst),
                        Some(op::HEARTBEAT) => {
                            let _ = out.send(heartbeat(&seq));
                        }
                        _ => {
                            if ev_tx.send(Event::Payload(payload)).is_err() {
                                return;
                            }
                        }
                    }
                };
                let _ = ev_tx.send(end);
            });
        }
        let hello = tokio::time::timeout(timings.hello, events.recv())
            .await
            .map_err(|_| transient("no Hello from the Discord gateway".into()))?;
        let interval = match hello {
            Some(Event::Payload(p)) if p.get("op").and_then(Value::as_u64) == Some(op::HELLO) => p
                .pointer("/d/heartbeat_interval")
                .and_then(Value::as_u64)
                .map_or(Duration::from_secs(41), Duration::from_millis),
            Some(Event::Closed(code, reason)) => {
                return Err(match close_action(code, &reason) {
                    CloseAction::Fail(e) => e,
                    _ => transient(format!("the gateway closed before Hello ({code:?})")),
                });
            }
            other => return Err(transient(format!("expected Hello, got {other:?}"))),
        };
        {
            let out = out.clone();
            let seq = seq.clone();
            tasks.spawn(async move {
                // The first beat comes after a random fraction of the interval, as Discord asks.
                tokio::time::sleep(interval.mul_f64(backoff::random_unit())).await;
                loop {
                    if !acked.swap(false, Ordering::SeqCst) {
                        let _ = ev_tx.send(Event::Zombie);
                        return;
                    }
                    if out.send(heartbeat(&seq)).is_err() {
                        return;
                    }
                    tokio::time::sleep(interval).await;
                }
            });
        }
        Ok(Self {
            out,
            events,
            seq,
            tasks,
            writer,
        })
    }

    /// Queues a payload.
    pub(crate) fn send(&self, payload: &Value) {
        let _ = self.out.send(Message::text(payload.to_string()));
    }

    /// The next event; `None` once every task has ended.
    pub(crate) async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Closes with `code` (1000 ends the session; other codes keep it resumable) and stops
    /// the tasks.
    pub(crate) async fn close(mut self, code: u16) {
        let _ = self.out.send(Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        })));
        // Give the writer a moment to put the close frame on the wire.
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut self.writer).await;
        self.writer.abort();
        self.tasks.abort_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_and_close_codes() {
        assert_eq!(INTENTS, 37377);
        assert!(matches!(
            close_action(Some(4004), ""),
            CloseAction::Fail(PlatformError::Unauthorized { .. })
        ));
        match close_action(Some(4014), "Disallowed intent(s).") {
            CloseAction::Fail(e) => {
                assert_eq!(e.code(), "discord_disallowed_intents");
                assert!(e.to_string().contains("MESSAGE CONTENT INTENT"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            close_action(Some(4013), ""),
            CloseAction::Fail(PlatformError::Fatal { .. })
        ));
        assert!(matches!(
            close_action(Some(4009), ""),
            CloseAction::Reidentify
        ));
        assert!(matches!(close_action(Some(4000), ""), CloseAction::Resume));
        assert!(matches!(close_action(None, ""), CloseAction::Resume));
        assert_eq!(
            with_query("wss://gateway.discord.gg"),
            "wss://gateway.discord.gg/?v=10&encoding=json"
        );
        assert_eq!(
            resume("t", "s1", 7)["d"],
            json!({"token": "t", "session_id": "s1", "seq": 7})
        );
        assert_eq!(identify("t")["d"]["intents"], json!(37377));
    }
}
