//! Log files under `<home>/logs/` in the Python original's text format, so `hermes logs` and
//! people read one format whichever binary wrote it:
//! `2026-04-06 18:50:48,007 INFO [session] gateway.run: message`.
//! `agent.log` takes INFO+ from everything, `errors.log` WARNING+, `gateway.log` the gateway's
//! components; files rotate by size; secrets are redacted before anything is written.

pub mod read;
mod redact;

use std::fmt::Display;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

pub use redact::Redactor;

/// Log levels, in upstream's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Detail for debugging.
    Debug,
    /// Normal events.
    Info,
    /// Something worth a look.
    Warning,
    /// A failure.
    Error,
    /// A failure that stops the process.
    Critical,
}

impl Level {
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
            Self::Critical => "CRITICAL",
        }
    }

    /// Parses a level name (case-insensitive; `WARN` accepted).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "DEBUG" => Some(Self::Debug),
            "INFO" => Some(Self::Info),
            "WARNING" | "WARN" => Some(Self::Warning),
            "ERROR" => Some(Self::Error),
            "CRITICAL" | "FATAL" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// Where and how to log.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// `<home>/logs`.
    pub dir: PathBuf,
    /// Minimum level for agent.log (`logging.level`).
    pub level: Level,
    /// Rotation size of agent.log and gateway.log.
    pub max_bytes: u64,
    /// Rotated files kept.
    pub backups: u32,
    /// Also write the gateway's file (`gateway run`).
    pub gateway: bool,
    /// Echo to stderr at this level or above (`gateway run -v`).
    pub stderr: Option<Level>,
}

struct Sink {
    path: PathBuf,
    file: Option<File>,
    size: u64,
    max_bytes: u64,
    backups: u32,
    min: Level,
    gateway_only: bool,
}

impl Sink {
    fn new(path: PathBuf, min: Level, max_bytes: u64, backups: u32, gateway_only: bool) -> Self {
        Self {
            path,
            file: None,
            size: 0,
            max_bytes,
            backups,
            min,
            gateway_only,
        }
    }

    fn write(&mut self, line: &str) {
        if self.file.is_none() {
            self.file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .ok();
            self.size = fs::metadata(&self.path).map_or(0, |m| m.len());
        }
        if self.size + line.len() as u64 > self.max_bytes && self.size > 0 {
            self.rotate();
        }
        if let Some(f) = &mut self.file
            && f.write_all(line.as_bytes()).is_ok()
        {
            self.size += line.len() as u64;
        }
    }

    /// `x.log` → `x.log.1` → … → `x.log.N` (the oldest dropped), then a fresh `x.log`.
    fn rotate(&mut self) {
        self.file = None;
        for i in (1..self.backups).rev() {
            let _ = fs::rename(numbered(&self.path, i), numbered(&self.path, i + 1));
        }
        if self.backups > 0 {
            let _ = fs::rename(&self.path, numbered(&self.path, 1));
        } else {
            let _ = fs::remove_file(&self.path);
        }
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .ok();
        self.size = 0;
    }
}

fn numbered(p: &Path, i: u32) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(format!(".{i}"));
    PathBuf::from(s)
}

struct Logger {
    sinks: Mutex<Vec<Sink>>,
    stderr: Option<Level>,
    redactor: Redactor,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

/// Sets up logging for this process (the first call wins). Failures to create the directory
/// are returned; write failures later are ignored (logging never takes the gateway down).
pub fn init(config: &LogConfig, redactor: Redactor) -> std::io::Result<()> {
    fs::create_dir_all(&config.dir)?;
    let mut sinks = vec![
        Sink::new(
            config.dir.join("agent.log"),
            config.level.min(Level::Info),
            config.max_bytes,
            config.backups,
            false,
        ),
        Sink::new(
            config.dir.join("errors.log"),
            Level::Warning,
            config.max_bytes.min(2 * 1024 * 1024),
            2,
            false,
        ),
    ];
    if config.gateway {
        sinks.push(Sink::new(
            config.dir.join("gateway.log"),
            Level::Info,
            config.max_bytes,
            config.backups,
            true,
        ));
    }
    let _ = LOGGER.set(Logger {
        sinks: Mutex::new(sinks),
        stderr: config.stderr,
        redactor,
    });
    Ok(())
}

/// Whether a logger name belongs to the gateway's components (for gateway.log).
fn is_gateway_target(target: &str) -> bool {
    ["gateway", "platforms", "api", "cron"]
        .iter()
        .any(|p| target == *p || target.starts_with(&format!("{p}.")))
}

/// Formats one line exactly as upstream's formatter does.
#[must_use]
pub fn format_line(
    now: &jiff::Zoned,
    level: Level,
    target: &str,
    session: Option<&str>,
    msg: &str,
) -> String {
    let tag = session.map(|s| format!(" [{s}]")).unwrap_or_default();
    format!(
        "{} {}{} {}: {}\n",
        now.strftime("%Y-%m-%d %H:%M:%S,%3f"),
        level.as_str(),
        tag,
        target,
        msg.replace('\n', "\n    ")
    )
}

/// Writes a record. `target` is a dotted component name (`gateway.run`, `platforms.telegram`,
/// `agent.loop`, `cron`); `session` tags the line with a session id.
pub fn log(level: Level, target: &str, session: Option<&str>, msg: impl Display) {
    let Some(logger) = LOGGER.get() else { return };
    let text = logger.redactor.redact(&msg.to_string());
    let line = format_line(&jiff::Zoned::now(), level, target, session, &text);
    if let Ok(mut sinks) = logger.sinks.lock() {
        for sink in sinks.iter_mut() {
            if level >= sink.min && (!sink.gateway_only || is_gateway_target(target)) {
                sink.write(&line);
            }
        }
    }
    if logger.stderr.is_some_and(|min| level >= min) {
        #[allow(clippy::print_stderr)] // `gateway run -v` echoes its log to the terminal by request
        {
            eprint!("{line}");
        }
    }
}

/// `log(Level::Info, …)`.
pub fn info(target: &str, msg: impl Display) {
    log(Level::Info, target, None, msg);
}

/// `log(Level::Warning, …)`.
pub fn warn(target: &str, msg: impl Display) {
    log(Level::Warning, target, None, msg);
}

/// `log(Level::Error, …)`.
pub fn error(target: &str, msg: impl Display) {
    log(Level::Error, target, None, msg);
}

/// `log(Level::Debug, …)`.
pub fn debug(target: &str, msg: impl Display) {
    log(Level::Debug, target, None, msg);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_matches_upstream() {
        let now: jiff::Zoned = "2026-04-06T18:50:48.007+00:00[UTC]".parse().unwrap();
        assert_eq!(
            format_line(
                &now,
                Level::Info,
                "gateway.run",
                None,
                "✓ telegram connected"
            ),
            "2026-04-06 18:50:48,007 INFO gateway.run: ✓ telegram connected\n"
        );
        assert_eq!(
            format_line(
                &now,
                Level::Warning,
                "agent",
                Some("20260406_185048_abc123"),
                "x"
            ),
            "2026-04-06 18:50:48,007 WARNING [20260406_185048_abc123] agent: x\n"
        );
    }

    #[test]
    fn sinks_filter_and_rotate() {
        let t = tempfile::tempdir().unwrap();
        let mut s = Sink::new(t.path().join("a.log"), Level::Info, 100, 2, false);
        for i in 0..10 {
            s.write(&format!(
                "line {i} ........................................\n"
            ));
        }
        assert!(t.path().join("a.log").exists());
        assert!(t.path().join("a.log.1").exists());
        assert!(t.path().join("a.log.2").exists());
        assert!(!t.path().join("a.log.3").exists());
        assert!(
            fs::read_to_string(t.path().join("a.log"))
                .unwrap()
                .contains("line 9")
        );
        assert!(
            is_gateway_target("gateway.run")
                && is_gateway_target("platforms.telegram")
                && !is_gateway_target("agent")
        );
    }
}
