//! What the supervisor's live view remembers between frames, kept by the hub: arrivals per
//! group in 5-minute slots over the last hour, today's service level per group, today's missed
//! offers and each agent's time of their last status change — plus who watches and when the
//! last frame went. Pure: every method takes `now`; the hub feeds it routing effects (one
//! hook in `effects`) and status changes (one hook in `agent_ops`), and it is seeded once
//! from the store at start-up (`store::dashboard`).

use super::outbox::ConnId;
use crate::config::ServerConfig;
use crate::model::{AgentId, AgentStatus, Millis, SessionId, now_ms};
use crate::protocol::DashboardView;
use crate::routing::{Effect, WithdrawReason};
use crate::store::dashboard::DashboardSeed;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// Width of one arrivals bucket.
pub const SLOT_MS: Millis = 5 * 60_000;
/// Buckets in the arrivals sparkline (an hour).
pub const SLOTS: usize = 12;
/// Frames go at most this often to watchers (changes in between are coalesced).
pub const MIN_GAP_MS: Millis = 500;
/// Unanswered conversations are checked against the live ones this often when nobody watches
/// (so ended ones do not pile up).
const SETTLE_EVERY_MS: Millis = 60_000;

/// Today's service-level counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlCount {
    /// Answered within the threshold.
    pub within: u32,
    /// Answered late, or ended or still waiting past the threshold unanswered.
    pub late: u32,
}

impl SlCount {
    pub fn share(self) -> Option<f64> {
        let all = self.within + self.late;
        (all > 0).then(|| f64::from(self.within) / f64::from(all))
    }
}

#[derive(Debug, Default)]
pub struct DashBook {
    /// Connections that get `dashboard` frames.
    pub watchers: HashSet<ConnId>,
    /// The last view sent (compared without its `at`).
    pub last_sent: Option<DashboardView>,
    /// No frame before then.
    pub next_at: Millis,
    /// A wake-up is on its way to look again at `next_at`.
    pub wake_pending: bool,
    /// When the hub started (times in status before any change count from here).
    pub started_at: Millis,
    threshold_ms: Millis,
    /// [start, end) of "today".
    day: (Millis, Millis),
    /// Per group: (slot number, arrivals), oldest first, at most [`SLOTS`].
    arrivals: HashMap<String, VecDeque<(i64, u32)>>,
    /// The group a session was last counted as arriving in (re-queues in the same group are
    /// not arrivals), with its slot to forget it after an hour.
    counted: HashMap<SessionId, (String, i64)>,
    /// Today's counts per group.
    sl: BTreeMap<String, SlCount>,
    /// Queued today and not answered yet: group, queued at, already counted late.
    pending: HashMap<SessionId, (String, Millis, bool)>,
    /// Sessions counted in today's service level (answered, or late): a transfer that queues
    /// one again does not count it twice.
    sl_done: HashSet<SessionId>,
    last_settle: Millis,
    /// Offers timed out today per agent.
    missed: HashMap<AgentId, u32>,
    /// Each agent's status and since when (changes seen since start-up).
    status: HashMap<AgentId, (AgentStatus, Millis)>,
    /// Supervisors following an open conversation read-only (its messages go to them too).
    pub readers: HashMap<SessionId, std::collections::BTreeSet<AgentId>>,
}

fn slot(at: Millis) -> i64 {
    at.div_euclid(SLOT_MS)
}

impl DashBook {
    pub fn new(now: Millis, threshold_secs: u32, day: (Millis, Millis)) -> DashBook {
        DashBook {
            started_at: now,
            threshold_ms: Millis::from(threshold_secs) * 1000,
            day,
            last_settle: now,
            ..Default::default()
        }
    }

    pub fn threshold_secs(&self) -> u32 {
        (self.threshold_ms / 1000) as u32
    }

    pub fn day(&self) -> (Millis, Millis) {
        self.day
    }

    /// A new day began: today's counts start from zero.
    pub fn new_day(&mut self, day: (Millis, Millis)) {
        self.day = day;
        self.sl.clear();
        self.pending.clear();
        self.sl_done.clear();
        self.missed.clear();
    }

    /// Counts what the store knew at start-up (conversations queued and offers missed since
    /// the start of today or the last hour, whichever is earlier).
    pub fn seed(&mut self, seed: &DashboardSeed, now: Millis) {
        for s in &seed.sessions {
            if s.queued_at > now - SLOT_MS * SLOTS as i64 {
                self.arrive(s.session_id, &s.group, s.queued_at, now);
            }
            if s.queued_at < self.day.0 || self.pending.contains_key(&s.session_id) {
                continue;
            }
            match s.accepted_at {
                Some(at) => self.answered(s.session_id, &s.group, at - s.queued_at),
                None if s.ended_at.is_some() => {
                    let waited = s.ended_at.unwrap_or(now) - s.queued_at;
                    if waited > self.threshold_ms {
                        self.sl.entry(s.group.clone()).or_default().late += 1;
                        self.sl_done.insert(s.session_id);
                    }
                }
                None => {
                    self.pending
                        .insert(s.session_id, (s.group.clone(), s.queued_at, false));
                }
            }
        }
        for (agent, at) in &seed.missed_offers {
            if *at >= self.day.0 {
                *self.missed.entry(*agent).or_default() += 1;
            }
        }
    }

    /// Takes in routing effects as the hub applies them.
    pub fn observe(&mut self, effects: &[Effect], now: Millis) {
        for fx in effects {
            match fx {
                Effect::Queued { session, group } => {
                    self.arrive(*session, group, now, now);
                    if !self.pending.contains_key(session) && !self.sl_done.contains(session) {
                        self.pending.insert(*session, (group.clone(), now, false));
                    }
                }
                Effect::Assigned { session, .. } => {
                    if let Some((group, queued_at, late)) = self.pending.remove(session) {
                        // Already counted late when it passed the threshold unanswered.
                        if !late {
                            self.answered(*session, &group, now - queued_at);
                        }
                    }
                }
                Effect::OfferWithdrawn {
                    agent,
                    reason: WithdrawReason::Timeout,
                    ..
                } => *self.missed.entry(*agent).or_default() += 1,
                Effect::StatusChanged { agent, status } => {
                    self.status_changed(*agent, *status, now)
                }
                _ => {}
            }
        }
    }

    fn answered(&mut self, session: SessionId, group: &str, waited: Millis) {
        self.sl_done.insert(session);
        let c = self.sl.entry(group.to_string()).or_default();
        if waited <= self.threshold_ms {
            c.within += 1;
        } else {
            c.late += 1;
        }
    }

    fn arrive(&mut self, session: SessionId, group: &str, at: Millis, now: Millis) {
        let s = slot(at);
        if self.counted.get(&session).is_some_and(|(g, _)| g == group) {
            return;
        }
        self.counted.insert(session, (group.to_string(), s));
        let ring = self.arrivals.entry(group.to_string()).or_default();
        match ring.iter_mut().find(|(n, _)| *n == s) {
            Some((_, c)) => *c += 1,
            None => {
                let pos = ring.iter().position(|(n, _)| *n > s).unwrap_or(ring.len());
                ring.insert(pos, (s, 1));
            }
        }
        let oldest = slot(now) - SLOTS as i64 + 1;
        while ring.front().is_some_and(|(n, _)| *n < oldest) {
            ring.pop_front();
        }
        // Forget sessions counted over an hour ago (bounded by an hour's arrivals).
        if self.counted.len() > 1024 && self.counted.len().is_power_of_two() {
            self.counted.retain(|_, (_, n)| *n >= oldest);
        }
    }

    /// Arrivals of `group` per 5 minutes over the last hour, oldest first, and their sum.
    pub fn arrivals(&self, group: &str, now: Millis) -> (Vec<u32>, u32) {
        let first = slot(now) - SLOTS as i64 + 1;
        let mut out = vec![0u32; SLOTS];
        if let Some(ring) = self.arrivals.get(group) {
            for (n, c) in ring {
                if *n >= first && *n <= slot(now) {
                    out[(n - first) as usize] += c;
                }
            }
        }
        let sum = out.iter().sum();
        (out, sum)
    }

    /// Counts conversations that passed the threshold unanswered (still waiting, or ended:
    /// `is_open` says which are still open) as late, and forgets the ended ones.
    pub fn settle(&mut self, now: Millis, is_open: impl Fn(SessionId) -> bool) {
        self.last_settle = now;
        let threshold = self.threshold_ms;
        let mut late: Vec<(SessionId, String)> = Vec::new();
        self.pending.retain(|id, (group, queued_at, counted)| {
            let over = now - *queued_at > threshold;
            if over && !*counted {
                *counted = true;
                late.push((*id, group.clone()));
            }
            is_open(*id)
        });
        for (id, g) in late {
            self.sl_done.insert(id);
            self.sl.entry(g).or_default().late += 1;
        }
    }

    pub fn settle_due(&self, now: Millis) -> bool {
        now - self.last_settle >= SETTLE_EVERY_MS
    }

    /// Today's service level of one group, and of all.
    pub fn service_level(&self, group: Option<&str>) -> Option<f64> {
        match group {
            Some(g) => self.sl.get(g).copied().unwrap_or_default().share(),
            None => {
                let all = self.sl.values().fold(SlCount::default(), |a, c| SlCount {
                    within: a.within + c.within,
                    late: a.late + c.late,
                });
                all.share()
            }
        }
    }

    pub fn missed(&self, agent: AgentId) -> u32 {
        self.missed.get(&agent).copied().unwrap_or(0)
    }

    /// Records a status (a change of the same status keeps its time).
    pub fn status_changed(&mut self, agent: AgentId, status: AgentStatus, now: Millis) {
        match self.status.get(&agent) {
            Some((s, _)) if *s == status => {}
            _ => {
                self.status.insert(agent, (status, now));
            }
        }
    }

    /// Since when the agent is in `status` (since start-up if no change was seen).
    pub fn status_since(&self, agent: AgentId, status: AgentStatus) -> Millis {
        match self.status.get(&agent) {
            Some((s, at)) if *s == status => *at,
            _ => self.started_at,
        }
    }

    /// Whether `view` differs from the last one sent (its `at` aside).
    pub fn changed(&self, view: &DashboardView) -> bool {
        match &self.last_sent {
            None => true,
            Some(last) => {
                last.queues != view.queues
                    || last.agents != view.agents
                    || last.service_level != view.service_level
                    || last.service_level_secs != view.service_level_secs
            }
        }
    }
}

const DAY_MS: Millis = 86_400_000;

/// [start, end) of the day containing `now` in the dashboard's time zone.
pub fn day_of(config: &ServerConfig, now: Millis) -> (Millis, Millis) {
    let tz = config.dashboard.zone();
    let Ok(ts) = jiff::Timestamp::from_millisecond(now) else {
        return (now, now + DAY_MS);
    };
    let z = ts.to_zoned_datetime(tz);
    let start = z
        .start_of_day()
        .map(|d| d.timestamp().as_millisecond())
        .unwrap_or(now);
    let end = z
        .tomorrow()
        .and_then(|t| t.start_of_day())
        .map(|d| d.timestamp().as_millisecond())
        .unwrap_or(start + DAY_MS);
    (start, end)
}

/// The book the hub starts with.
pub fn new_book(config: &ServerConfig) -> DashBook {
    let now = now_ms();
    DashBook::new(
        now,
        config.dashboard.service_level_secs,
        day_of(config, now),
    )
}

#[cfg(test)]
mod tests;
