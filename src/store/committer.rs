//! Group commit: one thread owns the [`Store`]; every job waiting when a transaction starts goes
//! into that transaction, so a burst of messages pays for one fsync. Each job runs in its own
//! savepoint: a job refused by the store (`Conflict`, `NotFound`, …) is rolled back alone and
//! dropped, and the others commit. Jobs that cannot be refused (the hub's rows) skip the
//! savepoint ([`Committer::submit_unguarded`]). A fatal error stops the writer. A job's follow-up (acks,
//! event delivery) runs only after its transaction committed, in submission order.

use super::{Result, Store, StoreError, Tx};
use crate::metrics::Metrics;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use tokio::sync::Notify;

/// What runs after the commit: typically pushes frames to connections.
pub type AfterCommit = Box<dyn FnOnce() + Send>;
/// One job. A job that fails is dropped without its follow-up: whatever it captured is dropped
/// then (so a reply with a `Drop` guard can still answer).
pub type Work = Box<dyn FnOnce(&mut dyn Tx) -> Result<Option<AfterCommit>> + Send>;

/// Most jobs in one transaction; bounds the latency of the first job in a huge burst.
const MAX_BATCH: usize = 4096;

/// A queued job, and whether it runs in a savepoint of its own.
struct Job {
    work: Work,
    guarded: bool,
}

/// A handle to submit jobs; cheap to clone.
#[derive(Clone)]
pub struct Committer {
    tx: mpsc::Sender<Job>,
    /// Jobs submitted and not yet through their transaction: what the hub's backpressure
    /// watches (it stops taking requests while this is high).
    backlog: Arc<AtomicUsize>,
    /// Signalled after every transaction, so a hub waiting for the backlog to shrink wakes up.
    drained: Arc<Notify>,
    /// Queue depth, batch sizes and commit latency for `/metrics`.
    metrics: Arc<Metrics>,
}

impl Committer {
    /// Starts the writer thread. `on_fatal` is called once if a job fails fatally (see
    /// [`StoreError::is_fatal`]) or the transaction itself fails: the writer then stops, the jobs of the failed transaction and
    /// every queued job are dropped unrun, and `submit` returns `Closed` from then on, so
    /// nothing more is acknowledged.
    pub fn start(
        store: Box<dyn Store>,
        on_fatal: impl FnOnce(StoreError) + Send + 'static,
    ) -> std::io::Result<(Committer, std::thread::JoinHandle<()>)> {
        Self::start_with_metrics(store, Metrics::new(), on_fatal)
    }

    /// [`Committer::start`], recording into the server's `metrics`.
    pub fn start_with_metrics(
        mut store: Box<dyn Store>,
        metrics: Arc<Metrics>,
        on_fatal: impl FnOnce(StoreError) + Send + 'static,
    ) -> std::io::Result<(Committer, std::thread::JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel::<Job>();
        let backlog = Arc::new(AtomicUsize::new(0));
        let drained = Arc::new(Notify::new());
        let (left, woken) = (backlog.clone(), drained.clone());
        let recorder = metrics.clone();
        let handle = std::thread::Builder::new()
            .name("kefu-commit".into())
            .spawn(move || {
                let mut batch: Vec<Job> = Vec::new();
                let mut done: Vec<AfterCommit> = Vec::new();
                // Ends when every Committer handle is dropped and the queue is drained.
                while let Ok(first) = rx.recv() {
                    batch.push(first);
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(w) => batch.push(w),
                            Err(_) => break,
                        }
                    }
                    let taken = batch.len();
                    let timer = recorder.commit_started(batch.len());
                    let mut jobs = batch.drain(..);
                    let result = store.transaction(&mut |tx| {
                        for job in jobs.by_ref() {
                            if let Some(after) = run_job(tx, job)? {
                                done.push(after);
                            }
                        }
                        Ok(())
                    });
                    drop(jobs);
                    left.fetch_sub(taken, Ordering::Relaxed);
                    woken.notify_one();
                    match result {
                        Ok(()) => {
                            timer.committed();
                            done.drain(..).for_each(|after| after());
                        }
                        Err(e) => {
                            // Nothing of this transaction is acknowledged.
                            done.clear();
                            tracing::error!(error = %e, "the store failed; stopping the writer");
                            on_fatal(e);
                            return;
                        }
                    }
                }
            })?;
        Ok((
            Committer {
                tx,
                backlog,
                drained,
                metrics,
            },
            handle,
        ))
    }

    /// Queues a job. Returns `Closed` if the writer thread has stopped.
    pub fn submit(
        &self,
        work: impl FnOnce(&mut dyn Tx) -> Result<Option<AfterCommit>> + Send + 'static,
    ) -> Result<()> {
        self.send(Box::new(work), true)
    }

    /// Queues a job that is never refused (its rows mirror what clients were already told):
    /// it runs without a savepoint of its own (two statements fewer per job), and any error
    /// it returns ends the transaction as fatal.
    pub fn submit_unguarded(
        &self,
        work: impl FnOnce(&mut dyn Tx) -> Result<Option<AfterCommit>> + Send + 'static,
    ) -> Result<()> {
        self.send(Box::new(work), false)
    }

    fn send(&self, work: Work, guarded: bool) -> Result<()> {
        self.metrics.committer_queued();
        self.backlog.fetch_add(1, Ordering::Relaxed);
        self.tx.send(Job { work, guarded }).map_err(|_| {
            self.metrics.committer_unqueued();
            self.backlog.fetch_sub(1, Ordering::Relaxed);
            StoreError::Closed
        })
    }

    /// Jobs queued or in the transaction being written.
    pub fn backlog(&self) -> usize {
        self.backlog.load(Ordering::Relaxed)
    }

    /// Resolves after the next transaction ends (or at once if one ended since the last call).
    pub async fn drained(&self) {
        self.drained.notified().await
    }
}

/// Runs one job, in its own savepoint if guarded. A refusal is rolled back, logged and
/// swallowed (the job is dropped, its follow-up never runs); a fatal error, or any error of an
/// unguarded job, is returned to end the transaction.
fn run_job(tx: &mut dyn Tx, job: Job) -> Result<Option<AfterCommit>> {
    if !job.guarded {
        return (job.work)(tx).map_err(|e| {
            if e.is_fatal() {
                e
            } else {
                StoreError::Backend(format!("a batch of rows was refused: {e}"))
            }
        });
    }
    let mut work = Some(job.work);
    let mut after = None;
    let result = tx.savepoint(&mut |tx| match work.take() {
        Some(w) => {
            after = w(tx)?;
            Ok(())
        }
        None => Ok(()),
    });
    match result {
        Ok(()) => Ok(after),
        Err(e) if !e.is_fatal() => {
            tracing::warn!(error = %e, "a store job was refused and rolled back alone");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
