//! CC (抄送) on the wire: `session.cc` queues a conversation's transcript for an e-mail
//! address or a team webhook, `cc.contacts` lists the address book, `cc.list` shows what
//! became of the agent's CCs; a durable `cc_status` event tells the requester when one was
//! delivered or given up (`docs/protocol.md`, `docs/cc.md`).

use crate::cc::Target;
use crate::model::{AgentId, Millis, SessionId};
use serde::{Deserialize, Serialize};

/// Queue a CC of the conversation's transcript (without internal notes unless asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCc {
    pub session_id: SessionId,
    pub to: Target,
    #[serde(default)]
    pub include_notes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCcReply {
    pub cc_id: i64,
}

/// The address book.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CcContacts {}

/// How a CC travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CcKind {
    Email,
    Webhook,
}

impl CcKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CcKind::Email => "email",
            CcKind::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<CcKind> {
        match s {
            "email" => Some(CcKind::Email),
            "webhook" => Some(CcKind::Webhook),
            _ => None,
        }
    }
}

/// An address-book entry: `address` is the e-mail address or the webhook's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CcContactView {
    pub name: String,
    pub kind: CcKind,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CcContactsReply {
    pub contacts: Vec<CcContactView>,
    /// The configured webhooks by name (they may be named directly too).
    pub webhooks: Vec<String>,
    /// Whether typed e-mail addresses can be sent to (`[smtp]` is configured).
    pub email: bool,
}

/// The agent's CCs (supervisors: everybody's), newest first; of one conversation if given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CcList {
    #[serde(default)]
    pub session_id: Option<SessionId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CcListReply {
    pub ccs: Vec<CcInfo>,
}

/// Where a CC stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CcState {
    /// Waiting for its first or next attempt.
    Pending,
    Delivered,
    /// Given up after `cc.max_attempts` attempts or `cc.max_age_secs`.
    Failed,
}

impl CcState {
    pub fn as_str(self) -> &'static str {
        match self {
            CcState::Pending => "pending",
            CcState::Delivered => "delivered",
            CcState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<CcState> {
        match s {
            "pending" => Some(CcState::Pending),
            "delivered" => Some(CcState::Delivered),
            "failed" => Some(CcState::Failed),
            _ => None,
        }
    }
}

/// One CC and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CcInfo {
    pub cc_id: i64,
    pub session_id: SessionId,
    pub agent_id: AgentId,
    pub kind: CcKind,
    /// The e-mail address or the webhook's name.
    pub target: String,
    /// The address-book entry it was picked from, if any.
    #[serde(default)]
    pub contact: Option<String>,
    pub include_notes: bool,
    pub state: CcState,
    pub attempts: u32,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_error: Option<String>,
}
