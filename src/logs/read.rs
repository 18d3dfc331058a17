//! Reading log files for `hermes logs`: records in the original's text format (continuation
//! lines belong to the record above them), filters, and follow across rotation.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Level;

/// One log record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// `YYYY-MM-DD HH:MM:SS,mmm` as written (local time).
    pub timestamp: Option<String>,
    /// The level.
    pub level: Option<String>,
    /// The session tag.
    pub session: Option<String>,
    /// The logger name (`gateway.run`, `platforms.telegram`, …).
    pub component: Option<String>,
    /// The message (continuation lines joined with `\n`).
    pub message: String,
    /// The raw text, all lines.
    #[serde(skip)]
    pub raw: String,
}

/// Parses one line's header; `None` for a continuation line.
#[must_use]
pub fn parse_line(line: &str) -> Option<Record> {
    let b = line.as_bytes();
    let ts_ok = b.len() >= 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && (b[19] == b',' || b[19] == b'.')
        && b[..4].iter().all(u8::is_ascii_digit);
    if !ts_ok {
        return None;
    }
    let timestamp = line[..23].to_string();
    let rest = line[23..].strip_prefix(' ')?;
    let (level, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    Level::parse(level)?;
    let (session, rest) = match rest.strip_prefix('[') {
        Some(r) => match r.split_once("] ") {
            Some((s, after)) => (Some(s.to_string()), after),
            None => (None, rest),
        },
        None => (None, rest),
    };
    let (component, message) = match rest.split_once(": ") {
        Some((c, m)) if !c.contains(' ') => (Some(c.to_string()), m.to_string()),
        _ => (None, rest.to_string()),
    };
    Some(Record {
        timestamp: Some(timestamp),
        level: Some(level.to_string()),
        session,
        component,
        message,
        raw: line.to_string(),
    })
}

impl Record {
    /// Adds a continuation line (a traceback line) to this record.
    pub fn push_continuation(&mut self, line: &str) {
        self.message.push('\n');
        self.message.push_str(line.trim_start());
        self.raw.push('\n');
        self.raw.push_str(line);
    }
}

/// Groups lines into records.
#[must_use]
pub fn parse_records(text: &str) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    for line in text.lines() {
        match parse_line(line) {
            Some(r) => out.push(r),
            None => match out.last_mut() {
                Some(prev) => prev.push_continuation(line),
                None => out.push(Record {
                    timestamp: None,
                    level: None,
                    session: None,
                    component: None,
                    message: line.to_string(),
                    raw: line.to_string(),
                }),
            },
        }
    }
    out
}

/// The filters of `hermes logs`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Minimum level.
    pub level: Option<Level>,
    /// Records at or after this local time (`YYYY-MM-DD HH:MM:SS`).
    pub since: Option<String>,
    /// Session id substring.
    pub session: Option<String>,
    /// Component name (`gateway|agent|tools|cli|cron|gui|api`).
    pub component: Option<String>,
    /// Platform name.
    pub platform: Option<String>,
}

/// Logger-name prefixes of each component (the original's plus ours).
fn component_prefixes(component: &str) -> &'static [&'static str] {
    match component {
        "gateway" => &[
            "gateway",
            "hermes_plugins",
            "plugins.platforms",
            "platforms",
            "api",
        ],
        "agent" => &["agent", "run_agent", "model_tools", "batch_runner"],
        "tools" => &["tools", "agent.tools"],
        "cli" => &["hermes_cli", "cli"],
        "cron" => &["cron"],
        "gui" => &[
            "hermes_cli.web_server",
            "hermes_cli.pty_bridge",
            "tui_gateway",
            "uvicorn",
        ],
        "api" => &["api", "gateway.platforms.api_server"],
        _ => &[],
    }
}

/// The components `--component` accepts.
pub const COMPONENTS: &[&str] = &["gateway", "agent", "tools", "cli", "cron", "gui", "api"];

impl Filter {
    /// Whether any filter is set.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.level.is_some()
            || self.since.is_some()
            || self.session.is_some()
            || self.component.is_some()
            || self.platform.is_some()
    }

    /// Whether a record passes. Records without a header pass the level and time filters, as
    /// the original's reader lets continuation lines through.
    #[must_use]
    pub fn matches(&self, r: &Record) -> bool {
        if let (Some(min), Some(l)) = (self.level, r.level.as_deref().and_then(Level::parse))
            && l < min
        {
            return false;
        }
        if let (Some(since), Some(ts)) = (&self.since, &r.timestamp)
            && ts.as_str() < since.as_str()
        {
            return false;
        }
        if let Some(s) = &self.session
            && !r.raw.contains(s.as_str())
        {
            return false;
        }
        if let Some(c) = &self.component {
            let name = r.component.as_deref().unwrap_or_default();
            if !component_prefixes(c)
                .iter()
                .any(|p| name == *p || name.starts_with(&format!("{p}.")))
            {
                return false;
            }
        }
        if let Some(p) = &self.platform {
            let p = p.to_ascii_lowercase();
            let name = r
                .component
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let in_name = name.split('.').any(|seg| seg == p);
            let msg = r.message.to_ascii_lowercase();
            let in_msg = msg.contains(&format!("[{p}]"))
                || msg.contains(&format!("{p}:"))
                || msg.contains(&format!(" {p} "));
            if !(in_name || in_msg) {
                return false;
            }
        }
        true
    }
}

/// Parses `--since`: `^\d+\s*[smhd]$` into seconds.
#[must_use]
pub fn parse_since(v: &str) -> Option<u64> {
    let v = v.trim();
    let unit = v.chars().last()?;
    let n: u64 = v[..v.len() - 1].trim().parse().ok()?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// The last `n` records of `path` that pass `filter`.
pub fn tail(path: &Path, n: usize, filter: &Filter) -> std::io::Result<Vec<Record>> {
    let text = read_lossy(path)?;
    let records: Vec<Record> = parse_records(&text)
        .into_iter()
        .filter(|r| filter.matches(r))
        .collect();
    let skip = records.len().saturating_sub(n);
    Ok(records.into_iter().skip(skip).collect())
}

fn read_lossy(path: &Path) -> std::io::Result<String> {
    let mut buf = Vec::new();
    File::open(path)?.read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Follows a file like `tail -F`: new complete lines since the last call. The file is kept
/// open, so when it is rotated (renamed, a new file in its place) the rest of the old file is
/// read before the new one; a truncated file is read again from the start.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    file: Option<File>,
    inode: u64,
    offset: u64,
    partial: String,
}

impl Follower {
    /// Starts at the current end of the file.
    #[must_use]
    pub fn at_end(path: &Path) -> Self {
        let file = File::open(path).ok();
        let meta = file.as_ref().and_then(|f| f.metadata().ok());
        Self {
            path: path.to_path_buf(),
            inode: meta.as_ref().map_or(0, MetadataExt::ino),
            offset: meta.map_or(0, |m| m.len()),
            file,
            partial: String::new(),
        }
    }

    /// Reads the held file from the offset to its end into complete lines.
    fn drain(&mut self, lines: &mut Vec<String>) -> std::io::Result<()> {
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        if f.metadata()?.len() < self.offset {
            // Truncated in place: start over.
            self.offset = 0;
            self.partial.clear();
        }
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        self.offset += buf.len() as u64;
        self.partial.push_str(&String::from_utf8_lossy(&buf));
        while let Some(i) = self.partial.find('\n') {
            lines.push(self.partial[..i].to_string());
            self.partial.drain(..=i);
        }
        Ok(())
    }

    /// Complete lines appended since the last call.
    pub fn poll(&mut self) -> std::io::Result<Vec<String>> {
        // Look at the path first, then finish the file we hold: whatever was written to it
        // before the rotation is read before switching.
        let current = std::fs::metadata(&self.path).ok();
        let mut lines = Vec::new();
        self.drain(&mut lines)?;
        let rotated = current.is_some_and(|m| self.file.is_none() || m.ino() != self.inode);
        if rotated {
            // The old file is finished: a last line without a newline is still a line.
            if !self.partial.is_empty() {
                lines.push(std::mem::take(&mut self.partial));
            }
            self.file = File::open(&self.path).ok();
            self.inode = self
                .file
                .as_ref()
                .and_then(|f| f.metadata().ok())
                .map_or(0, |m| m.ino());
            self.offset = 0;
            self.drain(&mut lines)?;
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
2026-04-06 18:50:48,007 INFO gateway.run: ✓ telegram connected
2026-04-06 18:51:00,100 WARNING [20260406_185100_abc123] agent.loop: tool failed
Traceback line 1
  line 2
2026-04-06 19:00:00,000 ERROR platforms.discord: [Discord] gateway closed 4004
2026-04-06 19:05:00,000 INFO cron: tick ran 0 jobs
";

    #[test]
    fn parses_records_with_continuations() {
        let r = parse_records(SAMPLE);
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].session.as_deref(), Some("20260406_185100_abc123"));
        assert_eq!(r[1].component.as_deref(), Some("agent.loop"));
        assert_eq!(r[1].message, "tool failed\nTraceback line 1\nline 2");
        assert_eq!(r[0].level.as_deref(), Some("INFO"));
    }

    #[test]
    fn filters() {
        let r = parse_records(SAMPLE);
        let only = |f: Filter| {
            r.iter()
                .filter(|x| f.matches(x))
                .map(|x| x.timestamp.clone().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            only(Filter {
                level: Some(Level::Warning),
                ..Filter::default()
            })
            .len(),
            2
        );
        assert_eq!(
            only(Filter {
                component: Some("gateway".into()),
                ..Filter::default()
            })
            .len(),
            2
        );
        assert_eq!(
            only(Filter {
                component: Some("agent".into()),
                ..Filter::default()
            })
            .len(),
            1
        );
        assert_eq!(
            only(Filter {
                platform: Some("discord".into()),
                ..Filter::default()
            })
            .len(),
            1
        );
        assert_eq!(
            only(Filter {
                platform: Some("telegram".into()),
                ..Filter::default()
            })
            .len(),
            1
        );
        assert_eq!(
            only(Filter {
                session: Some("abc123".into()),
                ..Filter::default()
            })
            .len(),
            1
        );
        assert_eq!(
            only(Filter {
                since: Some("2026-04-06 19:00:00".into()),
                ..Filter::default()
            })
            .len(),
            2
        );
        assert_eq!(parse_since("1h"), Some(3600));
        assert_eq!(parse_since("30 m"), Some(1800));
        assert_eq!(parse_since("2d"), Some(172_800));
        assert_eq!(parse_since("1w"), None);
        assert_eq!(parse_since("h"), None);
    }

    #[test]
    fn follower_survives_rotation() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("agent.log");
        std::fs::write(&p, "old line\n").unwrap();
        let mut f = Follower::at_end(&p);
        assert!(f.poll().unwrap().is_empty());
        std::fs::write(&p, "old line\nnew 1\npart").unwrap();
        assert_eq!(f.poll().unwrap(), vec!["new 1"]);
        // Written to the old file just before it is rotated: not lost.
        std::fs::write(&p, "old line\nnew 1\npart 2\nlast\n").unwrap();
        std::fs::rename(&p, t.path().join("agent.log.1")).unwrap();
        std::fs::write(&p, "after rotation\n").unwrap();
        assert_eq!(f.poll().unwrap(), vec!["part 2", "last", "after rotation"]);
        // Truncated in place: read again from the start.
        std::fs::write(&p, "").unwrap();
        assert!(f.poll().unwrap().is_empty());
        std::fs::write(&p, "fresh\n").unwrap();
        assert_eq!(f.poll().unwrap(), vec!["fresh"]);
    }
}
