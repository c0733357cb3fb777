//! A supervisor takes a conversation over: it becomes theirs at once, wherever it was (queued,
//! on offer, with a colleague), even above their capacity — the one move that may exceed it,
//! because a person decided it, not the router.

use super::{Effect, Engine, Place, RouteError};
use crate::model::{AgentId, Millis, SessionId};

impl Engine {
    /// Makes `agent` the session's assignee now. The previous holder is detached (a colleague
    /// gets `Released`, an offer `OfferWithdrawn` as `Reassigned`); the slot freed may take
    /// queued work.
    pub fn take_over(
        &mut self,
        session: SessionId,
        agent: AgentId,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        if !self.sessions.contains_key(&session) {
            return Err(RouteError::UnknownSession);
        }
        if !self.agents.contains_key(&agent) {
            return Err(RouteError::UnknownAgent);
        }
        if self.assignee(session) == Some(agent) {
            return Err(RouteError::Unavailable("it is already yours"));
        }
        let mut fx = Vec::new();
        self.detach(session, &mut fx);
        if let Some(s) = self.sessions.get_mut(&session) {
            s.place = Place::Active { agent };
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offered.remove(&session);
            a.active.insert(session);
            a.last_assigned_at = now;
        }
        fx.push(Effect::Assigned { session, agent });
        self.dispatch(now, &mut fx);
        Ok(fx)
    }
}
