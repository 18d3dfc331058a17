//! All terminal output: data on stdout, status and warnings on stderr, colour only on a
//! terminal and never with `NO_COLOR`. The only file that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Display;
use std::io::{IsTerminal, Write};

use console::Style;

/// When to colour output. `NO_COLOR` (<https://no-color.org>) beats every choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum ColorChoice {
    /// Colour on a terminal unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Colour even when not on a terminal (still never with `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

/// Whether one stream is coloured: `NO_COLOR` always wins, then `--color`, then the terminal.
fn use_color(choice: ColorChoice, tty: bool, no_color_env: bool) -> bool {
    !no_color_env
        && match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty,
        }
}

/// The printer every command writes through.
#[derive(Debug, Clone)]
pub(crate) struct Printer {
    quiet: bool,
    color_out: bool,
    color_err: bool,
}

impl Printer {
    pub(crate) fn new(quiet: bool, color: ColorChoice, no_color_env: bool) -> Self {
        Self {
            quiet,
            color_out: use_color(color, std::io::stdout().is_terminal(), no_color_env),
            color_err: use_color(color, std::io::stderr().is_terminal(), no_color_env),
        }
    }

    /// A line of data on stdout.
    pub(crate) fn data(&self, line: impl Display) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
    }

    /// Data without a trailing newline added.
    pub(crate) fn raw(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// A JSON value on stdout (pretty, one document).
    pub(crate) fn json(&self, value: &serde_json::Value) {
        self.data(serde_json::to_string_pretty(value).unwrap_or_default());
    }

    /// A status line on stderr (silenced by `-q`).
    pub(crate) fn status(&self, line: impl Display) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// `✓ …` on stderr.
    pub(crate) fn success(&self, line: impl Display) {
        if !self.quiet {
            eprintln!("{} {line}", self.paint_err(&Style::new().green(), "✓"));
        }
    }

    /// `⚠ …` on stderr (never silenced).
    pub(crate) fn warn(&self, line: impl Display) {
        eprintln!("{} {line}", self.paint_err(&Style::new().yellow(), "⚠"));
    }

    /// An error block rendered by `main`.
    pub(crate) fn error_block(&self, head: &str, causes: &[String], hints: &[String]) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{} {head}",
            self.paint_err(&Style::new().red().bold(), "Error:")
        );
        for c in causes {
            let _ = writeln!(
                err,
                "{} {c}",
                self.paint_err(&Style::new().red(), "Caused by:")
            );
        }
        for h in hints {
            let _ = writeln!(err, "{} {h}", self.paint_err(&Style::new().cyan(), "hint:"));
        }
    }

    /// Bold text for stdout when colour is on.
    pub(crate) fn bold(&self, s: &str) -> String {
        if self.color_out {
            Style::new()
                .bold()
                .force_styling(true)
                .apply_to(s)
                .to_string()
        } else {
            s.to_string()
        }
    }

    /// Green text for stdout when colour is on.
    pub(crate) fn green(&self, s: &str) -> String {
        if self.color_out {
            Style::new()
                .green()
                .force_styling(true)
                .apply_to(s)
                .to_string()
        } else {
            s.to_string()
        }
    }

    fn paint_err(&self, style: &Style, s: &str) -> String {
        if self.color_err {
            style.clone().force_styling(true).apply_to(s).to_string()
        } else {
            s.to_string()
        }
    }

    /// A table on stdout: a header row and aligned columns (width by characters).
    pub(crate) fn table(&self, headers: &[&str], rows: &[Vec<String>]) {
        let cols = headers.len();
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for r in rows {
            for (i, c) in r.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(console::measure_text_width(c));
            }
        }
        let fmt_row = |cells: Vec<String>| {
            let mut line = String::new();
            for (i, c) in cells.iter().enumerate() {
                line.push_str(c);
                if i + 1 < cells.len() {
                    let pad = widths[i] - console::measure_text_width(c) + 2;
                    line.push_str(&" ".repeat(pad));
                }
            }
            line.trim_end().to_string()
        };
        self.data(self.bold(&fmt_row(headers.iter().map(|h| (*h).to_string()).collect())));
        for r in rows {
            self.data(fmt_row(r.clone()));
        }
    }

    /// A byte progress bar on stderr (for downloads); `None` when quiet or not on a terminal.
    pub(crate) fn progress(&self, total: Option<u64>) -> Option<indicatif::ProgressBar> {
        if self.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = total.map_or_else(
            indicatif::ProgressBar::new_spinner,
            indicatif::ProgressBar::new,
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        ) {
            bar.set_style(style);
        }
        Some(bar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_beats_every_choice() {
        for choice in [ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never] {
            for tty in [true, false] {
                assert!(!use_color(choice, tty, true), "{choice:?} tty={tty}");
            }
        }
    }

    #[test]
    fn choice_and_terminal_decide_without_no_color() {
        assert!(use_color(ColorChoice::Auto, true, false));
        assert!(!use_color(ColorChoice::Auto, false, false));
        assert!(use_color(ColorChoice::Always, false, false));
        assert!(use_color(ColorChoice::Always, true, false));
        assert!(!use_color(ColorChoice::Never, true, false));
        assert!(!use_color(ColorChoice::Never, false, false));
    }

    #[test]
    fn painting_follows_the_decision() {
        let on = Printer {
            quiet: false,
            color_out: true,
            color_err: true,
        };
        let off = Printer {
            quiet: false,
            color_out: false,
            color_err: false,
        };
        assert_eq!(off.bold("x"), "x");
        assert_eq!(off.green("x"), "x");
        assert_eq!(off.paint_err(&Style::new().red(), "x"), "x");
        assert_eq!(on.bold("x"), "\u{1b}[1mx\u{1b}[0m");
        assert_eq!(on.green("x"), "\u{1b}[32mx\u{1b}[0m");
        assert_eq!(
            on.paint_err(&Style::new().red(), "x"),
            "\u{1b}[31mx\u{1b}[0m"
        );
    }

    #[test]
    fn new_never_colours_with_no_color() {
        // Whatever the test harness's streams are, NO_COLOR turns colour off on both.
        for choice in [ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never] {
            let p = Printer::new(false, choice, true);
            assert!(!p.color_out && !p.color_err, "{choice:?}");
        }
        let p = Printer::new(false, ColorChoice::Always, false);
        assert!(p.color_out && p.color_err);
        let p = Printer::new(true, ColorChoice::Never, false);
        assert!(!p.color_out && !p.color_err && p.quiet);
    }
}
