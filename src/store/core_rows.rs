//! [`CoreRows`]: the rows one hub batch writes — session rows, messages, agent statuses and
//! events — in the shape the hub hands them over, written in one committer job. A message's
//! events refer to the message instead of carrying a copy of it.

use super::{Audience, Result, Tx};
use crate::model::{AgentId, AgentStatus, Millis, SessionId};
use crate::protocol::{MessageView, SessionView};

/// What a stored event holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// The event's JSON, replayed as is, and the session it concerns if any.
    Json {
        session: Option<SessionId>,
        body: String,
    },
    /// The `message` event of the message (`session`, `seq`), stored in the same batch or
    /// before: replayed from the stored message.
    Message { session: SessionId, seq: i64 },
}

/// One durable event: its cursor, who it is for, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub audience: Audience,
    pub body: EventBody,
}

/// The rows of one hub batch.
#[derive(Debug, Default)]
pub struct CoreRows {
    /// Session rows with their pending offer (agent, expiry).
    pub sessions: Vec<(SessionView, Option<(AgentId, Millis)>)>,
    pub messages: Vec<MessageView>,
    pub statuses: Vec<(AgentId, AgentStatus)>,
    pub events: Vec<EventRow>,
}

impl CoreRows {
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
            && self.messages.is_empty()
            && self.statuses.is_empty()
            && self.events.is_empty()
    }

    /// Writes every row: sessions first (messages refer to them), then messages, statuses and
    /// events (which may refer to the messages).
    pub fn write(&self, tx: &mut dyn Tx, now: Millis) -> Result<()> {
        for (s, offer) in &self.sessions {
            tx.put_session(s, *offer)?;
        }
        for m in &self.messages {
            tx.insert_message(m)?;
        }
        for (a, s) in &self.statuses {
            tx.set_agent_status(*a, *s)?;
            tx.log_agent_status(*a, *s, now)?;
        }
        for e in &self.events {
            match &e.body {
                EventBody::Message { session, seq } => {
                    tx.insert_message_event(e.id, e.audience, *session, *seq, now)?
                }
                EventBody::Json { session, body } => {
                    tx.insert_event(e.id, e.audience, *session, body, now)?
                }
            }
        }
        Ok(())
    }
}
