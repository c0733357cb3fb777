//! The dashboard's start-up read on SQLite (see `store::dashboard`). Neither `sessions` nor
//! `events` is indexed by time, but both ids grow with time: each is walked newest first and
//! the walk stops at the first row older than the window (with a day's slack for sessions,
//! which may be queued long after they were created, e.g. after the bot).

use super::error::Res;
use super::reads::SqliteConn;
use crate::model::Millis;
use crate::store::Result;
use crate::store::dashboard::{DashboardRead, DashboardSeed, MAX_SEED_ROWS, SeedSession};
use rusqlite::{Connection, params};

const DAY_MS: Millis = 86_400_000;

fn sessions(c: &Connection, since: Millis) -> Res<Vec<SeedSession>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, group_name, queued_at, accepted_at, ended_at, created_at FROM sessions
         ORDER BY id DESC LIMIT ?1",
    )?;
    let mut rows = stmt.query(params![MAX_SEED_ROWS])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let created: Millis = r.get(5)?;
        if created < since - DAY_MS {
            break;
        }
        let queued: Option<Millis> = r.get(2)?;
        if let Some(queued_at) = queued.filter(|q| *q >= since) {
            out.push(SeedSession {
                session_id: r.get(0)?,
                group: r.get(1)?,
                queued_at,
                accepted_at: r.get(3)?,
                ended_at: r.get(4)?,
            });
        }
    }
    Ok(out)
}

fn missed_offers(c: &Connection, since: Millis) -> Res<Vec<(i64, Millis)>> {
    let mut stmt = c.prepare_cached(
        "SELECT agent_id, body, created_at FROM events WHERE agent_id IS NOT NULL
         ORDER BY id DESC LIMIT ?1",
    )?;
    let mut rows = stmt.query(params![MAX_SEED_ROWS])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let at: Millis = r.get(2)?;
        if at < since {
            break;
        }
        let body: String = r.get(1)?;
        // Cheap test first; the JSON decides.
        if !body.contains("offer_withdrawn") {
            continue;
        }
        let timed_out = serde_json::from_str::<serde_json::Value>(&body)
            .map(|v| v["kind"] == "offer_withdrawn" && v["reason"] == "timeout")
            .unwrap_or(false);
        if timed_out {
            out.push((r.get(0)?, at));
        }
    }
    Ok(out)
}

impl DashboardRead for SqliteConn<'_> {
    fn dashboard_seed(&mut self, since: Millis) -> Result<DashboardSeed> {
        self.run(|c| {
            Ok(DashboardSeed {
                sessions: sessions(c, since)?,
                missed_offers: missed_offers(c, since)?,
            })
        })
    }
}
