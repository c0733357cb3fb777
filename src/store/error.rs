//! [`StoreError`]: what can go wrong in storage, in terms the server can act on without knowing
//! the backend. Refusals (`Conflict`, `NotFound`, …) fail one request and leave the store
//! healthy; fatal errors (`is_fatal`) mean the store can no longer promise durability, so the
//! server stops acknowledging anything.

use std::path::PathBuf;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    // ---- Refusals: this request cannot be done; the store is fine. ----
    /// A uniqueness rule would be broken (username, shortcut, message idempotency key, …).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// A value the backend cannot store (e.g. too big).
    #[error("{0}")]
    Invalid(String),
    /// A stored row could not be decoded (a value outside the known set).
    #[error("unreadable row: {0}")]
    BadRow(String),
    /// The read queue is full; try again shortly (the server answers `rate_limited`).
    #[error("too many reads are waiting; try again shortly")]
    Busy,

    // ---- Fatal: the store cannot promise that what it acknowledges is on disk. ----
    /// The disk is full, or the database reached its configured size limit.
    #[error("{}", disk_full_message(dir, *limit))]
    DiskFull {
        /// The directory holding the database.
        dir: PathBuf,
        /// The configured size limit (`max_bytes`), if there is one.
        limit: Option<u64>,
    },
    #[error("I/O error on {}: {detail}", path.display())]
    Io { path: PathBuf, detail: String },
    /// The database file no longer is the file the store opened.
    #[error(
        "the database file {} was {what} while kefu was running: kefu stops so that nothing \
         more is acknowledged. Put the original file back (or restore a backup) and restart",
        path.display()
    )]
    Replaced { path: PathBuf, what: FileChange },
    /// The data dir held a database (its id file says so) but the database file is gone.
    #[error(
        "{} is {}, but {} shows this data dir held a kefu database: kefu will not start empty \
         in its place. Restore kefu.db (and kefu.db-wal, if you have it) from a backup; or, to \
         start with an empty database deliberately, remove {}",
        path.display(),
        if *empty { "empty (0 bytes)" } else { "missing" },
        marker.display(),
        marker.display()
    )]
    Missing {
        path: PathBuf,
        marker: PathBuf,
        empty: bool,
    },
    /// The database file is not the database this data dir held.
    #[error(
        "{} is database {found}, but {} says this data dir holds database {expected}: another \
         database was put in its place. Put the right kefu.db back; or, if this one is meant \
         to be used here, remove {}",
        path.display(),
        marker.display(),
        marker.display()
    )]
    WrongDatabase {
        path: PathBuf,
        marker: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{} is corrupt: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
    /// Another process holds the database's write lock for too long.
    #[error(
        "the database {} is locked by another process (is another kefu server using this data \
         dir?)",
        path.display()
    )]
    Locked { path: PathBuf },
    /// Anything else the backend reports; treated as fatal because its effect is unknown.
    #[error("database: {0}")]
    Backend(String),
    /// The writer (or read pool) has stopped.
    #[error("the store is shut down")]
    Closed,
}

/// How the database file changed under a running store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    Deleted,
    /// Another file now has its name (e.g. a copy moved over it).
    Replaced,
    /// Cut to zero bytes.
    Truncated,
}

impl std::fmt::Display for FileChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileChange::Deleted => "deleted",
            FileChange::Replaced => "replaced by another file",
            FileChange::Truncated => "truncated",
        })
    }
}

impl StoreError {
    /// True when the store can no longer be trusted to write: the server must stop
    /// acknowledging. False for refusals, which fail one request only.
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            StoreError::Conflict(_)
                | StoreError::NotFound(_)
                | StoreError::Invalid(_)
                | StoreError::BadRow(_)
                | StoreError::Busy
        )
    }
}

fn disk_full_message(dir: &std::path::Path, limit: Option<u64>) -> String {
    match limit {
        None => format!(
            "the disk holding {} is full: free some space there, then restart kefu",
            dir.display()
        ),
        Some(n) => format!(
            "the database in {} is full: it reached its size limit of {n} bytes (max_bytes) or \
             the disk holding it is full; raise the limit or free space, then restart kefu",
            dir.display()
        ),
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
