//! Reports on the hub (`docs/reports.md`): `report.get`, computed on the read pool.

use super::hub::Hub;
use super::respond::Responder;
use crate::model::AgentId;
use crate::protocol::{ApiError, ErrorCode, ReportGet, ReportReply};

impl Hub {
    pub(super) fn report_get(&mut self, r: Responder<ReportReply>, _agent: AgentId, _q: ReportGet) {
        self.answer(
            r,
            Err(ApiError::new(
                ErrorCode::Unavailable,
                "reports: not built yet",
            )),
        );
    }
}
