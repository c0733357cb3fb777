//! History search on the hub (`docs/history.md`): `history.search` and `history.session`.

use super::hub::Hub;
use super::respond::Responder;
use crate::model::AgentId;
use crate::protocol::{
    ApiError, ErrorCode, HistorySearch, HistorySearchReply, HistorySession, HistorySessionReply,
};

impl Hub {
    pub(super) fn history_search(
        &mut self,
        r: Responder<HistorySearchReply>,
        _agent: AgentId,
        _q: HistorySearch,
    ) {
        self.answer(
            r,
            Err(ApiError::new(
                ErrorCode::Unavailable,
                "history: not built yet",
            )),
        );
    }

    pub(super) fn history_session(
        &mut self,
        r: Responder<HistorySessionReply>,
        _agent: AgentId,
        _q: HistorySession,
    ) {
        self.answer(
            r,
            Err(ApiError::new(
                ErrorCode::Unavailable,
                "history: not built yet",
            )),
        );
    }
}
