//! The data shapes that replies and events carry: sessions, customers, messages, agents, queues.

use crate::model::{
    AgentId, AgentStatus, AuthorKind, Channel, CustomerId, EndReason, Millis, Role, SessionId,
    SessionState, Strategy,
};
use serde::{Deserialize, Serialize};

/// A customer as agents see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: CustomerId,
    pub external_id: Option<String>,
    pub nickname: String,
    pub channel: Channel,
    pub vip: bool,
    pub tags: Vec<String>,
}

/// A session's state as its agent, supervisors and snapshots see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: SessionId,
    pub customer: CustomerView,
    pub channel: Channel,
    pub state: SessionState,
    pub group: String,
    pub assignee: Option<AgentId>,
    pub priority: i64,
    pub intent: Option<String>,
    pub tags: Vec<String>,
    pub follow_up: bool,
    pub created_at: Millis,
    pub queued_at: Option<Millis>,
    pub offered_at: Option<Millis>,
    pub accepted_at: Option<Millis>,
    pub first_human_reply_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<EndReason>,
    pub csat: Option<u8>,
    /// Seq of the last message, so a client knows whether its transcript is complete.
    pub last_seq: i64,
    /// When the customer last wrote and no agent has answered since (for wait colouring).
    pub waiting_since: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub session_id: SessionId,
    /// 1, 2, 3… per session, assigned by the server.
    pub seq: i64,
    pub author_kind: AuthorKind,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub client_msg_id: Option<String>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    pub group: String,
    pub strategy: Strategy,
    pub waiting: usize,
}

/// One agent in the transfer directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub status: AgentStatus,
    pub connected: bool,
    pub active: usize,
    pub capacity: u32,
    pub groups: Vec<String>,
}

impl SessionView {
    /// The session as its customer may see it: without the agents' internal labels (tags,
    /// the customer's VIP/complaint marks, priority, intent) and without the queue it is in.
    pub fn for_customer(&self) -> SessionView {
        let mut s = self.clone();
        s.tags.clear();
        s.customer.tags.clear();
        s.customer.vip = false;
        s.priority = 0;
        s.intent = None;
        s.follow_up = false;
        s.group.clear();
        s
    }
}
