//! Recommended replies (`session.suggest`) and the intent frames: what the server suggests for
//! the newest customer message of a session, the `message_intent` frame that labels each
//! customer message, and the `intent_effect` event (what a recognised intent did to routing).

use super::kb::ArticleSummary;
use crate::model::SessionId;
use serde::{Deserialize, Serialize};

/// An article suggested for a message: its summary (with a snippet where the message matched),
/// the body to adopt into the composer, and how well it fits (higher is better; only the order
/// means something).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedArticle {
    #[serde(flatten)]
    pub article: ArticleSummary,
    pub body: String,
    pub score: f32,
}

/// A quick reply suggested for a message, by id (the console has the list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedQuickReply {
    pub id: i64,
    pub score: f32,
}

/// The answer to `session.suggest`: best first, at most 3 of each. `for_seq` is the customer
/// message the suggestions are for (`None` when the session has no customer message yet, and
/// then both lists are empty); `intent` is that message's intent when it was recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestReply {
    pub session_id: SessionId,
    pub for_seq: Option<i64>,
    #[serde(default)]
    pub intent: Option<String>,
    /// The intent's display names (empty without an intent).
    #[serde(default)]
    pub intent_zh: String,
    #[serde(default)]
    pub intent_en: String,
    pub articles: Vec<SuggestedArticle>,
    pub quick_replies: Vec<SuggestedQuickReply>,
}

/// What a recognised intent changed about a queued conversation (`intent_effect` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentEffectInfo {
    pub session_id: SessionId,
    /// The intent whose effects were applied.
    pub intent: String,
    /// The new queue priority, when it was raised.
    #[serde(default)]
    pub priority: Option<i64>,
    /// The group the conversation was moved to, when it was.
    #[serde(default)]
    pub route_group: Option<String>,
}
