//! The wizard specs: `wizards/*.yaml` embedded in the binary and parsed into typed values.
//! The engine (`platform.rs`, `model.rs`) interprets them; wording never lives in Rust.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// Every platform spec, in the order the platform list shows them.
const PLATFORM_SOURCES: &[(&str, &str)] = &[
    ("telegram", include_str!("../../wizards/telegram.yaml")),
    ("discord", include_str!("../../wizards/discord.yaml")),
    ("slack", include_str!("../../wizards/slack.yaml")),
    ("matrix", include_str!("../../wizards/matrix.yaml")),
    ("email", include_str!("../../wizards/email.yaml")),
    (
        "homeassistant",
        include_str!("../../wizards/homeassistant.yaml"),
    ),
    ("webhook", include_str!("../../wizards/webhook.yaml")),
    ("weixin", include_str!("../../wizards/weixin.yaml")),
];

const SETUP_SOURCE: &str = include_str!("../../wizards/setup.yaml");

static PLATFORMS: LazyLock<Vec<Spec>> = LazyLock::new(|| {
    PLATFORM_SOURCES
        .iter()
        .map(|(name, text)| {
            // The specs are compiled in and checked by `every_spec_parses`; a broken one is a
            // build defect, not a user error.
            serde_yaml_ng::from_str(text)
                .unwrap_or_else(|e| panic!("wizards/{name}.yaml is invalid: {e}"))
        })
        .collect()
});

static SETUP: LazyLock<SetupText> = LazyLock::new(|| {
    // Compiled in and checked by `every_spec_parses`.
    serde_yaml_ng::from_str(SETUP_SOURCE)
        .unwrap_or_else(|e| panic!("wizards/setup.yaml is invalid: {e}"))
});

/// The platform specs, in list order.
pub(crate) fn platforms() -> &'static [Spec] {
    &PLATFORMS
}

/// One platform's spec by name.
#[cfg(test)]
pub(crate) fn platform(name: &str) -> Option<&'static Spec> {
    PLATFORMS.iter().find(|s| s.platform == name)
}

/// The wording of `hermes setup`.
pub(crate) fn setup() -> &'static SetupText {
    &SETUP
}

/// One `wizards/<platform>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    pub(crate) platform: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) intro: Vec<String>,
    #[serde(default)]
    pub(crate) existing: Option<Existing>,
    #[serde(default)]
    pub(crate) token_env: Option<String>,
    #[serde(default)]
    pub(crate) sets: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) login: Option<Login>,
    #[serde(default)]
    pub(crate) fields: Vec<Field>,
    #[serde(default)]
    pub(crate) validate: Option<Validate>,
    #[serde(default)]
    pub(crate) done: Vec<String>,
}

impl Spec {
    /// Every field, including the `then` fields of choices, in order.
    pub(crate) fn all_fields(&self) -> Vec<&Field> {
        let mut out = Vec::new();
        for f in &self.fields {
            out.push(f);
            for c in &f.choices {
                if let Some(t) = &c.then {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Whether `env` holds a secret (a secret field or a secret login output).
    pub(crate) fn is_secret(&self, env: &str) -> bool {
        self.all_fields().iter().any(|f| f.env == env && f.secret)
            || self
                .login
                .as_ref()
                .is_some_and(|l| l.secrets.iter().any(|s| s == env))
    }

    /// Every variable this wizard may write, with whether it is secret: what gets a flag.
    pub(crate) fn answer_vars(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        let mut push = |env: &str, secret: bool| {
            if !out.iter().any(|(e, _)| e == env) {
                out.push((env.to_string(), secret));
            }
        };
        if let Some(l) = &self.login {
            for env in l.writes.keys() {
                push(env, l.secrets.contains(env));
            }
        }
        for f in self.all_fields() {
            push(&f.env, f.secret);
        }
        out
    }
}

/// What marks a platform as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Existing {
    pub(crate) when: Vec<String>,
    pub(crate) message: String,
    pub(crate) confirm: String,
    #[serde(default)]
    pub(crate) default: bool,
}

/// An interactive login run before the fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Login {
    pub(crate) kind: String,
    pub(crate) confirm: String,
    #[serde(default)]
    pub(crate) events: BTreeMap<String, String>,
    pub(crate) failure: String,
    pub(crate) writes: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) secrets: Vec<String>,
}

/// When a field is asked.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum When {
    /// A login output that must be non-empty.
    Output(String),
    /// Earlier answers that must match (a list means any of them).
    Answers(BTreeMap<String, OneOrMany>),
}

/// A single value or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    /// One value.
    One(String),
    /// Any of these.
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn matches(&self, v: &str) -> bool {
        match self {
            Self::One(s) => s == v,
            Self::Many(all) => all.iter().any(|s| s == v),
        }
    }
}

/// One line or a list of lines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "TextOrList")]
pub(crate) struct Lines(pub(crate) Vec<String>);

impl From<TextOrList> for Lines {
    fn from(t: TextOrList) -> Self {
        match t {
            TextOrList::Text(s) => Self(vec![s]),
            TextOrList::List(l) => Self(l),
        }
    }
}

/// A default that may be a string or a boolean (for `confirm` fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Default {
    /// A yes/no default.
    Bool(bool),
    /// A text default (may hold `{placeholders}`).
    Text(String),
}

/// One question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Field {
    pub(crate) env: String,
    pub(crate) prompt: String,
    #[serde(default)]
    pub(crate) help: Vec<String>,
    /// Lines shown before the question (for `confirm` fields: after a yes).
    #[serde(default)]
    pub(crate) note: Lines,
    #[serde(default)]
    pub(crate) secret: bool,
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) pattern: Option<String>,
    #[serde(default)]
    pub(crate) invalid: Option<String>,
    #[serde(default)]
    pub(crate) default: Option<Default>,
    #[serde(default)]
    pub(crate) empty_note: Option<String>,
    #[serde(default)]
    pub(crate) when: Option<When>,
    #[serde(default)]
    pub(crate) choices: Vec<Choice>,
    #[serde(default)]
    pub(crate) confirm: bool,
    #[serde(default)]
    pub(crate) value: Option<String>,
}

impl Field {
    /// The text default, if any.
    pub(crate) fn default_text(&self) -> Option<&str> {
        match &self.default {
            Some(Default::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The yes/no default of a `confirm` field.
    pub(crate) fn default_bool(&self) -> bool {
        match &self.default {
            Some(Default::Bool(b)) => *b,
            Some(Default::Text(s)) => matches!(s.as_str(), "true" | "yes"),
            None => false,
        }
    }
}

/// One entry of a `choices` list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Choice {
    pub(crate) label: String,
    pub(crate) value: String,
    #[serde(default)]
    pub(crate) sets: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) then: Option<Box<Field>>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// The live check after the fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Validate {
    pub(crate) probe: String,
    #[serde(default)]
    pub(crate) uses: Vec<String>,
    pub(crate) success: String,
    pub(crate) failure: String,
    #[serde(default)]
    pub(crate) on_failure: Option<String>,
}

/// `wizards/setup.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetupText {
    pub(crate) welcome: Welcome,
    pub(crate) providers: Vec<ProviderSpec>,
    pub(crate) model: BTreeMap<String, TextOrList>,
    pub(crate) agent: BTreeMap<String, TextOrList>,
    pub(crate) tools: BTreeMap<String, TextOrList>,
    pub(crate) gateway: BTreeMap<String, TextOrList>,
    pub(crate) plan: BTreeMap<String, TextOrList>,
}

/// A message or a list of lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum TextOrList {
    /// One line.
    Text(String),
    /// Several lines (or choices).
    List(Vec<String>),
}

/// Looks a message up in a section of setup.yaml; a missing key is a build defect caught by
/// the spec tests, so it shows the key itself rather than failing.
pub(crate) fn text(section: &BTreeMap<String, TextOrList>, key: &str) -> String {
    match section.get(key) {
        Some(TextOrList::Text(s)) => s.clone(),
        Some(TextOrList::List(l)) => l.join("\n"),
        None => format!("<{key}>"),
    }
}

/// The lines of a list message.
pub(crate) fn lines(section: &BTreeMap<String, TextOrList>, key: &str) -> Vec<String> {
    match section.get(key) {
        Some(TextOrList::List(l)) => l.clone(),
        Some(TextOrList::Text(s)) => vec![s.clone()],
        None => vec![format!("<{key}>")],
    }
}

/// Fills `{name}` placeholders from `vars`; unknown ones stay as written.
pub(crate) fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// `welcome:` of setup.yaml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Welcome {
    pub(crate) first_run: Vec<String>,
    pub(crate) existing: Vec<String>,
    pub(crate) reset_confirm: String,
}

/// One model provider offered by `hermes setup model`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProviderSpec {
    pub(crate) id: String,
    pub(crate) label: String,
    /// The short name used in prompts (the label when empty).
    #[serde(default)]
    pub(crate) name: String,
    pub(crate) base_url: String,
    #[serde(default)]
    pub(crate) key_env: Option<String>,
    pub(crate) key_help: String,
    #[serde(default)]
    pub(crate) model: String,
}

/// The flag of a variable: `TELEGRAM_BOT_TOKEN` → `telegram-bot-token`.
pub(crate) fn flag_name(env: &str) -> String {
    env.to_ascii_lowercase().replace('_', "-")
}

/// The flag a user passes for `env` (secrets name a variable holding the value).
pub(crate) fn flag_hint(env: &str, secret: bool) -> String {
    if secret {
        format!("--{}-env VAR (or set {env})", flag_name(env))
    } else {
        format!("--{} <VALUE>", flag_name(env))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_parses() {
        let names: Vec<&str> = platforms().iter().map(|s| s.platform.as_str()).collect();
        assert_eq!(
            names,
            [
                "telegram",
                "discord",
                "slack",
                "matrix",
                "email",
                "homeassistant",
                "webhook",
                "weixin"
            ]
        );
        let s = setup();
        assert_eq!(s.providers.len(), 5);
        for key in [
            "provider",
            "pick",
            "type_own",
            "fetching",
            "validating",
            "key",
            "key_required",
            "key_stored",
            "key_stored_keychain",
            "keychain_failed",
            "model_required",
        ] {
            assert!(!text(&s.model, key).starts_with('<'), "model.{key}");
        }
        for key in [
            "select",
            "token_reused",
            "restart",
            "install",
            "manual",
            "restart_manual",
            "restart_later",
            "start_failed",
            "run_failed",
            "checking",
            "what_now",
            "again_retry",
            "again_login",
            "keep_anyway",
            "skip",
            "skipped",
            "answer_required",
            "answer_invalid",
            "keep_secret",
        ] {
            assert!(!text(&s.gateway, key).starts_with('<'), "gateway.{key}");
        }
        for key in ["heading", "confirm", "nothing", "applied"] {
            assert!(!text(&s.plan, key).starts_with('<'), "plan.{key}");
        }
    }

    #[test]
    fn patterns_compile_and_references_resolve() {
        for spec in platforms() {
            let vars: Vec<String> = spec.answer_vars().into_iter().map(|(e, _)| e).collect();
            for f in spec.all_fields() {
                if let Some(p) = &f.pattern {
                    regex::Regex::new(p)
                        .unwrap_or_else(|e| panic!("{}: {}: {e}", spec.platform, f.env));
                    assert!(
                        f.invalid.is_some(),
                        "{}: {} has no `invalid`",
                        spec.platform,
                        f.env
                    );
                }
                if let Some(When::Answers(m)) = &f.when {
                    for k in m.keys() {
                        assert!(vars.contains(k), "{}: when {k}", spec.platform);
                    }
                }
                for c in &f.choices {
                    for k in c.sets.keys() {
                        assert!(
                            k.starts_with(&hermes::auth::env_prefix(&spec.platform)),
                            "{}: sets {k}",
                            spec.platform
                        );
                    }
                }
            }
            if let Some(v) = &spec.validate {
                for u in &v.uses {
                    assert!(vars.contains(u), "{}: validate uses {u}", spec.platform);
                }
            }
            if let Some(t) = &spec.token_env {
                assert!(vars.contains(t), "{}: token_env {t}", spec.platform);
            }
        }
    }

    #[test]
    fn every_messaging_platform_offers_the_four_dm_policies() {
        for spec in platforms() {
            if matches!(spec.platform.as_str(), "homeassistant" | "webhook") {
                continue;
            }
            let var = format!("{}_DM_POLICY", hermes::auth::env_prefix(&spec.platform));
            let field = spec
                .fields
                .iter()
                .find(|f| f.env == var)
                .unwrap_or_else(|| panic!("{} has no {var}", spec.platform));
            let mut values: Vec<&str> = field.choices.iter().map(|c| c.value.as_str()).collect();
            values.sort_unstable();
            assert_eq!(
                values,
                ["allowlist", "disabled", "open", "pairing"],
                "{var}"
            );
        }
    }

    #[test]
    fn flags_and_placeholders() {
        assert_eq!(flag_name("TELEGRAM_BOT_TOKEN"), "telegram-bot-token");
        assert_eq!(
            flag_hint("TELEGRAM_BOT_TOKEN", true),
            "--telegram-bot-token-env VAR (or set TELEGRAM_BOT_TOKEN)"
        );
        assert_eq!(fill("a {x} {y}", &[("x", "1")]), "a 1 {y}");
    }
}
