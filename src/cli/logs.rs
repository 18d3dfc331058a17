//! `hermes logs` — view, follow and filter agent.log, errors.log and gateway.log.

use std::path::Path;
use std::time::{Duration, SystemTime};

use hermes::logs::Level;
use hermes::logs::read::{self, Filter, Follower, Record};

use super::Context;
use super::error::CliError;

/// View, follow and filter the logs (agent.log, errors.log, gateway.log).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  hermes logs                     last 50 lines of agent.log
  hermes logs -f                  follow agent.log
  hermes logs errors              last 50 lines of errors.log
  hermes logs gateway -n 100      last 100 lines of gateway.log
  hermes logs --level WARNING     warnings and worse
  hermes logs --since 30m -f      the last half hour, then follow
  hermes logs --platform telegram lines about Telegram
  hermes logs list                the log files with sizes and ages")]
pub(crate) struct Args {
    /// Which log: agent (default), errors, gateway, or `list` for the files.
    #[arg(value_name = "LOG", default_value = "agent")]
    log: String,
    /// How many records to show.
    #[arg(short = 'n', long = "lines", default_value_t = 50, value_name = "N")]
    lines: usize,
    /// Keep printing new records (Ctrl+C to stop); survives log rotation.
    #[arg(short = 'f', long)]
    follow: bool,
    /// Minimum level: DEBUG, INFO, WARNING, ERROR, CRITICAL.
    #[arg(long, value_name = "LEVEL")]
    level: Option<String>,
    /// Only records from the last TIME (e.g. 30m, 1h, 2d).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only records mentioning this session id (substring).
    #[arg(long, value_name = "ID")]
    session: Option<String>,
    /// Only one component: gateway, agent, tools, cli, cron, gui, api.
    #[arg(long, value_name = "NAME")]
    component: Option<String>,
    /// Only records about one platform (telegram, weixin, …).
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
    /// One JSON object per record.
    #[arg(long)]
    json: bool,
}

const LOGS: &[(&str, &str)] = &[
    ("agent", "agent.log"),
    ("errors", "errors.log"),
    ("gateway", "gateway.log"),
];

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let dir = cx.paths.logs_dir();
    if args.log == "list" {
        return list(cx, &dir);
    }
    let Some((_, file)) = LOGS.iter().find(|(n, _)| *n == args.log) else {
        return Err(CliError::user(format!(
            "Unknown log: '{}'. Available: {}, list",
            args.log,
            LOGS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ))
        .into());
    };
    let filter = build_filter(&args)?;
    let path = dir.join(file);
    if !path.exists() {
        return Err(CliError::user(format!("Log file not found: {}", path.display()))
            .hint("logs are created when hermes runs — try `hermes gateway run` or `hermes chat` first")
            .into());
    }
    let mut desc = Vec::new();
    if let Some(l) = &args.level {
        desc.push(format!("level>={}", l.to_ascii_uppercase()));
    }
    for (k, v) in [
        ("session", &args.session),
        ("component", &args.component),
        ("platform", &args.platform),
        ("since", &args.since),
    ] {
        if let Some(v) = v {
            desc.push(format!("{k}={v}"));
        }
    }
    let desc = if desc.is_empty() {
        String::new()
    } else {
        format!(" [{}]", desc.join(", "))
    };
    let tail = if args.follow {
        "(Ctrl+C to stop)".to_string()
    } else {
        format!("(last {})", args.lines)
    };
    cx.out
        .status(format!("--- {}{desc} {tail} ---", display_path(cx, &path)));
    for r in read::tail(&path, args.lines, &filter)? {
        print_record(cx, &r, args.json);
    }
    if args.follow {
        follow(cx, &path, &filter, args.json)?;
    }
    Ok(())
}

fn display_path(cx: &Context, p: &Path) -> String {
    p.strip_prefix(cx.paths.user_home()).map_or_else(
        |_| p.display().to_string(),
        |r| format!("~/{}", r.display()),
    )
}

fn build_filter(args: &Args) -> anyhow::Result<Filter> {
    let level = match &args.level {
        Some(l) => Some(Level::parse(l).ok_or_else(|| {
            CliError::user(format!("Invalid --level value: '{l}'"))
                .hint("use one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        })?),
        None => None,
    };
    let since = match &args.since {
        Some(v) => {
            let secs = read::parse_since(v).ok_or_else(|| {
                CliError::user(format!(
                    "Invalid --since value: '{v}'. Use format like '1h', '30m', '2d'."
                ))
            })?;
            let at = jiff::Zoned::now().checked_sub(jiff::SignedDuration::from_secs(
                i64::try_from(secs).unwrap_or(i64::MAX),
            ))?;
            Some(at.strftime("%Y-%m-%d %H:%M:%S").to_string())
        }
        None => None,
    };
    if let Some(c) = &args.component
        && !read::COMPONENTS.contains(&c.as_str())
    {
        return Err(CliError::user(format!("Unknown component: '{c}'"))
            .hint(format!("use one of {}", read::COMPONENTS.join(", ")))
            .into());
    }
    Ok(Filter {
        level,
        since,
        session: args.session.clone(),
        component: args.component.clone(),
        platform: args.platform.clone(),
    })
}

fn print_record(cx: &Context, r: &Record, json: bool) {
    if json {
        cx.out.data(serde_json::to_string(r).unwrap_or_default());
    } else {
        cx.out.data(&r.raw);
    }
}

fn follow(cx: &Context, path: &Path, filter: &Filter, json: bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut follower = Follower::at_end(path);
        let mut last_passed = false;
        // With --json a record is printed once it is complete: when the next record starts,
        // or when nothing was written for a tick (its traceback lines come with it).
        let mut pending: Option<Record> = None;
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {
                    if let Some(r) = pending.take() {
                        print_record(cx, &r, json);
                    }
                    cx.out.status("--- stopped ---");
                    return Ok(());
                }
                _ = tick.tick() => {
                    let lines = follower.poll()?;
                    if lines.is_empty()
                        && let Some(r) = pending.take()
                    {
                        print_record(cx, &r, json);
                    }
                    for line in lines {
                        match read::parse_line(&line) {
                            Some(r) => {
                                if let Some(done) = pending.take() {
                                    print_record(cx, &done, json);
                                }
                                last_passed = filter.matches(&r);
                                if last_passed && json {
                                    pending = Some(r);
                                } else if last_passed {
                                    print_record(cx, &r, json);
                                }
                            }
                            // A continuation line goes with the record above it (with
                            // --json, one that comes after its record was printed is lost).
                            None if last_passed => match pending.as_mut() {
                                Some(r) => r.push_continuation(&line),
                                None if !json => cx.out.data(&line),
                                None => {}
                            },
                            None => {}
                        }
                    }
                }
            }
        }
    })
}

fn list(cx: &Context, dir: &Path) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).collect())
        .unwrap_or_default();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .map_or_else(|| "?".into(), age_text);
        rows.push(vec![
            e.file_name().to_string_lossy().into_owned(),
            size_text(meta.len()),
            age,
        ]);
    }
    if rows.is_empty() {
        cx.out
            .status(format!("No log files in {} yet.", dir.display()));
        return Ok(());
    }
    cx.out.table(&["FILE", "SIZE", "MODIFIED"], &rows);
    Ok(())
}

fn size_text(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // display only
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}

fn age_text(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        "just now".into()
    } else if s < 3600 {
        format!("{}m ago", s / 60)
    } else if s < 86_400 {
        format!("{}h ago", s / 3600)
    } else {
        format!("{}d ago", s / 86_400)
    }
}
