//! `wizards/email.yaml` stays well-formed: every field names a real variable and its
//! pattern accepts what the help text promises.

use serde_yaml_ng::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/email.yaml");
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
fn the_email_wizard_spec_is_consistent() {
    let spec = spec();
    assert_eq!(spec["platform"].as_str(), Some("email"));
    for required in [
        "EMAIL_ADDRESS",
        "EMAIL_PASSWORD",
        "EMAIL_IMAP_HOST",
        "EMAIL_SMTP_HOST",
    ] {
        assert_eq!(
            field(&spec, required)["required"].as_bool(),
            Some(true),
            "{required}"
        );
    }
    assert_eq!(
        field(&spec, "EMAIL_PASSWORD")["secret"].as_bool(),
        Some(true)
    );
    assert!(pattern(field(&spec, "EMAIL_ADDRESS")).is_match("hermes@example.com"));
    assert!(!pattern(field(&spec, "EMAIL_ADDRESS")).is_match("hermes"));
    assert!(pattern(field(&spec, "EMAIL_IMAP_HOST")).is_match("imap.gmail.com"));
    assert!(!pattern(field(&spec, "EMAIL_IMAP_HOST")).is_match("imap://imap.gmail.com:993"));
    assert_eq!(
        field(&spec, "EMAIL_IMAP_PORT")["default"].as_str(),
        Some("993")
    );
    assert_eq!(
        field(&spec, "EMAIL_SMTP_PORT")["default"].as_str(),
        Some("587")
    );
    let users = pattern(field(&spec, "EMAIL_ALLOWED_USERS"));
    assert!(users.is_match("me@example.com, you@example.com"));
    assert!(!users.is_match("me"));
    for used in spec["validate"]["uses"].as_sequence().unwrap() {
        field(&spec, used.as_str().unwrap());
    }
}
