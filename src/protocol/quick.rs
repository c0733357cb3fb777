//! Quick replies (快捷回复) as agents see them, and their requests and replies
//! (`quick_replies.list`, `.save`, `.delete`, `.used`). Variables in a body are described in
//! [`crate::quick`]; the rules on who may see and change which reply in `docs/protocol.md`.

use crate::model::{AgentId, Millis};
use serde::{Deserialize, Serialize};

/// Whose a quick reply is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuickScope {
    /// Everybody's (in `group`, if set); only supervisors and admins change them.
    #[default]
    Team,
    /// One agent's own; nobody else sees them.
    Personal,
}

impl QuickScope {
    pub fn as_str(self) -> &'static str {
        match self {
            QuickScope::Team => "team",
            QuickScope::Personal => "personal",
        }
    }

    pub fn parse(s: &str) -> Option<QuickScope> {
        match s.trim().to_ascii_lowercase().as_str() {
            "team" | "" => Some(QuickScope::Team),
            "personal" | "mine" => Some(QuickScope::Personal),
            _ => None,
        }
    }
}

/// A canned answer. `body` may hold variables (`{customer.nickname}`, `{agent.name}`, …; see
/// `crate::quick::vars`) that the console fills in when the agent inserts it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QuickReply {
    pub id: i64,
    #[serde(default)]
    pub scope: QuickScope,
    /// The agent a personal reply belongs to (`None` for team replies).
    #[serde(default)]
    pub owner: Option<AgentId>,
    /// A team reply limited to one skill group's agents (supervisors see all).
    #[serde(default)]
    pub group: Option<String>,
    /// What the agent types to find it, e.g. `hi` or `refund`; unique among the team replies
    /// and among each agent's personal ones.
    pub shortcut: String,
    pub title: String,
    pub body: String,
    /// Intent names (the intent catalog's) this reply answers, for ranking.
    #[serde(default)]
    pub intents: Vec<String>,
    #[serde(default)]
    pub created_at: Millis,
    #[serde(default)]
    pub updated_at: Millis,
    /// How often the asking agent used it (`quick_replies.list` only).
    #[serde(default)]
    pub uses: u32,
    /// When the asking agent last used it.
    #[serde(default)]
    pub last_used: Option<Millis>,
}

/// Creates (`quick_reply_id` absent) or updates a quick reply. Team replies only by supervisors and
/// admins; personal ones belong to the caller. The scope of an existing reply stays.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QuickReplySave {
    /// The reply to update (`id` itself names the request frame).
    #[serde(default)]
    pub quick_reply_id: Option<i64>,
    #[serde(default)]
    pub scope: QuickScope,
    #[serde(default)]
    pub group: Option<String>,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub intents: Vec<String>,
}

/// Deletes a quick reply (the same rules as saving it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyDelete {
    pub quick_reply_id: i64,
}

/// Counts one use of a quick reply by the caller (the console sends it when the agent
/// inserts one), for ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyUsed {
    pub quick_reply_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplySaveReply {
    pub quick_reply: QuickReply,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyUsedReply {
    pub id: i64,
    pub uses: u32,
    pub last_used: Millis,
}
