//! Noticing that the database file (or its WAL) was deleted or replaced under a running store.
//! SQLite keeps writing to the files it opened, so without this check a deleted `kefu.db`
//! would go on acknowledging writes that vanish at the next restart.

use crate::store::{FileChange, Result, StoreError};
use std::path::{Path, PathBuf};

/// Which file a path names: device and inode (on Unix; elsewhere only existence is checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId {
        dev: m.dev(),
        ino: m.ino(),
    }
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> FileId {
    FileId { dev: 0, ino: 0 }
}

/// `kefu.db` → `kefu.db-wal`.
fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// The identity of the database file and its WAL as they were when the store opened them.
pub(super) struct FileGuard {
    path: PathBuf,
    id: FileId,
    wal: Option<(PathBuf, FileId)>,
}

impl FileGuard {
    /// Records the files' identities; call once the store has written (so the WAL exists).
    pub fn new(path: &Path) -> Result<FileGuard> {
        let m = std::fs::metadata(path).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let wal = wal_path(path);
        let wal_id = std::fs::metadata(&wal).ok().map(|m| file_id(&m));
        Ok(FileGuard {
            path: path.to_path_buf(),
            id: file_id(&m),
            wal: wal_id.map(|id| (wal, id)),
        })
    }

    /// Fails (fatally) unless the paths still name the opened files, the database with
    /// content. Two `stat`s.
    pub fn check(&self) -> Result<()> {
        let result = check_one(&self.path, self.id, true);
        let result = match (&result, &self.wal) {
            (Ok(()), Some((wal, id))) => check_one(wal, *id, false),
            _ => result,
        };
        if let Err(StoreError::Replaced { .. }) = &result {
            self.set_wal_aside();
        }
        result
    }

    /// Renames our WAL out of the way once the database is gone: SQLite would otherwise apply
    /// it to whatever file is put at the path next (a backup, say) and corrupt it. Kept, not
    /// deleted: it holds the last commits of the lost database.
    fn set_wal_aside(&self) {
        let Some((wal, id)) = &self.wal else { return };
        let ours = std::fs::metadata(wal).is_ok_and(|m| file_id(&m) == *id);
        if !ours {
            return;
        }
        let mut aside = wal.as_os_str().to_owned();
        aside.push(format!(".orphaned-{}", crate::model::now_ms()));
        match std::fs::rename(wal, &aside) {
            Ok(()) => tracing::error!(
                wal = %wal.display(),
                kept_as = %PathBuf::from(aside).display(),
                "the database file is gone; its WAL was set aside"
            ),
            Err(e) => tracing::error!(wal = %wal.display(), error = %e, "cannot set the WAL aside"),
        }
    }
}

fn check_one(path: &Path, id: FileId, must_have_content: bool) -> Result<()> {
    let changed = |what| StoreError::Replaced {
        path: path.to_path_buf(),
        what,
    };
    match std::fs::metadata(path) {
        Ok(m) if file_id(&m) != id => Err(changed(FileChange::Replaced)),
        // An open database file always holds at least its header page.
        Ok(m) if must_have_content && m.len() == 0 => Err(changed(FileChange::Truncated)),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(changed(FileChange::Deleted)),
        Err(e) => Err(StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
    }
}
