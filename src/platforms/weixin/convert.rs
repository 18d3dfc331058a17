//! Reading one `getupdates` message: who sent it and where, its text (quotes become
//! `[引用: …]` prefixes, Tencent's voice transcription is labelled), and references to the
//! media it carries. Downloading those is `media.rs`'s job.

use serde_json::Value;

use crate::platforms::ChatType;

/// Item type: text.
pub const ITEM_TEXT: i64 = 1;
/// Item type: image.
pub const ITEM_IMAGE: i64 = 2;
/// Item type: voice.
pub const ITEM_VOICE: i64 = 3;
/// Item type: file.
pub const ITEM_FILE: i64 = 4;
/// Item type: video.
pub const ITEM_VIDEO: i64 = 5;

/// The label put before Tencent's speech-to-text of a voice message.
pub const VOICE_TRANSCRIPTION_PREFIX: &str = "[Voice transcription provided by Weixin]";

/// What kind of media an item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// A picture.
    Image,
    /// A voice note (SILK audio).
    Voice,
    /// A file.
    File,
    /// A video.
    Video,
}

impl MediaKind {
    /// `image`, `voice`, `file`, `video` (the `Media::kind` names).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Voice => "voice",
            Self::File => "file",
            Self::Video => "video",
        }
    }
}

/// How an item gives its AES key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaKey {
    /// `media.aes_key`: base64 of 16 bytes or of 32 hex characters.
    Base64(String),
    /// `image_item.aeskey`: 32 hex characters.
    Hex(String),
}

/// A downloadable media reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// What it is.
    pub kind: MediaKind,
    /// `media.encrypt_query_param` (download through the CDN).
    pub encrypt_query_param: Option<String>,
    /// `media.full_url` (only fetched from allow-listed hosts).
    pub full_url: Option<String>,
    /// The decryption key, when encrypted.
    pub key: Option<MediaKey>,
    /// `file_item.file_name`.
    pub file_name: Option<String>,
}

/// One inbound message, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// `message_id`.
    pub message_id: Option<String>,
    /// `from_user_id`.
    pub sender: String,
    /// The room for groups, else the sender.
    pub chat_id: String,
    /// Group when a room id is present, else DM.
    pub chat_type: ChatType,
    /// `context_token`, to echo on replies.
    pub context_token: Option<String>,
    /// The text (with quote or transcription labels).
    pub text: String,
    /// Media to download.
    pub media: Vec<MediaRef>,
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    let s = match v.get(key)? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// Reads a message; `None` when it has no sender.
#[must_use]
pub fn parse(msg: &Value) -> Option<Parsed> {
    let sender = str_field(msg, "from_user_id")?;
    let room = str_field(msg, "room_id").or_else(|| str_field(msg, "chat_room_id"));
    let (chat_type, chat_id) = match room {
        Some(room) => (ChatType::Group, room),
        None => (ChatType::Dm, sender.clone()),
    };
    let items: &[Value] = msg
        .get("item_list")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let mut media = Vec::new();
    for item in items {
        media.extend(media_ref(item));
        if let Some(quoted) = item.get("ref_msg").and_then(|r| r.get("message_item")) {
            media.extend(media_ref(quoted));
        }
    }
    Some(Parsed {
        message_id: str_field(msg, "message_id"),
        sender,
        chat_id,
        chat_type,
        context_token: str_field(msg, "context_token"),
        text: extract_text(items),
        media,
    })
}

fn item_type(item: &Value) -> i64 {
    item.get("type").and_then(Value::as_i64).unwrap_or(0)
}

/// The message text: the first text item (with its quote), else a voice transcription.
#[must_use]
pub fn extract_text(items: &[Value]) -> String {
    if let Some(item) = items.iter().find(|i| item_type(i) == ITEM_TEXT) {
        let text = item
            .get("text_item")
            .and_then(|t| str_field(t, "text"))
            .unwrap_or_default();
        let quote = item.get("ref_msg");
        let quoted = quote.and_then(|r| r.get("message_item"));
        let title = quote.and_then(|r| str_field(r, "title"));
        if let Some(quoted) = quoted {
            if [ITEM_IMAGE, ITEM_VIDEO, ITEM_FILE, ITEM_VOICE].contains(&item_type(quoted)) {
                let prefix =
                    title.map_or_else(|| "[引用媒体]".into(), |t| format!("[引用媒体: {t}]"));
                return format!("{prefix}\n{text}").trim().to_string();
            }
            let mut parts: Vec<String> = title.into_iter().collect();
            let inner = extract_text(std::slice::from_ref(quoted));
            if !inner.is_empty() {
                parts.push(inner);
            }
            if !parts.is_empty() {
                return format!("[引用: {}]\n{text}", parts.join(" | "))
                    .trim()
                    .to_string();
            }
        }
        return text;
    }
    items
        .iter()
        .filter(|i| item_type(i) == ITEM_VOICE)
        .find_map(|i| i.get("voice_item").and_then(|v| str_field(v, "text")))
        .map(|t| format!("{VOICE_TRANSCRIPTION_PREFIX}\n{t}"))
        .unwrap_or_default()
}

/// The media an item references (a transcribed voice note is text, not media).
fn media_ref(item: &Value) -> Option<MediaRef> {
    let (kind, field) = match item_type(item) {
        ITEM_IMAGE => (MediaKind::Image, "image_item"),
        ITEM_VOICE => (MediaKind::Voice, "voice_item"),
        ITEM_FILE => (MediaKind::File, "file_item"),
        ITEM_VIDEO => (MediaKind::Video, "video_item"),
        _ => return None,
    };
    let body = item.get(field)?;
    if kind == MediaKind::Voice && str_field(body, "text").is_some() {
        return None;
    }
    let media = body.get("media").cloned().unwrap_or(Value::Null);
    let key = match (kind, str_field(body, "aeskey")) {
        (MediaKind::Image, Some(hex)) => Some(MediaKey::Hex(hex)),
        _ => str_field(&media, "aes_key").map(MediaKey::Base64),
    };
    let r = MediaRef {
        kind,
        encrypt_query_param: str_field(&media, "encrypt_query_param"),
        full_url: str_field(&media, "full_url"),
        key,
        file_name: str_field(body, "file_name"),
    };
    (r.encrypt_query_param.is_some() || r.full_url.is_some()).then_some(r)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dm_text_and_quote() {
        let m = json!({
            "from_user_id": "u1@im.wechat", "to_user_id": "bot@im.bot", "message_id": 42,
            "context_token": "ctx", "item_list": [{
                "type": 1, "text_item": {"text": "yes"},
                "ref_msg": {"title": "Alice", "message_item": {"type": 1, "text_item": {"text": "lunch?"}}}
            }]
        });
        let p = parse(&m).unwrap();
        assert_eq!(p.chat_type, ChatType::Dm);
        assert_eq!(p.chat_id, "u1@im.wechat");
        assert_eq!(p.message_id.as_deref(), Some("42"));
        assert_eq!(p.text, "[引用: Alice | lunch?]\nyes");
        assert_eq!(p.context_token.as_deref(), Some("ctx"));
    }

    #[test]
    fn group_voice_and_media() {
        let m = json!({
            "from_user_id": "u1", "room_id": "123@chatroom",
            "item_list": [{"type": 3, "voice_item": {"text": "hello there", "media": {"encrypt_query_param": "q"}}}]
        });
        let p = parse(&m).unwrap();
        assert_eq!(
            (p.chat_type, p.chat_id.as_str()),
            (ChatType::Group, "123@chatroom")
        );
        assert_eq!(p.text, format!("{VOICE_TRANSCRIPTION_PREFIX}\nhello there"));
        assert!(
            p.media.is_empty(),
            "a transcribed voice note is not downloaded"
        );

        let m = json!({
            "from_user_id": "u1",
            "item_list": [
                {"type": 2, "image_item": {"aeskey": "00112233445566778899aabbccddeeff", "media": {"encrypt_query_param": "img"}}},
                {"type": 4, "file_item": {"file_name": "a.pdf", "media": {"encrypt_query_param": "f", "aes_key": "k"}}},
                {"type": 1, "text_item": {"text": "see"}, "ref_msg": {"message_item": {"type": 5, "video_item": {"media": {"full_url": "https://novac2c.cdn.weixin.qq.com/v"}}}}}
            ]
        });
        let p = parse(&m).unwrap();
        assert_eq!(p.text, "[引用媒体]\nsee");
        let kinds: Vec<_> = p.media.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MediaKind::Image, MediaKind::File, MediaKind::Video]);
        assert!(matches!(p.media[0].key, Some(MediaKey::Hex(_))));
        assert_eq!(p.media[1].file_name.as_deref(), Some("a.pdf"));
        assert!(parse(&json!({"item_list": []})).is_none());
    }
}
