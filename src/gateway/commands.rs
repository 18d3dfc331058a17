//! Chat slash commands: parsing (`/cmd@bot args`), the registry with aliases, and `/help`.
//! The handlers live in the gateway runtime; this file only knows names and words.

/// A parsed slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    /// Canonical name, lowercase, without the slash (`new`, `status`, …).
    pub name: String,
    /// The rest of the message, trimmed.
    pub args: String,
}

/// One command of the registry.
#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    /// Canonical name.
    pub name: &'static str,
    /// Other names that mean the same.
    pub aliases: &'static [&'static str],
    /// Argument synopsis for `/help`.
    pub usage: &'static str,
    /// One line for `/help`.
    pub about: &'static str,
    /// Usable while a turn runs (handled mid-run instead of being refused).
    pub mid_run: bool,
}

/// Every chat command hermes answers.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "new",
        aliases: &["reset"],
        usage: "[title]",
        about: "Start a fresh conversation",
        mid_run: true,
    },
    CommandInfo {
        name: "status",
        aliases: &[],
        usage: "",
        about: "Show this session: model, id, title, tokens, running state",
        mid_run: true,
    },
    CommandInfo {
        name: "stop",
        aliases: &[],
        usage: "",
        about: "Stop the running task (nothing is queued)",
        mid_run: true,
    },
    CommandInfo {
        name: "help",
        aliases: &["commands"],
        usage: "",
        about: "List the commands",
        mid_run: true,
    },
    CommandInfo {
        name: "whoami",
        aliases: &[],
        usage: "",
        about: "Show who you are to this gateway and what you may use",
        mid_run: true,
    },
    CommandInfo {
        name: "sethome",
        aliases: &["set-home"],
        usage: "",
        about: "Make this chat the home channel (cron results, notices)",
        mid_run: false,
    },
    CommandInfo {
        name: "title",
        aliases: &[],
        usage: "[name]",
        about: "Show or set the session title",
        mid_run: false,
    },
    CommandInfo {
        name: "resume",
        aliases: &[],
        usage: "[name|id]",
        about: "List recent sessions of this chat, or resume one",
        mid_run: false,
    },
    CommandInfo {
        name: "sessions",
        aliases: &[],
        usage: "",
        about: "List recent sessions of this chat",
        mid_run: false,
    },
    CommandInfo {
        name: "model",
        aliases: &[],
        usage: "[provider:model] [--global]",
        about: "Show or switch the model for this session",
        mid_run: false,
    },
    CommandInfo {
        name: "usage",
        aliases: &[],
        usage: "",
        about: "Token usage of this session",
        mid_run: false,
    },
    CommandInfo {
        name: "insights",
        aliases: &[],
        usage: "[days]",
        about: "Usage over the last days",
        mid_run: false,
    },
    CommandInfo {
        name: "retry",
        aliases: &[],
        usage: "",
        about: "Send the last message again",
        mid_run: false,
    },
    CommandInfo {
        name: "undo",
        aliases: &[],
        usage: "",
        about: "Remove the last exchange",
        mid_run: false,
    },
    CommandInfo {
        name: "compress",
        aliases: &[],
        usage: "",
        about: "Compress the conversation context now",
        mid_run: false,
    },
    CommandInfo {
        name: "approve",
        aliases: &[],
        usage: "[session|always]",
        about: "Approve the pending dangerous command",
        mid_run: true,
    },
    CommandInfo {
        name: "deny",
        aliases: &[],
        usage: "",
        about: "Deny the pending dangerous command",
        mid_run: true,
    },
    CommandInfo {
        name: "background",
        aliases: &["bg"],
        usage: "<prompt>",
        about: "Run a prompt in a separate background session",
        mid_run: true,
    },
    CommandInfo {
        name: "queue",
        aliases: &["q"],
        usage: "<prompt>",
        about: "Queue a prompt as the next turn",
        mid_run: true,
    },
    CommandInfo {
        name: "steer",
        aliases: &[],
        usage: "<prompt>",
        about: "Add guidance to the running task",
        mid_run: true,
    },
    CommandInfo {
        name: "cron",
        aliases: &[],
        usage: "list|add|pause|resume|run|remove …",
        about: "Manage scheduled jobs",
        mid_run: false,
    },
    CommandInfo {
        name: "platforms",
        aliases: &["platform"],
        usage: "",
        about: "Show the connected platforms",
        mid_run: true,
    },
];

/// Finds a command by name or alias.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static CommandInfo> {
    let name = name.to_ascii_lowercase();
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name.as_str()))
}

/// Parses `/cmd[@bot] args`. Anything not starting with `/` followed by a letter is `None`
/// (so `/` alone, paths like `/etc/hosts` with no command shape… still parse as a command
/// named `etc`; callers decide what unknown names mean).
#[must_use]
pub fn parse(text: &str) -> Option<SlashCommand> {
    let t = text.trim_start();
    let rest = t.strip_prefix('/')?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let word = &rest[..end];
    let name = word.split('@').next().unwrap_or_default();
    if name.is_empty() || !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let canonical = lookup(name).map_or_else(|| name.to_ascii_lowercase(), |c| c.name.to_string());
    Some(SlashCommand {
        name: canonical,
        args: rest[end..].trim().to_string(),
    })
}

/// The `/help` text (plus installed skills, given by the caller).
#[must_use]
pub fn help_text(skills: &[String]) -> String {
    let mut s = String::from("📖 Commands\n\n");
    for c in COMMANDS {
        let usage = if c.usage.is_empty() {
            String::new()
        } else {
            format!(" {}", c.usage)
        };
        let aliases = if c.aliases.is_empty() {
            String::new()
        } else {
            format!(
                " (also {})",
                c.aliases
                    .iter()
                    .map(|a| format!("/{a}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        s.push_str(&format!("/{}{usage} — {}{aliases}\n", c.name, c.about));
    }
    if !skills.is_empty() {
        s.push_str("\nSkills: ");
        s.push_str(
            &skills
                .iter()
                .map(|n| format!("/{n}"))
                .collect::<Vec<_>>()
                .join(" "),
        );
        s.push('\n');
    }
    s.push_str("\nAny other message goes to the agent.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        assert_eq!(
            parse("/new"),
            Some(SlashCommand {
                name: "new".into(),
                args: String::new()
            })
        );
        assert_eq!(
            parse("/reset  My title "),
            Some(SlashCommand {
                name: "new".into(),
                args: "My title".into()
            })
        );
        assert_eq!(
            parse("/status@hermes_bot"),
            Some(SlashCommand {
                name: "status".into(),
                args: String::new()
            })
        );
        assert_eq!(parse("/bg check servers").unwrap().name, "background");
        assert_eq!(parse("/Set-Home").unwrap().name, "sethome");
        assert_eq!(parse("/daily-briefing now").unwrap().name, "daily-briefing");
        assert_eq!(parse("hello /new"), None);
        assert_eq!(parse("/"), None);
        assert_eq!(parse("/123"), None);
        assert_eq!(parse("/etc/hosts"), None);
    }

    #[test]
    fn help_lists_every_command_once() {
        let h = help_text(&["daily-briefing".into()]);
        for c in COMMANDS {
            assert_eq!(
                h.matches(&format!("\n/{} ", c.name)).count(),
                1,
                "{}",
                c.name
            );
        }
        assert!(h.contains("/daily-briefing"));
    }
}
