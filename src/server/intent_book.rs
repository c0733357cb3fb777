//! The intents of open conversations: the intent set and its classifier (trained at start-up;
//! `crate::intents`), shared with the read pool, where messages are classified, and what each
//! conversation's customer messages were classified as so far, giving its dominant intent and
//! whether its routing effects were applied. Plain data; `intent_ops` applies it on the hub.

use crate::intents::{Classifier, ClassifierConfig, IntentSet};
use crate::model::SessionId;
use std::collections::HashMap;
use std::sync::Arc;

/// Intents that say nothing about what the conversation is about: they never become its intent.
const SMALL_TALK: [&str; 2] = ["greeting", "thanks"];
/// Customer messages counted towards the dominant intent per conversation: what it is about
/// shows in its first messages (every message is still labelled for the console).
const CLASSIFIED_PER_SESSION: u32 = 8;

/// The intent set the server uses: `[intents] file`, else the built-in set. Every
/// `route_group` of a configured file must be a group (`group_exists`); the built-in set's
/// are used where the group exists and ignored elsewhere (a plain install has one group).
pub fn load_intents(
    config: &crate::config::ServerConfig,
    group_exists: impl Fn(&str) -> bool,
) -> anyhow::Result<IntentSet> {
    let file = config.intents.file.as_deref();
    let set = IntentSet::load(file).map_err(|e| anyhow::anyhow!("[intents] {e}"))?;
    if let Some(f) = file {
        set.check_groups(&f.display().to_string(), group_exists)
            .map_err(|e| anyhow::anyhow!("[intents] {e}"))?;
    }
    Ok(set)
}

/// The intent set and its trained classifier: read-only once built, shared by the hub (for
/// display names and effects) and the read pool (which classifies).
pub struct Intents {
    pub set: IntentSet,
    pub classifier: Classifier,
}

/// The classifier and what each open conversation's messages were classified as so far.
#[derive(Default)]
pub struct IntentBook {
    intents: Option<Arc<Intents>>,
    /// Per open session: what its customer's messages were classified as.
    tallies: HashMap<SessionId, Tally>,
}

#[derive(Default)]
struct Tally {
    /// Customer messages admitted for the tally so far (at most [`CLASSIFIED_PER_SESSION`]).
    seen: u32,
    /// Intent → messages classified as it.
    counts: HashMap<String, u32>,
    /// The routing effects of an intent were applied (at most once per conversation).
    effects_applied: bool,
}

impl IntentBook {
    /// Trains on `set`; without a classifier (it failed to train) conversations simply get no
    /// intent.
    pub fn new(set: IntentSet) -> IntentBook {
        let intents = set
            .train(&ClassifierConfig::default())
            .map(|classifier| Arc::new(Intents { set, classifier }))
            .inspect_err(|e| tracing::error!(error = %e, "intent classifier unavailable"))
            .ok();
        IntentBook {
            intents,
            tallies: HashMap::new(),
        }
    }

    /// Trains on the built-in set.
    pub fn builtin() -> IntentBook {
        match IntentSet::builtin() {
            Ok(set) => IntentBook::new(set),
            Err(e) => {
                tracing::error!(error = %e, "built-in intents unavailable");
                IntentBook::default()
            }
        }
    }

    /// The set and classifier, for work off the hub.
    pub fn shared(&self) -> Option<Arc<Intents>> {
        self.intents.clone()
    }

    /// Counts one more customer message of `session`; true while it is among the first
    /// [`CLASSIFIED_PER_SESSION`], whose intents make the conversation's intent.
    pub(super) fn admit(&mut self, session: SessionId) -> bool {
        let tally = self.tallies.entry(session).or_default();
        if tally.seen >= CLASSIFIED_PER_SESSION {
            return false;
        }
        tally.seen += 1;
        true
    }

    /// Counts an admitted message's intent; returns the conversation's dominant intent when
    /// it counted (a tie goes to the name that sorts first, so the answer does not depend on
    /// map order).
    pub(super) fn record(&mut self, session: SessionId, label: &str) -> Option<String> {
        if SMALL_TALK.contains(&label) {
            return None;
        }
        let tally = self.tallies.get_mut(&session)?;
        *tally.counts.entry(label.to_string()).or_insert(0) += 1;
        tally
            .counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(intent, _)| intent.clone())
    }

    /// The first time a conversation's intent is one with routing effects: true once.
    pub(super) fn take_effects(&mut self, session: SessionId, intent: &str) -> bool {
        let routes = self
            .intents
            .as_ref()
            .and_then(|i| i.set.get(intent))
            .is_some_and(|i| i.effects.routes());
        match self.tallies.get_mut(&session) {
            Some(t) if routes && !t.effects_applied => {
                t.effects_applied = true;
                true
            }
            _ => false,
        }
    }

    pub fn forget(&mut self, session: SessionId) {
        self.tallies.remove(&session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the hub does per customer message, classifying on the spot.
    fn observe(book: &mut IntentBook, session: SessionId, text: &str) -> Option<String> {
        if !book.admit(session) {
            return None;
        }
        let label = book.shared()?.classifier.predict(text).label?;
        book.record(session, &label)
    }

    #[test]
    fn the_dominant_intent_wins_and_small_talk_never_counts() {
        let mut book = IntentBook::builtin();
        assert!(book.intents.is_some());
        assert_eq!(
            observe(&mut book, 1, "你好"),
            None,
            "a greeting says nothing"
        );
        let first = observe(&mut book, 1, "我要投诉，你们的客服态度太差了");
        assert_eq!(first.as_deref(), Some("complaint"));
        // One message about something else does not outweigh it.
        let after = observe(&mut book, 1, "我的快递到哪里了，物流三天没更新");
        assert_eq!(after.as_deref(), Some("complaint"));
        // Only the first messages are counted.
        for _ in 0..CLASSIFIED_PER_SESSION {
            observe(&mut book, 2, "我的快递到哪里了，物流三天没更新");
        }
        assert_eq!(
            observe(&mut book, 2, "我要投诉，你们的客服态度太差了"),
            None
        );
        book.forget(1);
        book.forget(2);
        assert!(book.tallies.is_empty());
    }

    #[test]
    fn effects_are_taken_once_and_only_for_intents_that_route() {
        let mut book = IntentBook::builtin();
        book.admit(7);
        assert!(!book.take_effects(7, "greeting"), "no effects");
        assert!(!book.take_effects(7, "nonexistent"));
        assert!(book.take_effects(7, "complaint"), "raises priority");
        assert!(!book.take_effects(7, "complaint"), "once");
        assert!(!book.take_effects(7, "refund"), "once per conversation");
        assert!(!book.take_effects(8, "complaint"), "no message seen yet");
    }
}
