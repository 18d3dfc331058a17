//! The small sections of `hermes setup`: the agent's SOUL.md, the toolsets, and the platform
//! list of `hermes gateway setup` (which hands each chosen platform to `platform.rs`).

use std::path::Path;

use anyhow::{Context as _, Result};
use hermes::agent::tools::CORE_TOOLSETS;
use serde_yaml_ng::Value;

use super::effects::Effects;
use super::plan::{PlannedFile, SetupPlan};
use super::platform::{self, Known};
use super::prompter::{Ask, Prompter};
use super::spec::{self, lines, text};
use crate::cli::error::CliError;

/// The SOUL.md a new profile starts with.
pub(crate) const DEFAULT_SOUL: &str = include_str!("../../assets/SOUL.md");

/// Keep, edit or replace SOUL.md.
pub(crate) fn soul(
    p: &mut dyn Prompter,
    path: &Path,
    current: Option<&str>,
    given_file: Option<&Path>,
    fx: &mut dyn Effects,
) -> Result<SetupPlan> {
    let t = &spec::setup().agent;
    let mut plan = SetupPlan::default();
    let write = |plan: &mut SetupPlan, contents: String| {
        plan.files.push(PlannedFile {
            path: path.to_path_buf(),
            contents,
            mode: None,
        });
    };
    if let Some(file) = given_file {
        let contents = std::fs::read_to_string(file)
            .with_context(|| format!("reading --soul-file {}", file.display()))?;
        write(&mut plan, contents);
        return Ok(plan);
    }
    if !p.interactive() {
        return Ok(plan);
    }
    p.say("");
    p.say(&format!("─── {} ───", text(t, "heading")));
    let choices = lines(t, "choices");
    match p.select(
        Ask::new(&text(t, "prompt"), "--soul-file <PATH>"),
        &choices,
        0,
    )? {
        1 => {
            let edited = fx.edit(current.unwrap_or(DEFAULT_SOUL))?;
            write(&mut plan, edited);
        }
        2 => {
            let invalid = text(t, "file_invalid");
            let check = |s: &str| {
                if Path::new(s).is_file() {
                    Ok(())
                } else {
                    Err(invalid.clone())
                }
            };
            let file = p.input(Ask::new(&text(t, "file"), "--soul-file <PATH>"), "", &check)?;
            let contents =
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
            write(&mut plan, contents);
        }
        _ => {}
    }
    Ok(plan)
}

/// Which toolsets the agent may use (`toolsets:` in config.yaml).
pub(crate) fn tools(
    p: &mut dyn Prompter,
    current: &[String],
    given: Option<&[String]>,
) -> Result<SetupPlan> {
    let t = &spec::setup().tools;
    let mut plan = SetupPlan::default();
    let chosen: Vec<String> = if let Some(g) = given {
        g.to_vec()
    } else if p.interactive() {
        p.say("");
        p.say(&format!("─── {} ───", text(t, "heading")));
        let items: Vec<String> = CORE_TOOLSETS.iter().map(|s| (*s).to_string()).collect();
        let all = current.is_empty()
            || current
                .iter()
                .any(|c| c == "all" || c == "default" || c.starts_with("hermes-"));
        let checked: Vec<bool> = items
            .iter()
            .map(|i| all || current.iter().any(|c| c == i))
            .collect();
        let picked = p.multi_select(
            Ask::new(&text(t, "prompt"), "--toolsets a,b,c"),
            &items,
            &checked,
        )?;
        picked.into_iter().map(|i| items[i].clone()).collect()
    } else {
        return Ok(plan);
    };
    plan.set_config(
        "toolsets",
        Value::Sequence(chosen.into_iter().map(Value::String).collect()),
    );
    Ok(plan)
}

/// The platform list: pick platforms (✓ marks configured ones), then configure each.
pub(crate) fn gateway(
    p: &mut dyn Prompter,
    known: &Known<'_>,
    requested: &[String],
    fx: &mut dyn Effects,
) -> Result<SetupPlan> {
    let t = &spec::setup().gateway;
    let specs = spec::platforms();
    let names: Vec<&str> = specs.iter().map(|s| s.platform.as_str()).collect();
    let chosen: Vec<usize> = if requested.is_empty() {
        if !p.interactive() {
            let flag = format!("--platform <NAME> (one of: {})", names.join(", "));
            p.missing(Ask::new("the platforms to configure", &flag))?;
            return Ok(SetupPlan::default());
        }
        p.say("");
        p.say(&format!("─── {} ───", text(t, "heading")));
        let labels: Vec<String> = specs
            .iter()
            .map(|s| {
                if platform::is_configured(s, known.current) {
                    format!("{}  ✓ configured", s.title)
                } else {
                    s.title.clone()
                }
            })
            .collect();
        let checked = vec![false; labels.len()];
        let picked = p.multi_select(
            Ask::new(&text(t, "select"), "--platform <NAME>"),
            &labels,
            &checked,
        )?;
        if picked.is_empty() {
            p.say(&text(t, "none"));
        }
        picked
    } else {
        requested
            .iter()
            .map(|r| {
                let r = r.trim().to_ascii_lowercase();
                let r = match r.as_str() {
                    "wechat" => "weixin".to_string(),
                    "hass" | "home-assistant" | "home_assistant" => "homeassistant".to_string(),
                    "webhooks" => "webhook".to_string(),
                    _ => r,
                };
                names.iter().position(|n| *n == r).ok_or_else(|| {
                    anyhow::Error::from(
                        CliError::usage(format!("unknown platform `{r}`"))
                            .hint(format!("use one of: {}", names.join(", "))),
                    )
                })
            })
            .collect::<Result<_>>()?
    };
    let mut plan = SetupPlan::default();
    for i in chosen {
        if let Some(more) = platform::configure(p, &specs[i], known, fx)? {
            plan.merge(more);
        }
    }
    Ok(plan)
}
