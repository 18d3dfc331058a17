//! Sessions (one conversation each) and their messages: the data types and the
//! `SessionStore` trait. Field names follow upstream's `state.db` so transcripts carry over.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::StoreError;

/// A conversation: one transcript with its origin, model and counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// `YYYYMMDD_HHMMSS_<6 hex>` (upstream also has `api-<16 hex>` and others).
    pub id: String,
    /// The platform it came from (`telegram`, `cli`, `api_server`, `cron`, …).
    pub source: String,
    /// The sender, when known.
    pub user_id: Option<String>,
    /// The session key it was routed under.
    pub session_key: Option<String>,
    /// The chat it started in.
    pub chat_id: Option<String>,
    /// `dm`, `group`, `channel` or `thread`.
    pub chat_type: Option<String>,
    /// The thread it started in.
    pub thread_id: Option<String>,
    /// A display name for the chat.
    pub display_name: Option<String>,
    /// The model in use.
    pub model: Option<String>,
    /// The session this one continues (reset, branch, compression).
    pub parent_id: Option<String>,
    /// The title, unique among sessions.
    pub title: Option<String>,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended; `None` while active.
    pub ended_at: Option<Timestamp>,
    /// Why it ended (`idle`, `daily`, `new`, `user_exit`, …).
    pub end_reason: Option<String>,
    /// Messages stored for it.
    pub message_count: u64,
    /// Tool calls made in it.
    pub tool_call_count: u64,
    /// Prompt tokens used.
    pub input_tokens: u64,
    /// Completion tokens used.
    pub output_tokens: u64,
    /// Hidden from listings (upstream's `sessions archive`).
    pub archived: bool,
}

impl Session {
    /// Input plus output tokens.
    #[must_use]
    pub fn total_tokens(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

/// What a new session starts with; the store assigns the id and start time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSession {
    /// The platform (`telegram`, `cli`, …).
    pub source: String,
    /// The model in use.
    pub model: Option<String>,
    /// The sender.
    pub user_id: Option<String>,
    /// The session key it is routed under.
    pub session_key: Option<String>,
    /// The chat.
    pub chat_id: Option<String>,
    /// `dm`, `group`, `channel` or `thread`.
    pub chat_type: Option<String>,
    /// The thread.
    pub thread_id: Option<String>,
    /// A display name for the chat.
    pub display_name: Option<String>,
    /// The session this one continues.
    pub parent_id: Option<String>,
}

/// Filters for listing sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    /// Only this platform (otherwise every platform except upstream's internal `tool`).
    pub platform: Option<String>,
    /// At most this many, newest first.
    pub limit: usize,
    /// Only sessions whose title contains this text (case-insensitive for ASCII).
    pub search: Option<String>,
    /// Include archived sessions.
    pub include_archived: bool,
}

impl Default for SessionQuery {
    fn default() -> Self {
        Self {
            platform: None,
            limit: 20,
            search: None,
            include_archived: false,
        }
    }
}

/// A session as listed: with the opening of its first user message and its last activity.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    /// The session.
    pub session: Session,
    /// The first user message, on one line, cut at 60 characters (`...` when cut).
    pub preview: String,
    /// The newest message's time, or the start time when it has none.
    pub last_active: Timestamp,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The row id (increasing in insertion order).
    pub id: i64,
    /// The session it belongs to.
    pub session_id: String,
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The text. For multimodal content, the text parts joined by newlines.
    pub content: Option<String>,
    /// Multimodal content parts as stored by upstream (`None` for plain text).
    pub parts: Option<Value>,
    /// The assistant's tool calls (`OpenAI` shape).
    pub tool_calls: Option<Value>,
    /// For a tool result: the call it answers.
    pub tool_call_id: Option<String>,
    /// For a tool result: the tool's name.
    pub tool_name: Option<String>,
    /// When it was stored.
    pub timestamp: Timestamp,
    /// Its token count, when known.
    pub token_count: Option<u64>,
    /// The provider's finish reason.
    pub finish_reason: Option<String>,
}

/// A message to append.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewMessage {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The text.
    pub content: Option<String>,
    /// The assistant's tool calls (`OpenAI` shape).
    pub tool_calls: Option<Value>,
    /// For a tool result: the call it answers.
    pub tool_call_id: Option<String>,
    /// For a tool result: the tool's name.
    pub tool_name: Option<String>,
    /// Its time; `None` means now.
    pub timestamp: Option<Timestamp>,
    /// Its token count, when known.
    pub token_count: Option<u64>,
    /// The provider's finish reason.
    pub finish_reason: Option<String>,
    /// The platform's id for the message it came from.
    pub platform_message_id: Option<String>,
}

impl NewMessage {
    /// A message with this role and text.
    #[must_use]
    pub fn text(role: &str, content: impl Into<String>) -> Self {
        Self {
            role: role.to_string(),
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// A user message.
    #[must_use]
    pub fn user(content: impl Into<String>) -> Self {
        Self::text("user", content)
    }

    /// An assistant message.
    #[must_use]
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::text("assistant", content)
    }

    /// A tool result answering `call_id`.
    #[must_use]
    pub fn tool(call_id: &str, name: &str, content: impl Into<String>) -> Self {
        Self {
            tool_call_id: Some(call_id.to_string()),
            tool_name: Some(name.to_string()),
            ..Self::text("tool", content)
        }
    }
}

/// A finished turn to record with [`SessionStore::record_turns`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedTurn {
    /// The session, chosen by the caller (e.g. `api-<16 hex>`).
    pub session_id: String,
    /// What the session starts with if it does not exist yet.
    pub session: NewSession,
    /// The turn's messages, in order.
    pub messages: Vec<NewMessage>,
    /// Prompt tokens used.
    pub input_tokens: u64,
    /// Completion tokens used.
    pub output_tokens: u64,
}

/// Counts for `hermes sessions stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Sessions stored.
    pub sessions: u64,
    /// Messages stored (visible ones).
    pub messages: u64,
    /// Sessions per platform, most first.
    pub by_platform: Vec<(String, u64)>,
    /// The database file's size in bytes (0 for a non-file backend).
    pub file_bytes: u64,
}

/// The longest title accepted, in characters (as upstream).
pub const TITLE_MAX_CHARS: usize = 100;

/// Cleans a title like upstream: control and invisible formatting characters removed,
/// whitespace runs collapsed. Empty means "no title".
pub fn sanitize_title(raw: &str) -> Result<Option<String>, StoreError> {
    let invisible = |c: char| {
        matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
            | '\u{feff}' | '\u{fff9}'..='\u{fffc}')
    };
    let kept: String = raw
        .chars()
        .filter(|&c| !invisible(c) && (!c.is_control() || c.is_whitespace()))
        .collect();
    let cleaned = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Ok(None);
    }
    let len = cleaned.chars().count();
    if len > TITLE_MAX_CHARS {
        return Err(StoreError::TitleTooLong {
            len,
            max: TITLE_MAX_CHARS,
        });
    }
    Ok(Some(cleaned))
}

/// Sessions and their transcripts.
pub trait SessionStore: Send + Sync {
    /// Starts a session with a fresh id.
    fn create_session(&self, new: &NewSession) -> Result<Session, StoreError>;
    /// The session with exactly this id, created from `new` first when it does not exist
    /// (upstream's API server ids such as `api-<16 hex>` are chosen by the caller).
    fn ensure_session(&self, id: &str, new: &NewSession) -> Result<Session, StoreError> {
        let _ = new;
        Err(StoreError::Query {
            op: "create a session with a given id",
            source: format!("this backend cannot create session `{id}` with a chosen id").into(),
        })
    }
    /// The session with exactly this id.
    fn session(&self, id: &str) -> Result<Option<Session>, StoreError>;
    /// The full id for an exact id or a unique prefix.
    fn resolve_session_id(&self, id_or_prefix: &str) -> Result<String, StoreError>;
    /// Sessions matching `query`, newest first.
    fn list_sessions(&self, query: &SessionQuery) -> Result<Vec<SessionSummary>, StoreError>;
    /// Sets (or with `None`/blank clears) the title; returns the cleaned title.
    fn set_title(&self, id: &str, title: Option<&str>) -> Result<Option<String>, StoreError>;
    /// Records the model now in use.
    fn set_model(&self, id: &str, model: &str) -> Result<(), StoreError>;
    /// Adds to the token counters.
    fn add_tokens(&self, id: &str, input: u64, output: u64) -> Result<(), StoreError>;
    /// Marks the session ended now, with a reason (`idle`, `daily`, `new`, …).
    fn end_session(&self, id: &str, reason: &str) -> Result<(), StoreError>;
    /// Deletes a session and its messages; children are kept, detached. `false` if absent.
    fn delete_session(&self, id: &str) -> Result<bool, StoreError>;
    /// Ended, unarchived sessions started more than `older_than` ago, oldest first.
    fn prune_candidates(
        &self,
        older_than: SignedDuration,
        platform: Option<&str>,
    ) -> Result<Vec<Session>, StoreError>;
    /// Deletes what [`SessionStore::prune_candidates`] lists; returns how many.
    fn prune_sessions(
        &self,
        older_than: SignedDuration,
        platform: Option<&str>,
    ) -> Result<usize, StoreError>;
    /// Totals for `hermes sessions stats`.
    fn stats(&self) -> Result<StoreStats, StoreError>;
    /// Appends a message; returns its id.
    fn append_message(&self, session_id: &str, message: &NewMessage) -> Result<i64, StoreError>;
    /// Records finished turns: each one's session (created with its id if absent), messages
    /// and token counts. Backends should write a batch in one transaction.
    fn record_turns(&self, turns: &[RecordedTurn]) -> Result<(), StoreError> {
        for t in turns {
            self.ensure_session(&t.session_id, &t.session)?;
            for m in &t.messages {
                self.append_message(&t.session_id, m)?;
            }
            if t.input_tokens > 0 || t.output_tokens > 0 {
                self.add_tokens(&t.session_id, t.input_tokens, t.output_tokens)?;
            }
        }
        Ok(())
    }
    /// The visible transcript, oldest first.
    fn messages(&self, session_id: &str) -> Result<Vec<Message>, StoreError>;
    /// The last `n` visible messages, oldest first.
    fn last_messages(&self, session_id: &str, n: usize) -> Result<Vec<Message>, StoreError>;
    /// Hides the last user message and everything after it (`/undo`); returns how many.
    fn remove_last_exchange(&self, session_id: &str) -> Result<usize, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cleaned_like_upstream() {
        assert_eq!(
            sanitize_title("  My\u{200b}  project\n\tnotes ").unwrap(),
            Some("My project notes".into())
        );
        assert_eq!(sanitize_title(" \u{7}\n ").unwrap(), None);
        let long = "x".repeat(101);
        assert!(matches!(
            sanitize_title(&long),
            Err(StoreError::TitleTooLong { len: 101, max: 100 })
        ));
        assert!(sanitize_title(&"é".repeat(100)).unwrap().is_some());
    }
}
