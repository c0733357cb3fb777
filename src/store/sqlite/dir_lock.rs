//! The data dir's lock file, `kefu.lock`: every store opened on the dir (the server, each
//! `kefu admin` command) holds a shared lock on it for as long as it is open, and
//! `kefu admin compact` takes it exclusively, so a compaction (which rewrites the whole file)
//! never runs beside a server, and a server does not start during one. Advisory (`flock`):
//! released by the kernel when the process ends, however it ends.

use crate::store::{Result, StoreError};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

pub const LOCK_FILE: &str = "kefu.lock";

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Shares the dir with other stores; fails while a compaction holds it.
    pub fn shared(data_dir: &Path) -> Result<DirLock> {
        Self::take(data_dir, false)
    }

    /// Has the dir alone; fails while anything else has it open.
    pub fn exclusive(data_dir: &Path) -> Result<DirLock> {
        Self::take(data_dir, true)
    }

    fn take(data_dir: &Path, exclusive: bool) -> Result<DirLock> {
        let path = data_dir.join(LOCK_FILE);
        let io = |detail: String| StoreError::Io {
            path: path.clone(),
            detail,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io(e.to_string()))?;
        let taken = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match taken {
            Ok(()) => Ok(DirLock { _file: file }),
            Err(TryLockError::WouldBlock) if exclusive => Err(io(
                "the data dir is in use (a running kefu server or another kefu admin command); \
                 stop it first"
                    .into(),
            )),
            Err(TryLockError::WouldBlock) => Err(io(
                "`kefu admin compact` is rewriting this data dir; try again when it is done".into(),
            )),
            Err(TryLockError::Error(e)) => Err(io(format!("cannot lock: {e}"))),
        }
    }
}
