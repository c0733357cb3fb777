//! The clock-driven part: offers that expire, agents whose grace period runs out, and when
//! the next of those falls due.

use super::{Effect, Engine, Place, WithdrawReason};
use crate::model::{AgentId, AgentStatus, Millis, SessionId};

impl Engine {
    /// Expires offers and grace periods that are due at `now`.
    pub fn tick(&mut self, now: Millis) -> Vec<Effect> {
        let mut fx = Vec::new();
        // Oldest expiry first, in a fixed order: the effects must come out the same on every
        // run, not in hash-map iteration order.
        let mut expired: Vec<(Millis, SessionId, AgentId)> = self
            .sessions
            .iter()
            .filter_map(|(id, s)| match s.place {
                Place::Offered { agent, expires_at } if expires_at <= now => {
                    Some((expires_at, *id, agent))
                }
                _ => None,
            })
            .collect();
        expired.sort_unstable();
        for (_, session, agent) in expired {
            self.requeue_offer(session, WithdrawReason::Timeout, &mut fx);
            if let Some(a) = self.agents.get_mut(&agent) {
                a.missed += 1;
                if a.missed >= self.config.max_missed_offers && a.status == AgentStatus::Online {
                    a.status = AgentStatus::Away;
                    fx.push(Effect::StatusChanged {
                        agent,
                        status: AgentStatus::Away,
                    });
                    self.withdraw_offers(agent, &mut fx);
                }
            }
        }
        let mut gone: Vec<AgentId> = self
            .agents
            .iter()
            .filter(
                |(_, a)| matches!(a.disconnected_at, Some(t) if t + self.config.grace_ms <= now),
            )
            .map(|(id, _)| *id)
            .collect();
        gone.sort_unstable();
        for agent in gone {
            if let Some(a) = self.agents.get_mut(&agent) {
                a.disconnected_at = None;
                if a.status != AgentStatus::Offline {
                    a.status = AgentStatus::Offline;
                    fx.push(Effect::StatusChanged {
                        agent,
                        status: AgentStatus::Offline,
                    });
                }
            }
            self.leave(agent, &mut fx);
        }
        self.dispatch(now, &mut fx);
        fx
    }

    /// When the next offer or grace period falls due, so the server can sleep until then.
    pub fn next_deadline(&self) -> Option<Millis> {
        let offers = self.sessions.values().filter_map(|s| match s.place {
            Place::Offered { expires_at, .. } => Some(expires_at),
            _ => None,
        });
        let graces = self
            .agents
            .values()
            .filter_map(|a| a.disconnected_at.map(|t| t + self.config.grace_ms));
        offers.chain(graces).min()
    }
}
