//! Conversions between the agent's transcript and the Responses API's shapes: output items
//! (`function_call`, `function_call_output`, `message`) and stored conversation history.

use serde_json::{Value, json};

use crate::api::content;
use crate::api::session::random_hex;
use crate::gateway::turn::{HistoryMessage, TurnResult};

/// A `message` output item holding the assistant's text.
pub(crate) fn message_item(id: &str, text: &str, status: &str) -> Value {
    json!({
        "id": id, "type": "message", "status": status, "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    })
}

/// A fresh item id with a prefix (`msg`, `fc`, `fco`).
pub(crate) fn item_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(12))
}

/// The output items of a finished turn: its tool calls and results, then the reply.
pub(crate) fn output_items(result: &TurnResult, message_id: &str) -> Vec<Value> {
    let mut items = Vec::new();
    for m in &result.messages {
        match m.role.as_str() {
            "assistant" => {
                let calls = m
                    .tool_calls
                    .as_deref()
                    .and_then(|s| serde_json::from_str::<Value>(s).ok());
                for call in calls
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let f = call.get("function").cloned().unwrap_or_default();
                    let arguments = match f.get("arguments") {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    items.push(json!({
                        "id": item_id("fc"), "type": "function_call", "status": "completed",
                        "name": f.get("name").and_then(Value::as_str).unwrap_or_default(),
                        "arguments": arguments,
                        "call_id": call.get("id").and_then(Value::as_str).unwrap_or_default(),
                    }));
                }
            }
            "tool" => items.push(json!({
                "id": item_id("fco"), "type": "function_call_output", "status": "completed",
                "call_id": m.tool_call_id.clone().unwrap_or_default(),
                "output": m.content,
            })),
            _ => {}
        }
    }
    items.push(message_item(message_id, &result.text, "completed"));
    items
}

/// The usage object of a response.
pub(crate) fn usage(result: Option<&TurnResult>) -> Value {
    let (i, o) = result.map_or((0, 0), |r| (r.usage.input, r.usage.output));
    json!({"input_tokens": i, "output_tokens": o, "total_tokens": i + o})
}

/// A stored history entry as the agent's message (tolerates upstream's stored shapes).
pub(crate) fn history_from_value(v: &Value) -> Option<HistoryMessage> {
    let o = v.as_object()?;
    let role = o.get("role")?.as_str()?.to_string();
    Some(HistoryMessage {
        content: content::plain_text(o.get("content").unwrap_or(&Value::Null)),
        tool_calls: match o.get("tool_calls") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(v @ Value::Array(_)) => Some(v.to_string()),
            _ => None,
        },
        tool_call_id: o
            .get("tool_call_id")
            .and_then(Value::as_str)
            .map(String::from),
        tool_name: o.get("tool_name").and_then(Value::as_str).map(String::from),
        role,
    })
}

/// The agent's message as a stored history entry (`OpenAI` message shape).
pub(crate) fn history_to_value(m: &HistoryMessage) -> Value {
    let mut v = json!({"role": m.role, "content": m.content});
    if let Some(calls) = &m.tool_calls {
        v["tool_calls"] =
            serde_json::from_str(calls).unwrap_or_else(|_| Value::String(calls.clone()));
    }
    if let Some(id) = &m.tool_call_id {
        v["tool_call_id"] = json!(id);
    }
    if let Some(name) = &m.tool_name {
        v["tool_name"] = json!(name);
    }
    v
}

/// The conversation after a turn: what came before, the user's message, the turn's messages
/// (or just the reply when the agent returned none).
pub(crate) fn full_history(
    prior: &[HistoryMessage],
    user: &str,
    result: Option<&TurnResult>,
    partial_text: &str,
) -> Vec<Value> {
    let mut out: Vec<Value> = prior.iter().map(history_to_value).collect();
    out.push(json!({"role": "user", "content": user}));
    match result {
        Some(r) if !r.messages.is_empty() => out.extend(r.messages.iter().map(history_to_value)),
        Some(r) => out.push(json!({"role": "assistant", "content": r.text})),
        None if !partial_text.is_empty() => {
            out.push(json!({"role": "assistant", "content": partial_text}));
        }
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_calls_become_items() {
        let result = TurnResult {
            text: "done".into(),
            messages: vec![
                HistoryMessage {
                    role: "assistant".into(),
                    tool_calls: Some(
                        r#"[{"id":"call_1","type":"function","function":{"name":"terminal","arguments":"{\"command\":\"ls\"}"}}]"#.into(),
                    ),
                    ..HistoryMessage::default()
                },
                HistoryMessage {
                    role: "tool".into(),
                    content: "a b".into(),
                    tool_call_id: Some("call_1".into()),
                    tool_name: Some("terminal".into()),
                    ..HistoryMessage::default()
                },
                HistoryMessage::text("assistant", "done"),
            ],
            ..TurnResult::default()
        };
        let items = output_items(&result, "msg_1");
        let kinds: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["function_call", "function_call_output", "message"]);
        assert_eq!(items[0]["arguments"], r#"{"command":"ls"}"#);
        assert_eq!(items[1]["output"], "a b");
        assert_eq!(items[2]["content"][0]["text"], "done");
        let back: Vec<HistoryMessage> = full_history(&[], "hi", Some(&result), "")
            .iter()
            .filter_map(history_from_value)
            .collect();
        assert_eq!(back[0], HistoryMessage::text("user", "hi"));
        assert_eq!(back.len(), 4);
        let calls = |m: &HistoryMessage| {
            serde_json::from_str::<Value>(m.tool_calls.as_deref().unwrap()).unwrap()
        };
        assert_eq!(calls(&back[1]), calls(&result.messages[0]));
        assert_eq!(back[2], result.messages[1]);
        assert_eq!(back[3], result.messages[2]);
    }
}
