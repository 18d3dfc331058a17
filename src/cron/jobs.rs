//! The job store: upstream's `<home>/cron/jobs.json` (`{"jobs": [...]}`), read as-is with
//! unknown fields kept, written atomically under `cron/.jobs.lock`; the tick's own lock
//! (`cron/.tick.lock`) is handed out here too. What a job does when it fires is `tick`'s.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::record::null_default;
pub use super::record::{Job, Repeat};
use super::schedule::{self, Schedule, format_time};
use super::targets::{self, HomeChannels};
use super::{CronError, script};
use crate::fsutil;
use crate::home::HermesPaths;

/// How long an edit waits for another writer before giving up.
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// How far in the past a one-shot may be and still be accepted.
const ONESHOT_GRACE_SECS: i64 = 120;

/// What `hermes cron create` asks for.
#[derive(Debug, Clone, Default)]
pub struct NewJob {
    /// Schedule text (see `schedule::parse`).
    pub schedule: String,
    /// Prompt or task instruction.
    pub prompt: Option<String>,
    /// Friendly name.
    pub name: Option<String>,
    /// Delivery target(s); default `origin` with an origin, else `local`.
    pub deliver: Option<String>,
    /// Where failures and failed deliveries are reported, for jobs delivering locally.
    pub failure_deliver: Option<String>,
    /// Total runs; 0 or less means forever. Default: 1 for one-shots, forever otherwise.
    pub repeat: Option<i64>,
    /// Skills, in order.
    pub skills: Vec<String>,
    /// Script under `<home>/scripts/`.
    pub script: Option<String>,
    /// Run the script only.
    pub no_agent: bool,
    /// Working directory (absolute).
    pub workdir: Option<String>,
    /// The creating chat (`{platform, chat_id, thread_id}`), if any.
    pub origin: Option<Value>,
}

/// Changes `hermes cron edit` asks for; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct JobEdit {
    /// New schedule text.
    pub schedule: Option<String>,
    /// New prompt.
    pub prompt: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New delivery target(s).
    pub deliver: Option<String>,
    /// New repeat count (0 or less: forever).
    pub repeat: Option<i64>,
    /// The whole skill list.
    pub skills: Option<Vec<String>>,
    /// New script (empty clears it).
    pub script: Option<String>,
    /// New workdir (empty clears it).
    pub workdir: Option<String>,
    /// New failure target (empty clears it).
    pub failure_deliver: Option<String>,
    /// Script only (`true`) or back to the agent (`false`).
    pub no_agent: Option<bool>,
}

/// What creation and edits are checked against.
#[derive(Debug, Clone)]
pub struct JobRules {
    /// Home channels, for bare-platform targets.
    pub homes: HomeChannels,
    /// `<home>/scripts`.
    pub scripts_dir: PathBuf,
    /// Platforms with an adapter set up (`None`: not checked).
    pub configured: Option<Vec<String>>,
    /// Setup errors of the platforms that are not usable (`telegram: ...`), for hints.
    pub platform_problems: Vec<String>,
    /// The profile whose installed skills a job may name (`None`: not checked).
    pub skills_home: Option<HermesPaths>,
}

impl JobRules {
    /// Rules that check schedules, homes and scripts, but not platforms or skills.
    #[must_use]
    pub fn new(homes: HomeChannels, scripts_dir: PathBuf) -> Self {
        Self {
            homes,
            scripts_dir,
            configured: None,
            platform_problems: Vec::new(),
            skills_home: None,
        }
    }

    /// Checks one delivery value against homes, the creating chat and configured platforms.
    fn check_targets(
        &self,
        value: &str,
        origin: Option<&targets::ChatTarget>,
    ) -> Result<(), CronError> {
        let parsed = targets::parse(value)?;
        targets::validate(&parsed, origin, &self.homes)?;
        if let Some(configured) = &self.configured {
            targets::check_configured(&parsed, origin, configured, &self.platform_problems)?;
        }
        Ok(())
    }

    /// Refuses skills that are not installed.
    fn check_skills(&self, skills: &[String]) -> Result<(), CronError> {
        let Some(home) = &self.skills_home else {
            return Ok(());
        };
        for name in skills {
            if crate::agent::skills::find(home, name).is_none() {
                return Err(CronError::UnknownSkill { name: name.clone() });
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    ino: u64,
    len: u64,
    mtime: SystemTime,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct JobsFile {
    #[serde(default, deserialize_with = "null_default")]
    jobs: Vec<Job>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// `cron/jobs.json` and its locks. Reads are cached until the file changes on disk.
#[derive(Debug)]
pub struct JobStore {
    dir: PathBuf,
    file: PathBuf,
    tz: TimeZone,
    cache: Mutex<Option<(Stamp, JobsFile)>>,
}

/// The held tick lock; released on drop.
#[derive(Debug)]
pub struct TickLock {
    file: File,
}

impl Drop for TickLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

impl JobStore {
    /// The store of `paths`' home, reading times in `tz`.
    #[must_use]
    pub fn open(paths: &HermesPaths, tz: TimeZone) -> Self {
        Self::at(&paths.cron_dir(), tz)
    }

    /// A store in an explicit `cron/` directory.
    #[must_use]
    pub fn at(dir: &Path, tz: TimeZone) -> Self {
        Self {
            dir: dir.to_path_buf(),
            file: dir.join("jobs.json"),
            tz,
            cache: Mutex::new(None),
        }
    }

    /// The time zone schedules are evaluated in.
    #[must_use]
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// `cron/`.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `cron/output/<job_id>/`.
    #[must_use]
    pub fn output_dir(&self, job_id: &str) -> PathBuf {
        self.dir.join("output").join(job_id)
    }

    fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CronError {
        let path = path.to_path_buf();
        move |source| CronError::Io {
            action,
            path,
            source,
        }
    }

    fn ensure_dir(&self) -> Result<(), CronError> {
        if !self.dir.is_dir() {
            std::fs::create_dir_all(&self.dir).map_err(Self::io("create", &self.dir))?;
            let _ = std::fs::set_permissions(
                &self.dir,
                <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o700),
            );
        }
        Ok(())
    }

    fn stamp(&self) -> Result<Option<Stamp>, CronError> {
        match std::fs::metadata(&self.file) {
            Ok(m) => Ok(Some(Stamp {
                ino: m.ino(),
                len: m.len(),
                mtime: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Self::io("read", &self.file)(e)),
        }
    }

    /// Runs `f` over the current jobs (from the cache when the file has not changed).
    pub fn read<R>(&self, f: impl FnOnce(&[Job]) -> R) -> Result<R, CronError> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.refresh(&mut cache)?;
        Ok(f(cache.as_ref().map_or(&[][..], |(_, doc)| &doc.jobs[..])))
    }

    /// A copy of every job.
    pub fn load(&self) -> Result<Vec<Job>, CronError> {
        self.read(<[Job]>::to_vec)
    }

    fn refresh(&self, cache: &mut Option<(Stamp, JobsFile)>) -> Result<(), CronError> {
        let Some(stamp) = self.stamp()? else {
            *cache = None;
            return Ok(());
        };
        if cache.as_ref().is_some_and(|(s, _)| *s == stamp) {
            return Ok(());
        }
        let bytes = std::fs::read(&self.file).map_err(Self::io("read", &self.file))?;
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let corrupt = |source| CronError::Corrupt {
            path: self.file.clone(),
            source,
        };
        // A bare list (hand-edited) is accepted as upstream does.
        let mut doc: JobsFile = if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            JobsFile {
                jobs: serde_json::from_slice(text).map_err(corrupt)?,
                extra: Map::new(),
            }
        } else {
            serde_json::from_slice(text).map_err(corrupt)?
        };
        for job in &mut doc.jobs {
            job.after_load(&self.tz);
        }
        *cache = Some((stamp, doc));
        Ok(())
    }

    /// Loads under the edit lock, applies `f`, and saves atomically if `f` succeeds.
    pub fn update<R>(
        &self,
        f: impl FnOnce(&mut Vec<Job>) -> Result<R, CronError>,
    ) -> Result<R, CronError> {
        self.ensure_dir()?;
        let lock_path = self.dir.join(".jobs.lock");
        let lock = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&lock_path)
            .map_err(Self::io("open", &lock_path))?;
        let deadline = Instant::now() + LOCK_TIMEOUT;
        while lock.try_lock().is_err() {
            if Instant::now() >= deadline {
                return Err(CronError::LockTimeout { path: lock_path });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let result = (|| {
            self.refresh(&mut cache)?;
            let mut doc = cache.take().map(|(_, d)| d).unwrap_or_default();
            let out = f(&mut doc.jobs);
            let out = match out {
                Ok(v) => v,
                Err(e) => {
                    // Nothing is written; the next read reloads from disk.
                    return Err(e);
                }
            };
            doc.extra.insert(
                "updated_at".into(),
                Value::String(format_time(&Timestamp::now().to_zoned(self.tz.clone()))),
            );
            let bytes = serde_json::to_vec_pretty(&doc).map_err(|source| CronError::Corrupt {
                path: self.file.clone(),
                source,
            })?;
            fsutil::write_atomic(&self.file, &bytes, Some(fsutil::SECRET_MODE))
                .map_err(Self::io("write", &self.file))?;
            if let Some(stamp) = self.stamp()? {
                *cache = Some((stamp, doc));
            }
            Ok(out)
        })();
        drop(cache);
        let _ = lock.unlock();
        result
    }

    /// Takes the tick lock without waiting; `None` when another tick holds it.
    pub fn try_tick_lock(&self) -> Result<Option<TickLock>, CronError> {
        self.ensure_dir()?;
        let path = self.dir.join(".tick.lock");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(Self::io("open", &path))?;
        Ok(file.try_lock().is_ok().then_some(TickLock { file }))
    }

    /// Creates a job after checking its schedule, targets, script and workdir.
    pub fn create(&self, new: NewJob, now: &Zoned, rules: &JobRules) -> Result<Job, CronError> {
        let parsed = schedule::parse(&new.schedule, now)?;
        let origin_chat = targets::origin_chat(new.origin.as_ref());
        let deliver = new.deliver.clone().unwrap_or_else(|| {
            if origin_chat.is_some() {
                "origin"
            } else {
                "local"
            }
            .into()
        });
        rules.check_targets(&deliver, origin_chat.as_ref())?;
        if let Some(f) = &new.failure_deliver {
            rules.check_targets(f, origin_chat.as_ref())?;
        }
        rules.check_skills(&new.skills)?;
        let script = new
            .script
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(s) = script {
            script::resolve(&rules.scripts_dir, s)?;
        } else if new.no_agent {
            return Err(CronError::NoAgentWithoutScript);
        }
        let prompt = new.prompt.clone().unwrap_or_default();
        if prompt.trim().is_empty() && new.skills.is_empty() && script.is_none() {
            return Err(CronError::EmptyJob);
        }
        let workdir = new
            .workdir
            .as_deref()
            .map(check_workdir)
            .transpose()?
            .flatten();
        let next = first_run(&parsed.schedule, now)?;
        let repeat = match new.repeat {
            Some(n) if n > 0 => Some(u32::try_from(n).unwrap_or(u32::MAX)),
            _ if !parsed.schedule.is_recurring() => Some(1),
            _ => None,
        };
        let mut job = Job {
            id: new_id(),
            name: None,
            prompt: Some(prompt),
            skills: Vec::new(),
            skill: None,
            model: None,
            provider: None,
            base_url: None,
            script: script.map(str::to_string),
            no_agent: new.no_agent,
            schedule: parsed.to_record(),
            schedule_display: Some(parsed.display.clone()),
            repeat: Some(Repeat {
                times: repeat,
                completed: 0,
                extra: Map::new(),
            }),
            enabled: true,
            state: Some("scheduled".into()),
            paused_at: None,
            paused_reason: None,
            created_at: Some(format_time(now)),
            next_run_at: None,
            last_run_at: None,
            last_status: None,
            last_error: None,
            last_delivery_error: None,
            deliver: Some(Value::String(deliver)),
            origin: new.origin.clone(),
            workdir,
            extra: Map::new(),
            next_run: None,
        };
        job.set_skills(new.skills.clone());
        job.name = Some(
            new.name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| job.display_name(), str::to_string),
        );
        if let Some(f) = new.failure_deliver {
            job.extra.insert("failure_deliver".into(), Value::String(f));
        }
        job.set_next_run(Some(&next));
        let created = job.clone();
        self.update(move |jobs| {
            jobs.push(job);
            Ok(())
        })?;
        Ok(created)
    }

    /// Applies an edit to the job `reference` names.
    pub fn edit(
        &self,
        reference: &str,
        edit: JobEdit,
        now: &Zoned,
        rules: &JobRules,
    ) -> Result<Job, CronError> {
        self.update(|jobs| {
            let i = find(jobs, reference)?;
            let job = &mut jobs[i];
            if let Some(s) = &edit.schedule {
                let parsed = schedule::parse(s, now)?;
                if job.state() != "paused" {
                    let next = first_run(&parsed.schedule, now)?;
                    job.set_next_run(Some(&next));
                }
                job.schedule = parsed.to_record();
                job.schedule_display = Some(parsed.display);
            }
            let origin = targets::origin_chat(job.origin.as_ref());
            if let Some(d) = &edit.deliver {
                rules.check_targets(d, origin.as_ref())?;
                job.deliver = Some(Value::String(d.clone()));
            }
            if let Some(f) = &edit.failure_deliver {
                if f.trim().is_empty() {
                    job.extra.remove("failure_deliver");
                } else {
                    rules.check_targets(f, origin.as_ref())?;
                    job.extra.insert(
                        "failure_deliver".into(),
                        Value::String(f.trim().to_string()),
                    );
                }
            }
            if let Some(p) = edit.prompt {
                job.prompt = Some(p);
            }
            if let Some(n) = edit.name.filter(|n| !n.trim().is_empty()) {
                job.name = Some(n.trim().to_string());
            }
            if let Some(n) = edit.repeat {
                let r = job.repeat.get_or_insert_with(Repeat::default);
                r.times = u32::try_from(n).ok().filter(|n| *n > 0);
            }
            if let Some(s) = edit.skills {
                rules.check_skills(&s)?;
                job.set_skills(s);
            }
            if let Some(s) = edit.script {
                let s = s.trim();
                if s.is_empty() {
                    if job.no_agent {
                        return Err(CronError::NoAgentWithoutScript);
                    }
                    job.script = None;
                } else {
                    script::resolve(&rules.scripts_dir, s)?;
                    job.script = Some(s.to_string());
                }
            }
            if let Some(w) = edit.workdir {
                job.workdir = check_workdir(&w)?;
            }
            if let Some(n) = edit.no_agent {
                if n && job.script.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    return Err(CronError::NoAgentWithoutScript);
                }
                job.no_agent = n;
            }
            if !job.no_agent
                && job.prompt.as_deref().unwrap_or_default().trim().is_empty()
                && job.skills.is_empty()
                && job.script.is_none()
            {
                return Err(CronError::EmptyJob);
            }
            Ok(job.clone())
        })
    }

    /// Pauses a job.
    pub fn pause(&self, reference: &str, now: &Zoned) -> Result<Job, CronError> {
        self.update(|jobs| {
            let i = find(jobs, reference)?;
            let job = &mut jobs[i];
            job.enabled = false;
            job.state = Some("paused".into());
            job.paused_at = Some(format_time(now));
            Ok(job.clone())
        })
    }

    /// Resumes a paused job from its next future time.
    pub fn resume(&self, reference: &str, now: &Zoned) -> Result<Job, CronError> {
        let tz = self.tz.clone();
        self.update(|jobs| {
            let i = find(jobs, reference)?;
            let job = &mut jobs[i];
            let parsed = job.parsed_schedule(&tz)?;
            let next = first_run(&parsed.schedule, now)?;
            job.enabled = true;
            job.state = Some("scheduled".into());
            job.paused_at = None;
            job.paused_reason = None;
            job.set_next_run(Some(&next));
            Ok(job.clone())
        })
    }

    /// Marks a job due, so the next tick runs it however late that tick comes.
    pub fn trigger(&self, reference: &str, now: &Zoned) -> Result<Job, CronError> {
        self.update(|jobs| {
            let i = find(jobs, reference)?;
            let job = &mut jobs[i];
            job.enabled = true;
            job.state = Some("scheduled".into());
            job.paused_at = None;
            job.paused_reason = None;
            job.set_next_run(Some(now));
            job.extra
                .insert(super::tick::RUN_NOW_KEY.into(), Value::Bool(true));
            Ok(job.clone())
        })
    }

    /// Removes a job and its output directory.
    pub fn remove(&self, reference: &str) -> Result<Job, CronError> {
        let job = self.update(|jobs| Ok(jobs.remove(find(jobs, reference)?)))?;
        if is_safe_id(&job.id) {
            let dir = self.output_dir(&job.id);
            if dir.is_dir() {
                std::fs::remove_dir_all(&dir).map_err(Self::io("remove", &dir))?;
            }
        }
        Ok(job)
    }

    /// The job an id or name refers to.
    pub fn get(&self, reference: &str) -> Result<Job, CronError> {
        self.read(|jobs| find(jobs, reference).map(|i| jobs[i].clone()))?
    }
}

/// Whether an id is safe as a directory name under `cron/output/`.
#[must_use]
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty() && id != "." && id != ".." && !id.contains(['/', '\\'])
}

/// The index of the job an id (exact) or name (case-insensitive, unambiguous) refers to.
pub fn find(jobs: &[Job], reference: &str) -> Result<usize, CronError> {
    if let Some(i) = jobs.iter().position(|j| j.id == reference) {
        return Ok(i);
    }
    let lower = reference.to_lowercase();
    let matches: Vec<usize> = (0..jobs.len())
        .filter(|i| {
            jobs[*i]
                .name
                .as_deref()
                .is_some_and(|n| n.to_lowercase() == lower)
        })
        .collect();
    match matches[..] {
        [i] => Ok(i),
        [] => Err(CronError::NotFound {
            reference: reference.to_string(),
        }),
        _ => Err(CronError::Ambiguous {
            reference: reference.to_string(),
            ids: matches.iter().map(|i| jobs[*i].id.clone()).collect(),
        }),
    }
}

fn first_run(s: &Schedule, now: &Zoned) -> Result<Zoned, CronError> {
    let next = s.first_run(now);
    match (s, next) {
        (Schedule::Once { run_at }, Some(at))
            if now.timestamp().duration_since(at.timestamp()).as_secs() > ONESHOT_GRACE_SECS =>
        {
            Err(CronError::PastOneShot {
                run_at: format_time(run_at),
            })
        }
        (_, Some(at)) => Ok(at),
        (_, None) => Err(CronError::Schedule(schedule::ScheduleError::Unrecognised {
            input: "a schedule that never fires".into(),
        })),
    }
}

fn check_workdir(raw: &str) -> Result<Option<String>, CronError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(raw);
    let bad = |problem| CronError::Workdir {
        path: path.clone(),
        problem,
    };
    if !path.is_absolute() {
        return Err(bad("must be an absolute path"));
    }
    let resolved = std::fs::canonicalize(&path).map_err(|_| bad("does not exist"))?;
    if !resolved.is_dir() {
        return Err(bad("is not a directory"));
    }
    Ok(Some(resolved.display().to_string()))
}

/// A fresh job id: 12 hex digits.
#[must_use]
pub fn new_id() -> String {
    let mut b = [0u8; 6];
    // The OS random source failing is not something a job id can recover from; fall back
    // to the clock, which is unique enough for one store.
    if getrandom::fill(&mut b).is_err() {
        let n = Timestamp::now().as_nanosecond().to_le_bytes();
        b.copy_from_slice(&n[..6]);
    }
    b.iter().fold(String::with_capacity(12), |mut s, x| {
        use std::fmt::Write;
        let _ = write!(s, "{x:02x}");
        s
    })
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod tests;
