//! Intents on the hub: every customer message (the first few of a conversation) is classified
//! ([`IntentBook`]), and a conversation's intent is its dominant one. Agents see it in the
//! SessionView (`intent`); a change is announced like any other change of the session.

use super::hub::Hub;
#[cfg(doc)]
use super::intent_book::IntentBook;
use crate::model::SessionId;

impl Hub {
    /// Classifies a customer's message and, when the conversation's dominant intent changes,
    /// stores it and tells the agents who see the session.
    pub(super) fn note_intent(&mut self, session: SessionId, text: &str) {
        let Some(intent) = self.intents.observe(session, text) else {
            return;
        };
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        if l.view.intent.as_deref() == Some(intent.as_str()) {
            return;
        }
        l.view.intent = Some(intent);
        self.touch(session);
        self.announce_session(session);
    }
}
