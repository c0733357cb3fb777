//! What the console knows about suggested replies and message intents (`suggest.rs` acts on
//! it).

use crate::model::{Millis, SessionId};
use crate::protocol::SuggestReply;
use std::collections::BTreeMap;

/// The pause after a new customer message or a change of focus before asking: messages in a
/// burst, or flicking through sessions, make one request.
pub const SUGGEST_DEBOUNCE_MS: Millis = 300;
/// Message intents remembered (oldest sessions forgotten first).
pub(super) const MAX_MESSAGE_INTENTS: usize = 5_000;

/// A customer message's intent, as the server named it.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageIntent {
    pub intent: String,
    pub zh: String,
    pub en: String,
}

/// What the console knows about suggestions.
#[derive(Debug, Clone, Default)]
pub struct SuggestState {
    /// What the last request (or answer) was for: the session and its newest customer seq.
    pub asked: Option<(SessionId, Option<i64>)>,
    /// A request waiting for its pause to end: when, and for what.
    pub due: Option<(Millis, (SessionId, Option<i64>))>,
    /// Bumped per request: an answer to an older one is dropped.
    pub generation: u64,
    /// The suggestions shown, for `reply.session_id`.
    pub reply: Option<SuggestReply>,
    /// The highlighted entry (articles first, then quick replies).
    pub selected: usize,
    /// Intents of customer messages by (session, seq).
    pub intents: BTreeMap<(SessionId, i64), MessageIntent>,
}

/// One entry of the strip.
#[derive(Debug, Clone, PartialEq)]
pub enum SuggestEntry {
    Article { title: String, body: String },
    QuickReply { title: String, body: String },
}
