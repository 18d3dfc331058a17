//! `hermes send` — one message to any configured platform, without the agent, through the
//! same adapters and delivery path as cron.

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
    /// The text (else `-f FILE`, else standard input).
    message: Option<String>,
    /// Read the text from a file.
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
    /// List the platforms you can send to and their home channels.
    #[arg(short = 'l', long = "list")]
    list: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let settings = cx.settings()?;
    let env = cx.env()?;
    let homes = HomeChannels::from_config(&env, &settings);
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let built = registry::build(&cx.paths, &settings, &env, &http);
    if args.list {
        let rows: Vec<serde_json::Value> = built
            .platforms
            .iter()
            .map(|p| {
                let home = homes.get(p.name()).map(|h| h.chat_id.clone());
                serde_json::json!({"platform": p.name(), "home_channel": home})
            })
            .collect();
        if args.json {
            cx.out.json(&serde_json::Value::Array(rows));
        } else if rows.is_empty() {
            cx.out
                .status("No messaging platform is configured (`hermes gateway setup`).");
        } else {
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
        return Ok(());
    }
    let to = args.to.unwrap_or_default();
    let text = match (&args.message, &args.file) {
        (Some(m), _) => m.clone(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| CliError::user(format!("cannot read {}", f.display())).caused_by(e))?,
        (None, None) if !std::io::stdin().is_terminal() => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        }
        (None, None) => {
            return Err(CliError::usage("nothing to send")
                .hint("give the text, `-f FILE`, or pipe it in")
                .into());
        }
    };
    if text.trim().is_empty() {
        return Err(CliError::user("the message is empty").into());
    }
    let resolved = hermes::cron::targets::resolve(&to, None, &homes);
    if resolved.chats.is_empty() {
        let why = if resolved.unresolved.is_empty() {
            format!("'{to}' names no chat")
        } else {
            resolved.unresolved.join("; ")
        };
        return Err(CliError::user(format!("cannot send: {why}"))
            .hint("`hermes send --list` shows the platforms and home channels; set one with /sethome in a chat")
            .into());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut results = Vec::new();
    let mut failed = 0;
    for target in &resolved.chats {
        let outcome = match built.platforms.iter().find(|p| p.name() == target.platform) {
            None => Err(format!(
                "{} is not configured in this profile",
                target.platform
            )),
            Some(p) => {
                let subject_line = args.subject.as_ref().filter(|_| target.platform != "email");
                let body = match subject_line {
                    Some(s) => format!("**{s}**\n\n{text}"),
                    None => text.clone(),
                };
                let msg = OutboundMessage {
                    text: body,
                    subject: args.subject.clone(),
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
            Ok(_) => cx.out.success(format!("Sent to {target}")),
            Err(e) => {
                failed += 1;
                cx.out.warn(format!("Not sent to {target}: {e}"));
            }
        }
        results.push(serde_json::json!({"target": target.to_string(), "ok": outcome.is_ok(), "message_id": outcome.as_ref().ok(), "error": outcome.as_ref().err()}));
    }
    if args.json {
        cx.out.json(&serde_json::Value::Array(results));
    }
    if failed > 0 {
        return Err(CliError::user(format!(
            "{failed} of {} send(s) failed",
            resolved.chats.len()
        ))
        .into());
    }
    Ok(())
}
