//! Session continuity: derived ids, `X-Hermes-Session-Id` (validated, must exist, its stored
//! history replaces the client's) and `X-Hermes-Session-Key` (HMAC'd memory scope).

use hermes::store::SessionStore;
use serde_json::{Value, json};

use crate::{KEY, TestServer, chat};

#[tokio::test]
async fn derived_session_is_stable_and_stored() {
    let s = TestServer::start().await;
    let first = json!({"messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi there"},
    ]});
    let r = s.post("/v1/chat/completions", &first).send().await.unwrap();
    let sid = r.headers()["x-hermes-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(sid, hermes::api::derive_session_id(Some("sys"), "hi there"));
    // The client resends the whole conversation: the same session continues.
    let second = json!({"messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi there"},
        {"role": "assistant", "content": "you said: hi there"},
        {"role": "user", "content": "more"},
    ]});
    let r = s
        .post("/v1/chat/completions", &second)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-hermes-session-id"], sid.as_str());

    s.state.flush().await;
    let session = s.store.session(&sid).unwrap().expect("stored");
    assert_eq!(session.source, "api_server");
    assert_eq!(session.chat_type.as_deref(), Some("dm"));
    assert_eq!(session.input_tokens, 24);
    let msgs: Vec<(String, String)> = s
        .store
        .messages(&sid)
        .unwrap()
        .into_iter()
        .map(|m| (m.role, m.content.unwrap_or_default()))
        .collect();
    assert_eq!(
        msgs,
        [
            ("user".into(), "hi there".into()),
            ("assistant".into(), "you said: hi there".into()),
            ("user".into(), "more".into()),
            ("assistant".into(), "you said: more".into()),
        ]
    );
    s.stop().await;
}

#[tokio::test]
async fn session_id_header_uses_the_stored_history() {
    let s = TestServer::start().await;
    let r = s
        .post("/v1/chat/completions", &chat("remember 42"))
        .send()
        .await
        .unwrap();
    let sid = r.headers()["x-hermes-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    // The client sends only the new message (and even a misleading history).
    let body = json!({"messages": [
        {"role": "user", "content": "something else"},
        {"role": "assistant", "content": "ignored"},
        {"role": "user", "content": "what number?"},
    ]});
    let r = s
        .post("/v1/chat/completions", &body)
        .header("x-hermes-session-id", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-hermes-session-id"], sid.as_str());
    let req = s.runner.last();
    assert_eq!(req.session_id, sid);
    let history: Vec<_> = req.history.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(history, ["remember 42", "you said: remember 42"]);
    assert_eq!(req.input, "what number?");
    s.stop().await;
}

#[tokio::test]
async fn session_id_header_is_validated() {
    let s = TestServer::start().await;
    let send = |id: &'static str| {
        s.post("/v1/chat/completions", &chat("hi"))
            .header("x-hermes-session-id", id)
            .send()
    };
    let r = send("../../etc/passwd").await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], "Invalid session ID");
    let r = send("api-0123456789abcdef").await.unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], "Unknown session ID");
    // A session from another platform is not the API's to continue.
    let other = s
        .store
        .create_session(&hermes::store::NewSession {
            source: "telegram".into(),
            ..Default::default()
        })
        .unwrap();
    let r = s
        .post("/v1/chat/completions", &chat("hi"))
        .header("x-hermes-session-id", &other.id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(s.runner.requests().is_empty());
    s.stop().await;
}

#[tokio::test]
async fn session_key_header_scopes_memory() {
    let s = TestServer::start().await;
    let r = s
        .post("/v1/chat/completions", &chat("hi"))
        .header("x-hermes-session-key", "agent:main:webui:dm:user-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["x-hermes-session-key"],
        "agent:main:webui:dm:user-42"
    );
    let req = s.runner.last();
    assert_eq!(
        req.session_key,
        hermes::api::scoped_session_key(KEY, "agent:main:webui:dm:user-42")
    );
    assert!(req.session_key.starts_with("api-server-"));
    let long = "k".repeat(257);
    let r = s
        .post("/v1/chat/completions", &chat("hi"))
        .header("x-hermes-session-key", long)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], "Session key too long");
    s.stop().await;
}
