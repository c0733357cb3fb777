//! The bot's turns in flight: a conversation whose last customer message is being looked up
//! in the knowledge base (on the read pool) holds the messages that came after it here, and
//! they get their turns in order once the lookup is back. Bounded per conversation: past
//! [`MAX_PENDING`], further messages join the last one waiting (one turn answers them all).

use crate::model::SessionId;
use std::collections::{HashMap, VecDeque};

/// Messages waiting for their turn per conversation.
const MAX_PENDING: usize = 4;
/// A turn looks at most this much of its text (what a question is about shows at its start;
/// the checks, the search and the classifier cost grows with the text).
pub const MAX_TURN_CHARS: usize = 500;

/// The part of a message a turn looks at.
pub fn turn_text(text: &str) -> String {
    text.chars().take(MAX_TURN_CHARS).collect()
}

#[derive(Default)]
pub struct BotBook {
    /// Conversations with a lookup in flight → the messages waiting behind it.
    busy: HashMap<SessionId, VecDeque<String>>,
}

impl BotBook {
    /// Whether the bot may take a turn on `text` now; if not it waits behind the one in flight.
    pub fn admit(&mut self, session: SessionId, text: &str) -> bool {
        match self.busy.get_mut(&session) {
            None => {
                self.busy.insert(session, VecDeque::new());
                true
            }
            Some(queue) => {
                let full = queue.len() >= MAX_PENDING;
                match queue.back_mut() {
                    // Joined to the last one waiting, up to what a turn looks at.
                    Some(last) if full => {
                        if last.chars().count() < MAX_TURN_CHARS {
                            last.push('\n');
                            last.push_str(text);
                            *last = turn_text(last);
                        }
                    }
                    _ => queue.push_back(turn_text(text)),
                }
                false
            }
        }
    }

    /// The lookup of `session` is done: the next message waiting, if any (its turn starts now
    /// and the conversation stays busy), else the conversation is free.
    pub fn next(&mut self, session: SessionId) -> Option<String> {
        let queue = self.busy.get_mut(&session)?;
        let next = queue.pop_front();
        if next.is_none() {
            self.busy.remove(&session);
        }
        next
    }

    /// The conversation left the bot (handed off or ended): nothing of it waits any more.
    pub fn forget(&mut self, session: SessionId) {
        self.busy.remove(&session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_come_in_order_and_the_queue_is_bounded() {
        let mut book = BotBook::default();
        assert!(book.admit(1, "a"));
        for t in ["b", "c", "d", "e", "f", "g"] {
            assert!(!book.admit(1, t));
        }
        assert!(
            book.admit(2, "other"),
            "conversations do not wait for each other"
        );
        assert_eq!(book.next(1).as_deref(), Some("b"));
        assert_eq!(book.next(1).as_deref(), Some("c"));
        assert_eq!(book.next(1).as_deref(), Some("d"));
        assert_eq!(book.next(1).as_deref(), Some("e\nf\ng"));
        assert_eq!(book.next(1), None);
        assert!(book.admit(1, "free again"));
        book.forget(1);
        assert!(book.admit(1, "x"));
    }

    #[test]
    fn what_waits_is_cut_to_what_a_turn_looks_at() {
        let mut book = BotBook::default();
        assert!(book.admit(1, "first"));
        let long = "长".repeat(3 * MAX_TURN_CHARS);
        for _ in 0..(MAX_PENDING + 50) {
            assert!(!book.admit(1, &long));
        }
        while let Some(text) = book.next(1) {
            assert!(text.chars().count() <= MAX_TURN_CHARS, "{}", text.len());
        }
        assert_eq!(turn_text("短"), "短");
    }
}
