//! `wizards/homeassistant.yaml` stays well-formed.

use serde_yaml_ng::Value;

#[test]
fn the_homeassistant_wizard_spec_is_consistent() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/homeassistant.yaml");
    let spec: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(spec["platform"].as_str(), Some("homeassistant"));
    let fields = spec["fields"].as_sequence().unwrap();
    let field = |env: &str| {
        fields
            .iter()
            .find(|f| f["env"].as_str() == Some(env))
            .unwrap_or_else(|| panic!("no field {env}"))
    };
    let pattern = |f: &Value| regex::Regex::new(f["pattern"].as_str().unwrap()).unwrap();
    let token = field("HASS_TOKEN");
    assert_eq!(token["secret"].as_bool(), Some(true));
    assert_eq!(token["required"].as_bool(), Some(true));
    assert!(
        pattern(token).is_match(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiI1MjBm.1bcg5Gu5GAiw2Hi8ek7WY"
        )
    );
    let url = field("HASS_URL");
    assert_eq!(
        url["default"].as_str(),
        Some("http://homeassistant.local:8123")
    );
    assert!(pattern(url).is_match("https://ha.example.com"));
    assert!(!pattern(url).is_match("ha.example.com"));
    for used in spec["validate"]["uses"].as_sequence().unwrap() {
        field(used.as_str().unwrap());
    }
}
