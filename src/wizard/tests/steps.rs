//! Plan-level tests of the model, SOUL.md, toolsets and platform-list steps.

use std::collections::BTreeMap;

use anyhow::Result;

use super::super::agent;
use super::super::model::{self, ModelGiven, ModelKnown};
use super::super::plan;
use super::super::platform::Known;
use super::super::prompter::{self, Answer, Prompter, ScriptedPrompter};
use super::{Fake, Home, TG_TOKEN, no_flags};

use Answer::{Enter, Pick, Picks, Text};

fn model_known<'a>(
    dotenv: &'a BTreeMap<String, String>,
    process: &'a BTreeMap<String, String>,
    given: ModelGiven,
) -> ModelKnown<'a> {
    ModelKnown {
        provider: None,
        model: None,
        base_url: None,
        api_key: None,
        dotenv,
        process,
        given,
        validate: true,
    }
}

#[test]
fn model_openrouter_from_the_live_list() {
    let home = Home::new();
    let empty = BTreeMap::new();
    let known = model_known(&empty, &empty, ModelGiven::default());
    let mut fx = Fake {
        models: vec![
            "anthropic/claude-sonnet-4.6".into(),
            "openai/gpt-4.1".into(),
        ],
        check_results: vec![Err("model not found".into())],
        ..Fake::default()
    };
    let mut p = ScriptedPrompter::new(vec![
        Enter,                         // OpenRouter
        Text("sk-or-v1-abcdef123456"), // key
        Pick("openai/gpt-4.1"),        // model
        Pick("Enter the key and model again"),
        Text("sk-or-v1-abcdef999999"),
        Enter, // default: the suggested model
    ]);
    let plan = model::configure(&mut p, &known, &mut fx).unwrap();
    p.assert_done();
    assert_eq!(
        fx.calls,
        [
            "list openrouter https://openrouter.ai/api/v1 sk-or-v1-abcdef123456",
            "check openrouter https://openrouter.ai/api/v1 sk-or-v1-abcdef123456 openai/gpt-4.1",
            "list openrouter https://openrouter.ai/api/v1 sk-or-v1-abcdef999999",
            "check openrouter https://openrouter.ai/api/v1 sk-or-v1-abcdef999999 anthropic/claude-sonnet-4.6",
        ]
    );
    assert_eq!(
        model::key_note(&plan, &plan::Applied::default(), "/x/.env").unwrap(),
        "API key saved to /x/.env (mode 0600)."
    );
    assert!(
        p.transcript.iter().any(|l| l == "? OpenRouter API key"),
        "{}",
        p.transcript.join("\n")
    );
    plan.apply(&home.paths).unwrap();
    assert_eq!(home.env(), "OPENROUTER_API_KEY=sk-or-v1-abcdef999999\n");
    let cfg = std::fs::read_to_string(home.paths.config_file()).unwrap();
    assert_eq!(
        cfg,
        "model:\n  provider: openrouter\n  default: anthropic/claude-sonnet-4.6\n"
    );
}

#[test]
fn model_custom_local_server_without_a_key() {
    let home = Home::new();
    std::fs::write(home.paths.config_file(), "# keep me\nmodel: old\n").unwrap();
    let empty = BTreeMap::new();
    let known = model_known(&empty, &empty, ModelGiven::default());
    let mut fx = Fake::default(); // the list fails: the id is typed
    let mut p = ScriptedPrompter::new(vec![
        Pick("Custom OpenAI-compatible"),
        Text("http://127.0.0.1:8081/v1/"),
        Enter, // no key
        Text("tiny"),
    ]);
    let plan = model::configure(&mut p, &known, &mut fx).unwrap();
    p.assert_done();
    assert!(
        p.transcript
            .iter()
            .any(|l| l.contains("Could not list the models (HTTP 404)"))
    );
    plan.apply(&home.paths).unwrap();
    let cfg = std::fs::read_to_string(home.paths.config_file()).unwrap();
    assert!(cfg.starts_with("# keep me\n"), "{cfg}");
    assert!(
        cfg.contains("provider: custom") && cfg.contains("default: tiny"),
        "{cfg}"
    );
    assert!(cfg.contains("base_url: http://127.0.0.1:8081/v1"), "{cfg}");
    assert!(!home.paths.env_file().exists());
}

#[test]
fn model_keeps_the_current_key_and_takes_flags() {
    let dotenv = BTreeMap::from([(
        "ANTHROPIC_API_KEY".to_string(),
        "sk-ant-current-1234".to_string(),
    )]);
    let empty = BTreeMap::new();
    let mut known = model_known(
        &dotenv,
        &empty,
        ModelGiven {
            provider: Some("anthropic".into()),
            model: Some("claude-x".into()),
            ..ModelGiven::default()
        },
    );
    known.validate = false;
    let mut p = ScriptedPrompter::new(vec![Enter]);
    let plan = model::configure(&mut p, &known, &mut Fake::default()).unwrap();
    p.assert_done();
    assert!(
        p.transcript
            .iter()
            .any(|l| l.contains("keep the current key (****1234)"))
    );
    assert!(plan.env_set.is_empty());
    assert!(
        plan.config_set
            .contains(&("model.default".into(), "claude-x".into()))
    );
}

#[test]
fn soul_and_tools() {
    let home = Home::new();
    let soul = home.paths.soul_file();
    let mut p = ScriptedPrompter::new(vec![Pick("Edit it"), Picks(vec!["terminal", "web"])]);
    let mut plan =
        agent::soul(&mut p, &soul, Some("Be kind."), None, &mut Fake::default()).unwrap();
    plan.merge(agent::tools(&mut p, &[], None).unwrap());
    p.assert_done();
    plan.apply(&home.paths).unwrap();
    assert_eq!(
        std::fs::read_to_string(&soul).unwrap(),
        "Be kind.\nEdited.\n"
    );
    let cfg = std::fs::read_to_string(home.paths.config_file()).unwrap();
    assert_eq!(cfg, "toolsets:\n  - terminal\n  - web\n");
}

/// Records the platform list and answers every question with its default.
struct Spy(Vec<String>);
impl Prompter for Spy {
    fn interactive(&self) -> bool {
        true
    }
    fn say(&mut self, _: &str) {}
    fn warn(&mut self, _: &str) {}
    fn select(&mut self, _: prompter::Ask<'_>, _: &[String], d: usize) -> Result<usize> {
        Ok(d)
    }
    fn multi_select(
        &mut self,
        _: prompter::Ask<'_>,
        items: &[String],
        _: &[bool],
    ) -> Result<Vec<usize>> {
        self.0 = items.to_vec();
        Ok(vec![])
    }
    fn fuzzy_select(&mut self, _: prompter::Ask<'_>, _: &[String], d: usize) -> Result<usize> {
        Ok(d)
    }
    fn input(&mut self, _: prompter::Ask<'_>, d: &str, _: prompter::Check<'_>) -> Result<String> {
        Ok(d.into())
    }
    fn password(&mut self, _: prompter::Ask<'_>, _: prompter::Check<'_>) -> Result<String> {
        Ok(String::new())
    }
    fn confirm(&mut self, _: prompter::Ask<'_>, d: bool) -> Result<bool> {
        Ok(d)
    }
    fn progress(&mut self, _: &str) -> prompter::Spin {
        prompter::Spin::none()
    }
}

#[test]
fn gateway_list_marks_configured_platforms() {
    let home = Home::new().with_env(&format!("TELEGRAM_BOT_TOKEN={TG_TOKEN}\n"));
    let current = home.current();
    let known = Known {
        current: &current,
        given: &no_flags(),
        validate: false,
        paths: &home.paths,
    };
    let mut p = ScriptedPrompter::new(vec![Picks(vec![])]);
    let plan = agent::gateway(&mut p, &known, &[], &mut Fake::default()).unwrap();
    assert!(plan.is_empty());
    let mut p2 = ScriptedPrompter::new(vec![]);
    let err = agent::gateway(&mut p2, &known, &["icq".into()], &mut Fake::default()).unwrap_err();
    assert_eq!(err.to_string(), "unknown platform `icq`");
    // The list shows ✓ on Telegram only.
    let mut spy = Spy(Vec::new());
    agent::gateway(&mut spy, &known, &[], &mut Fake::default()).unwrap();
    assert_eq!(spy.0[0], "Telegram  ✓ configured");
    assert!(spy.0[1..].iter().all(|l| !l.contains('✓')));
    assert!(spy.0.iter().any(|l| l == "Weixin / WeChat (personal)"));
}
