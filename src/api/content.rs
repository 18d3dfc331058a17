//! Request input: reading a JSON body within the size limit, and normalising `OpenAI` message
//! content (a string, or text / image parts) into text plus images, with upstream's 400s.

use axum::body::Body;
use axum::http::StatusCode;
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::error::HttpError;
use crate::gateway::turn::InputImage;

/// Longest text kept from one content value (upstream's 64 KiB cap).
const MAX_TEXT_CHARS: usize = 65_536;
/// Most parts read from one content array.
const MAX_PARTS: usize = 1_000;

/// Reads the body as a JSON object: 413 over `limit`, 400 when not a JSON object.
pub(crate) async fn read_object(body: Body, limit: usize) -> Result<Map<String, Value>, HttpError> {
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| HttpError::invalid("Invalid JSON in request body", None))?;
        if buf.len() + chunk.len() > limit {
            return Err(HttpError::too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    match serde_json::from_slice::<Value>(&buf) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(HttpError::invalid(
            "Request body must be a JSON object",
            None,
        )),
        Err(_) => Err(HttpError::invalid("Invalid JSON in request body", None)),
    }
}

/// Message content: its text (parts joined by newlines) and images.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Content {
    pub(crate) text: String,
    pub(crate) images: Vec<InputImage>,
}

impl Content {
    /// Whether there is anything for the agent: non-blank text or an image.
    pub(crate) fn is_visible(&self) -> bool {
        !self.text.trim().is_empty() || !self.images.is_empty()
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn bad(code: &str, message: String, param: &str) -> HttpError {
    HttpError::openai(
        StatusCode::BAD_REQUEST,
        message,
        "invalid_request_error",
        Some(param),
        Some(code),
    )
}

/// Python's `repr` of a part's `type`, for the unsupported-part message.
fn type_repr(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "None".into(),
        Some(Value::String(s)) => format!("'{s}'"),
        Some(other) => other.to_string(),
    }
}

/// Flattens any JSON value to text (system messages, fallbacks).
pub(crate) fn plain_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => cut(s),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .take(MAX_PARTS)
                .filter_map(|item| match item {
                    Value::String(s) if !s.is_empty() => Some(cut(s)),
                    Value::Object(o) => {
                        let t = o.get("type").and_then(Value::as_str).unwrap_or_default();
                        matches!(t, "text" | "input_text" | "output_text")
                            .then(|| o.get("text").map(plain_text).unwrap_or_default())
                            .filter(|s| !s.is_empty())
                    }
                    Value::Array(_) => Some(plain_text(item)).filter(|s| !s.is_empty()),
                    _ => None,
                })
                .collect();
            cut(&parts.join("\n"))
        }
        other => cut(&other.to_string()),
    }
}

/// Normalises user or assistant content; `param` names it in errors (`messages[2].content`).
pub(crate) fn normalize(v: &Value, param: &str) -> Result<Content, HttpError> {
    let items = match v {
        Value::Array(items) => items,
        other => {
            return Ok(Content {
                text: plain_text(other),
                images: Vec::new(),
            });
        }
    };
    let mut texts = Vec::new();
    let mut images = Vec::new();
    for part in items.iter().take(MAX_PARTS) {
        let obj = match part {
            Value::String(s) if !s.is_empty() => {
                texts.push(cut(s));
                continue;
            }
            Value::Object(o) => o,
            _ => continue,
        };
        let kind = obj
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match kind.as_str() {
            "text" | "input_text" | "output_text" => {
                let text = obj.get("text").map(plain_text).unwrap_or_default();
                if !text.is_empty() {
                    texts.push(text);
                }
            }
            "image_url" | "input_image" => images.push(image_of(obj, param)?),
            "file" | "input_file" => {
                return Err(bad(
                    "unsupported_content_type",
                    "Inline image inputs are supported, but uploaded files and document inputs \
                     are not supported on this endpoint."
                        .into(),
                    param,
                ));
            }
            _ => {
                return Err(bad(
                    "unsupported_content_type",
                    format!(
                        "Unsupported content part type {}. Only text and image_url/input_image \
                         parts are supported.",
                        type_repr(obj.get("type"))
                    ),
                    param,
                ));
            }
        }
    }
    Ok(Content {
        text: texts.join("\n"),
        images,
    })
}

fn image_of(part: &Map<String, Value>, param: &str) -> Result<InputImage, HttpError> {
    // Chat Completions: `image_url: {url, detail}`; Responses: `image_url: "<url>"`.
    let url = match part.get("image_url") {
        Some(Value::Object(o)) => o.get("url").and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
    .map(str::trim)
    .filter(|u| !u.is_empty())
    .ok_or_else(|| {
        bad(
            "invalid_image_url",
            "Image parts must include a non-empty image URL.".into(),
            param,
        )
    })?;
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("data:") {
        if !lower.starts_with("data:image/") || !url.contains(',') {
            return Err(bad(
                "unsupported_content_type",
                "Only image data URLs are supported. Non-image data payloads are not supported."
                    .into(),
                param,
            ));
        }
    } else if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(bad(
            "invalid_image_url",
            "Image inputs must use http(s) URLs or data:image/... URLs.".into(),
            param,
        ));
    }
    Ok(InputImage { url: url.into() })
}

/// Reads a boolean the way upstream does: real booleans, and `"true"/"1"/"yes"/"on"` strings.
pub(crate) fn flag(v: Option<&Value>, default: bool) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => default,
        },
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn content_forms() {
        let c = normalize(&json!("hi"), "p").unwrap();
        assert_eq!(c.text, "hi");
        let c = normalize(
            &json!([{"type": "text", "text": "a"}, {"type": "input_text", "text": "b"},
                    {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]),
            "p",
        )
        .unwrap();
        assert_eq!(c.text, "a\nb");
        assert_eq!(c.images[0].url, "https://x/y.png");
        assert!(
            normalize(
                &json!([{"type": "image_url", "image_url": "data:image/png;base64,AA"}]),
                "p"
            )
            .unwrap()
            .is_visible()
        );
    }

    #[test]
    fn content_errors() {
        let e = normalize(
            &json!([{"type": "file", "file": {}}]),
            "messages[0].content",
        )
        .unwrap_err();
        assert_eq!(e.body["error"]["code"], "unsupported_content_type");
        assert_eq!(e.body["error"]["param"], "messages[0].content");
        let e = normalize(&json!([{"type": "audio"}]), "p").unwrap_err();
        assert!(
            e.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Unsupported content part type 'audio'.")
        );
        let e = normalize(
            &json!([{"type": "image_url", "image_url": {"url": "ftp://x"}}]),
            "p",
        )
        .unwrap_err();
        assert_eq!(e.body["error"]["code"], "invalid_image_url");
        let e = normalize(
            &json!([{"type": "image_url", "image_url": "data:text/plain,x"}]),
            "p",
        )
        .unwrap_err();
        assert_eq!(e.body["error"]["code"], "unsupported_content_type");
    }

    #[test]
    fn flags_like_upstream() {
        assert!(flag(Some(&json!("true")), false));
        assert!(!flag(Some(&json!("false")), true));
        assert!(flag(Some(&json!("maybe")), true));
        assert!(!flag(None, false));
    }
}
