//! The Runs API: start (202), poll, the event stream, approvals and stop.

use std::time::Duration;

use hermes::gateway::turn::ApprovalChoice;
use serde_json::{Value, json};

use crate::fake::{APPROVAL, FAIL, SLOW};
use crate::{TestServer, sse_data, sse_text};

async fn start(s: &TestServer, input: &str) -> String {
    let (status, v) = s.post_json("/v1/runs", &json!({"input": input})).await;
    assert_eq!(status, 202);
    assert_eq!(v["status"], "started");
    let id = v["run_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("run_"));
    id
}

async fn status_of(s: &TestServer, id: &str) -> Value {
    s.get(&format!("/v1/runs/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn wait_status(s: &TestServer, id: &str, want: &str) -> Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let v = status_of(s, id).await;
            if v["status"] == want {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("run {id} never became {want}"))
}

#[tokio::test]
async fn run_completes_and_streams_events() {
    let s = TestServer::start().await;
    let id = start(&s, "hello").await;
    let text = sse_text(
        s.get(&format!("/v1/runs/{id}/events"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(text.ends_with(": stream closed\n\n"), "{text}");
    let events = sse_data(&text);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["message.delta", "message.delta", "run.completed"]);
    assert!(events.iter().all(|e| e["run_id"] == id.as_str()));
    let done = events.last().unwrap();
    assert_eq!(done["output"], "you said: hello");
    assert_eq!(done["usage"]["total_tokens"], 17);
    let v = wait_status(&s, &id, "completed").await;
    assert_eq!(v["object"], "hermes.run");
    assert_eq!(v["output"], "you said: hello");
    assert_eq!(v["last_event"], "run.completed");
    let r = s.get("/v1/runs/run_nope").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "run_not_found"
    );
    let r = s.get("/v1/runs/run_nope/events").send().await.unwrap();
    assert_eq!(r.status(), 404);

    let failed = start(&s, FAIL).await;
    let v = wait_status(&s, &failed, "failed").await;
    assert_eq!(v["error"], "the model returned an error");
    let (status, v) = s.post_json("/v1/runs", &json!({"model": "x"})).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["message"], "Missing 'input' field");
    s.stop().await;
}

#[tokio::test]
async fn approval_round_trip() {
    let s = TestServer::start().await;
    let id = start(&s, APPROVAL).await;
    wait_status(&s, &id, "waiting_for_approval").await;
    let (status, v) = s
        .post_json(
            &format!("/v1/runs/{id}/approval"),
            &json!({"choice": "maybe"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "invalid_approval_choice");
    let (status, v) = s
        .post_json(
            &format!("/v1/runs/{id}/approval"),
            &json!({"choice": "approve"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({"object": "hermes.run.approval_response", "run_id": id, "choice": "once",
               "resolved": 1})
    );
    assert_eq!(
        s.runner.approvals_seen.lock().unwrap().as_slice(),
        [(id.clone(), ApprovalChoice::Once)],
        "approvals are filed under the run id"
    );
    let v = wait_status(&s, &id, "completed").await;
    assert_eq!(v["output"], "approval: Once");
    let text = sse_text(
        s.get(&format!("/v1/runs/{id}/events"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let names: Vec<String> = sse_data(&text)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "approval.request",
            "approval.responded",
            "message.delta",
            "run.completed"
        ]
    );
    let request = &sse_data(&text)[0];
    assert_eq!(request["command"], "rm -rf /tmp/x");
    assert_eq!(
        request["choices"],
        json!(["once", "session", "always", "deny"])
    );
    // Nothing is pending any more.
    let (status, v) = s
        .post_json(
            &format!("/v1/runs/{id}/approval"),
            &json!({"choice": "deny"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(v["error"]["code"], "approval_not_active");
    s.stop().await;
}

#[tokio::test]
async fn stop_interrupts_the_run() {
    let s = TestServer::start().await;
    let id = start(&s, SLOW).await;
    s.runner.wait_running(1).await;
    let (status, v) = s
        .post_json(&format!("/v1/runs/{id}/stop"), &json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v, json!({"run_id": id, "status": "stopping"}));
    s.runner.wait_cancelled(1).await;
    wait_status(&s, &id, "cancelled").await;
    let text = sse_text(
        s.get(&format!("/v1/runs/{id}/events"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let last = sse_data(&text).pop().unwrap();
    assert_eq!(last["event"], "run.cancelled");
    let (status, _) = s
        .post_json(&format!("/v1/runs/{id}/stop"), &json!({}))
        .await;
    assert_eq!(status, 404, "a finished run cannot be stopped");
    s.stop().await;
}

#[tokio::test]
async fn shutdown_interrupts_running_turns() {
    let s = TestServer::start().await;
    let _id = start(&s, SLOW).await;
    s.runner.wait_running(1).await;
    let runner = s.runner.clone();
    s.stop().await;
    runner.wait_cancelled(1).await;
}
