//! `.env` files: read values with dotenv semantics, and edit single keys in place so the
//! user's comments, blank lines and order survive. Files are written atomically with 0600.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use crate::fsutil;

/// The text a new profile's `.env` starts with.
pub const PLACEHOLDER: &str = "\
# Secrets for this profile (API keys, bot tokens). Mode 0600: readable by you alone.
# Keys set here override the same variables in your shell environment.
# Behaviour settings belong in config.yaml (`hermes config set KEY VALUE`).
";

/// A `.env` file kept as lines, so edits touch only the line of the key being changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    lines: Vec<String>,
    trailing_newline: bool,
}

/// Why a `.env` file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EnvFileError {
    /// Reading or writing failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },
}

impl EnvFile {
    /// Parses text; never fails (values are read lazily with dotenv semantics).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        Self {
            lines: text.lines().map(str::to_string).collect(),
            trailing_newline: text.is_empty() || text.ends_with('\n'),
        }
    }

    /// Reads a file; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<Self, EnvFileError> {
        let text = fsutil::read_optional(path).map_err(|source| EnvFileError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::parse(&text.unwrap_or_default()))
    }

    /// Writes the file atomically with mode 0600.
    pub fn save(&self, path: &Path) -> Result<(), EnvFileError> {
        fsutil::write_atomic(path, self.render().as_bytes(), Some(fsutil::SECRET_MODE)).map_err(
            |source| EnvFileError::Io {
                action: "write",
                path: path.to_path_buf(),
                source,
            },
        )
    }

    /// The file's text.
    #[must_use]
    pub fn render(&self) -> String {
        let mut s = self.lines.join("\n");
        if self.trailing_newline && !s.is_empty() {
            s.push('\n');
        }
        s
    }

    /// All key/value pairs, in file order, with dotenv semantics: `export ` prefixes, single
    /// quotes literal, double quotes with escapes, unquoted values up to a ` #` comment, and
    /// `${VAR}` / `${VAR:-default}` from earlier keys or `outer` (the process environment).
    /// Lines that are not assignments are skipped, as python-dotenv skips them.
    #[must_use]
    pub fn values(&self, outer: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
        parse_assignments(&self.render()).0.into_iter().fold(
            Vec::new(),
            |mut acc, (key, raw, quote)| {
                let value = match quote {
                    Quote::Single => raw,
                    Quote::Double => unescape(&interpolate(&raw, &acc, outer)),
                    Quote::None => interpolate(&raw, &acc, outer),
                };
                acc.push((key, value));
                acc
            },
        )
    }

    /// The values as a map (a later duplicate wins, as dotenv does), without process lookups.
    #[must_use]
    pub fn map(&self) -> BTreeMap<String, String> {
        self.values(&|_| None).into_iter().collect()
    }

    /// Lines dotenv cannot read: `(line number, what is wrong)`.
    #[must_use]
    pub fn problems(&self) -> Vec<(usize, String)> {
        parse_assignments(&self.render()).1
    }

    /// Index of the line that assigns `key` (the last one, as dotenv lets the last win).
    fn find(&self, key: &str) -> Option<usize> {
        self.lines.iter().rposition(|l| line_key(l) == Some(key))
    }

    /// Every key assigned in the file, in order (duplicates once).
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for l in &self.lines {
            if let Some(k) = line_key(l)
                && !keys.iter().any(|x| x == k)
            {
                keys.push(k.to_string());
            }
        }
        keys
    }

    /// Sets `key`, editing its line in place (keeping an `export ` prefix) or appending it.
    pub fn set(&mut self, key: &str, value: &str) {
        let rendered = format!("{key}={}", quote_value(value));
        if let Some(i) = self.find(key) {
            let export = self.lines[i].trim_start().starts_with("export ");
            self.lines[i] = if export {
                format!("export {rendered}")
            } else {
                rendered
            };
        } else {
            self.lines.push(rendered);
            self.trailing_newline = true;
        }
    }

    /// Removes every assignment of `key`; returns whether one was there.
    pub fn unset(&mut self, key: &str) -> bool {
        let before = self.lines.len();
        self.lines.retain(|l| line_key(l) != Some(key));
        before != self.lines.len()
    }

    /// Removes every key for which `drop` is true; returns the removed keys.
    pub fn retain_keys(&mut self, drop: impl Fn(&str) -> bool) -> Vec<String> {
        let mut removed = Vec::new();
        self.lines.retain(|l| match line_key(l) {
            Some(k) if drop(k) => {
                removed.push(k.to_string());
                false
            }
            _ => true,
        });
        removed
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// One parsed `KEY=value`: key, raw value, quoting.
type Assignment = (String, String, Quote);

/// Parses assignments and the problems found (`(line, message)`).
fn parse_assignments(text: &str) -> (Vec<Assignment>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let t = lines[i].trim_start_matches('\u{feff}').trim();
        i += 1;
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("export ").map_or(t, str::trim_start);
        let Some(eq) = t.find('=') else {
            problems.push((line_no, format!("`{t}` is not KEY=VALUE")));
            continue;
        };
        let key = t[..eq].trim();
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        {
            problems.push((line_no, format!("`{key}` is not a valid variable name")));
            continue;
        }
        let rest = t[eq + 1..].trim_start();
        let (value, quote) = if let Some(body) = rest.strip_prefix('\'') {
            // Single quotes: literal, may span lines.
            let mut acc = body.to_string();
            loop {
                if let Some(end) = acc.find('\'') {
                    acc.truncate(end);
                    break (acc, Quote::Single);
                }
                if i >= lines.len() {
                    problems.push((line_no, format!("`{key}` has an unclosed single quote")));
                    break (acc, Quote::Single);
                }
                acc.push('\n');
                acc.push_str(lines[i]);
                i += 1;
            }
        } else if let Some(body) = rest.strip_prefix('"') {
            let mut acc = body.to_string();
            loop {
                if let Some(end) = closing_double_quote(&acc) {
                    acc.truncate(end);
                    break (acc, Quote::Double);
                }
                if i >= lines.len() {
                    problems.push((line_no, format!("`{key}` has an unclosed double quote")));
                    break (acc, Quote::Double);
                }
                acc.push('\n');
                acc.push_str(lines[i]);
                i += 1;
            }
        } else {
            let v = match rest.find(" #").or_else(|| rest.find("\t#")) {
                Some(c) => &rest[..c],
                None if rest.starts_with('#') => "",
                None => rest,
            };
            (v.trim().to_string(), Quote::None)
        };
        out.push((key.to_string(), value, quote));
    }
    (out, problems)
}

fn closing_double_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Expands `${VAR}` and `${VAR:-default}`; `\$` stays a literal dollar.
fn interpolate(
    raw: &str,
    earlier: &[(String, String)],
    outer: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        if rest[..start].ends_with('\\') {
            // `\${` is an escaped dollar: leave it for unescaping.
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = &after[..end];
        let (name, default) = expr
            .split_once(":-")
            .map_or((expr, None), |(n, d)| (n, Some(d)));
        let found = earlier
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| outer(name));
        out.push_str(
            &found
                .filter(|v| !v.is_empty())
                .or_else(|| default.map(str::to_string))
                .unwrap_or_default(),
        );
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The key a line assigns, if it is an assignment.
fn line_key(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if t.starts_with('#') {
        return None;
    }
    let t = t.strip_prefix("export ").map_or(t, str::trim_start);
    let end = t.find('=')?;
    let key = t[..end].trim_end();
    let valid = !key.is_empty()
        && key
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    valid.then_some(key)
}

/// Quotes a value so dotenv reads it back unchanged.
fn quote_value(v: &str) -> String {
    if v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_./:@+,-=".contains(&b))
    {
        return v.to_string();
    }
    if !v.contains('\'') {
        // Single quotes are literal for both python-dotenv and us: no escapes, no `${}`.
        return format!("'{v}'");
    }
    let mut s = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '$' => s.push_str("\\$"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_comments_and_order() {
        let text = "# header\nA=1\n\n# tokens\nexport TELEGRAM_BOT_TOKEN=abc # inline\nB='x y'\n";
        let mut f = EnvFile::parse(text);
        f.set("TELEGRAM_BOT_TOKEN", "new:tok");
        f.set("C", "has space");
        assert_eq!(
            f.render(),
            "# header\nA=1\n\n# tokens\nexport TELEGRAM_BOT_TOKEN=new:tok\nB='x y'\nC='has space'\n"
        );
        assert!(f.unset("A"));
        assert!(!f.unset("A"));
        assert_eq!(f.keys(), vec!["TELEGRAM_BOT_TOKEN", "B", "C"]);
    }

    #[test]
    fn values_round_trip_through_dotenv() {
        for v in [
            "plain",
            "sp ace",
            "it's",
            "dollar $HOME ${X}",
            "quote\"d",
            "back\\slash",
            "#hash",
            "",
            "a=b",
            "it's ${Y}",
            "two\nlines",
        ] {
            let mut f = EnvFile::parse("");
            f.set("K", v);
            let got = f.map();
            assert_eq!(
                got.get("K").map(String::as_str),
                Some(v),
                "{v} → {}",
                f.render()
            );
        }
    }

    #[test]
    fn retain_keys_reports_removed() {
        let mut f = EnvFile::parse("OPENAI_API_KEY=1\nSLACK_BOT_TOKEN=2\nDISCORD_BOT_TOKEN=3\n");
        let removed = f.retain_keys(|k| k.starts_with("SLACK_") || k.starts_with("DISCORD_"));
        assert_eq!(removed, vec!["SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN"]);
        assert_eq!(f.render(), "OPENAI_API_KEY=1\n");
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn reads_python_dotenv_forms() {
        let text = "# c\nexport A=1\nB = spaced value # note\nC='lit ${A}'\nD=\"esc \\\" q\\n${A}\"\nE=${A}-${MISSING:-dflt}-${HOME}\nF=\"multi\nline\"\nnot a line\nG=#only-comment\n";
        let f = EnvFile::parse(text);
        let v: BTreeMap<String, String> = f
            .values(&|k| (k == "HOME").then(|| "/h".to_string()))
            .into_iter()
            .collect();
        assert_eq!(v["A"], "1");
        assert_eq!(v["B"], "spaced value");
        assert_eq!(v["C"], "lit ${A}");
        assert_eq!(v["D"], "esc \" q\n1");
        assert_eq!(v["E"], "1-dflt-/h");
        assert_eq!(v["F"], "multi\nline");
        assert_eq!(v["G"], "");
        assert_eq!(
            f.problems(),
            vec![(9, "`not a line` is not KEY=VALUE".to_string())]
        );
    }
}
