//! Agents: declaring them, their connections and statuses, and what happens to their work
//! when they leave.

use super::{Agent, AgentSpec, Effect, Engine, Place, RouteError, WithdrawReason};
use crate::model::{AgentId, AgentStatus, Millis, SessionId};
use std::collections::BTreeSet;

impl Engine {
    /// Declares an agent or refreshes its capacity, groups and status (sessions are kept).
    /// A new agent starts disconnected.
    pub fn upsert_agent(&mut self, spec: AgentSpec) {
        let agent = self.agents.entry(spec.id).or_insert_with(|| Agent {
            capacity: spec.capacity,
            groups: BTreeSet::new(),
            status: spec.status,
            active: BTreeSet::new(),
            offered: BTreeSet::new(),
            connected: false,
            disconnected_at: None,
            last_assigned_at: 0,
            missed: 0,
        });
        agent.capacity = spec.capacity;
        agent.groups = spec.groups;
        agent.status = spec.status;
    }

    /// The agent's connection came up (login or resume).
    pub fn connect(&mut self, agent: AgentId, now: Millis) -> Vec<Effect> {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.connected = true;
            a.disconnected_at = None;
        }
        let mut fx = Vec::new();
        self.dispatch(now, &mut fx);
        fx
    }

    /// The agent's last connection dropped: the grace period starts; no new offers meanwhile.
    pub fn disconnect(&mut self, agent: AgentId, now: Millis) {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.connected = false;
            a.disconnected_at = Some(now);
        }
    }

    pub fn set_status(
        &mut self,
        agent: AgentId,
        status: AgentStatus,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        let a = self
            .agents
            .get_mut(&agent)
            .ok_or(RouteError::UnknownAgent)?;
        a.status = status;
        a.missed = 0;
        let mut fx = Vec::new();
        match status {
            AgentStatus::Online => {}
            // Unanswered offers go to someone who is taking work.
            AgentStatus::Busy | AgentStatus::Away => self.withdraw_offers(agent, &mut fx),
            AgentStatus::Offline => self.leave(agent, &mut fx),
        }
        self.dispatch(now, &mut fx);
        Ok(fx)
    }

    pub(super) fn withdraw_offers(&mut self, agent: AgentId, fx: &mut Vec<Effect>) {
        let offered: Vec<SessionId> = self
            .agents
            .get(&agent)
            .map(|a| a.offered.iter().copied().collect())
            .unwrap_or_default();
        for session in offered {
            self.requeue_offer(session, WithdrawReason::AgentLeft, fx);
        }
    }

    /// The agent is gone: offers go back; active sessions too if the policy says so.
    pub(super) fn leave(&mut self, agent: AgentId, fx: &mut Vec<Effect>) {
        self.withdraw_offers(agent, fx);
        if !self.config.requeue_active_on_leave {
            return;
        }
        let active: Vec<SessionId> = self
            .agents
            .get(&agent)
            .map(|a| a.active.iter().copied().collect())
            .unwrap_or_default();
        for session in active {
            if let Some(a) = self.agents.get_mut(&agent) {
                a.active.remove(&session);
            }
            fx.push(Effect::Released { session, agent });
            if let Some(s) = self.sessions.get_mut(&session) {
                // Keeps its original wait time: the customer has been waiting all along.
                s.place = Place::Queued;
                s.declined.insert(agent);
                let key = (std::cmp::Reverse(s.priority), s.queued_at, session);
                let group = s.group.clone();
                if let Some(g) = self.groups.get_mut(&group) {
                    g.push(key);
                }
                fx.push(Effect::Queued { session, group });
            }
        }
    }
}
