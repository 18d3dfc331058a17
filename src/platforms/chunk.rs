//! Splitting long replies at a platform's length limit, at paragraph or line boundaries,
//! keeping fenced code blocks intact (a split inside a fence closes and reopens it).

/// Splits `text` into chunks of at most `max` characters.
#[must_use]
pub fn chunk_text(text: &str, max: usize) -> Vec<String> {
    let max = max.max(16);
    if text.chars().count() <= max {
        return vec![text.to_string()];
    }
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut fence: Option<String> = None; // the opening fence line while inside a block
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_fence = trimmed.starts_with("```");
        let pieces = split_long_line(line, max.saturating_sub(8));
        for piece in pieces {
            let reserve = if fence.is_some() || is_fence { 4 } else { 0 };
            if !current.is_empty() && count(&current) + count(&piece) + reserve > max {
                // Prefer to break at the last blank line when outside code.
                if fence.is_some() {
                    current.push_str("```\n");
                }
                let (head, tail) = if fence.is_none() {
                    split_at_paragraph(&current)
                } else {
                    (current.clone(), String::new())
                };
                chunks.push(head.trim_end().to_string());
                current = tail;
                if let Some(open) = &fence {
                    current.push_str(open);
                }
            }
            current.push_str(&piece);
        }
        if is_fence {
            fence = if fence.is_some() {
                None
            } else {
                Some(format!("{}\n", trimmed.trim_end()))
            };
        }
    }
    if !current.trim().is_empty() {
        chunks.push(current.trim_end().to_string());
    }
    chunks
}

fn count(s: &str) -> usize {
    s.chars().count()
}

/// Splits `buf` at its last blank line, if that keeps at least half of it in the head.
fn split_at_paragraph(buf: &str) -> (String, String) {
    if let Some(pos) = buf.rfind("\n\n")
        && pos >= buf.len() / 2
    {
        return (buf[..pos].to_string(), buf[pos + 2..].to_string());
    }
    (buf.to_string(), String::new())
}

/// Breaks a single over-long line at spaces (or hard, when it has none).
fn split_long_line(line: &str, max: usize) -> Vec<String> {
    let max = max.max(8);
    if count(line) <= max {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in line.split_inclusive(' ') {
        if count(&cur) + count(word) > max && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if count(word) > max {
            let chars: Vec<char> = word.chars().collect();
            for part in chars.chunks(max) {
                out.push(part.iter().collect());
            }
        } else {
            cur.push_str(word);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_chunk() {
        assert_eq!(chunk_text("hello", 100), vec!["hello"]);
    }

    #[test]
    fn chunks_respect_limit_and_keep_all_text() {
        let para = "word ".repeat(30);
        let text = format!("{para}\n\n{para}\n\n{para}");
        let chunks = chunk_text(&text, 200);
        assert!(chunks.len() >= 2);
        for c in &chunks {
            assert!(c.chars().count() <= 200, "{} chars", c.chars().count());
        }
        let words: usize = chunks.iter().map(|c| c.split_whitespace().count()).sum();
        assert_eq!(words, 90);
    }

    #[test]
    #[allow(clippy::format_collect)] // test data
    fn code_fences_are_closed_and_reopened() {
        let code: String = (0..40).map(|i| format!("let x{i} = {i};\n")).collect();
        let text = format!("Intro\n```rust\n{code}```\nOutro");
        let chunks = chunk_text(&text, 300);
        assert!(chunks.len() > 1);
        for c in &chunks {
            assert_eq!(c.matches("```").count() % 2, 0, "balanced fences in:\n{c}");
            assert!(c.chars().count() <= 300);
        }
        assert!(chunks[1].starts_with("```rust"), "{}", chunks[1]);
    }

    #[test]
    fn long_unbroken_line_is_split() {
        let text = "x".repeat(1000);
        let chunks = chunk_text(&text, 100);
        assert!(chunks.iter().all(|c| c.chars().count() <= 100));
        assert_eq!(chunks.concat().len(), 1000);
    }

    #[test]
    fn multibyte_is_counted_in_chars() {
        let text = "微信".repeat(3000);
        let chunks = chunk_text(&text, 4000);
        assert!(chunks.iter().all(|c| c.chars().count() <= 4000));
        assert_eq!(chunks.concat().chars().count(), 6000);
    }
}
