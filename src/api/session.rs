//! Sessions of API clients: derived and header-given session ids, the `X-Hermes-Session-Key`
//! memory scope (HMAC'd with the server key), bearer comparison, and the transcript in the store.

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::HttpError;
use crate::gateway::turn::{HistoryMessage, TurnResult};
use crate::store::{Message, NewMessage, NewSession, RecordedTurn, SessionStore, StoreError};

/// The platform name API sessions are stored under.
pub const SOURCE: &str = "api_server";
/// The longest session header accepted.
pub(crate) const MAX_SESSION_HEADER_LEN: usize = 256;
/// Continue a stored session.
pub(crate) const SESSION_ID_HEADER: &str = "x-hermes-session-id";
/// Scope long-term memory.
pub(crate) const SESSION_KEY_HEADER: &str = "x-hermes-session-key";

/// `api-` plus the first 16 hex of sha256(system prompt + "\n" + first user message), so a
/// client that resends the whole conversation maps onto one stable session.
#[must_use]
pub fn derive_session_id(system_prompt: Option<&str>, first_user_message: &str) -> String {
    let digest = Sha256::digest(format!(
        "{}\n{first_user_message}",
        system_prompt.unwrap_or_default()
    ));
    format!("api-{}", &hex(&digest)[..16])
}

/// A fresh random `api-<16 hex>` id.
pub(crate) fn random_session_id() -> String {
    format!("api-{}", random_hex(8))
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS RNG failing is not recoverable in any useful way; ids then fall back to time.
    if getrandom::fill(&mut buf).is_err() {
        let t = jiff::Timestamp::now().as_nanosecond().to_le_bytes();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = t[i % t.len()] ^ u8::try_from(i % 256).unwrap_or(0);
        }
    }
    hex(&buf)
}

/// Whether `id` has one of upstream's session id shapes: `api-<16 hex>` or
/// `YYYYMMDD_HHMMSS_<6 hex>`.
#[must_use]
pub fn is_valid_session_id(id: &str) -> bool {
    let lower_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = id.strip_prefix("api-") {
        return rest.len() == 16 && lower_hex(rest);
    }
    let parts: Vec<&str> = id.split('_').collect();
    matches!(parts.as_slice(), [d, t, h]
        if d.len() == 8 && digits(d) && t.len() == 6 && digits(t) && h.len() == 6 && lower_hex(h))
}

/// HMAC-SHA256 of `message` under `key` (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The memory scope for a client's session key: `api-server-<32 hex>`, keyed by the server
/// key so clients cannot name another client's scope without knowing the key.
#[must_use]
pub fn scoped_session_key(server_key: &str, client_key: &str) -> String {
    let mac = hmac_sha256(server_key.as_bytes(), client_key.as_bytes());
    format!("api-server-{}", &hex(&mac)[..32])
}

/// Compares a presented bearer token with the key in constant time (both are hashed first,
/// so neither length nor content leaks through timing).
#[must_use]
pub fn bearer_matches(presented: &str, key: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(key.as_bytes());
    a.ct_eq(&b).into()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The validated `X-Hermes-Session-Key`: the raw value (echoed back) and its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientSessionKey {
    pub(crate) raw: String,
    pub(crate) scoped: String,
}

/// Reads `X-Hermes-Session-Key`: 403 without a server key, 400 when malformed.
pub(crate) fn session_key_header(
    headers: &HeaderMap,
    server_key: Option<&str>,
) -> Result<Option<ClientSessionKey>, HttpError> {
    let Some(raw) = headers.get(SESSION_KEY_HEADER) else {
        return Ok(None);
    };
    let raw = String::from_utf8_lossy(raw.as_bytes()).trim().to_string();
    if raw.is_empty() {
        return Ok(None);
    }
    let Some(server_key) = server_key else {
        return Err(HttpError::openai(
            StatusCode::FORBIDDEN,
            "X-Hermes-Session-Key requires API key authentication. Configure API_SERVER_KEY to \
             enable this feature.",
            "invalid_request_error",
            None,
            None,
        ));
    };
    if raw.contains(['\r', '\n', '\0']) {
        return Err(HttpError::bare(
            StatusCode::BAD_REQUEST,
            "Invalid session key",
        ));
    }
    if raw.chars().count() > MAX_SESSION_HEADER_LEN {
        return Err(HttpError::bare(
            StatusCode::BAD_REQUEST,
            "Session key too long",
        ));
    }
    Ok(Some(ClientSessionKey {
        scoped: scoped_session_key(server_key, &raw),
        raw,
    }))
}

/// Reads `X-Hermes-Session-Id` (403 without a server key, 400 malformed); `None` if absent.
pub(crate) fn session_id_header(
    headers: &HeaderMap,
    server_key: Option<&str>,
) -> Result<Option<String>, HttpError> {
    let Some(raw) = headers.get(SESSION_ID_HEADER) else {
        return Ok(None);
    };
    let id = String::from_utf8_lossy(raw.as_bytes()).trim().to_string();
    if id.is_empty() {
        return Ok(None);
    }
    if server_key.is_none() {
        return Err(HttpError::openai(
            StatusCode::FORBIDDEN,
            "Session continuation requires API key authentication. Configure API_SERVER_KEY \
             to enable this feature.",
            "invalid_request_error",
            None,
            None,
        ));
    }
    if id.chars().count() > MAX_SESSION_HEADER_LEN {
        return Err(HttpError::bare(
            StatusCode::BAD_REQUEST,
            "Session ID too long",
        ));
    }
    if !is_valid_session_id(&id) {
        return Err(HttpError::bare(
            StatusCode::BAD_REQUEST,
            "Invalid session ID",
        ));
    }
    Ok(Some(id))
}

/// The stored transcript of an API session; `None` when no `api_server` session has this id.
pub(crate) fn stored_history(
    store: &dyn SessionStore,
    id: &str,
) -> Result<Option<Vec<HistoryMessage>>, StoreError> {
    match store.session(id)? {
        Some(s) if s.source == SOURCE => {}
        _ => return Ok(None),
    }
    Ok(Some(
        store
            .messages(id)?
            .into_iter()
            .filter(|m| m.role != "system")
            .map(history_of)
            .collect(),
    ))
}

fn history_of(m: Message) -> HistoryMessage {
    HistoryMessage {
        role: m.role,
        content: m.content.unwrap_or_default(),
        tool_calls: m.tool_calls.map(|v| v.to_string()),
        tool_call_id: m.tool_call_id,
        tool_name: m.tool_name,
    }
}

/// Who a turn is for, as stored with the session.
#[derive(Debug, Clone)]
pub(crate) struct SessionRef {
    pub(crate) id: String,
    pub(crate) key: String,
    pub(crate) user_id: String,
}

/// A finished turn as the store records it (the session is created with this id if new).
pub(crate) fn recorded_turn(
    session: &SessionRef,
    user_text: &str,
    result: &TurnResult,
) -> RecordedTurn {
    let mut messages = vec![NewMessage::user(user_text)];
    if result.messages.is_empty() {
        let mut reply = NewMessage::assistant(result.text.clone());
        reply.finish_reason =
            (!result.finish_reason.is_empty()).then(|| result.finish_reason.clone());
        messages.push(reply);
    } else {
        messages.extend(result.messages.iter().map(new_message_of));
    }
    RecordedTurn {
        session_id: session.id.clone(),
        session: NewSession {
            source: SOURCE.into(),
            user_id: Some(session.user_id.clone()),
            session_key: Some(session.key.clone()),
            chat_id: Some(session.id.clone()),
            chat_type: Some("dm".into()),
            model: (!result.model.is_empty()).then(|| result.model.clone()),
            ..NewSession::default()
        },
        messages,
        input_tokens: result.usage.input,
        output_tokens: result.usage.output,
    }
}

fn new_message_of(m: &HistoryMessage) -> NewMessage {
    NewMessage {
        role: m.role.clone(),
        content: Some(m.content.clone()),
        tool_calls: m
            .tool_calls
            .as_deref()
            .map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))),
        tool_call_id: m.tool_call_id.clone(),
        tool_name: m.tool_name.clone(),
        ..NewMessage::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_shaped() {
        let a = derive_session_id(Some("be brief"), "hello");
        assert_eq!(a, derive_session_id(Some("be brief"), "hello"));
        assert_ne!(a, derive_session_id(None, "hello"));
        assert!(is_valid_session_id(&a), "{a}");
        // The same ids upstream derives (checked with Python's hashlib).
        assert_eq!(derive_session_id(None, "hello"), "api-a1ad92f331dce2e0");
        assert_eq!(a, "api-74303aa7304df6af");
    }

    #[test]
    fn session_id_shapes() {
        assert!(is_valid_session_id("api-0123456789abcdef"));
        assert!(is_valid_session_id("20250101_120000_abc123"));
        for bad in [
            "api-0123456789ABCDEF",
            "api-123",
            "../etc/passwd",
            "20250101_120000_abc12",
            "2025010_120000_abc123",
            "",
        ] {
            assert!(!is_valid_session_id(bad), "{bad}");
        }
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = scoped_session_key("k", "user-42");
        assert!(s.starts_with("api-server-") && s.len() == 11 + 32, "{s}");
        assert_ne!(s, scoped_session_key("other", "user-42"));
    }

    #[test]
    fn bearer_comparison() {
        assert!(bearer_matches("sk-1", "sk-1"));
        assert!(!bearer_matches("sk-1 ", "sk-1"));
        assert!(!bearer_matches("", "sk-1"));
    }
}
