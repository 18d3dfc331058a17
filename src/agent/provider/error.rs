//! Classified provider failures. Each variant's `Display` is one true sentence a chat user can
//! be shown; `is_retryable` tells the retry wrapper what to do. Classification of HTTP answers
//! (status, error body, `Retry-After`) lives here so every provider agrees.

use std::time::Duration;

/// Why a model call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// 401/403: the key is wrong, revoked or lacks access.
    #[error("The model provider {provider} rejected the API key ({key})")]
    BadKey {
        /// Provider name.
        provider: String,
        /// Where the key came from (`OPENROUTER_API_KEY`, `model.api_key`, …).
        key: String,
        /// The provider's message.
        message: String,
    },
    /// 429, or Anthropic's 529 `overloaded_error`.
    #[error("The model provider {provider} is rate limiting or overloaded{}", wait_text(*.retry_after))]
    RateLimited {
        /// Provider name.
        provider: String,
        /// How long the provider asked us to wait.
        retry_after: Option<Duration>,
        /// The provider's message.
        message: String,
    },
    /// Connect failure, DNS, timeout, or a connection lost mid-answer.
    #[error("Could not reach the model provider {provider}: {reason}")]
    Unreachable {
        /// Provider name.
        provider: String,
        /// What went wrong, in a few words.
        reason: String,
    },
    /// 400/404/422 and other client errors: the request itself was refused.
    #[error("The model provider {provider} refused the request: {message}")]
    BadRequest {
        /// Provider name.
        provider: String,
        /// HTTP status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The conversation does not fit the model's context window.
    #[error("The conversation is too long for the model's context window ({provider}: {message})")]
    ContextTooLong {
        /// Provider name.
        provider: String,
        /// The provider's message.
        message: String,
    },
    /// 5xx.
    #[error("The model provider {provider} had a server error (HTTP {status}): {message}")]
    Server {
        /// Provider name.
        provider: String,
        /// HTTP status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The answer could not be understood.
    #[error("The model provider {provider} sent an answer hermes could not read: {message}")]
    Protocol {
        /// Provider name.
        provider: String,
        /// What was wrong with it.
        message: String,
    },
    /// The caller cancelled the request.
    #[error("The model request was cancelled")]
    Cancelled,
}

fn wait_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; try again in {}s", d.as_secs().max(1)),
        None => "; try again shortly".to_string(),
    }
}

impl ProviderError {
    /// Whether another attempt at the same provider may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Unreachable { .. }
        )
    }

    /// Whether a different provider may succeed where this one failed. A malformed request
    /// fails everywhere; a cancelled one must not continue.
    #[must_use]
    pub fn allows_fallback(&self) -> bool {
        !matches!(self, Self::BadRequest { .. } | Self::Cancelled)
    }

    /// Things the user can do about it.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::BadKey { key, .. } if key.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                vec![format!("set a valid key: `hermes config set {key} <key>`")]
            }
            Self::BadKey { key, .. } if key == "no key was sent" => {
                vec!["this endpoint wants a key: `hermes config set model.api_key <key>`".into()]
            }
            Self::BadKey { .. } => vec!["check the API key in config.yaml".into()],
            Self::ContextTooLong { .. } => {
                vec![
                    "start a new conversation with /new, or use a model with a larger context"
                        .into(),
                ]
            }
            Self::Unreachable { .. } => {
                vec!["check the network and `model.base_url` in config.yaml".into()]
            }
            Self::BadRequest { status: 404, .. } => {
                vec!["check the model name: `hermes config set model.default <model>`".into()]
            }
            _ => Vec::new(),
        }
    }

    /// The provider this error came from, if any.
    #[must_use]
    pub fn provider(&self) -> Option<&str> {
        match self {
            Self::BadKey { provider, .. }
            | Self::RateLimited { provider, .. }
            | Self::Unreachable { provider, .. }
            | Self::BadRequest { provider, .. }
            | Self::ContextTooLong { provider, .. }
            | Self::Server { provider, .. }
            | Self::Protocol { provider, .. } => Some(provider),
            Self::Cancelled => None,
        }
    }
}

/// Phrases providers use when the prompt does not fit (`OpenAI`, Anthropic, `vLLM`,
/// `llama.cpp`, Ollama, `OpenRouter`). Matched case-insensitively.
const CONTEXT_PATTERNS: &[&str] = &[
    "context_length_exceeded",
    "context length",
    "context size",
    "context window",
    "maximum context",
    "too many tokens",
    "token limit",
    "prompt is too long",
    "prompt too long",
    "reduce the length",
    "max_model_len",
    "maximum model length",
    "input is too long",
    "exceeds the maximum number of input tokens",
    "slot context",
    "n_ctx",
];

/// Whether an error message says the prompt is too long.
#[must_use]
pub fn is_context_message(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    CONTEXT_PATTERNS.iter().any(|p| lower.contains(p))
}

/// The `{message, type, code}` of an error body (`OpenAI` `{"error":{…}}`, Anthropic
/// `{"type":"error","error":{…}}`, or looser shapes some servers use).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// Human-readable message.
    pub message: String,
    /// `type` (e.g. `overloaded_error`, `invalid_request_error`).
    pub kind: String,
    /// `code` (e.g. `context_length_exceeded`, or a number).
    pub code: String,
}

impl ErrorBody {
    /// Parses an error body; a body that is not JSON becomes the message (shortened).
    #[must_use]
    pub fn parse(body: &str) -> Self {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
            return Self {
                message: one_line(body),
                ..Self::default()
            };
        };
        Self::from_value(&v).unwrap_or_else(|| Self {
            message: one_line(body),
            ..Self::default()
        })
    }

    /// Reads the error object out of a JSON value, if it carries one.
    #[must_use]
    pub fn from_value(v: &serde_json::Value) -> Option<Self> {
        let text = |x: Option<&serde_json::Value>| match x {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match v.get("error") {
            Some(serde_json::Value::String(s)) => Some(Self {
                message: one_line(s),
                ..Self::default()
            }),
            Some(e @ serde_json::Value::Object(_)) => Some(Self {
                message: one_line(&text(e.get("message"))),
                kind: text(e.get("type")),
                code: text(e.get("code")),
            }),
            _ => {
                let message = text(v.get("message").or_else(|| v.get("detail")));
                (!message.is_empty()).then(|| Self {
                    message: one_line(&message),
                    ..Self::default()
                })
            }
        }
    }
}

/// Squeezes text to one line of reasonable length for a user-facing sentence.
#[must_use]
pub(crate) fn one_line(text: &str) -> String {
    const MAX: usize = 300;
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let mut cut: String = flat.chars().take(MAX).collect();
    cut.push('…');
    cut
}

/// Classifies a non-success HTTP answer.
#[must_use]
pub(crate) fn classify_status(
    provider: &str,
    key: &str,
    status: u16,
    retry_after: Option<Duration>,
    body: &ErrorBody,
) -> ProviderError {
    let provider = provider.to_string();
    let message = if body.message.is_empty() {
        format!("HTTP {status}")
    } else {
        body.message.clone()
    };
    let says_context = body.code == "context_length_exceeded" || is_context_message(&message);
    match status {
        401 | 403 => ProviderError::BadKey {
            provider,
            key: key.to_string(),
            message,
        },
        429 | 529 => ProviderError::RateLimited {
            provider,
            retry_after,
            message,
        },
        413 => ProviderError::ContextTooLong { provider, message },
        400..=499 if says_context => ProviderError::ContextTooLong { provider, message },
        408 | 500..=599 => ProviderError::Server {
            provider,
            status,
            message,
        },
        _ if body.kind == "overloaded_error" => ProviderError::RateLimited {
            provider,
            retry_after,
            message,
        },
        _ => ProviderError::BadRequest {
            provider,
            status,
            message,
        },
    }
}

/// Classifies an error object that arrived inside a 200 stream (`OpenRouter` sends
/// `data: {"error":{…,"code":502}}`; Anthropic sends `event: error`).
#[must_use]
pub(crate) fn classify_stream_error(provider: &str, key: &str, body: &ErrorBody) -> ProviderError {
    let status = body.code.parse::<u16>().ok().or(match body.kind.as_str() {
        "overloaded_error" => Some(529),
        "rate_limit_error" => Some(429),
        "authentication_error" => Some(401),
        "permission_error" => Some(403),
        "invalid_request_error" => Some(400),
        "not_found_error" => Some(404),
        "request_too_large" => Some(413),
        "api_error" | "server_error" => Some(500),
        _ => None,
    });
    match status {
        Some(s) if (400..=599).contains(&s) => classify_status(provider, key, s, None, body),
        _ if is_context_message(&body.message) || body.code == "context_length_exceeded" => {
            ProviderError::ContextTooLong {
                provider: provider.to_string(),
                message: body.message.clone(),
            }
        }
        // An unexplained error mid-stream is most often the upstream model failing.
        _ => ProviderError::Server {
            provider: provider.to_string(),
            status: 502,
            message: if body.message.is_empty() {
                "error in the response stream".into()
            } else {
                body.message.clone()
            },
        },
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date relative to `now`.
#[must_use]
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let delta = at.duration_since(now);
    Some(Duration::try_from(delta).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now: jiff::Timestamp = "2015-10-21T07:27:00Z".parse().unwrap();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 0.5 ", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_mins(1))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:20:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn error_bodies() {
        let openai = ErrorBody::parse(
            r#"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(openai.code, "context_length_exceeded");
        let anthropic = ErrorBody::parse(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        );
        assert_eq!(
            (anthropic.kind.as_str(), anthropic.message.as_str()),
            ("overloaded_error", "Overloaded")
        );
        assert_eq!(
            ErrorBody::parse(r#"{"detail":"Not Found"}"#).message,
            "Not Found"
        );
        assert_eq!(
            ErrorBody::parse("<html>\n bad gateway </html>").message,
            "<html> bad gateway </html>"
        );
        assert_eq!(
            ErrorBody::parse(r#"{"error":"model not found"}"#).message,
            "model not found"
        );
    }

    #[test]
    fn status_classes() {
        let body = |m: &str| ErrorBody {
            message: m.into(),
            ..ErrorBody::default()
        };
        let c = |s, m: &str| classify_status("openrouter", "OPENROUTER_API_KEY", s, None, &body(m));
        assert!(matches!(c(401, "bad"), ProviderError::BadKey { .. }));
        assert!(matches!(c(403, "no"), ProviderError::BadKey { .. }));
        assert!(matches!(c(429, "slow"), ProviderError::RateLimited { .. }));
        assert!(matches!(
            c(529, "Overloaded"),
            ProviderError::RateLimited { .. }
        ));
        assert!(matches!(
            c(400, "bad tool"),
            ProviderError::BadRequest { status: 400, .. }
        ));
        assert!(matches!(
            c(404, "no model"),
            ProviderError::BadRequest { status: 404, .. }
        ));
        assert!(matches!(c(422, "x"), ProviderError::BadRequest { .. }));
        assert!(matches!(
            c(400, "prompt is too long: 210000 tokens > 200000 maximum"),
            ProviderError::ContextTooLong { .. }
        ));
        assert!(matches!(
            c(503, ""),
            ProviderError::Server { status: 503, .. }
        ));
        assert_eq!(
            c(401, "bad").to_string(),
            "The model provider openrouter rejected the API key (OPENROUTER_API_KEY)"
        );
        assert_eq!(
            c(500, "").to_string(),
            "The model provider openrouter had a server error (HTTP 500): HTTP 500"
        );
    }

    #[test]
    fn retryable_and_fallback() {
        let rl = ProviderError::RateLimited {
            provider: "p".into(),
            retry_after: Some(Duration::from_secs(2)),
            message: String::new(),
        };
        assert!(rl.is_retryable());
        assert_eq!(
            rl.to_string(),
            "The model provider p is rate limiting or overloaded; try again in 2s"
        );
        let bad = ProviderError::BadRequest {
            provider: "p".into(),
            status: 400,
            message: "x".into(),
        };
        assert!(!bad.is_retryable() && !bad.allows_fallback());
        assert!(!ProviderError::Cancelled.allows_fallback());
        let key = ProviderError::BadKey {
            provider: "p".into(),
            key: "OPENAI_API_KEY".into(),
            message: String::new(),
        };
        assert!(!key.is_retryable() && key.allows_fallback());
        assert_eq!(
            key.hints(),
            vec!["set a valid key: `hermes config set OPENAI_API_KEY <key>`"]
        );
    }

    #[test]
    fn stream_errors() {
        let e = classify_stream_error(
            "anthropic",
            "ANTHROPIC_API_KEY",
            &ErrorBody {
                message: "Overloaded".into(),
                kind: "overloaded_error".into(),
                code: String::new(),
            },
        );
        assert!(matches!(e, ProviderError::RateLimited { .. }));
        let e = classify_stream_error(
            "openrouter",
            "K",
            &ErrorBody {
                message: "upstream failed".into(),
                kind: String::new(),
                code: "502".into(),
            },
        );
        assert!(matches!(e, ProviderError::Server { status: 502, .. }));
    }
}
