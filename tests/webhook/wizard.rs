//! `wizards/webhook.yaml` stays well-formed until the wizard engine reads it.

use serde_yaml_ng::Value;

#[test]
fn the_webhook_wizard_spec_is_consistent() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/webhook.yaml");
    let spec: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(spec["platform"].as_str(), Some("webhook"));
    assert_eq!(spec["sets"]["WEBHOOK_ENABLED"].as_str(), Some("true"));
    let fields = spec["fields"].as_sequence().unwrap();
    let field = |env: &str| {
        fields
            .iter()
            .find(|f| f["env"].as_str() == Some(env))
            .unwrap_or_else(|| panic!("no field {env}"))
    };
    let port = regex::Regex::new(field("WEBHOOK_PORT")["pattern"].as_str().unwrap()).unwrap();
    assert!(port.is_match(field("WEBHOOK_PORT")["default"].as_str().unwrap()));
    let secret = field("WEBHOOK_SECRET");
    assert_eq!(secret["secret"].as_bool(), Some(true));
    let p = regex::Regex::new(secret["pattern"].as_str().unwrap()).unwrap();
    assert!(p.is_match("0123456789abcdef0123456789abcdef") && !p.is_match("short"));
}
