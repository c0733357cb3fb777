//! The plain rows a report is computed from, as the store reads them (`store::reports`): one
//! fact per conversation, per customer/agent message, per transfer and per agent status
//! change. Nothing here knows SQL; the computation (`compute`) knows nothing of the store.

use crate::model::{AgentId, AgentStatus, EndReason, Millis, SessionId};

/// One conversation, as far as reports care.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionFact {
    pub id: SessionId,
    pub channel: String,
    /// The group it ended in (or is in now).
    pub group: String,
    pub intent: Option<String>,
    pub tags: Vec<String>,
    /// The agent serving it last (an ended conversation keeps whoever served it).
    pub assignee: Option<AgentId>,
    pub created_at: Millis,
    /// When it first reached a human queue: the bot's hand-off, the return from a self-service
    /// menu, else its creation; `None` if it never did (the bot or menu dealt with it).
    pub queued_at: Option<Millis>,
    /// The last acceptance by an agent (the store keeps only the last one).
    pub accepted_at: Option<Millis>,
    pub first_human_reply_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub outcome: Option<EndReason>,
    pub csat: Option<u8>,
    /// The customer was asked to rate it when it ended.
    pub surveyed: bool,
}

/// Who wrote a message; bot and system lines are not loaded (they never count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Customer,
    Agent(AgentId),
}

/// A customer message or an agent reply (internal notes are not loaded: they never count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageFact {
    pub session_id: SessionId,
    pub author: Author,
    pub at: Millis,
}

/// One transfer (`transfers` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFact {
    pub session_id: SessionId,
    pub from_agent: Option<AgentId>,
    pub to_agent: Option<AgentId>,
    pub from_group: String,
    pub to_group: String,
    /// The target could not take it then: it waited in a queue.
    pub queued: bool,
    pub at: Millis,
}

/// An agent's status from `at` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFact {
    pub agent: AgentId,
    pub status: AgentStatus,
    pub at: Millis,
}

/// An agent's names, for row keys and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentFact {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
}

/// Everything one report reads. Sorted as the store returns them: sessions by id, messages by
/// (session, seq), transfers by (session, id), statuses by (agent, time) — each agent's
/// status at `from` (its last change before) first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFacts {
    pub sessions: Vec<SessionFact>,
    pub messages: Vec<MessageFact>,
    pub transfers: Vec<TransferFact>,
    pub statuses: Vec<StatusFact>,
    pub agents: Vec<AgentFact>,
}
