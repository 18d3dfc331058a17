//! Which `state_changed` events reach the agent (domain and entity filters, closed by
//! default, and a per-entity cooldown) and the sentence each becomes, in upstream's words.

use std::collections::HashMap;

use serde_json::Value;
use tokio::time::Instant;

use super::config::HomeAssistantConfig;

/// Applies the filters and remembers when each entity was last forwarded.
#[derive(Debug, Default)]
pub struct EventFilter {
    last: HashMap<String, Instant>,
}

fn domain_of(entity_id: &str) -> &str {
    entity_id.split_once('.').map_or("", |(d, _)| d)
}

impl EventFilter {
    /// The text for a `state_changed` event's `data`, or `None` when it is filtered out,
    /// inside the entity's cooldown, or not a real change. `now` is the caller's clock.
    pub fn accept(
        &mut self,
        cfg: &HomeAssistantConfig,
        data: &Value,
        now: Instant,
    ) -> Option<String> {
        let entity_id = data.get("entity_id")?.as_str()?;
        if entity_id.is_empty() || cfg.ignore_entities.contains(entity_id) {
            return None;
        }
        if !cfg.watch_domains.is_empty() || !cfg.watch_entities.is_empty() {
            let domain_match = cfg.watch_domains.contains(domain_of(entity_id));
            if !domain_match && !cfg.watch_entities.contains(entity_id) {
                return None;
            }
        } else if !cfg.watch_all {
            return None;
        }
        if let Some(last) = self.last.get(entity_id)
            && now.saturating_duration_since(*last) < cfg.cooldown
        {
            return None;
        }
        let text = format_state_change(entity_id, data.get("old_state"), data.get("new_state"))?;
        self.last.insert(entity_id.to_string(), now);
        Some(text)
    }
}

fn state_of(v: Option<&Value>) -> &str {
    v.and_then(|s| s.get("state"))
        .and_then(Value::as_str)
        .unwrap_or("unknown")
}

fn attr<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get("attributes").and_then(|a| a.get(key))
}

fn show(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "?".into(),
        Some(other) => other.to_string(),
    }
}

/// A sentence describing the change; `None` when there is no new state or nothing changed.
#[must_use]
pub fn format_state_change(
    entity_id: &str,
    old_state: Option<&Value>,
    new_state: Option<&Value>,
) -> Option<String> {
    let new = new_state.filter(|v| v.is_object())?;
    let old_val = state_of(old_state.filter(|v| v.is_object()));
    let new_val = state_of(Some(new));
    if old_val == new_val {
        return None;
    }
    let name = attr(new, "friendly_name")
        .and_then(Value::as_str)
        .unwrap_or(entity_id);
    let on_off = |v: &str| if v == "on" { "on" } else { "off" };
    let trig = |v: &str| if v == "on" { "triggered" } else { "cleared" };
    Some(match domain_of(entity_id) {
        "climate" => format!(
            "[Home Assistant] {name}: HVAC mode changed from '{old_val}' to '{new_val}' (current: {}, target: {})",
            show(attr(new, "current_temperature")),
            show(attr(new, "temperature"))
        ),
        "sensor" => {
            let unit = attr(new, "unit_of_measurement")
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("[Home Assistant] {name}: changed from {old_val}{unit} to {new_val}{unit}")
        }
        "binary_sensor" => format!(
            "[Home Assistant] {name}: {} (was {})",
            trig(new_val),
            trig(old_val)
        ),
        "light" | "switch" | "fan" => {
            format!("[Home Assistant] {name}: turned {}", on_off(new_val))
        }
        "alarm_control_panel" => {
            format!("[Home Assistant] {name}: alarm state changed from '{old_val}' to '{new_val}'")
        }
        _ => format!(
            "[Home Assistant] {name} ({entity_id}): changed from '{old_val}' to '{new_val}'"
        ),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    fn change(entity: &str, old: &str, new: &str) -> Value {
        json!({"entity_id": entity,
            "old_state": {"state": old, "attributes": {}},
            "new_state": {"state": new, "attributes": {"friendly_name": "Thing", "unit_of_measurement": "°C"}}})
    }

    #[test]
    fn sentences_per_domain() {
        let f = |e: &str, o: &str, n: &str| {
            let d = change(e, o, n);
            format_state_change(e, d.get("old_state"), d.get("new_state")).unwrap()
        };
        assert_eq!(
            f("light.k", "off", "on"),
            "[Home Assistant] Thing: turned on"
        );
        assert_eq!(
            f("sensor.t", "20", "21"),
            "[Home Assistant] Thing: changed from 20°C to 21°C"
        );
        assert_eq!(
            f("binary_sensor.door", "off", "on"),
            "[Home Assistant] Thing: triggered (was cleared)"
        );
        assert_eq!(
            f("input_boolean.x", "off", "on"),
            "[Home Assistant] Thing (input_boolean.x): changed from 'off' to 'on'"
        );
        assert!(format_state_change("light.k", None, None).is_none());
        let same = change("light.k", "on", "on");
        assert!(
            format_state_change("light.k", same.get("old_state"), same.get("new_state")).is_none()
        );
    }

    #[test]
    fn filters_are_closed_by_default_and_cooldown_applies() {
        let mut cfg = HomeAssistantConfig::new("t", "http://ha");
        let mut f = EventFilter::default();
        let t0 = Instant::now();
        assert!(
            f.accept(&cfg, &change("light.k", "off", "on"), t0)
                .is_none()
        );
        cfg.watch_domains.insert("light".into());
        cfg.ignore_entities.insert("light.ignored".into());
        assert!(
            f.accept(&cfg, &change("light.k", "off", "on"), t0)
                .is_some()
        );
        assert!(
            f.accept(
                &cfg,
                &change("light.k", "on", "off"),
                t0 + Duration::from_secs(5)
            )
            .is_none()
        );
        assert!(
            f.accept(
                &cfg,
                &change("light.k", "on", "off"),
                t0 + Duration::from_secs(31)
            )
            .is_some()
        );
        assert!(
            f.accept(&cfg, &change("light.ignored", "off", "on"), t0)
                .is_none()
        );
        assert!(
            f.accept(&cfg, &change("switch.s", "off", "on"), t0)
                .is_none()
        );
        cfg.watch_entities.insert("switch.s".into());
        assert!(
            f.accept(&cfg, &change("switch.s", "off", "on"), t0)
                .is_some()
        );
        let mut all = HomeAssistantConfig::new("t", "http://ha");
        all.watch_all = true;
        assert!(
            EventFilter::default()
                .accept(&all, &change("fan.f", "off", "on"), t0)
                .is_some()
        );
    }
}
