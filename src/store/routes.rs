//! The routing index: which session a session key currently points at, plus the flags the
//! gateway keeps per chat. Replaces upstream's `sessions/sessions.json`, imported once.

use std::path::Path;

use jiff::Timestamp;
use serde_json::Value;

use super::StoreError;
use crate::gateway::session_key::SessionSource;

/// One routing entry: a session key and the session it leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The session key (`agent:main:telegram:dm:42`).
    pub session_key: String,
    /// The current session's id.
    pub session_id: String,
    /// Where the chat is, for replies and cron delivery.
    pub origin: Option<SessionSource>,
    /// The platform name.
    pub platform: Option<String>,
    /// `dm`, `group`, `channel` or `thread`.
    pub chat_type: Option<String>,
    /// A display name for the chat.
    pub display_name: Option<String>,
    /// When the key was first routed.
    pub created_at: Timestamp,
    /// The last activity.
    pub updated_at: Timestamp,
    /// The session was replaced automatically; the user has not been told yet.
    pub was_auto_reset: bool,
    /// `idle` or `daily` when `was_auto_reset`.
    pub auto_reset_reason: Option<String>,
    /// A restart interrupted the last turn; continue the same session.
    pub resume_pending: bool,
    /// A `/model` choice for this chat (`model`, `provider`, `base_url`; never credentials).
    pub model_override: Option<Value>,
}

impl Route {
    /// A fresh entry pointing `session_key` at `session_id`, created and updated `at`.
    #[must_use]
    pub fn new(session_key: &str, session_id: &str, at: Timestamp) -> Self {
        Self {
            session_key: session_key.to_string(),
            session_id: session_id.to_string(),
            origin: None,
            platform: None,
            chat_type: None,
            display_name: None,
            created_at: at,
            updated_at: at,
            was_auto_reset: false,
            auto_reset_reason: None,
            resume_pending: false,
            model_override: None,
        }
    }
}

/// The routing index.
pub trait RouteStore: Send + Sync {
    /// The entry for a session key.
    fn route(&self, session_key: &str) -> Result<Option<Route>, StoreError>;
    /// Inserts or replaces an entry.
    fn set_route(&self, route: &Route) -> Result<(), StoreError>;
    /// Moves an entry's `updated_at` to now; `false` if there is none.
    fn touch_route(&self, session_key: &str) -> Result<bool, StoreError>;
    /// Every entry, most recently active first.
    fn routes(&self) -> Result<Vec<Route>, StoreError>;
    /// Removes an entry; `false` if there was none.
    fn delete_route(&self, session_key: &str) -> Result<bool, StoreError>;
    /// When the index is empty, fills it from an upstream home: `state.db`'s `gateway_routing`
    /// table, then `sessions_json` for keys still missing. The file is left in place.
    /// Returns how many entries were imported.
    fn import_upstream_routes(&self, sessions_json: &Path) -> Result<usize, StoreError>;
}
