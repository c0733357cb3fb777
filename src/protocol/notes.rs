//! Internal notes and @mentions (S14): the requests `note.add`, `mentions.list` and
//! `mention.read`, and the shape of a mention. A note is a message with `internal: true`
//! (see [`super::MessageView`]); who sees it is described in `docs/notes.md`.

use crate::model::{AgentId, Millis, SessionId};
use serde::{Deserialize, Serialize};

/// Most colleagues one note may mention.
pub const MAX_MENTIONS: usize = 10;

/// Writes an internal note in an open conversation, mentioning colleagues by username. A
/// retry with the same `client_msg_id` gets the same ack, stored once (as `message.send`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteAdd {
    pub session_id: SessionId,
    pub client_msg_id: String,
    pub body: String,
    #[serde(default)]
    pub mentions: Vec<String>,
}

/// The agent's mentions, newest first: the unread ones, or (`all`) the latest read ones too.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MentionsList {
    #[serde(default)]
    pub all: bool,
}

/// Marks every unread mention of the agent in a conversation as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionRead {
    pub session_id: SessionId,
}

/// One mention of an agent: in which conversation, by which note, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionView {
    pub session_id: SessionId,
    /// The note's seq in the conversation.
    pub seq: i64,
    pub by_id: AgentId,
    /// The display name of who wrote the note.
    pub by_name: String,
    /// The customer's nickname (from the network: untrusted text).
    #[serde(default)]
    pub customer: String,
    /// The note's first characters.
    #[serde(default)]
    pub excerpt: String,
    pub created_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<Millis>,
    /// The conversation is still open (only then may the mentioned colleague read it).
    #[serde(default)]
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionsReply {
    pub mentions: Vec<MentionView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionReadReply {
    pub session_id: SessionId,
    /// How many mentions were marked read.
    pub read: u32,
}

/// Characters of a note kept in a mention's `excerpt`.
pub const EXCERPT_CHARS: usize = 120;

/// The first `EXCERPT_CHARS` characters of a note, on one line.
pub fn excerpt(body: &str) -> String {
    body.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS)
        .collect()
}

/// `false` is not written: a customer-visible message stays as it always was on the wire.
pub fn is_false(b: &bool) -> bool {
    !*b
}
