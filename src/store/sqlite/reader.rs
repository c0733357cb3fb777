//! Read-only connections for the [`crate::store::ReadPool`]: reads that run beside the writer
//! (WAL lets readers and one writer work at once) and see only committed data.

use super::error::Ctx;
use super::reads::SqliteConn;
use crate::store::{Read, Reader, Result};
use rusqlite::{Connection, OpenFlags};

pub struct SqliteReader {
    conn: Connection,
    ctx: Ctx,
}

impl SqliteReader {
    pub(super) fn open(ctx: Ctx) -> Result<SqliteReader> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&ctx.path, flags).map_err(|e| ctx.sql(e))?;
        let setup = || -> rusqlite::Result<()> {
            // Belt and braces: even SQL that tries to write is refused.
            conn.pragma_update(None, "query_only", "ON")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.set_prepared_statement_cache_capacity(64);
            Ok(())
        };
        setup().map_err(|e| ctx.sql(e))?;
        Ok(SqliteReader { conn, ctx })
    }
}

impl Reader for SqliteReader {
    fn snapshot(&mut self, f: &mut dyn FnMut(&mut dyn Read) -> Result<()>) -> Result<()> {
        // A job that panicked mid-snapshot leaves its transaction open; end it, or this
        // connection would pin an old snapshot (and block checkpoints) forever.
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let began = self.conn.execute_batch("BEGIN DEFERRED");
        let mut conn = SqliteConn {
            conn: &self.conn,
            ctx: &self.ctx,
            written: None,
        };
        let result = f(&mut conn);
        if let Err(e) = began {
            // The queries ran outside a snapshot and reported their own errors.
            tracing::warn!(error = %e, "a read ran without a snapshot");
            return result;
        }
        let ended = self.conn.execute_batch("COMMIT");
        result.and(ended.map_err(|e| self.ctx.sql(e)))
    }
}
