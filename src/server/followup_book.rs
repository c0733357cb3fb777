//! The armed follow-up reminders (`followup_ops` fires them) and the check of a requested
//! reminder time: plain data, apart from the hub.

use crate::model::{Millis, SessionId};
use crate::protocol::ApiError;
use std::collections::{BTreeSet, HashMap};

/// The furthest ahead a reminder may be set.
pub const MAX_REMIND_AHEAD_MS: Millis = 90 * 24 * 3600 * 1000;

/// The armed reminders: by time for the chore, by session to re-arm or drop one.
#[derive(Debug, Default)]
pub struct FollowUpBook {
    by_time: BTreeSet<(Millis, SessionId)>,
    by_session: HashMap<SessionId, Millis>,
}

impl FollowUpBook {
    /// Arms (or moves, or with `None` drops) the session's reminder.
    pub fn set(&mut self, session: SessionId, at: Option<Millis>) {
        if let Some(old) = self.by_session.remove(&session) {
            self.by_time.remove(&(old, session));
        }
        if let Some(at) = at {
            self.by_time.insert((at, session));
            self.by_session.insert(session, at);
        }
    }

    pub fn forget(&mut self, session: SessionId) {
        self.set(session, None);
    }

    /// Takes up to `limit` reminders due at `now`, oldest first.
    pub fn take_due(&mut self, now: Millis, limit: usize) -> Vec<(Millis, SessionId)> {
        let mut due = Vec::new();
        while due.len() < limit {
            let Some(&(at, session)) = self.by_time.first() else {
                break;
            };
            if at > now {
                break;
            }
            self.by_time.pop_first();
            self.by_session.remove(&session);
            due.push((at, session));
        }
        due
    }

    pub fn len(&self) -> usize {
        self.by_session.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_session.is_empty()
    }
}

/// Checks a requested reminder time against `now`.
pub fn check_remind_at(pending: bool, at: Option<Millis>, now: Millis) -> Result<(), ApiError> {
    let Some(at) = at else {
        return Ok(());
    };
    if !pending {
        return Err(ApiError::invalid(
            "a reminder needs the conversation marked (`pending: true`)",
        ));
    }
    if at <= now {
        return Err(ApiError::invalid("the reminder time is in the past"));
    }
    if at - now > MAX_REMIND_AHEAD_MS {
        return Err(ApiError::invalid(
            "the reminder time is more than 90 days ahead",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_hands_out_due_reminders_in_time_order_and_bounded() {
        let mut b = FollowUpBook::default();
        b.set(1, Some(300));
        b.set(2, Some(100));
        b.set(3, Some(200));
        b.set(3, Some(250)); // moved
        b.set(4, Some(50));
        b.forget(4);
        assert_eq!(b.len(), 3);
        assert_eq!(b.take_due(99, 10), vec![]);
        assert_eq!(b.take_due(260, 1), vec![(100, 2)]);
        assert_eq!(b.take_due(260, 10), vec![(250, 3)]);
        assert_eq!(b.take_due(1_000, 10), vec![(300, 1)]);
        assert!(b.is_empty());
    }

    #[test]
    fn reminder_times_are_checked() {
        let now = 1_000_000;
        assert!(check_remind_at(true, None, now).is_ok());
        assert!(check_remind_at(false, None, now).is_ok());
        assert!(check_remind_at(true, Some(now + 1), now).is_ok());
        assert!(check_remind_at(true, Some(now + MAX_REMIND_AHEAD_MS), now).is_ok());
        for (pending, at) in [
            (false, now + 10),
            (true, now),
            (true, now - 5),
            (true, now + MAX_REMIND_AHEAD_MS + 1),
        ] {
            let e = check_remind_at(pending, Some(at), now).unwrap_err();
            assert_eq!(
                e.code,
                crate::protocol::ErrorCode::Invalid,
                "{pending} {at}"
            );
        }
    }
}
