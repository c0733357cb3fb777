//! What the supervisor's live view (`server::dashboard_*`) reads from the store once, at
//! start-up, so a restart does not zero its counters: the conversations queued since a given
//! instant and the offers that timed out since then.

use super::Result;
use crate::model::{AgentId, Millis};

/// Rows scanned at most by one seed read (a very busy day is far below it).
pub const MAX_SEED_ROWS: u32 = 1_000_000;

/// A conversation queued in the window, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSession {
    pub session_id: i64,
    pub group: String,
    pub queued_at: Millis,
    pub accepted_at: Option<Millis>,
    pub ended_at: Option<Millis>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardSeed {
    pub sessions: Vec<SeedSession>,
    /// Offers that timed out: (agent, when).
    pub missed_offers: Vec<(AgentId, Millis)>,
}

pub trait DashboardRead {
    /// Conversations queued at or after `since` and offers that timed out at or after it (at
    /// most [`MAX_SEED_ROWS`] rows scanned of each table, newest first).
    fn dashboard_seed(&mut self, since: Millis) -> Result<DashboardSeed>;
}
