//! Streaming a reply by message edits (`streaming:` in config.yaml): on a platform that can
//! edit, the reply's text is posted once as it starts and edited as it grows, with a trailing
//! cursor, at most every `edit_interval` seconds; the final text replaces the preview.

use std::time::Duration;

use serde_yaml_ng::Value;
use tokio::time::Instant;

use crate::config::Settings;
use crate::platforms::{ChatRef, OutboundMessage, Outbox};

/// `streaming:` as the gateway reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StreamConfig {
    /// `streaming.enabled` (off by default, as upstream).
    pub(crate) enabled: bool,
    /// Shortest time between two edits.
    pub(crate) edit_interval: Duration,
    /// Characters that must accumulate before the first preview is posted.
    pub(crate) buffer_threshold: usize,
    /// Shown after the text while it still streams.
    pub(crate) cursor: String,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            edit_interval: Duration::from_secs(1),
            buffer_threshold: 40,
            cursor: " ▉".into(),
        }
    }
}

impl StreamConfig {
    /// Top-level `streaming:`; a `transport` other than `edit` turns it off, since editing
    /// is the only transport there is. A bare `streaming: true` works.
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        let section = settings.extra.get("streaming");
        let mut c = Self::default();
        match section {
            Some(Value::Bool(b)) => c.enabled = *b,
            Some(Value::Mapping(m)) => {
                let get = |k: &str| m.get(Value::String(k.into()));
                c.enabled = get("enabled").and_then(Value::as_bool).unwrap_or(false);
                if let Some(t) = get("transport").and_then(Value::as_str)
                    && t != "edit"
                {
                    c.enabled = false;
                }
                if let Some(s) = get("edit_interval").and_then(Value::as_f64)
                    && s.is_finite()
                    && s >= 0.0
                {
                    c.edit_interval = Duration::from_secs_f64(s.min(60.0));
                }
                if let Some(n) = get("buffer_threshold").and_then(Value::as_u64) {
                    c.buffer_threshold = usize::try_from(n).unwrap_or(usize::MAX);
                }
                if let Some(s) = get("cursor").and_then(Value::as_str) {
                    c.cursor = s.to_string();
                }
            }
            _ => {}
        }
        c
    }
}

/// A reply being streamed into one message.
#[derive(Debug)]
pub(crate) struct Preview {
    /// The posted message, once there is one.
    pub(crate) id: Option<String>,
    /// The text streamed so far (this segment).
    text: String,
    /// Characters of `text` the posted message shows.
    shown: usize,
    last_edit: Instant,
    /// The text no longer fits one message: the final delivery takes over.
    overflowed: bool,
    /// The user's message the first post quotes (as the reply's first chunk would).
    quote: Option<String>,
}

impl Preview {
    pub(crate) fn new(quote: Option<String>) -> Self {
        Self {
            id: None,
            text: String::new(),
            shown: 0,
            last_edit: Instant::now(),
            overflowed: false,
            quote,
        }
    }

    /// Whether nothing was posted.
    pub(crate) fn is_empty(&self) -> bool {
        self.id.is_none()
    }

    /// Adds streamed text.
    pub(crate) fn push(&mut self, delta: &str) {
        self.text.push_str(delta);
    }

    /// Posts or edits the preview when it is due; `force` ignores the interval (a segment
    /// ends). Failures are not fatal: the final delivery sends the whole reply anyway.
    pub(crate) async fn flush(
        &mut self,
        outbox: &dyn Outbox,
        chat: &ChatRef,
        config: &StreamConfig,
        max_len: usize,
        force: bool,
    ) {
        let len = self.text.chars().count();
        if self.overflowed || len == self.shown || self.text.trim().is_empty() {
            return;
        }
        let cursor = if force { "" } else { config.cursor.as_str() };
        if len + cursor.chars().count() > max_len {
            // Longer than one message: the final delivery chunks it.
            self.overflowed = true;
            return;
        }
        let body = format!("{}{cursor}", self.text);
        match &self.id {
            None => {
                if !force && len < config.buffer_threshold {
                    return;
                }
                let first = OutboundMessage {
                    reply_to: self.quote.clone(),
                    ..OutboundMessage::text(body)
                };
                if let Ok(sent) = outbox.send(chat, &first).await {
                    self.id = sent.message_id;
                }
            }
            Some(id) => {
                if !force && self.last_edit.elapsed() < config.edit_interval {
                    return;
                }
                if outbox.edit(chat, id, &body).await.is_err() {
                    self.overflowed = true;
                    return;
                }
            }
        }
        self.shown = len;
        self.last_edit = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Settings {
        let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
        Settings::resolve(&doc, &crate::config::Env::default()).unwrap()
    }

    #[test]
    fn off_by_default_and_read_from_config() {
        assert!(!StreamConfig::from_settings(&settings("{}")).enabled);
        let c = StreamConfig::from_settings(&settings(
            "streaming:\n  enabled: true\n  edit_interval: 0.5\n  buffer_threshold: 10\n  cursor: ' _'\n",
        ));
        assert!(c.enabled);
        assert_eq!(c.edit_interval, Duration::from_millis(500));
        assert_eq!(c.buffer_threshold, 10);
        assert_eq!(c.cursor, " _");
        assert!(StreamConfig::from_settings(&settings("streaming: true\n")).enabled);
        assert!(
            !StreamConfig::from_settings(&settings(
                "streaming:\n  enabled: true\n  transport: draft\n"
            ))
            .enabled
        );
    }
}
