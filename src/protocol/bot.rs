//! What the answering bot did in a conversation, carried in [`SessionView::bot`]: how many
//! turns it took, how many it answered, and — once it let go — why and when it handed the
//! conversation to people, or how it ended without them. Stored with the session (one JSON
//! column), so a restart keeps it and reports can group by it.
//!
//! [`SessionView::bot`]: super::SessionView::bot

use crate::model::Millis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotInfo {
    /// Customer messages the bot took a turn on.
    #[serde(default)]
    pub turns: u32,
    /// Turns it answered from the knowledge base.
    #[serde(default)]
    pub answers: u32,
    /// Turns since the last answer that it could not answer (hand-off after `max_unanswered`).
    #[serde(default)]
    pub unanswered: u32,
    /// Set when the bot handed the conversation to the human queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<Handoff>,
    /// How the bot's part ended; `None` while the customer is still with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<BotOutcome>,
}

/// When and why the bot handed a conversation to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub reason: HandoffReason,
    pub at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person (人工, "agent", the widget's button…).
    Requested,
    /// `bot.max_unanswered` turns in a row the bot could not answer.
    Unanswered,
    /// The message was classified as a complaint.
    Complaint,
    /// The message was strongly negative (`crate::bot::sentiment`).
    Negative,
    /// VIP customers go straight to people.
    Vip,
    /// A supervisor transferred the conversation to people (`session.transfer`).
    Taken,
}

impl HandoffReason {
    pub const ALL: [HandoffReason; 6] = [
        HandoffReason::Requested,
        HandoffReason::Unanswered,
        HandoffReason::Complaint,
        HandoffReason::Negative,
        HandoffReason::Vip,
        HandoffReason::Taken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::Requested => "requested",
            HandoffReason::Unanswered => "unanswered",
            HandoffReason::Complaint => "complaint",
            HandoffReason::Negative => "negative",
            HandoffReason::Vip => "vip",
            HandoffReason::Taken => "taken",
        }
    }
}

/// How the bot's part of a conversation ended, for the resolution and hand-off rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotOutcome {
    /// Ended with the bot after at least one answer, never handed off.
    Resolved,
    /// Handed to people (the reason is in `handoff`).
    HandedOff,
    /// Ended with the bot without any answer (the customer left or went silent).
    Abandoned,
}
