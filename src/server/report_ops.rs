//! Reports on the hub (`docs/reports.md`): `report.get`, computed on the read pool (never on
//! the hub or the writer), and the one fact reports need the hub to write at a conversation's
//! end: that the customer was asked to rate it.

use super::hub::Hub;
use super::respond::Responder;
use crate::model::{AgentId, Millis, SessionId, now_ms};
use crate::protocol::{ApiError, ReportGet, ReportReply};
use crate::reports::{Asker, ReportError};

impl Hub {
    pub(super) fn report_get(&mut self, r: Responder<ReportReply>, agent: AgentId, q: ReportGet) {
        let asker = Asker {
            agent: Some(agent),
            sees_all: self.allows(
                agent,
                crate::permissions::Action::ReadReports,
                crate::permissions::Resource::EVERYONES,
            ),
        };
        let default_tz = self.config.reports.time_zone.clone();
        // Bad input is answered at once, without a trip to the read pool.
        if let Err(e) = crate::reports::check(&q, asker, default_tz.as_deref()) {
            let mut e = api_error(e);
            if e.code == crate::protocol::ErrorCode::Forbidden {
                let action = crate::permissions::Action::ReadReports;
                e = self.denied_with(agent, action, "report.get", e);
            }
            return self.answer(r, Err(e));
        }
        let Some(slot) = self.reports_running.take(agent) else {
            return self.answer(r, Err(still_running("report")));
        };
        self.read_reply(r, move |rd| {
            let _slot = slot;
            match crate::reports::report(rd, &q, asker, default_tz.as_deref(), now_ms()) {
                Ok(reply) => Ok(Ok(reply)),
                Err(ReportError::Store(e)) => Err(e),
                Err(e) => Ok(Err(api_error(e))),
            }
        });
    }

    /// The customer was asked for a rating as the conversation ended (the CSAT response
    /// rate's denominator).
    pub(super) fn record_survey(&mut self, session: SessionId, now: Millis) {
        self.write(move |tx| tx.mark_surveyed(session, now));
    }
}

/// The answer to a second report or search while the agent's previous one still runs.
pub(super) fn still_running(what: &str) -> ApiError {
    ApiError::new(
        crate::protocol::ErrorCode::RateLimited,
        format!("your previous {what} is still running; ask again when it has answered"),
    )
}

fn api_error(e: ReportError) -> ApiError {
    match e {
        ReportError::Invalid(m) => ApiError::invalid(m),
        ReportError::Forbidden(m) => ApiError::new(crate::protocol::ErrorCode::Forbidden, m),
        ReportError::Store(e) => ApiError::new(crate::protocol::ErrorCode::Internal, e.to_string()),
    }
}
