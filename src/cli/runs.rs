//! `hermes runs` — inspect the durable run queue and act on held or failed runs. A running
//! gateway sees the change at once (the queue lives in `state.db`).

use hermes::store::{Run, RunState, RunStore, Store, StoreError};
use serde_json::{Value, json};

use super::Context;
use super::sessions::user;

/// Inspect queued, held and failed runs (messages waiting for an agent turn).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List runs, newest first.
    List {
        /// Only runs in this state.
        #[arg(long, value_enum, value_name = "STATE")]
        state: Option<State>,
        /// Show at most this many.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one run, with its text, reply and last error.
    Show {
        /// The run id.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Release a run held for review; the gateway runs it next.
    Approve {
        /// The run id.
        id: i64,
    },
    /// Drop a queued, held or retrying run without running it.
    Discard {
        /// The run id.
        id: i64,
    },
    /// Queue a failed or retrying run again, now.
    Retry {
        /// The run id.
        id: i64,
    },
}

/// Run states, as `--state` accepts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum State {
    /// Waiting for a worker.
    Queued,
    /// Being worked on.
    Running,
    /// Replied.
    Sent,
    /// Failed for now; retried later.
    RetryPending,
    /// Held for `hermes runs approve`.
    AwaitingReview,
    /// Failed or discarded.
    Error,
}

impl From<State> for RunState {
    fn from(s: State) -> Self {
        match s {
            State::Queued => Self::Queued,
            State::Running => Self::Running,
            State::Sent => Self::Sent,
            State::RetryPending => Self::RetryPending,
            State::AwaitingReview => Self::AwaitingReview,
            State::Error => Self::Error,
        }
    }
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let path = cx.paths.state_db();
    let store = if path.exists() {
        Some(Store::open(&path).map_err(user)?)
    } else {
        None
    };
    match args.action {
        Action::List { state, limit, json } => {
            let runs = match &store {
                Some(s) => s.list_runs(state.map(Into::into), limit).map_err(user)?,
                None => Vec::new(),
            };
            list(cx, &runs, json);
            Ok(())
        }
        Action::Show { id, json } => {
            let run = find(store.as_ref(), id)?;
            if json {
                cx.out.json(&run_json(&run));
            } else {
                show(cx, &run);
            }
            Ok(())
        }
        Action::Approve { id } => {
            let store = find_store(store, id)?;
            let run = store.approve(id).map_err(user)?;
            cx.out.success(format!(
                "Run {} approved; it is {} again.",
                run.id, run.state
            ));
            Ok(())
        }
        Action::Discard { id } => {
            let store = find_store(store, id)?;
            let run = store.discard(id).map_err(user)?;
            cx.out.success(format!("Run {} discarded.", run.id));
            Ok(())
        }
        Action::Retry { id } => {
            let store = find_store(store, id)?;
            let run = store.retry_now(id).map_err(user)?;
            cx.out.success(format!(
                "Run {} queued again (attempt {} next).",
                run.id,
                run.attempts + 1
            ));
            Ok(())
        }
    }
}

fn find_store(store: Option<Store>, id: i64) -> anyhow::Result<Store> {
    store.ok_or_else(|| user(StoreError::RunNotFound { id }))
}

fn find(store: Option<&Store>, id: i64) -> anyhow::Result<Run> {
    store
        .map(|s| s.run(id))
        .transpose()
        .map_err(user)?
        .flatten()
        .ok_or_else(|| user(StoreError::RunNotFound { id }))
}

fn one_line(s: &str, max: usize) -> String {
    let flat = s.replace(['\n', '\r'], " ");
    if flat.chars().count() > max {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    } else {
        flat
    }
}

fn list(cx: &Context, runs: &[Run], json: bool) {
    if json {
        cx.out
            .json(&Value::Array(runs.iter().map(run_json).collect()));
        return;
    }
    if runs.is_empty() {
        cx.out.status("No runs found.");
        return;
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.state.to_string(),
                format!("{}:{}", r.platform, r.chat_id),
                r.attempts.to_string(),
                r.updated_at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                one_line(&r.text, 40),
            ]
        })
        .collect();
    cx.out.table(
        &["ID", "State", "Chat", "Attempts", "Updated", "Text"],
        &rows,
    );
}

fn show(cx: &Context, r: &Run) {
    let mut rows = vec![
        ("Run", r.id.to_string()),
        ("State", r.state.to_string()),
        ("Session", r.session_key.clone()),
        ("Chat", format!("{}:{}", r.platform, r.chat_id)),
    ];
    let optional = [
        ("Thread", r.thread_id.clone()),
        ("User", r.user_id.clone()),
        ("Message", r.message_id.clone()),
        ("Next try", r.next_attempt_at.map(|t| t.to_string())),
        ("Error", r.error.clone()),
    ];
    rows.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    rows.push(("Attempts", r.attempts.to_string()));
    rows.push(("Created", r.created_at.to_string()));
    rows.push(("Updated", r.updated_at.to_string()));
    for (k, v) in rows {
        cx.out.data(format!("{:<9} {v}", format!("{k}:")));
    }
    cx.out.data("");
    cx.out.data(format!("Text:\n{}", r.text));
    if let Some(reply) = &r.reply {
        cx.out.data("");
        cx.out.data(format!("Reply:\n{reply}"));
    }
}

fn run_json(r: &Run) -> Value {
    json!({
        "id": r.id,
        "state": r.state.as_str(),
        "session_key": r.session_key,
        "platform": r.platform,
        "chat_id": r.chat_id,
        "thread_id": r.thread_id,
        "user_id": r.user_id,
        "message_id": r.message_id,
        "text": r.text,
        "attempts": r.attempts,
        "next_attempt_at": r.next_attempt_at.map(|t| t.to_string()),
        "reply": r.reply,
        "error": r.error,
        "created_at": r.created_at.to_string(),
        "updated_at": r.updated_at.to_string(),
    })
}
