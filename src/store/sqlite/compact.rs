//! `kefu admin compact`: rewrites the database with `VACUUM`, switching it to incremental
//! auto-vacuum on the way (a database created before kefu set that at creation). Only with the
//! data dir to itself (see `dir_lock.rs`): `VACUUM` rewrites the whole file, needs up to twice
//! its size on disk while it runs, and would hold the write lock far longer than a running
//! server's writer waits.

use super::datadir::open_unlocked;
use super::dir_lock::DirLock;
use super::{DB_FILE, error::Ctx};
use crate::store::{Result, StoreOptions};
use std::path::Path;

/// File sizes before and after, in bytes (the WAL included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compacted {
    pub before: u64,
    pub after: u64,
}

pub fn compact(data_dir: &Path) -> Result<Compacted> {
    let _lock = DirLock::exclusive(data_dir)?;
    let db = data_dir.join(DB_FILE);
    let size = || {
        let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        len(&db) + len(Path::new(&wal))
    };
    let store = open_unlocked(data_dir, &StoreOptions::default())?;
    let before = size();
    let ctx = Ctx {
        path: db.clone(),
        max_bytes: None,
    };
    let run = || -> rusqlite::Result<()> {
        store
            .conn
            .pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        store.conn.execute_batch("VACUUM")?;
        store
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    };
    run().map_err(|e| ctx.sql(e))?;
    drop(store);
    Ok(Compacted {
        before,
        after: size(),
    })
}
