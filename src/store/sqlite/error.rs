//! SQLite's errors, kept private: queries return [`SqlError`], which [`Ctx::err`] turns into a
//! backend-neutral [`StoreError`] at the trait boundary, naming the file it concerns.

use crate::store::StoreError;
use rusqlite::ErrorCode;
use std::path::{Path, PathBuf};

/// An error inside the SQLite backend: from SQLite itself, or one of ours.
pub(super) enum SqlError {
    Sql(rusqlite::Error),
    Store(StoreError),
}

pub(super) type Res<T> = std::result::Result<T, SqlError>;

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        SqlError::Sql(e)
    }
}

impl From<StoreError> for SqlError {
    fn from(e: StoreError) -> Self {
        SqlError::Store(e)
    }
}

/// What error messages need to know about the database.
#[derive(Clone)]
pub(super) struct Ctx {
    pub path: PathBuf,
    pub max_bytes: Option<u64>,
}

impl Ctx {
    pub fn err(&self, e: SqlError) -> StoreError {
        match e {
            SqlError::Store(e) => e,
            SqlError::Sql(e) => self.sql(e),
        }
    }

    pub fn sql(&self, e: rusqlite::Error) -> StoreError {
        classify(e, &self.path, self.max_bytes)
    }
}

/// Sorts SQLite's errors into refusals and fatal errors.
fn classify(e: rusqlite::Error, path: &Path, max_bytes: Option<u64>) -> StoreError {
    use rusqlite::Error as E;
    let path = path.to_path_buf();
    match e {
        E::SqliteFailure(f, ref msg) => {
            let detail = msg.clone().unwrap_or_else(|| f.to_string());
            match f.code {
                ErrorCode::DiskFull => StoreError::DiskFull {
                    dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    limit: max_bytes,
                },
                ErrorCode::ConstraintViolation => StoreError::Conflict(detail),
                ErrorCode::TooBig => StoreError::Invalid(detail),
                ErrorCode::ReadOnly
                    if f.extended_code == rusqlite::ffi::SQLITE_READONLY_DBMOVED =>
                {
                    StoreError::Replaced {
                        path,
                        what: crate::store::FileChange::Deleted,
                    }
                }
                ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::FileLockingProtocolFailed
                | ErrorCode::NoLargeFileSupport => StoreError::Io { path, detail },
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                    StoreError::Corrupt { path, detail }
                }
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked { path },
                _ => StoreError::Backend(e.to_string()),
            }
        }
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::InvalidColumnType(..)
        | E::Utf8Error(..) => StoreError::BadRow(e.to_string()),
        other => StoreError::Backend(other.to_string()),
    }
}
