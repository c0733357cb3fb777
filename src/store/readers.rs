//! [`ReadPool`]: a few threads, each owning a read-only [`Reader`], running read jobs from one
//! bounded queue, so transcripts, knowledge-base searches, history and reports never wait for
//! (or delay) the writer. A full queue is refused at once (`Busy`) instead of growing.

use super::{Read, Reader, Result, Store, StoreError, StoreOptions};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A read job: runs once on one snapshot of the committed data.
pub type ReadJob = Box<dyn FnOnce(&mut dyn Read) + Send>;

pub struct ReadPool {
    queue: Option<SyncSender<ReadJob>>,
    threads: Vec<JoinHandle<()>>,
}

impl ReadPool {
    /// Opens `options.readers` readers on `store` and starts their threads.
    pub fn open(store: &dyn Store, options: &StoreOptions) -> Result<ReadPool> {
        let readers = (0..options.readers.max(1))
            .map(|_| store.reader())
            .collect::<Result<Vec<_>>>()?;
        ReadPool::new(readers, options.read_queue)
            .map_err(|e| StoreError::Backend(format!("cannot start the read threads: {e}")))
    }

    /// One thread per reader; at most `queue` jobs wait (at least one).
    pub fn new(readers: Vec<Box<dyn Reader>>, queue: usize) -> std::io::Result<ReadPool> {
        let (tx, rx) = mpsc::sync_channel::<ReadJob>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(readers.len());
        for (i, reader) in readers.into_iter().enumerate() {
            let rx = rx.clone();
            let thread = std::thread::Builder::new()
                .name(format!("kefu-read-{i}"))
                .spawn(move || serve(reader, &rx));
            match thread {
                Ok(t) => threads.push(t),
                Err(e) => {
                    // Dropping the sender lets the threads already started end.
                    drop(tx);
                    for t in threads {
                        let _ = t.join();
                    }
                    return Err(e);
                }
            }
        }
        Ok(ReadPool {
            queue: Some(tx),
            threads,
        })
    }

    /// Queues a read. `Busy` when the queue is full, `Closed` when no reader is left; either
    /// way the job is dropped unrun.
    pub fn submit(&self, job: impl FnOnce(&mut dyn Read) + Send + 'static) -> Result<()> {
        let Some(queue) = &self.queue else {
            return Err(StoreError::Closed);
        };
        match queue.try_send(Box::new(job)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(StoreError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(StoreError::Closed),
        }
    }
}

/// Dropping the pool runs the jobs already queued, then joins the threads.
impl Drop for ReadPool {
    fn drop(&mut self) {
        self.queue = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// One reader thread: takes jobs until the queue is closed and empty.
fn serve(mut reader: Box<dyn Reader>, rx: &Mutex<Receiver<ReadJob>>) {
    loop {
        // The lock is held only while waiting for a job, never while running one.
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        let mut job = Some(job);
        let run = std::panic::AssertUnwindSafe(|| {
            reader.snapshot(&mut |read| {
                if let Some(job) = job.take() {
                    job(read);
                }
                Ok(())
            })
        });
        match std::panic::catch_unwind(run) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "a read snapshot failed"),
            // A bug in one job must not take a reader away from everyone else.
            Err(_) => tracing::error!("a read job panicked"),
        }
    }
}
