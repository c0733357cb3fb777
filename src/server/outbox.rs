//! A connection's write side as the hub sees it: a bounded queue of frames that never blocks
//! the hub. A client too slow to keep up is disconnected (it resumes by cursor, losing nothing).
//! A replay travels as one item, however many events it holds: the connection writes it frame
//! by frame at the pace the client reads, so a resume never overflows the queue by itself.

use crate::metrics::Metrics;
use crate::protocol::{self, ApiError};
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
    /// Replayed event frames, in cursor order: written one by one before anything queued
    /// after them (their number is bounded by `limits.replay_limit`).
    Replay(Vec<String>),
    /// Send a close frame with this code and reason, then end.
    Close(u16, &'static str),
}

#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::Sender<Outgoing>,
    /// Fired when the queue overflowed: the connection closes with 1008.
    kill: Arc<Notify>,
    /// The server's metrics: error replies are counted as they are queued.
    metrics: Arc<Metrics>,
}

impl Outbox {
    /// An outbox holding at most `frames` items, and the receiving end for the connection task.
    pub fn new(
        frames: usize,
        metrics: Arc<Metrics>,
    ) -> (Outbox, mpsc::Receiver<Outgoing>, Arc<Notify>) {
        let (tx, rx) = mpsc::channel(frames.max(16));
        let kill = Arc::new(Notify::new());
        (
            Outbox {
                tx,
                kill: kill.clone(),
                metrics,
            },
            rx,
            kill,
        )
    }

    pub fn send(&self, frame: String) {
        self.push(Outgoing::Frame(frame));
    }

    /// Queues an error reply to request `id`, counted by its code.
    pub fn send_error(&self, id: &serde_json::Value, e: &ApiError) {
        self.metrics.error_reply(e.code);
        self.send(protocol::reply_err(id, e));
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Queues a whole replay as one item.
    pub fn replay(&self, frames: Vec<String>) {
        if !frames.is_empty() {
            self.push(Outgoing::Replay(frames));
        }
    }

    pub fn close(&self, code: u16, reason: &'static str) {
        if self.tx.try_send(Outgoing::Close(code, reason)).is_err() {
            self.kill.notify_one();
        }
    }

    fn push(&self, item: Outgoing) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(item) {
            self.kill.notify_one();
        }
    }
}
