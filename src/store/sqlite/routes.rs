//! `RouteStore` over `SQLite` (`hermes_routes`), and the one-time import of upstream's routing
//! index (`gateway_routing` in `state.db`, then `sessions/sessions.json`).

use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use super::{Cached as _, Store, db};
use crate::store::clock::{from_epoch, to_epoch};
use crate::store::{Route, RouteStore, StoreError};

const ROUTE_COLS: &str = "session_key, session_id, origin_json, platform, chat_type, \
    display_name, created_at, updated_at, was_auto_reset, auto_reset_reason, resume_pending, \
    model_override_json";

fn route_row(r: &Row<'_>) -> rusqlite::Result<Route> {
    let json = |i: usize| -> rusqlite::Result<Option<Value>> {
        Ok(r.get::<_, Option<String>>(i)?
            .and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(Route {
        session_key: r.get(0)?,
        session_id: r.get(1)?,
        // An origin another version wrote in a shape we cannot read is treated as unknown.
        origin: json(2)?.and_then(|v| serde_json::from_value(v).ok()),
        platform: r.get(3)?,
        chat_type: r.get(4)?,
        display_name: r.get(5)?,
        created_at: from_epoch(r.get(6)?),
        updated_at: from_epoch(r.get(7)?),
        was_auto_reset: r.get::<_, i64>(8)? != 0,
        auto_reset_reason: r.get(9)?,
        resume_pending: r.get::<_, i64>(10)? != 0,
        model_override: json(11)?,
    })
}

/// Upstream writes naive local ISO times (`datetime.now().isoformat()`); newer ones may carry
/// an offset. Anything unreadable becomes `fallback`.
fn parse_time(v: Option<&Value>, tz: &TimeZone, fallback: Timestamp) -> Timestamp {
    let Some(s) = v.and_then(Value::as_str) else {
        return fallback;
    };
    if let Ok(ts) = s.parse::<Timestamp>() {
        return ts;
    }
    s.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(tz.clone()).ok())
        .map_or(fallback, |z| z.timestamp())
}

/// Inserts one upstream `SessionEntry` dict unless the key is already routed.
fn import_entry(
    tx: &Transaction<'_>,
    key: &str,
    entry: &Value,
    tz: &TimeZone,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let Some(obj) = entry.as_object() else {
        return Ok(false);
    };
    let Some(session_id) = obj.get("session_id").and_then(Value::as_str) else {
        return Ok(false);
    };
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    let object = |k: &str| obj.get(k).filter(|v| v.is_object()).map(Value::to_string);
    let n = tx
        .exec_cached(
            &format!(
                "INSERT OR IGNORE INTO hermes_routes ({ROUTE_COLS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ),
            params![
                key,
                session_id,
                object("origin"),
                text("platform"),
                text("chat_type"),
                text("display_name"),
                to_epoch(parse_time(obj.get("created_at"), tz, now)),
                to_epoch(parse_time(obj.get("updated_at"), tz, now)),
                flag("was_auto_reset"),
                text("auto_reset_reason"),
                flag("resume_pending"),
                object("model_override"),
            ],
        )
        .map_err(db("import routes"))?;
    Ok(n == 1)
}

impl Store {
    /// [`RouteStore::route`] on the caller's connection.
    pub(super) fn route_in(
        conn: &rusqlite::Connection,
        session_key: &str,
    ) -> Result<Option<Route>, StoreError> {
        conn.row_cached(
            &format!("SELECT {ROUTE_COLS} FROM hermes_routes WHERE session_key = ?1"),
            [session_key],
            route_row,
        )
        .optional()
        .map_err(db("read a route"))
    }
}

impl RouteStore for Store {
    fn route(&self, session_key: &str) -> Result<Option<Route>, StoreError> {
        Self::route_in(&self.conn(), session_key)
    }

    fn set_route(&self, route: &Route) -> Result<(), StoreError> {
        let origin = route
            .origin
            .as_ref()
            .and_then(|o| serde_json::to_string(o).ok());
        self.conn()
            .exec_cached(
                &format!(
                    "INSERT OR REPLACE INTO hermes_routes ({ROUTE_COLS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ),
                params![
                    route.session_key,
                    route.session_id,
                    origin,
                    route.platform,
                    route.chat_type,
                    route.display_name,
                    to_epoch(route.created_at),
                    to_epoch(route.updated_at),
                    route.was_auto_reset,
                    route.auto_reset_reason,
                    route.resume_pending,
                    route.model_override.as_ref().map(Value::to_string),
                ],
            )
            .map_err(db("write a route"))?;
        Ok(())
    }

    fn touch_route(&self, session_key: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .exec_cached(
                "UPDATE hermes_routes SET updated_at = ?2 WHERE session_key = ?1",
                params![session_key, to_epoch(self.now())],
            )
            .map_err(db("touch a route"))?;
        Ok(n > 0)
    }

    fn routes(&self) -> Result<Vec<Route>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {ROUTE_COLS} FROM hermes_routes ORDER BY updated_at DESC, session_key"
            ))
            .map_err(db("list routes"))?;
        stmt.query_map([], route_row)
            .and_then(Iterator::collect)
            .map_err(db("list routes"))
    }

    fn delete_route(&self, session_key: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .exec_cached(
                "DELETE FROM hermes_routes WHERE session_key = ?1",
                [session_key],
            )
            .map_err(db("delete a route"))?;
        Ok(n > 0)
    }

    fn import_upstream_routes(&self, sessions_json: &Path) -> Result<usize, StoreError> {
        let op = "import routes";
        let now = self.now();
        // Read the file before taking the write lock; a broken file imports nothing (upstream
        // skips it the same way) rather than keeping the gateway from starting.
        let file: Option<Value> = std::fs::read_to_string(sessions_json)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        self.write(op, |tx| {
            let have: i64 = tx
                .row_cached("SELECT COUNT(*) FROM hermes_routes", [], |r| r.get(0))
                .map_err(db(op))?;
            if have > 0 {
                return Ok(0);
            }
            let mut imported = 0;
            let upstream_table: bool = tx
                .row_cached(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gateway_routing'",
                    [],
                    |_| Ok(()),
                )
                .optional()
                .map_err(db(op))?
                .is_some();
            if upstream_table {
                let rows: Vec<(String, String)> = {
                    let mut stmt = tx
                        .prepare(
                            "SELECT session_key, entry_json FROM gateway_routing \
                             ORDER BY updated_at DESC",
                        )
                        .map_err(db(op))?;
                    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                        .and_then(Iterator::collect)
                        .map_err(db(op))?
                };
                for (key, json) in rows {
                    if let Ok(entry) = serde_json::from_str::<Value>(&json)
                        && import_entry(tx, &key, &entry, &self.tz, now)?
                    {
                        imported += 1;
                    }
                }
            }
            if let Some(Value::Object(map)) = &file {
                for (key, entry) in map.iter().filter(|(k, _)| !k.starts_with('_')) {
                    if import_entry(tx, key, entry, &self.tz, now)? {
                        imported += 1;
                    }
                }
            }
            Ok(imported)
        })
    }
}
