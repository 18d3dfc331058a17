//! One IMAP session of the adapter: log in, select INBOX, then deliver every message past
//! the UID cursor in order — the cursor is saved only after the gateway stored the message,
//! then the message is marked `\Seen` — and wait for more in IDLE (or sleep and poll).

use std::path::Path;
use std::time::Duration;

use tokio_rustls::TlsConnector;

use super::imap::{Idle, Imap, ImapError, Mailbox};
use super::parse::{self, Attachment};
use super::state::{Cursor, ThreadContext};
use super::{Email, PLATFORM, TARGET, classify_imap};
use crate::logs;
use crate::platforms::{ChatType, InboundMessage, Media, PlatformCx, PlatformError, SessionSource};

/// The longest single IDLE before it is renewed (RFC 2177 asks for under 29 minutes).
const IDLE_MAX: Duration = Duration::from_mins(5);

fn io_error(what: &str, e: &std::io::Error) -> PlatformError {
    PlatformError::Transient {
        platform: PLATFORM.into(),
        message: format!("cannot {what}: {e}"),
    }
}

/// What to do with one fetched message.
enum Outcome {
    Deliver(Box<InboundMessage>),
    Skip(String),
}

/// Runs one session until cancelled (`Ok`) or the connection fails (`Err`).
pub(super) async fn session(
    email: &Email,
    tls: &TlsConnector,
    cx: &PlatformCx,
    failures: &mut u32,
) -> Result<(), PlatformError> {
    let cfg = &email.config;
    let connect = async {
        let mut imap = Imap::connect(
            &cfg.imap_host,
            cfg.imap_port,
            cfg.imap_security,
            tls.clone(),
        )
        .await?;
        imap.login(&cfg.address, &cfg.password).await?;
        let mailbox = imap.select("INBOX").await?;
        Ok::<_, ImapError>((imap, mailbox))
    };
    let (mut imap, mailbox) = tokio::select! {
        biased;
        () = cx.cancel.cancelled() => return Ok(()),
        r = connect => r.map_err(|e| classify_imap(&e))?,
    };
    let mut cursor = start_cursor(email, &mut imap, mailbox).await?;
    *failures = 0;
    cx.set_status(PLATFORM, "connected");
    let idle = cfg.use_idle && imap.has("IDLE");
    let result = watch(email, &mut imap, &mut cursor, cx, idle).await;
    imap.logout().await;
    result
}

/// The saved cursor, or — on a first run or a new `UIDVALIDITY` — one past everything
/// already in the mailbox, so old mail is not answered (as upstream).
async fn start_cursor(
    email: &Email,
    imap: &mut Imap,
    mailbox: Mailbox,
) -> Result<Cursor, PlatformError> {
    let validity = mailbox.uid_validity.unwrap_or(0);
    let path = email.cursor_file();
    if let Some(c) = Cursor::load(&path).filter(|c| c.uid_validity == validity) {
        return Ok(c);
    }
    let last_uid = match mailbox.uid_next {
        Some(next) => next.saturating_sub(1),
        None => imap
            .uid_search("ALL")
            .await
            .map_err(|e| classify_imap(&e))?
            .last()
            .copied()
            .unwrap_or(0),
    };
    let c = Cursor {
        uid_validity: validity,
        last_uid,
    };
    c.save(&path)
        .map_err(|e| io_error("save the email cursor", &e))?;
    logs::info(
        TARGET,
        format!("starting after UID {last_uid}: existing messages are skipped"),
    );
    Ok(c)
}

async fn watch(
    email: &Email,
    imap: &mut Imap,
    cursor: &mut Cursor,
    cx: &PlatformCx,
    idle: bool,
) -> Result<(), PlatformError> {
    let cfg = &email.config;
    loop {
        let criteria = format!("UID {}:*", cursor.last_uid.saturating_add(1));
        let uids = imap
            .uid_search(&criteria)
            .await
            .map_err(|e| classify_imap(&e))?;
        // `n:*` always matches the newest message, even when it is older than n.
        let after = cursor.last_uid;
        for uid in uids.into_iter().filter(|u| *u > after) {
            if cx.cancel.is_cancelled() {
                return Ok(());
            }
            match fetch(email, imap, uid).await? {
                Outcome::Skip(reason) => {
                    logs::debug(TARGET, format!("UID {uid} skipped: {reason}"));
                }
                Outcome::Deliver(msg) => {
                    let from = msg.source.chat_id.clone();
                    if !cx.deliver(*msg).await {
                        return Ok(()); // the gateway is stopping; the cursor stays put
                    }
                    logs::info(TARGET, format!("new message from {from} (UID {uid})"));
                }
            }
            cursor.last_uid = uid;
            cursor
                .save(&email.cursor_file())
                .map_err(|e| io_error("save the email cursor", &e))?;
            imap.mark_seen(uid).await.map_err(|e| classify_imap(&e))?;
        }
        if idle {
            match imap
                .idle(IDLE_MAX.max(cfg.poll_interval), &cx.cancel)
                .await
                .map_err(|e| classify_imap(&e))?
            {
                Idle::Cancelled => return Ok(()),
                Idle::NewMail | Idle::Timeout => {}
            }
        } else {
            tokio::select! {
                biased;
                () = cx.cancel.cancelled() => return Ok(()),
                () = tokio::time::sleep(cfg.poll_interval) => {}
            }
        }
    }
}

async fn fetch(email: &Email, imap: &mut Imap, uid: u32) -> Result<Outcome, PlatformError> {
    let cfg = &email.config;
    let size = imap
        .uid_fetch(uid, "RFC822.SIZE")
        .await
        .map_err(|e| classify_imap(&e))?
        .and_then(|f| f.size);
    let Some(size) = size else {
        return Ok(Outcome::Skip("gone before it could be read".into()));
    };
    let section = if size > cfg.message_max_bytes {
        format!("BODY.PEEK[]<0.{}>", cfg.message_max_bytes)
    } else {
        "BODY.PEEK[]".to_string()
    };
    let Some(fetched) = imap
        .uid_fetch(uid, &section)
        .await
        .map_err(|e| classify_imap(&e))?
    else {
        return Ok(Outcome::Skip("gone before it could be read".into()));
    };
    convert(email, uid, &fetched.body, size > cfg.message_max_bytes)
}

/// Turns a raw message into what the gateway gets, or the reason to skip it.
fn convert(email: &Email, uid: u32, raw: &[u8], truncated: bool) -> Result<Outcome, PlatformError> {
    let cfg = &email.config;
    let Some(mail) = parse::parse(raw, cfg.authserv_id.as_deref()) else {
        return Ok(Outcome::Skip("no sender address".into()));
    };
    if mail.from == cfg.address.to_ascii_lowercase() {
        return Ok(Outcome::Skip("sent by ourselves".into()));
    }
    if mail.automated {
        return Ok(Outcome::Skip(format!("automated sender {}", mail.from)));
    }
    if cfg.require_authenticated_sender
        && cfg.allowlist_in_effect
        && !cfg.allow_all
        && !mail.authenticated.0
    {
        // From: is attacker-controlled; an allowlist keyed on it needs the server's word
        // (GHSA-rxqh-5572-8m77).
        logs::warn(
            TARGET,
            format!(
                "dropping sender with unauthenticated From: {} ({}). If your mail server does not stamp Authentication-Results, set platforms.email.require_authenticated_sender: false (or EMAIL_TRUST_FROM_HEADER=true) to accept the risk.",
                mail.from, mail.authenticated.1
            ),
        );
        return Ok(Outcome::Skip("unauthenticated sender".into()));
    }
    let mut text = mail.agent_text();
    if truncated {
        text.push_str("\n\n[This email was too large and has been cut.]");
    }
    let mut media = Vec::new();
    if !cfg.skip_attachments {
        for (i, a) in mail.attachments.iter().enumerate() {
            match save_attachment(&email.media_dir(), uid, i, a, cfg.attachment_max_bytes) {
                Ok(Some(m)) => media.push(m),
                Ok(None) => text.push_str(&format!(
                    "\n\n[Attachment {} skipped: {} bytes is over the {} byte limit]",
                    a.filename,
                    a.data.len(),
                    cfg.attachment_max_bytes
                )),
                Err(e) => return Err(io_error("save an email attachment", &e)),
            }
        }
    }
    let thread = mail.thread_root();
    let name = mail.from_name.clone().unwrap_or_else(|| mail.from.clone());
    if let Some(id) = &mail.message_id {
        email
            .threads
            .record(ThreadContext {
                chat: mail.from.clone(),
                thread: thread.clone(),
                subject: mail.subject.clone(),
                message_id: id.clone(),
                references: mail.references.clone(),
            })
            .map_err(|e| io_error("save the email thread context", &e))?;
    }
    Ok(Outcome::Deliver(Box::new(InboundMessage {
        source: SessionSource {
            platform: PLATFORM.into(),
            chat_id: mail.from.clone(),
            chat_name: Some(name.clone()),
            chat_type: ChatType::Dm,
            user_id: Some(mail.from.clone()),
            user_name: Some(name),
            thread_id: thread,
            ..SessionSource::default()
        },
        text,
        message_id: mail.message_id.clone(),
        reply_to: mail.in_reply_to.clone(),
        media,
        mentioned: true,
        roles: Vec::new(),
    })))
}

/// Saves one attachment as `<uid>-<n>-<name>`; `None` when it is over the limit.
fn save_attachment(
    dir: &Path,
    uid: u32,
    index: usize,
    a: &Attachment,
    max: u64,
) -> std::io::Result<Option<Media>> {
    if a.data.len() as u64 > max {
        return Ok(None);
    }
    let safe: String = a
        .filename
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    let path = dir.join(format!("{uid}-{index}-{safe}"));
    crate::fsutil::write_atomic(&path, &a.data, Some(crate::fsutil::SECRET_MODE))?;
    let kind = if a.mime.starts_with("image/") {
        "image"
    } else if a.mime.starts_with("audio/") {
        "audio"
    } else if a.mime.starts_with("video/") {
        "video"
    } else {
        "file"
    };
    Ok(Some(Media {
        kind: kind.into(),
        path,
        mime: Some(a.mime.clone()),
    }))
}
