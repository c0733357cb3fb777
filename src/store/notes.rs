//! The store's side of internal notes and @mentions (`docs/notes.md`): notes are messages with
//! `internal` set (written with the other messages); mentions are rows of their own, unread
//! until the mentioned agent opens them. Split from [`super::Read`] and [`super::Tx`] into
//! traits of their own, which those traits include.

use super::Result;
use crate::model::{AgentId, Millis, SessionId};
use crate::protocol::{MentionView, MessageView};

/// One new mention: `agent` was mentioned by `by_id` (`by_name`) in note `seq` of `session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMention {
    pub session: SessionId,
    pub seq: i64,
    pub agent: AgentId,
    pub by_id: AgentId,
    pub by_name: String,
    pub at: Millis,
}

pub trait NotesRead {
    /// Up to `limit` messages of a session with `seq > after_seq` that the customer may see
    /// (no internal notes), in `seq` order.
    fn public_transcript(
        &mut self,
        session: SessionId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<MessageView>>;
    /// The agent's mentions, newest first: the unread ones, or (`all`) read ones too; at
    /// most `limit`.
    fn mentions_of(&mut self, agent: AgentId, all: bool, limit: u32) -> Result<Vec<MentionView>>;
    /// (session, agent) of every mention in a conversation that has not ended: who may read
    /// which open conversation because they were mentioned in it.
    fn open_mentions(&mut self) -> Result<Vec<(SessionId, AgentId)>>;
}

pub trait NotesTx {
    /// Stores mentions (one already stored for the same note and agent is left as it is).
    fn insert_mentions(&mut self, mentions: &[NewMention]) -> Result<()>;
    /// Marks the agent's unread mentions in a conversation read at `at`; returns how many.
    fn read_mentions(&mut self, agent: AgentId, session: SessionId, at: Millis) -> Result<u32>;
}
