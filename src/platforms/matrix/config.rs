//! Matrix settings from the merged environment (`MATRIX_*`) over `platforms.matrix`
//! (`token`, `extra.*`), as upstream names them. Access control (`MATRIX_ALLOWED_USERS` for
//! messages) is the gateway's; the adapter reads the allowlist only to decide which invites
//! to accept.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_yaml_ng::Value;

use crate::config::{Env, Settings};
use crate::platforms::sources::Sources;

/// Longest text in one event (upstream's default; `MATRIX_MAX_MESSAGE_LENGTH`).
pub const DEFAULT_MAX_MESSAGE_LENGTH: usize = 16_000;
/// Largest inbound media file downloaded (`MATRIX_MAX_MEDIA_BYTES`).
pub const DEFAULT_MEDIA_MAX_BYTES: u64 = 100 * 1024 * 1024;

/// Why the Matrix settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixConfigError {
    /// A token or password without a homeserver.
    #[error("MATRIX_ACCESS_TOKEN/MATRIX_PASSWORD set but MATRIX_HOMESERVER is missing")]
    MissingHomeserver,
    /// A password without the user to log in as.
    #[error("MATRIX_PASSWORD is set but MATRIX_USER_ID is not")]
    MissingUserId,
    /// `MATRIX_E2EE_MODE=required`: encryption is not implemented.
    #[error(
        "MATRIX_E2EE_MODE=required, but end-to-end encryption is not supported by this version"
    )]
    EncryptionRequired,
}

impl MatrixConfigError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::MissingHomeserver => {
                vec!["set MATRIX_HOMESERVER, e.g. https://matrix.example.org".into()]
            }
            Self::MissingUserId => vec!["set MATRIX_USER_ID, e.g. @hermes:example.org".into()],
            Self::EncryptionRequired => {
                vec!["set MATRIX_E2EE_MODE=off and talk to the bot in unencrypted rooms".into()]
            }
        }
    }
}

/// Everything the Matrix adapter needs.
#[derive(Clone)]
pub struct MatrixConfig {
    /// The homeserver base URL (`MATRIX_HOMESERVER`; `MATRIX_BASE_URL` overrides it).
    pub homeserver: String,
    /// `MATRIX_ACCESS_TOKEN` (or `platforms.matrix.token`).
    pub access_token: Option<String>,
    /// `MATRIX_USER_ID`.
    pub user_id: Option<String>,
    /// `MATRIX_PASSWORD`.
    pub password: Option<String>,
    /// `MATRIX_DEVICE_ID`: the device to log in as (kept across restarts).
    pub device_id: Option<String>,
    /// `MATRIX_ALLOWED_USERS`: whose invites are accepted.
    pub allowed_users: Vec<String>,
    /// `MATRIX_ALLOW_ALL_USERS` or `GATEWAY_ALLOW_ALL_USERS`: accept every invite.
    pub allow_all_users: bool,
    /// `MATRIX_ALLOWED_ROOMS`: invites to these are accepted; outside DMs, only these rooms
    /// are answered when the list is not empty.
    pub allowed_rooms: Vec<String>,
    /// `MATRIX_FREE_RESPONSE_ROOMS`: rooms answered without a mention.
    pub free_response_rooms: Vec<String>,
    /// `MATRIX_REQUIRE_MENTION` (default true): outside DMs, answer only when mentioned.
    pub require_mention: bool,
    /// `MATRIX_AUTO_THREAD` (default true): a room message starts a thread for the reply.
    pub auto_thread: bool,
    /// `MATRIX_DM_AUTO_THREAD` (default false): the same in DMs.
    pub dm_auto_thread: bool,
    /// `MATRIX_REACTIONS` (default true): 👀 on a message while the agent works on it.
    pub reactions: bool,
    /// `MATRIX_PROCESS_NOTICES` (default false): treat `m.notice` (bots) as input.
    pub process_notices: bool,
    /// `gateway.platforms.matrix.typing_indicator` (true): send typing notifications.
    pub typing_indicator: bool,
    /// Outbound chunk size.
    pub max_message_length: usize,
    /// Largest inbound media download.
    pub media_max_bytes: u64,
    /// The `/sync` long-poll timeout.
    pub sync_timeout: Duration,
    /// `HERMES_GATEWAY_LOCK_DIR`.
    pub lock_dir: Option<PathBuf>,
    /// Problems that did not stop the adapter.
    pub warnings: Vec<String>,
}

impl fmt::Debug for MatrixConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatrixConfig")
            .field("homeserver", &self.homeserver)
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("user_id", &self.user_id)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("device_id", &self.device_id)
            .field("require_mention", &self.require_mention)
            .field("auto_thread", &self.auto_thread)
            .field("reactions", &self.reactions)
            .finish_non_exhaustive()
    }
}

impl MatrixConfig {
    /// The settings, or `None` when Matrix is not configured (neither
    /// `MATRIX_ACCESS_TOKEN` nor `MATRIX_PASSWORD`) or `platforms.matrix.enabled: false`.
    pub fn from_env(env: &Env, settings: &Settings) -> Result<Option<Self>, MatrixConfigError> {
        let platform = settings.platforms.get("matrix");
        if platform
            .and_then(|p| p.get("enabled"))
            .and_then(Value::as_bool)
            == Some(false)
        {
            return Ok(None);
        }
        let mut blocks = Vec::new();
        if let Some(p) = platform {
            if let Some(extra) = p.get("extra") {
                blocks.push(extra);
            }
            blocks.push(p);
        }
        let src = Sources { env, blocks };
        let access_token = src.string(&["MATRIX_ACCESS_TOKEN"], "token");
        let password = src.string(&["MATRIX_PASSWORD"], "password");
        if access_token.is_none() && password.is_none() {
            return Ok(None);
        }
        let homeserver = src
            .string(&["MATRIX_BASE_URL"], "base_url")
            .or_else(|| src.string(&["MATRIX_HOMESERVER"], "homeserver"))
            .ok_or(MatrixConfigError::MissingHomeserver)?
            .trim_end_matches('/')
            .to_string();
        let user_id = src.string(&["MATRIX_USER_ID"], "user_id");
        if access_token.is_none() && user_id.is_none() {
            return Err(MatrixConfigError::MissingUserId);
        }
        let mut warnings = Vec::new();
        let e2ee = src
            .string(&["MATRIX_E2EE_MODE"], "e2ee_mode")
            .map(|m| m.to_ascii_lowercase());
        match e2ee.as_deref() {
            Some("required" | "require") => return Err(MatrixConfigError::EncryptionRequired),
            Some("optional" | "prefer" | "preferred") => warnings.push(
                "Matrix end-to-end encryption is not supported yet; encrypted rooms are not answered".into(),
            ),
            _ if src.flag("MATRIX_ENCRYPTION", "encryption", false) => warnings.push(
                "MATRIX_ENCRYPTION is set, but end-to-end encryption is not supported yet; encrypted rooms are not answered".into(),
            ),
            _ => {}
        }
        let max_message_length = src
            .string(&["MATRIX_MAX_MESSAGE_LENGTH"], "max_message_length")
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(DEFAULT_MAX_MESSAGE_LENGTH, |n| n.clamp(500, 65_535));
        Ok(Some(Self {
            homeserver,
            access_token,
            user_id,
            password,
            device_id: src.string(&["MATRIX_DEVICE_ID"], "device_id"),
            allowed_users: env.list("MATRIX_ALLOWED_USERS"),
            allow_all_users: env.flag("MATRIX_ALLOW_ALL_USERS") == Some(true)
                || env.flag("GATEWAY_ALLOW_ALL_USERS") == Some(true),
            allowed_rooms: src.list("MATRIX_ALLOWED_ROOMS", "allowed_rooms"),
            free_response_rooms: src.list("MATRIX_FREE_RESPONSE_ROOMS", "free_response_rooms"),
            require_mention: src.flag("MATRIX_REQUIRE_MENTION", "require_mention", true),
            auto_thread: src.flag("MATRIX_AUTO_THREAD", "auto_thread", true),
            dm_auto_thread: src.flag("MATRIX_DM_AUTO_THREAD", "dm_auto_thread", false),
            reactions: src.flag("MATRIX_REACTIONS", "reactions", true),
            process_notices: src.flag("MATRIX_PROCESS_NOTICES", "process_notices", false),
            max_message_length,
            media_max_bytes: src
                .string(&["MATRIX_MAX_MEDIA_BYTES"], "max_media_bytes")
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_MEDIA_MAX_BYTES),
            sync_timeout: Duration::from_secs(30),
            typing_indicator: crate::platforms::telegram::typing_indicator(settings, "matrix"),
            lock_dir: env.get("HERMES_GATEWAY_LOCK_DIR").map(PathBuf::from),
            warnings,
        }))
    }

    /// A config for `homeserver` with an access token and every other setting at its
    /// default (tests, `doctor` probes).
    #[must_use]
    pub fn with_token(homeserver: &str, token: &str) -> Self {
        Self {
            homeserver: homeserver.trim_end_matches('/').to_string(),
            access_token: Some(token.to_string()),
            user_id: None,
            password: None,
            device_id: None,
            allowed_users: Vec::new(),
            allow_all_users: false,
            allowed_rooms: Vec::new(),
            free_response_rooms: Vec::new(),
            require_mention: true,
            auto_thread: true,
            dm_auto_thread: false,
            reactions: true,
            process_notices: false,
            max_message_length: DEFAULT_MAX_MESSAGE_LENGTH,
            media_max_bytes: DEFAULT_MEDIA_MAX_BYTES,
            sync_timeout: Duration::from_secs(30),
            typing_indicator: true,
            lock_dir: None,
            warnings: Vec::new(),
        }
    }

    /// Whether an invite from `inviter` to `room` is accepted.
    #[must_use]
    pub fn accepts_invite(&self, inviter: &str, room: &str) -> bool {
        self.allow_all_users
            || self.allowed_users.iter().any(|u| u == inviter || u == "*")
            || self.allowed_rooms.iter().any(|r| r == room)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::resolve(&doc, &Env::default()).unwrap()
    }

    #[test]
    fn typing_indicator_follows_gateway_platforms() {
        let env = Env::from_pairs([
            ("MATRIX_HOMESERVER", "http://hs"),
            ("MATRIX_ACCESS_TOKEN", "syt_x"),
        ]);
        let c = MatrixConfig::from_env(&env, &settings("{}"))
            .unwrap()
            .unwrap();
        assert!(c.typing_indicator);
        let c = MatrixConfig::from_env(
            &env,
            &settings("gateway: {platforms: {matrix: {typing_indicator: false}}}"),
        )
        .unwrap()
        .unwrap();
        assert!(!c.typing_indicator);
    }

    #[test]
    fn from_env_and_config() {
        let s = settings("{}");
        assert!(
            MatrixConfig::from_env(&Env::default(), &s)
                .unwrap()
                .is_none()
        );
        let env = Env::from_pairs([("MATRIX_ACCESS_TOKEN", "syt_x")]);
        assert_eq!(
            MatrixConfig::from_env(&env, &s).unwrap_err(),
            MatrixConfigError::MissingHomeserver
        );
        let env = Env::from_pairs([
            ("MATRIX_PASSWORD", "p"),
            ("MATRIX_HOMESERVER", "https://m.example.org/"),
        ]);
        assert_eq!(
            MatrixConfig::from_env(&env, &s).unwrap_err(),
            MatrixConfigError::MissingUserId
        );
        let env = Env::from_pairs([
            ("MATRIX_ACCESS_TOKEN", "syt_x"),
            ("MATRIX_HOMESERVER", "https://m.example.org/"),
            ("MATRIX_ALLOWED_USERS", "@a:x, @b:x"),
            ("MATRIX_FREE_RESPONSE_ROOMS", "!r:x"),
        ]);
        let s = settings(
            "platforms:\n  matrix:\n    extra:\n      require_mention: false\n      allowed_rooms: ['!q:x']\n",
        );
        let c = MatrixConfig::from_env(&env, &s).unwrap().unwrap();
        assert_eq!(c.homeserver, "https://m.example.org");
        assert!(!c.require_mention && c.auto_thread && c.reactions);
        assert_eq!(c.free_response_rooms, ["!r:x"]);
        assert!(c.accepts_invite("@a:x", "!z:x") && c.accepts_invite("@c:x", "!q:x"));
        assert!(!c.accepts_invite("@c:x", "!z:x"));
        assert!(!format!("{c:?}").contains("syt_x"));
        let env = Env::from_pairs([
            ("MATRIX_ACCESS_TOKEN", "syt_x"),
            ("MATRIX_HOMESERVER", "https://m"),
            ("MATRIX_E2EE_MODE", "required"),
        ]);
        assert_eq!(
            MatrixConfig::from_env(&env, &settings("{}")).unwrap_err(),
            MatrixConfigError::EncryptionRequired
        );
    }
}
