//! A connection's write side as the hub sees it: a bounded queue of frames that never blocks
//! the hub. A client too slow to keep up is disconnected (it resumes by cursor, losing nothing).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Notify, mpsc};

/// Numbers connections for the life of the process.
pub type ConnId = u64;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

pub fn next_conn_id() -> ConnId {
    NEXT_CONN.fetch_add(1, Ordering::Relaxed)
}

/// What the hub can ask a connection to do.
#[derive(Debug)]
pub enum Outgoing {
    Frame(String),
    /// Send a close frame with this code and reason, then end.
    Close(u16, &'static str),
}

#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::Sender<Outgoing>,
    /// Fired when the queue overflowed: the connection closes with 1008.
    kill: Arc<Notify>,
}

impl Outbox {
    /// An outbox holding at most `frames` frames, and the receiving end for the connection task.
    pub fn new(frames: usize) -> (Outbox, mpsc::Receiver<Outgoing>, Arc<Notify>) {
        let (tx, rx) = mpsc::channel(frames.max(16));
        let kill = Arc::new(Notify::new());
        (
            Outbox {
                tx,
                kill: kill.clone(),
            },
            rx,
            kill,
        )
    }

    pub fn send(&self, frame: String) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(Outgoing::Frame(frame)) {
            self.kill.notify_one();
        }
    }

    pub fn close(&self, code: u16, reason: &'static str) {
        if self.tx.try_send(Outgoing::Close(code, reason)).is_err() {
            self.kill.notify_one();
        }
    }
}
