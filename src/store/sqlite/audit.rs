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

/// Entries matching `q`, newest or oldest first, at most `q.limit`. A family (`login`) matches
/// itself and every `login.*`: a range on the `(action, id)` index (`.` sorts just before `/`).
pub(super) fn query(c: &Connection, q: &crate::store::AuditQuery) -> Res<Vec<AuditEntry>> {
    let family = q
        .action
        .as_deref()
        .map(|a| (format!("{a}."), format!("{a}/")));
    let (dot, slash) = match &family {
        Some((d, s)) => (Some(d.as_str()), Some(s.as_str())),
        None => (None, None),
    };
    let sql = format!(
        "SELECT id, at, actor, action, target, detail FROM audit_log
         WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2)
           AND (?3 IS NULL OR actor = ?3)
           AND (?4 IS NULL OR action = ?4 OR (action >= ?5 AND action < ?6))
           AND (?7 IS NULL OR id < ?7)
         ORDER BY id {} LIMIT ?8",
        if q.newest_first { "DESC" } else { "ASC" }
    );
    let mut stmt = c.prepare_cached(&sql)?;
    collect(
        &mut stmt,
        params![
            q.since,
            q.until,
            q.actor,
            q.action,
            dot,
            slash,
            q.before_id,
            q.limit
        ],
        |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                detail: r.get(5)?,
            })
        },
    )
}
