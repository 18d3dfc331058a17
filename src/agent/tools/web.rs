//! `web_extract`: fetches up to five URLs and returns each page as readable text (HTML turned
//! into paragraphs, headings, list items and `[text](link)` links; scripts and styles dropped),
//! cut to a character budget with the head and tail kept.

use std::fmt::Write as _;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::{Tool, ToolContext, ToolOutput, arg_u64, truncate_middle};
use crate::agent::types::ToolSpec;

/// Bytes downloaded per page at most.
const MAX_DOWNLOAD: usize = 5 * 1024 * 1024;
/// Default characters per page returned.
const DEFAULT_CHARS: usize = 15_000;

/// The `web_extract` tool.
pub(crate) struct WebExtract {
    http: reqwest::Client,
}

impl Default for WebExtract {
    fn default() -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .user_agent(concat!("hermes/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
        }
    }
}

fn urls_of(args: &Value) -> Vec<String> {
    match args.get("urls").or_else(|| args.get("url")) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[async_trait]
impl Tool for WebExtract {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "web_extract".into(),
            description: "Fetch web pages and return their content as readable text (no summarisation). Pages larger than the character budget (default 15000) are cut in the middle.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "urls": {"type": "array", "items": {"type": "string"}, "description": "URLs to extract (max 5 per call)", "maxItems": 5},
                    "char_limit": {"type": "integer", "description": "Per-page character budget (default 15000)", "minimum": 2000}
                },
                "required": ["urls"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "web"
    }

    fn emoji(&self) -> &'static str {
        "🌐"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let urls = urls_of(&args);
        if urls.is_empty() {
            return ToolOutput::error(
                "web_extract: missing required argument 'urls' (a list of URLs)",
            );
        }
        if urls.len() > 5 {
            return ToolOutput::error("web_extract: at most 5 URLs per call");
        }
        let limit = arg_u64(&args, "char_limit")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(DEFAULT_CHARS)
            .max(2000);
        let mut results = Vec::new();
        for url in urls {
            let page = tokio::select! {
                () = cx.cancel.cancelled() => return ToolOutput::error("web_extract: interrupted"),
                r = self.fetch(&url) => r,
            };
            results.push(match page {
                Ok((title, text)) => json!({
                    "url": url,
                    "title": title,
                    "content": truncate_middle(&text, limit),
                }),
                Err(e) => json!({"url": url, "error": e}),
            });
        }
        let ok = results.iter().any(|r| r.get("error").is_none());
        ToolOutput {
            content: json!({"results": results}).to_string(),
            ok,
        }
    }
}

impl WebExtract {
    async fn fetch(&self, url: &str) -> Result<(String, String), String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err("only http:// and https:// URLs can be fetched".into());
        }
        let resp = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let ctype = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            body.extend_from_slice(&chunk);
            if body.len() >= MAX_DOWNLOAD {
                body.truncate(MAX_DOWNLOAD);
                break;
            }
        }
        let text = String::from_utf8_lossy(&body);
        if ctype.contains("html") || (ctype.is_empty() && text.trim_start().starts_with('<')) {
            Ok(html_to_text(&text))
        } else if ctype.starts_with("text/") || ctype.contains("json") || ctype.contains("xml") {
            Ok((String::new(), text.into_owned()))
        } else {
            Err(format!("cannot extract text from content type `{ctype}`"))
        }
    }
}

/// Decodes the common HTML entities and numeric references.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            "hellip" => Some('…'),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        if let Some(c) = decoded {
            out.push(c);
            rest = &rest[end + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `(title, text)` of an HTML page.
#[must_use]
pub(crate) fn html_to_text(html: &str) -> (String, String) {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut title = String::new();
    let mut i = 0;
    let mut link: Option<String> = None;
    let mut link_text_start = 0;
    while i < html.len() {
        let Some(rel) = html[i..].find('<') else {
            out.push_str(&html[i..]);
            break;
        };
        out.push_str(&html[i..i + rel]);
        i += rel;
        if lower[i..].starts_with("<!--") {
            i = lower[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        let Some(end) = html[i..].find('>') else {
            break;
        };
        let tag_src = &html[i + 1..i + end];
        i += end + 1;
        let closing = tag_src.starts_with('/');
        let name: String = tag_src
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "script" | "style" | "noscript" | "svg" | "head" if !closing => {
                if name == "head"
                    && let Some(t0) = lower[i..].find("<title")
                    && let Some(close) = lower[i..].find("</head>")
                    && t0 < close
                {
                    let ts = i + t0;
                    if let (Some(gt), Some(te)) =
                        (html[ts..].find('>'), lower[ts..].find("</title>"))
                    {
                        title = decode_entities(html[ts + gt + 1..ts + te].trim());
                    }
                }
                let close = format!("</{name}");
                i = lower[i..].find(&close).map_or(html.len(), |e| {
                    let at = i + e;
                    html[at..].find('>').map_or(html.len(), |g| at + g + 1)
                });
            }
            "title" if !closing => {
                if let Some(e) = lower[i..].find("</title>") {
                    title = decode_entities(html[i..i + e].trim());
                    i += e + "</title>".len();
                }
            }
            "br" => out.push('\n'),
            "p" | "div" | "section" | "article" | "table" | "tr" | "ul" | "ol" | "blockquote"
            | "pre" | "header" | "footer" | "main" | "nav" | "form" | "hr" => out.push_str("\n\n"),
            "li" if !closing => out.push_str("\n- "),
            "td" | "th" if !closing => out.push_str(" | "),
            h if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() => {
                if closing {
                    out.push_str("\n\n");
                } else {
                    let level = usize::from(h.as_bytes()[1] - b'0');
                    let _ = write!(out, "\n\n{} ", "#".repeat(level));
                }
            }
            "a" if !closing => {
                link = attr(tag_src, "href");
                link_text_start = out.len();
            }
            "a" => {
                if let Some(href) = link.take()
                    && href.starts_with("http")
                    && out.len() > link_text_start
                {
                    let text = out[link_text_start..].trim().to_string();
                    out.truncate(link_text_start);
                    let _ = write!(out, "[{text}]({href})");
                }
            }
            _ => {}
        }
    }
    let text = decode_entities(&out);
    // Collapse runs of spaces within lines and of blank lines between them.
    let mut clean = String::new();
    let mut blank = 0;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !clean.is_empty() {
            clean.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        clean.push_str(&line);
    }
    (title, clean)
}

/// The value of attribute `name` in a tag's source.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))?;
    let rest = &tag[at + name.len() + 1..];
    let v = match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next()?,
        _ => rest.split([' ', '>']).next()?,
    };
    Some(decode_entities(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_readable_text() {
        let html = r#"<html><head><title>T &amp; co</title><style>p{}</style></head>
<body><script>var x = "<p>";</script><h1>Hello</h1><p>One&nbsp;two <a href="https://x.org/a">link</a>.</p>
<ul><li>a</li><li>b</li></ul><!-- hidden --><p>&#8212; end &lt;3</p></body></html>"#;
        let (title, text) = html_to_text(html);
        assert_eq!(title, "T & co");
        assert_eq!(
            text,
            "# Hello\n\nOne two [link](https://x.org/a).\n\n- a\n- b\n\n— end <3"
        );
    }
}
