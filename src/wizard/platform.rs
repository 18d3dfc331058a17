//! The platform wizard engine: interprets one `wizards/<platform>.yaml` (login, fields,
//! choices, live check) over a `Prompter` and returns the changes as a `SetupPlan`. Flags
//! answer questions before they are asked; without a terminal, what no flag answers keeps its
//! current value or default, and a required answer that is missing fails naming its flag.

use std::collections::BTreeMap;

use anyhow::Result;
use hermes::config::dotenv::EnvFile;
use hermes::home::{HermesPaths, list_profiles};

use super::effects::{self, Effects};
use super::plan::SetupPlan;
use super::prompter::{Ask, Prompter};
use super::spec::{self, Field, Spec, When, fill, flag_hint, text};
use crate::cli::error::CliError;

/// What the engine knows before asking.
pub(crate) struct Known<'a> {
    /// The profile's current `.env` values (empty with `--reset`).
    pub(crate) current: &'a BTreeMap<String, String>,
    /// Answers given on the command line (and, without a terminal, the environment).
    pub(crate) given: &'a BTreeMap<String, String>,
    /// Run the live checks.
    pub(crate) validate: bool,
    /// The profile (for the shared-token warning).
    pub(crate) paths: &'a HermesPaths,
}

impl Known<'_> {
    fn current(&self, env: &str) -> Option<&str> {
        self.current
            .get(env)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Whether a platform looks configured (every `existing.when` variable is set).
pub(crate) fn is_configured(spec: &Spec, current: &BTreeMap<String, String>) -> bool {
    spec.existing.as_ref().is_some_and(|e| {
        e.when
            .iter()
            .all(|k| current.get(k).is_some_and(|v| !v.is_empty()))
    })
}

/// One run through a platform's questions.
struct Run<'a, 'k> {
    spec: &'a Spec,
    known: &'a Known<'k>,
    plan: SetupPlan,
    /// Every answer, by variable (for `when`, `then` and the check).
    answers: BTreeMap<String, String>,
    /// Login outputs (`account_id`, `user_id`, …).
    outputs: BTreeMap<String, String>,
    /// Keep the current credentials (the `existing` question was answered no).
    keep: bool,
}

/// Asks a platform's questions; `None` when the user skipped the platform.
pub(crate) fn configure(
    p: &mut dyn Prompter,
    spec: &Spec,
    known: &Known<'_>,
    fx: &mut dyn Effects,
) -> Result<Option<SetupPlan>> {
    p.say("");
    p.say(&format!("─── {} ───", spec.title));
    if p.interactive() {
        for line in &spec.intro {
            p.say(line);
        }
    }
    let mut keep = false;
    if let Some(existing) = &spec.existing
        && is_configured(spec, known.current)
    {
        p.say(&existing.message);
        let flagged = existing.when.iter().any(|k| known.given.contains_key(k))
            || spec
                .login
                .as_ref()
                .is_some_and(|l| l.writes.keys().any(|k| known.given.contains_key(k)));
        keep = if flagged {
            false
        } else if p.interactive() {
            !p.confirm(Ask::new(&existing.confirm, ""), existing.default)?
        } else {
            true
        };
    }
    let t = &spec::setup().gateway;
    // The login's part of the plan, kept when only the fields are asked again.
    let mut logged_in: Option<LoginPart> = None;
    loop {
        let mut run = Run {
            spec,
            known,
            plan: SetupPlan::default(),
            answers: BTreeMap::new(),
            outputs: BTreeMap::new(),
            keep,
        };
        if let Some((plan, answers, outputs)) = logged_in.take() {
            run.plan = plan;
            run.answers = answers;
            run.outputs = outputs;
        } else if !run.login(p, fx)? {
            p.say(&text(t, "skipped"));
            return Ok(None);
        }
        let login_part = (run.plan.clone(), run.answers.clone(), run.outputs.clone());
        for field in &spec.fields {
            run.field(p, field)?;
        }
        for (k, v) in &spec.sets {
            run.plan.set_env(k, v);
        }
        match run.check(p, fx)? {
            Checked::Ok => {
                run.warn_shared_token(p);
                for line in &spec.done {
                    p.say(line);
                }
                for (env, _) in spec.answer_vars() {
                    if spec.is_secret(&env) {
                        run.plan.secrets.insert(env);
                    }
                }
                return Ok(Some(run.plan));
            }
            Checked::Again { login } => {
                keep = false;
                if !login && spec.login.is_some() && !login_part.2.is_empty() {
                    logged_in = Some(login_part);
                }
            }
            Checked::Skip => {
                p.say(&text(t, "skipped"));
                return Ok(None);
            }
        }
    }
}

/// A login's plan, answers and outputs.
type LoginPart = (
    SetupPlan,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
);

enum Checked {
    Ok,
    Again { login: bool },
    Skip,
}

impl Run<'_, '_> {
    /// Runs the login, or takes its outputs from flags. `false`: the user declined.
    fn login(&mut self, p: &mut dyn Prompter, fx: &mut dyn Effects) -> Result<bool> {
        let Some(login) = &self.spec.login else {
            return Ok(true);
        };
        if self.keep {
            return Ok(true);
        }
        let given: Vec<(&String, &String)> = login
            .writes
            .keys()
            .filter_map(|k| self.known.given.get_key_value(k))
            .collect();
        if !given.is_empty() || !p.interactive() {
            // Credentials from an earlier login, passed as flags.
            for env in login.writes.keys() {
                let secret = login.secrets.contains(env);
                match self.known.given.get(env) {
                    Some(v) => self.set(env, v, secret),
                    None if env.ends_with("_ACCOUNT_ID") || secret => {
                        let flag = flag_hint(env, secret);
                        let what = format!(
                            "{env} for {} (the QR login needs a terminal)",
                            self.spec.title
                        );
                        p.missing(Ask::new(&what, &flag))?;
                    }
                    None => {}
                }
            }
            return Ok(true);
        }
        loop {
            if !p.confirm(Ask::new(&login.confirm, ""), true)? {
                return Ok(false);
            }
            match fx.login(p, login)? {
                Ok(outputs) => {
                    if let Some(file) = effects::login_file(self.known.paths, login, &outputs)? {
                        self.plan.files.retain(|f| f.path != file.path);
                        self.plan.files.push(file);
                    }
                    self.outputs = outputs;
                    let outputs = self.outputs.clone();
                    let vars = pairs(&outputs);
                    for (env, template) in &login.writes {
                        let value = fill(template, &vars);
                        let secret = login.secrets.contains(env);
                        self.set(env, &value, secret);
                    }
                    return Ok(true);
                }
                Err(msg) => p.warn(&format!("{} {msg}", login.failure)),
            }
        }
    }

    fn set(&mut self, env: &str, value: &str, secret: bool) {
        if secret {
            self.plan.set_secret(env, value);
        } else {
            self.plan.set_env(env, value);
        }
        self.answers.insert(env.to_string(), value.to_string());
    }

    /// The value a variable has now: this run's answer, else the current one.
    fn value(&self, env: &str) -> String {
        self.answers
            .get(env)
            .cloned()
            .or_else(|| self.known.current(env).map(str::to_string))
            .unwrap_or_default()
    }

    fn applies(&self, field: &Field) -> bool {
        match &field.when {
            None => true,
            Some(When::Output(name)) => self.outputs.get(name).is_some_and(|v| !v.is_empty()),
            Some(When::Answers(m)) => m.iter().all(|(env, want)| want.matches(&self.value(env))),
        }
    }

    /// Asks one field (and the `then` field of the chosen entry).
    fn field(&mut self, p: &mut dyn Prompter, field: &Field) -> Result<()> {
        if !self.applies(field) {
            return Ok(());
        }
        let credential = self
            .spec
            .existing
            .as_ref()
            .is_some_and(|e| e.when.contains(&field.env))
            || (field.secret && self.spec.token_env.as_deref() == Some(&field.env));
        if self.keep && credential && !self.known.given.contains_key(&field.env) {
            return Ok(());
        }
        let flag = if field.choices.is_empty() {
            flag_hint(&field.env, field.secret)
        } else {
            let values: Vec<&str> = field.choices.iter().map(|c| c.value.as_str()).collect();
            format!("--{} {}", spec::flag_name(&field.env), values.join("|"))
        };
        if !field.choices.is_empty() {
            return self.choice(p, field, &flag);
        }
        if let Some(given) = self.known.given.get(&field.env).cloned() {
            if let Err(msg) = check(field, &given) {
                return Err(CliError::user(format!("{}: {msg}", field.env))
                    .hint(format!("fix {flag}"))
                    .into());
            }
            self.set(&field.env, &tidy_list(&given), field.secret);
            return Ok(());
        }
        let outputs = self.outputs.clone();
        let vars = pairs(&outputs);
        let current = self.known.current(&field.env).map(str::to_string);
        if field.confirm {
            let value = fill(field.value.as_deref().unwrap_or("true"), &vars);
            let prompt = fill(&field.prompt, &vars);
            if p.interactive() {
                show(p, field, &vars);
                for line in &field.help {
                    p.say(&fill(line, &vars));
                }
                if p.confirm(Ask::new(&prompt, &flag), field.default_bool())? {
                    self.set(&field.env, &value, false);
                    for line in &field.note.0 {
                        p.say(&fill(line, &vars));
                    }
                }
            }
            return Ok(());
        }
        let default = current
            .clone()
            .or_else(|| field.default_text().map(|d| fill(d, &vars)))
            .filter(|d| !d.contains('{'))
            .unwrap_or_default();
        if !p.interactive() {
            if current.is_some() {
                return Ok(());
            }
            if !default.is_empty() {
                self.set(&field.env, &default, field.secret);
                return Ok(());
            }
            if !field.required {
                return Ok(());
            }
        }
        show(p, field, &vars);
        let checker = |s: &str| check(field, s);
        let answer = if field.secret {
            let prompt = if current.is_some() {
                fill(
                    &text(&spec::setup().gateway, "keep_secret"),
                    &[("prompt", &field.prompt)],
                )
            } else {
                field.prompt.clone()
            };
            let keep_ok = current.is_some();
            let check_secret = |s: &str| {
                if s.is_empty() && keep_ok {
                    Ok(())
                } else {
                    check(field, s)
                }
            };
            let v = p.password(Ask::new(&prompt, &flag), &check_secret)?;
            if v.is_empty() {
                // Keep the current secret; the check still needs it.
                self.answers
                    .insert(field.env.clone(), current.clone().unwrap_or_default());
                return Ok(());
            }
            v
        } else {
            tidy_list(&p.input(
                Ask::new(&fill(&field.prompt, &vars), &flag),
                &default,
                &checker,
            )?)
        };
        if answer.is_empty() {
            if let Some(note) = &field.empty_note {
                p.say(note);
            }
            if current.is_some() {
                self.set(&field.env, "", field.secret);
            }
            return Ok(());
        }
        self.set(&field.env, &answer, field.secret);
        Ok(())
    }

    fn choice(&mut self, p: &mut dyn Prompter, field: &Field, flag: &str) -> Result<()> {
        let outputs = self.outputs.clone();
        let vars = pairs(&outputs);
        let labels: Vec<String> = field.choices.iter().map(|c| c.label.clone()).collect();
        let index_of = |v: &str| field.choices.iter().position(|c| c.value == v);
        let index = if let Some(given) = self.known.given.get(&field.env) {
            index_of(given.trim()).ok_or_else(|| {
                CliError::user(format!(
                    "{}: `{given}` is not one of the choices",
                    field.env
                ))
                .hint(format!("use {flag}"))
            })?
        } else {
            let default = self
                .known
                .current(&field.env)
                .and_then(index_of)
                .or_else(|| field.default_text().and_then(index_of))
                .unwrap_or(0);
            if p.interactive() {
                show(p, field, &vars);
                p.select(Ask::new(&field.prompt, flag), &labels, default)?
            } else {
                default
            }
        };
        let chosen = &field.choices[index];
        self.set(&field.env, &chosen.value, false);
        for (k, v) in &chosen.sets {
            self.set(k, v, false);
        }
        if let Some(then) = &chosen.then {
            self.field(p, then)?;
        }
        if let Some(note) = &chosen.note {
            p.say(note);
        }
        Ok(())
    }

    /// Runs the live check, if any.
    fn check(&mut self, p: &mut dyn Prompter, fx: &mut dyn Effects) -> Result<Checked> {
        let Some(v) = &self.spec.validate else {
            return Ok(Checked::Ok);
        };
        if !self.known.validate || p.any_missing() {
            return Ok(Checked::Ok);
        }
        let mut answers = self.known.current.clone();
        answers.extend(self.answers.clone());
        answers.retain(|k, _| v.uses.contains(k));
        match fx.probe(p, &v.probe, &answers)? {
            Ok(facts) => {
                p.say(&format!("✓ {}", fill(&v.success, &pairs(&facts))));
                Ok(Checked::Ok)
            }
            Err(msg) => {
                if !p.interactive() {
                    return Err(CliError::user(format!("{} {msg}", v.failure))
                        .hint("check the values, or pass --no-validate to save them unchecked")
                        .into());
                }
                p.warn(&format!("{} {msg}", v.failure));
                let t = &spec::setup().gateway;
                let again = if v.on_failure.as_deref() == Some("login") {
                    text(t, "again_login")
                } else {
                    text(t, "again_retry")
                };
                let items = vec![
                    again,
                    text(t, "keep_anyway"),
                    fill(&text(t, "skip"), &[("title", &self.spec.title)]),
                ];
                let what_now = text(t, "what_now");
                Ok(
                    match p.select(Ask::new(&what_now, "--no-validate"), &items, 0)? {
                        0 => Checked::Again {
                            login: v.on_failure.as_deref() == Some("login"),
                        },
                        1 => Checked::Ok,
                        _ => Checked::Skip,
                    },
                )
            }
        }
    }

    /// Warns when another profile's `.env` holds the same credential.
    fn warn_shared_token(&self, p: &mut dyn Prompter) {
        let Some(env) = &self.spec.token_env else {
            return;
        };
        let value = self.value(env);
        if value.is_empty() {
            return;
        }
        let here = self.known.paths.home().to_path_buf();
        let Ok(profiles) = list_profiles(self.known.paths) else {
            return;
        };
        for info in profiles {
            if info.path == here {
                continue;
            }
            let Ok(other) = EnvFile::load(&info.path.join(".env")) else {
                continue;
            };
            if other.map().get(env) == Some(&value) {
                let text = spec::text(&spec::setup().gateway, "token_reused");
                p.warn(&fill(&text, &[("env", env), ("profile", &info.name)]));
            }
        }
    }
}

/// `a, b ,c` → `a,b,c` (lists are stored without spaces, as upstream does).
fn tidy_list(s: &str) -> String {
    if s.contains(',') {
        s.split(',').map(str::trim).collect::<Vec<_>>().join(",")
    } else {
        s.to_string()
    }
}

/// `{placeholder}` values as pairs for `fill`.
fn pairs(map: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Shows a field's notes and help (to a person only).
fn show(p: &mut dyn Prompter, field: &Field, vars: &[(&str, &str)]) {
    if !p.interactive() {
        return;
    }
    for line in field.note.0.iter().chain(&field.help) {
        p.say(&fill(line, vars));
    }
}

/// Checks an answer against `required` and `pattern`.
fn check(field: &Field, value: &str) -> Result<(), String> {
    let t = &spec::setup().gateway;
    if value.is_empty() {
        return if field.required {
            Err(text(t, "answer_required"))
        } else {
            Ok(())
        };
    }
    if let Some(pat) = &field.pattern {
        let ok = regex::Regex::new(pat).is_ok_and(|re| re.is_match(value));
        if !ok {
            return Err(field
                .invalid
                .clone()
                .unwrap_or_else(|| text(t, "answer_invalid")));
        }
    }
    Ok(())
}
