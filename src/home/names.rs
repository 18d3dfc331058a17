//! Profile names: normalisation, the name rule, reserved names and subcommand collisions.

use std::fmt;

use super::ProfileError;

/// Names that can never be profiles: the installation itself and common system binaries.
pub const RESERVED_NAMES: &[&str] = &["hermes", "default", "test", "tmp", "root", "sudo"];

/// Names of hermes subcommands; an alias wrapper with one of these names would shadow them.
pub const SUBCOMMAND_NAMES: &[&str] = &[
    "chat",
    "model",
    "gateway",
    "setup",
    "whatsapp",
    "login",
    "logout",
    "status",
    "cron",
    "doctor",
    "dump",
    "config",
    "pairing",
    "skills",
    "tools",
    "mcp",
    "sessions",
    "insights",
    "version",
    "update",
    "uninstall",
    "profile",
    "plugins",
    "honcho",
    "acp",
    "send",
    "logs",
    "completion",
    "runs",
    "auth",
];

/// A validated, lowercase profile name; `default` stands for the root home.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfileName(String);

impl ProfileName {
    /// The root profile.
    #[must_use]
    pub fn default_profile() -> Self {
        Self("default".into())
    }

    /// Normalises (trim, lowercase) and validates a name. `default` in any case is accepted.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        let name = raw.trim().to_lowercase();
        if name == "default" {
            return Ok(Self::default_profile());
        }
        if !is_valid(&name) {
            return Err(ProfileError::InvalidName {
                name: raw.trim().to_string(),
            });
        }
        Ok(Self(name))
    }

    /// Like [`parse`](Self::parse), and also refuses reserved names (for new profiles).
    pub fn parse_new(raw: &str) -> Result<Self, ProfileError> {
        let name = Self::parse(raw)?;
        if RESERVED_NAMES.contains(&name.as_str()) {
            return Err(ProfileError::Reserved { name: name.0 });
        }
        Ok(name)
    }

    /// Whether this is the root profile.
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.0 == "default"
    }

    /// The name as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `^[a-z0-9][a-z0-9_-]{0,63}$`
fn is_valid(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_checked() {
        assert_eq!(ProfileName::parse("  Coder ").unwrap().as_str(), "coder");
        assert!(ProfileName::parse("DEFAULT").unwrap().is_default());
        assert!(ProfileName::parse("a_b-9").is_ok());
        assert!(ProfileName::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "-x", "_x", "a b", "a/b", "ä", &"a".repeat(65)] {
            assert!(
                matches!(
                    ProfileName::parse(bad),
                    Err(ProfileError::InvalidName { .. })
                ),
                "{bad}"
            );
        }
        for reserved in ["hermes", "Test", "tmp", "root", "sudo", "default"] {
            assert!(matches!(
                ProfileName::parse_new(reserved),
                Err(ProfileError::Reserved { .. })
            ));
        }
    }
}
