//! The pairing store: one-time codes that let an operator admit a stranger who messaged the
//! bot, in upstream's file format under `<home>/pairing/`. Every operation re-reads the files,
//! so an approval made by the CLI takes effect in a running gateway at once; writers take an
//! exclusive file lock. Sending the code to the user is the gateway's job.

mod code;
mod files;
mod limits;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use self::files::{Dir, Object};
use self::limits::{failures_key, is_limited, locked_until, record_failure, record_request};
use crate::auth::{PairingError, allowlist_var};
use crate::config::dotenv::EnvFile;
use crate::home::HermesPaths;

pub use code::PairingCode;

/// Seconds a code stays valid.
pub const CODE_TTL_SECS: f64 = 3600.0;
/// Seconds between two codes for the same user.
pub const RATE_LIMIT_SECS: f64 = 600.0;
/// Seconds a platform stays locked after too many failed approvals.
pub const LOCKOUT_SECS: f64 = 3600.0;
/// Pending requests per platform.
pub const MAX_PENDING: usize = 3;
/// Consecutive failed approvals that lock a platform.
pub const MAX_FAILURES: u32 = 5;

/// The current time as epoch seconds, the clock every store method takes.
#[must_use]
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// What `request_code` did.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeOutcome {
    /// A new code: send it to the user, never log it.
    Issued {
        /// The code to show the user.
        code: PairingCode,
        /// The request's id, which operators may approve instead of the code.
        request_id: String,
    },
    /// The user asked less than 10 minutes ago: stay silent.
    RateLimited,
    /// The platform already has 3 pending requests (the user is now rate-limited).
    TooManyPending,
    /// Failed approvals locked the platform (the user is now rate-limited).
    LockedOut {
        /// Epoch seconds when the lockout ends.
        until: f64,
    },
}

/// How an operator names the request to approve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// The code the user received.
    Code(String),
    /// The 16-hex request id shown by `hermes pairing list`.
    RequestId(String),
    /// The pending request of this user.
    UserId(String),
}

impl Approval {
    /// Reads a typed argument: 16 hex digits are a request id, anything else a code.
    #[must_use]
    pub fn parse(arg: &str) -> Self {
        let arg = arg.trim();
        if code::is_request_id(arg) {
            Self::RequestId(arg.to_ascii_lowercase())
        } else {
            Self::Code(code::normalize(arg))
        }
    }
}

/// A user who was just approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovedUser {
    /// The platform.
    pub platform: String,
    /// The user's id as stored.
    pub user_id: String,
    /// The display name given with the request.
    pub user_name: String,
    /// The request that was approved.
    pub request_id: String,
    /// The `.env` allowlist variable the user was added to, if one was configured there.
    pub mirrored_to: Option<String>,
}

/// What `approve` did.
#[derive(Debug, Clone, PartialEq)]
pub enum ApproveOutcome {
    /// The user is approved.
    Approved(ApprovedUser),
    /// No pending request matched; the miss counted as a failure.
    NotFound {
        /// Consecutive failures, this one included.
        failures: u32,
        /// This miss started a lockout.
        locked_out: bool,
    },
    /// The platform is locked; nothing was looked up.
    LockedOut {
        /// Epoch seconds when the lockout ends.
        until: f64,
    },
}

/// What `revoke` removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Revoked {
    /// The user was in the approved list.
    pub approved: bool,
    /// The `.env` allowlist variable the user was removed from.
    pub allowlist: Option<String>,
}

impl Revoked {
    /// Whether anything was removed.
    #[must_use]
    pub fn found(&self) -> bool {
        self.approved || self.allowlist.is_some()
    }
}

/// A pending request as listed (never the code or its hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingRow {
    /// The platform.
    pub platform: String,
    /// The id to approve it by.
    pub request_id: String,
    /// Who asked.
    pub user_id: String,
    /// Their display name.
    pub user_name: String,
    /// Whole minutes since the request.
    pub age_minutes: u64,
}

/// An approved user as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovedRow {
    /// The platform.
    pub platform: String,
    /// The user's id.
    pub user_id: String,
    /// Their display name.
    pub user_name: String,
    /// Epoch seconds of the approval, when recorded.
    pub approved_at: Option<f64>,
}

/// Everything `hermes pairing list` shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Listing {
    /// Pending requests, by platform then age.
    pub pending: Vec<PendingRow>,
    /// Approved users, by platform.
    pub approved: Vec<ApprovedRow>,
}

/// One pending request in memory.
#[derive(Debug, Clone)]
struct Pending {
    id: String,
    hash: String,
    salt: String,
    user_id: String,
    user_name: String,
    created_at: f64,
    extra: Object,
}

/// The pairing store of one home.
#[derive(Debug, Clone)]
pub struct PairingStore {
    dir: Dir,
    env_file: PathBuf,
}

impl PairingStore {
    /// The store of a home: `<home>/pairing/`, with `<home>/platforms/pairing/` merged in.
    /// Touches nothing until used.
    #[must_use]
    pub fn open(paths: &HermesPaths) -> Self {
        Self {
            dir: Dir::new(
                paths.pairing_dir(),
                paths.home().join("platforms").join("pairing"),
            ),
            env_file: paths.env_file(),
        }
    }

    /// The directory the store writes to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The file holding rate limits, failure counts and lockouts.
    #[must_use]
    pub fn rate_limits_file(&self) -> PathBuf {
        self.dir.rate_limits()
    }

    /// Issues a code to an unknown user, in upstream's order: expired requests are purged,
    /// then a lockout, the user's rate limit, and the pending cap refuse. A user's earlier
    /// request is replaced, so one user never holds more than one of the platform's slots.
    pub fn request_code(
        &self,
        platform: &str,
        user_id: &str,
        user_name: &str,
        now: f64,
    ) -> Result<CodeOutcome, PairingError> {
        let platform = check_platform(platform)?;
        let _lock = self.dir.lock()?;
        let mut pending = self.load_pending(&platform, now)?;
        let mut rates = self.dir.read(&self.dir.rate_limits())?;
        let aliases = aliases(&platform, user_id);
        let refusal = if let Some(until) = locked_until(&rates, &platform, now) {
            Some(CodeOutcome::LockedOut { until })
        } else if is_limited(&rates, &platform, &aliases, now) {
            Some(CodeOutcome::RateLimited)
        } else {
            let others = pending
                .iter()
                .filter(|p| !aliases.contains(&p.user_id))
                .count();
            (others >= MAX_PENDING).then_some(CodeOutcome::TooManyPending)
        };
        if let Some(outcome) = refusal {
            // Saves purged or rehashed entries.
            self.save_pending(&platform, &pending)?;
            if outcome != CodeOutcome::RateLimited {
                // The refusal notice goes out once per window, then the user hears nothing.
                record_request(&mut rates, &platform, &aliases, now);
                self.dir.write(&self.dir.rate_limits(), &rates)?;
            }
            return Ok(outcome);
        }
        let code = code::new_code()?;
        let salt = code::random::<16>()?;
        let request_id = code::new_request_id()?;
        pending.retain(|p| !aliases.contains(&p.user_id));
        pending.push(Pending {
            id: request_id.clone(),
            hash: code::hash_code(&salt, code.as_str()),
            salt: code::hex(&salt),
            user_id: normalize_user(&platform, user_id),
            user_name: user_name.to_string(),
            created_at: now,
            extra: Object::new(),
        });
        self.save_pending(&platform, &pending)?;
        record_request(&mut rates, &platform, &aliases, now);
        self.dir.write(&self.dir.rate_limits(), &rates)?;
        Ok(CodeOutcome::Issued { code, request_id })
    }

    /// Approves a pending request by code, request id or user id. A locked platform refuses
    /// before anything is looked up, whichever way the request is named (#10195); a miss
    /// counts towards the lockout, a success resets the count. The approved user is also added
    /// to `<P>_ALLOWED_USERS` in the profile's `.env` when that allowlist is set there.
    pub fn approve(
        &self,
        platform: &str,
        approval: &Approval,
        now: f64,
    ) -> Result<ApproveOutcome, PairingError> {
        let platform = check_platform(platform)?;
        let _lock = self.dir.lock()?;
        let mut rates = self.dir.read(&self.dir.rate_limits())?;
        if let Some(until) = locked_until(&rates, &platform, now) {
            return Ok(ApproveOutcome::LockedOut { until });
        }
        let mut pending = self.load_pending(&platform, now)?;
        let found = match approval {
            Approval::Code(c) => {
                let c = code::normalize(c);
                pending.iter().position(|p| {
                    code::unhex(&p.salt).is_some_and(|salt| {
                        code::ct_eq(code::hash_code(&salt, &c).as_bytes(), p.hash.as_bytes())
                    })
                })
            }
            Approval::RequestId(id) => {
                let id = id.trim().to_ascii_lowercase();
                pending.iter().position(|p| p.id == id)
            }
            Approval::UserId(u) => {
                let wanted = aliases(&platform, u);
                // The newest request of that user.
                pending
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        aliases(&platform, &p.user_id)
                            .iter()
                            .any(|a| wanted.contains(a))
                    })
                    .max_by(|a, b| a.1.created_at.total_cmp(&b.1.created_at))
                    .map(|(i, _)| i)
            }
        };
        let Some(index) = found else {
            self.save_pending(&platform, &pending)?;
            let (failures, locked_out) = record_failure(&mut rates, &platform, now);
            self.dir.write(&self.dir.rate_limits(), &rates)?;
            return Ok(ApproveOutcome::NotFound {
                failures,
                locked_out,
            });
        };
        let entry = pending.remove(index);
        let user_aliases = aliases(&platform, &entry.user_id);
        pending.retain(|p| !user_aliases.contains(&p.user_id));
        self.save_pending(&platform, &pending)?;

        let path = self.dir.approved(&platform);
        let mut approved = self.dir.read(&path)?;
        approved.retain(|k, _| !user_aliases.contains(k));
        let mut record = Object::new();
        record.insert("user_name".into(), Value::from(entry.user_name.clone()));
        record.insert("approved_at".into(), Value::from(now));
        approved.insert(entry.user_id.clone(), Value::Object(record));
        self.dir.write(&path, &approved)?;

        if rates.remove(&failures_key(&platform)).is_some() {
            self.dir.write(&self.dir.rate_limits(), &rates)?;
        }
        let mirrored_to = self.mirror_add(&platform, &entry.user_id)?;
        Ok(ApproveOutcome::Approved(ApprovedUser {
            platform,
            user_id: entry.user_id,
            user_name: entry.user_name,
            request_id: entry.id,
            mirrored_to,
        }))
    }

    /// Removes a user from the approved list, and from `<P>_ALLOWED_USERS` in the profile's
    /// `.env` when listed there (`*` stays).
    pub fn revoke(&self, platform: &str, user_id: &str) -> Result<Revoked, PairingError> {
        let platform = check_platform(platform)?;
        let _lock = self.dir.lock()?;
        let wanted = aliases(&platform, user_id);
        let path = self.dir.approved(&platform);
        let mut approved = self.dir.read(&path)?;
        let before = approved.len();
        approved.retain(|k, _| !aliases(&platform, k).iter().any(|a| wanted.contains(a)));
        let was_approved = approved.len() != before;
        if was_approved {
            self.dir.write(&path, &approved)?;
        }
        Ok(Revoked {
            approved: was_approved,
            allowlist: self.mirror_remove(&platform, &wanted)?,
        })
    }

    /// Drops every pending request of every platform; returns how many there were.
    pub fn clear_pending(&self) -> Result<usize, PairingError> {
        if !self.dir.exists() {
            return Ok(0);
        }
        let _lock = self.dir.lock()?;
        let mut count = 0;
        for platform in self.dir.platforms("pending")? {
            let path = self.dir.pending(&platform);
            let n = self.dir.read(&path)?.len();
            if n > 0 {
                self.dir.write(&path, &Object::new())?;
            }
            count += n;
        }
        Ok(count)
    }

    /// Pending requests (expired ones purged) and approved users of every platform.
    pub fn list(&self, now: f64) -> Result<Listing, PairingError> {
        let mut out = Listing::default();
        if !self.dir.exists() {
            return Ok(out);
        }
        let _lock = self.dir.lock()?;
        for platform in self.dir.platforms("pending")? {
            let mut rows = self.load_pending(&platform, now)?;
            self.save_pending(&platform, &rows)?;
            rows.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
            out.pending.extend(rows.into_iter().map(|p| PendingRow {
                platform: platform.clone(),
                request_id: p.id,
                user_id: p.user_id,
                user_name: p.user_name,
                age_minutes: age_minutes(now - p.created_at),
            }));
        }
        for platform in self.dir.platforms("approved")? {
            for (user_id, info) in self.dir.read(&self.dir.approved(&platform))? {
                out.approved.push(ApprovedRow {
                    platform: platform.clone(),
                    user_id,
                    user_name: info
                        .get("user_name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    approved_at: info.get("approved_at").and_then(Value::as_f64),
                });
            }
        }
        Ok(out)
    }

    /// Whether the user is approved on the platform. Reads without locking, so the gateway
    /// can ask on every message.
    pub fn is_approved(&self, platform: &str, user_id: &str) -> Result<bool, PairingError> {
        let platform = check_platform(platform)?;
        let wanted = aliases(&platform, user_id);
        if wanted.is_empty() {
            return Ok(false);
        }
        let approved = self.dir.read(&self.dir.approved(&platform))?;
        Ok(approved
            .keys()
            .any(|k| aliases(&platform, k).iter().any(|a| wanted.contains(a))))
    }

    /// Whether the user asked for a code within the last 10 minutes (the gateway stays
    /// silent then).
    pub fn is_rate_limited(
        &self,
        platform: &str,
        user_id: &str,
        now: f64,
    ) -> Result<bool, PairingError> {
        let platform = check_platform(platform)?;
        let rates = self.dir.read(&self.dir.rate_limits())?;
        Ok(is_limited(
            &rates,
            &platform,
            &aliases(&platform, user_id),
            now,
        ))
    }

    /// When the platform's lockout ends, if it is locked.
    pub fn locked_until(&self, platform: &str, now: f64) -> Result<Option<f64>, PairingError> {
        let platform = check_platform(platform)?;
        let rates = self.dir.read(&self.dir.rate_limits())?;
        Ok(locked_until(&rates, &platform, now))
    }

    /// Reads a platform's pending requests: malformed and expired entries are dropped, and
    /// classic plaintext entries (`{"<CODE>": {...}}`) are rehashed under a new request id,
    /// so they stay approvable by their code (#30409) and are never written back in clear.
    fn load_pending(&self, platform: &str, now: f64) -> Result<Vec<Pending>, PairingError> {
        let raw = self.dir.read(&self.dir.pending(platform))?;
        let mut out = Vec::with_capacity(raw.len());
        for (key, value) in raw {
            let Value::Object(mut obj) = value else {
                continue;
            };
            let Some(created_at) = obj.remove("created_at").and_then(|v| v.as_f64()) else {
                continue;
            };
            if now - created_at > CODE_TTL_SECS {
                continue;
            }
            let user_id = match obj.remove("user_id") {
                Some(Value::String(s)) => s,
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let user_name = match obj.remove("user_name") {
                Some(Value::String(s)) => s,
                _ => String::new(),
            };
            let hash = obj.remove("hash");
            let salt = obj.remove("salt");
            let (id, hash, salt) = match (hash, salt) {
                (Some(Value::String(h)), Some(Value::String(s))) => (key, h, s),
                _ if code::looks_like_code(&code::normalize(&key)) => {
                    let salt = code::random::<16>()?;
                    let hash = code::hash_code(&salt, &code::normalize(&key));
                    (code::new_request_id()?, hash, code::hex(&salt))
                }
                _ => continue,
            };
            out.push(Pending {
                id,
                hash,
                salt,
                user_id,
                user_name,
                created_at,
                extra: obj,
            });
        }
        Ok(out)
    }

    /// Writes a platform's pending requests, unless the file already says exactly that.
    fn save_pending(&self, platform: &str, pending: &[Pending]) -> Result<(), PairingError> {
        let path = self.dir.pending(platform);
        let mut obj = Object::new();
        for p in pending {
            let mut entry = p.extra.clone();
            entry.insert("hash".into(), Value::from(p.hash.clone()));
            entry.insert("salt".into(), Value::from(p.salt.clone()));
            entry.insert("user_id".into(), Value::from(p.user_id.clone()));
            entry.insert("user_name".into(), Value::from(p.user_name.clone()));
            entry.insert("created_at".into(), Value::from(p.created_at));
            obj.insert(p.id.clone(), Value::Object(entry));
        }
        if !path.exists() && obj.is_empty() {
            return Ok(());
        }
        if self.dir.read(&path)? == obj {
            return Ok(());
        }
        self.dir.write(&path, &obj)
    }

    /// Adds the user to `<P>_ALLOWED_USERS` in `.env` when the operator already keeps that
    /// allowlist there; an unset allowlist stays unset (that would lock everyone else out).
    fn mirror_add(&self, platform: &str, user_id: &str) -> Result<Option<String>, PairingError> {
        let var = allowlist_var(platform);
        let mut env = EnvFile::load(&self.env_file)?;
        let Some(current) = env.map().get(&var).cloned() else {
            return Ok(None);
        };
        let mut ids = split_csv(&current);
        if ids.is_empty() || ids.iter().any(|i| i == "*" || i == user_id) {
            return Ok(None);
        }
        ids.push(user_id.to_string());
        env.set(&var, &ids.join(","));
        env.save(&self.env_file)?;
        Ok(Some(var))
    }

    /// Removes the user from `<P>_ALLOWED_USERS` in `.env`; `*` is kept, and an emptied
    /// allowlist is removed as upstream does.
    fn mirror_remove(
        &self,
        platform: &str,
        wanted: &[String],
    ) -> Result<Option<String>, PairingError> {
        let var = allowlist_var(platform);
        let mut env = EnvFile::load(&self.env_file)?;
        let Some(current) = env.map().get(&var).cloned() else {
            return Ok(None);
        };
        let ids = split_csv(&current);
        let remaining: Vec<String> = ids
            .iter()
            .filter(|i| *i == "*" || !wanted.contains(i))
            .cloned()
            .collect();
        if remaining.len() == ids.len() {
            return Ok(None);
        }
        if remaining.is_empty() {
            env.unset(&var);
        } else {
            env.set(&var, &remaining.join(","));
        }
        env.save(&self.env_file)?;
        Ok(Some(var))
    }
}

/// Whether a platform name can name a pairing file (no path separators, no `_` files).
pub(crate) fn valid_platform(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 64
        && !p.starts_with(['_', '-'])
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_platform(platform: &str) -> Result<String, PairingError> {
    let p = platform.trim().to_ascii_lowercase();
    if valid_platform(&p) {
        Ok(p)
    } else {
        Err(PairingError::InvalidPlatform {
            platform: platform.to_string(),
        })
    }
}

/// The id as stored: `whatsapp` ids lose `+`, device and JID suffixes (`+123:4@s.whatsapp.net`
/// → `123`), as upstream normalises them.
fn normalize_user(platform: &str, user_id: &str) -> String {
    let raw = user_id.trim();
    if platform == "whatsapp" {
        let n = raw.replacen('+', "", 1);
        let n = n.split(':').next().unwrap_or_default();
        let n = n.split('@').next().unwrap_or_default();
        if !n.is_empty() {
            return n.to_string();
        }
    }
    raw.to_string()
}

/// The ids that name the same user (the raw id and its normal form).
fn aliases(platform: &str, user_id: &str) -> Vec<String> {
    let raw = user_id.trim();
    if raw.is_empty() {
        return Vec::new();
    }
    let mut out = vec![raw.to_string()];
    let n = normalize_user(platform, raw);
    if n != raw {
        out.push(n);
    }
    out
}

fn split_csv(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn age_minutes(seconds: f64) -> u64 {
    // Ages are small and never negative here; the cast saturates anyway.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let m = (seconds.max(0.0) / 60.0) as u64;
    m
}
