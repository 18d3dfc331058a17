//! Sessions and messages.

use super::*;

// ---- sessions and messages --------------------------------------------------------------

#[test]
fn session_lifecycle() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.create_session(&telegram("42")).unwrap();
    assert!(s.id.starts_with("20250601_120000_"), "{}", s.id);
    assert_eq!(s.started_at, t("2025-06-01T12:00:00Z"));
    assert!(s.ended_at.is_none());

    store.add_tokens(&s.id, 100, 20).unwrap();
    store.add_tokens(&s.id, 5, 1).unwrap();
    store.set_model(&s.id, "openai/gpt-4o").unwrap();
    f.clock.advance(SignedDuration::from_mins(5));
    store.end_session(&s.id, "idle").unwrap();
    let s = store.session(&s.id).unwrap().unwrap();
    assert_eq!(
        (s.input_tokens, s.output_tokens, s.total_tokens()),
        (105, 21, 126)
    );
    assert_eq!(s.model.as_deref(), Some("openai/gpt-4o"));
    assert_eq!(s.ended_at, Some(t("2025-06-01T12:05:00Z")));
    assert_eq!(s.end_reason.as_deref(), Some("idle"));

    assert!(matches!(
        store.set_model("nope", "x"),
        Err(StoreError::SessionNotFound { .. })
    ));
    assert!(matches!(
        store.append_message("nope", &NewMessage::user("x")),
        Err(StoreError::SessionNotFound { .. })
    ));
}

#[test]
fn titles_are_unique_and_searchable() {
    let f = Fixture::new();
    let store = f.open();
    let a = store.create_session(&telegram("1")).unwrap();
    let b = store.create_session(&telegram("2")).unwrap();
    assert_eq!(
        store
            .set_title(&a.id, Some("  Trip   plans "))
            .unwrap()
            .as_deref(),
        Some("Trip plans")
    );
    let err = store.set_title(&b.id, Some("Trip plans")).unwrap_err();
    assert!(matches!(err, StoreError::TitleInUse { ref other, .. } if *other == a.id));
    store.set_title(&a.id, Some("Trip plans")).unwrap();
    let found = store
        .list_sessions(&SessionQuery {
            search: Some("trip".into()),
            ..SessionQuery::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].session.id, a.id);
    // `%` and `_` are literal in a search.
    let none = store
        .list_sessions(&SessionQuery {
            search: Some("%".into()),
            ..SessionQuery::default()
        })
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(store.set_title(&a.id, None).unwrap(), None);
    store.set_title(&b.id, Some("Trip plans")).unwrap();
}

#[test]
fn list_filters_by_platform_and_limit_newest_first() {
    let f = Fixture::new();
    let store = f.open();
    let mut made = Vec::new();
    for (i, source) in ["telegram", "discord", "telegram", "tool"]
        .iter()
        .enumerate()
    {
        f.clock.advance(SignedDuration::from_secs(60));
        let s = store
            .create_session(&NewSession {
                source: (*source).into(),
                ..NewSession::default()
            })
            .unwrap();
        store
            .append_message(&s.id, &NewMessage::user(format!("question {i}")))
            .unwrap();
        made.push(s.id);
    }
    let all = store.list_sessions(&SessionQuery::default()).unwrap();
    let ids: Vec<&str> = all.iter().map(|s| s.session.id.as_str()).collect();
    assert_eq!(ids, [made[2].as_str(), made[1].as_str(), made[0].as_str()]);
    let tg = store
        .list_sessions(&SessionQuery {
            platform: Some("telegram".into()),
            limit: 1,
            ..SessionQuery::default()
        })
        .unwrap();
    assert_eq!(tg.len(), 1);
    assert_eq!(tg[0].session.id, made[2]);
    assert_eq!(tg[0].preview, "question 2");
    let tools = store
        .list_sessions(&SessionQuery {
            platform: Some("tool".into()),
            ..SessionQuery::default()
        })
        .unwrap();
    assert_eq!(tools.len(), 1);
}

#[test]
fn messages_last_n_and_undo() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.create_session(&telegram("9")).unwrap();
    let calls = serde_json::json!([{"id": "c1", "type": "function",
        "function": {"name": "terminal", "arguments": "{}"}}]);
    store
        .append_message(&s.id, &NewMessage::user("one"))
        .unwrap();
    store
        .append_message(&s.id, &NewMessage::assistant("two"))
        .unwrap();
    store
        .append_message(&s.id, &NewMessage::user("three"))
        .unwrap();
    store
        .append_message(
            &s.id,
            &NewMessage {
                role: "assistant".into(),
                tool_calls: Some(calls.clone()),
                token_count: Some(12),
                ..NewMessage::default()
            },
        )
        .unwrap();
    store
        .append_message(&s.id, &NewMessage::tool("c1", "terminal", "ok"))
        .unwrap();
    let session = store.session(&s.id).unwrap().unwrap();
    assert_eq!((session.message_count, session.tool_call_count), (5, 1));

    let last = store.last_messages(&s.id, 2).unwrap();
    assert_eq!(last.len(), 2);
    assert_eq!(last[0].tool_calls, Some(calls));
    assert_eq!(last[0].token_count, Some(12));
    assert_eq!(last[1].tool_call_id.as_deref(), Some("c1"));

    assert_eq!(store.remove_last_exchange(&s.id).unwrap(), 3);
    let left: Vec<String> = store
        .messages(&s.id)
        .unwrap()
        .into_iter()
        .filter_map(|m| m.content)
        .collect();
    assert_eq!(left, ["one", "two"]);
    assert_eq!(store.session(&s.id).unwrap().unwrap().message_count, 2);
    assert_eq!(store.remove_last_exchange(&s.id).unwrap(), 2);
    assert_eq!(store.remove_last_exchange(&s.id).unwrap(), 0);
}

#[test]
fn delete_removes_messages_and_detaches_children() {
    let f = Fixture::new();
    let store = f.open();
    let parent = store.create_session(&telegram("5")).unwrap();
    store
        .append_message(&parent.id, &NewMessage::user("bye"))
        .unwrap();
    let child = store
        .create_session(&NewSession {
            parent_id: Some(parent.id.clone()),
            ..telegram("5")
        })
        .unwrap();
    store
        .set_route(&Route::new(
            "agent:main:telegram:dm:5",
            &parent.id,
            f.clock.now(),
        ))
        .unwrap();
    assert!(store.delete_session(&parent.id).unwrap());
    assert!(!store.delete_session(&parent.id).unwrap());
    assert!(store.session(&parent.id).unwrap().is_none());
    assert!(store.messages(&parent.id).unwrap().is_empty());
    assert_eq!(store.session(&child.id).unwrap().unwrap().parent_id, None);
    assert!(store.route("agent:main:telegram:dm:5").unwrap().is_none());
}

#[test]
fn prune_takes_only_old_ended_sessions() {
    let f = Fixture::new();
    let store = f.open();
    let old_ended = store.create_session(&telegram("1")).unwrap();
    store
        .append_message(&old_ended.id, &NewMessage::user("x"))
        .unwrap();
    store.end_session(&old_ended.id, "idle").unwrap();
    let old_active = store.create_session(&telegram("2")).unwrap();
    f.clock.advance(SignedDuration::from_hours(24 * 20));
    let new_ended = store.create_session(&telegram("3")).unwrap();
    store.end_session(&new_ended.id, "new").unwrap();

    let ten_days = SignedDuration::from_hours(24 * 10);
    let c = store.prune_candidates(ten_days, None).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].id, old_ended.id);
    assert!(
        store
            .prune_candidates(ten_days, Some("discord"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.prune_sessions(ten_days, None).unwrap(), 1);
    assert!(store.session(&old_ended.id).unwrap().is_none());
    assert!(store.session(&old_active.id).unwrap().is_some());
    assert!(store.session(&new_ended.id).unwrap().is_some());
    let stats = store.stats().unwrap();
    assert_eq!((stats.sessions, stats.messages), (2, 0));
    assert_eq!(stats.by_platform, [("telegram".to_string(), 2)]);
    assert!(stats.file_bytes > 0);
}

#[test]
fn resolve_ids_by_prefix() {
    let f = Fixture::new();
    let store = f.open();
    let a = store.create_session(&telegram("1")).unwrap();
    assert_eq!(store.resolve_session_id(&a.id).unwrap(), a.id);
    assert_eq!(store.resolve_session_id(&a.id[..18]).unwrap(), a.id);
    store.create_session(&telegram("2")).unwrap();
    assert!(matches!(
        store.resolve_session_id("20250601"),
        Err(StoreError::AmbiguousSession { .. })
    ));
    assert!(matches!(
        store.resolve_session_id("1999"),
        Err(StoreError::SessionNotFound { .. })
    ));
    // A LIKE wildcard is not a prefix of everything.
    assert!(matches!(
        store.resolve_session_id("%"),
        Err(StoreError::SessionNotFound { .. })
    ));
}

#[test]
fn caller_chosen_ids_and_batched_turns() {
    let f = Fixture::new();
    let store = f.open();
    let new = NewSession {
        source: "api_server".into(),
        chat_type: Some("dm".into()),
        ..NewSession::default()
    };
    let s = store.ensure_session("api-0123456789abcdef", &new).unwrap();
    assert_eq!(
        (s.id.as_str(), s.source.as_str()),
        ("api-0123456789abcdef", "api_server")
    );
    // Ensuring again keeps the existing session.
    store.set_title(&s.id, Some("kept")).unwrap();
    let again = store.ensure_session(&s.id, &new).unwrap();
    assert_eq!(again.title.as_deref(), Some("kept"));

    let turn = |id: &str, text: &str| crate::store::RecordedTurn {
        session_id: id.into(),
        session: new.clone(),
        messages: vec![
            NewMessage::user(text),
            NewMessage {
                tool_calls: Some(serde_json::json!([{"id": "c1"}, {"id": "c2"}])),
                ..NewMessage::assistant("")
            },
            NewMessage::assistant(format!("re: {text}")),
        ],
        input_tokens: 10,
        output_tokens: 2,
    };
    store
        .record_turns(&[
            turn(&s.id, "a"),
            turn("api-fedcba9876543210", "b"),
            turn(&s.id, "c"),
        ])
        .unwrap();
    let s = store.session(&s.id).unwrap().unwrap();
    assert_eq!((s.message_count, s.tool_call_count), (6, 4));
    assert_eq!((s.input_tokens, s.output_tokens), (20, 4));
    let texts: Vec<String> = store
        .messages(&s.id)
        .unwrap()
        .into_iter()
        .filter_map(|m| m.content)
        .collect();
    assert_eq!(texts, ["a", "", "re: a", "c", "", "re: c"]);
    let other = store.session("api-fedcba9876543210").unwrap().unwrap();
    assert_eq!(other.source, "api_server");
    assert_eq!(other.message_count, 3);
}
