//! `hermes send` — one message to any configured platform, without the agent, through the
//! same adapters and delivery path as cron. `MEDIA:<path>` in the text sends that file as an
//! attachment on platforms that can send files.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

use hermes::cron::HomeChannels;
use hermes::gateway::runtime::deliver_message;
use hermes::platforms::{ChatRef, OutboundMessage, registry};

use super::Context;
use super::error::CliError;

/// Send a message to a chat without the agent (e.g. `--to telegram` for the home channel).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where: `telegram` (its home channel), `telegram:<chat_id>[:<thread_id>]`, `all`, or a
    /// comma-separated list.
    #[arg(
        long = "to",
        short = 't',
        value_name = "TARGET",
        required_unless_present = "list"
    )]
    to: Option<String>,
    /// The text (else `-f FILE`, else standard input); with `--list`, a platform to show.
    /// `MEDIA:<path>` in the text sends that file as an attachment.
    message: Option<String>,
    /// Read the text from a file (`-` for standard input).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "message"
    )]
    file: Option<PathBuf>,
    /// A subject (email); other platforms show it as a bold first line.
    #[arg(short = 's', long = "subject", value_name = "SUBJECT")]
    subject: Option<String>,
    /// List the platforms you can send to and their home channels (optionally one platform).
    #[arg(short = 'l', long = "list")]
    list: bool,
    /// Print nothing on success (the exit code says it went out); errors still print.
    #[arg(short = 'q')]
    quiet_exit: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Splits `MEDIA:<path>` tags out of the text: the text without them, and the paths.
fn media_tags(text: &str) -> (String, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        let mut kept = Vec::new();
        for word in line.split(' ') {
            match word.trim().strip_prefix("MEDIA:") {
                Some(path) if !path.is_empty() => files.push(PathBuf::from(path)),
                _ => kept.push(word),
            }
        }
        let kept = kept.join(" ");
        if !kept.trim().is_empty() || line.trim().is_empty() {
            lines.push(kept.trim_end().to_string());
        }
    }
    (lines.join("\n").trim().to_string(), files)
}

fn list(cx: &Context, args: &Args, built: &registry::Built, homes: &HomeChannels, quiet: bool) {
    let filter = args.message.as_deref().map(str::to_ascii_lowercase);
    let rows: Vec<serde_json::Value> = built
        .platforms
        .iter()
        .filter(|p| filter.as_deref().is_none_or(|f| p.name() == f))
        .map(|p| {
            let home = homes.get(p.name()).map(|h| h.chat_id.clone());
            serde_json::json!({"platform": p.name(), "home_channel": home, "files": p.capabilities().files})
        })
        .collect();
    for e in &built.errors {
        if filter.as_deref().is_none_or(|f| e.starts_with(f)) {
            cx.out.warn(e);
        }
    }
    if args.json {
        if !quiet {
            cx.out.json(&serde_json::Value::Array(rows));
        }
    } else if rows.is_empty() {
        match &filter {
            Some(f) => cx.out.status(format!(
                "{f} is not configured in this profile (`hermes gateway setup`)."
            )),
            None => cx
                .out
                .status("No messaging platform is configured (`hermes gateway setup`)."),
        }
    } else if !quiet {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r["platform"].as_str().unwrap_or_default().to_string(),
                    r["home_channel"].as_str().unwrap_or("—").to_string(),
                ]
            })
            .collect();
        cx.out.table(&["PLATFORM", "HOME CHANNEL"], &table);
    }
}

fn read_text(args: &Args) -> anyhow::Result<String> {
    let stdin = || -> anyhow::Result<String> {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::user("cannot read standard input").caused_by(e))?;
        Ok(s)
    };
    Ok(match (&args.message, &args.file) {
        (Some(m), _) => m.clone(),
        (None, Some(f)) if f.as_os_str() == "-" => stdin()?,
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| CliError::user(format!("cannot read {}", f.display())).caused_by(e))?,
        (None, None) if !std::io::stdin().is_terminal() => stdin()?,
        (None, None) => {
            return Err(CliError::usage("nothing to send")
                .hint("give the text, `-f FILE` (`-f -` for standard input), or pipe it in")
                .into());
        }
    })
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let settings = cx.settings()?;
    let env = cx.env()?;
    let homes = HomeChannels::from_config(&env, &settings);
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let built = registry::build(&cx.paths, &settings, &env, &http);
    let quiet = args.quiet_exit;
    if args.list {
        list(cx, &args, &built, &homes, quiet);
        return Ok(());
    }
    let to = args.to.clone().unwrap_or_default();
    let (text, files) = media_tags(&read_text(&args)?);
    if text.is_empty() && files.is_empty() {
        return Err(CliError::user("the message is empty").into());
    }
    for f in &files {
        if !f.is_file() {
            return Err(
                CliError::user(format!("cannot attach {}: no such file", f.display()))
                    .hint("MEDIA:<path> takes the path of an existing file")
                    .into(),
            );
        }
    }
    let resolved = hermes::cron::targets::resolve(&to, None, &homes);
    if resolved.chats.is_empty() && resolved.unresolved.is_empty() {
        return Err(CliError::user(format!("cannot send: '{to}' names no chat"))
            .hint("`hermes send --list` shows the platforms and home channels")
            .into());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut results = Vec::new();
    let mut failed = 0;
    // Targets that do not resolve (no home channel, a bad name) are failures, reported.
    for why in &resolved.unresolved {
        failed += 1;
        cx.out.warn(format!("Not sent: {why}"));
        let target = why.split(": ").next().unwrap_or(why);
        results.push(
            serde_json::json!({"target": target, "ok": false, "message_id": null, "error": why}),
        );
    }
    for target in &resolved.chats {
        let outcome = match built.platforms.iter().find(|p| p.name() == target.platform) {
            None => {
                // Its setup error, as the registry reported it, says why.
                let prefix = target.platform.clone();
                Err(built
                    .errors
                    .iter()
                    .find(|e| e.starts_with(&prefix))
                    .cloned()
                    .unwrap_or_else(|| {
                        format!("{} is not configured in this profile", target.platform)
                    }))
            }
            Some(p) if !files.is_empty() && !p.capabilities().files => Err(format!(
                "{} cannot send files (MEDIA attachments)",
                target.platform
            )),
            Some(p) => {
                let subject_line = args.subject.as_ref().filter(|_| target.platform != "email");
                let body = match subject_line {
                    Some(s) if text.is_empty() => format!("**{s}**"),
                    Some(s) => format!("**{s}**\n\n{text}"),
                    None => text.clone(),
                };
                let msg = OutboundMessage {
                    text: body,
                    subject: args.subject.clone(),
                    attachments: files.clone(),
                    ..OutboundMessage::default()
                };
                let chat = ChatRef {
                    platform: target.platform.clone(),
                    chat_id: target.chat_id.clone(),
                    thread_id: target.thread_id.clone(),
                };
                rt.block_on(deliver_message(
                    p.outbox().as_ref(),
                    p.capabilities(),
                    &chat,
                    &msg,
                ))
                .map(std::option::Option::unwrap_or_default)
                .map_err(|e| e.to_string())
            }
        };
        match &outcome {
            Ok(_) if quiet || args.json => {}
            Ok(_) => cx.out.success(format!("Sent to {target}")),
            Err(e) => {
                failed += 1;
                cx.out.warn(format!("Not sent to {target}: {e}"));
            }
        }
        results.push(serde_json::json!({"target": target.to_string(), "ok": outcome.is_ok(), "message_id": outcome.as_ref().ok(), "error": outcome.as_ref().err()}));
    }
    if args.json && !(quiet && failed == 0) {
        cx.out.json(&serde_json::Value::Array(results));
    }
    if failed > 0 {
        let total = resolved.chats.len() + resolved.unresolved.len();
        return Err(CliError::user(format!("{failed} of {total} target(s) not sent")).into());
    }
    Ok(())
}
