//! Retention: the event log is pruned from its oldest end in bounded batches, expired tokens
//! are deleted, and the freed pages are handed back to the file system a few at a time
//! (incremental auto-vacuum). [`prune_floor`] is the one place that decides which events may
//! go; everything below the floor it returns is deleted, so the events kept are always one
//! unbroken run up to the newest, and `meta.events_floor` remembers where that run starts
//! (for resume's "cursor too old", and so that event ids are never handed out twice even when
//! every event is gone).

use super::error::Res;
use crate::model::Millis;
use crate::store::{Pruned, Retention};
use rusqlite::{Connection, OptionalExtension, params};

/// Free pages handed back per prune step (4 KiB each): bounded, like the batch itself.
const VACUUM_PAGES: u32 = 512;

/// How long the HTTP API remembers an idempotency key's answer (`docs/channels.md`): a day,
/// as payment APIs do (`docs/channels.md` asks clients to retry within it).
pub const IDEMPOTENCY_KEEP_MS: Millis = 24 * 3_600_000;

/// The lowest event id that must be kept at `now`: every event below it may be deleted. An
/// event goes when it is older than the window *or* beyond the count; nothing goes without a
/// policy. (A further bound — e.g. events not yet delivered to a webhook — is one more `min`
/// here.)
pub(super) fn prune_floor(c: &Connection, policy: &Retention, now: Millis) -> Res<i64> {
    let (min_id, max_id): (i64, i64) = c
        .prepare_cached("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if max_id == 0 {
        return Ok(0);
    }
    // Nothing below the oldest stored event is left to delete.
    let mut floor = min_id;
    if let Some(age) = policy.max_age_ms {
        floor = floor.max(first_newer_than(
            c,
            min_id,
            max_id,
            now.saturating_sub(age),
        )?);
    }
    if let Some(n) = policy.max_events {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        floor = floor.max(max_id.saturating_sub(n).saturating_add(1));
    }
    // The customer-side events are also the webhooks' outbox: keep every event after the
    // cursor of the integration furthest behind (a quiet integration's cursor follows the
    // head, so only one that has something undelivered holds pruning back).
    let undelivered: Option<i64> = c
        .prepare_cached("SELECT MIN(webhook_cursor) FROM integrations")?
        .query_row([], |r| r.get(0))?;
    if let Some(cursor) = undelivered {
        floor = floor.min(cursor.saturating_add(1));
    }
    Ok(floor.min(max_id + 1))
}

/// The id of the first event created at or after `cutoff` (`max_id + 1` if none): a binary
/// search on ids, since ids are handed out in time order — about 30 index lookups, however long
/// the log, where a scan for `created_at` would read every old row.
pub(super) fn first_newer_than(
    c: &Connection,
    min_id: i64,
    max_id: i64,
    cutoff: Millis,
) -> Res<i64> {
    let mut first_at =
        c.prepare_cached("SELECT id, created_at FROM events WHERE id >= ?1 ORDER BY id LIMIT 1")?;
    let mut row = |from: i64| -> Res<Option<(i64, Millis)>> {
        Ok(first_at
            .query_row([from], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    };
    let is_new = |row: Option<(i64, Millis)>| row.is_none_or(|(_, at)| at >= cutoff);
    if is_new(row(min_id)?) {
        return Ok(min_id);
    }
    if !is_new(row(max_id)?) {
        return Ok(max_id + 1);
    }
    // The first row at or after `lo` is old, the first at or after `hi` is new.
    let (mut lo, mut hi) = (min_id, max_id);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if is_new(row(mid)?) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(row(hi)?.map_or(max_id + 1, |(id, _)| id))
}

/// One bounded step: see [`crate::store::Tx::prune`].
pub(super) fn prune(
    c: &Connection,
    policy: &Retention,
    now: Millis,
    batch: u32,
    keep_tokens: &[String],
) -> Res<Pruned> {
    let batch = batch.max(1);
    let floor = prune_floor(c, policy, now)?;
    // The `batch`-th oldest event below the floor, if there are that many: delete up to it.
    let last: Option<i64> = c
        .prepare_cached("SELECT id FROM events WHERE id < ?1 ORDER BY id LIMIT 1 OFFSET ?2")?
        .query_row(params![floor, batch - 1], |r| r.get(0))
        .optional()?;
    let upto = last.map_or(floor, |id| id + 1);
    let events = c
        .prepare_cached("DELETE FROM events WHERE id < ?1")?
        .execute([upto])? as u64;
    let mut stored_floor = stored_floor(c)?;
    if events > 0 && upto > stored_floor {
        set_floor(c, upto)?;
        stored_floor = upto;
    }
    let tokens = prune_tokens(c, now, batch, keep_tokens)?;
    let idempotency_keys =
        c.prepare_cached(
            "DELETE FROM api_idempotency WHERE rowid IN (SELECT rowid FROM api_idempotency
             WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)",
        )?
        .execute(params![now.saturating_sub(IDEMPOTENCY_KEEP_MS), batch])? as u64;
    let oldest: Option<(i64, Millis)> = c
        .prepare_cached("SELECT id, created_at FROM events ORDER BY id LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let pages_freed = if events > 0 || tokens > 0 || idempotency_keys > 0 {
        vacuum_some(c, VACUUM_PAGES)?
    } else {
        0
    };
    Ok(Pruned {
        events,
        tokens,
        idempotency_keys,
        floor: stored_floor,
        oldest,
        pages_freed,
        more: last.is_some_and(|id| id + 1 < floor)
            || tokens >= u64::from(batch)
            || idempotency_keys >= u64::from(batch),
    })
}

/// Deletes up to `batch` tokens that expired at or before `now` (a token is usable only while
/// `expires_at > now`), oldest expiry first, except those live connections hold.
fn prune_tokens(c: &Connection, now: Millis, batch: u32, keep: &[String]) -> Res<u64> {
    let mut stmt = c.prepare_cached(
        "SELECT hash FROM tokens WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2",
    )?;
    let want = i64::from(batch).saturating_add(keep.len() as i64);
    let expired: Vec<String> = stmt
        .query_map(params![now, want], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let keep: std::collections::HashSet<&str> = keep.iter().map(String::as_str).collect();
    let mut delete = c.prepare_cached("DELETE FROM tokens WHERE hash = ?1")?;
    let mut n = 0u64;
    for hash in expired
        .iter()
        .filter(|h| !keep.contains(h.as_str()))
        .take(batch as usize)
    {
        n += delete.execute([hash])? as u64;
    }
    Ok(n)
}

/// `meta.events_floor`: every event below it has been deleted (0 when none ever was).
pub(super) fn stored_floor(c: &Connection) -> Res<i64> {
    Ok(c.prepare_cached(
        "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta
                WHERE key = 'events_floor'), 0)",
    )?
    .query_row([], |r| r.get(0))?)
}

/// Raises `meta.events_floor` to `floor` (never lowers it).
pub(super) fn set_floor(c: &Connection, floor: i64) -> Res<()> {
    c.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('events_floor', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value
         WHERE CAST(meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
    )?
    .execute([floor.to_string()])?;
    Ok(())
}

/// Hands up to `pages` free pages back to the file system, if the database was created with
/// incremental auto-vacuum (databases from before it need `kefu admin compact` once). Returns
/// how many it freed.
pub(super) fn vacuum_some(c: &Connection, pages: u32) -> Res<u64> {
    let mode: i64 = c.pragma_query_value(None, "auto_vacuum", |r| r.get(0))?;
    if mode != 2 {
        return Ok(0);
    }
    let before: i64 = c.pragma_query_value(None, "freelist_count", |r| r.get(0))?;
    if before == 0 {
        return Ok(0);
    }
    // Runs to completion through its rows; each row is one step.
    let mut stmt = c.prepare(&format!("PRAGMA incremental_vacuum({pages})"))?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    drop(rows);
    let after: i64 = c.pragma_query_value(None, "freelist_count", |r| r.get(0))?;
    Ok(u64::try_from(before - after).unwrap_or(0))
}

#[cfg(test)]
mod tests;
