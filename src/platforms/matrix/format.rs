//! A small Markdown to Matrix HTML rendering (`formatted_body`): fenced code, headings, bullet
//! lists, inline code, bold, italics and links. The plain `body` always carries the original
//! text, so anything this does not understand still reads fine.

use std::sync::LazyLock;

use regex::Regex;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`\n]+)`").expect("static regex"));
static BOLD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\*\*([^*\n]+)\*\*").expect("static regex"));
static ITALIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[\s(])_([^_\n]+)_([\s).,!?:;]|$)").expect("static regex"));
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)").expect("static regex"));

/// Inline markup of one escaped line; code spans are left alone.
fn inline(line: &str) -> String {
    let escaped = escape(line);
    let mut out = String::new();
    let mut last = 0;
    for m in CODE.captures_iter(&escaped) {
        let (whole, code) = (m.get(0).expect("group 0"), &m[1]);
        out.push_str(&spans(&escaped[last..whole.start()]));
        out.push_str(&format!("<code>{code}</code>"));
        last = whole.end();
    }
    out.push_str(&spans(&escaped[last..]));
    out
}

fn spans(s: &str) -> String {
    let s = BOLD.replace_all(s, "<strong>$1</strong>");
    let s = ITALIC.replace_all(&s, "$1<em>$2</em>$3");
    LINK.replace_all(&s, "<a href=\"$2\">$1</a>").into_owned()
}

/// The HTML for `text`, or `None` when it has no Markdown worth rendering.
#[must_use]
pub fn markdown_to_html(text: &str) -> Option<String> {
    let mut html = String::new();
    let mut in_code = false;
    let mut in_list = false;
    let mut first = true;
    let mut prev_inline = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            if in_code {
                html.push_str("</code></pre>");
            } else {
                if in_list {
                    html.push_str("</ul>");
                    in_list = false;
                }
                html.push_str("<pre><code>");
            }
            in_code = !in_code;
            first = true;
            prev_inline = false;
            continue;
        }
        if in_code {
            if !first {
                html.push('\n');
            }
            html.push_str(&escape(line));
            first = false;
            continue;
        }
        let trimmed = line.trim_start();
        let item = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "));
        if let Some(item) = item {
            if !in_list {
                html.push_str("<ul>");
                in_list = true;
            }
            html.push_str(&format!("<li>{}</li>", inline(item)));
            prev_inline = false;
            continue;
        }
        if in_list {
            html.push_str("</ul>");
            in_list = false;
        }
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
            html.push_str(&format!(
                "<h{level}>{}</h{level}>",
                inline(trimmed[level..].trim())
            ));
            prev_inline = false;
            continue;
        }
        if prev_inline {
            html.push_str("<br>");
        }
        html.push_str(&inline(line));
        prev_inline = true;
    }
    if in_code {
        html.push_str("</code></pre>");
    }
    if in_list {
        html.push_str("</ul>");
    }
    let plain = escape(text).replace('\n', "<br>");
    (html != plain).then_some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_common_markdown() {
        assert_eq!(markdown_to_html("just text\nline two"), None);
        assert_eq!(
            markdown_to_html("**bold** and `a<b` and [x](https://e.org)").unwrap(),
            "<strong>bold</strong> and <code>a&lt;b</code> and <a href=\"https://e.org\">x</a>"
        );
        assert_eq!(
            markdown_to_html("# Title\n- one\n- two\nafter\n```\nfn x() {}\n```").unwrap(),
            "<h1>Title</h1><ul><li>one</li><li>two</li></ul>after<pre><code>fn x() {}</code></pre>"
        );
    }
}
