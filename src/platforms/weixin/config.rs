//! Weixin settings: the account and token (from the environment, `platforms.weixin.extra`, or
//! the account file a QR login saved), the iLink and CDN base URLs, and the loop's timings.
//! DM and group policies belong to the gateway's auth module; only the startup warning is here.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;

use crate::config::{Env, Settings};
use crate::fsutil;
use crate::gateway::token_lock;
use crate::home::HermesPaths;

/// The iLink API used when nothing else is configured.
pub const DEFAULT_BASE_URL: &str = "https://ilinkai.weixin.qq.com";
/// The media CDN used when nothing else is configured.
pub const DEFAULT_CDN_BASE_URL: &str = "https://novac2c.cdn.weixin.qq.com/c2c";

/// Credentials of one iLink bot account, as saved by QR login in
/// `<home>/weixin/accounts/<account_id>.json` (`token, base_url, user_id, saved_at`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeixinAccount {
    /// The bot's id (`ilink_bot_id`, e.g. `…@im.bot`); the file name, not a field.
    #[serde(skip)]
    pub account_id: String,
    /// The bot token.
    pub token: String,
    /// The iLink base URL this account talks to.
    #[serde(default)]
    pub base_url: String,
    /// The `WeChat` user who scanned the code (`ilink_user_id`).
    #[serde(default)]
    pub user_id: String,
    /// When it was saved (`%Y-%m-%dT%H:%M:%SZ`, UTC).
    #[serde(default)]
    pub saved_at: String,
}

impl fmt::Debug for WeixinAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeixinAccount")
            .field("account_id", &self.account_id)
            .field("token", &"***")
            .field("base_url", &self.base_url)
            .field("user_id", &self.user_id)
            .field("saved_at", &self.saved_at)
            .finish()
    }
}

/// Why the Weixin configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum WeixinConfigError {
    /// No account id anywhere.
    #[error("Weixin startup failed: WEIXIN_ACCOUNT_ID is required")]
    MissingAccountId,
    /// An account id but no token, and no saved account file.
    #[error("Weixin startup failed: WEIXIN_TOKEN is required")]
    MissingToken { account_id: String },
    /// The account id cannot name a file.
    #[error("invalid Weixin account id '{account_id}'")]
    InvalidAccountId { account_id: String },
    /// The saved account file is unreadable.
    #[error("cannot read the saved Weixin account {}", path.display())]
    AccountFile {
        path: PathBuf,
        #[source]
        source: AccountFileError,
    },
}

/// What went wrong with an account file.
#[derive(Debug, thiserror::Error)]
pub enum AccountFileError {
    /// Reading or writing.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Not the expected JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl WeixinConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        let login = "log in with a QR code: `hermes gateway setup`, then choose Weixin".to_string();
        match self {
            Self::MissingAccountId | Self::MissingToken { .. } => vec![
                login,
                "or set WEIXIN_ACCOUNT_ID and WEIXIN_TOKEN in the profile's .env".into(),
            ],
            Self::InvalidAccountId { .. } => {
                vec!["the account id is the `…@im.bot` id printed after QR login".into()]
            }
            Self::AccountFile { .. } => vec![login],
        }
    }
}

/// Timings of the poll loop and sends; the defaults are upstream's, tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// Client timeout of one `getupdates` long poll (a timeout is an empty result).
    pub long_poll: Duration,
    /// Timeout of ordinary API calls.
    pub api: Duration,
    /// Timeout of `getconfig` and `sendtyping`.
    pub config: Duration,
    /// Pause after `errcode -14` (session expired).
    pub session_pause: Duration,
    /// Consecutive `-14` pauses after which the token is reported as rejected (0: never).
    pub session_expired_limit: u32,
    /// Wait after a failed poll.
    pub retry_delay: Duration,
    /// Wait after `max_failures` failed polls in a row.
    pub backoff_delay: Duration,
    /// Failed polls in a row before the long wait.
    pub max_failures: u32,
    /// Wait between the chunks of a long reply.
    pub chunk_delay: Duration,
    /// How long a typing ticket from `getconfig` stays valid.
    pub typing_ticket_ttl: Duration,
    /// How long a message id is remembered for deduplication.
    pub dedup_ttl: Duration,
    /// Timeout of one media download.
    pub media_download: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            long_poll: Duration::from_secs(35),
            api: Duration::from_secs(15),
            config: Duration::from_secs(10),
            session_pause: Duration::from_mins(10),
            session_expired_limit: 6,
            retry_delay: Duration::from_secs(2),
            backoff_delay: Duration::from_secs(30),
            max_failures: 3,
            chunk_delay: Duration::from_millis(300),
            typing_ticket_ttl: Duration::from_mins(10),
            dedup_ttl: Duration::from_mins(5),
            media_download: Duration::from_mins(2),
        }
    }
}

/// Everything the Weixin adapter needs.
#[derive(Clone)]
pub struct WeixinConfig {
    /// The bot account id (`ilink_bot_id`).
    pub account_id: String,
    /// The bot token.
    pub token: String,
    /// The iLink API base URL, without a trailing slash.
    pub base_url: String,
    /// The media CDN base URL, without a trailing slash.
    pub cdn_base_url: String,
    /// The `WeChat` user who logged the bot in, when the account file says.
    pub user_id: Option<String>,
    /// `WEIXIN_GROUP_POLICY` (for the startup warning only).
    pub group_policy: String,
    /// Loop timings.
    pub timings: Timings,
    /// Largest media file downloaded, in bytes.
    pub max_media_bytes: u64,
    /// Where token locks live (`HERMES_GATEWAY_LOCK_DIR` or the state dir).
    pub lock_dir: PathBuf,
    /// The profile's paths (account files, cursors, media cache).
    pub paths: HermesPaths,
    /// `WEIXIN_SPLIT_MULTILINE_MESSAGES` (false): each top-level line of a reply becomes its
    /// own bubble (code fences and indented continuation lines stay together).
    pub split_multiline: bool,
    /// `text_batch_delay_seconds` (3 s): quiet time after a text message before it is handed
    /// on, so rapid fragments of one chat arrive as one message (`0` turns batching off).
    pub text_batch_delay: Duration,
    /// `text_batch_split_delay_seconds` (5 s): the quiet time when the last fragment was near
    /// the client's own split size (1800 characters), as more is probably coming.
    pub text_batch_split_delay: Duration,
    /// `gateway.platforms.weixin.typing_indicator` (true).
    pub typing_indicator: bool,
}

impl fmt::Debug for WeixinConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeixinConfig")
            .field("account_id", &self.account_id)
            .field("token", &"***")
            .field("base_url", &self.base_url)
            .field("cdn_base_url", &self.cdn_base_url)
            .field("group_policy", &self.group_policy)
            .field("timings", &self.timings)
            .field("split_multiline", &self.split_multiline)
            .field("text_batch_delay", &self.text_batch_delay)
            .field("text_batch_split_delay", &self.text_batch_split_delay)
            .field("typing_indicator", &self.typing_indicator)
            .finish_non_exhaustive()
    }
}

/// The default quiet time of text batching.
pub const DEFAULT_TEXT_BATCH_DELAY: Duration = Duration::from_secs(3);
/// The default quiet time after a fragment near the split size.
pub const DEFAULT_TEXT_BATCH_SPLIT_DELAY: Duration = Duration::from_secs(5);

/// Seconds from `platforms.weixin.extra.<key>` (finite, not negative), else `default`.
fn seconds(settings: &Settings, key: &str, default: Duration) -> Duration {
    extra(settings, key)
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(default, Duration::from_secs_f64)
}

/// Largest media download by default (100 MiB).
pub const DEFAULT_MAX_MEDIA_BYTES: u64 = 100 * 1024 * 1024;

impl WeixinConfig {
    /// Resolves the configuration: environment first (`WEIXIN_*`), then
    /// `platforms.weixin.extra.*` (and `platforms.weixin.token`), then the saved account file
    /// for a missing token (whose `base_url` then applies unless one is configured).
    pub fn from_env(
        env: &Env,
        settings: &Settings,
        paths: &HermesPaths,
    ) -> Result<Self, WeixinConfigError> {
        let pick = |var: &str, key: &str| -> Option<String> {
            env.get(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .or_else(|| extra(settings, key))
        };
        let account_id =
            pick("WEIXIN_ACCOUNT_ID", "account_id").ok_or(WeixinConfigError::MissingAccountId)?;
        check_account_id(&account_id)?;
        let configured_base = pick("WEIXIN_BASE_URL", "base_url");
        let mut token = pick("WEIXIN_TOKEN", "token").or_else(|| platform_value(settings, "token"));
        let mut base_url = configured_base.clone();
        let mut user_id = None;
        let saved = load_account(paths, &account_id)?;
        if let Some(acc) = &saved {
            user_id = Some(acc.user_id.clone()).filter(|u| !u.is_empty());
            if token.is_none() {
                token = Some(acc.token.clone()).filter(|t| !t.is_empty());
                if !acc.base_url.is_empty() && base_url.is_none() {
                    base_url = Some(acc.base_url.clone());
                }
            }
        }
        let token = token.ok_or_else(|| WeixinConfigError::MissingToken {
            account_id: account_id.clone(),
        })?;
        let timings = Timings {
            chunk_delay: extra(settings, "send_chunk_delay_seconds")
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map_or(Timings::default().chunk_delay, Duration::from_secs_f64),
            ..Timings::default()
        };
        Ok(Self {
            account_id,
            token,
            base_url: trim_url(&base_url.unwrap_or_else(|| DEFAULT_BASE_URL.into())),
            cdn_base_url: trim_url(
                &pick("WEIXIN_CDN_BASE_URL", "cdn_base_url")
                    .unwrap_or_else(|| DEFAULT_CDN_BASE_URL.into()),
            ),
            user_id,
            group_policy: pick("WEIXIN_GROUP_POLICY", "group_policy")
                .map_or_else(|| "disabled".into(), |p| p.to_ascii_lowercase()),
            timings,
            max_media_bytes: DEFAULT_MAX_MEDIA_BYTES,
            lock_dir: token_lock::lock_dir(paths, env.get("HERMES_GATEWAY_LOCK_DIR")),
            paths: paths.clone(),
            split_multiline: env
                .flag("WEIXIN_SPLIT_MULTILINE_MESSAGES")
                .or_else(|| {
                    extra(settings, "split_multiline_messages").and_then(|v| {
                        match v.to_ascii_lowercase().as_str() {
                            "true" | "1" | "yes" | "on" => Some(true),
                            "false" | "0" | "no" | "off" => Some(false),
                            _ => None,
                        }
                    })
                })
                .unwrap_or(false),
            text_batch_delay: seconds(
                settings,
                "text_batch_delay_seconds",
                DEFAULT_TEXT_BATCH_DELAY,
            ),
            text_batch_split_delay: seconds(
                settings,
                "text_batch_split_delay_seconds",
                DEFAULT_TEXT_BATCH_SPLIT_DELAY,
            ),
            typing_indicator: crate::platforms::telegram::typing_indicator(settings, "weixin"),
        })
    }

    /// Whether Weixin is configured at all (an account id is set somewhere).
    #[must_use]
    pub fn is_configured(env: &Env, settings: &Settings) -> bool {
        env.get("WEIXIN_ACCOUNT_ID").is_some() || extra(settings, "account_id").is_some()
    }

    /// `<home>/weixin/accounts`.
    #[must_use]
    pub fn accounts_dir(&self) -> PathBuf {
        accounts_dir(&self.paths)
    }
}

/// The startup warning when group messages are enabled: QR login binds an iLink bot identity
/// that ordinary `WeChat` groups usually cannot invite, so the policy may have no effect.
#[must_use]
pub fn group_policy_warning(policy: &str) -> Option<String> {
    let policy = policy.trim().to_ascii_lowercase();
    if policy.is_empty() || policy == "disabled" {
        return None;
    }
    Some(format!(
        "[Weixin] WEIXIN_GROUP_POLICY={policy} is set, but a QR login connects an iLink bot \
         identity (…@im.bot), which usually cannot be added to ordinary WeChat groups. iLink \
         normally delivers no ordinary-group events to such accounts, so group messages may \
         never arrive whatever this policy says; that limit is on the iLink side, not in Hermes."
    ))
}

/// `<home>/weixin/accounts`.
#[must_use]
pub fn accounts_dir(paths: &HermesPaths) -> PathBuf {
    paths.weixin_dir().join("accounts")
}

/// `<home>/weixin/accounts/<account_id>.json`.
#[must_use]
pub fn account_file(paths: &HermesPaths, account_id: &str) -> PathBuf {
    accounts_dir(paths).join(format!("{account_id}.json"))
}

/// Reads a saved account; `None` when there is no file.
pub fn load_account(
    paths: &HermesPaths,
    account_id: &str,
) -> Result<Option<WeixinAccount>, WeixinConfigError> {
    check_account_id(account_id)?;
    let path = account_file(paths, account_id);
    let err = |source: AccountFileError| WeixinConfigError::AccountFile {
        path: path.clone(),
        source,
    };
    let Some(text) = fsutil::read_optional(&path).map_err(|e| err(e.into()))? else {
        return Ok(None);
    };
    let mut acc: WeixinAccount = serde_json::from_str(&text).map_err(|e| err(e.into()))?;
    acc.account_id = account_id.to_string();
    Ok(Some(acc))
}

/// Saves an account atomically with mode 0600, stamping `saved_at` when empty.
pub fn save_account(
    paths: &HermesPaths,
    account: &WeixinAccount,
) -> Result<PathBuf, WeixinConfigError> {
    check_account_id(&account.account_id)?;
    let path = account_file(paths, &account.account_id);
    let mut acc = account.clone();
    if acc.saved_at.is_empty() {
        acc.saved_at = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
    }
    let err = |source: AccountFileError| WeixinConfigError::AccountFile {
        path: path.clone(),
        source,
    };
    let body = serde_json::to_vec_pretty(&acc).map_err(|e| err(e.into()))?;
    fsutil::write_atomic(&path, &body, Some(fsutil::SECRET_MODE)).map_err(|e| err(e.into()))?;
    Ok(path)
}

/// Account ids become file names: refuse anything that could leave the directory.
fn check_account_id(id: &str) -> Result<(), WeixinConfigError> {
    if id.is_empty() || id.starts_with('.') || id.contains(['/', '\\', '\0']) {
        return Err(WeixinConfigError::InvalidAccountId {
            account_id: id.to_string(),
        });
    }
    Ok(())
}

fn trim_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// `platforms.weixin.<key>` as a string.
fn platform_value(settings: &Settings, key: &str) -> Option<String> {
    scalar(settings.platforms.get("weixin")?.get(key)?)
}

/// `platforms.weixin.extra.<key>` as a string.
fn extra(settings: &Settings, key: &str) -> Option<String> {
    scalar(settings.platforms.get("weixin")?.get("extra")?.get(key)?)
}

fn scalar(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::from_document(&doc).unwrap()
    }

    #[test]
    fn env_wins_then_extra_then_account_file() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        let none = Settings::default();
        assert!(matches!(
            WeixinConfig::from_env(&Env::default(), &none, &paths),
            Err(WeixinConfigError::MissingAccountId)
        ));
        let env = Env::from_pairs([("WEIXIN_ACCOUNT_ID", "bot@im.bot")]);
        let e = WeixinConfig::from_env(&env, &none, &paths).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Weixin startup failed: WEIXIN_TOKEN is required"
        );
        assert!(!e.hints().is_empty());

        save_account(
            &paths,
            &WeixinAccount {
                account_id: "bot@im.bot".into(),
                token: "saved-token".into(),
                base_url: "https://redirected.example/".into(),
                user_id: "owner@im.wechat".into(),
                saved_at: String::new(),
            },
        )
        .unwrap();
        let file = account_file(&paths, "bot@im.bot");
        assert_eq!(fsutil::mode_of(&file), Some(0o600));
        let c = WeixinConfig::from_env(&env, &none, &paths).unwrap();
        assert_eq!(c.token, "saved-token");
        assert_eq!(c.base_url, "https://redirected.example");
        assert_eq!(c.cdn_base_url, DEFAULT_CDN_BASE_URL);
        assert_eq!(c.user_id.as_deref(), Some("owner@im.wechat"));
        assert!(!format!("{c:?}").contains("saved-token"));

        let s = settings(
            "platforms:\n  weixin:\n    extra:\n      account_id: other@im.bot\n      token: yaml-token\n      cdn_base_url: http://cdn.local/\n      group_policy: open\n",
        );
        let c = WeixinConfig::from_env(&Env::default(), &s, &paths).unwrap();
        assert_eq!(c.account_id, "other@im.bot");
        assert_eq!(c.token, "yaml-token");
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.cdn_base_url, "http://cdn.local");
        assert!(group_policy_warning(&c.group_policy).is_some());
        let env = Env::from_pairs([
            ("WEIXIN_ACCOUNT_ID", "bot@im.bot"),
            ("WEIXIN_TOKEN", "env-token"),
            ("WEIXIN_BASE_URL", "http://127.0.0.1:9"),
        ]);
        let c = WeixinConfig::from_env(&env, &s, &paths).unwrap();
        assert_eq!(
            (c.account_id.as_str(), c.token.as_str()),
            ("bot@im.bot", "env-token")
        );
        assert_eq!(c.base_url, "http://127.0.0.1:9");
        assert!(WeixinConfig::is_configured(&env, &none));
    }

    #[test]
    fn bad_ids_and_warnings() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(t.path(), t.path());
        assert!(matches!(
            load_account(&paths, "../x"),
            Err(WeixinConfigError::InvalidAccountId { .. })
        ));
        assert!(load_account(&paths, "nobody@im.bot").unwrap().is_none());
        assert_eq!(group_policy_warning("disabled"), None);
        assert_eq!(group_policy_warning(""), None);
        let w = group_policy_warning("allowlist").unwrap();
        assert!(w.starts_with("[Weixin] WEIXIN_GROUP_POLICY=allowlist is set"));
    }
}
