//! The silent customer: when an agent wrote last and the customer has said nothing for
//! `conversations.customer_idle_remind_secs`, a system line reminds them (once); after
//! `customer_idle_close_secs` more, the conversation ends as `abandoned` without a survey.
//! A group may set its own timers (`[[groups]]`, `config::ending`).
//!
//! Like the queue timeout, the clock lives in the session row (`replied_at`, `reminded_at`),
//! and the hub's once-a-second chores compare it with the time: a restart loses nothing.

use super::hub::Hub;
use super::session_ops::SYSTEM_NAME;
use crate::model::{AuthorKind, EndReason, Millis, SessionId, SessionState};
use crate::protocol::request::SendMessage;

/// Most conversations reminded or closed in one round.
const MAX_PER_ROUND: usize = 500;

/// The reminder, in both languages the product speaks (the customer's is not known here).
pub const REMINDER: &str = "Are you still there? This conversation will close soon if we do not \
                            hear from you. / 您还在吗？如果没有回复，本次对话将很快结束。";

impl Hub {
    pub(super) fn remind_or_close_idle(&mut self, now: Millis) {
        // Per group: `[[groups]]` may set its own timers (`config::ending`).
        let rules = self.config.idle_rules();
        if rules.all_off() {
            return;
        }
        let mut due_remind: Vec<SessionId> = Vec::new();
        let mut due_close: Vec<SessionId> = Vec::new();
        for l in self.live.values() {
            let v = &l.view;
            // With an agent or with the bot (whose messages start the clock too).
            if !matches!(
                v.state,
                SessionState::Active | SessionState::Bot | SessionState::Menu
            ) {
                continue;
            }
            // A pending end told the customer already and closes it itself (`end_ops`).
            if v.ends_at.is_some() {
                continue;
            }
            let Some((remind, close)) = rules.of(&v.group) else {
                continue;
            };
            match (v.replied_at, v.reminded_at) {
                (Some(at), None) if at.saturating_add(remind) <= now => due_remind.push(v.id),
                (Some(_), Some(at)) if close.is_some_and(|c| at.saturating_add(c) <= now) => {
                    due_close.push(v.id)
                }
                _ => {}
            }
            if due_remind.len() + due_close.len() >= MAX_PER_ROUND {
                break;
            }
        }
        for session in due_remind {
            let line = SendMessage {
                session_id: session,
                client_msg_id: format!("idle-{session}-{now}"),
                body: REMINDER.to_string(),
            };
            if let Err(e) = self.post_message(AuthorKind::System, 0, line, None) {
                tracing::warn!(session, error = %e, "the idle reminder was not posted");
                continue;
            }
            if let Some(l) = self.live.get_mut(&session) {
                l.view.reminded_at = Some(now);
                self.touch(session);
            }
            tracing::debug!(session, who = SYSTEM_NAME, "reminded a silent customer");
        }
        for session in due_close {
            tracing::info!(
                session,
                "the customer stayed silent; the conversation is abandoned"
            );
            self.end_session(session, EndReason::Abandoned, false, now);
        }
    }
}
