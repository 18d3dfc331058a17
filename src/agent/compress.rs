//! Context compression: older messages are summarised by one model call and replaced by the
//! summary, keeping the last `compression.protect_last_n` verbatim. In a stored transcript the
//! summary is a `system` message starting with [`COMPACT_HEAD`] that also says how many
//! messages before it stay verbatim, so the full transcript is kept for export while the model
//! sees only the summary and what follows it.

use crate::agent::types::{ChatRequest, Message, Role};
use crate::gateway::turn::HistoryMessage;

/// How a stored summary message begins; the number of verbatim messages before it follows.
pub const COMPACT_HEAD: &str =
    "[Context compacted: summary of the earlier conversation; messages kept before this note: ";

/// What the model sees in place of the summarised messages.
pub const SUMMARY_HEAD: &str =
    "[Summary of the earlier conversation, written when the context was compacted]";

/// The instructions of the summarising call.
const INSTRUCTIONS: &str = "You compress conversations between a user and an AI agent. Write a faithful summary of the transcript you are given, for the agent to continue from: the user's goals and preferences, decisions made, facts learned (paths, names, numbers, commands and their results), work done, and what is still open. Use short bullet points. Do not invent anything and do not answer the user.";

/// Characters of one message included in the summarising call at most.
const MAX_MESSAGE_CHARS: usize = 4000;

/// A stored summary message covering everything before the `kept` messages preceding it.
#[must_use]
pub fn marker(summary: &str, kept: usize) -> HistoryMessage {
    HistoryMessage::text(
        "system",
        format!("{COMPACT_HEAD}{kept}]\n\n{}", summary.trim()),
    )
}

/// `(kept, summary)` of a stored summary message.
#[must_use]
pub fn parse_marker(m: &HistoryMessage) -> Option<(usize, &str)> {
    if m.role != "system" {
        return None;
    }
    let rest = m.content.strip_prefix(COMPACT_HEAD)?;
    let (n, summary) = rest.split_once(']')?;
    Some((n.trim().parse().ok()?, summary.trim()))
}

/// The model's view of a summary.
#[must_use]
pub fn summary_message(summary: &str) -> Message {
    Message::user(format!("{SUMMARY_HEAD}\n\n{summary}"))
}

/// Converts a stored message (unknown roles become user messages; unparsable tool calls are
/// dropped along with their results, which the provider would otherwise refuse).
fn convert(h: &HistoryMessage) -> Message {
    match h.role.as_str() {
        "assistant" => {
            let calls = h
                .tool_calls
                .as_deref()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|c| {
                    let f = c.get("function")?;
                    Some(crate::agent::types::ToolCall {
                        id: c.get("id")?.as_str()?.to_string(),
                        name: f.get("name")?.as_str()?.to_string(),
                        arguments: match f.get("arguments") {
                            Some(serde_json::Value::String(s)) => s.clone(),
                            Some(v) => v.to_string(),
                            None => "{}".into(),
                        },
                    })
                })
                .collect();
            Message::assistant(h.content.clone()).with_tool_calls(calls)
        }
        "tool" => Message::tool_result(
            h.tool_call_id.clone().unwrap_or_default(),
            h.content.clone(),
        ),
        "system" => Message::system(h.content.clone()),
        _ => Message::user(h.content.clone()),
    }
}

/// The model's view of a stored transcript: from the last summary on (with the messages it
/// kept), tool results without a matching call removed.
#[must_use]
pub fn history_to_messages(history: &[HistoryMessage]) -> Vec<Message> {
    let last = history
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, m)| parse_marker(m).map(|(k, s)| (i, k, s)));
    let mut out = Vec::new();
    let rest: Vec<&HistoryMessage> = match last {
        Some((i, kept, summary)) => {
            out.push(summary_message(summary));
            let mut before: Vec<&HistoryMessage> = history[..i]
                .iter()
                .rev()
                .filter(|m| parse_marker(m).is_none())
                .take(kept)
                .collect();
            before.reverse();
            before.extend(history[i + 1..].iter());
            before
        }
        None => history.iter().collect(),
    };
    let mut open_calls: std::collections::HashSet<String> = std::collections::HashSet::new();
    for h in rest {
        if parse_marker(h).is_some() {
            continue;
        }
        let m = convert(h);
        match m.role {
            Role::Assistant => open_calls.extend(m.tool_calls.iter().map(|c| c.id.clone())),
            Role::Tool
                if !m
                    .tool_call_id
                    .as_ref()
                    .is_some_and(|id| open_calls.contains(id)) =>
            {
                continue;
            }
            _ => {}
        }
        out.push(m);
    }
    out
}

/// Where to cut `messages` so the last `protect` stay, never separating a tool result from the
/// call it answers. `0` means there is nothing to summarise.
#[must_use]
pub fn split_point(messages: &[Message], protect: usize) -> usize {
    let mut split = messages.len().saturating_sub(protect.max(1));
    while split > 0 && messages[split].role == Role::Tool {
        split -= 1;
    }
    split
}

/// The summarising request for `messages`.
#[must_use]
pub fn summary_request(model: &str, messages: &[Message]) -> ChatRequest {
    let mut transcript = String::new();
    for m in messages {
        let who = match m.role {
            Role::System => "SYSTEM",
            Role::User => "USER",
            Role::Assistant => "ASSISTANT",
            Role::Tool => "TOOL RESULT",
        };
        let text: String = m.content.chars().take(MAX_MESSAGE_CHARS).collect();
        if !text.trim().is_empty() {
            transcript.push_str(&format!("{who}: {}\n\n", text.trim()));
        }
        for c in &m.tool_calls {
            let args: String = c.arguments.chars().take(500).collect();
            transcript.push_str(&format!("ASSISTANT called {}({args})\n\n", c.name));
        }
    }
    let mut req = ChatRequest::new(
        model,
        vec![
            Message::system(INSTRUCTIONS),
            Message::user(format!(
                "Summarise this conversation:\n\n{}",
                transcript.trim()
            )),
        ],
    );
    req.max_tokens = Some(2048);
    req
}

/// Estimated tokens of some messages (four characters a token), for the check before the
/// first call of a turn, when no count from the provider exists yet.
#[must_use]
pub fn estimate_tokens(messages: &[Message]) -> u64 {
    let chars: usize = messages
        .iter()
        .map(|m| {
            m.content.len()
                + m.tool_calls
                    .iter()
                    .map(|c| c.arguments.len() + c.name.len())
                    .sum::<usize>()
        })
        .sum();
    u64::try_from(chars / 4).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_msg(id: &str) -> HistoryMessage {
        HistoryMessage {
            role: "assistant".into(),
            content: String::new(),
            tool_calls: Some(format!(
                r#"[{{"id":"{id}","type":"function","function":{{"name":"terminal","arguments":"{{}}"}}}}]"#
            )),
            ..HistoryMessage::default()
        }
    }

    fn result_msg(id: &str) -> HistoryMessage {
        HistoryMessage {
            role: "tool".into(),
            content: "ok".into(),
            tool_call_id: Some(id.into()),
            tool_name: Some("terminal".into()),
            ..HistoryMessage::default()
        }
    }

    #[test]
    fn markers_round_trip_and_cut_history() {
        let m = marker("they like tea", 2);
        assert_eq!(parse_marker(&m), Some((2, "they like tea")));
        let history = vec![
            HistoryMessage::text("user", "one"),
            HistoryMessage::text("assistant", "two"),
            HistoryMessage::text("user", "three"),
            call_msg("c1"),
            m,
            result_msg("c1"),
            HistoryMessage::text("assistant", "four"),
        ];
        let msgs = history_to_messages(&history);
        let roles: Vec<Role> = msgs.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::User,
                Role::User,
                Role::Assistant,
                Role::Tool,
                Role::Assistant
            ]
        );
        assert!(msgs[0].content.starts_with(SUMMARY_HEAD));
        assert!(msgs[0].content.ends_with("they like tea"));
        assert_eq!(msgs[1].content, "three");
        assert_eq!(msgs[2].tool_calls[0].id, "c1");
    }

    #[test]
    fn orphan_tool_results_are_dropped() {
        let msgs = history_to_messages(&[result_msg("gone"), HistoryMessage::text("user", "hi")]);
        assert_eq!(msgs.len(), 1);
    }

    #[test]
    fn split_never_orphans_a_tool_result() {
        let msgs = history_to_messages(&[
            HistoryMessage::text("user", "a"),
            call_msg("c1"),
            result_msg("c1"),
            HistoryMessage::text("assistant", "b"),
        ]);
        assert_eq!(
            split_point(&msgs, 2),
            1,
            "the call moves into the kept tail"
        );
        assert_eq!(split_point(&msgs, 1), 3);
        assert_eq!(split_point(&msgs, 10), 0);
    }

    #[test]
    fn summary_request_holds_the_transcript() {
        let msgs = vec![
            Message::user("find the logs"),
            Message::assistant("they are in /var/log"),
        ];
        let req = summary_request("m", &msgs);
        assert!(req.tools.is_empty());
        assert!(req.messages[1].content.contains("USER: find the logs"));
        assert!(
            req.messages[1]
                .content
                .contains("ASSISTANT: they are in /var/log")
        );
    }
}
