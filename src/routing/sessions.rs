//! Sessions moving between a queue, an offer and an agent: enqueue and restore, accept and
//! reject, transfers and the end, plus the two moves back to the queue they share.

use super::{Effect, Engine, Place, RouteError, Session, WithdrawReason};
use crate::model::{AgentId, AgentStatus, Millis, SessionId, Strategy};
use std::collections::BTreeSet;

impl Engine {
    /// A new conversation enters its group's queue.
    pub fn enqueue(
        &mut self,
        session: SessionId,
        group: &str,
        priority: i64,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        let g = self
            .groups
            .get_mut(group)
            .ok_or_else(|| RouteError::UnknownGroup(group.into()))?;
        g.push((std::cmp::Reverse(priority), now, session));
        self.sessions.insert(
            session,
            Session {
                group: group.to_string(),
                priority,
                queued_at: now,
                place: Place::Queued,
                declined: BTreeSet::new(),
            },
        );
        let mut fx = vec![Effect::Queued {
            session,
            group: group.to_string(),
        }];
        self.dispatch(now, &mut fx);
        Ok(fx)
    }

    /// Rebuilds a session found in the store at start-up, in whatever place it was.
    /// Offers keep their expiry; active sessions keep their agent even over capacity.
    pub fn restore_session(
        &mut self,
        session: SessionId,
        group: &str,
        priority: i64,
        queued_at: Millis,
        offered: Option<(AgentId, Millis)>,
        active: Option<AgentId>,
    ) {
        self.groups.entry(group.to_string()).or_default();
        let place = match (active, offered) {
            (Some(agent), _) if self.agents.contains_key(&agent) => Place::Active { agent },
            (_, Some((agent, expires_at))) if self.agents.contains_key(&agent) => {
                Place::Offered { agent, expires_at }
            }
            _ => Place::Queued,
        };
        match place {
            Place::Active { agent } => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.active.insert(session);
                }
            }
            Place::Offered { agent, .. } => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.offered.insert(session);
                }
            }
            Place::Queued => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.push((std::cmp::Reverse(priority), queued_at, session));
                }
            }
        }
        self.sessions.insert(
            session,
            Session {
                group: group.to_string(),
                priority,
                queued_at,
                place,
                declined: BTreeSet::new(),
            },
        );
    }

    /// Accepts an offer, or picks a queued session from a `manual` group the agent belongs to.
    pub fn accept(
        &mut self,
        agent: AgentId,
        session: SessionId,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        let s = self
            .sessions
            .get(&session)
            .ok_or(RouteError::UnknownSession)?;
        let a = self.agents.get(&agent).ok_or(RouteError::UnknownAgent)?;
        match s.place {
            Place::Offered { agent: to, .. } if to == agent => {}
            Place::Queued
                if self.groups.get(&s.group).map(|g| g.strategy) == Some(Strategy::Manual)
                    && a.groups.contains(&s.group) =>
            {
                if a.status == AgentStatus::Offline {
                    return Err(RouteError::Unavailable("you are offline"));
                }
                if a.load() >= a.capacity {
                    return Err(RouteError::AtCapacity(a.capacity));
                }
                let key = (std::cmp::Reverse(s.priority), s.queued_at, session);
                if let Some(g) = self.groups.get_mut(&s.group) {
                    g.take(&key);
                }
            }
            _ => return Err(RouteError::NotOffered),
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offered.remove(&session);
            a.active.insert(session);
            a.missed = 0;
            a.last_assigned_at = now;
        }
        if let Some(s) = self.sessions.get_mut(&session) {
            s.place = Place::Active { agent };
            // The wait a customer of this group had lately, for the next ones' estimates.
            let waited = now.saturating_sub(s.queued_at);
            if let Some(g) = self.groups.get_mut(&s.group) {
                g.record_wait(waited);
            }
        }
        let mut fx = vec![Effect::Assigned { session, agent }];
        self.dispatch(now, &mut fx);
        Ok(fx)
    }

    pub fn reject(
        &mut self,
        agent: AgentId,
        session: SessionId,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        match self.offer(session) {
            Some((to, _)) if to == agent => {}
            _ => return Err(RouteError::NotOffered),
        }
        let mut fx = Vec::new();
        self.requeue_offer(session, WithdrawReason::Rejected, &mut fx);
        self.dispatch(now, &mut fx);
        Ok(fx)
    }

    /// Moves a session to another group's queue (transfer), away from whoever had it.
    pub fn transfer_to_group(
        &mut self,
        session: SessionId,
        group: &str,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        if !self.groups.contains_key(group) {
            return Err(RouteError::UnknownGroup(group.into()));
        }
        if !self.sessions.contains_key(&session) {
            return Err(RouteError::UnknownSession);
        }
        let mut fx = Vec::new();
        let previous = self.detach(session, &mut fx);
        if let Some(s) = self.sessions.get_mut(&session) {
            s.group = group.to_string();
            s.queued_at = now;
            s.place = Place::Queued;
            // Do not bounce it straight back to the agent who passed it on.
            s.declined = previous.into_iter().collect();
            let key = (std::cmp::Reverse(s.priority), now, session);
            if let Some(g) = self.groups.get_mut(group) {
                g.push(key);
            }
        }
        fx.push(Effect::Queued {
            session,
            group: group.to_string(),
        });
        self.dispatch(now, &mut fx);
        Ok(fx)
    }

    /// Offers a session to one named agent (transfer). If they reject or let it time out it goes
    /// to its group's queue.
    pub fn transfer_to_agent(
        &mut self,
        session: SessionId,
        target: AgentId,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        if !self.sessions.contains_key(&session) {
            return Err(RouteError::UnknownSession);
        }
        let t = self.agents.get(&target).ok_or(RouteError::UnknownAgent)?;
        if t.status == AgentStatus::Offline || !t.connected {
            return Err(RouteError::Unavailable("the agent is not connected"));
        }
        if self.assignee(session) == Some(target) {
            return Err(RouteError::Unavailable(
                "the agent already serves this session",
            ));
        }
        if t.load() >= t.capacity {
            return Err(RouteError::AtCapacity(t.capacity));
        }
        let mut fx = Vec::new();
        let previous = self.detach(session, &mut fx);
        if let Some(s) = self.sessions.get_mut(&session) {
            // If the target declines, it must not bounce straight back to who passed it on.
            s.declined = previous.into_iter().collect();
        }
        self.offer_to(session, target, now, &mut fx);
        self.dispatch(now, &mut fx);
        Ok(fx)
    }

    /// The session ended: it leaves routing and frees its agent's slot.
    pub fn end(&mut self, session: SessionId, now: Millis) -> Vec<Effect> {
        let mut fx = Vec::new();
        self.detach(session, &mut fx);
        self.sessions.remove(&session);
        self.dispatch(now, &mut fx);
        fx
    }

    /// Takes a session away from its offer or assignee, returning who had it.
    pub(super) fn detach(&mut self, session: SessionId, fx: &mut Vec<Effect>) -> Option<AgentId> {
        let s = self.sessions.get_mut(&session)?;
        match s.place {
            Place::Queued => {
                let key = (std::cmp::Reverse(s.priority), s.queued_at, session);
                if let Some(g) = self.groups.get_mut(&s.group) {
                    g.take(&key);
                }
                None
            }
            Place::Offered { agent, .. } => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.offered.remove(&session);
                }
                fx.push(Effect::OfferWithdrawn {
                    session,
                    agent,
                    reason: WithdrawReason::Reassigned,
                });
                Some(agent)
            }
            Place::Active { agent } => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.active.remove(&session);
                }
                fx.push(Effect::Released { session, agent });
                Some(agent)
            }
        }
    }

    /// An offer ends unanswered: back to the queue in its old place.
    pub(super) fn requeue_offer(
        &mut self,
        session: SessionId,
        reason: WithdrawReason,
        fx: &mut Vec<Effect>,
    ) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let Place::Offered { agent, .. } = s.place else {
            return;
        };
        s.place = Place::Queued;
        s.declined.insert(agent);
        let key = (std::cmp::Reverse(s.priority), s.queued_at, session);
        let group = s.group.clone();
        if let Some(g) = self.groups.get_mut(&group) {
            g.push(key);
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offered.remove(&session);
        }
        fx.push(Effect::OfferWithdrawn {
            session,
            agent,
            reason,
        });
        fx.push(Effect::Queued { session, group });
    }
}
