//! Ending a conversation (S16–S18, `docs/ending.md`): `session.end` now or once the customer
//! has been silent for N seconds (a pending end, whose deadline is `SessionView::ends_at`),
//! `session.end_cancel`, the groups that require a tag first, `tags.suggest`, and the rating
//! that reaches the agent who served the conversation.
//!
//! A pending end lives in the session row (`ends_at`, `pending_end`), and the hub's
//! once-a-second chores compare it with the time, like the silent-customer clock (`idle`): a
//! restart loses nothing.

use super::hub::Hub;
use super::respond::Responder;
use crate::model::{AgentId, AuthorKind, Millis, SessionId, SessionState, now_ms};
use crate::protocol::request::{End, EndCancel, SendMessage, Tag, TagsSuggest};
use crate::protocol::{
    ApiError, EndReply, Event, PendingEnd, RatingInfo, SessionView, TagCount, TagsSuggestReply,
};
use crate::store::Audience;

/// Longest silence a pending end may wait for: an hour (past that, close it later by hand).
pub const MAX_SILENCE_SECS: u32 = 3600;
/// Most tag suggestions per request (and the default).
const MAX_SUGGESTIONS: u32 = 20;
/// Longest prefix `tags.suggest` takes (a tag's own limit).
const MAX_PREFIX_CHARS: usize = 64;
/// Most pending ends carried out (or dropped) in one round.
const MAX_PER_ROUND: usize = 500;

/// The line the customer gets once, when a pending end starts (both languages the product
/// speaks; the customer's is not known here).
pub fn silence_notice(secs: u32) -> String {
    let (en, zh) = if secs.is_multiple_of(60) {
        let m = secs / 60;
        let unit = if m == 1 { "minute" } else { "minutes" };
        (format!("{m} {unit}"), format!("{m} 分钟"))
    } else {
        let unit = if secs == 1 { "second" } else { "seconds" };
        (format!("{secs} {unit}"), format!("{secs} 秒"))
    };
    format!(
        "If there is nothing else, this conversation will close in {en}; just write to keep it \
         open. / 如果没有其他问题，本次对话将在{zh}后结束；如需继续咨询，请直接回复。"
    )
}

/// A customer message on a conversation with a pending end: the silence starts again, so the
/// deadline moves. Returns whether it moved (the agents are then told).
pub fn postpone_end(view: &mut SessionView, now: Millis) -> bool {
    match (view.pending_end, view.ends_at) {
        (Some(p), Some(_)) => {
            view.ends_at = Some(now.saturating_add(i64::from(p.silence_secs) * 1000));
            true
        }
        _ => false,
    }
}

/// Forgets a pending end (the conversation ended or changed hands).
pub fn clear_pending_end(view: &mut SessionView) {
    view.ends_at = None;
    view.pending_end = None;
}

impl Hub {
    /// An agent ends a session: now, or (with `after_silence_secs`) once the customer has been
    /// silent that long. Tags given are added first; a group with `require_tags` refuses to
    /// end an untagged conversation.
    pub(super) fn end(&mut self, agent: AgentId, q: End) -> Result<EndReply, ApiError> {
        let End {
            session_id,
            closing_message,
            outcome,
            after_silence_secs,
            tags,
        } = q;
        self.check_session(agent, session_id)?;
        let silence = after_silence_secs.unwrap_or(0);
        if silence > MAX_SILENCE_SECS {
            return Err(ApiError::invalid(format!(
                "after_silence_secs must be at most {MAX_SILENCE_SECS} (an hour)"
            )));
        }
        // Waiting for the customer needs someone answering them (a queued or offered
        // session's wait would be dropped at once: `end_when_silent`).
        if silence > 0
            && self
                .live
                .get(&session_id)
                .is_some_and(|l| l.view.state != SessionState::Active)
        {
            return Err(ApiError::conflict(
                "only an accepted session can wait for the customer's silence; end it now",
            ));
        }
        if !tags.is_empty() {
            let add = Tag {
                session_id,
                add: tags,
                remove: Vec::new(),
            };
            self.tag(agent, add)?;
        }
        self.check_required_tags(session_id)?;
        let now = now_ms();
        if let Some(text) = closing_message.filter(|t| !t.trim().is_empty()) {
            let closing = SendMessage {
                session_id,
                client_msg_id: format!("end-{session_id}-{now}"),
                body: self.signed_closing(agent, text),
            };
            self.post_message(AuthorKind::Agent, agent, closing, None)?;
        }
        let outcome = outcome.unwrap_or_default();
        if silence == 0 {
            self.end_session(session_id, outcome, true, now);
            return Ok(EndReply {
                session_id,
                ends_at: None,
            });
        }
        let ends_at = now.saturating_add(i64::from(silence) * 1000);
        let Some(l) = self.live.get_mut(&session_id) else {
            return Err(ApiError::not_found(format!("no open session {session_id}")));
        };
        // Asked again while pending: the new wait and outcome count; the customer was told.
        let told = l.view.pending_end.is_some();
        l.view.pending_end = Some(PendingEnd {
            silence_secs: silence,
            outcome,
        });
        l.view.ends_at = Some(ends_at);
        self.touch(session_id);
        if !told {
            let line = SendMessage {
                session_id,
                client_msg_id: format!("end-notice-{session_id}-{now}"),
                body: silence_notice(silence),
            };
            if let Err(e) = self.post_message(AuthorKind::System, 0, line, None) {
                tracing::warn!(session_id, error = %e, "the pending end's notice was not posted");
            }
        }
        self.announce_session(session_id);
        Ok(EndReply {
            session_id,
            ends_at: Some(ends_at),
        })
    }

    /// `invalid` (with what to do) when the session's group requires a tag and it has none.
    fn check_required_tags(&self, session: SessionId) -> Result<(), ApiError> {
        let Some(l) = self.live.get(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        if l.view.tags.is_empty() && self.config.requires_tags(&l.view.group) {
            return Err(ApiError::invalid(format!(
                "conversations of group `{}` must be tagged before they end: add a tag \
                 (session.tag, or `tags` with session.end)",
                l.view.group
            )));
        }
        Ok(())
    }

    pub(super) fn end_cancel(
        &mut self,
        agent: AgentId,
        q: EndCancel,
    ) -> Result<EndReply, ApiError> {
        let session_id = q.session_id;
        self.check_session(agent, session_id)?;
        let Some(l) = self.live.get_mut(&session_id) else {
            return Err(ApiError::not_found(format!("no open session {session_id}")));
        };
        if l.view.ends_at.is_none() && l.view.pending_end.is_none() {
            return Err(ApiError::conflict(format!(
                "no end is pending for session {session_id}"
            )));
        }
        clear_pending_end(&mut l.view);
        self.touch(session_id);
        self.announce_session(session_id);
        Ok(EndReply {
            session_id,
            ends_at: None,
        })
    }

    /// Pending ends whose customer stayed silent until the deadline: the conversation ends
    /// with the outcome chosen (and the survey). One that is no longer with an agent (it was
    /// transferred or requeued) is dropped: its next agent decides.
    pub(super) fn end_when_silent(&mut self, now: Millis) {
        let mut due: Vec<(SessionId, bool)> = Vec::new();
        for l in self.live.values() {
            let v = &l.view;
            if v.ends_at.is_none() && v.pending_end.is_none() {
                continue;
            }
            if v.state != SessionState::Active {
                due.push((v.id, false));
            } else if v.ends_at.is_none_or(|at| at <= now) {
                due.push((v.id, true));
            }
            if due.len() >= MAX_PER_ROUND {
                break;
            }
        }
        for (session, end) in due {
            if end {
                let outcome = self
                    .live
                    .get(&session)
                    .and_then(|l| l.view.pending_end)
                    .map(|p| p.outcome)
                    .unwrap_or_default();
                tracing::info!(
                    session,
                    "the customer stayed silent; the pending end is done"
                );
                self.end_session(session, outcome, true, now);
            } else if let Some(l) = self.live.get_mut(&session) {
                clear_pending_end(&mut l.view);
                self.touch(session);
                self.announce_session(session);
            }
        }
    }

    /// `tags.suggest`: the most used tags starting with the prefix, read off the hub.
    pub(super) fn tags_suggest(&mut self, r: Responder<TagsSuggestReply>, q: TagsSuggest) {
        let prefix = q.prefix.trim().to_string();
        if prefix.chars().count() > MAX_PREFIX_CHARS {
            let e = ApiError::invalid(format!("prefix is over {MAX_PREFIX_CHARS} characters"));
            return self.answer(r, Err(e));
        }
        let limit = q.limit.unwrap_or(MAX_SUGGESTIONS).clamp(1, MAX_SUGGESTIONS);
        self.read_reply(r, move |rd| {
            let tags = rd
                .popular_tags(&prefix, limit)?
                .into_iter()
                .map(|(tag, count)| TagCount { tag, count })
                .collect();
            Ok(Ok(TagsSuggestReply { tags }))
        });
    }

    /// A customer rated an ended conversation: the agent who served it hears of it.
    pub(super) fn rated(&mut self, agent: Option<AgentId>, info: RatingInfo) {
        let Some(agent) = agent else { return };
        let session = info.session_id;
        self.emit(
            Audience::Agent(agent),
            Some(session),
            &Event::SessionRated(info),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_names_the_wait_in_minutes_or_seconds() {
        assert!(silence_notice(120).contains("2 minutes"));
        assert!(silence_notice(120).contains("2 分钟"));
        assert!(silence_notice(60).contains("1 minute;"));
        assert!(silence_notice(90).contains("90 seconds"));
        assert!(silence_notice(1).contains("1 second;"));
    }
}
