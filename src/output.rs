//! All terminal output: data on stdout, status and warnings on stderr, colour only on a
//! terminal and never with `NO_COLOR`. The only file that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Display;
use std::io::{IsTerminal, Write};

use console::Style;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum ColorChoice {
    /// Colour on a terminal unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
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
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color_env,
        };
        Self {
            quiet,
            color_out: decide(std::io::stdout().is_terminal()),
            color_err: decide(std::io::stderr().is_terminal()),
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
