//! The routing engine: agent statuses and capacity, one priority queue per skill group, offers
//! with timeouts, and the strategies that pick an agent. Pure: no sockets, no database, no clock
//! of its own (`now` is a parameter), so every invariant is tested on plain data.
//!
//! Callers change state through the methods below and get back the [`Effect`]s to persist and
//! announce. Every mutating method ends with `Engine::dispatch`, which hands queued sessions to
//! eligible agents until nobody has room: that is what keeps a queued session from waiting while
//! an eligible agent is free.
//!
//! The engine is split by responsibility: the public effect and error types (`effects`), agents
//! and their statuses (`agents`), sessions moving between queue, offer and agent (`sessions`),
//! handing queued sessions out (`dispatch`) and the clock-driven expiries (`timers`). This file
//! holds the state they share and the read-only queries.

use crate::model::{AgentId, AgentStatus, Millis, SessionId, Strategy};
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod agents;
mod dispatch;
mod effects;
pub mod hours;
mod intent_moves;
mod sessions;
mod take_over;
mod timers;
mod waiting;

pub use effects::{AgentLoad, AgentSpec, Effect, RouteError, WithdrawReason};
pub use waiting::{POSITION_EVERY_MS, WaitBasis, WaitingBook};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk;

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
    /// The queue changed since [`Engine::take_changed_queues`] last looked (positions moved).
    changed: bool,
    /// Exponentially weighted mean of recent queue waits (queued → accepted), in ms; `None`
    /// until one session of the group was accepted since start-up.
    wait_ewma_ms: Option<f64>,
}

impl Group {
    fn push(&mut self, key: QueueKey) {
        self.queue.insert(key);
        self.changed = true;
    }

    fn take(&mut self, key: &QueueKey) {
        self.changed |= self.queue.remove(key);
    }
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
}
