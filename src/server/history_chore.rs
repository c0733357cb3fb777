//! The history indexing chore (`docs/history.md`): keeps the full-text index of messages
//! caught up, off the hot path. Storing a message only queues its key (a trigger); this task
//! reads a batch of queued messages on its own read connection, segments them on a blocking
//! thread (jieba is the costly part), and hands the terms to the writer as one small job —
//! so a message is searchable within about two seconds, and a backlog (an upgrade, a lost
//! index) is worked off in batches that yield to live traffic.

use crate::history::{INDEX_VERSION, text};
use crate::store::committer::Committer;
use crate::store::history::{Indexed, Unindexed};
use crate::store::{Reader, StoreError};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// Messages per batch: a few milliseconds of the writer's time.
pub const BATCH: u32 = 500;
/// How often an idle chore looks for new messages.
const POLL: Duration = Duration::from_secs(1);
/// With more jobs than this waiting for the writer, the chore waits: live traffic first.
const BUSY_BACKLOG: usize = 64;

/// Starts the chore; it ends when `stop` turns true or the writer stops.
pub fn start(committer: Committer, reader: Box<dyn Reader>, stop: watch::Receiver<bool>) {
    tokio::spawn(run(committer, reader, stop));
}

async fn run(committer: Committer, mut reader: Box<dyn Reader>, mut stop: watch::Receiver<bool>) {
    // Loads jieba's dictionary (about a second) before anyone searches.
    let _ = tokio::task::spawn_blocking(|| text::index_terms("预热 warm up")).await;
    match write(&committer, |tx| tx.history_ensure(INDEX_VERSION)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            messages = n,
            "history index: building it from the stored messages"
        ),
        Err(e) => {
            tracing::warn!(error = %e, "history index: cannot check it; not indexing");
            return;
        }
    }
    loop {
        if *stop.borrow() {
            return;
        }
        let read = tokio::task::spawn_blocking(move || {
            let batch = next_batch(&mut *reader);
            (reader, batch)
        })
        .await;
        let Ok((back, batch)) = read else {
            return;
        };
        reader = back;
        let rows = match batch {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "history index: reading the queue failed");
                Vec::new()
            }
        };
        let full = rows.len() >= BATCH as usize;
        if !rows.is_empty() {
            match write(&committer, move |tx| tx.history_index(&rows)).await {
                Ok(n) => tracing::debug!(indexed = n, "history index: batch"),
                Err(StoreError::Closed) => return,
                Err(e) => tracing::warn!(error = %e, "history index: a batch failed"),
            }
        }
        let pause = if !full {
            POLL
        } else if committer.backlog() > BUSY_BACKLOG {
            Duration::from_millis(50)
        } else {
            Duration::ZERO
        };
        if !pause.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

/// Reads the next queued messages and segments them.
fn next_batch(reader: &mut dyn Reader) -> crate::store::Result<Vec<Indexed>> {
    let mut rows: Vec<Unindexed> = Vec::new();
    let mut failed = None;
    reader.snapshot(&mut |rd| {
        match rd.history_unindexed(BATCH) {
            Ok(r) => rows = r,
            Err(e) => failed = Some(e),
        }
        Ok(())
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(rows
        .into_iter()
        .map(|u| Indexed {
            session_id: u.session_id,
            seq: u.seq,
            terms: text::index_terms(&u.body),
        })
        .collect())
}

/// Runs one job on the writer and waits until it committed.
async fn write<T: Send + 'static>(
    committer: &Committer,
    job: impl FnOnce(&mut dyn crate::store::Tx) -> crate::store::Result<T> + Send + 'static,
) -> crate::store::Result<T> {
    let (done_tx, done_rx) = oneshot::channel();
    let (fail_tx, fail_rx) = oneshot::channel::<StoreError>();
    committer.submit(move |tx| match job(tx) {
        Ok(v) => Ok(Some(Box::new(move || {
            let _ = done_tx.send(v);
        }) as crate::store::committer::AfterCommit)),
        Err(e) => {
            let _ = fail_tx.send(e.clone());
            Err(e)
        }
    })?;
    tokio::select! {
        Ok(v) = done_rx => Ok(v),
        Ok(e) = fail_rx => Err(e),
        else => Err(StoreError::Closed),
    }
}
