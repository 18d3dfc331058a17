//! The `Prompter` trait every wizard asks through, and its implementations: `TermPrompter`
//! (dialoguer; the only wizard code that touches the terminal), `NoTtyPrompter` (fails naming
//! the flag to pass) and, for tests, `ScriptedPrompter`.

use anyhow::Result;
use console::{Key, Term};
use dialoguer::theme::{ColorfulTheme, Theme as _};
use dialoguer::{Confirm, FuzzySelect, MultiSelect, Select};

use crate::cli::error::CliError;
use crate::output::Printer;

/// A question: its text and the flag that answers it without a terminal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask<'a> {
    /// The question shown.
    pub(crate) prompt: &'a str,
    /// `--flag VALUE` (or an environment variable) that answers it non-interactively.
    pub(crate) flag: &'a str,
}

impl<'a> Ask<'a> {
    pub(crate) fn new(prompt: &'a str, flag: &'a str) -> Self {
        Self { prompt, flag }
    }
}

/// A validator for typed answers: `Err(message)` rejects the answer and asks again.
pub(crate) type Check<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// Asks the user things. Wizards are plain functions over this trait.
pub(crate) trait Prompter {
    /// Whether a person answers (false: every answer must come from flags).
    fn interactive(&self) -> bool;
    /// Shows a line of text (help, notes, progress).
    fn say(&mut self, line: &str);
    /// Shows a warning.
    fn warn(&mut self, line: &str);
    /// One of `items` (arrow keys); returns its index.
    fn select(&mut self, q: Ask<'_>, items: &[String], default: usize) -> Result<usize>;
    /// Any of `items` (arrow keys, space toggles); returns the chosen indices.
    fn multi_select(
        &mut self,
        q: Ask<'_>,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>>;
    /// One of many `items`, filtered by typing.
    fn fuzzy_select(&mut self, q: Ask<'_>, items: &[String], default: usize) -> Result<usize>;
    /// A line of text; `check` rejects bad answers, which are asked again.
    fn input(&mut self, q: Ask<'_>, default: &str, check: Check<'_>) -> Result<String>;
    /// A hidden line of text (never echoed).
    fn password(&mut self, q: Ask<'_>, check: Check<'_>) -> Result<String>;
    /// Yes or no.
    fn confirm(&mut self, q: Ask<'_>, default: bool) -> Result<bool>;
    /// Shows `message` with a spinner until the returned value is dropped.
    fn progress(&mut self, message: &str) -> Spin;
    /// Notes an answer only a flag can give here (no terminal). `NoTtyPrompter` records it and
    /// the run goes on with a placeholder, so `check_answers` can name every missing flag at
    /// once; elsewhere it fails at once.
    fn missing(&mut self, q: Ask<'_>) -> Result<()> {
        Err(missing_error(&[(q.prompt.to_string(), q.flag.to_string())]))
    }
    /// Whether an answer is missing (the live checks are skipped then).
    fn any_missing(&self) -> bool {
        false
    }
    /// Fails naming every missing answer, if any.
    fn check_answers(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The error naming missing answers and the flags that give them.
fn missing_error(missing: &[(String, String)]) -> anyhow::Error {
    let name = |p: &str| p.trim_end_matches(':').trim().to_string();
    let mut e = if let [(prompt, _)] = missing {
        CliError::user(format!("missing answer: {}", name(prompt)))
    } else {
        let names: Vec<String> = missing.iter().map(|(p, _)| name(p)).collect();
        CliError::user(format!(
            "missing answers ({}): {}",
            missing.len(),
            names.join("; ")
        ))
    };
    for (_, flag) in missing {
        if !flag.is_empty() {
            e = e.hint(format!("pass {flag}"));
        }
    }
    e.hint("or run it in a terminal to be asked").into()
}

/// A spinner shown while something slow runs; cleared when dropped.
pub(crate) struct Spin(Option<indicatif::ProgressBar>);

impl Spin {
    /// No spinner (no terminal, tests).
    pub(crate) fn none() -> Self {
        Self(None)
    }
}

impl Drop for Spin {
    fn drop(&mut self) {
        if let Some(pb) = self.0.take() {
            pb.finish_and_clear();
        }
    }
}

/// The error every cancelled prompt turns into (exit 130, nothing written).
pub(crate) fn cancelled() -> anyhow::Error {
    CliError::cancelled("cancelled; nothing was changed").into()
}

/// The terminal prompter: dialoguer on stderr, arrow keys, Esc or Ctrl-C cancel.
pub(crate) struct TermPrompter {
    out: Printer,
    term: Term,
    theme: ColorfulTheme,
}

impl TermPrompter {
    /// A prompter on stderr. SIGINT is taken over so Ctrl-C inside a prompt returns an error
    /// (exit 130) instead of killing the process with the cursor hidden.
    pub(crate) fn new(out: Printer) -> Self {
        ignore_sigint();
        Self {
            out,
            term: Term::stderr(),
            theme: ColorfulTheme::default(),
        }
    }

    /// Maps dialoguer's outcome: `None` (Esc) and an interrupted read (Ctrl-C) cancel.
    fn finish<T>(&self, r: dialoguer::Result<Option<T>>) -> Result<T> {
        match r {
            Ok(Some(v)) => Ok(v),
            Ok(None) => {
                let _ = self.term.show_cursor();
                Err(cancelled())
            }
            Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                let _ = self.term.show_cursor();
                let _ = self.term.write_line("");
                Err(cancelled())
            }
            Err(e) => {
                let _ = self.term.show_cursor();
                Err(anyhow::Error::new(e).context("reading from the terminal"))
            }
        }
    }
}

/// Registers a SIGINT handler for the rest of the process, so that console's raw-mode reads,
/// which raise SIGINT on Ctrl-C, come back with `Interrupted` rather than dying by the signal.
fn ignore_sigint() {
    if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    {
        // The OS-level handler stays installed after the stream is dropped.
        let _ = rt.block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        });
    }
}

impl Prompter for TermPrompter {
    fn interactive(&self) -> bool {
        true
    }

    fn say(&mut self, line: &str) {
        self.out.status(line);
    }

    fn warn(&mut self, line: &str) {
        self.out.warn(line);
    }

    fn select(&mut self, q: Ask<'_>, items: &[String], default: usize) -> Result<usize> {
        let r = Select::with_theme(&self.theme)
            .with_prompt(q.prompt)
            .items(items)
            .default(default.min(items.len().saturating_sub(1)))
            .interact_on_opt(&self.term);
        self.finish(r)
    }

    fn multi_select(
        &mut self,
        q: Ask<'_>,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let r = MultiSelect::with_theme(&self.theme)
            .with_prompt(q.prompt)
            .items(items)
            .defaults(checked)
            .interact_on_opt(&self.term);
        self.finish(r)
    }

    fn fuzzy_select(&mut self, q: Ask<'_>, items: &[String], default: usize) -> Result<usize> {
        let r = FuzzySelect::with_theme(&self.theme)
            .with_prompt(q.prompt)
            .items(items)
            .default(default.min(items.len().saturating_sub(1)))
            .max_length(12)
            .interact_on_opt(&self.term);
        self.finish(r)
    }

    fn input(&mut self, q: Ask<'_>, default: &str, check: Check<'_>) -> Result<String> {
        // dialoguer's Input ignores Esc; read raw keys so Esc cancels here as everywhere else.
        loop {
            let mut head = String::new();
            let _ = self.theme.format_input_prompt(
                &mut head,
                q.prompt,
                Some(default).filter(|d| !d.is_empty()),
            );
            let _ = self.term.write_str(&head);
            let mut value = String::new();
            loop {
                let key = match self.term.read_key() {
                    Ok(k) => k,
                    Err(e) => return self.finish(Err(dialoguer::Error::IO(e))),
                };
                match key {
                    Key::Enter => break,
                    Key::Escape | Key::CtrlC => {
                        let _ = self.term.write_line("");
                        return self.finish(Ok(None));
                    }
                    Key::Backspace => {
                        if let Some(c) = value.pop() {
                            let w = console::measure_text_width(&c.to_string()).max(1);
                            let _ = self.term.clear_chars(w);
                        }
                    }
                    Key::Char(c) if !c.is_control() => {
                        value.push(c);
                        let _ = self.term.write_str(&c.to_string());
                    }
                    _ => {}
                }
            }
            let typed = value.trim().to_string();
            let answer = if typed.is_empty() {
                default.to_string()
            } else {
                typed
            };
            let _ = self.term.clear_line();
            let mut done = String::new();
            let _ = self
                .theme
                .format_input_prompt_selection(&mut done, q.prompt, &answer);
            let _ = self.term.write_line(&done);
            match check(&answer) {
                Ok(()) => return Ok(answer),
                Err(msg) => {
                    let mut err = String::new();
                    let _ = self.theme.format_error(&mut err, &msg);
                    let _ = self.term.write_line(&err);
                }
            }
        }
    }

    fn password(&mut self, q: Ask<'_>, check: Check<'_>) -> Result<String> {
        // dialoguer's Password reads in cooked mode, where Ctrl-C cannot be told apart from a
        // restarted read; read raw keys instead so Ctrl-C and Esc cancel.
        loop {
            self.term
                .write_str(&format!("{} ", self.out_prompt(q.prompt)))
                .ok();
            let mut value = String::new();
            loop {
                let key = match self.term.read_key() {
                    Ok(k) => k,
                    Err(e) => return self.finish(Err(dialoguer::Error::IO(e))),
                };
                match key {
                    Key::Enter => break,
                    Key::Escape | Key::CtrlC => return self.finish(Ok(None)),
                    Key::Backspace => {
                        value.pop();
                    }
                    Key::Char(c) if !c.is_control() => value.push(c),
                    _ => {}
                }
            }
            let _ = self.term.write_line("");
            let value = value.trim().to_string();
            match check(&value) {
                Ok(()) => return Ok(value),
                Err(msg) => self.out.warn(msg),
            }
        }
    }

    fn confirm(&mut self, q: Ask<'_>, default: bool) -> Result<bool> {
        let r = Confirm::with_theme(&self.theme)
            .with_prompt(q.prompt)
            .default(default)
            .interact_on_opt(&self.term);
        self.finish(r)
    }

    fn progress(&mut self, message: &str) -> Spin {
        let pb = indicatif::ProgressBar::with_draw_target(
            None,
            indicatif::ProgressDrawTarget::term(self.term.clone(), 10),
        );
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(100));
        Spin(Some(pb))
    }
}

impl TermPrompter {
    fn out_prompt(&self, prompt: &str) -> String {
        format!("{prompt}:")
    }
}

/// The prompter without a terminal (`--non-interactive`, `--no-input`, stdin not a TTY): every
/// question is noted as missing and answered with a placeholder, so the run goes on and
/// `check_answers` (before anything is written) names every missing flag at once.
pub(crate) struct NoTtyPrompter {
    out: Printer,
    missing: Vec<(String, String)>,
}

impl NoTtyPrompter {
    pub(crate) fn new(out: Printer) -> Self {
        Self {
            out,
            missing: Vec::new(),
        }
    }

    fn note(&mut self, q: Ask<'_>) {
        let entry = (q.prompt.to_string(), q.flag.to_string());
        if !self.missing.contains(&entry) {
            self.missing.push(entry);
        }
    }
}

impl Prompter for NoTtyPrompter {
    fn interactive(&self) -> bool {
        false
    }

    fn say(&mut self, line: &str) {
        self.out.status(line);
    }

    fn warn(&mut self, line: &str) {
        self.out.warn(line);
    }

    fn select(&mut self, q: Ask<'_>, _: &[String], default: usize) -> Result<usize> {
        self.note(q);
        Ok(default)
    }

    fn multi_select(&mut self, q: Ask<'_>, _: &[String], checked: &[bool]) -> Result<Vec<usize>> {
        self.note(q);
        Ok((0..checked.len()).filter(|i| checked[*i]).collect())
    }

    fn fuzzy_select(&mut self, q: Ask<'_>, _: &[String], default: usize) -> Result<usize> {
        self.note(q);
        Ok(default)
    }

    fn input(&mut self, q: Ask<'_>, _: &str, _: Check<'_>) -> Result<String> {
        self.note(q);
        Ok(String::new())
    }

    fn password(&mut self, q: Ask<'_>, _: Check<'_>) -> Result<String> {
        self.note(q);
        Ok(String::new())
    }

    fn confirm(&mut self, q: Ask<'_>, default: bool) -> Result<bool> {
        self.note(q);
        Ok(default)
    }

    fn progress(&mut self, message: &str) -> Spin {
        self.out.status(message);
        Spin::none()
    }

    fn missing(&mut self, q: Ask<'_>) -> Result<()> {
        self.note(q);
        Ok(())
    }

    fn any_missing(&self) -> bool {
        !self.missing.is_empty()
    }

    fn check_answers(&mut self) -> Result<()> {
        if self.missing.is_empty() {
            Ok(())
        } else {
            Err(missing_error(&self.missing))
        }
    }
}

#[cfg(test)]
pub(crate) use scripted::{Answer, ScriptedPrompter};

#[cfg(test)]
mod scripted {
    use std::collections::VecDeque;

    use anyhow::{Result, bail};

    use super::{Ask, Check, Prompter, Spin, cancelled};

    /// One scripted answer.
    #[derive(Debug, Clone)]
    pub(crate) enum Answer {
        /// The item whose label contains this text.
        Pick(&'static str),
        /// The items whose labels contain these texts (multi-select).
        Picks(Vec<&'static str>),
        /// Typed text (input, password, or a fuzzy search picking the first match).
        Text(&'static str),
        /// Whatever the default is (Enter).
        Enter,
        /// Yes or no.
        Yes,
        No,
        /// Esc / Ctrl-C.
        Cancel,
    }

    /// Answers from a script and records everything shown and asked.
    pub(crate) struct ScriptedPrompter {
        answers: VecDeque<Answer>,
        /// Every line shown and question asked, in order (`? prompt` for questions).
        pub(crate) transcript: Vec<String>,
    }

    impl ScriptedPrompter {
        pub(crate) fn new(answers: Vec<Answer>) -> Self {
            Self {
                answers: answers.into(),
                transcript: Vec::new(),
            }
        }

        /// Asserts every scripted answer was used.
        #[track_caller]
        pub(crate) fn assert_done(&self) {
            assert!(
                self.answers.is_empty(),
                "unused answers {:?}\n{}",
                self.answers,
                self.transcript.join("\n")
            );
        }

        fn next(&mut self, q: Ask<'_>) -> Result<Answer> {
            self.transcript.push(format!("? {}", q.prompt));
            match self.answers.pop_front() {
                Some(Answer::Cancel) => Err(cancelled()),
                Some(a) => Ok(a),
                None => bail!(
                    "script ran out at {:?}\n{}",
                    q.prompt,
                    self.transcript.join("\n")
                ),
            }
        }

        fn find(items: &[String], needle: &str) -> Result<usize> {
            items
                .iter()
                .position(|i| i.contains(needle))
                .ok_or_else(|| anyhow::anyhow!("no item contains {needle:?} in {items:?}"))
        }

        fn typed(&mut self, q: Ask<'_>, default: &str, check: Check<'_>) -> Result<String> {
            loop {
                let text = match self.next(q)? {
                    Answer::Text(t) => t.to_string(),
                    Answer::Enter => default.to_string(),
                    other => bail!("expected text for {:?}, got {other:?}", q.prompt),
                };
                match check(&text) {
                    Ok(()) => return Ok(text),
                    Err(msg) => self.transcript.push(format!("! {msg}")),
                }
            }
        }
    }

    impl Prompter for ScriptedPrompter {
        fn interactive(&self) -> bool {
            true
        }

        fn say(&mut self, line: &str) {
            self.transcript.push(line.to_string());
        }

        fn warn(&mut self, line: &str) {
            self.transcript.push(format!("⚠ {line}"));
        }

        fn select(&mut self, q: Ask<'_>, items: &[String], default: usize) -> Result<usize> {
            match self.next(q)? {
                Answer::Pick(s) => Self::find(items, s),
                Answer::Enter => Ok(default),
                other => bail!("expected a pick for {:?}, got {other:?}", q.prompt),
            }
        }

        fn multi_select(
            &mut self,
            q: Ask<'_>,
            items: &[String],
            checked: &[bool],
        ) -> Result<Vec<usize>> {
            match self.next(q)? {
                Answer::Picks(p) => p.iter().map(|s| Self::find(items, s)).collect(),
                Answer::Enter => Ok((0..items.len()).filter(|i| checked[*i]).collect()),
                other => bail!("expected picks for {:?}, got {other:?}", q.prompt),
            }
        }

        fn fuzzy_select(&mut self, q: Ask<'_>, items: &[String], default: usize) -> Result<usize> {
            match self.next(q)? {
                Answer::Pick(s) | Answer::Text(s) => Self::find(items, s),
                Answer::Enter => Ok(default),
                other => bail!("expected a pick for {:?}, got {other:?}", q.prompt),
            }
        }

        fn input(&mut self, q: Ask<'_>, default: &str, check: Check<'_>) -> Result<String> {
            self.typed(q, default, check)
        }

        fn password(&mut self, q: Ask<'_>, check: Check<'_>) -> Result<String> {
            self.typed(q, "", check)
        }

        fn confirm(&mut self, q: Ask<'_>, default: bool) -> Result<bool> {
            match self.next(q)? {
                Answer::Yes => Ok(true),
                Answer::No => Ok(false),
                Answer::Enter => Ok(default),
                other => bail!("expected yes/no for {:?}, got {other:?}", q.prompt),
            }
        }

        fn progress(&mut self, message: &str) -> Spin {
            self.transcript.push(format!("… {message}"));
            Spin::none()
        }
    }
}
