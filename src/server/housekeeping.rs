//! The hub's once-a-second chores, none of them on a request's path: end conversations that
//! waited in a queue longer than `quotas.queue_timeout_secs` without any agent accepting them,
//! prune the quota books, check live agent connections for revoked tokens, and one bounded
//! retention step (old events, expired tokens, free pages) as an ordinary committer job.

use super::hub::Hub;
use super::prune_chore::Done;
use crate::model::{EndReason, Millis, SessionId, SessionState, now_ms};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Most events (and, separately, expired tokens) deleted per retention step: a step then holds
/// the writer for a few milliseconds (`kefu_prune_step_seconds`), and up to 2,000 events a
/// second are pruned — far above what the hub writes at its design load.
pub const PRUNE_BATCH: u32 = 2_000;

/// Most conversations ended in one round, so a backlog is worked off in slices.
const MAX_EXPIRED_PER_ROUND: usize = 500;

impl Hub {
    pub(super) fn housekeeping(&mut self) {
        let now = now_ms();
        self.expire_unanswered(now);
        self.remind_or_close_idle(now);
        self.fire_follow_ups(now);
        self.end_when_silent(now);
        let live = &self.live;
        self.quotas.prune(now, |s| live.contains_key(&s));
        self.check_revocations(now);
        self.login_housekeeping();
        self.sweep_sign_ins(now);
        self.flush_denials();
        self.prune_step(now);
        self.metrics
            .publish_sessions(self.live.values().map(|l| l.view.state));
        self.publish_bot_sessions();
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
            self.end_session(session, EndReason::Abandoned, false, now);
        }
    }
}

impl Hub {
    /// Queues one retention step with the committer, unless one is still on its way or the
    /// writer is busy (a quarter of `limits.commit_backlog`): pruning waits for a quiet moment
    /// rather than adding to a backlog.
    pub(super) fn prune_step(&mut self, now: Millis) {
        let idle_ms = i64::try_from(self.config.storage.prune_idle_secs.saturating_mul(1000))
            .unwrap_or(i64::MAX);
        if self.pruning.in_flight.load(Ordering::Relaxed)
            || self.committer.backlog() > self.config.limits.commit_backlog / 4
            || (!self.pruning.more.load(Ordering::Relaxed)
                && now < self.pruning.last.saturating_add(idle_ms))
        {
            return;
        }
        self.pruning.last = now;
        let policy = self.config.storage.retention();
        // Tokens that live connections hold stay until the connection ends: the revocation
        // check reads a missing token as revoked.
        let keep: Vec<String> = self
            .conns
            .values()
            .filter_map(|c| c.token_hash.clone())
            .collect();
        let metrics = self.metrics.clone();
        self.pruning.in_flight.store(true, Ordering::Relaxed);
        let done = Done(self.pruning.in_flight.clone());
        let more = self.pruning.more.clone();
        let submitted = self.committer.submit(move |tx| {
            let started = Instant::now();
            let pruned = tx.prune(&policy, now, PRUNE_BATCH, &keep)?;
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            Ok(Some(Box::new(move || {
                let _done = done;
                more.store(pruned.more, Ordering::Relaxed);
                metrics.retention.step(&pruned, micros);
                if pruned.events > 0 || pruned.tokens > 0 || pruned.idempotency_keys > 0 {
                    tracing::debug!(
                        events = pruned.events,
                        tokens = pruned.tokens,
                        idempotency_keys = pruned.idempotency_keys,
                        floor = pruned.floor,
                        micros,
                        "retention step"
                    );
                }
            })))
        });
        if submitted.is_err() {
            // The writer stopped; the flag was cleared with the dropped job.
            tracing::debug!("the writer is gone; no retention step");
        }
    }
}
