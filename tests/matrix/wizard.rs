//! `wizards/matrix.yaml` stays well-formed until the wizard engine reads it: fields name real
//! variables, patterns compile and accept what the help text promises.

use serde_yaml_ng::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/matrix.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every field, including those under `choices[].then`.
fn fields(spec: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for f in spec["fields"].as_sequence().unwrap() {
        out.push(f.clone());
        for c in f["choices"].as_sequence().into_iter().flatten() {
            out.extend(c["then"].as_sequence().unwrap().iter().cloned());
        }
    }
    out
}

fn field(spec: &Value, env: &str) -> Value {
    fields(spec)
        .into_iter()
        .find(|f| f["env"].as_str() == Some(env))
        .unwrap_or_else(|| panic!("no field {env}"))
}

fn pattern(f: &Value) -> regex::Regex {
    regex::Regex::new(f["pattern"].as_str().unwrap()).unwrap()
}

#[test]
fn the_matrix_wizard_spec_is_consistent() {
    let spec = spec();
    assert_eq!(spec["platform"].as_str(), Some("matrix"));
    assert!(pattern(&field(&spec, "MATRIX_HOMESERVER")).is_match("https://matrix.example.org"));
    let token = field(&spec, "MATRIX_ACCESS_TOKEN");
    assert_eq!(token["secret"].as_bool(), Some(true));
    assert!(pattern(&token).is_match("syt_aGVybWVzYm90_bMNzuADtXglVUVInPWJR_4d64YD"));
    assert!(pattern(&field(&spec, "MATRIX_USER_ID")).is_match("@hermes:example.org"));
    assert_eq!(
        field(&spec, "MATRIX_PASSWORD")["secret"].as_bool(),
        Some(true)
    );
    let users = pattern(&field(&spec, "MATRIX_ALLOWED_USERS"));
    assert!(users.is_match("@alice:example.org, @bob:matrix.org"));
    assert!(!users.is_match("alice"));
    assert!(pattern(&field(&spec, "MATRIX_HOME_CHANNEL")).is_match("!abc123:example.org"));
    assert!(
        spec["intro"].as_sequence().unwrap().iter().any(|l| l
            .as_str()
            .unwrap()
            .contains("encrypted rooms are not supported")),
        "the wizard says E2EE is not supported"
    );
    for used in spec["validate"]["uses"].as_sequence().unwrap() {
        field(&spec, used.as_str().unwrap());
    }
}
