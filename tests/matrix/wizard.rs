//! `wizards/matrix.yaml` names the variables the Matrix adapter reads and says that encrypted
//! rooms are not supported (the wizard engine's own tests walk every spec end to end).

use serde_yaml_ng::Value;

#[test]
fn the_matrix_wizard_spec_is_consistent() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wizards/matrix.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let spec: Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(spec["platform"].as_str(), Some("matrix"));
    let envs: Vec<&str> = spec["fields"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|f| f["env"].as_str())
        .collect();
    for var in [
        "MATRIX_HOMESERVER",
        "MATRIX_USER_ID",
        "MATRIX_ACCESS_TOKEN",
        "MATRIX_PASSWORD",
        "MATRIX_ALLOWED_USERS",
        "MATRIX_HOME_CHANNEL",
    ] {
        assert!(envs.contains(&var), "{var} missing from {envs:?}");
    }
    for secret in ["MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD"] {
        let f = spec["fields"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|f| f["env"].as_str() == Some(secret))
            .unwrap();
        assert_eq!(
            f["secret"].as_bool(),
            Some(true),
            "{secret} is hidden input"
        );
    }
    assert!(
        spec["intro"].as_sequence().unwrap().iter().any(|l| l
            .as_str()
            .unwrap()
            .contains("encrypted rooms are not supported")),
        "the wizard says E2EE is not supported"
    );
}
