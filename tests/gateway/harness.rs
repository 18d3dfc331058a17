//! A gateway under test: temp home, memory platform "telegram", scripted `TurnRunner`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hermes::config::{Env, Settings};
use hermes::gateway::runtime::{self, Deps, Exit, Options};
use hermes::gateway::state::StateFile;
use hermes::gateway::turn::{
    ApprovalChoice, TurnError, TurnEvent, TurnRequest, TurnResult, TurnRunner,
};
use hermes::home::HermesPaths;
use hermes::platforms::memory::{MemoryHandle, memory_platform};
use hermes::platforms::{Capabilities, ChatType, InboundMessage, SessionSource};
use hermes::store::{Clock, Store, SystemClock};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What the scripted agent does with a request.
pub(crate) type Script = dyn Fn(&TurnRequest, u32) -> Result<String, TurnError> + Send + Sync;

/// A scripted agent: answers after `delay` (cancellable) with what `script` says.
pub(crate) struct Scripted {
    pub(crate) delay: Mutex<Duration>,
    pub(crate) script: Box<Script>,
    pub(crate) calls: Mutex<Vec<TurnRequest>>,
    pub(crate) cancelled: AtomicBool,
    /// Steering messages taken by the turns (busy mode `steer`).
    pub(crate) steered: Mutex<Vec<String>>,
    /// How long a cancelled turn takes to stop.
    pub(crate) cancel_delay: Mutex<Duration>,
    /// Streams the answer as text deltas of this many characters, this far apart.
    pub(crate) stream: Mutex<Option<(usize, Duration)>>,
}

impl Scripted {
    pub(crate) fn new(
        script: impl Fn(&TurnRequest, u32) -> Result<String, TurnError> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            delay: Mutex::new(Duration::ZERO),
            script: Box::new(script),
            calls: Mutex::new(Vec::new()),
            cancelled: AtomicBool::new(false),
            steered: Mutex::new(Vec::new()),
            cancel_delay: Mutex::new(Duration::ZERO),
            stream: Mutex::new(None),
        })
    }

    /// Answers `echo: <input>`.
    pub(crate) fn echo() -> Arc<Self> {
        Self::new(|r, _| Ok(format!("echo: {}", r.input)))
    }

    pub(crate) fn set_delay(&self, d: Duration) {
        *self.delay.lock().unwrap() = d;
    }

    pub(crate) fn inputs(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.input.clone())
            .collect()
    }
}

#[async_trait::async_trait]
impl TurnRunner for Scripted {
    async fn run(
        &self,
        request: TurnRequest,
        events: mpsc::UnboundedSender<TurnEvent>,
        cancel: CancellationToken,
    ) -> Result<TurnResult, TurnError> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(request.clone());
            u32::try_from(calls.len()).unwrap()
        };
        let _ = events.send(TurnEvent::ToolStarted {
            id: "1".into(),
            name: "terminal".into(),
            emoji: "💻".into(),
            label: "`ls -la`".into(),
        });
        let delay = *self.delay.lock().unwrap();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cancel.cancelled() => {
                // Like a real agent stopping its tools (SIGTERM, grace), cancelling takes time.
                let wind_down = *self.cancel_delay.lock().unwrap();
                tokio::time::sleep(wind_down).await;
                self.cancelled.store(true, Ordering::SeqCst);
                return Err(TurnError::Cancelled);
            }
        }
        self.steered.lock().unwrap().extend(request.steer.take());
        let text = (self.script)(&request, n)?;
        let stream = *self.stream.lock().unwrap();
        if let Some((size, gap)) = stream {
            let chars: Vec<char> = text.chars().collect();
            for piece in chars.chunks(size) {
                let _ = events.send(TurnEvent::TextDelta(piece.iter().collect()));
                tokio::time::sleep(gap).await;
            }
        }
        Ok(TurnResult {
            messages: vec![hermes::gateway::turn::HistoryMessage::text(
                "assistant",
                text.clone(),
            )],
            text,
            usage: hermes::gateway::turn::TokenUsage {
                input: 10,
                output: 5,
            },
            model: "scripted".into(),
            finish_reason: "stop".into(),
        })
    }

    fn resolve_approval(&self, _session_key: &str, _choice: ApprovalChoice) -> bool {
        false
    }
}

/// A running gateway.
pub(crate) struct Gw {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
    pub(crate) handle: MemoryHandle,
    pub(crate) runner: Arc<Scripted>,
    pub(crate) cancel: CancellationToken,
    pub(crate) restart: Arc<AtomicBool>,
    pub(crate) task: Option<tokio::task::JoinHandle<Exit>>,
    pub(crate) store: Arc<Store>,
}

/// Settings from a config.yaml text.
pub(crate) fn settings(yaml: &str, env: &Env) -> Settings {
    let doc: serde_yaml_ng::Value = if yaml.trim().is_empty() {
        serde_yaml_ng::Value::Mapping(serde_yaml_ng::Mapping::default())
    } else {
        serde_yaml_ng::from_str(yaml).unwrap()
    };
    Settings::resolve(&doc, env).unwrap()
}

pub(crate) fn caps() -> Capabilities {
    Capabilities {
        max_message_length: 200,
        edits: true,
        threads: false,
        reactions: false,
        typing: true,
        files: false,
    }
}

pub(crate) fn fast_options() -> Options {
    Options {
        poll: Duration::from_millis(20),
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(200),
        typing_every: Duration::from_millis(500),
        drain: Duration::from_secs(2),
        ..Options::default()
    }
}

impl Gw {
    /// Starts a gateway with `env` pairs and a config.yaml.
    pub(crate) fn start(env_pairs: &[(&str, &str)], yaml: &str, runner: Arc<Scripted>) -> Self {
        Self::start_in(
            tempfile::tempdir().unwrap(),
            env_pairs,
            yaml,
            runner,
            Arc::new(SystemClock),
        )
    }

    pub(crate) fn start_in(
        dir: tempfile::TempDir,
        env_pairs: &[(&str, &str)],
        yaml: &str,
        runner: Arc<Scripted>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::start_with(dir, env_pairs, yaml, runner, clock, caps())
    }

    /// Starts a gateway whose platform has the capabilities `caps`.
    pub(crate) fn start_with(
        dir: tempfile::TempDir,
        env_pairs: &[(&str, &str)],
        yaml: &str,
        runner: Arc<Scripted>,
        clock: Arc<dyn Clock>,
        caps: Capabilities,
    ) -> Self {
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        std::fs::create_dir_all(paths.home()).unwrap();
        let env = Env::from_pairs(
            env_pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let settings = settings(yaml, &env);
        let store = Arc::new(Store::open_with_clock(&paths.state_db(), clock).unwrap());
        let (platform, handle) = memory_platform("telegram", caps);
        let state = Arc::new(StateFile::new(
            &paths,
            hermes::gateway::lock::own_record(&paths, &[]),
        ));
        let deps = Deps {
            paths: paths.clone(),
            settings,
            env,
            platforms: vec![Arc::new(platform)],
            runner: runner.clone(),
            store: store.clone(),
            state,
            options: fast_options(),
            process_notices: None,
        };
        let cancel = CancellationToken::new();
        let restart = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(runtime::run(deps, cancel.clone(), restart.clone()));
        Self {
            dir,
            paths,
            handle,
            runner,
            cancel,
            restart,
            task: Some(task),
            store,
        }
    }

    /// Stops the gateway and returns how it ended, keeping the temp dir.
    pub(crate) async fn stop(&mut self) -> Exit {
        self.cancel.cancel();
        self.task.take().unwrap().await.unwrap()
    }

    /// Waits until some sent text contains `needle`.
    pub(crate) async fn wait_text(&self, needle: &str) -> bool {
        self.handle
            .wait_for(Duration::from_secs(5), |sent| {
                sent.iter().any(|s| matches!(s, hermes::platforms::memory::Recorded::Message { text, .. } if text.contains(needle)))
            })
            .await
    }
}

/// A DM from `user` saying `text`.
pub(crate) fn dm(user: &str, text: &str, id: &str) -> InboundMessage {
    InboundMessage {
        source: SessionSource {
            platform: "telegram".into(),
            chat_id: user.into(),
            chat_type: ChatType::Dm,
            user_id: Some(user.into()),
            user_name: Some(format!("user{user}")),
            ..SessionSource::default()
        },
        text: text.into(),
        message_id: Some(id.into()),
        ..InboundMessage::default()
    }
}

/// A group message.
pub(crate) fn group(chat: &str, user: &str, text: &str, id: &str) -> InboundMessage {
    let mut m = dm(user, text, id);
    m.source.chat_id = chat.into();
    m.source.chat_type = ChatType::Group;
    m
}
