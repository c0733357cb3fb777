//! At most one expensive read per agent at a time (`report.get`, `history.search`): without
//! it, one supervisor sending them as fast as the rate limit allows fills the shared read
//! pool's queue, and everyone else's transcripts and profiles are refused until it drains.
//! A [`Slot`] is taken on the hub and travels with the job; dropping it (the job ran, or the
//! pool refused it) frees the agent's turn.

use crate::model::AgentId;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The agents with one such read running, for one kind of read.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<AgentId>>>);

/// An agent's turn; freed when dropped.
#[derive(Debug)]
pub struct Slot {
    set: InFlight,
    agent: AgentId,
}

impl InFlight {
    /// The agent's turn, or `None` while their previous read still runs.
    pub fn take(&self, agent: AgentId) -> Option<Slot> {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(agent).then(|| Slot {
            set: self.clone(),
            agent,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut set = self.set.0.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(&self.agent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_turn_per_agent_until_dropped() {
        let f = InFlight::default();
        let a = f.take(1).unwrap();
        assert!(f.take(1).is_none(), "a second read of agent 1 waits");
        let b = f.take(2).unwrap();
        drop(a);
        assert!(f.take(1).is_some(), "free again once the first ended");
        drop(b);
        assert!(f.take(2).is_some());
    }
}
