//! The store's side of the transfer record (issue 10, S12): every `session.transfer` that went
//! through is one row — who, from which agent and group, to which, the note, when, and whether
//! it was queued because the target could not take it then. For reports; the hub only writes.

use super::Result;
use crate::model::{AgentId, Millis, SessionId};

/// One recorded transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// Assigned by the store ([`TransferTx::record_transfer`] ignores it).
    pub id: i64,
    pub session_id: SessionId,
    /// Who transferred (the assignee or a supervisor).
    pub by_agent: Option<AgentId>,
    /// Who served the conversation before (`None`: it was queued or on offer).
    pub from_agent: Option<AgentId>,
    pub from_group: String,
    /// The agent it was sent to (`None`: to a group).
    pub to_agent: Option<AgentId>,
    /// The group whose queue it went to, or the named agent's group it waits in.
    pub to_group: String,
    pub note: String,
    /// The target could not take it then and the agent asked to queue it anyway.
    pub queued: bool,
    pub at: Millis,
}

pub trait TransferRead {
    /// A session's transfers, oldest first.
    fn transfers_of(&mut self, session: SessionId) -> Result<Vec<TransferRecord>>;
    /// Up to `limit` transfers made at or after `since`, oldest first.
    fn transfers_since(&mut self, since: Millis, limit: u32) -> Result<Vec<TransferRecord>>;
}

pub trait TransferTx {
    /// Appends a transfer; returns its id.
    fn record_transfer(&mut self, record: &TransferRecord) -> Result<i64>;
}
