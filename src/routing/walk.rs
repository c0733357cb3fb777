//! Seeded random walks over every engine operation, driven the way the server drives the
//! engine. After every step they check the structural invariants (`tests::check_structure`:
//! one place per session, nothing stale in agent sets or queues, no queue waiting while an
//! eligible agent has room), that no operation raises an agent above capacity, that every offer
//! goes to an online, connected member of the session's group with room (or, for a transfer, to
//! the named agent), that a refused operation changes nothing, and that the effects — all the
//! server persists and announces — describe the change exactly.
//!
//! Each walk counts what succeeded, by kind, and requires every kind to have happened often: a
//! walk whose operations mostly fail would otherwise pass while checking little.

use super::tests::check_structure;
use super::*;

/// xorshift64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len())])
        }
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

const GROUPS: [(&str, Strategy); 3] = [
    ("a", Strategy::LeastBusy),
    ("b", Strategy::RoundRobin),
    ("c", Strategy::Manual),
];
const AGENTS: AgentId = 8;

fn config(requeue: bool) -> EngineConfig {
    EngineConfig {
        offer_timeout_ms: 10_000,
        grace_ms: 25_000,
        max_missed_offers: 2,
        requeue_active_on_leave: requeue,
    }
}

fn random_spec(rng: &mut Rng, id: AgentId, status: AgentStatus) -> AgentSpec {
    let mut groups: BTreeSet<String> = GROUPS
        .iter()
        .filter(|_| rng.percent(50))
        .map(|g| g.0.to_string())
        .collect();
    if groups.is_empty() {
        groups.insert(GROUPS[rng.below(GROUPS.len())].0.to_string());
    }
    AgentSpec {
        id,
        capacity: 1 + rng.below(4) as u32,
        groups,
        status,
    }
}

/// Where a session is as far as someone who saw only the effects can tell: the server's view.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Queued(String),
    Offered(AgentId),
    Active(AgentId),
    /// Taken from an agent by an effect; the same operation must say where it went.
    Detached,
}

#[derive(Default)]
struct Shadow {
    sessions: HashMap<SessionId, Seen>,
    status: HashMap<AgentId, AgentStatus>,
}

impl Shadow {
    /// What a freshly started server reads back: the engine's state as it is.
    fn of(e: &Engine) -> Shadow {
        let sessions = e
            .sessions
            .iter()
            .map(|(id, s)| {
                let seen = match s.place {
                    Place::Queued => Seen::Queued(s.group.clone()),
                    Place::Offered { agent, .. } => Seen::Offered(agent),
                    Place::Active { agent } => Seen::Active(agent),
                };
                (*id, seen)
            })
            .collect();
        let status = e.agents.iter().map(|(id, a)| (*id, a.status)).collect();
        Shadow { sessions, status }
    }

    /// Follows the effects of one operation; each must be a legal move from the last one seen.
    fn apply(&mut self, e: &Engine, fx: &[Effect]) {
        for f in fx {
            match f {
                Effect::Queued { session, group } => {
                    let prev = self.sessions.get(session);
                    assert!(
                        matches!(prev, None | Some(Seen::Detached | Seen::Queued(_))),
                        "{f:?} while {prev:?}"
                    );
                    self.sessions.insert(*session, Seen::Queued(group.clone()));
                }
                Effect::Offered { session, agent, .. } => {
                    let prev = self.sessions.get(session);
                    assert!(
                        matches!(prev, Some(Seen::Detached | Seen::Queued(_))),
                        "{f:?} while {prev:?}"
                    );
                    self.sessions.insert(*session, Seen::Offered(*agent));
                }
                Effect::OfferWithdrawn { session, agent, .. } => {
                    let prev = self.sessions.get(session);
                    assert_eq!(prev, Some(&Seen::Offered(*agent)), "{f:?}");
                    self.sessions.insert(*session, Seen::Detached);
                }
                Effect::Assigned { session, agent } => {
                    let prev = self.sessions.get(session);
                    let picked = matches!(prev, Some(Seen::Queued(g))
                        if e.group_strategy(g) == Some(Strategy::Manual));
                    assert!(
                        picked || prev == Some(&Seen::Offered(*agent)),
                        "{f:?} while {prev:?}"
                    );
                    self.sessions.insert(*session, Seen::Active(*agent));
                }
                Effect::Released { session, agent } => {
                    let prev = self.sessions.get(session);
                    assert_eq!(prev, Some(&Seen::Active(*agent)), "{f:?}");
                    self.sessions.insert(*session, Seen::Detached);
                }
                Effect::StatusChanged { agent, status } => {
                    self.status.insert(*agent, *status);
                }
            }
        }
    }

    /// The view built from effects is the engine's state.
    fn check(&self, e: &Engine) {
        assert_eq!(
            self.sessions.len(),
            e.sessions.len(),
            "the effects lost or invented a session"
        );
        for (id, seen) in &self.sessions {
            let s = e.sessions.get(id).unwrap_or_else(|| {
                panic!("effects say session {id} is {seen:?}; routing forgot it")
            });
            let ok = match (seen, s.place) {
                (Seen::Queued(g), Place::Queued) => *g == s.group,
                (Seen::Offered(a), Place::Offered { agent, .. }) => *a == agent,
                (Seen::Active(a), Place::Active { agent }) => *a == agent,
                _ => false,
            };
            assert!(
                ok,
                "effects say session {id} is {seen:?}, routing has {:?} in {}",
                s.place, s.group
            );
        }
        for (id, a) in &e.agents {
            assert_eq!(self.status.get(id), Some(&a.status), "status of agent {id}");
        }
    }
}

/// A hash of all routing state, to show that a refused operation changed nothing.
fn fingerprint(e: &Engine) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut sessions: Vec<_> = e.sessions.iter().collect();
    sessions.sort_unstable_by_key(|(id, _)| **id);
    for (id, s) in sessions {
        let place = match s.place {
            Place::Queued => (0, 0, 0),
            Place::Offered { agent, expires_at } => (1, agent, expires_at),
            Place::Active { agent } => (2, agent, 0),
        };
        (id, &s.group, s.priority, s.queued_at, place, &s.declined).hash(&mut h);
    }
    let mut agents: Vec<_> = e.agents.iter().collect();
    agents.sort_unstable_by_key(|(id, _)| **id);
    for (id, a) in agents {
        (id, a.status as u8, a.connected, &a.active, &a.offered).hash(&mut h);
        (a.disconnected_at, a.last_assigned_at, a.missed, a.capacity).hash(&mut h);
    }
    for (name, g) in &e.groups {
        (name, &g.queue, g.last_picked).hash(&mut h);
    }
    h.finish()
}

fn loads(e: &Engine) -> HashMap<AgentId, u32> {
    e.agents.iter().map(|(id, a)| (*id, a.load())).collect()
}

/// A server restart: a new engine fed the way `Hub::new` feeds it (groups, agents who are all
/// disconnected, then every open session from the store), which must come back as it was.
fn restart(old: &Engine, now: Millis) -> Engine {
    let mut e = Engine::new(old.config.clone());
    for (name, g) in &old.groups {
        e.upsert_group(name, g.strategy);
    }
    let mut agents: Vec<AgentId> = old.agents.keys().copied().collect();
    agents.sort_unstable();
    for id in agents {
        let a = &old.agents[&id];
        e.upsert_agent(AgentSpec {
            id,
            capacity: a.capacity,
            groups: a.groups.clone(),
            status: a.status,
        });
        e.disconnect(id, now);
    }
    let mut sessions: Vec<SessionId> = old.sessions.keys().copied().collect();
    sessions.sort_unstable();
    for id in sessions {
        let s = &old.sessions[&id];
        let (offered, active) = match s.place {
            Place::Queued => (None, None),
            Place::Offered { agent, expires_at } => (Some((agent, expires_at)), None),
            Place::Active { agent } => (None, Some(agent)),
        };
        e.restore_session(id, &s.group, s.priority, s.queued_at, offered, active);
    }
    for (id, s) in &old.sessions {
        let r = &e.sessions[id];
        assert_eq!(
            (r.place, &r.group),
            (s.place, &s.group),
            "restored session {id}"
        );
    }
    for name in old.groups.keys() {
        assert_eq!(e.queue(name), old.queue(name), "restored queue {name}");
    }
    for (id, a) in &old.agents {
        assert_eq!(
            e.sessions_of(*id),
            old.sessions_of(*id),
            "restored agent {id}"
        );
        assert_eq!(e.agents[id].status, a.status);
    }
    e
}

/// Prints where a walk failed (seed, step, operation) when a check inside it panics.
struct Context(String);

impl Drop for Context {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("random walk failed at {}", self.0);
        }
    }
}

/// Runs one walk and returns how many times each kind of operation (or outcome) succeeded.
fn walk(seed: u64, requeue: bool, steps: usize) -> BTreeMap<&'static str, u32> {
    let mut rng = Rng(seed);
    let mut e = Engine::new(config(requeue));
    for (name, strategy) in GROUPS {
        e.upsert_group(name, strategy);
    }
    for id in 1..=AGENTS {
        e.upsert_agent(random_spec(&mut rng, id, AgentStatus::Online));
        e.connect(id, 0);
    }
    let mut shadow = Shadow::of(&e);
    let mut counts: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut now: Millis = 0;
    let mut last_session: SessionId = 0;
    for step in 0..steps {
        now += rng.below(3_000) as Millis;
        let agent = 1 + rng.below(AGENTS as usize) as AgentId;
        let mut ids: Vec<SessionId> = e.sessions.keys().copied().collect();
        ids.sort_unstable();
        let mut offered: Vec<(SessionId, AgentId)> = e
            .sessions
            .iter()
            .filter_map(|(id, s)| match s.place {
                Place::Offered { agent, .. } => Some((*id, agent)),
                _ => None,
            })
            .collect();
        offered.sort_unstable();
        // Mostly real targets, sometimes any id (unknown, ended, someone else's): both paths.
        let any_session = rng
            .pick(&ids)
            .filter(|_| rng.percent(90))
            .unwrap_or(1 + rng.below(last_session as usize + 1) as SessionId);
        let loads_before = loads(&e);
        let was_connected = e.agents.get(&agent).is_some_and(|a| a.connected);
        let mut transfer_target = None;
        let mut restarted = false;
        let mut ended = None;
        let mut set_status = None;
        let roll = rng.below(100);
        // Rolls below 59 are the operations that can be refused (Result::Err).
        let before = (roll < 59).then(|| fingerprint(&e));
        let ctx = Context(format!(
            "seed {seed:#x}, requeue {requeue}, step {step}, roll {roll}"
        ));
        let (kind, result): (&'static str, Result<Vec<Effect>, RouteError>) = match roll {
            0..12 => {
                last_session += 1;
                let group = GROUPS[rng.below(GROUPS.len())].0;
                let priority = rng.below(3) as i64;
                ("enqueue", e.enqueue(last_session, group, priority, now))
            }
            12..27 => {
                // An offer accepted by its agent, or (one in five) by someone else: refused.
                let (session, to) = rng.pick(&offered).unwrap_or((any_session, agent));
                let who = if rng.percent(80) { to } else { agent };
                ("accept_offer", e.accept(who, session, now))
            }
            27..33 => {
                let manual: Vec<SessionId> = e.queue("c");
                let session = rng.pick(&manual).unwrap_or(any_session);
                ("manual_pick", e.accept(agent, session, now))
            }
            33..39 => {
                let (session, to) = rng.pick(&offered).unwrap_or((any_session, agent));
                let who = if rng.percent(80) { to } else { agent };
                ("reject", e.reject(who, session, now))
            }
            39..49 => {
                let (kind, status) = match rng.below(6) {
                    0..3 => ("status_online", AgentStatus::Online),
                    3 => ("status_busy", AgentStatus::Busy),
                    4 => ("status_away", AgentStatus::Away),
                    _ => ("status_offline", AgentStatus::Offline),
                };
                set_status = Some(status);
                (kind, e.set_status(agent, status, now))
            }
            49..54 => {
                let group = GROUPS[rng.below(GROUPS.len())].0;
                (
                    "transfer_to_group",
                    e.transfer_to_group(any_session, group, now),
                )
            }
            54..59 => {
                transfer_target = Some((any_session, agent));
                (
                    "transfer_to_agent",
                    e.transfer_to_agent(any_session, agent, now),
                )
            }
            59..70 => {
                // Mostly end served sessions: that is what frees agents for the queue.
                let active: Vec<SessionId> = ids
                    .iter()
                    .copied()
                    .filter(|id| matches!(e.sessions[id].place, Place::Active { .. }))
                    .collect();
                let session = rng
                    .pick(&active)
                    .filter(|_| rng.percent(70))
                    .unwrap_or(any_session);
                let existed = e.sessions.contains_key(&session);
                let fx = e.end(session, now);
                assert!(!e.sessions.contains_key(&session), "ended session remains");
                ended = Some(session);
                if existed {
                    ("end", Ok(fx))
                } else {
                    ("end_unknown", Ok(fx))
                }
            }
            70..75 => {
                e.disconnect(agent, now);
                ("disconnect", Ok(Vec::new()))
            }
            75..83 => ("connect", Ok(e.connect(agent, now))),
            83..97 => ("tick", Ok(e.tick(now))),
            97..99 => {
                // Re-login after an admin changed capacity or groups: the server upserts (the
                // live status wins) and then connects, which dispatches.
                let status = e.agents[&agent].status;
                e.upsert_agent(random_spec(&mut rng, agent, status));
                ("upsert_agent", Ok(e.connect(agent, now)))
            }
            _ => {
                e = restart(&e, now);
                shadow = Shadow::of(&e);
                restarted = true;
                ("restart", Ok(Vec::new()))
            }
        };

        match &result {
            Err(err) => {
                assert_eq!(
                    Some(fingerprint(&e)),
                    before,
                    "{kind} was refused ({err}) but changed routing"
                );
                *counts.entry("refused").or_default() += 1;
            }
            Ok(fx) => {
                let did_something = match kind {
                    "end_unknown" => false,
                    "disconnect" => was_connected,
                    "connect" => !was_connected,
                    "tick" => !fx.is_empty(),
                    _ => true,
                };
                if did_something {
                    *counts.entry(kind).or_default() += 1;
                }
                check_effects(&e, kind, fx, transfer_target, &mut counts);
                // The server stores a status the agent sets itself, as well as those in effects.
                if let Some(status) = set_status {
                    shadow.status.insert(agent, status);
                }
                shadow.apply(&e, fx);
            }
        }
        if let Some(session) = ended {
            shadow.sessions.remove(&session);
        }
        check_structure(&e);
        shadow.check(&e);
        if !restarted {
            for (id, load) in loads(&e) {
                let cap = e.agents[&id].capacity;
                let was = loads_before.get(&id).copied().unwrap_or(0);
                assert!(
                    load <= was || load <= cap,
                    "{kind} raised agent {id} from {was} to {load}, above capacity {cap}"
                );
            }
        }
        drop(ctx);
    }
    counts
}

/// Every offer in `fx` went to someone who may have it, and outcomes are counted by kind.
fn check_effects(
    e: &Engine,
    kind: &str,
    fx: &[Effect],
    transfer_target: Option<(SessionId, AgentId)>,
    counts: &mut BTreeMap<&'static str, u32>,
) {
    let mut offered_now = BTreeSet::new();
    for f in fx {
        match f {
            Effect::Offered { session, agent, .. } => {
                assert!(
                    offered_now.insert(*session),
                    "session {session} offered twice in one {kind}"
                );
                let a = &e.agents[agent];
                let s = &e.sessions[session];
                // Dispatch runs last in every operation, so its offers are still standing and
                // the final load bounds the load at each offer.
                assert!(
                    matches!(s.place, Place::Offered { agent: to, .. } if to == *agent),
                    "offer of {session} to {agent} does not stand: {:?}",
                    s.place
                );
                assert!(
                    a.connected && a.load() <= a.capacity,
                    "offer of {session} to agent {agent} (connected {}, load {} of {})",
                    a.connected,
                    a.load(),
                    a.capacity
                );
                if transfer_target == Some((*session, *agent)) {
                    assert_ne!(
                        a.status,
                        AgentStatus::Offline,
                        "transfer to offline {agent}"
                    );
                    *counts.entry("offer_by_transfer").or_default() += 1;
                } else {
                    assert_eq!(a.status, AgentStatus::Online, "offer to agent {agent}");
                    assert!(
                        a.groups.contains(&s.group),
                        "offer of {session} ({}) to agent {agent} outside it",
                        s.group
                    );
                    *counts.entry("offer_by_dispatch").or_default() += 1;
                }
            }
            Effect::OfferWithdrawn {
                reason: WithdrawReason::Timeout,
                ..
            } => *counts.entry("offer_timeout").or_default() += 1,
            Effect::StatusChanged {
                status: AgentStatus::Away,
                ..
            } => *counts.entry("auto_away").or_default() += 1,
            Effect::StatusChanged {
                status: AgentStatus::Offline,
                ..
            } => *counts.entry("grace_offline").or_default() += 1,
            Effect::Released { .. } if kind == "tick" || kind == "status_offline" => {
                *counts.entry("requeued_on_leave").or_default() += 1
            }
            _ => {}
        }
    }
}

/// Steps per walk: each walk takes a few hundred milliseconds in a debug build.
const STEPS: usize = 3_000;
/// How often each kind must have succeeded in one walk of [`STEPS`] steps (the seeds below
/// reach two to five times these numbers).
const COVERAGE: [(&str, u32); 21] = [
    ("enqueue", 150),
    ("accept_offer", 100),
    ("manual_pick", 20),
    ("reject", 30),
    ("status_online", 40),
    ("status_busy", 10),
    ("status_away", 10),
    ("status_offline", 10),
    ("transfer_to_group", 50),
    ("transfer_to_agent", 10),
    ("end", 100),
    ("disconnect", 20),
    ("connect", 20),
    ("tick", 60),
    ("upsert_agent", 20),
    ("restart", 10),
    ("refused", 100),
    ("offer_by_dispatch", 100),
    ("offer_by_transfer", 10),
    ("offer_timeout", 20),
    ("auto_away", 5),
];

fn walks(requeue: bool) {
    for seed in [0x9e37_79b9_7f4a_7c15, 0xdead_beef_cafe_f00d, 7_777_777] {
        let counts = walk(seed, requeue, STEPS);
        let too_few: Vec<_> = COVERAGE
            .iter()
            .filter(|(k, min)| counts.get(k).copied().unwrap_or(0) < *min)
            .collect();
        assert!(
            too_few.is_empty(),
            "seed {seed:#x}: too few {too_few:?}; counts {counts:?}"
        );
        let grace = counts.get("grace_offline").copied().unwrap_or(0);
        assert!(grace >= 5, "seed {seed:#x}: {counts:?}");
        let requeued = counts.get("requeued_on_leave").copied().unwrap_or(0);
        if requeue {
            assert!(requeued >= 5, "seed {seed:#x}: {counts:?}");
        } else {
            assert_eq!(requeued, 0, "keep mode released sessions on leave");
        }
    }
}

#[test]
fn random_walks_keep_every_invariant_keeping_active_sessions_on_leave() {
    walks(false);
}

#[test]
fn random_walks_keep_every_invariant_requeueing_active_sessions_on_leave() {
    walks(true);
}
