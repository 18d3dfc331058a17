//! Health, models, capabilities, auth, security headers, CORS, body limit, malformed input and
//! the startup rules.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use hermes::api::{ApiKey, ApiServer, ApiServerConfig, ApiServerError, ApiState, router};
use hermes::home::HermesPaths;
use hermes::store::Store;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::fake::FakeRunner;
use crate::{KEY, TestServer, chat};

#[tokio::test]
async fn health_needs_no_key_and_carries_security_headers() {
    let s = TestServer::start().await;
    for path in ["/health", "/v1/health"] {
        let r = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["platform"], "hermes-agent");
    }
    s.stop().await;
}

#[tokio::test]
async fn wrong_or_missing_key_is_401_with_upstreams_body() {
    let s = TestServer::start().await;
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Basic abc"),
        Some("Bearer "),
    ] {
        let mut req = s.http.get(s.url("/v1/models"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body,
            json!({"error": {"message": "Invalid API key", "type": "invalid_request_error",
                             "code": "invalid_api_key"}})
        );
    }
    let r = s
        .http
        .post(s.url("/v1/chat/completions"))
        .json(&chat("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(s.runner.requests().is_empty(), "no turn ran without a key");
    s.stop().await;
}

#[tokio::test]
async fn models_and_capabilities() {
    let s = TestServer::with(|c| c.model_name = "alice".into()).await;
    let models: Value = s
        .get("/v1/models")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["object"], "list");
    let m = &models["data"][0];
    assert_eq!(
        (
            &m["id"],
            &m["object"],
            &m["owned_by"],
            &m["root"],
            &m["parent"]
        ),
        (
            &json!("alice"),
            &json!("model"),
            &json!("hermes"),
            &json!("alice"),
            &Value::Null
        )
    );
    assert!(m["created"].as_i64().unwrap() > 1_600_000_000);
    let caps: Value = s
        .get("/v1/capabilities")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(caps["object"], "hermes.api_server.capabilities");
    assert_eq!(caps["auth"], json!({"type": "bearer", "required": true}));
    assert_eq!(
        caps["features"]["session_continuity_header"],
        "X-Hermes-Session-Id"
    );
    assert_eq!(
        caps["features"]["session_key_header"],
        "X-Hermes-Session-Key"
    );
    assert_eq!(caps["features"]["cors"], false);
    assert_eq!(
        caps["endpoints"]["chat_completions"]["path"],
        "/v1/chat/completions"
    );
    s.stop().await;
}

#[tokio::test]
async fn health_detailed_reads_gateway_state() {
    let s = TestServer::start().await;
    std::fs::write(
        s.paths.gateway_state_file(),
        r#"{"pid": 4242, "gateway_state": "running", "active_agents": 2,
            "platforms": {"telegram": {"state": "connected"}},
            "updated_at": "2026-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let r = s.http.get(s.url("/health/detailed")).send().await.unwrap();
    assert_eq!(r.status(), 401, "detailed health needs the key");
    let body: Value = s
        .get("/health/detailed")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["gateway_state"], "running");
    assert_eq!(body["active_agents"], 2);
    assert_eq!(body["platforms"]["telegram"]["state"], "connected");
    assert_eq!(body["updated_at"], "2026-01-01T00:00:00Z");
    assert_eq!(body["pid"], std::process::id());
    s.stop().await;
}

#[tokio::test]
async fn cors_matrix() {
    // Off by default: browsers are refused, plain clients are not.
    let s = TestServer::start().await;
    let r = s
        .get("/v1/models")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let r = s
        .http
        .request(reqwest::Method::OPTIONS, s.url("/v1/chat/completions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a preflight without CORS configured");
    assert_eq!(s.get("/v1/models").send().await.unwrap().status(), 200);
    s.stop().await;

    let s = TestServer::with(|c| c.cors_origins = vec!["https://app.example".into()]).await;
    let r = s
        .get("/v1/models")
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    assert_eq!(h["vary"], "Origin");
    assert_eq!(
        h["access-control-allow-methods"],
        "GET, POST, DELETE, OPTIONS"
    );
    assert!(
        h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .starts_with("Authorization, Content-Type, Idempotency-Key")
    );
    assert_eq!(h["access-control-max-age"], "600");
    let r = s
        .get("/v1/models")
        .header("origin", "https://other.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let pre = |origin: &'static str| {
        s.http
            .request(reqwest::Method::OPTIONS, s.url("/v1/chat/completions"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let ok = pre("https://app.example").await.unwrap();
    assert_eq!(ok.status(), 200, "preflight needs no key");
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(pre("https://other.example").await.unwrap().status(), 403);
    // SSE responses carry the CORS headers too.
    let mut body = chat("hi");
    body["stream"] = json!(true);
    let r = s
        .post("/v1/chat/completions", &body)
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let _ = crate::sse_text(r).await;
    s.stop().await;

    let s = TestServer::with(|c| c.cors_origins = vec!["*".into()]).await;
    let r = s
        .get("/v1/models")
        .header("origin", "https://any.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    s.stop().await;
}

#[tokio::test]
async fn body_limit_and_malformed_json() {
    let s = TestServer::with(|c| c.max_body_bytes = 1000).await;
    let big = json!({"messages": [{"role": "user", "content": "x".repeat(2000)}]});
    let (status, body) = s.post_json("/v1/chat/completions", &big).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "body_too_large");
    // A chunked body with no Content-Length is counted as it arrives.
    let chunks =
        futures_util::stream::iter((0..20).map(|_| Ok::<_, std::io::Error>(vec![b' '; 100])));
    let r = s
        .http
        .post(s.url("/v1/chat/completions"))
        .bearer_auth(KEY)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);

    for (raw, message) in [
        ("{not json", "Invalid JSON in request body"),
        ("[1, 2]", "Request body must be a JSON object"),
        ("", "Invalid JSON in request body"),
    ] {
        for path in ["/v1/chat/completions", "/v1/responses", "/v1/runs"] {
            let r = s
                .http
                .post(s.url(path))
                .bearer_auth(KEY)
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "{path} {raw}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["message"], message);
            assert_eq!(body["error"]["type"], "invalid_request_error");
        }
    }
    let r = s.get("/v1/nothing-here").send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    s.stop().await;
}

#[tokio::test]
async fn real_ten_megabyte_limit() {
    let s = TestServer::start().await;
    let big = "x".repeat(hermes::api::MAX_BODY_BYTES + 1);
    let r = s
        .http
        .post(s.url("/v1/chat/completions"))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    s.stop().await;
}

#[tokio::test]
async fn startup_rules() {
    let dir = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(dir.path(), dir.path());
    let store = Arc::new(Store::open(&paths.state_db()).unwrap());
    let runner = FakeRunner::new();
    let cfg = |host: &str, key: Option<&str>| {
        let mut c = ApiServerConfig::new(paths.clone());
        c.host = host.into();
        c.port = 0;
        c.key = key.map(ApiKey::new);
        c
    };
    let err = ApiServer::bind(cfg("0.0.0.0", None), runner.clone(), store.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, ApiServerError::KeyRequired { .. }));
    assert!(err.to_string().contains("requires API_SERVER_KEY"));
    let err = ApiServer::bind(cfg("0.0.0.0", Some("short")), runner.clone(), store.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, ApiServerError::WeakKey { .. }));

    let open = ApiServer::bind(cfg("127.0.0.1", None), runner.clone(), store.clone())
        .await
        .unwrap();
    assert_eq!(
        open.warnings().len(),
        1,
        "keyless loopback runs with a warning"
    );
    assert!(
        open.warnings()[0]
            .to_string()
            .contains("All requests will be accepted")
    );
    assert!(
        open.listening_message()
            .starts_with("[API Server] API server listening on http://127.0.0.1:")
    );
    assert!(open.listening_message().ends_with("(model: hermes-agent)"));

    let mut taken = cfg("127.0.0.1", Some(KEY));
    taken.port = open.local_addr().port();
    let err = ApiServer::bind(taken, runner, store).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Port {} already in use. Set a different port in config.yaml: \
             platforms.api_server.port",
            open.local_addr().port()
        )
    );
    assert!(!err.hints().is_empty());
}

#[tokio::test]
async fn keyless_loopback_accepts_requests_but_refuses_session_headers() {
    let s = TestServer::with(|c| c.key = None).await;
    let (status, body) = {
        let r = s
            .http
            .post(s.url("/v1/chat/completions"))
            .json(&chat("hi"))
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 200);
    assert_eq!(body["choices"][0]["message"]["content"], "you said: hi");
    for header in ["x-hermes-session-id", "x-hermes-session-key"] {
        let r = s
            .http
            .post(s.url("/v1/chat/completions"))
            .header(header, "api-0123456789abcdef")
            .json(&chat("hi"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{header}");
    }
    s.stop().await;
}

#[tokio::test]
async fn router_answers_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(dir.path(), dir.path());
    let mut config = ApiServerConfig::new(paths.clone());
    config.key = Some(ApiKey::new(KEY));
    let store = Arc::new(Store::open(&paths.state_db()).unwrap());
    let app = router(ApiState::new(config, FakeRunner::new(), store));
    let resp = app
        .clone()
        .oneshot(Request::get("/v1/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .oneshot(
            Request::post("/v1/chat/completions")
                .header("authorization", format!("Bearer {KEY}"))
                .header("content-type", "application/json")
                .body(Body::from(chat("oneshot").to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("x-hermes-session-id"));
}
