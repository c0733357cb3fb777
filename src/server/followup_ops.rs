//! Pending follow-up (待跟进) with a reminder (issue 10, S11): `session.follow_up` marks or
//! unmarks a conversation, optionally with a time (`remind_at`) when its assignee is reminded
//! by a durable `follow_up_due` event.
//!
//! The time lives in the session row (`follow_up_at`), so it survives a restart: the hub
//! re-arms every open conversation's reminder when it starts, and one that fell due while the
//! server was down fires at the first chore round. The armed reminders sit in a
//! `FollowUpBook` (`followup_book`) ordered by time, so the once-a-second chore only looks at the due ones.
//!
//! Rules: the reminder goes to whoever serves the conversation when it falls due (after a
//! transfer, the new assignee); while nobody serves it (queued, on offer, with the bot) it is
//! retried every [`RETRY_UNSERVED_MS`]; when the conversation ends it is dropped. A fired
//! reminder leaves the conversation marked (the agent unmarks it when done).

use super::followup_book::check_remind_at;
use super::hub::Hub;
use crate::model::{AgentId, Millis, SessionId, now_ms};
use crate::protocol::request::FollowUp;
use crate::protocol::{ApiError, Event, FollowUpReply};
use crate::store::Audience;

/// Due while nobody serves the conversation: looked at again this much later.
pub const RETRY_UNSERVED_MS: Millis = 60_000;

/// Most reminders fired in one chore round; a backlog (after a long stop) goes in slices.
const MAX_PER_ROUND: usize = 500;

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
