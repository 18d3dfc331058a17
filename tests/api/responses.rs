//! `/v1/responses`: output items, `previous_response_id` and conversation chaining, stored
//! responses (`GET`/`DELETE`, bounded), and the streaming event sequence.

use serde_json::{Value, json};

use crate::fake::{FAIL, SLOW, TOOLS};
use crate::{TestServer, sse_events, sse_text};

#[tokio::test]
async fn response_with_tool_items_and_chaining() {
    let s = TestServer::start().await;
    let (status, first) = s
        .post_json(
            "/v1/responses",
            &json!({"model": "m", "input": TOOLS, "instructions": "Use tools."}),
        )
        .await;
    assert_eq!(status, 200);
    let id = first["id"].as_str().unwrap();
    assert!(id.starts_with("resp_"));
    assert_eq!(first["object"], "response");
    assert_eq!(first["status"], "completed");
    let kinds: Vec<&str> = first["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["function_call", "function_call_output", "message"]);
    assert_eq!(first["output"][0]["name"], "terminal");
    assert_eq!(first["output"][0]["call_id"], "call_1");
    assert_eq!(first["output"][1]["output"], "a b");
    assert_eq!(first["output"][2]["content"][0]["text"], "files: a b");
    assert_eq!(first["usage"]["total_tokens"], 17);

    let (status, second) = s
        .post_json(
            "/v1/responses",
            &json!({"input": "and then?", "previous_response_id": id}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(second["previous_response_id"], id);
    let req = s.runner.last();
    let roles: Vec<&str> = req.history.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
    assert_eq!(req.history[0].content, TOOLS);
    assert_eq!(
        req.ephemeral_system.as_deref(),
        Some("Use tools."),
        "instructions carry on"
    );
    let first_session = s.runner.requests()[0].session_id.clone();
    assert_eq!(req.session_id, first_session, "a chain is one session");

    let got: Value = s
        .get(&format!("/v1/responses/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, first);
    let r = s
        .http
        .delete(s.url(&format!("/v1/responses/{id}")))
        .bearer_auth(crate::KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"id": id, "object": "response", "deleted": true})
    );
    let r = s.get(&format!("/v1/responses/{id}")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["message"],
        format!("Response not found: {id}")
    );
    let (status, v) = s
        .post_json(
            "/v1/responses",
            &json!({"input": "x", "previous_response_id": id}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        v["error"]["message"],
        format!("Previous response not found: {id}")
    );
    assert!(s.paths.response_store_db().exists());
    s.stop().await;
}

#[tokio::test]
async fn named_conversations_and_input_errors() {
    let s = TestServer::start().await;
    let (_, a) = s
        .post_json(
            "/v1/responses",
            &json!({"input": "one", "conversation": "c1"}),
        )
        .await;
    let (_, _) = s
        .post_json(
            "/v1/responses",
            &json!({"input": "two", "conversation": "c1"}),
        )
        .await;
    let history: Vec<_> = s
        .runner
        .last()
        .history
        .iter()
        .map(|m| m.content.clone())
        .collect();
    assert_eq!(history, ["one", "you said: one"]);
    let (status, v) = s
        .post_json(
            "/v1/responses",
            &json!({"input": "x", "conversation": "c1", "previous_response_id": a["id"]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        v["error"]["message"],
        "Cannot use both 'conversation' and 'previous_response_id'"
    );
    for (body, message) in [
        (json!({"model": "m"}), "Missing 'input' field"),
        (json!({"input": 5}), "'input' must be a string or array"),
        (
            json!({"input": [{"role": "user", "content": ""}]}),
            "No user message found in input",
        ),
        (json!({"input": []}), "No user message found in input"),
    ] {
        let (status, v) = s.post_json("/v1/responses", &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(v["error"]["message"], message);
    }
    // Items: earlier messages become history; store=false keeps nothing.
    let (_, v) = s
        .post_json(
            "/v1/responses",
            &json!({"store": false, "input": [
                {"role": "user", "content": [{"type": "input_text", "text": "q1"}]},
                {"role": "assistant", "content": [{"type": "output_text", "text": "a1"}]},
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "q2"}]},
            ]}),
        )
        .await;
    assert_eq!(s.runner.last().input, "q2");
    assert_eq!(s.runner.last().history.len(), 2);
    let r = s
        .get(&format!("/v1/responses/{}", v["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "store: false");
    let (status, _) = s.post_json("/v1/responses", &json!({"input": FAIL})).await;
    assert_eq!(status, 502);
    s.stop().await;
}

#[tokio::test]
async fn stored_responses_are_bounded() {
    let s = TestServer::with(|c| c.max_stored_responses = 3).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, v) = s
            .post_json("/v1/responses", &json!({"input": format!("n{i}")}))
            .await;
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let mut kept = 0;
    for id in &ids {
        if s.get(&format!("/v1/responses/{id}"))
            .send()
            .await
            .unwrap()
            .status()
            == 200
        {
            kept += 1;
        }
    }
    assert_eq!(kept, 3);
    assert_eq!(
        s.get(&format!("/v1/responses/{}", ids[4]))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "the newest is kept"
    );
    s.stop().await;
}

#[tokio::test]
async fn streaming_response_events() {
    let s = TestServer::start().await;
    let r = s
        .post("/v1/responses", &json!({"input": TOOLS, "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let text = sse_text(r).await;
    let events = sse_events(&text);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"response.created"));
    assert_eq!(names.last(), Some(&"response.completed"));
    for (name, data) in &events {
        assert_eq!(data["type"], name.as_str());
    }
    let seqs: Vec<u64> = events
        .iter()
        .map(|(_, d)| d["sequence_number"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
    let added: Vec<&str> = events
        .iter()
        .filter(|(n, _)| n == "response.output_item.added")
        .map(|(_, d)| d["item"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["function_call", "function_call_output", "message"]);
    let delta: String = events
        .iter()
        .filter(|(n, _)| n == "response.output_text.delta")
        .map(|(_, d)| d["delta"].as_str().unwrap())
        .collect();
    assert_eq!(delta, "files: a b");
    assert!(!text.contains("_thinking"));
    let done = &events.last().unwrap().1["response"];
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["output"].as_array().unwrap().last().unwrap()["content"][0]["text"],
        "files: a b"
    );
    let id = done["id"].as_str().unwrap();
    let stored: Value = s
        .get(&format!("/v1/responses/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["status"], "completed");

    let r = s
        .post("/v1/responses", &json!({"input": FAIL, "stream": true}))
        .send()
        .await
        .unwrap();
    let events = sse_events(&sse_text(r).await);
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "response.failed");
    assert_eq!(
        data["response"]["error"]["message"],
        "the model returned an error"
    );
    s.stop().await;
}

#[tokio::test]
async fn hanging_up_a_response_stream_interrupts_and_keeps_it_incomplete() {
    let s = TestServer::start().await;
    let body = json!({"input": SLOW, "stream": true});
    let sock = crate::open_stream(s.addr, "/v1/responses", &body, "thinking").await;
    drop(sock);
    s.runner.wait_cancelled(1).await;
    let session = s.runner.last().session_id;
    // The snapshot written at `response.created` is replaced by an incomplete one.
    let id = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            let conn = rusqlite::Connection::open(s.paths.response_store_db()).unwrap();
            let found: Option<String> = conn
                .query_row(
                    "SELECT response_id FROM responses WHERE data LIKE '%\"incomplete\"%'",
                    [],
                    |r| r.get(0),
                )
                .ok();
            if let Some(id) = found {
                return id;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("an incomplete snapshot is stored");
    let v: Value = s
        .get(&format!("/v1/responses/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "incomplete");
    assert_eq!(v["output"][0]["content"][0]["text"], "thinking");
    assert!(session.starts_with("api-"));
    s.stop().await;
}
