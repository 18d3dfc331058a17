//! `wizards/discord.yaml` stays well-formed: every field names a real variable, patterns
//! compile and accept what the help text promises.

use serde_yaml_ng::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/discord.yaml");
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
fn the_discord_wizard_spec_is_consistent() {
    let spec = spec();
    assert_eq!(spec["platform"].as_str(), Some("discord"));
    let token = field(&spec, "DISCORD_BOT_TOKEN");
    assert_eq!(token["secret"].as_bool(), Some(true));
    let help: Vec<&str> = token["help"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(help.iter().any(|l| l.contains("MESSAGE CONTENT INTENT")));
    assert!(pattern(token).is_match(crate::TOKEN));
    assert!(!pattern(token).is_match("not-a-token"));
    let users = field(&spec, "DISCORD_ALLOWED_USERS");
    assert!(pattern(users).is_match("123456789012345678, 876543210987654321"));
    assert!(!pattern(users).is_match("@ann"));
    assert!(pattern(field(&spec, "DISCORD_HOME_CHANNEL")).is_match("123456789012345678"));
    assert_eq!(spec["validate"]["probe"].as_str(), Some("discord.users_me"));
    for used in spec["validate"]["uses"].as_sequence().unwrap() {
        field(&spec, used.as_str().unwrap());
    }
}
