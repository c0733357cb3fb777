//! The intents of open conversations: the classifier (the built-in intent set, trained at
//! start-up; `crate::intents`) and what each conversation's customer messages were classified as
//! so far, giving its dominant intent. Plain data; `intent_ops` applies it on the hub.

use crate::intents::{Classifier, ClassifierConfig, IntentSet};
use crate::model::SessionId;
use std::collections::HashMap;

/// Intents that say nothing about what the conversation is about: they never become its intent.
const SMALL_TALK: [&str; 2] = ["greeting", "thanks"];
/// Customer messages classified per conversation: what it is about shows in its first
/// messages, and a long conversation must not cost the hub a classification per message.
const CLASSIFIED_PER_SESSION: u32 = 8;

/// The classifier and what each open conversation's messages were classified as so far.
pub struct IntentBook {
    classifier: Option<Classifier>,
    /// Per open session: what its customer's messages were classified as.
    tallies: HashMap<SessionId, Tally>,
}

#[derive(Default)]
struct Tally {
    /// Customer messages classified so far (at most [`CLASSIFIED_PER_SESSION`]).
    seen: u32,
    /// Intent → messages classified as it.
    counts: HashMap<String, u32>,
}

impl IntentBook {
    /// Trains on the built-in set; without a classifier (it failed to train, which the unit
    /// tests of `intents` rule out for the built-in set) conversations simply get no intent.
    pub fn builtin() -> IntentBook {
        let classifier = IntentSet::builtin()
            .map_err(|e| e.to_string())
            .and_then(|set| {
                set.train(&ClassifierConfig::default())
                    .map_err(|e| e.to_string())
            })
            .inspect_err(|e| tracing::error!(error = %e, "intent classifier unavailable"))
            .ok();
        IntentBook {
            classifier,
            tallies: HashMap::new(),
        }
    }

    /// Counts the intent of one customer message; returns the conversation's dominant intent
    /// when the message was classified (a tie goes to the name that sorts first, so the
    /// answer does not depend on map order).
    pub(super) fn observe(&mut self, session: SessionId, text: &str) -> Option<String> {
        let tally = self.tallies.entry(session).or_default();
        if tally.seen >= CLASSIFIED_PER_SESSION {
            return None;
        }
        tally.seen += 1;
        let label = self.classifier.as_ref()?.predict(text).label?;
        if SMALL_TALK.contains(&label.as_str()) {
            return None;
        }
        *tally.counts.entry(label).or_insert(0) += 1;
        tally
            .counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(intent, _)| intent.clone())
    }

    /// The intent of one message alone (the answering bot's complaint check), counting nothing.
    pub(super) fn classify(&self, text: &str) -> Option<String> {
        self.classifier.as_ref()?.predict(text).label
    }

    pub fn forget(&mut self, session: SessionId) {
        self.tallies.remove(&session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dominant_intent_wins_and_small_talk_never_counts() {
        let mut book = IntentBook::builtin();
        assert!(book.classifier.is_some());
        assert_eq!(book.observe(1, "你好"), None, "a greeting says nothing");
        let first = book.observe(1, "我要投诉，你们的客服态度太差了");
        assert_eq!(first.as_deref(), Some("complaint"));
        // One message about something else does not outweigh it.
        let after = book.observe(1, "我的快递到哪里了，物流三天没更新");
        assert_eq!(after.as_deref(), Some("complaint"));
        // Only the first messages are classified.
        for _ in 0..CLASSIFIED_PER_SESSION {
            book.observe(2, "我的快递到哪里了，物流三天没更新");
        }
        assert_eq!(book.observe(2, "我要投诉，你们的客服态度太差了"), None);
        book.forget(1);
        book.forget(2);
        assert!(book.tallies.is_empty());
    }
}
