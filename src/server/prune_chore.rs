//! Whether a retention step is in flight: the hub queues one at a time, and the step's job
//! clears the flag however it ends. Plain data; `housekeeping` schedules the steps.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a retention step is queued or running (one at a time).
#[derive(Debug, Default)]
pub struct PruneChore {
    pub(super) in_flight: Arc<AtomicBool>,
    /// The last step found more to do than one step may take: the next one runs at once.
    pub(super) more: Arc<AtomicBool>,
    /// When the last step was queued (ms): with nothing more to do, the next waits
    /// `storage.prune_idle_secs` (old events and expired tokens accumulate slowly, and each
    /// look reads the log's ends and every live connection's token).
    pub(super) last: crate::model::Millis,
}

/// Clears the in-flight flag when the step's job is dropped, run or refused.
pub(super) struct Done(pub(super) Arc<AtomicBool>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}
