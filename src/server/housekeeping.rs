//! The hub's once-a-second chores, none of them on a request's path: end conversations that
//! waited in a queue longer than `quotas.queue_timeout_secs` without any agent accepting them,
//! prune the quota books, and check live agent connections for revoked tokens.

use super::hub::Hub;
use crate::model::{EndReason, Millis, SessionId, SessionState, now_ms};

/// Most conversations ended in one round, so a backlog is worked off in slices.
const MAX_EXPIRED_PER_ROUND: usize = 500;

impl Hub {
    pub(super) fn housekeeping(&mut self) {
        let now = now_ms();
        self.expire_unanswered(now);
        self.remind_or_close_idle(now);
        let live = &self.live;
        self.quotas.prune(now, |s| live.contains_key(&s));
        self.check_revocations(now);
        self.metrics
            .publish_sessions(self.live.values().map(|l| l.view.state));
    }

    /// Ends, as `abandoned` and without a survey, the queued conversations no agent has ever
    /// accepted that have waited `quotas.queue_timeout_secs`. (A conversation handed back to a
    /// queue after an agent served it is not expired: someone is already answering it.)
    pub(super) fn expire_unanswered(&mut self, now: Millis) {
        let queue = self.config.quotas.queue_timeout_ms();
        // A left message (`offline`) waits longer: for the first agent of the morning.
        let left = self.config.conversations.left_message_timeout_ms();
        if queue.is_none() && left.is_none() {
            return;
        }
        let due: Vec<SessionId> = self
            .live
            .values()
            .filter(|l| {
                let v = &l.view;
                let timeout = if v.offline { left } else { queue };
                v.state == SessionState::Queued
                    && v.accepted_at.is_none()
                    && timeout.is_some_and(|t| {
                        v.queued_at.unwrap_or(v.created_at).saturating_add(t) <= now
                    })
            })
            .map(|l| l.view.id)
            .take(MAX_EXPIRED_PER_ROUND)
            .collect();
        for session in due {
            tracing::info!(
                session,
                "nobody answered in time; the conversation is abandoned"
            );
            self.transfer_notes.remove(&session);
            self.end_session(session, EndReason::Abandoned, false, now);
        }
    }
}
