//! Handing queued sessions to agents: the dispatch loop every mutation ends with, the
//! strategies that pick an agent, and making an offer.

use super::{Agent, Effect, Engine, Group, Place, QueueKey};
use crate::model::{AgentId, Millis, SessionId, Strategy};

impl Engine {
    /// Hands queued sessions to eligible agents until no queue head has one. Across groups the
    /// best head (priority, then wait) goes first.
    pub(super) fn dispatch(&mut self, now: Millis, fx: &mut Vec<Effect>) {
        loop {
            let mut best: Option<(QueueKey, String, AgentId)> = None;
            for (name, g) in &self.groups {
                if g.strategy == Strategy::Manual {
                    continue;
                }
                let Some(head) = g.queue.iter().next() else {
                    continue;
                };
                if best.as_ref().is_some_and(|(k, _, _)| k <= head) {
                    continue;
                }
                if let Some(agent) = self.pick(name, g, head.2) {
                    best = Some((*head, name.clone(), agent));
                }
            }
            let Some((key, group, agent)) = best else {
                return;
            };
            if let Some(g) = self.groups.get_mut(&group) {
                g.take(&key);
                g.last_picked = Some(agent);
            }
            self.offer_to(key.2, agent, now, fx);
        }
    }

    /// The agent the group's strategy picks for a session, if any is eligible. Agents who
    /// declined the session are considered only when nobody else is.
    fn pick(&self, group: &str, g: &Group, session: SessionId) -> Option<AgentId> {
        let declined = self.sessions.get(&session).map(|s| &s.declined);
        let eligible: Vec<(AgentId, &Agent)> = self
            .agents
            .iter()
            .filter(|(_, a)| a.groups.contains(group) && a.takes_offers())
            .map(|(id, a)| (*id, a))
            .collect();
        let fresh: Vec<(AgentId, &Agent)> = eligible
            .iter()
            .filter(|(id, _)| !declined.is_some_and(|d| d.contains(id)))
            .copied()
            .collect();
        let pool = if fresh.is_empty() { eligible } else { fresh };
        match g.strategy {
            Strategy::Manual => None,
            Strategy::LeastBusy => pool
                .iter()
                .min_by_key(|(id, a)| (a.load(), a.last_assigned_at, *id))
                .map(|(id, _)| *id),
            Strategy::RoundRobin => {
                let mut ids: Vec<AgentId> = pool.iter().map(|(id, _)| *id).collect();
                ids.sort_unstable();
                let after = g.last_picked.unwrap_or(AgentId::MIN);
                ids.iter().find(|id| **id > after).or(ids.first()).copied()
            }
        }
    }

    pub(super) fn offer_to(
        &mut self,
        session: SessionId,
        agent: AgentId,
        now: Millis,
        fx: &mut Vec<Effect>,
    ) {
        let expires_at = now + self.config.offer_timeout_ms;
        if let Some(s) = self.sessions.get_mut(&session) {
            s.place = Place::Offered { agent, expires_at };
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offered.insert(session);
            a.last_assigned_at = now;
        }
        fx.push(Effect::Offered {
            session,
            agent,
            expires_at,
        });
    }
}
