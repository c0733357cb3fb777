//! One line of a conversation as the console holds it, and the delivery state of the lines
//! the agent wrote (shared by the chat and the History screen's read-only view).

use crate::model::{AuthorKind, Millis};

/// Delivery state of a message the agent wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Written to the outbox; no ack yet (maybe disconnected).
    Sending,
    /// The server acknowledged it: it is on disk.
    Acked,
    /// The server refused it; the agent may retry.
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatLine {
    pub seq: Option<i64>,
    pub author_kind: AuthorKind,
    pub author_name: String,
    pub body: String,
    pub created_at: Millis,
    pub client_msg_id: Option<String>,
    pub delivery: Delivery,
    /// An internal note: only colleagues see it (`notes`).
    pub internal: bool,
}
