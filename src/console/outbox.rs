//! The console's outbox on disk: replies the server has not acknowledged yet, kept in the data
//! directory per server and user so they survive a quit or a crash and are sent after the next
//! sign-in with their original `client_msg_id` (the server stores each once).
//!
//! The file is rewritten whole on every change, atomically (temp file, fsync, rename), and is
//! bounded ([`MAX_ENTRIES`], [`MAX_FILE_BYTES`]). A file that cannot be read back is renamed
//! aside (`*.corrupt-<ms>`) and reported, never a reason to crash or to refuse to start.

use crate::model::Millis;
use crate::protocol::request::SendMessage;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// At most this many unacknowledged messages are kept; more are refused at once.
pub const MAX_ENTRIES: usize = 500;
/// A file larger than this is not read (it cannot have been written by us).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One `message.send` waiting for its acknowledgement: the request itself (stored as its
/// fields, `session_id`, `client_msg_id`, `body`) and when it was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingSend {
    #[serde(flatten)]
    pub message: SendMessage,
    /// When the agent sent it (shown as the message time until the server's copy arrives).
    pub queued_at: Millis,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("cannot write the outbox {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the outbox {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Unreadable content; the file was moved to `aside` (when that worked).
    #[error("the outbox {path} is damaged ({reason}); it was set aside as {aside}")]
    Corrupt {
        path: PathBuf,
        reason: String,
        aside: String,
    },
    #[error("the outbox is full ({MAX_ENTRIES} messages wait for the server)")]
    Full,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    server: String,
    username: String,
    messages: Vec<PendingSend>,
}

/// The outbox file of one server + user.
#[derive(Debug, Clone)]
pub struct OutboxFile {
    path: PathBuf,
    server: String,
    username: String,
}

impl OutboxFile {
    /// `<dir>/outbox-<hash of server and user>.json`: one file per account, and no user text
    /// in file names.
    pub fn new(dir: &Path, server: &str, username: &str) -> OutboxFile {
        let mut h = Sha256::new();
        h.update(server.as_bytes());
        h.update([0]);
        h.update(username.as_bytes());
        let hex: String = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        OutboxFile {
            path: dir.join(format!("outbox-{hex}.json")),
            server: server.to_string(),
            username: username.to_string(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the file holds; empty when there is none. A damaged file is set aside and
    /// reported as [`OutboxError::Corrupt`].
    pub fn load(&self) -> Result<Vec<PendingSend>, OutboxError> {
        let read_err = |source| OutboxError::Read {
            path: self.path.clone(),
            source,
        };
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(read_err(e)),
        };
        if meta.len() > MAX_FILE_BYTES {
            return Err(self.set_aside(format!("{} bytes, more than the limit", meta.len())));
        }
        let text = std::fs::read(&self.path).map_err(read_err)?;
        let file: File = match serde_json::from_slice(&text) {
            Ok(f) => f,
            Err(e) => return Err(self.set_aside(e.to_string())),
        };
        if file.version != 1 || file.server != self.server || file.username != self.username {
            return Err(self.set_aside("written for another account or version".into()));
        }
        let mut messages = file.messages;
        messages.truncate(MAX_ENTRIES);
        Ok(messages)
    }

    /// Replaces the file with `messages` (removes it when empty).
    pub fn save(&self, messages: &[PendingSend]) -> Result<(), OutboxError> {
        let write_err = |source| OutboxError::Write {
            path: self.path.clone(),
            source,
        };
        if messages.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(write_err(e)),
                _ => Ok(()),
            };
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let file = File {
            version: 1,
            server: self.server.clone(),
            username: self.username.clone(),
            messages: messages.to_vec(),
        };
        let bytes = serde_json::to_vec(&file).map_err(|e| write_err(e.into()))?;
        let tmp = self.path.with_extension("json.tmp");
        let mut f = std::fs::File::create(&tmp).map_err(write_err)?;
        f.write_all(&bytes).map_err(write_err)?;
        // On disk before it replaces the old file, so a power cut leaves one or the other.
        f.sync_all().map_err(write_err)?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(write_err)
    }

    /// Moves a damaged file out of the way so the next save starts clean.
    fn set_aside(&self, reason: String) -> OutboxError {
        let aside = self
            .path
            .with_extension(format!("json.corrupt-{}", crate::model::now_ms()));
        let aside = match std::fs::rename(&self.path, &aside) {
            Ok(()) => aside.display().to_string(),
            Err(e) => format!("(could not move it: {e})"),
        };
        OutboxError::Corrupt {
            path: self.path.clone(),
            reason,
            aside,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(n: usize) -> PendingSend {
        PendingSend {
            message: SendMessage {
                session_id: 7,
                client_msg_id: format!("c-{n}"),
                body: format!("message {n}"),
            },
            queued_at: 1_000 + n as i64,
        }
    }

    #[test]
    fn saves_and_loads_in_order_and_removes_the_file_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        let f = OutboxFile::new(dir.path(), "ws://h:1/ws/agent", "alice");
        assert_eq!(f.load().unwrap(), vec![]);
        let msgs: Vec<PendingSend> = (0..3).map(msg).collect();
        f.save(&msgs).unwrap();
        assert_eq!(f.load().unwrap(), msgs);
        // No temp file is left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        f.save(&[]).unwrap();
        assert!(!f.path().exists());
    }

    #[test]
    fn each_message_is_kept_as_its_request_fields_and_read_back_as_the_request() {
        let dir = tempfile::tempdir().unwrap();
        let f = OutboxFile::new(dir.path(), "ws://h:1/ws/agent", "alice");
        f.save(&[msg(1)]).unwrap();
        let on_disk: serde_json::Value =
            serde_json::from_slice(&std::fs::read(f.path()).unwrap()).unwrap();
        assert_eq!(
            on_disk["messages"][0],
            serde_json::json!({"session_id": 7, "client_msg_id": "c-1", "body": "message 1", "queued_at": 1001})
        );
        // A file as written by earlier versions (the same fields) reads back typed.
        let text = r#"{"version":1,"server":"ws://h:1/ws/agent","username":"alice","messages":[{"session_id":3,"client_msg_id":"x","body":"hé","queued_at":5}]}"#;
        std::fs::write(f.path(), text).unwrap();
        let loaded = f.load().unwrap();
        assert_eq!(
            loaded[0].message,
            SendMessage {
                session_id: 3,
                client_msg_id: "x".into(),
                body: "hé".into()
            }
        );
        // A message without its body is not a message: the file is set aside, not half-read.
        let text = r#"{"version":1,"server":"ws://h:1/ws/agent","username":"alice","messages":[{"session_id":3,"client_msg_id":"x","queued_at":5}]}"#;
        std::fs::write(f.path(), text).unwrap();
        assert!(matches!(f.load(), Err(OutboxError::Corrupt { .. })));
    }

    #[test]
    fn accounts_do_not_share_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = OutboxFile::new(dir.path(), "ws://h:1/ws/agent", "alice");
        let b = OutboxFile::new(dir.path(), "ws://h:1/ws/agent", "bob");
        let c = OutboxFile::new(dir.path(), "ws://other:1/ws/agent", "alice");
        assert_ne!(a.path(), b.path());
        assert_ne!(a.path(), c.path());
        a.save(&[msg(1)]).unwrap();
        assert_eq!(b.load().unwrap(), vec![]);
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let f = OutboxFile::new(dir.path(), "ws://h:1/ws/agent", "alice");
        std::fs::write(f.path(), b"{\"version\":1,\"messa").unwrap();
        let err = f.load().unwrap_err();
        assert!(matches!(err, OutboxError::Corrupt { .. }), "{err}");
        assert!(!f.path().exists(), "moved out of the way");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1);
        // The next start is clean, and saving works again.
        assert_eq!(f.load().unwrap(), vec![]);
        f.save(&[msg(1)]).unwrap();
        assert_eq!(f.load().unwrap(), vec![msg(1)]);
    }

    #[test]
    fn a_file_for_another_account_or_too_large_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let a = OutboxFile::new(dir.path(), "ws://h:1/ws/agent", "alice");
        a.save(&[msg(1)]).unwrap();
        // Same name, other account inside (as if copied): refused.
        let mallory = OutboxFile {
            path: a.path().to_path_buf(),
            server: "ws://h:1/ws/agent".into(),
            username: "mallory".into(),
        };
        assert!(matches!(mallory.load(), Err(OutboxError::Corrupt { .. })));
        let big = std::fs::File::create(a.path()).unwrap();
        big.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(a.load(), Err(OutboxError::Corrupt { .. })));
    }
}
