//! Pending follow-up (待跟进) with a reminder (issue 10, S11): `session.follow_up` marks or
//! unmarks a conversation, optionally with a time (`remind_at`) when its assignee is reminded
//! by a durable `follow_up_due` event.
//!
//! The time lives in the session row (`follow_up_at`), so it survives a restart: the hub
//! re-arms every open conversation's reminder when it starts, and one that fell due while the
//! server was down fires at the first chore round. The armed reminders sit in a
//! [`FollowUpBook`] ordered by time, so the once-a-second chore only looks at the due ones.
//!
//! Rules: the reminder goes to whoever serves the conversation when it falls due (after a
//! transfer, the new assignee); while nobody serves it (queued, on offer, with the bot) it is
//! retried every [`RETRY_UNSERVED_MS`]; when the conversation ends it is dropped. A fired
//! reminder leaves the conversation marked (the agent unmarks it when done).

use super::hub::Hub;
use crate::model::{AgentId, Millis, SessionId, now_ms};
use crate::protocol::request::FollowUp;
use crate::protocol::{ApiError, Event, FollowUpReply};
use crate::store::Audience;
use std::collections::{BTreeSet, HashMap};

/// The furthest ahead a reminder may be set.
pub const MAX_REMIND_AHEAD_MS: Millis = 90 * 24 * 3600 * 1000;

/// Due while nobody serves the conversation: looked at again this much later.
pub const RETRY_UNSERVED_MS: Millis = 60_000;

/// Most reminders fired in one chore round; a backlog (after a long stop) goes in slices.
const MAX_PER_ROUND: usize = 500;

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

impl Hub {
    /// Arms the reminders of the open conversations found at start-up.
    pub(super) fn arm_follow_ups(&mut self) {
        let armed: Vec<(SessionId, Millis)> = self
            .live
            .values()
            .filter(|l| l.view.follow_up)
            .filter_map(|l| Some((l.view.id, l.view.follow_up_at?)))
            .collect();
        for (session, at) in armed {
            self.follow_ups.set(session, Some(at));
        }
    }

    pub(super) fn follow_up(
        &mut self,
        agent: AgentId,
        q: FollowUp,
    ) -> Result<FollowUpReply, ApiError> {
        self.check_session(agent, q.session_id)?;
        check_remind_at(q.pending, q.remind_at, now_ms())?;
        let at = q.remind_at.filter(|_| q.pending);
        if let Some(l) = self.live.get_mut(&q.session_id) {
            l.view.follow_up = q.pending;
            l.view.follow_up_at = at;
        }
        self.follow_ups.set(q.session_id, at);
        self.touch(q.session_id);
        self.announce_session(q.session_id);
        Ok(FollowUpReply {
            follow_up: q.pending,
            follow_up_at: at,
        })
    }

    /// The chore: fires the reminders due at `now`.
    pub(super) fn fire_follow_ups(&mut self, now: Millis) {
        for (at, session) in self.follow_ups.take_due(now, MAX_PER_ROUND) {
            let Some(l) = self.live.get_mut(&session) else {
                continue; // ended: dropped
            };
            if !l.view.follow_up || l.view.follow_up_at != Some(at) {
                continue; // unmarked or moved since (the book is kept in step; belt and braces)
            }
            let Some(agent) = l.view.assignee else {
                // Nobody serves it right now: try again later rather than lose it.
                self.follow_ups
                    .set(session, Some(now.saturating_add(RETRY_UNSERVED_MS)));
                continue;
            };
            l.view.follow_up_at = None;
            self.touch(session);
            self.announce_session(session);
            tracing::debug!(session, agent, "follow-up reminder due");
            let ev = Event::FollowUpDue {
                session_id: session,
            };
            self.emit(Audience::Agent(agent), Some(session), &ev);
        }
    }
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
