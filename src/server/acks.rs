//! The acks a conversation's recent messages got, so a client that retries a message (same
//! `client_msg_id`) gets the same ack instead of a second copy. Bounded per conversation: a
//! conversation that stays open for days must not grow the hub's memory with every message.

use crate::model::AuthorKind;
use crate::protocol::MessageAck;
use std::collections::{HashMap, VecDeque};

/// How many of a conversation's latest messages a retry is recognised for. A retry of an older
/// message is stored as a new message (the store then keeps it without its `client_msg_id`);
/// clients retry what they have not seen acked, which is always among their latest messages.
pub const ACK_WINDOW: usize = crate::protocol::IDEMPOTENCY_WINDOW;

/// Who sent it and their id for it: (author kind, author id, client_msg_id).
pub type AckKey = (AuthorKind, i64, String);

#[derive(Debug, Default)]
pub struct AckWindow {
    acks: HashMap<AckKey, MessageAck>,
    /// Keys oldest first, to forget the oldest when the window is full.
    order: VecDeque<AckKey>,
}

impl AckWindow {
    pub fn get(&self, key: &AckKey) -> Option<&MessageAck> {
        self.acks.get(key)
    }

    pub fn contains(&self, key: &AckKey) -> bool {
        self.acks.contains_key(key)
    }

    /// Remembers an ack, forgetting the oldest beyond [`ACK_WINDOW`].
    pub fn insert(&mut self, key: AckKey, ack: MessageAck) {
        if self.acks.insert(key.clone(), ack).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > ACK_WINDOW {
            if let Some(old) = self.order.pop_front() {
                self.acks.remove(&old);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.acks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(seq: i64) -> MessageAck {
        MessageAck {
            session_id: 1,
            seq,
            created_at: 0,
            cursor: None,
        }
    }

    #[test]
    fn keeps_the_latest_window_and_forgets_the_oldest() {
        let mut w = AckWindow::default();
        let key = |k: usize| (AuthorKind::Customer, 7, format!("m{k}"));
        for k in 0..ACK_WINDOW + 10 {
            w.insert(key(k), ack(k as i64));
        }
        assert_eq!(w.len(), ACK_WINDOW);
        assert!(!w.contains(&key(9)), "the oldest are forgotten");
        assert_eq!(w.get(&key(10)).map(|a| a.seq), Some(10));
        assert_eq!(
            w.get(&key(ACK_WINDOW + 9)).map(|a| a.seq),
            Some(ACK_WINDOW as i64 + 9)
        );
        // Re-inserting a known key does not count twice.
        w.insert(key(ACK_WINDOW + 9), ack(0));
        assert_eq!(w.len(), ACK_WINDOW);
        assert_eq!(w.order.len(), ACK_WINDOW);
    }
}
