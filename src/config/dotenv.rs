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
    /// The file has a syntax error dotenv cannot read.
    #[error("{} line {line}: {message}", path.display())]
    Parse { path: std::path::PathBuf, line: usize, message: String },
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
        let text = fsutil::read_optional(path)
            .map_err(|source| EnvFileError::Io { action: "read", path: path.to_path_buf(), source })?;
        Ok(Self::parse(&text.unwrap_or_default()))
    }

    /// Writes the file atomically with mode 0600.
    pub fn save(&self, path: &Path) -> Result<(), EnvFileError> {
        fsutil::write_atomic(path, self.render().as_bytes(), Some(fsutil::SECRET_MODE))
            .map_err(|source| EnvFileError::Io { action: "write", path: path.to_path_buf(), source })
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

    /// All key/value pairs, in file order, with dotenv semantics (quotes, escapes, `${VAR}`).
    pub fn values(&self, path: &Path) -> Result<Vec<(String, String)>, EnvFileError> {
        let text = self.render();
        let mut out = Vec::new();
        for item in dotenvy::from_read_iter(text.as_bytes()) {
            match item {
                Ok(pair) => out.push(pair),
                Err(dotenvy::Error::LineParse(line, idx)) => {
                    let line_no = text[..text.find(&line).unwrap_or(0)].matches('\n').count() + 1;
                    return Err(EnvFileError::Parse {
                        path: path.to_path_buf(),
                        line: line_no,
                        message: format!("cannot parse `{}` (at character {idx})", line.trim()),
                    });
                }
                Err(e) => {
                    return Err(EnvFileError::Parse { path: path.to_path_buf(), line: 0, message: e.to_string() });
                }
            }
        }
        Ok(out)
    }

    /// The values as a map (a later duplicate wins, as dotenv does).
    pub fn map(&self, path: &Path) -> Result<BTreeMap<String, String>, EnvFileError> {
        Ok(self.values(path)?.into_iter().collect())
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
            if let Some(k) = line_key(l) {
                if !keys.iter().any(|x| x == k) {
                    keys.push(k.to_string());
                }
            }
        }
        keys
    }

    /// Sets `key`, editing its line in place (keeping an `export ` prefix) or appending it.
    pub fn set(&mut self, key: &str, value: &str) {
        let rendered = format!("{key}={}", quote_value(value));
        match self.find(key) {
            Some(i) => {
                let export = self.lines[i].trim_start().starts_with("export ");
                self.lines[i] = if export { format!("export {rendered}") } else { rendered };
            }
            None => {
                self.lines.push(rendered);
                self.trailing_newline = true;
            }
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
        && key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    valid.then_some(key)
}

/// Quotes a value so dotenv reads it back unchanged.
fn quote_value(v: &str) -> String {
    if v.bytes().all(|b| b.is_ascii_alphanumeric() || b"_./:@+,-=".contains(&b)) {
        return v.to_string();
    }
    if !v.contains('\'') && !v.contains('\n') {
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

    const P: &str = "/x/.env";

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
        for v in ["plain", "sp ace", "it's", "dollar $HOME", "quote\"d", "back\\slash", "#hash", "", "a=b"] {
            let mut f = EnvFile::parse("");
            f.set("K", v);
            let got = f.map(Path::new(P)).unwrap();
            assert_eq!(got.get("K").map(String::as_str), Some(v), "{v} → {}", f.render());
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
