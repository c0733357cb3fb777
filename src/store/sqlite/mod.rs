//! The SQLite backend: WAL, `synchronous=FULL`, foreign keys on, `BEGIN IMMEDIATE` for writes,
//! read-only connections for reads beside the writer. Before and after every write transaction
//! the database file is checked to still be the one opened (see `file_guard.rs`).

mod account;
mod audit;
mod cc_outbox;
mod checkpointer;
mod compact;
mod dashboard;
mod datadir;
mod dir_lock;
mod ending;
mod error;
mod file_guard;
mod history;
mod history_search;
mod integrations;
mod kb;
mod kb_proposals;
mod login;
mod notes;
mod purge;
mod quick_replies;
mod reader;
mod reads;
mod reports;
mod retention;
mod roles;
mod rows;
mod session_rows;
mod totp;
mod transfers;
mod writes;

pub use checkpointer::Checkpointer;
pub use compact::{Compacted, compact};
pub use datadir::{DB_FILE, ID_FILE, open_data_dir};
pub use dir_lock::LOCK_FILE;
pub use reader::SqliteReader;

use super::migrations::MIGRATIONS;
use crate::store::{Reader, Recovered, Result, Store, StoreError, StoreOptions, Tx};
use error::Ctx;
use file_guard::FileGuard;
use reads::SqliteConn;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use session_rows::WrittenSessions;
use std::path::Path;

/// Room a store must be able to write when it opens, so that a full disk (or a database at its
/// size limit) is reported at start-up rather than by the first request.
const HEADROOM_BYTES: i64 = 64 * 1024;

pub struct SqliteStore {
    conn: Connection,
    ctx: Ctx,
    guard: FileGuard,
    written: WrittenSessions,
    /// Copies the WAL into the database beside the writer (dropped after `conn`'s fields
    /// above: the thread is stopped when the store is).
    _checkpoints: checkpointer::Checkpointer,
    /// The data dir's shared lock, when opened through [`open_data_dir`] (dropped last).
    dir_lock: Option<dir_lock::DirLock>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file with default options. Prefer
    /// [`crate::store::open`], which also checks that the data dir holds this database.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &StoreOptions::default())
    }

    /// Opens (creating if needed) the database file, runs pending migrations, and checks that
    /// there is room to write.
    pub fn open_with(path: &Path, options: &StoreOptions) -> Result<Self> {
        let ctx = Ctx {
            path: path.to_path_buf(),
            max_bytes: options.max_bytes,
        };
        let mut conn = Connection::open(path).map_err(|e| ctx.sql(e))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| ctx.sql(e))?;
        if version == 0 {
            // Before the first table (and before WAL mode writes the header), or never: freed
            // pages can then be handed back to the file system a few at a time after a prune
            // (`retention.rs`). A database created before this needs `kefu admin compact`.
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .map_err(|e| ctx.sql(e))?;
        }
        configure(&conn, options.max_bytes).map_err(|e| ctx.sql(e))?;
        if version > MIGRATIONS.len() as i64 {
            // An older kefu would misread a newer schema (e.g. message events without bodies).
            return Err(StoreError::Backend(format!(
                "{} has schema version {version}, newer than this kefu knows ({}): run the \
                 kefu that last used it",
                path.display(),
                MIGRATIONS.len()
            )));
        }
        migrate(&mut conn).map_err(|e| ctx.sql(e))?;
        check_headroom(&conn).map_err(|e| ctx.sql(e))?;
        // After the writes above, so the WAL exists and is recorded too.
        let guard = FileGuard::new(path)?;
        let checkpoints = checkpointer::Checkpointer::start(path).map_err(|e| ctx.sql(e))?;
        Ok(SqliteStore {
            conn,
            ctx,
            guard,
            written: WrittenSessions::default(),
            _checkpoints: checkpoints,
            dir_lock: None,
        })
    }

    /// The id that names this database (kept in its `meta` table); created if missing.
    pub fn database_id(&mut self) -> Result<String> {
        let ctx = &self.ctx;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| ctx.sql(e))?;
        let get = |tx: &Connection| -> rusqlite::Result<Option<String>> {
            tx.query_row(
                "SELECT value FROM meta WHERE key = 'database_id'",
                [],
                |r| r.get(0),
            )
            .optional()
        };
        let id = match get(&tx).map_err(|e| ctx.sql(e))? {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO meta (key, value)
                     VALUES ('database_id', lower(hex(randomblob(16))))",
                    [],
                )
                .map_err(|e| ctx.sql(e))?;
                get(&tx)
                    .map_err(|e| ctx.sql(e))?
                    .ok_or_else(|| StoreError::Backend("the database id was not stored".into()))?
            }
        };
        tx.commit().map_err(|e| ctx.sql(e))?;
        Ok(id)
    }

    pub fn path(&self) -> &Path {
        &self.ctx.path
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()
}

/// Writes (and then removes) [`HEADROOM_BYTES`] in two commits: on a full disk, or at the
/// size limit, opening fails with [`StoreError::DiskFull`] and says so.
fn check_headroom(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('headroom', zeroblob(?1))",
        [HEADROOM_BYTES],
    )?;
    conn.execute("DELETE FROM meta WHERE key = 'headroom'", [])?;
    Ok(())
}

/// Connection settings of the writer.
fn configure(conn: &Connection, max_bytes: Option<u64>) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // The per-message statements, the savepoints and the few session-update shapes all stay
    // prepared.
    conn.set_prepared_statement_cache_capacity(128);
    // 16 MiB of page cache (SQLite's default is 2 MB): the b-tree pages every commit touches
    // (the tails of messages and events, their indexes, the open sessions) stay in memory
    // instead of being read back from the kernel.
    conn.pragma_update(None, "cache_size", -16_000)?;
    // Checkpoints run on their own thread (`checkpointer.rs`); the writer checkpoints itself
    // only past ~64 MiB of WAL (16384 pages; SQLite's default is 1000), as a backstop: under
    // sustained writes the WAL is never wholly copied while the writer keeps appending, and
    // only a checkpoint between two of the writer's commits lets it start over.
    conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
    // Once a checkpoint has reset the WAL, cut it back to 64 MiB: a burst (or a reader that
    // held a checkpoint back) does not leave a huge WAL file on disk for good.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    if let Some(max) = max_bytes {
        let page: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        let pages = (max / page.max(512) as u64).clamp(1, i64::MAX as u64) as i64;
        // SQLite never lowers this below the current size: a database already over the limit
        // is simply full.
        conn.pragma_update(None, "max_page_count", pages)?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.guard.check()?;
        let ctx = &self.ctx;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| ctx.sql(e))?;
        let written = &mut self.written;
        let result = f(&mut SqliteConn {
            conn: &tx,
            ctx,
            written: Some(&mut *written),
        });
        let result = result.and_then(|()| tx.commit().map_err(|e| ctx.sql(e)));
        if result.is_err() {
            // Rolled back: the remembered rows may not be what is stored.
            written.forget_all();
        }
        result?;
        // Committed into a file that is no longer at the path: not durable, so not Ok.
        self.guard.check()
    }

    fn recover(&mut self) -> Result<Recovered> {
        self.guard.check()?;
        let ctx = &self.ctx;
        let tx = self.conn.transaction().map_err(|e| ctx.sql(e))?;
        let recovered = reads::recover(&mut SqliteConn {
            conn: &tx,
            ctx,
            written: None,
        })?;
        tx.commit().map_err(|e| ctx.sql(e))?;
        Ok(recovered)
    }

    fn reader(&self) -> Result<Box<dyn Reader>> {
        let reader = SqliteReader::open(self.ctx.clone())?;
        // The reader opened the file by name: make sure it is still ours.
        self.guard.check()?;
        Ok(Box::new(reader))
    }
}

#[cfg(test)]
mod upgrade_tests;
