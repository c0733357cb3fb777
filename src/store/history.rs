//! The store's side of history search (`docs/history.md`): the full-text index of messages
//! (filled off the hot path by the server's indexing chore from a queue the store keeps as
//! messages are stored), the search itself, and who served a conversation.

use super::Result;
use crate::history::access::Scope;
use crate::history::query::Query;
use crate::model::{AgentId, SessionId};
use crate::protocol::HistorySearchReply;
use std::time::Instant;

/// A stored message waiting to be indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unindexed {
    pub session_id: SessionId,
    pub seq: i64,
    pub body: String,
}

/// A message's index terms, ready for [`HistoryTx::history_index`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub session_id: SessionId,
    pub seq: i64,
    pub terms: String,
}

pub trait HistoryRead {
    /// Up to `limit` messages waiting to be indexed, oldest conversation first.
    fn history_unindexed(&mut self, limit: u32) -> Result<Vec<Unindexed>>;
    /// How many messages wait to be indexed.
    fn history_backlog(&mut self) -> Result<u64>;
    /// One page of a search, newest conversation first, within `scope`. Stops early (with a
    /// `next` to go on from) when `deadline` passes.
    fn history_search(
        &mut self,
        q: &Query,
        scope: &Scope,
        deadline: Instant,
    ) -> Result<HistorySearchReply>;
    /// Everyone who served the conversation (assignee at any time, from/to agents of its
    /// transfers), by id.
    fn served_by(&mut self, session: SessionId) -> Result<Vec<AgentId>>;
}

pub trait HistoryTx {
    /// Checks the index is of `version`; if not (new, lost or outdated), empties it and queues
    /// every stored message. Returns how many were queued (0: the index was current).
    fn history_ensure(&mut self, version: &str) -> Result<u64>;
    /// Adds messages to the index and takes them off the queue; a message no longer queued
    /// (purged meanwhile) is skipped. Returns how many were added.
    fn history_index(&mut self, rows: &[Indexed]) -> Result<usize>;
}
