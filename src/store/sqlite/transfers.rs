//! The transfer record on SQLite (see `store::transfers`): one row per transfer, read back by
//! session or by time for reports.

use super::error::Res;
use super::reads::SqliteConn;
use super::rows::collect;
use crate::model::{Millis, SessionId};
use crate::store::Result;
use crate::store::transfers::{TransferRead, TransferRecord, TransferTx};
use rusqlite::{Row, params};

const COLUMNS: &str = "id, session_id, by_agent, from_agent, from_group, to_agent, to_group, note,
    queued, at";

fn record(r: &Row) -> Res<TransferRecord> {
    Ok(TransferRecord {
        id: r.get(0)?,
        session_id: r.get(1)?,
        by_agent: r.get(2)?,
        from_agent: r.get(3)?,
        from_group: r.get(4)?,
        to_agent: r.get(5)?,
        to_group: r.get(6)?,
        note: r.get(7)?,
        queued: r.get(8)?,
        at: r.get(9)?,
    })
}

impl TransferRead for SqliteConn<'_> {
    fn transfers_of(&mut self, session: SessionId) -> Result<Vec<TransferRecord>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM transfers WHERE session_id = ?1 ORDER BY id"
            ))?;
            collect(&mut stmt, [session], record)
        })
    }

    fn transfers_since(&mut self, since: Millis, limit: u32) -> Result<Vec<TransferRecord>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM transfers WHERE at >= ?1 ORDER BY at, id LIMIT ?2"
            ))?;
            collect(&mut stmt, params![since, limit], record)
        })
    }
}

impl TransferTx for SqliteConn<'_> {
    fn record_transfer(&mut self, t: &TransferRecord) -> Result<i64> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO transfers (session_id, by_agent, from_agent, from_group, to_agent,
                    to_group, note, queued, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                t.session_id,
                t.by_agent,
                t.from_agent,
                t.from_group,
                t.to_agent,
                t.to_group,
                t.note,
                t.queued,
                t.at
            ])?;
            Ok(c.last_insert_rowid())
        })
    }
}
