//! Ending a conversation (S16–S18) on the wire: the pending end ("end when the customer has
//! been silent for N seconds") and its cancel, tag suggestions for the End dialog, and the
//! rating (CSAT) that reaches the agent who served the conversation. `docs/ending.md`.

use crate::model::{CustomerId, EndReason, Millis, SessionId};
use serde::{Deserialize, Serialize};

/// What a pending end will do when its deadline (`SessionView::ends_at`) passes: the silence
/// it waits for (a customer message starts it again) and the outcome it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEnd {
    pub silence_secs: u32,
    pub outcome: EndReason,
}

/// `session.end` and `session.end_cancel` answer with the session and, while an end is
/// pending, its deadline (absent: the conversation ended, or nothing is pending any more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndReply {
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Millis>,
}

/// Cancels the pending end of an open session (`conflict` when none is pending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndCancel {
    pub session_id: SessionId,
}

/// The most used tags (of the newest conversations) starting with `prefix`, most used first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TagsSuggest {
    #[serde(default)]
    pub prefix: String,
    /// At most this many (default and most: 20).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub tag: String,
    /// Conversations carrying it, among those looked at.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TagsSuggestReply {
    pub tags: Vec<TagCount>,
}

/// A customer rated a conversation: sent to the agent it was assigned to when it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInfo {
    pub session_id: SessionId,
    pub customer_id: CustomerId,
    /// The customer's nickname (from the network: sanitise before showing).
    pub nickname: String,
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub rated_at: Millis,
}
