//! The append-only audit log: administrative actions (a purge, …), with who did them, when, to
//! what, and the details as JSON. Nothing here updates or deletes an entry.

use super::error::Res;
use super::rows::collect;
use crate::model::Millis;
use crate::store::{AuditEntry, StoreError};
use rusqlite::{Connection, params};

/// Appends `e` (its `id` is ignored); `detail` must be a JSON object.
pub(super) fn append(c: &Connection, e: &AuditEntry) -> Res<i64> {
    let detail = if e.detail.trim().is_empty() {
        "{}"
    } else {
        e.detail.as_str()
    };
    if !matches!(
        serde_json::from_str::<serde_json::Value>(detail),
        Ok(serde_json::Value::Object(_))
    ) {
        return Err(StoreError::Invalid(format!(
            "audit detail must be a JSON object, not `{detail}`"
        ))
        .into());
    }
    c.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![e.at, e.actor, e.action, e.target, detail])?;
    Ok(c.last_insert_rowid())
}

/// Entries with `at >= since` (of `action` if given), oldest first, at most `limit`.
pub(super) fn list(
    c: &Connection,
    since: Millis,
    action: Option<&str>,
    limit: u32,
) -> Res<Vec<AuditEntry>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, at, actor, action, target, detail FROM audit_log
         WHERE at >= ?1 AND (?2 IS NULL OR action = ?2) ORDER BY id LIMIT ?3",
    )?;
    collect(&mut stmt, params![since, action, limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            detail: r.get(5)?,
        })
    })
}
