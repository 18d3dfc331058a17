//! Tool progress lines (`display.tool_progress`): what the user sees while a tool runs, the same
//! text in `hermes chat` and in every chat platform. A terminal command shows as
//! ``💻 `ls -la`...``; any other tool by its name, `🔍 web_search...`, `📄 read_file...`. In
//! `verbose` mode the full command, or the tool's arguments, are shown.
//!
//! The agent puts the label in [`crate::gateway::turn::TurnEvent::ToolStarted`], so a consumer
//! only joins the two with [`line`].

use serde_json::Value;

/// How much tool activity to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// Nothing.
    Off,
    /// A line when the tool differs from the previous one.
    New,
    /// A line per tool call.
    #[default]
    All,
    /// A line per tool call with the full command or arguments.
    Verbose,
}

impl ProgressMode {
    /// Parses a config value; unknown values mean `all` (`log` shows nothing on screen).
    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "none" | "false" | "log" => Self::Off,
            "new" => Self::New,
            "verbose" => Self::Verbose,
            _ => Self::All,
        }
    }

    /// Whether a call of `name` gets a line, after a call of `previous` (`None` for the first
    /// call of a turn).
    #[must_use]
    pub fn shows(self, name: &str, previous: Option<&str>) -> bool {
        match self {
            Self::Off => false,
            Self::New => previous != Some(name),
            Self::All | Self::Verbose => true,
        }
    }
}

/// The longest command shown in a short (non-verbose) terminal label.
const SHORT_COMMAND: usize = 40;

/// The label of a call of `name` with `args`: the command in backticks for `terminal`, else the
/// tool's name; `verbose` shows the whole command, or the name with the arguments as JSON.
#[must_use]
pub fn label(name: &str, args: &Value, verbose: bool) -> String {
    let command = (name == "terminal")
        .then(|| args.get("command").and_then(Value::as_str))
        .flatten()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(cmd) = command {
        if verbose {
            return format!("`{cmd}`");
        }
        let mut lines = cmd.lines();
        let first = lines.next().unwrap_or_default();
        let more = lines.next().is_some();
        let short = if first.chars().count() > SHORT_COMMAND {
            let cut: String = first.chars().take(SHORT_COMMAND - 3).collect();
            format!("{cut}...")
        } else if more {
            format!("{first} ...")
        } else {
            first.to_string()
        };
        return format!("`{short}`");
    }
    match args {
        Value::Object(m) if verbose && !m.is_empty() => format!("{name}({args})"),
        _ => name.to_string(),
    }
}

/// The progress line of a tool, as every front end shows it: `{emoji} {label}...`.
#[must_use]
pub fn line(emoji: &str, label: &str) -> String {
    format!("{emoji} {label}...")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lines_match_the_documented_examples() {
        let ls = label("terminal", &json!({"command": "ls -la"}), false);
        assert_eq!(line("💻", &ls), "💻 `ls -la`...");
        let search = label("web_search", &json!({"query": "rust"}), false);
        assert_eq!(line("🔍", &search), "🔍 web_search...");
        let read = label("read_file", &json!({"path": "notes.md"}), false);
        assert_eq!(line("📄", &read), "📄 read_file...");
    }

    #[test]
    fn long_and_multiline_commands_are_shortened() {
        let long = "echo ".to_string() + &"x".repeat(100);
        let l = label("terminal", &json!({"command": long}), false);
        assert_eq!(l.chars().count(), SHORT_COMMAND + 2);
        assert!(l.ends_with("...`"), "{l}");
        let multi = label("terminal", &json!({"command": "cd /tmp\nmake"}), false);
        assert_eq!(multi, "`cd /tmp ...`");
        // Verbose shows everything.
        assert_eq!(
            label("terminal", &json!({"command": "cd /tmp\nmake"}), true),
            "`cd /tmp\nmake`"
        );
        assert_eq!(
            label("terminal", &json!({"command": long}), true),
            format!("`{long}`")
        );
    }

    #[test]
    fn verbose_shows_the_arguments() {
        assert_eq!(
            label("read_file", &json!({"path": "a.md"}), true),
            r#"read_file({"path":"a.md"})"#
        );
        assert_eq!(label("todo", &json!({}), true), "todo");
        // A terminal call without a command falls back to the name.
        assert_eq!(label("terminal", &json!({}), false), "terminal");
    }

    #[test]
    fn modes() {
        assert_eq!(ProgressMode::parse("verbose"), ProgressMode::Verbose);
        assert_eq!(ProgressMode::parse("NEW"), ProgressMode::New);
        assert_eq!(ProgressMode::parse("off"), ProgressMode::Off);
        assert_eq!(ProgressMode::parse(""), ProgressMode::All);
        assert!(ProgressMode::New.shows("terminal", None));
        assert!(!ProgressMode::New.shows("terminal", Some("terminal")));
        assert!(ProgressMode::New.shows("read_file", Some("terminal")));
        assert!(ProgressMode::All.shows("terminal", Some("terminal")));
        assert!(!ProgressMode::Off.shows("terminal", None));
    }
}
