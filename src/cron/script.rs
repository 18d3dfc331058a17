//! Script jobs: a script must live under `<home>/scripts/` (checked when the job is created
//! and again when it runs), runs with a timeout, and its stdout is the job's output.
//! `.sh`/`.bash` run with bash, anything else with python3, as upstream does.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;

use super::jobs::Job;
use super::tick::{ExecError, JobExecutor};
use crate::home::HermesPaths;

/// Default script timeout (upstream: one hour).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_hours(1);

/// Why a script path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The path leaves the scripts directory.
    #[error("Blocked: script path resolves outside the scripts directory ({}): '{raw}'", dir.display())]
    Outside { raw: String, dir: PathBuf },
    /// Nothing at that path.
    #[error("Script not found: {}", path.display())]
    NotFound { path: PathBuf, dir: PathBuf },
    /// A directory or other non-file.
    #[error("Script path is not a file: {}", path.display())]
    NotAFile { path: PathBuf },
}

impl ScriptError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Outside { dir, .. } => vec![format!(
                "move the script into {} and pass its name (e.g. `--script check.sh`)",
                dir.display()
            )],
            Self::NotFound { dir, .. } => vec![
                format!(
                    "create the script first: scripts live in {} (relative names resolve there)",
                    dir.display()
                ),
                "`.sh`/`.bash` scripts run with bash, anything else with python3".into(),
            ],
            Self::NotAFile { .. } => vec!["point `--script` at a file".into()],
        }
    }
}

/// Resolves a script path (relative to `scripts_dir`, or absolute inside it) to an existing
/// file inside `scripts_dir`, symlinks followed.
pub fn resolve(scripts_dir: &Path, raw: &str) -> Result<PathBuf, ScriptError> {
    let dir = std::fs::canonicalize(scripts_dir).unwrap_or_else(|_| scripts_dir.to_path_buf());
    let given = PathBuf::from(raw.trim());
    let joined = if given.is_absolute() {
        given
    } else {
        dir.join(given)
    };
    let outside = || ScriptError::Outside {
        raw: raw.to_string(),
        dir: dir.clone(),
    };
    let Ok(path) = std::fs::canonicalize(&joined) else {
        // Not there: still refuse paths that would leave the directory.
        if !lexically_inside(&joined, &dir) {
            return Err(outside());
        }
        return Err(ScriptError::NotFound {
            path: joined,
            dir: dir.clone(),
        });
    };
    if !path.starts_with(&dir) {
        return Err(outside());
    }
    if !path.is_file() {
        return Err(ScriptError::NotAFile { path });
    }
    Ok(path)
}

fn lexically_inside(path: &Path, dir: &Path) -> bool {
    let mut parts: Vec<std::path::Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other),
        }
    }
    parts.iter().collect::<PathBuf>().starts_with(dir)
}

/// Runs `no_agent` jobs' scripts.
#[derive(Debug, Clone)]
pub struct ScriptExecutor {
    scripts_dir: PathBuf,
    timeout: Duration,
}

impl ScriptExecutor {
    /// Scripts from `scripts_dir`, each stopped after `timeout`.
    #[must_use]
    pub fn new(scripts_dir: PathBuf, timeout: Duration) -> Self {
        Self {
            scripts_dir,
            timeout,
        }
    }

    /// Runs one script; stdout (trimmed) on success.
    pub async fn run(&self, raw: &str, workdir: Option<&str>) -> Result<String, ExecError> {
        let path = resolve(&self.scripts_dir, raw).map_err(|e| ExecError::Failed {
            message: e.to_string(),
        })?;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let interpreter = if ext == "sh" || ext == "bash" {
            "bash"
        } else {
            "python3"
        };
        let cwd = workdir
            .map(PathBuf::from)
            .filter(|w| w.is_dir())
            .or_else(|| path.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| self.scripts_dir.clone());
        let child = tokio::process::Command::new(interpreter)
            .arg(&path)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| ExecError::Failed {
                message: format!("Script execution failed: cannot start {interpreter}: {e}"),
            })?;
        let out = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => {
                return Err(ExecError::Failed {
                    message: format!("Script execution failed: {e}"),
                });
            }
            Err(_) => {
                return Err(ExecError::Failed {
                    message: format!(
                        "Script timed out after {}s: {}",
                        self.timeout.as_secs(),
                        path.display()
                    ),
                });
            }
        };
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if !out.status.success() {
            let code = out
                .status
                .code()
                .map_or_else(|| "a signal".to_string(), |c| c.to_string());
            let mut parts = vec![format!("Script exited with code {code}")];
            if !stderr.is_empty() {
                parts.push(format!("stderr:\n{stderr}"));
            }
            if !stdout.is_empty() {
                parts.push(format!("stdout:\n{stdout}"));
            }
            return Err(ExecError::Failed {
                message: parts.join("\n"),
            });
        }
        Ok(stdout)
    }
}

/// Routes each job: `no_agent` scripts run here; agent jobs go to the agent executor the
/// gateway supplies, or are refused as `blocked_config` when there is none. For an agent job
/// the prompt the agent sees is built here: each skill's `SKILL.md` in order, then the
/// output of the job's script (run first, in its workdir), then the job's own prompt.
pub struct Executors {
    /// Script runner.
    pub script: ScriptExecutor,
    /// The agent runtime, when one is available.
    pub agent: Option<Box<dyn JobExecutor>>,
    /// The profile whose skills agent jobs load.
    pub skills_home: Option<HermesPaths>,
}

#[async_trait]
impl JobExecutor for Executors {
    async fn execute(&self, job: &Job) -> Result<String, ExecError> {
        if job.no_agent {
            let Some(script) = job.script.as_deref().filter(|s| !s.trim().is_empty()) else {
                return Err(ExecError::Blocked {
                    reason: "no_agent is set but the job has no script".into(),
                });
            };
            return self.script.run(script, job.workdir.as_deref()).await;
        }
        let Some(agent) = &self.agent else {
            return Err(no_agent_runtime());
        };
        let script_output = match job.script.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(script) => Some(self.script.run(script, job.workdir.as_deref()).await?),
            None => None,
        };
        let mut prepared = job.clone();
        prepared.prompt = Some(agent_prompt(
            job,
            self.skills_home.as_ref(),
            script_output.as_deref(),
        )?);
        agent.execute(&prepared).await
    }

    fn check(&self, job: &Job) -> Result<(), ExecError> {
        match &self.agent {
            _ if job.no_agent => Ok(()),
            Some(agent) => agent.check(job),
            None => Err(no_agent_runtime()),
        }
    }
}

/// The text an agent job's turn starts from: its skills (each `SKILL.md`, as `/skill` loads
/// it in chat), the pre-run script's output, then the prompt. A skill that is not installed
/// blocks the run (`blocked_config`) rather than running without its instructions.
pub fn agent_prompt(
    job: &Job,
    skills_home: Option<&HermesPaths>,
    script_output: Option<&str>,
) -> Result<String, ExecError> {
    let mut parts: Vec<String> = Vec::new();
    for name in &job.skills {
        let loaded =
            skills_home.and_then(|home| crate::agent::skills::skill_prompt(home, name, ""));
        let Some(text) = loaded else {
            return Err(ExecError::Blocked {
                reason: format!(
                    "skill '{name}' is not installed (see `hermes skills list`; edit the job with `hermes cron edit JOB --remove-skill {name}`)"
                ),
            });
        };
        parts.push(text);
    }
    if let Some(out) = script_output {
        let body = if out.trim().is_empty() {
            "(the script printed nothing)"
        } else {
            out
        };
        parts.push(format!(
            "## Script output\nThe job's pre-run script collected this data; use it as context for the task below.\n\n```\n{body}\n```"
        ));
    }
    let prompt = job.prompt.as_deref().unwrap_or_default().trim();
    if !prompt.is_empty() {
        parts.push(prompt.to_string());
    } else if !job.skills.is_empty() {
        parts.push("Follow the skill's instructions now.".into());
    } else if script_output.is_some() {
        parts.push("Report on the script output above.".into());
    }
    if parts.is_empty() {
        return Err(ExecError::Blocked {
            reason: "the job has no prompt, skill or script".into(),
        });
    }
    Ok(parts.join("\n\n"))
}

fn no_agent_runtime() -> ExecError {
    ExecError::Blocked {
        reason: "agent jobs need a configured model and key (`hermes setup model`), or make the \
                 job a script job (`--script … --no-agent`)"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_inside_the_scripts_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("scripts");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.sh"), "echo hi").unwrap();
        std::fs::write(tmp.path().join("evil.sh"), "echo no").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("evil.sh"), dir.join("link.sh")).unwrap();
        let real = std::fs::canonicalize(&dir).unwrap();
        assert_eq!(resolve(&dir, "a.sh").unwrap(), real.join("a.sh"));
        assert_eq!(
            resolve(&dir, &real.join("a.sh").display().to_string()).unwrap(),
            real.join("a.sh")
        );
        assert!(matches!(
            resolve(&dir, "../evil.sh"),
            Err(ScriptError::Outside { .. })
        ));
        assert!(matches!(
            resolve(&dir, "link.sh"),
            Err(ScriptError::Outside { .. })
        ));
        assert!(matches!(
            resolve(&dir, "/etc/passwd"),
            Err(ScriptError::Outside { .. })
        ));
        assert!(matches!(
            resolve(&dir, "../nope.sh"),
            Err(ScriptError::Outside { .. })
        ));
        let e = resolve(&dir, "check_and_send.sh").unwrap_err();
        assert!(e.to_string().starts_with("Script not found: "), "{e}");
        assert!(e.hints()[0].contains("create the script first"));
        assert!(matches!(
            resolve(&dir, "sub"),
            Err(ScriptError::NotAFile { .. })
        ));
    }

    #[tokio::test]
    async fn runs_with_output_errors_and_timeout() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::write(
            dir.join("ok.sh"),
            "echo \"  hello from $(basename $PWD)  \"\n",
        )
        .unwrap();
        std::fs::write(dir.join("fail.sh"), "echo partial; echo boom >&2; exit 3\n").unwrap();
        std::fs::write(dir.join("slow.sh"), "sleep 5\n").unwrap();
        let ex = ScriptExecutor::new(dir.clone(), Duration::from_millis(300));
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(
            ex.run("ok.sh", None).await.unwrap(),
            format!("hello from {name}")
        );
        let ExecError::Failed { message } = ex.run("fail.sh", None).await.unwrap_err() else {
            panic!()
        };
        assert_eq!(
            message,
            "Script exited with code 3\nstderr:\nboom\nstdout:\npartial"
        );
        let ExecError::Failed { message } = ex.run("slow.sh", None).await.unwrap_err() else {
            panic!()
        };
        assert!(
            message.starts_with("Script timed out after 0s"),
            "{message}"
        );
    }

    /// Records the prompt each agent run was given.
    #[derive(Default)]
    struct Capture(std::sync::Mutex<Vec<String>>);

    #[async_trait]
    impl JobExecutor for Capture {
        async fn execute(&self, job: &Job) -> Result<String, ExecError> {
            self.0
                .lock()
                .unwrap()
                .push(job.prompt.clone().unwrap_or_default());
            Ok("done".into())
        }
    }

    struct Shared(std::sync::Arc<Capture>);

    #[async_trait]
    impl JobExecutor for Shared {
        async fn execute(&self, job: &Job) -> Result<String, ExecError> {
            self.0.execute(job).await
        }
    }

    fn agent_job(
        prompt: &str,
        skills: &[&str],
        script: Option<&str>,
        workdir: Option<&str>,
    ) -> Job {
        let mut job: Job = serde_json::from_value(serde_json::json!({
            "id": "abc", "prompt": prompt, "schedule": {"kind": "interval", "minutes": 60},
            "script": script, "workdir": workdir
        }))
        .unwrap();
        job.set_skills(skills.iter().map(ToString::to_string).collect());
        job
    }

    #[tokio::test]
    async fn agent_jobs_load_skills_then_script_output_then_the_prompt() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(tmp.path(), tmp.path());
        let skill_dir = paths.skills_dir().join("research").join("digest");
        std::fs::create_dir_all(&skill_dir).unwrap();
        std::fs::write(
            skill_dir.join("SKILL.md"),
            "---\nname: digest\ndescription: d\n---\nSummarise in three bullets.\n",
        )
        .unwrap();
        let scripts = paths.scripts_dir();
        std::fs::create_dir_all(&scripts).unwrap();
        std::fs::write(scripts.join("where.sh"), "echo \"RAM 92% in $PWD\"\n").unwrap();
        let work = tempfile::tempdir().unwrap();
        let work_dir = std::fs::canonicalize(work.path()).unwrap();
        let capture = std::sync::Arc::new(Capture::default());
        let ex = Executors {
            script: ScriptExecutor::new(scripts.clone(), Duration::from_secs(10)),
            agent: Some(Box::new(Shared(capture.clone()))),
            skills_home: Some(paths.clone()),
        };
        let job = agent_job(
            "alert me if memory is high",
            &["digest"],
            Some("where.sh"),
            Some(&work_dir.display().to_string()),
        );
        assert_eq!(ex.execute(&job).await.unwrap(), "done");
        let prompt = capture.0.lock().unwrap()[0].clone();
        let skill_at = prompt.find("Summarise in three bullets.").unwrap();
        let script_at = prompt
            .find(&format!("RAM 92% in {}", work_dir.display()))
            .expect("the script ran in the job's workdir and its output is in the prompt");
        let prompt_at = prompt.find("alert me if memory is high").unwrap();
        assert!(skill_at < script_at && script_at < prompt_at, "{prompt}");

        // A skill-only job runs (it used to be refused for having no prompt).
        let job = agent_job("", &["digest"], None, None);
        ex.execute(&job).await.unwrap();
        assert!(capture.0.lock().unwrap()[1].contains("Summarise in three bullets."));

        // A skill that is not installed blocks the run with a hint; a failing script fails it.
        let job = agent_job("x", &["nope"], None, None);
        let ExecError::Blocked { reason } = ex.execute(&job).await.unwrap_err() else {
            panic!()
        };
        assert!(reason.contains("skill 'nope' is not installed"), "{reason}");
        std::fs::write(scripts.join("bad.sh"), "echo boom >&2; exit 2\n").unwrap();
        let job = agent_job("x", &[], Some("bad.sh"), None);
        let ExecError::Failed { message } = ex.execute(&job).await.unwrap_err() else {
            panic!()
        };
        assert!(
            message.starts_with("Script exited with code 2"),
            "{message}"
        );
        assert_eq!(
            capture.0.lock().unwrap().len(),
            2,
            "the agent never ran for those"
        );
    }
}
