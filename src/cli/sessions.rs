//! `hermes sessions` — list, read, export, rename, delete and prune conversations in
//! `state.db` (upstream's transcripts included). The store does the work; this file renders.

use std::fmt::Write as _;
use std::io::BufRead;
use std::path::PathBuf;

use anyhow::Context as _;
use hermes::gateway::reset::resolve_time_zone;
use hermes::store::{Message, Session, SessionQuery, SessionStore, Store, StoreError};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::Context;
use super::error::CliError;

/// Browse, export and clean up conversation history (`state.db`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List recent sessions, newest first.
    List {
        /// Show at most this many.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        /// Only sessions from this platform (`telegram`, `cli`, …).
        #[arg(long, visible_alias = "source", value_name = "PLATFORM")]
        platform: Option<String>,
        /// Only sessions whose title contains this text.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a session's transcript.
    Show {
        /// The session id (or a unique prefix).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export a session as JSON Lines (upstream's format) or Markdown.
    Export {
        /// The session id (or a unique prefix).
        id: String,
        /// The format.
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
        /// Write to this file (mode 0600) instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Set or change a session's title.
    Rename {
        /// The session id (or a unique prefix).
        id: String,
        /// The new title (several words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        title: Vec<String>,
    },
    /// Delete a session and all its messages.
    Delete {
        /// The session id (or a unique prefix).
        id: String,
        /// Do not ask for confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Delete ended sessions that started more than DAYS ago.
    Prune {
        /// Age in days (`90`), or with a unit: `36h`, `2d`, `1w`.
        #[arg(long, default_value = "90", value_name = "DAYS", value_parser = parse_age)]
        older_than: SignedDuration,
        /// Only sessions from this platform.
        #[arg(long, visible_alias = "source", value_name = "PLATFORM")]
        platform: Option<String>,
        /// List what would be deleted, delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Show session and message counts and the database size.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// One JSON object per line: the session's fields and its `messages`.
    Jsonl,
    /// A readable Markdown transcript.
    Md,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let store = open(cx)?;
    let tz = display_tz(cx);
    match args.action {
        Action::List {
            limit,
            platform,
            search,
            json,
        } => {
            let query = SessionQuery {
                platform,
                limit,
                search,
                include_archived: false,
            };
            list(cx, store.as_ref(), &query, json, &tz)
        }
        Action::Show { id, json } => {
            let (store, session) = find(store, &id)?;
            let messages = store.messages(&session.id).map_err(user)?;
            if json {
                cx.out.json(&json!({
                    "session": session_json(&session),
                    "messages": messages.iter().map(message_json).collect::<Vec<_>>(),
                }));
            } else {
                cx.out.raw(&transcript(&session, &messages, &tz));
            }
            Ok(())
        }
        Action::Export { id, format, output } => {
            let (store, session) = find(store, &id)?;
            let messages = store.messages(&session.id).map_err(user)?;
            let text = match format {
                Format::Jsonl => format!("{}\n", export_jsonl(&session, &messages)),
                Format::Md => markdown(&session, &messages, &tz),
            };
            match output {
                None => cx.out.raw(&text),
                Some(path) => {
                    hermes::fsutil::write_atomic(&path, text.as_bytes(), Some(0o600))
                        .with_context(|| format!("writing {}", path.display()))?;
                    cx.out.success(format!(
                        "Exported 1 session ({} messages) to {}",
                        messages.len(),
                        path.display()
                    ));
                }
            }
            Ok(())
        }
        Action::Rename { id, title } => {
            let (store, session) = find(store, &id)?;
            let title = store
                .set_title(&session.id, Some(&title.join(" ")))
                .map_err(user)?;
            match title {
                Some(t) => cx
                    .out
                    .success(format!("Session '{}' renamed to: {t}", session.id)),
                None => cx
                    .out
                    .success(format!("Session '{}' title cleared", session.id)),
            }
            Ok(())
        }
        Action::Delete { id, yes } => {
            let (store, session) = find(store, &id)?;
            if !yes
                && !confirm(
                    cx,
                    &format!(
                        "Delete session '{}' and all its messages? [y/N] ",
                        session.id
                    ),
                )?
            {
                return Err(CliError::cancelled("Cancelled; nothing was deleted.").into());
            }
            store.delete_session(&session.id).map_err(user)?;
            cx.out.success(format!("Deleted session '{}'.", session.id));
            Ok(())
        }
        Action::Prune {
            older_than,
            platform,
            dry_run,
            yes,
        } => prune(
            cx,
            store.as_ref(),
            older_than,
            platform.as_deref(),
            dry_run,
            yes,
            &tz,
        ),
        Action::Stats { json } => stats(cx, store.as_ref(), json),
    }
}

/// Opens `state.db` if it exists; reading commands treat a missing file as an empty store.
fn open(cx: &Context) -> anyhow::Result<Option<Store>> {
    let path = cx.paths.state_db();
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(Store::open(&path).map_err(user)?))
}

/// The profile's `timezone`, else the system's.
fn display_tz(cx: &Context) -> TimeZone {
    cx.settings()
        .ok()
        .and_then(|s| resolve_time_zone(&s.timezone).ok())
        .unwrap_or_else(TimeZone::system)
}

/// A store error as a user error (`main` renders its hints).
pub(crate) fn user(e: StoreError) -> anyhow::Error {
    e.into()
}

/// Resolves an id or prefix to a session, or fails with a hint.
fn find(store: Option<Store>, id: &str) -> anyhow::Result<(Store, Session)> {
    let not_found = || user(StoreError::SessionNotFound { id: id.to_string() });
    let store = store.ok_or_else(not_found)?;
    let full = store.resolve_session_id(id).map_err(user)?;
    let session = store.session(&full).map_err(user)?.ok_or_else(not_found)?;
    Ok((store, session))
}

/// Asks on stderr; `--no-input` refuses instead of asking.
fn confirm(cx: &Context, prompt: &str) -> anyhow::Result<bool> {
    use std::io::Write;
    if cx.no_input {
        return Err(CliError::user("refusing to delete without confirmation")
            .hint("pass `--yes` (`-y`) to delete without the prompt")
            .into());
    }
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(prompt.as_bytes());
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("reading the confirmation")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn parse_age(s: &str) -> Result<SignedDuration, String> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_lowercase()),
        _ => (s, 'd'),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not an age (try `90`, `2w` or `36h`)"))?;
    let hours = match unit {
        'h' => 1,
        'd' => 24,
        'w' => 24 * 7,
        _ => return Err(format!("unknown unit in `{s}` (use h, d or w)")),
    };
    if n < 0 {
        return Err("the age cannot be negative".into());
    }
    Ok(SignedDuration::from_hours(n.saturating_mul(hours)))
}

fn list(
    cx: &Context,
    store: Option<&Store>,
    query: &SessionQuery,
    json: bool,
    tz: &TimeZone,
) -> anyhow::Result<()> {
    let rows = match store {
        Some(s) => s.list_sessions(query).map_err(user)?,
        None => Vec::new(),
    };
    if json {
        let items: Vec<Value> = rows
            .iter()
            .map(|r| {
                let mut v = session_json(&r.session);
                v["preview"] = json!(r.preview);
                v["last_active"] = json!(r.last_active.to_string());
                v
            })
            .collect();
        cx.out.json(&Value::Array(items));
        return Ok(());
    }
    if rows.is_empty() {
        cx.out.status("No sessions found.");
        return Ok(());
    }
    let now = Timestamp::now();
    let titled = rows.iter().any(|r| r.session.title.is_some());
    let cut = |s: &str, n: usize| -> String {
        if s.chars().count() > n {
            format!("{}…", s.chars().take(n - 1).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let when = relative(r.last_active, now, tz);
            let s = &r.session;
            if titled {
                let title = s.title.as_deref().unwrap_or("—");
                vec![cut(title, 30), cut(&r.preview, 38), when, s.id.clone()]
            } else {
                vec![cut(&r.preview, 48), when, s.source.clone(), s.id.clone()]
            }
        })
        .collect();
    if titled {
        cx.out
            .table(&["Title", "Preview", "Last Active", "ID"], &table);
    } else {
        cx.out
            .table(&["Preview", "Last Active", "Src", "ID"], &table);
    }
    Ok(())
}

fn prune(
    cx: &Context,
    store: Option<&Store>,
    older_than: SignedDuration,
    platform: Option<&str>,
    dry_run: bool,
    yes: bool,
    tz: &TimeZone,
) -> anyhow::Result<()> {
    let what = format!(
        "ended, started more than {} ago{}",
        age(older_than),
        platform.map(|p| format!(", from {p}")).unwrap_or_default()
    );
    let candidates = match store {
        Some(s) => s.prune_candidates(older_than, platform).map_err(user)?,
        None => Vec::new(),
    };
    let (Some(store), false) = (store, candidates.is_empty()) else {
        cx.out.status(format!("No sessions match ({what})."));
        return Ok(());
    };
    if dry_run || !yes {
        cx.out
            .status(format!("{} session(s) match ({what}):", candidates.len()));
        let shown = if dry_run { candidates.len() } else { 15 };
        for s in candidates.iter().take(shown) {
            cx.out.status(format!(
                "  {}  {}  {:<10} {:>4} msgs  {}",
                s.id,
                local(s.started_at, tz),
                s.source,
                s.message_count,
                s.title.as_deref().unwrap_or("")
            ));
        }
        if candidates.len() > shown {
            cx.out
                .status(format!("  … and {} more", candidates.len() - shown));
        }
        if dry_run {
            cx.out.status("Dry run — nothing deleted.");
            return Ok(());
        }
        if !confirm(
            cx,
            &format!("Delete these {} session(s)? [y/N] ", candidates.len()),
        )? {
            return Err(CliError::cancelled("Cancelled; nothing was deleted.").into());
        }
    }
    let n = store.prune_sessions(older_than, platform).map_err(user)?;
    cx.out.success(format!("Pruned {n} session(s)."));
    Ok(())
}

fn stats(cx: &Context, store: Option<&Store>, json: bool) -> anyhow::Result<()> {
    let stats = match store {
        Some(s) => s.stats().map_err(user)?,
        None => hermes::store::StoreStats::default(),
    };
    if json {
        let by: serde_json::Map<String, Value> = stats
            .by_platform
            .iter()
            .map(|(p, n)| (p.clone(), json!(n)))
            .collect();
        cx.out.json(&json!({
            "sessions": stats.sessions,
            "messages": stats.messages,
            "by_platform": by,
            "database_bytes": stats.file_bytes,
        }));
        return Ok(());
    }
    cx.out.data(format!("Total sessions: {}", stats.sessions));
    cx.out.data(format!("Total messages: {}", stats.messages));
    for (platform, n) in &stats.by_platform {
        cx.out.data(format!("  {platform}: {n} sessions"));
    }
    // Display only: a float's precision is plenty for a size in MB.
    #[allow(clippy::cast_precision_loss)]
    let mb = stats.file_bytes as f64 / (1024.0 * 1024.0);
    cx.out.data(format!("Database size: {mb:.1} MB"));
    Ok(())
}

/// `2w`, `3d` or `36h`, whichever reads exactly.
fn age(d: SignedDuration) -> String {
    let h = d.as_hours();
    match (h % 24, h / 24) {
        (0, days) if days % 7 == 0 && days > 0 => format!("{}w", days / 7),
        (0, days) => format!("{days}d"),
        _ => format!("{h}h"),
    }
}

/// Like upstream's listing: `just now`, `5m ago`, `3h ago`, `yesterday`, `4d ago`, or a date.
fn relative(t: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let secs = now.duration_since(t).as_secs();
    match secs {
        ..60 => "just now".into(),
        60..3600 => format!("{}m ago", secs / 60),
        3600..86_400 => format!("{}h ago", secs / 3600),
        86_400..172_800 => "yesterday".into(),
        172_800..604_800 => format!("{}d ago", secs / 86_400),
        _ => t.to_zoned(tz.clone()).strftime("%Y-%m-%d").to_string(),
    }
}

fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Seconds since the epoch, as upstream's export writes times.
fn epoch(t: Timestamp) -> f64 {
    t.duration_since(Timestamp::UNIX_EPOCH).as_secs_f64()
}

fn session_json(s: &Session) -> Value {
    json!({
        "id": s.id,
        "source": s.source,
        "title": s.title,
        "model": s.model,
        "user_id": s.user_id,
        "session_key": s.session_key,
        "chat_id": s.chat_id,
        "chat_type": s.chat_type,
        "thread_id": s.thread_id,
        "parent_session_id": s.parent_id,
        "started_at": s.started_at.to_string(),
        "ended_at": s.ended_at.map(|t| t.to_string()),
        "end_reason": s.end_reason,
        "message_count": s.message_count,
        "tool_call_count": s.tool_call_count,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "total_tokens": s.total_tokens(),
    })
}

fn message_json(m: &Message) -> Value {
    json!({
        "id": m.id,
        "role": m.role,
        "content": m.parts.clone().unwrap_or_else(|| json!(m.content)),
        "tool_calls": m.tool_calls,
        "tool_call_id": m.tool_call_id,
        "tool_name": m.tool_name,
        "timestamp": m.timestamp.to_string(),
        "token_count": m.token_count,
    })
}

/// Upstream's `sessions export` line: the session row's fields plus `messages`, epoch times.
fn export_jsonl(s: &Session, messages: &[Message]) -> String {
    let msgs: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "session_id": m.session_id,
                "role": m.role,
                "content": m.parts.clone().unwrap_or_else(|| json!(m.content)),
                "tool_call_id": m.tool_call_id,
                "tool_calls": m.tool_calls,
                "tool_name": m.tool_name,
                "timestamp": epoch(m.timestamp),
                "token_count": m.token_count,
                "finish_reason": m.finish_reason,
            })
        })
        .collect();
    let v = json!({
        "id": s.id,
        "source": s.source,
        "user_id": s.user_id,
        "session_key": s.session_key,
        "chat_id": s.chat_id,
        "chat_type": s.chat_type,
        "thread_id": s.thread_id,
        "display_name": s.display_name,
        "model": s.model,
        "parent_session_id": s.parent_id,
        "started_at": epoch(s.started_at),
        "ended_at": s.ended_at.map(epoch),
        "end_reason": s.end_reason,
        "message_count": s.message_count,
        "tool_call_count": s.tool_call_count,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "title": s.title,
        "messages": msgs,
    });
    v.to_string()
}

/// `name(args)` for each tool call of an assistant message.
fn tool_calls(m: &Message) -> Vec<String> {
    let Some(Value::Array(calls)) = &m.tool_calls else {
        return Vec::new();
    };
    calls
        .iter()
        .map(|c| {
            let f = &c["function"];
            format!(
                "{}({})",
                f["name"].as_str().unwrap_or("?"),
                f["arguments"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn header(s: &Session, tz: &TimeZone) -> Vec<(&'static str, String)> {
    let mut rows = vec![("Session", s.id.clone())];
    if let Some(t) = &s.title {
        rows.push(("Title", t.clone()));
    }
    let chat = match (&s.chat_type, &s.chat_id) {
        (Some(kind), Some(id)) => format!("{} ({kind} {id})", s.source),
        _ => s.source.clone(),
    };
    rows.push(("Source", chat));
    if let Some(m) = &s.model {
        rows.push(("Model", m.clone()));
    }
    rows.push(("Started", local(s.started_at, tz)));
    if let Some(end) = s.ended_at {
        let why = s.end_reason.as_deref().unwrap_or("ended");
        rows.push(("Ended", format!("{} ({why})", local(end, tz))));
    }
    rows.push((
        "Tokens",
        format!(
            "{} in, {} out, {} total",
            s.input_tokens,
            s.output_tokens,
            s.total_tokens()
        ),
    ));
    rows.push(("Messages", s.message_count.to_string()));
    rows
}

fn transcript(s: &Session, messages: &[Message], tz: &TimeZone) -> String {
    let mut out = String::new();
    for (k, v) in header(s, tz) {
        let _ = writeln!(out, "{:<9} {v}", format!("{k}:"));
    }
    for m in messages {
        let time = m
            .timestamp
            .to_zoned(tz.clone())
            .strftime("%H:%M")
            .to_string();
        let who = match &m.tool_name {
            Some(name) if m.role == "tool" => format!("tool ({name})"),
            _ => m.role.clone(),
        };
        out.push('\n');
        if let Some(text) = m.content.as_deref().filter(|t| !t.is_empty()) {
            let _ = writeln!(out, "[{time}] {who}: {}", text.replace('\n', "\n  "));
        }
        for call in tool_calls(m) {
            let _ = writeln!(out, "[{time}] {who} → {call}");
        }
    }
    out
}

fn markdown(s: &Session, messages: &[Message], tz: &TimeZone) -> String {
    let mut out = format!("# {}\n\n", s.title.as_deref().unwrap_or(&s.id));
    for (k, v) in header(s, tz) {
        let _ = writeln!(out, "- **{k}:** {v}");
    }
    for m in messages {
        let when = local(m.timestamp, tz);
        let who = match m.role.as_str() {
            "user" => "User".to_string(),
            "assistant" => "Assistant".to_string(),
            "system" => "System".to_string(),
            "tool" => format!("Tool `{}`", m.tool_name.as_deref().unwrap_or("?")),
            other => other.to_string(),
        };
        let mut blocks = Vec::new();
        if let Some(text) = m.content.as_deref().filter(|t| !t.is_empty()) {
            blocks.push(if m.role == "tool" {
                format!("```\n{text}\n```")
            } else {
                text.to_string()
            });
        }
        blocks.extend(tool_calls(m).into_iter().map(|c| format!("→ `{c}`")));
        let _ = write!(out, "\n## {who} ({when})\n\n{}\n", blocks.join("\n\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_with_units() {
        assert_eq!(
            parse_age("90").unwrap(),
            SignedDuration::from_hours(90 * 24)
        );
        assert_eq!(parse_age("36h").unwrap(), SignedDuration::from_hours(36));
        assert_eq!(
            parse_age("2W").unwrap(),
            SignedDuration::from_hours(14 * 24)
        );
        assert!(parse_age("x").is_err());
        assert!(parse_age("3m").is_err());
        assert!(parse_age("-1").is_err());
        assert_eq!(age(parse_age("14").unwrap()), "2w");
        assert_eq!(age(parse_age("3d").unwrap()), "3d");
        assert_eq!(age(parse_age("36h").unwrap()), "36h");
    }

    #[test]
    fn relative_times_like_upstream() {
        let now: Timestamp = "2025-06-10T12:00:00Z".parse().unwrap();
        let ago = |secs: i64| now - SignedDuration::from_secs(secs);
        let tz = TimeZone::UTC;
        assert_eq!(relative(ago(5), now, &tz), "just now");
        assert_eq!(relative(ago(600), now, &tz), "10m ago");
        assert_eq!(relative(ago(7200), now, &tz), "2h ago");
        assert_eq!(relative(ago(90_000), now, &tz), "yesterday");
        assert_eq!(relative(ago(3 * 86_400), now, &tz), "3d ago");
        assert_eq!(relative(ago(30 * 86_400), now, &tz), "2025-05-11");
    }
}
