//! The End dialog's state (plain data): who and what is ended, the closing phrase (picked or
//! typed), tags (required by some groups, suggested from the most used), the outcome and
//! whether to end now or once the customer has been silent a while. `end.rs` drives it.

use crate::model::{Channel, Millis, SessionId};

/// Which part of the End dialog has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndField {
    Phrase,
    Tags,
    Outcome,
    When,
}

impl EndField {
    pub fn next(self) -> EndField {
        match self {
            EndField::Phrase => EndField::Tags,
            EndField::Tags => EndField::Outcome,
            EndField::Outcome => EndField::When,
            EndField::When => EndField::Phrase,
        }
    }
}

/// The minutes of silence offered first (S16: "wait for the customer 1–2 minutes").
pub const DEFAULT_WAIT_MINS: u32 = 2;
/// The most minutes the dialog takes (the server's limit is an hour).
pub const MAX_WAIT_MINS: u32 = 60;

/// What a reply to the ending requests is for (`Tag::Ending`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndTag {
    End(SessionId),
    Cancel(SessionId),
    /// Tag suggestions asked for with this generation of the dialog's tag input.
    Suggest(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EndDialog {
    pub session: SessionId,
    /// The customer's nickname and reference (external id or number); network text,
    /// sanitised when drawn.
    pub nickname: String,
    pub customer_ref: String,
    pub channel: Channel,
    pub group: String,
    pub started: Millis,
    /// Messages in the conversation, when known.
    pub messages: Option<i64>,
    pub field: EndField,
    /// The closing phrases offered (statements first; quick replies with intent `closing`).
    pub phrases: Vec<String>,
    /// The highlighted phrase; `None` once the agent typed their own.
    pub phrase_at: Option<usize>,
    pub phrase: String,
    /// Tags the session has (first) and tags added here.
    pub tags: Vec<String>,
    /// How many of `tags` the session already had (the rest are sent with the end).
    pub existing_tags: usize,
    pub tag_input: String,
    /// Most used tags from the server, then those this console knows.
    pub suggestions: Vec<String>,
    /// The highlighted suggestion (among those matching the input), once arrows moved it.
    pub suggest_at: Option<usize>,
    pub generation: u64,
    pub require_tags: bool,
    pub resolved: bool,
    /// End once the customer has been silent `wait_mins` (else now).
    pub wait: bool,
    pub wait_mins: u32,
    /// Why the last confirm did not end it (ours or the server's).
    pub error: Option<String>,
    /// The end request is on its way: the dialog waits for the answer.
    pub sending: bool,
}

impl EndDialog {
    /// The suggestions that match the tag input and are not added yet.
    pub fn matching(&self) -> Vec<&str> {
        let q = self.tag_input.trim().to_lowercase();
        self.suggestions
            .iter()
            .filter(|s| !self.tags.contains(s))
            .filter(|s| q.is_empty() || s.to_lowercase().contains(&q))
            .map(String::as_str)
            .collect()
    }

    /// The tags added in the dialog (to send with the end).
    pub fn new_tags(&self) -> Vec<String> {
        self.tags[self.existing_tags.min(self.tags.len())..].to_vec()
    }
}
