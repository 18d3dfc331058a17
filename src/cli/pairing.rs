//! `hermes pairing` — list, approve and revoke the users who asked to talk to the agent from a
//! chat platform. The store and its rules (codes, rate limits, lockout) live in `hermes::auth`.

use hermes::auth::{Approval, ApproveOutcome, PairingError, PairingStore, now};

use super::Context;
use super::error::CliError;

/// Approve or revoke users who asked to talk to the agent (DM pairing).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List pending requests and approved users (codes are never shown).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending request by its code or request id, or by the user's id.
    Approve {
        /// The platform, e.g. `telegram`.
        platform: String,
        /// The code the user received, or the request id shown by `hermes pairing list`.
        #[arg(
            required_unless_present = "user",
            conflicts_with = "user",
            value_name = "CODE_OR_ID"
        )]
        code: Option<String>,
        /// Approve the pending request of this user id instead.
        #[arg(long, value_name = "USER_ID")]
        user: Option<String>,
    },
    /// Revoke a user's access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`).
    Revoke {
        /// The platform, e.g. `telegram`.
        platform: String,
        /// The user's id on that platform.
        user_id: String,
    },
    /// Drop every pending request.
    ClearPending,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    let store = PairingStore::open(&cx.paths);
    match args.action {
        Action::List { json } => list(cx, &store, json),
        Action::Approve {
            platform,
            code,
            user,
        } => {
            let approval = match (user, code) {
                (Some(u), _) => Approval::UserId(u.trim().to_string()),
                (None, Some(c)) => Approval::parse(&c),
                // clap requires one of the two.
                (None, None) => {
                    return Err(
                        CliError::usage("give a code, a request id or `--user USER_ID`").into(),
                    );
                }
            };
            approve(cx, &store, &platform, &approval)
        }
        Action::Revoke { platform, user_id } => revoke(cx, &store, &platform, &user_id),
        Action::ClearPending => {
            let n = store.clear_pending().map_err(store_error)?;
            if n > 0 {
                cx.out
                    .success(format_args!("Cleared {n} pending pairing request(s)"));
            } else {
                cx.out.status("No pending requests to clear.");
            }
            Ok(())
        }
    }
}

fn list(cx: &Context, store: &PairingStore, json: bool) -> anyhow::Result<()> {
    let now = now();
    let listing = store.list(now).map_err(store_error)?;
    if json {
        cx.out.json(&serde_json::to_value(&listing)?);
        return Ok(());
    }
    if listing.pending.is_empty() && listing.approved.is_empty() {
        cx.out
            .data("No pairing data found. No one has tried to pair yet~");
        return Ok(());
    }
    if listing.pending.is_empty() {
        cx.out.data("No pending pairing requests.");
    } else {
        cx.out.data(format_args!(
            "Pending Pairing Requests ({}):",
            listing.pending.len()
        ));
        let rows: Vec<Vec<String>> = listing
            .pending
            .iter()
            .map(|p| {
                vec![
                    p.platform.clone(),
                    p.request_id.clone(),
                    p.user_id.clone(),
                    p.user_name.clone(),
                    format!("{}m ago", p.age_minutes),
                ]
            })
            .collect();
        cx.out
            .table(&["Platform", "Request ID", "User ID", "Name", "Age"], &rows);
    }
    cx.out.data("");
    if listing.approved.is_empty() {
        cx.out.data("No approved users.");
    } else {
        cx.out
            .data(format_args!("Approved Users ({}):", listing.approved.len()));
        let rows: Vec<Vec<String>> = listing
            .approved
            .iter()
            .map(|a| {
                vec![
                    a.platform.clone(),
                    a.user_id.clone(),
                    a.user_name.clone(),
                    a.approved_at.map(date).unwrap_or_default(),
                ]
            })
            .collect();
        cx.out
            .table(&["Platform", "User ID", "Name", "Approved"], &rows);
    }
    Ok(())
}

fn approve(
    cx: &Context,
    store: &PairingStore,
    platform: &str,
    approval: &Approval,
) -> anyhow::Result<()> {
    let platform = platform.trim().to_ascii_lowercase();
    match store
        .approve(&platform, approval, now())
        .map_err(store_error)?
    {
        ApproveOutcome::Approved(u) => {
            let who = if u.user_name.is_empty() {
                u.user_id.clone()
            } else {
                format!("{} ({})", u.user_name, u.user_id)
            };
            cx.out.success(format_args!("Approved {who} on {platform}"));
            if let Some(var) = u.mirrored_to {
                cx.out.status(format_args!(
                    "Added to {var} in {}",
                    cx.paths.env_file().display()
                ));
            }
            cx.out
                .status("They'll be recognized automatically on their next message.");
            Ok(())
        }
        ApproveOutcome::NotFound { locked_out, .. } => {
            if locked_out {
                cx.out.warn(format_args!(
                    "[pairing] Platform {platform} locked out for 3600s after 5 failed attempts"
                ));
            }
            let message = match approval {
                Approval::Code(_) => "Code not found or expired".to_string(),
                Approval::RequestId(id) => format!("Request {id} not found or expired"),
                Approval::UserId(u) => {
                    format!("No pending request from user {u} on {platform}")
                }
            };
            Err(CliError::user(message)
                .hint("run `hermes pairing list` to see pending requests")
                .into())
        }
        ApproveOutcome::LockedOut { until } => Err(locked_out(store, &platform, until).into()),
    }
}

fn locked_out(store: &PairingStore, platform: &str, until: f64) -> CliError {
    // Whole minutes left, rounded down as upstream shows them.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mins = ((until - now()).max(0.0) / 60.0) as u64;
    CliError::user(format!(
        "Platform '{platform}' is locked out after too many failed approval attempts"
    ))
    .hint(format!("the lockout clears in ~{mins} minute(s)"))
    .hint(format!(
        "to reset sooner, delete the `_lockout:{platform}` entry from {}",
        store.rate_limits_file().display()
    ))
}

fn revoke(cx: &Context, store: &PairingStore, platform: &str, user_id: &str) -> anyhow::Result<()> {
    let platform = platform.trim().to_ascii_lowercase();
    let user_id = user_id.trim();
    let revoked = store.revoke(&platform, user_id).map_err(store_error)?;
    if !revoked.found() {
        cx.out.status(format_args!(
            "User {user_id} not found in approved list for {platform}."
        ));
        return Ok(());
    }
    cx.out.success(format_args!(
        "Revoked access for user {user_id} on {platform}"
    ));
    if let Some(var) = revoked.allowlist {
        cx.out.status(format_args!(
            "Removed from {var} in {}",
            cx.paths.env_file().display()
        ));
    }
    Ok(())
}

/// An epoch time as local `YYYY-MM-DD HH:MM`.
fn date(epoch: f64) -> String {
    // Sub-second precision is irrelevant here; out-of-range values just show nothing.
    #[allow(clippy::cast_possible_truncation)]
    let secs = epoch as i64;
    jiff::Timestamp::from_second(secs)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A pairing error as a user error (`main` renders its hints).
fn store_error(e: PairingError) -> anyhow::Error {
    e.into()
}
