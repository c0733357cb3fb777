//! The data dir: `kefu.db` plus `kefu.id`, a marker holding the id of the database that lives
//! there (the same id is in the database's `meta` table). With the marker, a missing or empty
//! `kefu.db` is recognised as lost data rather than a new install, and a database copied in
//! from elsewhere is refused instead of silently served.

use super::SqliteStore;
use crate::store::{Result, StoreError, StoreOptions};
use std::io::Write;
use std::path::Path;

pub const DB_FILE: &str = "kefu.db";
pub const ID_FILE: &str = "kefu.id";

/// Opens `data_dir/kefu.db`. A fresh database is created only when the dir has no marker yet
/// (a new data dir); the marker is then written. Refuses a missing or empty database next to a
/// marker ([`StoreError::Missing`]) and a database whose id is not the marker's
/// ([`StoreError::WrongDatabase`]). A database from before markers gets one.
pub fn open_data_dir(data_dir: &Path, options: &StoreOptions) -> Result<SqliteStore> {
    create_dir(data_dir)?;
    let lock = super::dir_lock::DirLock::shared(data_dir)?;
    let mut store = open_unlocked(data_dir, options)?;
    store.dir_lock = Some(lock);
    Ok(store)
}

fn create_dir(data_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Io {
        path: data_dir.to_path_buf(),
        detail: format!("cannot create the data dir: {e}"),
    })
}

/// [`open_data_dir`] for a caller that already holds the dir's lock (`kefu admin compact`).
pub(super) fn open_unlocked(data_dir: &Path, options: &StoreOptions) -> Result<SqliteStore> {
    let io = |path: &Path, e: std::io::Error| StoreError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let db = data_dir.join(DB_FILE);
    let marker = data_dir.join(ID_FILE);
    let expected = read_marker(&marker)?;
    let db_len = match std::fs::metadata(&db) {
        Ok(m) => Some(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(&db, e)),
    };
    if expected.is_some() && db_len.unwrap_or(0) == 0 {
        return Err(StoreError::Missing {
            path: db,
            marker,
            empty: db_len.is_some(),
        });
    }
    let mut store = SqliteStore::open_with(&db, options)?;
    let found = store.database_id()?;
    match expected {
        Some(expected) if expected != found => Err(StoreError::WrongDatabase {
            path: db,
            marker,
            expected,
            found,
        }),
        Some(_) => Ok(store),
        None => {
            write_marker(data_dir, &marker, &found).map_err(|e| io(&marker, e))?;
            Ok(store)
        }
    }
}

/// The database id a marker holds; `None` when there is no marker.
fn read_marker(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let id = text.trim();
            if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(Some(id.to_ascii_lowercase()))
            } else {
                Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "it does not hold a database id (32 hex digits); if kefu.db is \
                             the right database, remove this file and kefu writes it anew"
                        .into(),
                })
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
    }
}

/// Writes the marker atomically (temporary file, fsync, rename, fsync of the dir), so a crash
/// leaves either no marker or a whole one.
fn write_marker(dir: &Path, marker: &Path, id: &str) -> std::io::Result<()> {
    let tmp = marker.with_extension("id.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(format!("{id}\n").as_bytes())?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, marker)?;
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
