//! The supervisor's live view on the hub: `dashboard.watch`, the `dashboard` frames, and the
//! supervisor actions `agent.set_status` and `session.take_over`.

use super::hub::Hub;
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::AgentId;
use crate::protocol::{
    AgentSetStatus, ApiError, DashboardView, DashboardWatch, ErrorCode, SessionRef, StatusReply,
    TakeOver,
};

impl Hub {
    pub(super) fn dashboard_watch(
        &mut self,
        r: Responder<DashboardView>,
        _conn: ConnId,
        _agent: AgentId,
        _q: DashboardWatch,
    ) {
        self.answer(
            r,
            Err(ApiError::new(
                ErrorCode::Unavailable,
                "dashboard: not built yet",
            )),
        );
    }

    pub(super) fn agent_set_status(
        &mut self,
        _agent: AgentId,
        _q: AgentSetStatus,
    ) -> Result<StatusReply, ApiError> {
        Err(ApiError::new(
            ErrorCode::Unavailable,
            "dashboard: not built yet",
        ))
    }

    pub(super) fn take_over(
        &mut self,
        _agent: AgentId,
        _q: TakeOver,
    ) -> Result<SessionRef, ApiError> {
        Err(ApiError::new(
            ErrorCode::Unavailable,
            "dashboard: not built yet",
        ))
    }
}
