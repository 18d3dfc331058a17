//! Secret redaction for log lines: the values of secret-looking variables in the environment,
//! plus token shapes (API keys, bot tokens, bearer headers) wherever they appear.

use crate::config::{Env, keys};

/// Replaces secrets in text with `***`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// Learns the secret values of `env` (variables whose names look secret, 8+ characters).
    #[must_use]
    pub fn from_env(env: &Env) -> Self {
        let mut secrets: Vec<String> = env
            .vars()
            .iter()
            .filter(|(k, v)| keys::is_secret_env(k) && v.len() >= 8)
            .map(|(_, v)| v.clone())
            .collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self { secrets }
    }

    /// Adds a known secret.
    pub fn add(&mut self, secret: &str) {
        if secret.len() >= 8 && !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_string());
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// The text with secrets replaced.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        redact_shapes(&out)
    }
}

/// Masks token shapes: `sk-…`/`xoxb-…`-style keys, `Bearer …`, and Telegram bot tokens
/// (`123456:ABC…` in URLs such as `/bot<token>/`).
fn redact_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_:.".contains(c)))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        out.push_str(&mask_word(word));
        rest = &rest[end..];
        if out.ends_with("Bearer") && rest.starts_with(' ') {
            out.push(' ');
            rest = &rest[1..];
            let e = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if e > 0 {
                out.push_str("***");
            }
            rest = &rest[e..];
        }
    }
    out
}

fn mask_word(word: &str) -> String {
    let prefixed = [
        "sk-",
        "sk_",
        "xoxb-",
        "xoxp-",
        "xapp-",
        "ghp_",
        "gho_",
        "github_pat_",
        "AIza",
    ]
    .iter()
    .any(|p| word.starts_with(p) && word.len() >= p.len() + 12);
    // Telegram tokens appear bare or inside `/bot<token>/` URLs.
    let lead = word.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let bot_token = word[lead..].split_once(':').is_some_and(|(id, secret)| {
        id.len() >= 6 && id.bytes().all(|b| b.is_ascii_digit()) && secret.len() >= 30
    });
    if bot_token {
        return format!("{}***", &word[..lead]);
    }
    if prefixed {
        let keep: String = word.chars().take(4).collect();
        format!("{keep}***")
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_values_and_shapes() {
        let env = Env::from_pairs([
            ("OPENAI_API_KEY", "plainsecretvalue"),
            ("HOME", "/home/user"),
        ]);
        let r = Redactor::from_env(&env);
        assert_eq!(
            r.redact("key=plainsecretvalue home=/home/user"),
            "key=*** home=/home/user"
        );
        assert_eq!(
            r.redact("using sk-or-v1-abcdefghijklmnop now"),
            "using sk-o*** now"
        );
        assert_eq!(
            r.redact("GET /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe"),
            "GET /bot***/getMe"
        );
        assert_eq!(
            r.redact("Authorization: Bearer abc.def"),
            "Authorization: Bearer ***"
        );
        assert_eq!(
            r.redact("nothing secret here: 12:30"),
            "nothing secret here: 12:30"
        );
    }
}
