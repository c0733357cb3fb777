//! What the engine tells its caller: the effects of a change, the reasons an offer ends, the
//! errors of a refused request, and the plain records that go in and out (agent specs, loads).

use crate::model::{AgentId, AgentStatus, Millis, SessionId};
use std::collections::BTreeSet;
use thiserror::Error;

/// What the engine decided; the server persists each one and tells the people concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The session waits in `group`'s queue (new, returned or transferred).
    Queued {
        session: SessionId,
        group: String,
    },
    Offered {
        session: SessionId,
        agent: AgentId,
        expires_at: Millis,
    },
    /// An offer ended without acceptance.
    OfferWithdrawn {
        session: SessionId,
        agent: AgentId,
        reason: WithdrawReason,
    },
    Assigned {
        session: SessionId,
        agent: AgentId,
    },
    /// The agent no longer serves the session (transfer, requeue on leave).
    Released {
        session: SessionId,
        agent: AgentId,
    },
    /// The server changed an agent's status (missed offers, grace expiry).
    StatusChanged {
        agent: AgentId,
        status: AgentStatus,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawReason {
    Rejected,
    Timeout,
    /// Went offline, busy or away, or stayed disconnected past the grace period.
    AgentLeft,
    /// Transfer or end by someone else while the offer was pending.
    Reassigned,
}

impl WithdrawReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawReason::Rejected => "rejected",
            WithdrawReason::Timeout => "timeout",
            WithdrawReason::AgentLeft => "agent_left",
            WithdrawReason::Reassigned => "reassigned",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RouteError {
    #[error("no such session in routing")]
    UnknownSession,
    #[error("no such agent")]
    UnknownAgent,
    #[error("no such skill group `{0}`")]
    UnknownGroup(String),
    #[error("this session is not offered to you")]
    NotOffered,
    #[error("you are at your limit of {0} concurrent sessions")]
    AtCapacity(u32),
    #[error("the agent cannot take it now: {0}")]
    Unavailable(&'static str),
}

#[derive(Debug, Clone)]
pub struct AgentSpec {
    pub id: AgentId,
    pub capacity: u32,
    pub groups: BTreeSet<String>,
    pub status: AgentStatus,
}

/// A snapshot of one agent's routing numbers, for directories and dashboards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub status: AgentStatus,
    pub connected: bool,
    pub active: usize,
    pub offered: usize,
    pub capacity: u32,
}
