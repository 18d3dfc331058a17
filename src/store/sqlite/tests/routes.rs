//! The routing index and its import from upstream.

use super::*;

// ---- routes -----------------------------------------------------------------------------

#[test]
fn routes_set_get_touch() {
    let f = Fixture::new();
    let store = f.open();
    let mut r = Route::new("agent:main:telegram:dm:1", "s1", f.clock.now());
    r.was_auto_reset = true;
    r.auto_reset_reason = Some("idle".into());
    r.model_override = Some(serde_json::json!({"model": "gpt-4o", "provider": "openai"}));
    r.origin = Some(SessionSource {
        platform: "telegram".into(),
        chat_id: "1".into(),
        ..SessionSource::default()
    });
    store.set_route(&r).unwrap();
    assert_eq!(store.route(&r.session_key).unwrap().unwrap(), r);
    f.clock.advance(SignedDuration::from_mins(3));
    assert!(store.touch_route(&r.session_key).unwrap());
    assert!(!store.touch_route("missing").unwrap());
    let touched = store.route(&r.session_key).unwrap().unwrap();
    assert_eq!(touched.updated_at, f.clock.now());
    assert_eq!(touched.created_at, r.created_at);
    r.session_id = "s2".into();
    r.was_auto_reset = false;
    store.set_route(&r).unwrap();
    assert_eq!(store.routes().unwrap().len(), 1);
    assert_eq!(
        store.route(&r.session_key).unwrap().unwrap().session_id,
        "s2"
    );
    assert!(store.delete_route(&r.session_key).unwrap());
    assert!(store.routes().unwrap().is_empty());
}

#[test]
fn sessions_json_is_imported_once_and_kept() {
    let f = Fixture::new();
    let index = f.dir().join("sessions").join("sessions.json");
    std::fs::create_dir_all(index.parent().unwrap()).unwrap();
    let text = r#"{
      "_README": "written by hermes",
      "agent:main:telegram:dm:42": {
        "session_key": "agent:main:telegram:dm:42", "session_id": "20250101_120000_abc123",
        "created_at": "2025-01-01T12:00:00.000001", "updated_at": "2025-01-02T08:00:00",
        "platform": "telegram", "chat_type": "dm", "was_auto_reset": true,
        "auto_reset_reason": "daily", "resume_pending": false,
        "model_override": {"model": "gpt-4o"},
        "origin": {"platform": "telegram", "chat_id": "42", "chat_type": "dm", "user_id": "42"}
      },
      "agent:main:discord:group:c:u": {"session_id": "20250103_000000_ffffff",
        "created_at": "garbage", "updated_at": "2025-01-03T00:00:00+01:00"},
      "broken": true
    }"#;
    std::fs::write(&index, text).unwrap();
    let store = f.open();
    assert_eq!(store.import_upstream_routes(&index).unwrap(), 2);
    let r = store.route("agent:main:telegram:dm:42").unwrap().unwrap();
    assert_eq!(r.updated_at, t("2025-01-02T08:00:00Z"));
    assert!(r.was_auto_reset);
    assert_eq!(r.auto_reset_reason.as_deref(), Some("daily"));
    assert_eq!(r.model_override.unwrap()["model"], "gpt-4o");
    assert_eq!(r.origin.unwrap().user_id.as_deref(), Some("42"));
    let d = store
        .route("agent:main:discord:group:c:u")
        .unwrap()
        .unwrap();
    assert_eq!(d.updated_at, t("2025-01-02T23:00:00Z"));
    assert_eq!(d.created_at, f.clock.now());
    // Once the index has entries, the file is never read again; it stays on disk.
    assert_eq!(store.import_upstream_routes(&index).unwrap(), 0);
    assert_eq!(std::fs::read_to_string(&index).unwrap(), text);
    store.delete_route("agent:main:telegram:dm:42").unwrap();
    assert_eq!(store.import_upstream_routes(&index).unwrap(), 0);
}

#[test]
fn open_home_imports_the_profile_index() {
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::home::HermesPaths::at(&dir.path().join(".hermes"), dir.path());
    let index = paths.sessions_index_file();
    std::fs::create_dir_all(index.parent().unwrap()).unwrap();
    std::fs::write(
        &index,
        r#"{"agent:main:telegram:dm:1": {"session_id": "s", "updated_at": "2025-01-01T00:00:00"}}"#,
    )
    .unwrap();
    let store = Store::open_home(&paths).unwrap();
    assert_eq!(store.path(), paths.state_db());
    assert_eq!(store.routes().unwrap().len(), 1);
}
