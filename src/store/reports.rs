//! The store's side of reports (`crate::reports`): the plain rows of a time range, and the two
//! things only reports need written — each agent status change, and which conversations were
//! asked for a rating. Split from [`super::Read`] / [`super::Tx`] into traits of their own.

use super::Result;
use crate::model::{AgentId, AgentStatus, Millis, SessionId};
use crate::reports::facts::ReportFacts;

pub trait ReportRead {
    /// The facts of every conversation alive in `[from, to)` (created before `to`, not ended
    /// before `from`) with their customer/agent messages (no notes) and transfers, the
    /// agents, and the status changes in the range with each agent's status at `from`.
    fn report_facts(&mut self, from: Millis, to: Millis) -> Result<ReportFacts>;
}

pub trait ReportTx {
    /// Appends an agent's status change.
    fn log_agent_status(&mut self, agent: AgentId, status: AgentStatus, at: Millis) -> Result<()>;
    /// Records that the customer was asked to rate the conversation (at its end).
    fn mark_surveyed(&mut self, session: SessionId, at: Millis) -> Result<()>;
}
