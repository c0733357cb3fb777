//! The store's side of CC (抄送): the durable outbox (`cc_outbox`). A row is written in the
//! same commit as the `session.cc` reply; the sender reads the rows that are due and records
//! each attempt's outcome. Split from [`super::Read`] and [`super::Tx`] into traits of their
//! own, which those traits include.

use super::Result;
use crate::model::{AgentId, Millis, SessionId};
use crate::protocol::{CcInfo, CcKind, CcState};

/// A CC to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCc {
    pub session_id: SessionId,
    pub agent_id: AgentId,
    pub kind: CcKind,
    pub target: String,
    pub contact: Option<String>,
    pub include_notes: bool,
    /// The transcript, [`crate::cc::CcDoc`] as JSON.
    pub doc: String,
    pub now: Millis,
}

/// A due CC as the sender needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCc {
    pub info: CcInfo,
    pub doc: String,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CcOutcome {
    Delivered,
    /// Failed; tried again at `next_at`.
    Retry {
        error: String,
        next_at: Millis,
    },
    /// Failed for the last time.
    GaveUp {
        error: String,
    },
}

pub trait CcRead {
    /// Up to `limit` pending CCs due at `now`, soonest first.
    fn cc_due(&mut self, now: Millis, limit: u32) -> Result<Vec<DueCc>>;
    /// CCs `agent` requested at or after `since`.
    fn cc_count_since(&mut self, agent: AgentId, since: Millis) -> Result<u32>;
    /// Up to `limit` CCs, newest first: of `agent` (or everybody's), of `session` (or all).
    fn cc_list(
        &mut self,
        agent: Option<AgentId>,
        session: Option<SessionId>,
        limit: u32,
    ) -> Result<Vec<CcInfo>>;
    /// Pending CCs.
    fn cc_pending(&mut self) -> Result<u64>;
}

pub trait CcTx {
    /// Stores a pending CC, due now; returns its id.
    fn insert_cc(&mut self, cc: &NewCc) -> Result<i64>;
    /// Records an attempt on a pending CC; the CC as it is now (`None`: unknown or no longer
    /// pending).
    fn cc_attempted(&mut self, id: i64, outcome: &CcOutcome, now: Millis)
    -> Result<Option<CcInfo>>;
}

impl CcOutcome {
    pub fn state(&self) -> CcState {
        match self {
            CcOutcome::Delivered => CcState::Delivered,
            CcOutcome::Retry { .. } => CcState::Pending,
            CcOutcome::GaveUp { .. } => CcState::Failed,
        }
    }
}
