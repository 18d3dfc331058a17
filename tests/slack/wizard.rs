//! `wizards/slack.yaml` stays well-formed: every field names a real variable, patterns
//! compile and accept what the help text promises.

use serde_yaml_ng::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/slack.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("the spec exists"))
        .expect("the spec is YAML")
}

fn field<'a>(spec: &'a Value, env: &str) -> &'a Value {
    spec["fields"]
        .as_sequence()
        .expect("a list of fields")
        .iter()
        .find(|f| f["env"].as_str() == Some(env))
        .unwrap_or_else(|| panic!("no field {env}"))
}

fn pattern(f: &Value) -> regex::Regex {
    regex::Regex::new(f["pattern"].as_str().expect("a pattern")).expect("the pattern compiles")
}

#[test]
fn the_slack_wizard_spec_is_consistent() {
    let spec = spec();
    assert_eq!(spec["platform"].as_str(), Some("slack"));
    let bot = field(&spec, "SLACK_BOT_TOKEN");
    assert_eq!(bot["secret"].as_bool(), Some(true));
    assert!(pattern(bot).is_match(crate::BOT_TOKEN));
    assert!(!pattern(bot).is_match(crate::APP_TOKEN));
    let app = field(&spec, "SLACK_APP_TOKEN");
    assert_eq!(app["secret"].as_bool(), Some(true));
    assert!(pattern(app).is_match(crate::APP_TOKEN));
    let help: Vec<&str> = app["help"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(help.iter().any(|l| l.contains("connections:write")));
    let users = field(&spec, "SLACK_ALLOWED_USERS");
    assert!(pattern(users).is_match("U0123ABCD, W0987ZYXW"));
    assert!(!pattern(users).is_match("@ann"));
    assert!(pattern(field(&spec, "SLACK_HOME_CHANNEL")).is_match("C0123ABCD"));
    assert_eq!(spec["validate"]["probe"].as_str(), Some("slack.auth_test"));
    for used in spec["validate"]["uses"].as_sequence().unwrap() {
        field(&spec, used.as_str().unwrap());
    }
}
