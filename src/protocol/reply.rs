//! The result of each successful request (the `result` of an `ok` reply). Which request gets
//! which reply is declared next to the requests ([`super::Call`]).

use super::kb::{Article, ArticleSummary, ArticleVersion, SentArticle};
use super::quick::QuickReply;
use super::views::{AgentInfo, CustomerView, MessageView, QueueInfo, SessionView};
use crate::model::{AgentStatus, CustomerId, Millis, SessionId, SessionState};
use serde::{Deserialize, Serialize};

/// `{}`: the request succeeded and there is nothing to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloReply {
    pub protocol: u32,
    pub server: String,
    pub endpoint: String,
    pub max_frame_bytes: usize,
    /// How often the server pings, and how long it waits for any frame before it drops the
    /// connection as dead (both in seconds).
    pub ping_interval_secs: u64,
    pub idle_timeout_secs: u64,
}

/// `login` and `resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginReply {
    /// A new token (`login`), or `null` (`resume` keeps the token it was given).
    pub token: Option<String>,
    pub agent: Option<AgentInfo>,
    pub must_change_password: bool,
    /// The role requires a second factor and the agent has none yet: until `totp.confirm`,
    /// only the `totp.*` requests and `logout` are allowed (`forbidden` otherwise).
    #[serde(default)]
    pub must_enroll_totp: bool,
    /// The newest cursor on the server.
    pub cursor: i64,
}

/// `change_password`: the old tokens are dead; this one replaces them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenReply {
    pub token: String,
    pub cursor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    pub status: AgentStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptReply {
    pub session: Option<SessionView>,
}

/// An offer in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferView {
    pub session: SessionView,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotReply {
    pub agent: Option<AgentInfo>,
    pub offers: Vec<OfferView>,
    pub sessions: Vec<SessionView>,
    /// Queued sessions the agent may pick (manual groups; every queue for supervisors).
    pub queued: Vec<SessionView>,
    pub queues: Vec<QueueInfo>,
    pub cursor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryReply {
    pub agents: Vec<AgentInfo>,
    pub groups: Vec<QueueInfo>,
    /// Self-service menus a customer can be transferred to (`docs/menus.md`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub menus: Vec<super::MenuEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileReply {
    pub customer: CustomerView,
    /// Newest first.
    pub sessions: Vec<SessionView>,
}

/// `session.transfer` and `session.end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRef {
    pub session_id: SessionId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsReply {
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpReply {
    pub follow_up: bool,
    /// The reminder now set, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_at: Option<crate::model::Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbSearchReply {
    pub articles: Vec<ArticleSummary>,
    /// An empty query's next page starts here; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
    /// The full-text index is still being built: these hits come from the store's plain
    /// title and keyword match instead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbGetReply {
    pub article: Article,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbHistoryReply {
    pub versions: Vec<ArticleVersion>,
    /// How many versions the article has; only the newest (at most 50) are in `versions`.
    #[serde(default)]
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbSentReply {
    pub sent: Vec<SentArticle>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickRepliesReply {
    pub quick_replies: Vec<QuickReply>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerStartReply {
    /// A new token, or `null` when the connection or the given token already identified the
    /// customer.
    pub token: Option<String>,
    pub customer_id: CustomerId,
    pub session_id: SessionId,
    pub state: Option<SessionState>,
    pub cursor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerResumeReply {
    pub customer_id: CustomerId,
    /// The open conversation, if there is one.
    pub session_id: Option<SessionId>,
    pub cursor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateReply {
    pub session_id: SessionId,
    pub stars: u8,
}

/// The ack of `message.send`: the message is on disk with this seq.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAck {
    pub session_id: SessionId,
    pub seq: i64,
    pub created_at: Millis,
    /// The cursor of the message's event in the sender's stream: the sending connection gets
    /// this ack instead of the event. Absent on a retry answered after a server restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<i64>,
}

/// The ack for a stored message; a retried send gets exactly this again.
impl From<&MessageView> for MessageAck {
    fn from(m: &MessageView) -> Self {
        MessageAck {
            session_id: m.session_id,
            seq: m.seq,
            created_at: m.created_at,
            cursor: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptReply {
    pub session: SessionView,
    pub messages: Vec<MessageView>,
}
