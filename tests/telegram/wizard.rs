//! `wizards/telegram.yaml` stays well-formed until the wizard engine reads it: every field
//! names a real variable, patterns compile and accept what the help text promises.

use serde_yaml_ng::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/telegram.yaml");
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
fn the_telegram_wizard_spec_is_consistent() {
    let spec = spec();
    assert_eq!(spec["platform"].as_str(), Some("telegram"));
    let token = field(&spec, "TELEGRAM_BOT_TOKEN");
    assert_eq!(token["secret"].as_bool(), Some(true));
    assert!(token["help"][0].as_str().unwrap().contains("@BotFather"));
    assert!(pattern(token).is_match("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"));
    assert!(!pattern(token).is_match("123456789"));
    let users = field(&spec, "TELEGRAM_ALLOWED_USERS");
    assert!(
        users["help"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("@userinfobot"))
    );
    assert!(pattern(users).is_match("123456789, 987654321"));
    assert!(!pattern(users).is_match("@alice"));
    assert!(pattern(field(&spec, "TELEGRAM_HOME_CHANNEL")).is_match("-1001234567890"));
    assert_eq!(spec["validate"]["probe"].as_str(), Some("telegram.getMe"));
    for used in spec["validate"]["uses"].as_sequence().unwrap() {
        field(&spec, used.as_str().unwrap());
    }
}
