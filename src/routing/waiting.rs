//! What a waiting customer is told, as pure logic: their place in the queue, an estimate of
//! the wait from the group's recent history, which queues moved, and [`WaitingBook`], which
//! decides when a customer gets a new `waiting` frame (position changes at most once every
//! [`POSITION_EVERY_MS`]; anything else at once).
//!
//! The estimate: an exponentially weighted mean (weight [`EWMA_WEIGHT`] for the newest) of
//! the queue waits (queued → accepted) of the group's sessions accepted since start-up,
//! times the position, divided by the free places of the group's online agents (at least 1).
//! No accepted session yet: no estimate.

use super::{Engine, Group};
use crate::model::{AgentStatus, Millis, SessionId};
use crate::protocol::WaitingInfo;
use std::collections::HashMap;

/// Weight of the newest wait in the running mean.
pub const EWMA_WEIGHT: f64 = 0.3;
/// Least time between two frames that only move the position or the estimate.
pub const POSITION_EVERY_MS: Millis = 3_000;

impl Group {
    pub(super) fn record_wait(&mut self, waited_ms: Millis) {
        let w = waited_ms.max(0) as f64;
        self.wait_ewma_ms = Some(match self.wait_ewma_ms {
            Some(m) => m + EWMA_WEIGHT * (w - m),
            None => w,
        });
    }
}

impl Engine {
    /// Groups whose queue changed since the last call (someone joined, left or moved).
    pub fn take_changed_queues(&mut self) -> Vec<String> {
        self.groups
            .iter_mut()
            .filter_map(|(n, g)| std::mem::take(&mut g.changed).then(|| n.clone()))
            .collect()
    }

    /// Whether some agent of the group is online: status `online`, connected or within the
    /// grace period of a disconnect (a console reconnecting, a server restart) — a customer
    /// who starts in those seconds is not told that nobody is there.
    pub fn agents_online(&self, group: &str) -> bool {
        self.agents.values().any(|a| {
            a.groups.contains(group)
                && a.status == AgentStatus::Online
                && (a.connected || a.disconnected_at.is_some())
        })
    }

    /// Free places of the group's online, connected agents.
    fn free_places(&self, group: &str) -> u32 {
        self.agents
            .values()
            .filter(|a| a.groups.contains(group) && a.status == AgentStatus::Online && a.connected)
            .map(|a| a.capacity.saturating_sub(a.load()))
            .sum()
    }

    /// The expected wait of the customer at `position` (1-based) of the group's queue, in
    /// seconds; `None` without history.
    pub fn wait_estimate_secs(&self, group: &str, position: usize) -> Option<u64> {
        self.wait_basis(group).map(|b| b.estimate_secs(position))
    }

    /// What the group's estimates are made of now, to estimate many positions at once.
    pub fn wait_basis(&self, group: &str) -> Option<WaitBasis> {
        Some(WaitBasis {
            mean_ms: self.groups.get(group)?.wait_ewma_ms?,
            places: self.free_places(group).max(1),
        })
    }
}

/// A group's recent mean queue wait and its online agents' free places (at least 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitBasis {
    pub mean_ms: f64,
    pub places: u32,
}

impl WaitBasis {
    pub fn estimate_secs(self, position: usize) -> u64 {
        (self.mean_ms * position as f64 / f64::from(self.places) / 1000.0).round() as u64
    }
}

/// The last `waiting` frame each queued session's customer got, and whether a newer one is
/// held back by the position throttle.
#[derive(Debug, Default)]
pub struct WaitingBook {
    sent: HashMap<SessionId, Sent>,
}

#[derive(Debug)]
struct Sent {
    info: WaitingInfo,
    at: Millis,
    /// A change held back by the throttle, to send when it allows.
    held: Option<WaitingInfo>,
}

impl WaitingBook {
    /// Whether `info` should go out now. `fresh`: a connection just (re)started or resumed and
    /// gets the current state whatever was sent before.
    pub fn offer(&mut self, info: WaitingInfo, now: Millis, fresh: bool) -> Option<WaitingInfo> {
        let id = info.session_id;
        let Some(last) = self.sent.get_mut(&id) else {
            self.sent.insert(id, Sent::new(info.clone(), now));
            return Some(info);
        };
        if info == last.info && !fresh {
            last.held = None;
            return None;
        }
        let only_moved = info.agents_online == last.info.agents_online
            && info.open_now == last.info.open_now
            && info.offline == last.info.offline;
        if fresh || !only_moved || now - last.at >= POSITION_EVERY_MS {
            *last = Sent::new(info.clone(), now);
            Some(info)
        } else {
            last.held = Some(info);
            None
        }
    }

    /// Held-back changes the throttle now allows.
    pub fn due(&mut self, now: Millis) -> Vec<WaitingInfo> {
        let mut out = Vec::new();
        for s in self.sent.values_mut() {
            if now - s.at >= POSITION_EVERY_MS
                && let Some(info) = s.held.take()
            {
                *s = Sent::new(info.clone(), now);
                out.push(info);
            }
        }
        out.sort_by_key(|i| i.session_id);
        out
    }

    /// The session left the queue (offered, accepted, ended): nothing more to tell.
    pub fn forget(&mut self, session: SessionId) {
        self.sent.remove(&session);
    }

    pub fn sessions(&self) -> impl Iterator<Item = SessionId> + '_ {
        self.sent.keys().copied()
    }
}

impl Sent {
    fn new(info: WaitingInfo, at: Millis) -> Sent {
        Sent {
            info,
            at,
            held: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Strategy;
    use crate::routing::{AgentSpec, EngineConfig};

    fn info(session: SessionId, position: usize, online: bool) -> WaitingInfo {
        WaitingInfo {
            session_id: session,
            position: Some(position),
            estimate_secs: None,
            agents_online: online,
            open_now: true,
            offline: !online,
        }
    }

    #[test]
    fn position_changes_are_throttled_other_changes_are_not() {
        let mut b = WaitingBook::default();
        assert!(b.offer(info(1, 3, true), 0, false).is_some(), "first frame");
        assert!(b.offer(info(1, 3, true), 100, false).is_none(), "unchanged");
        assert!(
            b.offer(info(1, 2, true), 1_000, false).is_none(),
            "too soon"
        );
        assert!(b.due(2_999).is_empty());
        assert_eq!(b.due(3_000), vec![info(1, 2, true)], "held change goes out");
        assert!(b.due(9_000).is_empty(), "once");
        // Nobody online any more: at once, even right after a frame.
        assert!(b.offer(info(1, 2, false), 3_001, false).is_some());
        // A fresh connection gets the current state even if unchanged.
        assert!(b.offer(info(1, 2, false), 3_002, true).is_some());
        // A move back to what was last sent cancels the held change.
        assert!(b.offer(info(1, 1, false), 3_100, false).is_none());
        assert!(b.offer(info(1, 2, false), 3_200, false).is_none());
        assert!(b.due(10_000).is_empty());
        b.forget(1);
        assert!(b.offer(info(1, 1, false), 10_001, false).is_some());
    }

    fn engine() -> Engine {
        let mut e = Engine::new(EngineConfig::default());
        e.upsert_group("g", Strategy::LeastBusy);
        e
    }

    #[test]
    fn estimate_comes_from_accepted_waits_and_free_places() {
        let mut e = engine();
        assert_eq!(e.wait_estimate_secs("g", 1), None, "no history yet");
        e.enqueue(1, "g", 0, 0).unwrap();
        e.enqueue(2, "g", 0, 0).unwrap();
        assert_eq!(e.take_changed_queues(), vec!["g".to_string()]);
        assert!(e.take_changed_queues().is_empty(), "taken");
        assert!(!e.agents_online("g"));
        e.upsert_agent(AgentSpec {
            id: 10,
            capacity: 1,
            groups: ["g".to_string()].into(),
            status: AgentStatus::Online,
        });
        let fx = e.connect(10, 60_000);
        assert!(
            fx.iter()
                .any(|f| matches!(f, crate::routing::Effect::Offered { session: 1, .. })),
            "session 1 offered: {fx:?}"
        );
        assert!(e.agents_online("g"));
        assert_eq!(e.take_changed_queues(), vec!["g".to_string()], "1 left");
        // A disconnect within the grace period is not "nobody online".
        e.disconnect(10, 60_000);
        assert!(e.agents_online("g"));
        e.connect(10, 60_000);
        e.accept(10, 1, 60_000).unwrap();
        // Waited 60 s; the only agent is full: position 1 → 60 s, position 2 → 120 s.
        assert_eq!(e.wait_estimate_secs("g", 1), Some(60));
        assert_eq!(e.wait_estimate_secs("g", 2), Some(120));
        // Session 2 accepted after 120 s: mean 60 + 0.3 × (120 − 60) = 78 s.
        e.end(1, 120_000);
        e.accept(10, 2, 120_000).unwrap();
        assert_eq!(e.wait_estimate_secs("g", 1), Some(78));
    }
}
