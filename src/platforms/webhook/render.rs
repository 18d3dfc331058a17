//! Turning a webhook payload into the agent's prompt: a route template with `{field.path}`
//! placeholders (`{__raw__}` is the whole payload, `{event_type}` the event), or, without a
//! template, the event and the pretty-printed JSON, as upstream renders them.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Longest JSON dump of the whole payload.
const RAW_LIMIT: usize = 4000;
/// Longest JSON dump of one object or list field.
const FIELD_LIMIT: usize = 2000;

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern that is known to compile.
    Regex::new(r"\{([a-zA-Z0-9_.]+)\}").expect("static regex")
});

fn pretty(v: &Value, limit: usize) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.chars().take(limit).collect()
}

/// A scalar as upstream prints it (`True`, `None`, numbers and strings as they are).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// Renders `template` against `payload`. Unknown placeholders stay as they are.
#[must_use]
pub fn render(template: &str, payload: &Value, event_type: &str, route: &str) -> String {
    if template.is_empty() {
        return format!(
            "Webhook event '{event_type}' on route '{route}':\n\n```json\n{}\n```",
            pretty(payload, RAW_LIMIT)
        );
    }
    PLACEHOLDER
        .replace_all(template, |caps: &regex::Captures<'_>| {
            let key = &caps[1];
            match key {
                "__raw__" => return pretty(payload, RAW_LIMIT),
                "event_type" => return event_type.to_string(),
                _ => {}
            }
            let mut value = payload;
            for part in key.split('.') {
                match value.get(part) {
                    Some(v) if value.is_object() => value = v,
                    _ => return caps[0].to_string(),
                }
            }
            match value {
                Value::Object(_) | Value::Array(_) => pretty(value, FIELD_LIMIT),
                other => scalar(other),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn templates_and_defaults() {
        let p = json!({"pull_request": {"title": "Fix", "number": 7, "draft": false},
            "labels": ["a"], "x": null});
        assert_eq!(
            render(
                "PR #{pull_request.number} {pull_request.title} ({event_type}) draft={pull_request.draft} {x} {missing.key}",
                &p,
                "pull_request",
                "gh"
            ),
            "PR #7 Fix (pull_request) draft=False None {missing.key}"
        );
        assert_eq!(render("{labels}", &p, "", ""), "[\n  \"a\"\n]");
        let d = render("", &json!({"k": 1}), "push", "gh");
        assert_eq!(
            d,
            "Webhook event 'push' on route 'gh':\n\n```json\n{\n  \"k\": 1\n}\n```"
        );
    }
}
