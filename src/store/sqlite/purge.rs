//! `kefu admin purge`: deletes ended conversations — the session rows, their messages and
//! every event about them — and, for one customer whose conversations are then all gone, the
//! customer, their tokens and their events.
//!
//! The work is cut into steps of one short transaction each, so a purge against a running
//! server never holds the write lock for long: take a batch of conversations; walk the event
//! log from the first event of the batch's oldest conversation in id ranges (events have no
//! index by conversation: one would cost every write), deleting theirs; then delete their
//! messages and rows; repeat. A purge by date (of everyone's conversations) raises
//! `meta.events_floor` past the events it deleted, so a resume from before them gets `reload`,
//! not a replay with holes. A purge of one customer does not: the floor is global, and raising
//! it would make every client's resume a reload; the holes it leaves are exactly the purged
//! conversations' events (their customer is gone; their agents simply no longer see them).

use super::error::Res;
use super::retention::{first_newer_than, set_floor};
use crate::store::{PurgeProgress, PurgeSpec, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

/// Conversations per batch.
const SESSIONS_PER_BATCH: u32 = 200;
/// Event ids walked per step.
const EVENT_IDS_PER_STEP: i64 = 20_000;

/// One step: see [`crate::store::Tx::purge_step`].
pub(super) fn step(c: &Connection, spec: &PurgeSpec, p: &mut PurgeProgress) -> Res<()> {
    if p.finished {
        return Ok(());
    }
    if p.batch.is_empty() {
        refuse_open(c, spec)?;
        return next_batch(c, spec, p);
    }
    let max_id: i64 = c.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?;
    if p.scan_from <= max_id {
        let end = p.scan_from.saturating_add(EVENT_IDS_PER_STEP);
        let list = id_list(&p.batch);
        // The ids are integers read from the database: safe to spell out.
        let top: Option<i64> = c.query_row(
            &format!(
                "SELECT MAX(id) FROM events WHERE id >= ?1 AND id < ?2 AND session_id IN ({list})"
            ),
            params![p.scan_from, end],
            |r| r.get(0),
        )?;
        p.done.events += c.execute(
            &format!("DELETE FROM events WHERE id >= ?1 AND id < ?2 AND session_id IN ({list})"),
            params![p.scan_from, end],
        )? as u64;
        if let Some(top) = top
            && spec.customer.is_none()
        {
            set_floor(c, top + 1)?;
        }
        p.scan_from = end;
        return Ok(());
    }
    for id in std::mem::take(&mut p.batch) {
        p.done.messages += c.execute("DELETE FROM messages WHERE session_id = ?1", [id])? as u64;
        c.execute("DELETE FROM transfers WHERE session_id = ?1", [id])?;
        // Who was @mentioned in its notes (`notes`).
        c.execute("DELETE FROM mentions WHERE session_id = ?1", [id])?;
        // Its CCs: the outbox keeps a copy of the transcript (`cc`).
        c.execute("DELETE FROM cc_outbox WHERE session_id = ?1", [id])?;
        // Its words in the history index (`history`).
        super::history::forget(c, id)?;
        // Whether it was asked for a rating (`reports`).
        c.execute("DELETE FROM session_surveys WHERE session_id = ?1", [id])?;
        p.done.sessions += c.execute("DELETE FROM sessions WHERE id = ?1", [id])? as u64;
    }
    Ok(())
}

/// A customer with an open conversation is not purged: the running server still serves it.
fn refuse_open(c: &Connection, spec: &PurgeSpec) -> Res<()> {
    let Some(customer) = spec.customer else {
        return Ok(());
    };
    let open: Option<i64> = c
        .query_row(
            "SELECT id FROM sessions WHERE customer_id = ?1 AND state <> 'ended' LIMIT 1",
            [customer],
            |r| r.get(0),
        )
        .optional()?;
    match open {
        Some(session) => Err(StoreError::Conflict(format!(
            "customer {customer} has a conversation still open (session {session}); end it \
             first, then purge"
        ))
        .into()),
        None => Ok(()),
    }
}

/// Takes the next batch of conversations, or — none left — deletes the customer (if one was
/// named and nothing of theirs is left) and finishes.
fn next_batch(c: &Connection, spec: &PurgeSpec, p: &mut PurgeProgress) -> Res<()> {
    let rows: Vec<(i64, i64)> = c
        .prepare(
            "SELECT id, created_at FROM sessions WHERE state = 'ended'
             AND COALESCE(ended_at, created_at) < ?1 AND (?2 IS NULL OR customer_id = ?2)
             ORDER BY id LIMIT ?3",
        )?
        .query_map(
            params![spec.before, spec.customer, SESSIONS_PER_BATCH],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(first) = rows.iter().map(|(_, at)| *at).min() {
        p.batch = rows.into_iter().map(|(id, _)| id).collect();
        let (min_id, max_id): (i64, i64) = c.query_row(
            "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // A conversation's events are all from its start on (a minute's slack for a clock
        // that stepped back).
        p.scan_from = if max_id == 0 {
            1
        } else {
            first_newer_than(c, min_id, max_id, first.saturating_sub(60_000))?
        };
        return Ok(());
    }
    if let Some(customer) = spec.customer {
        let left: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE customer_id = ?1)",
            [customer],
            |r| r.get(0),
        )?;
        if !left {
            // The customer's own events are found by their index.
            p.done.events +=
                c.execute("DELETE FROM events WHERE customer_id = ?1", [customer])? as u64;
            c.execute(
                "DELETE FROM integration_customers WHERE customer_id = ?1",
                [customer],
            )?;
            p.done.tokens +=
                c.execute("DELETE FROM tokens WHERE customer_id = ?1", [customer])? as u64;
            p.done.customers +=
                c.execute("DELETE FROM customers WHERE id = ?1", [customer])? as u64;
        }
    }
    p.finished = true;
    Ok(())
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
