//! Noticing that the database file was deleted or replaced under a running store. SQLite keeps
//! writing to the file it opened, so without this check a deleted `kefu.db` would go on
//! acknowledging writes that vanish at the next restart.

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

/// The identity of the database file as it was when the store opened it.
pub(super) struct FileGuard {
    path: PathBuf,
    id: FileId,
}

impl FileGuard {
    pub fn new(path: &Path) -> Result<FileGuard> {
        let m = std::fs::metadata(path).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Ok(FileGuard {
            path: path.to_path_buf(),
            id: file_id(&m),
        })
    }

    /// Fails (fatally) unless the path still names the opened file, with content. One `stat`.
    pub fn check(&self) -> Result<()> {
        let changed = |what| StoreError::Replaced {
            path: self.path.clone(),
            what,
        };
        match std::fs::metadata(&self.path) {
            Ok(m) if file_id(&m) != self.id => Err(changed(FileChange::Replaced)),
            // An open database file always holds at least its header page.
            Ok(m) if m.len() == 0 => Err(changed(FileChange::Truncated)),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(changed(FileChange::Deleted)),
            Err(e) => Err(StoreError::Io {
                path: self.path.clone(),
                detail: e.to_string(),
            }),
        }
    }
}
