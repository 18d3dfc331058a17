//! One job record, field for field as upstream writes it in `cron/jobs.json`; unknown fields
//! are kept so a rewrite loses nothing. Loading, locking and editing are `jobs`'.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::schedule::{self, ParsedSchedule, format_time, parse_stored_time};

pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn default_true() -> bool {
    true
}

/// `repeat`: how many runs in all (`None` = forever) and how many happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    /// Total runs wanted; `None` repeats forever.
    #[serde(default)]
    pub times: Option<u32>,
    /// Runs claimed so far.
    #[serde(default, deserialize_with = "null_default")]
    pub completed: u32,
    /// Unknown keys, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One job record, field for field as upstream writes it; unknown fields are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// 12 hex digits.
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    /// Friendly name.
    #[serde(default)]
    pub name: Option<String>,
    /// The prompt (agent jobs).
    #[serde(default)]
    pub prompt: Option<String>,
    /// Skills loaded before the prompt, in order.
    #[serde(default, deserialize_with = "null_default")]
    pub skills: Vec<String>,
    /// Legacy single skill (kept equal to `skills[0]`).
    #[serde(default)]
    pub skill: Option<String>,
    /// Per-job model override.
    #[serde(default)]
    pub model: Option<String>,
    /// Per-job provider override.
    #[serde(default)]
    pub provider: Option<String>,
    /// Per-job endpoint override.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Script under `<home>/scripts/`.
    #[serde(default)]
    pub script: Option<String>,
    /// Run the script only, without the agent.
    #[serde(default, deserialize_with = "null_default")]
    pub no_agent: bool,
    /// `{kind, expr|minutes|run_at, display}`, kept raw so odd records survive a rewrite.
    #[serde(default)]
    pub schedule: Value,
    /// The display text, duplicated at the top level by upstream.
    #[serde(default)]
    pub schedule_display: Option<String>,
    /// Run count bookkeeping.
    #[serde(default)]
    pub repeat: Option<Repeat>,
    /// Disabled jobs are paused or finished.
    #[serde(default = "default_true", deserialize_with = "bool_or_true")]
    pub enabled: bool,
    /// `scheduled|paused|completed|running` (or `error`).
    #[serde(default)]
    pub state: Option<String>,
    /// When paused.
    #[serde(default)]
    pub paused_at: Option<String>,
    /// Why paused.
    #[serde(default)]
    pub paused_reason: Option<String>,
    /// Creation time (ISO with offset).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Next run (ISO with offset).
    #[serde(default)]
    pub next_run_at: Option<String>,
    /// Last run start (ISO with offset).
    #[serde(default)]
    pub last_run_at: Option<String>,
    /// `ok|error|delivery_failed|blocked_config`.
    #[serde(default)]
    pub last_status: Option<String>,
    /// The run's error (not delivery).
    #[serde(default)]
    pub last_error: Option<String>,
    /// The delivery's error, separate from the run's.
    #[serde(default)]
    pub last_delivery_error: Option<String>,
    /// Delivery target(s) (a string; a legacy list is accepted).
    #[serde(default)]
    pub deliver: Option<Value>,
    /// The chat the job was created from.
    #[serde(default)]
    pub origin: Option<Value>,
    /// Working directory.
    #[serde(default)]
    pub workdir: Option<String>,
    /// Every other field, kept as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// `next_run_at`, parsed once.
    #[serde(skip)]
    pub(crate) next_run: Option<Timestamp>,
}

fn bool_or_true<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

impl Job {
    /// The name lists show: `name`, else the prompt's start, a skill, the script, the id.
    #[must_use]
    pub fn display_name(&self) -> String {
        fn pick(s: Option<&String>) -> Option<&str> {
            s.map(String::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        }
        pick(self.name.as_ref())
            .or_else(|| pick(self.prompt.as_ref()))
            .or_else(|| self.skills.first().map(String::as_str))
            .or_else(|| pick(self.script.as_ref()))
            .map_or_else(
                || self.id.clone(),
                |s| s.chars().take(50).collect::<String>().trim().to_string(),
            )
    }

    /// The effective state (`scheduled` or `paused` when the field is missing).
    #[must_use]
    pub fn state(&self) -> &str {
        match self.state.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s,
            _ if self.enabled => "scheduled",
            _ => "paused",
        }
    }

    /// The `deliver` value as a string (`local` when unset; a legacy list is joined).
    #[must_use]
    pub fn deliver(&self) -> String {
        match &self.deliver {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
                .join(","),
            _ => "local".into(),
        }
    }

    /// A field from the unknown-field bag as text (`failure_deliver`, …).
    #[must_use]
    pub fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The schedule's display text.
    #[must_use]
    pub fn schedule_display(&self) -> String {
        if let Some(d) = self
            .schedule_display
            .as_deref()
            .filter(|d| !d.trim().is_empty())
        {
            return d.to_string();
        }
        for key in ["display", "value", "expr", "run_at"] {
            if let Some(s) = self.schedule.get(key).and_then(Value::as_str) {
                return s.to_string();
            }
        }
        if let Some(m) = self.schedule.get("minutes").and_then(Value::as_u64) {
            return format!("every {m}m");
        }
        match &self.schedule {
            Value::String(s) if !s.trim().is_empty() => s.clone(),
            _ => "(no schedule)".into(),
        }
    }

    /// The parsed schedule.
    pub fn parsed_schedule(
        &self,
        tz: &TimeZone,
    ) -> Result<ParsedSchedule, schedule::ScheduleError> {
        ParsedSchedule::from_record(&self.schedule, tz)
    }

    /// The next run, parsed.
    #[must_use]
    pub fn next_run(&self) -> Option<Timestamp> {
        self.next_run
    }

    /// Sets `next_run_at` (and its parsed form).
    pub fn set_next_run(&mut self, at: Option<&Zoned>) {
        self.next_run_at = at.map(format_time);
        self.next_run = at.map(Zoned::timestamp);
    }

    /// Whether the scheduler would run it now.
    #[must_use]
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.enabled && self.state() == "scheduled" && self.next_run.is_some_and(|t| t <= now)
    }

    /// Sets `skills` (and the legacy `skill`, kept equal to the first).
    pub fn set_skills(&mut self, skills: Vec<String>) {
        let mut out: Vec<String> = Vec::new();
        for s in skills.into_iter().map(|s| s.trim().to_string()) {
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
        self.skill = out.first().cloned();
        self.skills = out;
    }

    pub(crate) fn after_load(&mut self, tz: &TimeZone) {
        if self.skills.is_empty()
            && let Some(s) = self.skill.clone().filter(|s| !s.trim().is_empty())
        {
            self.skills = vec![s];
        }
        self.next_run = self
            .next_run_at
            .as_deref()
            .and_then(|s| parse_stored_time(s, tz))
            .map(|z| z.timestamp());
    }
}
