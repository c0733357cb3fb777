//! The CC outbox on SQLite (`cc_outbox`, see `store::cc`): one row per CC, pending until
//! delivered or given up, with the attempt count, when it is next due and the last error.

use super::error::Res;
use super::reads::SqliteConn;
use super::rows::collect;
use crate::model::{AgentId, Millis, SessionId};
use crate::protocol::{CcInfo, CcKind, CcState};
use crate::store::Result;
use crate::store::cc::{CcOutcome, CcRead, CcTx, DueCc, NewCc};
use rusqlite::{Row, params};

const COLUMNS: &str = "id, session_id, agent_id, kind, target, contact, include_notes, state,
    attempts, created_at, updated_at, last_error, doc";

fn info(r: &Row) -> Res<CcInfo> {
    let kind: String = r.get(3)?;
    let state: String = r.get(7)?;
    Ok(CcInfo {
        cc_id: r.get(0)?,
        session_id: r.get(1)?,
        agent_id: r.get(2)?,
        // The columns' CHECKs allow nothing else.
        kind: CcKind::parse(&kind).unwrap_or(CcKind::Email),
        target: r.get(4)?,
        contact: r.get(5)?,
        include_notes: r.get(6)?,
        state: CcState::parse(&state).unwrap_or(CcState::Failed),
        attempts: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        last_error: r.get(11)?,
    })
}

fn due(r: &Row) -> Res<DueCc> {
    Ok(DueCc {
        info: info(r)?,
        doc: r.get(12)?,
    })
}

fn one(c: &rusqlite::Connection, id: i64) -> Res<Option<CcInfo>> {
    let mut stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM cc_outbox WHERE id = ?1"))?;
    Ok(collect(&mut stmt, [id], info)?.pop())
}

impl CcRead for SqliteConn<'_> {
    fn cc_due(&mut self, now: Millis, limit: u32) -> Result<Vec<DueCc>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM cc_outbox WHERE state = 'pending' AND next_at <= ?1
                 ORDER BY next_at, id LIMIT ?2"
            ))?;
            collect(&mut stmt, params![now, limit], due)
        })
    }

    fn cc_count_since(&mut self, agent: AgentId, since: Millis) -> Result<u32> {
        self.run(|c| {
            Ok(c.prepare_cached(
                "SELECT COUNT(*) FROM cc_outbox WHERE agent_id = ?1 AND created_at >= ?2",
            )?
            .query_row(params![agent, since], |r| r.get(0))?)
        })
    }

    fn cc_list(
        &mut self,
        agent: Option<AgentId>,
        session: Option<SessionId>,
        limit: u32,
    ) -> Result<Vec<CcInfo>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM cc_outbox
                 WHERE (?1 IS NULL OR agent_id = ?1) AND (?2 IS NULL OR session_id = ?2)
                 ORDER BY id DESC LIMIT ?3"
            ))?;
            collect(&mut stmt, params![agent, session, limit], info)
        })
    }

    fn cc_pending(&mut self) -> Result<u64> {
        self.run(|c| {
            Ok(
                c.prepare_cached("SELECT COUNT(*) FROM cc_outbox WHERE state = 'pending'")?
                    .query_row([], |r| r.get(0))?,
            )
        })
    }
}

impl CcTx for SqliteConn<'_> {
    fn insert_cc(&mut self, cc: &NewCc) -> Result<i64> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO cc_outbox (session_id, agent_id, kind, target, contact,
                    include_notes, doc, state, attempts, next_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?8, ?8)",
            )?
            .execute(params![
                cc.session_id,
                cc.agent_id,
                cc.kind.as_str(),
                cc.target,
                cc.contact,
                cc.include_notes,
                cc.doc,
                cc.now
            ])?;
            Ok(c.last_insert_rowid())
        })
    }

    fn cc_attempted(
        &mut self,
        id: i64,
        outcome: &CcOutcome,
        now: Millis,
    ) -> Result<Option<CcInfo>> {
        let (error, next_at) = match outcome {
            CcOutcome::Delivered => (None, None),
            CcOutcome::Retry { error, next_at } => (Some(error.as_str()), Some(*next_at)),
            CcOutcome::GaveUp { error } => (Some(error.as_str()), None),
        };
        self.run(|c| {
            let n = c
                .prepare_cached(
                    "UPDATE cc_outbox SET state = ?2, attempts = attempts + 1,
                        next_at = IFNULL(?3, next_at), updated_at = ?4,
                        last_error = IFNULL(?5, last_error)
                     WHERE id = ?1 AND state = 'pending'",
                )?
                .execute(params![id, outcome.state().as_str(), next_at, now, error])?;
            if n == 0 {
                return Ok(None);
            }
            one(c, id)
        })
    }
}
