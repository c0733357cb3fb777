//! What the hub gathered while handling one message — writes, events, replies, further store
//! work — before `batch` flushes it to the committer at the end of the hub's turn.

use super::outbox::Outbox;
use super::respond::Reply;
use crate::model::{AgentId, AgentStatus, SessionId};
use crate::protocol;
use crate::store::EventRow;
use crate::store::committer::Work;

/// Writes and deliveries gathered while handling one message; flushed as committer jobs.
#[derive(Default)]
pub struct Batch {
    /// Live sessions whose row changed.
    pub sessions: Vec<SessionId>,
    pub messages: Vec<protocol::MessageView>,
    /// Durable events, by cursor; a message's own events refer to it.
    pub events: Vec<EventRow>,
    pub statuses: Vec<(AgentId, AgentStatus)>,
    /// Live events to send once everything above committed.
    pub sends: Vec<(Outbox, String)>,
    /// Replies, sent after the events (a request's events come before its reply).
    pub replies: Vec<Reply>,
    /// Further store work (tokens, passwords, reads in commit order), each its own job.
    pub work: Vec<Work>,
    /// Work whose deliveries must follow the replies (a resume's replay follows its reply).
    pub after_replies: Vec<Work>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
            && self.messages.is_empty()
            && self.events.is_empty()
            && self.statuses.is_empty()
            && self.sends.is_empty()
            && self.replies.is_empty()
            && self.work.is_empty()
            && self.after_replies.is_empty()
    }
}
