//! The `homeassistant` toolset, offered only when `HASS_TOKEN` is set: `ha_list_entities`,
//! `ha_get_state`, `ha_list_services` and `ha_call_service` over Home Assistant's REST API.
//! Arguments are validated before any URL is built (no path tricks), and service domains
//! that run code on the host are refused, as upstream does.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use super::{Registry, Tool, ToolContext, ToolOutput, arg_str, required};
use crate::agent::types::ToolSpec;
use crate::config::Env;
use crate::platforms::homeassistant::{DEFAULT_URL, Rest};

/// Service domains refused because they run commands or reach the network from the host.
pub const BLOCKED_DOMAINS: [&str; 6] = [
    "command_line",
    "hassio",
    "pyscript",
    "python_script",
    "rest_command",
    "shell_command",
];

/// Adds the four tools when `HASS_TOKEN` is set (URL from `HASS_URL`, as upstream's tools).
pub fn register(registry: &mut Registry, env: &Env) {
    let Some(token) = env
        .get("HASS_TOKEN")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return;
    };
    let http = reqwest::Client::builder()
        .user_agent(concat!("hermes/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    let url = env
        .get("HASS_URL")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(DEFAULT_URL);
    let rest = Arc::new(Rest::new(http, url, token));
    registry.add(Arc::new(ListEntities(rest.clone())));
    registry.add(Arc::new(GetState(rest.clone())));
    registry.add(Arc::new(ListServices(rest.clone())));
    registry.add(Arc::new(CallService(rest)));
}

/// `domain.object_id`, lowercase letters, digits and underscores.
#[must_use]
pub fn valid_entity_id(s: &str) -> bool {
    let Some((domain, object)) = s.split_once('.') else {
        return false;
    };
    valid_name(domain)
        && !object.is_empty()
        && object
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A domain or service name: a lowercase letter, then lowercase letters, digits, `_`.
#[must_use]
pub fn valid_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn spec(name: &str, description: &str, parameters: Value) -> ToolSpec {
    ToolSpec {
        name: name.into(),
        description: description.into(),
        parameters,
    }
}

fn friendly(s: &Value) -> &str {
    s["attributes"]["friendly_name"].as_str().unwrap_or("")
}

struct ListEntities(Arc<Rest>);

#[async_trait]
impl Tool for ListEntities {
    fn spec(&self) -> ToolSpec {
        spec(
            "ha_list_entities",
            "List Home Assistant entities. Optionally filter by domain (light, switch, climate, sensor, binary_sensor, cover, fan, etc.) or by area name (living room, kitchen, bedroom, etc.).",
            json!({"type": "object", "properties": {
                "domain": {"type": "string", "description": "Entity domain to filter by (e.g. 'light', 'switch', 'climate', 'sensor'). Omit to list all entities."},
                "area": {"type": "string", "description": "Area/room name to filter by (e.g. 'living room'). Matches against entity friendly names. Omit to list all."}
            }, "required": []}),
        )
    }
    fn toolset(&self) -> &'static str {
        "homeassistant"
    }
    fn emoji(&self) -> &'static str {
        "🏠"
    }
    async fn call(&self, args: Value, _cx: &ToolContext) -> ToolOutput {
        let domain = arg_str(&args, "domain")
            .map(str::trim)
            .filter(|d| !d.is_empty());
        if let Some(d) = domain
            && !valid_name(d)
        {
            return ToolOutput::error(format!("Invalid domain format: '{d}'"));
        }
        let area = arg_str(&args, "area")
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty());
        let states = match self.0.states().await {
            Ok(s) => s,
            Err(e) => return ToolOutput::error(format!("Failed to list entities: {e}")),
        };
        let entities: Vec<Value> = states
            .iter()
            .filter(|s| {
                let id = s["entity_id"].as_str().unwrap_or("");
                domain.is_none_or(|d| id.strip_prefix(d).is_some_and(|r| r.starts_with('.')))
            })
            .filter(|s| {
                area.as_deref().is_none_or(|a| {
                    friendly(s).to_lowercase().contains(a)
                        || s["attributes"]["area"]
                            .as_str()
                            .is_some_and(|x| x.to_lowercase().contains(a))
                })
            })
            .map(|s| json!({"entity_id": s["entity_id"], "state": s["state"], "friendly_name": friendly(s)}))
            .collect();
        ToolOutput::json(&json!({"result": {"count": entities.len(), "entities": entities}}))
    }
}

struct GetState(Arc<Rest>);

#[async_trait]
impl Tool for GetState {
    fn spec(&self) -> ToolSpec {
        spec(
            "ha_get_state",
            "Get the detailed state of a single Home Assistant entity, including all attributes (brightness, color, temperature setpoint, sensor readings, etc.).",
            json!({"type": "object", "properties": {
                "entity_id": {"type": "string", "description": "The entity ID to query (e.g. 'light.living_room', 'climate.thermostat', 'sensor.temperature')."}
            }, "required": ["entity_id"]}),
        )
    }
    fn toolset(&self) -> &'static str {
        "homeassistant"
    }
    fn emoji(&self) -> &'static str {
        "🏠"
    }
    async fn call(&self, args: Value, _cx: &ToolContext) -> ToolOutput {
        let id = match required(&args, "entity_id", "ha_get_state") {
            Ok(id) => id.trim(),
            Err(e) => return e,
        };
        if !valid_entity_id(id) {
            return ToolOutput::error(format!("Invalid entity_id format: {id}"));
        }
        match self.0.state(id).await {
            Ok(s) => ToolOutput::json(&json!({"result": {
                "entity_id": s["entity_id"], "state": s["state"],
                "attributes": s.get("attributes").cloned().unwrap_or_else(|| json!({})),
                "last_changed": s["last_changed"], "last_updated": s["last_updated"]}})),
            Err(e) => ToolOutput::error(format!("Failed to get state for {id}: {e}")),
        }
    }
}

struct ListServices(Arc<Rest>);

#[async_trait]
impl Tool for ListServices {
    fn spec(&self) -> ToolSpec {
        spec(
            "ha_list_services",
            "List available Home Assistant services (actions) for device control. Shows what actions can be performed on each device type and what parameters they accept. Use this to discover how to control devices found via ha_list_entities.",
            json!({"type": "object", "properties": {
                "domain": {"type": "string", "description": "Filter by domain (e.g. 'light', 'climate', 'switch'). Omit to list services for all domains."}
            }, "required": []}),
        )
    }
    fn toolset(&self) -> &'static str {
        "homeassistant"
    }
    fn emoji(&self) -> &'static str {
        "🏠"
    }
    async fn call(&self, args: Value, _cx: &ToolContext) -> ToolOutput {
        let domain = arg_str(&args, "domain")
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let all = match self.0.services().await {
            Ok(s) => s,
            Err(e) => return ToolOutput::error(format!("Failed to list services: {e}")),
        };
        let domains: Vec<Value> = all
            .iter()
            .filter(|d| domain.is_none_or(|want| d["domain"] == want))
            .map(|d| {
                let mut services = Map::new();
                if let Some(svcs) = d["services"].as_object() {
                    for (name, info) in svcs {
                        let mut entry =
                            json!({"description": info["description"].as_str().unwrap_or("")});
                        if let Some(fields) = info["fields"].as_object().filter(|f| !f.is_empty()) {
                            let compact: Map<String, Value> = fields
                                .iter()
                                .filter(|(_, v)| v.is_object())
                                .map(|(k, v)| {
                                    (k.clone(), json!(v["description"].as_str().unwrap_or("")))
                                })
                                .collect();
                            entry["fields"] = Value::Object(compact);
                        }
                        services.insert(name.clone(), entry);
                    }
                }
                json!({"domain": d["domain"], "services": services})
            })
            .collect();
        ToolOutput::json(&json!({"result": {"count": domains.len(), "domains": domains}}))
    }
}

struct CallService(Arc<Rest>);

/// The service payload: `data` (an object or a JSON string) with `entity_id` on top.
fn service_payload(args: &Value) -> Result<Value, String> {
    let mut payload = match args.get("data") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(Value::String(s)) if s.trim().is_empty() => Map::new(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err("'data' must be a JSON object".into()),
            Err(e) => return Err(format!("Invalid JSON string in 'data' parameter: {e}")),
        },
        Some(_) => return Err("'data' must be a JSON object".into()),
    };
    if let Some(id) = arg_str(args, "entity_id")
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        if !valid_entity_id(id) {
            return Err(format!("Invalid entity_id format: {id}"));
        }
        payload.insert("entity_id".into(), json!(id));
    }
    Ok(Value::Object(payload))
}

#[async_trait]
impl Tool for CallService {
    fn spec(&self) -> ToolSpec {
        spec(
            "ha_call_service",
            "Call a Home Assistant service to control a device. Use ha_list_services to discover available services and their parameters for each domain.",
            json!({"type": "object", "properties": {
                "domain": {"type": "string", "description": "Service domain (e.g. 'light', 'switch', 'climate', 'cover', 'media_player', 'fan', 'scene', 'script')."},
                "service": {"type": "string", "description": "Service name (e.g. 'turn_on', 'turn_off', 'toggle', 'set_temperature', 'open_cover')."},
                "entity_id": {"type": "string", "description": "Target entity ID (e.g. 'light.living_room'). Some services (like scene.turn_on) may not need this."},
                "data": {"type": "string", "description": "Additional service data as a JSON string. Examples: {\"brightness\": 255, \"color_name\": \"blue\"} for lights, {\"temperature\": 22, \"hvac_mode\": \"heat\"} for climate."}
            }, "required": ["domain", "service"]}),
        )
    }
    fn toolset(&self) -> &'static str {
        "homeassistant"
    }
    fn emoji(&self) -> &'static str {
        "🏠"
    }
    async fn call(&self, args: Value, _cx: &ToolContext) -> ToolOutput {
        let (domain, service) = match (arg_str(&args, "domain"), arg_str(&args, "service")) {
            (Some(d), Some(s)) if !d.trim().is_empty() && !s.trim().is_empty() => {
                (d.trim(), s.trim())
            }
            _ => return ToolOutput::error("Missing required parameters: domain and service"),
        };
        if !valid_name(domain) {
            return ToolOutput::error(format!("Invalid domain format: '{domain}'"));
        }
        if !valid_name(service) {
            return ToolOutput::error(format!("Invalid service format: '{service}'"));
        }
        if BLOCKED_DOMAINS.contains(&domain) {
            return ToolOutput::error(format!(
                "Service domain '{domain}' is blocked for security. Blocked domains: {}",
                BLOCKED_DOMAINS.join(", ")
            ));
        }
        let payload = match service_payload(&args) {
            Ok(p) => p,
            Err(e) => return ToolOutput::error(e),
        };
        match self.0.call_service(domain, service, &payload).await {
            Ok(result) => {
                let affected: Vec<Value> = result
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|s| json!({"entity_id": s["entity_id"], "state": s["state"]}))
                            .collect()
                    })
                    .unwrap_or_default();
                ToolOutput::json(&json!({"result": {"success": true,
                    "service": format!("{domain}.{service}"), "affected_entities": affected}}))
            }
            Err(e) => ToolOutput::error(format!("Failed to call {domain}.{service}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_are_validated() {
        assert!(valid_entity_id("input_boolean.test_switch"));
        assert!(!valid_entity_id("light"));
        assert!(!valid_entity_id("light.Kitchen"));
        assert!(!valid_entity_id("../api.x"));
        assert!(valid_name("turn_on"));
        assert!(!valid_name("shell_command/../light"));
        assert!(!valid_name("1abc"));
        assert!(!valid_name(""));
    }

    #[test]
    fn payloads_merge_data_and_entity() {
        let p = service_payload(&json!({"entity_id": "light.k", "data": "{\"brightness\": 5, \"entity_id\": \"light.x\"}"})).unwrap();
        assert_eq!(p, json!({"brightness": 5, "entity_id": "light.k"}));
        assert_eq!(
            service_payload(&json!({"data": {"a": 1}})).unwrap(),
            json!({"a": 1})
        );
        assert!(
            service_payload(&json!({"data": "{nope"}))
                .unwrap_err()
                .starts_with("Invalid JSON")
        );
        assert!(service_payload(&json!({"data": "[1]"})).is_err());
        assert!(service_payload(&json!({"entity_id": "bad id"})).is_err());
    }

    #[test]
    fn tools_appear_only_with_a_token() {
        let mut r = Registry::default();
        register(&mut r, &Env::default());
        assert_eq!(r.names().count(), 0);
        register(&mut r, &Env::from_pairs([("HASS_TOKEN", "t")]));
        let names: Vec<&str> = r.names().collect();
        assert_eq!(
            names,
            [
                "ha_call_service",
                "ha_get_state",
                "ha_list_entities",
                "ha_list_services"
            ]
        );
        let specs = r.specs_for(&["homeassistant".into()]);
        assert_eq!(specs.len(), 4);
        assert!(r.specs_for(&["terminal".into()]).is_empty());
    }
}
