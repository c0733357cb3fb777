//! Who was mentioned in which open conversation (`note_ops` keeps it): plain data, apart
//! from the hub.

use crate::model::{AgentId, SessionId};
use crate::protocol::ApiError;
use std::collections::{BTreeSet, HashMap};

/// Who was mentioned in which open conversation.
#[derive(Debug, Default)]
pub struct NoteBook {
    mentioned: HashMap<SessionId, BTreeSet<AgentId>>,
}

impl NoteBook {
    /// From the store's (session, agent) pairs of open conversations.
    pub fn new(pairs: Vec<(SessionId, AgentId)>) -> NoteBook {
        let mut book = NoteBook::default();
        for (s, a) in pairs {
            book.mentioned.entry(s).or_default().insert(a);
        }
        book
    }

    /// Records that the agent was mentioned in this conversation.
    pub fn add(&mut self, session: SessionId, agent: AgentId) {
        self.mentioned.entry(session).or_default().insert(agent);
    }

    /// The agent was mentioned in this conversation (and it has not ended).
    pub fn watches(&self, agent: AgentId, session: SessionId) -> bool {
        self.mentioned
            .get(&session)
            .is_some_and(|set| set.contains(&agent))
    }

    pub fn watchers(&self, session: SessionId) -> Vec<AgentId> {
        self.mentioned
            .get(&session)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The conversation ended: nobody reads it through a mention any more.
    pub fn forget(&mut self, session: SessionId) -> Vec<AgentId> {
        self.mentioned
            .remove(&session)
            .map(|s| s.into_iter().collect())
            .unwrap_or_default()
    }
}

/// The forbidden error for a colleague who was only mentioned in the conversation.
pub fn read_only(session: SessionId) -> ApiError {
    ApiError::forbidden(format!(
        "you were mentioned in session {session}: you may read it and add notes (note.add), \
         not write to the customer, transfer, tag or end it"
    ))
}
