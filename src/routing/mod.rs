//! The routing engine: agent statuses and capacity, one priority queue per skill group, offers
//! with timeouts, and the strategies that pick an agent. Pure: no sockets, no database, no clock
//! of its own (`now` is a parameter), so every invariant is tested on plain data.
//!
//! Callers change state through the methods below and get back the [`Effect`]s to persist and
//! announce. Every mutating method ends with [`Engine::dispatch`], which hands queued sessions to
//! eligible agents until nobody has room: that is what keeps a queued session from waiting while
//! an eligible agent is free.

use crate::model::{AgentId, AgentStatus, Millis, SessionId, Strategy};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use thiserror::Error;

#[cfg(test)]
mod tests;

/// Timing and policy knobs, from the server config.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How long an agent has to accept an offer.
    pub offer_timeout_ms: Millis,
    /// How long a disconnected agent keeps their offers and sessions before they are handed back.
    pub grace_ms: Millis,
    /// Offers timed out in a row before the agent is set to `away`.
    pub max_missed_offers: u32,
    /// Whether a leaving agent's active sessions go back to the queue (else they keep them).
    pub requeue_active_on_leave: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            offer_timeout_ms: 30_000,
            grace_ms: 60_000,
            max_missed_offers: 2,
            requeue_active_on_leave: false,
        }
    }
}

/// What the engine decided; the server persists each one and tells the people concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The session waits in `group`'s queue (new, returned or transferred).
    Queued {
        session: SessionId,
        group: String,
    },
    Offered {
        session: SessionId,
        agent: AgentId,
        expires_at: Millis,
    },
    /// An offer ended without acceptance.
    OfferWithdrawn {
        session: SessionId,
        agent: AgentId,
        reason: WithdrawReason,
    },
    Assigned {
        session: SessionId,
        agent: AgentId,
    },
    /// The agent no longer serves the session (transfer, requeue on leave).
    Released {
        session: SessionId,
        agent: AgentId,
    },
    /// The server changed an agent's status (missed offers, grace expiry).
    StatusChanged {
        agent: AgentId,
        status: AgentStatus,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawReason {
    Rejected,
    Timeout,
    /// Went offline, busy or away, or stayed disconnected past the grace period.
    AgentLeft,
    /// Transfer or end by someone else while the offer was pending.
    Reassigned,
}

impl WithdrawReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawReason::Rejected => "rejected",
            WithdrawReason::Timeout => "timeout",
            WithdrawReason::AgentLeft => "agent_left",
            WithdrawReason::Reassigned => "reassigned",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RouteError {
    #[error("no such session in routing")]
    UnknownSession,
    #[error("no such agent")]
    UnknownAgent,
    #[error("no such skill group `{0}`")]
    UnknownGroup(String),
    #[error("this session is not offered to you")]
    NotOffered,
    #[error("you are at your limit of {0} concurrent sessions")]
    AtCapacity(u32),
    #[error("the agent cannot take it now: {0}")]
    Unavailable(&'static str),
}

#[derive(Debug, Clone)]
pub struct AgentSpec {
    pub id: AgentId,
    pub capacity: u32,
    pub groups: BTreeSet<String>,
    pub status: AgentStatus,
}

#[derive(Debug, Clone)]
struct Agent {
    capacity: u32,
    groups: BTreeSet<String>,
    status: AgentStatus,
    /// Sessions accepted and not yet ended or handed on.
    active: BTreeSet<SessionId>,
    /// Offers waiting for this agent's answer; they count against capacity.
    offered: BTreeSet<SessionId>,
    connected: bool,
    /// Set while disconnected: when the grace period started.
    disconnected_at: Option<Millis>,
    /// When the agent last got work, for "ties to the longest idle".
    last_assigned_at: Millis,
    /// Offers timed out in a row.
    missed: u32,
}

impl Agent {
    fn load(&self) -> u32 {
        (self.active.len() + self.offered.len()) as u32
    }
    fn takes_offers(&self) -> bool {
        self.status == AgentStatus::Online && self.connected && self.load() < self.capacity
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Queued,
    Offered { agent: AgentId, expires_at: Millis },
    Active { agent: AgentId },
}

#[derive(Debug, Clone)]
struct Session {
    group: String,
    priority: i64,
    /// When it entered its current queue; second key of the queue order.
    queued_at: Millis,
    place: Place,
    /// Agents who rejected it or let it time out: offered again only after everyone else.
    declined: BTreeSet<AgentId>,
}

/// Queue order: highest priority first, then longest waiting, then oldest id.
type QueueKey = (std::cmp::Reverse<i64>, Millis, SessionId);

#[derive(Debug, Clone, Default)]
struct Group {
    strategy: Strategy,
    queue: BTreeSet<QueueKey>,
    /// Round robin: the agent who got the last offer.
    last_picked: Option<AgentId>,
}

/// A snapshot of one agent's routing numbers, for directories and dashboards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub status: AgentStatus,
    pub connected: bool,
    pub active: usize,
    pub offered: usize,
    pub capacity: u32,
}

#[derive(Debug, Default)]
pub struct Engine {
    config: EngineConfig,
    agents: HashMap<AgentId, Agent>,
    sessions: HashMap<SessionId, Session>,
    groups: BTreeMap<String, Group>,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Engine {
            config,
            ..Default::default()
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Declares (or re-declares) a skill group. Queued sessions are kept.
    pub fn upsert_group(&mut self, name: &str, strategy: Strategy) {
        self.groups.entry(name.to_string()).or_default().strategy = strategy;
    }

    pub fn has_group(&self, name: &str) -> bool {
        self.groups.contains_key(name)
    }

    pub fn group_strategy(&self, name: &str) -> Option<Strategy> {
        self.groups.get(name).map(|g| g.strategy)
    }

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

    pub fn agent_load(&self, id: AgentId) -> Option<AgentLoad> {
        self.agents.get(&id).map(|a| AgentLoad {
            status: a.status,
            connected: a.connected,
            active: a.active.len(),
            offered: a.offered.len(),
            capacity: a.capacity,
        })
    }

    pub fn agent_ids(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.agents.keys().copied()
    }

    pub fn agent_groups(&self, id: AgentId) -> Option<&BTreeSet<String>> {
        self.agents.get(&id).map(|a| &a.groups)
    }

    /// The sessions currently offered to or served by the agent.
    pub fn sessions_of(&self, id: AgentId) -> (Vec<SessionId>, Vec<SessionId>) {
        match self.agents.get(&id) {
            Some(a) => (
                a.offered.iter().copied().collect(),
                a.active.iter().copied().collect(),
            ),
            None => (Vec::new(), Vec::new()),
        }
    }

    /// Who serves the session, if anyone has accepted it.
    pub fn assignee(&self, session: SessionId) -> Option<AgentId> {
        match self.sessions.get(&session)?.place {
            Place::Active { agent } => Some(agent),
            _ => None,
        }
    }

    /// Who the session is offered to, and until when.
    pub fn offer(&self, session: SessionId) -> Option<(AgentId, Millis)> {
        match self.sessions.get(&session)?.place {
            Place::Offered { agent, expires_at } => Some((agent, expires_at)),
            _ => None,
        }
    }

    pub fn session_group(&self, session: SessionId) -> Option<&str> {
        self.sessions.get(&session).map(|s| s.group.as_str())
    }

    /// Queued sessions of a group in queue order.
    pub fn queue(&self, group: &str) -> Vec<SessionId> {
        self.groups
            .get(group)
            .map(|g| g.queue.iter().map(|k| k.2).collect())
            .unwrap_or_default()
    }

    /// Queue length per group.
    pub fn queue_lengths(&self) -> Vec<(String, Strategy, usize)> {
        self.groups
            .iter()
            .map(|(n, g)| (n.clone(), g.strategy, g.queue.len()))
            .collect()
    }

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
        g.queue.insert((std::cmp::Reverse(priority), now, session));
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
                    g.queue
                        .insert((std::cmp::Reverse(priority), queued_at, session));
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
                    g.queue.remove(&key);
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
                g.queue.insert(key);
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

    /// Expires offers and grace periods that are due at `now`.
    pub fn tick(&mut self, now: Millis) -> Vec<Effect> {
        let mut fx = Vec::new();
        let expired: Vec<(SessionId, AgentId)> = self
            .sessions
            .iter()
            .filter_map(|(id, s)| match s.place {
                Place::Offered { agent, expires_at } if expires_at <= now => Some((*id, agent)),
                _ => None,
            })
            .collect();
        for (session, agent) in expired {
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
        let gone: Vec<AgentId> = self
            .agents
            .iter()
            .filter(
                |(_, a)| matches!(a.disconnected_at, Some(t) if t + self.config.grace_ms <= now),
            )
            .map(|(id, _)| *id)
            .collect();
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

    /// Hands queued sessions to eligible agents until no queue head has one. Across groups the
    /// best head (priority, then wait) goes first.
    fn dispatch(&mut self, now: Millis, fx: &mut Vec<Effect>) {
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
                g.queue.remove(&key);
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

    fn offer_to(&mut self, session: SessionId, agent: AgentId, now: Millis, fx: &mut Vec<Effect>) {
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

    /// Takes a session away from its offer or assignee, returning who had it.
    fn detach(&mut self, session: SessionId, fx: &mut Vec<Effect>) -> Option<AgentId> {
        let s = self.sessions.get_mut(&session)?;
        match s.place {
            Place::Queued => {
                let key = (std::cmp::Reverse(s.priority), s.queued_at, session);
                if let Some(g) = self.groups.get_mut(&s.group) {
                    g.queue.remove(&key);
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
    fn requeue_offer(&mut self, session: SessionId, reason: WithdrawReason, fx: &mut Vec<Effect>) {
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
            g.queue.insert(key);
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

    fn withdraw_offers(&mut self, agent: AgentId, fx: &mut Vec<Effect>) {
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
    fn leave(&mut self, agent: AgentId, fx: &mut Vec<Effect>) {
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
                    g.queue.insert(key);
                }
                fx.push(Effect::Queued { session, group });
            }
        }
    }
}
