//! The end of a conversation from the customer's side: ending it themselves (`session.end`,
//! reason `customer_left`) and rating it afterwards (`session.rate`, stars and a comment).

use super::hub::{Hub, HubMsg};
use super::respond::Responder;
use crate::model::{CustomerId, EndReason, SessionState, now_ms};
use crate::protocol::request::{End, Rate};
use crate::protocol::{ApiError, EndReply, RateReply, RatingInfo};

/// Longest rating comment, in characters (after trimming).
const MAX_COMMENT_CHARS: usize = 1000;

impl Hub {
    /// The customer ends their own open conversation. They are asked for a rating only if an
    /// agent had taken it (there is nobody to rate otherwise).
    pub(super) fn customer_end(
        &mut self,
        customer: CustomerId,
        q: End,
    ) -> Result<EndReply, ApiError> {
        if q.closing_message.is_some()
            || q.outcome.is_some()
            || q.after_silence_secs.is_some()
            || !q.tags.is_empty()
        {
            return Err(ApiError::invalid(
                "a customer ends with `session_id` only (closing_message, outcome, \
                 after_silence_secs and tags are for agents)",
            ));
        }
        let session_id = q.session_id;
        self.own_session(customer, session_id)?;
        let survey = self
            .live
            .get(&session_id)
            .is_some_and(|l| l.view.accepted_at.is_some());
        self.end_session(session_id, EndReason::CustomerLeft, survey, now_ms());
        Ok(EndReply {
            session_id,
            ends_at: None,
        })
    }

    pub(super) fn rate(&mut self, r: Responder<RateReply>, customer: CustomerId, q: Rate) {
        let Rate {
            session_id,
            stars,
            comment,
        } = q;
        if !(1..=5).contains(&stars) {
            return self.answer(r, Err(ApiError::invalid("stars must be 1 to 5")));
        }
        let comment = comment
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if let Some(c) = &comment {
            if c.chars().count() > MAX_COMMENT_CHARS {
                let e =
                    ApiError::invalid(format!("comment is over {MAX_COMMENT_CHARS} characters"));
                return self.answer(r, Err(e));
            }
            // Line breaks are fine in a comment; other control characters are not.
            if c.chars().any(|ch| ch.is_control() && ch != '\n') {
                let e = ApiError::invalid("comment contains control characters");
                return self.answer(r, Err(e));
            }
        }
        // Read and write in one store job, so two ratings cannot both pass the check; the
        // agent who served it hears of it from the hub (`end_ops`).
        let inbox = self.inbox.clone();
        self.batch.work.push(Box::new(move |tx| {
            let mut rated = None;
            let outcome = match tx.session(session_id)? {
                None => Err(ApiError::not_found(format!("no session {session_id}"))),
                Some(s) if s.customer.id != customer => Err(ApiError::forbidden(format!(
                    "session {session_id} is not yours"
                ))),
                Some(s) if s.state != SessionState::Ended => {
                    Err(ApiError::conflict("the conversation has not ended yet"))
                }
                Some(s) if s.csat.is_some() => {
                    Err(ApiError::conflict("this conversation is already rated"))
                }
                Some(mut s) => {
                    s.csat = Some(stars);
                    s.csat_comment = comment;
                    tx.put_session(&s, None)?;
                    let info = RatingInfo {
                        session_id,
                        customer_id: customer,
                        nickname: s.customer.nickname.clone(),
                        stars,
                        comment: s.csat_comment.clone(),
                        rated_at: now_ms(),
                    };
                    rated = Some((s.assignee, info));
                    Ok(RateReply { session_id, stars })
                }
            };
            Ok(Some(Box::new(move || {
                r.send(outcome);
                if let Some((agent, info)) = rated {
                    let tell = HubMsg::Continue(Box::new(move |hub| hub.rated(agent, info)));
                    let _ = inbox.send(tell);
                }
            })))
        }));
    }
}
