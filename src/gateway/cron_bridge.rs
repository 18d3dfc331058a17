//! Cron inside the gateway: the agent runs agent jobs, the running adapters deliver, and a
//! ticker fires due jobs every 60 s (the same `cron::tick` as `hermes cron tick`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::runtime::deliver_text;
use super::turn::{TurnError, TurnRequest, TurnRunner};
use crate::config::{Env, Settings};
use crate::cron::Job;
use crate::cron::jobs::JobStore;
use crate::cron::script::{Executors, ScriptExecutor};
use crate::cron::targets::{ChatTarget, HomeChannels};
use crate::cron::tick::{self, DeliveryError, ExecError, JobExecutor, TickEnv};
use crate::home::HermesPaths;
use crate::logs;
use crate::platforms::{Capabilities, ChatRef, ChatType, Outbox, SessionSource};
use crate::store::{NewMessage, NewSession, SessionStore, Store};

/// Runs agent jobs as fresh, isolated turns (no chat history).
pub struct AgentJobs {
    /// The agent.
    pub runner: Arc<dyn TurnRunner>,
    /// Where the job's transcript is kept.
    pub store: Arc<Store>,
    /// Longest a job may run (`HERMES_CRON_TIMEOUT`, default 600 s).
    pub timeout: Duration,
}

#[async_trait]
impl JobExecutor for AgentJobs {
    async fn execute(&self, job: &Job) -> Result<String, ExecError> {
        let prompt = job.prompt.clone().unwrap_or_default();
        if prompt.trim().is_empty() {
            return Err(ExecError::Blocked {
                reason: "the job has no prompt".into(),
            });
        }
        let key = format!("cron:{}", job.id);
        let session = self
            .store
            .create_session(&NewSession {
                source: "cron".into(),
                session_key: Some(key.clone()),
                display_name: job.name.clone(),
                ..NewSession::default()
            })
            .map_err(|e| ExecError::Failed {
                message: e.to_string(),
            })?;
        let _ = self
            .store
            .append_message(&session.id, &NewMessage::user(prompt.clone()));
        let request = TurnRequest {
            session_id: session.id.clone(),
            session_key: key,
            source: SessionSource {
                platform: "cron".into(),
                chat_id: job.id.clone(),
                chat_type: ChatType::Dm,
                ..SessionSource::default()
            },
            input: prompt,
            model: job.model.clone(),
            ephemeral_system: job.workdir.as_deref().map(workdir_note),
            workdir: job.workdir.as_deref().map(std::path::PathBuf::from),
            ..TurnRequest::default()
        };
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let result =
            tokio::time::timeout(self.timeout, self.runner.run(request, tx, cancel.clone())).await;
        cancel.cancel();
        let _ = self.store.end_session(&session.id, "cron");
        match result {
            Err(_) => Err(ExecError::Failed {
                message: format!(
                    "the agent did not finish within {} s",
                    self.timeout.as_secs()
                ),
            }),
            Ok(Ok(r)) => {
                let _ = self
                    .store
                    .append_message(&session.id, &NewMessage::assistant(r.text.clone()));
                let _ = self
                    .store
                    .add_tokens(&session.id, r.usage.input, r.usage.output);
                if r.text.trim().is_empty() {
                    Err(ExecError::Failed {
                        message: "the agent returned an empty response".into(),
                    })
                } else {
                    Ok(r.text)
                }
            }
            Ok(Err(TurnError::Config { message })) => Err(ExecError::Blocked { reason: message }),
            Ok(Err(e)) => Err(ExecError::Failed {
                message: e.to_string(),
            }),
        }
    }
}

/// The system note that points an agent job at its `workdir`.
fn workdir_note(dir: &str) -> String {
    format!(
        "This scheduled job works in the directory {dir}: terminal commands start there and relative file paths resolve against it."
    )
}

/// Delivers through the gateway's adapters.
pub struct OutboxDeliverer {
    /// Adapters by platform name.
    pub outboxes: HashMap<String, (Arc<dyn Outbox>, Capabilities)>,
}

#[async_trait]
impl tick::Deliverer for OutboxDeliverer {
    async fn deliver(&self, to: &ChatTarget, text: &str) -> Result<(), DeliveryError> {
        let Some((outbox, caps)) = self.outboxes.get(&to.platform) else {
            return Err(DeliveryError {
                message: format!("{} is not configured in this profile", to.platform),
            });
        };
        let chat = ChatRef {
            platform: to.platform.clone(),
            chat_id: to.chat_id.clone(),
            thread_id: to.thread_id.clone(),
        };
        deliver_text(outbox.as_ref(), *caps, &chat, text, None)
            .await
            .map(|_| ())
            .map_err(|e| DeliveryError {
                message: e.to_string(),
            })
    }
}

/// Everything a tick needs, built from the profile. The job store is opened once and kept:
/// it re-reads `cron/jobs.json` only when the file changed (inode, length, mtime), so a tick
/// with nothing due costs a scan of the cached jobs, not a parse of the file.
pub struct Ticker {
    /// The profile.
    pub paths: HermesPaths,
    /// Settings.
    pub settings: Settings,
    /// Environment (home channels).
    pub env: Env,
    /// Agent jobs.
    pub agent: Option<AgentJobs>,
    /// Delivery.
    pub deliverer: OutboxDeliverer,
    jobs: JobStore,
    tz: jiff::tz::TimeZone,
}

impl Ticker {
    /// A ticker for the profile at `paths`.
    #[must_use]
    pub fn new(
        paths: HermesPaths,
        settings: Settings,
        env: Env,
        agent: Option<AgentJobs>,
        deliverer: OutboxDeliverer,
    ) -> Self {
        let tz = crate::gateway::reset::resolve_time_zone(&settings.timezone)
            .unwrap_or_else(|_| jiff::tz::TimeZone::system());
        let jobs = JobStore::open(&paths, tz.clone());
        Self {
            paths,
            settings,
            env,
            agent,
            deliverer,
            jobs,
            tz,
        }
    }

    /// The job store every tick uses.
    #[must_use]
    pub fn jobs(&self) -> &JobStore {
        &self.jobs
    }

    /// What a tick is told about the profile (homes, wrapping, retention, history).
    #[must_use]
    pub fn tick_env(&self) -> TickEnv {
        TickEnv {
            homes: HomeChannels::from_config(&self.env, &self.settings),
            wrap_response: self.settings.cron.wrap_response,
            output_retention: crate::cron::output_retention(&self.settings),
            state_db: Some(self.paths.state_db()),
        }
    }

    /// Runs due jobs once.
    pub async fn tick_once(self: &Arc<Self>) {
        let env = self.tick_env();
        let timeout = Duration::from_secs(match self.settings.cron.script_timeout_seconds {
            0 => 3600,
            n => n,
        });
        let executors = Executors {
            script: ScriptExecutor::new(self.paths.scripts_dir(), timeout),
            agent: self.agent.as_ref().map(|a| {
                Box::new(AgentJobs {
                    runner: a.runner.clone(),
                    store: a.store.clone(),
                    timeout: a.timeout,
                }) as Box<dyn JobExecutor>
            }),
            skills_home: Some(self.paths.clone()),
        };
        let now = jiff::Timestamp::now().to_zoned(self.tz.clone());
        match tick::tick(&now, &self.jobs, &env, &executors, &self.deliverer).await {
            Ok(report) => {
                if !report.runs.is_empty() {
                    logs::info("cron", format!("tick ran {} job(s)", report.runs.len()));
                }
            }
            Err(e) => logs::error("cron", format!("tick failed: {e}")),
        }
    }

    /// Ticks every `every` until cancelled.
    pub async fn run(self: Arc<Self>, every: Duration, cancel: CancellationToken) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = interval.tick() => self.tick_once().await,
            }
        }
    }
}

/// The agent's `send_message` tool over the gateway's adapters: `platform` (its home channel),
/// `platform:chat_id[:thread_id]`, comma fan-out, `all`, `origin`.
pub struct OutboxSender {
    /// Adapters by platform name.
    pub outboxes: HashMap<String, (Arc<dyn Outbox>, Capabilities)>,
    /// Home channels.
    pub homes: HomeChannels,
}

#[async_trait]
impl crate::agent::tools::MessageSender for OutboxSender {
    async fn send(
        &self,
        origin: &SessionSource,
        target: &str,
        message: &str,
    ) -> Result<String, String> {
        let origin_chat = ChatTarget {
            platform: origin.platform.clone(),
            chat_id: origin.chat_id.clone(),
            thread_id: origin.thread_id.clone(),
        };
        let resolved = crate::cron::targets::resolve(target, Some(&origin_chat), &self.homes);
        if resolved.chats.is_empty() {
            return Err(if resolved.unresolved.is_empty() {
                format!("no chat matches '{target}'")
            } else {
                resolved.unresolved.join("; ")
            });
        }
        let deliverer = OutboxDeliverer {
            outboxes: self.outboxes.clone(),
        };
        let mut sent = Vec::new();
        let mut failed = resolved.unresolved.clone();
        for chat in &resolved.chats {
            match tick::Deliverer::deliver(&deliverer, chat, message).await {
                Ok(()) => sent.push(chat.to_string()),
                Err(e) => failed.push(format!("{chat}: {}", e.message)),
            }
        }
        if sent.is_empty() {
            return Err(failed.join("; "));
        }
        let mut out = format!("sent to {}", sent.join(", "));
        if !failed.is_empty() {
            out.push_str(&format!(" (not sent: {})", failed.join("; ")));
        }
        Ok(out)
    }

    async fn list_targets(&self, _origin: &SessionSource) -> Result<String, String> {
        let mut lines: Vec<String> = self
            .outboxes
            .keys()
            .map(|p| format!("{p}:<chat_id> (connected)"))
            .collect();
        for home in self.homes.all() {
            lines.push(format!("{} (home channel {})", home.platform, home.chat_id));
        }
        lines.sort();
        Ok(lines.join("\n"))
    }
}

/// The agent's `cronjob` tool over the profile's `cron/jobs.json` (the same store and rules as
/// `hermes cron` and `/cron`). Jobs created from a chat deliver to that chat by default.
pub struct JobsTool {
    /// The profile.
    pub paths: HermesPaths,
    /// Settings (time zone).
    pub settings: Settings,
    /// Environment (home channels).
    pub env: Env,
}

impl JobsTool {
    fn job_json(job: &crate::cron::Job) -> serde_json::Value {
        serde_json::json!({
            "job_id": job.id,
            "name": job.name,
            "schedule": job.schedule_display(),
            "enabled": job.enabled,
            "state": job.state,
            "next_run_at": job.next_run_at,
            "deliver": job.deliver,
            "last_status": job.last_status,
        })
    }
}

#[async_trait]
impl crate::agent::tools::CronControl for JobsTool {
    async fn call(
        &self,
        origin: &SessionSource,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        use crate::cron::jobs::{JobEdit, JobRules, NewJob};
        if origin.platform == "cron" {
            // A scheduled run must not schedule more runs (upstream disables the tool there).
            return Err(
                "the cronjob tool is disabled inside scheduled jobs: a cron job cannot create or change jobs"
                    .into(),
            );
        }
        let tz = crate::gateway::reset::resolve_time_zone(&self.settings.timezone)
            .unwrap_or_else(|_| jiff::tz::TimeZone::system());
        let store = JobStore::open(&self.paths, tz.clone());
        let now = jiff::Timestamp::now().to_zoned(tz);
        let rules = JobRules {
            skills_home: Some(self.paths.clone()),
            ..JobRules::new(
                HomeChannels::from_config(&self.env, &self.settings),
                self.paths.scripts_dir(),
            )
        };
        let s = |k: &str| {
            args.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let skills = args
            .get("skills")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            });
        let job_id = || {
            s("job_id")
                .ok_or_else(|| "this action needs 'job_id' (use action='list' first)".to_string())
        };
        let action = s("action").unwrap_or_default();
        let result = match action.as_str() {
            "list" => {
                let jobs = store.load().map_err(|e| e.to_string())?;
                return Ok(
                    serde_json::json!({ "jobs": jobs.iter().map(Self::job_json).collect::<Vec<_>>() }),
                );
            }
            "create" => {
                let schedule = s("schedule").ok_or("create needs 'schedule'")?;
                let chat_origin = (origin.platform != "cron" && !origin.chat_id.is_empty()).then(|| {
                    serde_json::json!({"platform": origin.platform, "chat_id": origin.chat_id, "thread_id": origin.thread_id})
                });
                store.create(
                    NewJob {
                        schedule,
                        prompt: s("prompt"),
                        name: s("name"),
                        deliver: s("deliver"),
                        repeat: args.get("repeat").and_then(serde_json::Value::as_i64),
                        skills: skills.unwrap_or_default(),
                        script: s("script"),
                        no_agent: args
                            .get("no_agent")
                            .and_then(serde_json::Value::as_bool)
                            .unwrap_or(false),
                        origin: chat_origin,
                        workdir: s("workdir"),
                        failure_deliver: s("failure_deliver"),
                    },
                    &now,
                    &rules,
                )
            }
            "update" => store.edit(
                &job_id()?,
                JobEdit {
                    schedule: s("schedule"),
                    prompt: s("prompt"),
                    name: s("name"),
                    deliver: s("deliver"),
                    repeat: args.get("repeat").and_then(serde_json::Value::as_i64),
                    skills,
                    script: s("script"),
                    workdir: s("workdir"),
                    failure_deliver: s("failure_deliver"),
                    no_agent: args.get("no_agent").and_then(serde_json::Value::as_bool),
                },
                &now,
                &rules,
            ),
            "pause" => store.pause(&job_id()?, &now),
            "resume" => store.resume(&job_id()?, &now),
            "run" => store.trigger(&job_id()?, &now),
            "remove" => store.remove(&job_id()?),
            other => {
                return Err(format!(
                    "unknown action '{other}': use create, list, update, pause, resume, remove or run"
                ));
            }
        };
        result
            .map(|job| serde_json::json!({ "ok": true, "action": action, "job": Self::job_json(&job) }))
            .map_err(|e| crate::cron::with_hints(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::tools::CronControl;

    /// The cronjob tool over a home at `dir`, with default settings.
    fn tool_in(dir: &std::path::Path) -> (JobsTool, HermesPaths) {
        let paths = HermesPaths::at(dir, dir);
        let env = Env::default();
        let tool = JobsTool {
            paths: paths.clone(),
            settings: Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap(),
            env,
        };
        (tool, paths)
    }

    #[tokio::test]
    async fn the_cronjob_tool_manages_jobs_for_the_chat() {
        let t = tempfile::tempdir().unwrap();
        let (tool, _) = tool_in(t.path());
        let origin = SessionSource {
            platform: "telegram".into(),
            chat_id: "42".into(),
            ..SessionSource::default()
        };
        let made = tool
            .call(&origin, serde_json::json!({"action": "create", "schedule": "every 2h", "prompt": "check the servers", "name": "servers"}))
            .await
            .unwrap();
        let id = made["job"]["job_id"].as_str().unwrap().to_string();
        assert_eq!(made["job"]["deliver"], "origin", "{made}");
        let listed = tool
            .call(&origin, serde_json::json!({"action": "list"}))
            .await
            .unwrap();
        assert_eq!(listed["jobs"].as_array().unwrap().len(), 1);
        let paused = tool
            .call(
                &origin,
                serde_json::json!({"action": "pause", "job_id": id}),
            )
            .await
            .unwrap();
        assert_eq!(paused["job"]["enabled"], false);
        let edited = tool
            .call(
                &origin,
                serde_json::json!({"action": "update", "job_id": id, "schedule": "every 3h"}),
            )
            .await
            .unwrap();
        assert_eq!(edited["job"]["schedule"], "every 180m", "{edited}");
        assert!(
            tool.call(&origin, serde_json::json!({"action": "pause"}))
                .await
                .unwrap_err()
                .contains("job_id")
        );
        assert!(
            tool.call(&origin, serde_json::json!({"action": "explode"}))
                .await
                .unwrap_err()
                .contains("unknown action")
        );
        assert!(
            tool.call(
                &origin,
                serde_json::json!({"action": "create", "schedule": "whenever", "prompt": "x"})
            )
            .await
            .is_err()
        );
        tool.call(
            &origin,
            serde_json::json!({"action": "remove", "job_id": id}),
        )
        .await
        .unwrap();
        let listed = tool
            .call(&origin, serde_json::json!({"action": "list"}))
            .await
            .unwrap();
        assert!(listed["jobs"].as_array().unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_cronjob_tool_is_disabled_inside_cron_runs() {
        let t = tempfile::tempdir().unwrap();
        let (tool, paths) = tool_in(t.path());
        // The source AgentJobs gives a scheduled run.
        let in_cron = SessionSource {
            platform: "cron".into(),
            chat_id: "abc123".into(),
            ..SessionSource::default()
        };
        let err = tool
            .call(
                &in_cron,
                serde_json::json!({"action": "create", "schedule": "every 1m", "prompt": "spawn"}),
            )
            .await
            .unwrap_err();
        assert!(err.contains("disabled inside scheduled jobs"), "{err}");
        assert!(!paths.cron_dir().join("jobs.json").exists());
    }

    /// Keeps the request a turn was given.
    struct Recorder(std::sync::Mutex<Vec<TurnRequest>>);

    #[async_trait]
    impl TurnRunner for Recorder {
        async fn run(
            &self,
            request: TurnRequest,
            _events: tokio::sync::mpsc::UnboundedSender<crate::gateway::turn::TurnEvent>,
            _cancel: CancellationToken,
        ) -> Result<crate::gateway::turn::TurnResult, TurnError> {
            self.0.lock().unwrap().push(request);
            Ok(crate::gateway::turn::TurnResult {
                text: "ok".into(),
                ..Default::default()
            })
        }

        fn resolve_approval(
            &self,
            _session_key: &str,
            _choice: crate::gateway::turn::ApprovalChoice,
        ) -> bool {
            false
        }
    }

    #[tokio::test]
    async fn an_agent_job_runs_as_a_cron_source_pointed_at_its_workdir() {
        let t = tempfile::tempdir().unwrap();
        let recorder = Arc::new(Recorder(std::sync::Mutex::default()));
        let jobs = AgentJobs {
            runner: recorder.clone(),
            store: Arc::new(Store::open(&t.path().join("state.db")).unwrap()),
            timeout: Duration::from_secs(5),
        };
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": "abc", "prompt": "tidy up", "workdir": "/srv/app",
            "schedule": {"kind": "interval", "minutes": 60}
        }))
        .unwrap();
        assert_eq!(jobs.execute(&job).await.unwrap(), "ok");
        let req = recorder.0.lock().unwrap()[0].clone();
        // The `cron` source is what disables the cronjob tool for this turn.
        assert_eq!(req.source.platform, "cron");
        assert!(req.history.is_empty(), "a fresh session");
        assert!(
            req.ephemeral_system
                .as_deref()
                .is_some_and(|s| s.contains("/srv/app")),
            "{req:?}"
        );
        assert_eq!(req.workdir, Some(std::path::PathBuf::from("/srv/app")));
    }
}
