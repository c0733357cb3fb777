//! Engine tests on plain data: each invariant the product promises has its own test; the
//! seeded random walks in `walk.rs` check them all after every step.

use super::*;

fn spec(id: AgentId, capacity: u32, groups: &[&str]) -> AgentSpec {
    AgentSpec {
        id,
        capacity,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        status: AgentStatus::Online,
    }
}

fn engine(strategy: Strategy) -> Engine {
    let mut e = Engine::new(EngineConfig::default());
    e.upsert_group("sales", strategy);
    e.upsert_group("support", Strategy::LeastBusy);
    e
}

fn online(e: &mut Engine, id: AgentId, capacity: u32, groups: &[&str]) {
    e.upsert_agent(spec(id, capacity, groups));
    e.connect(id, 0);
}

fn offered_to(fx: &[Effect], session: SessionId) -> Option<AgentId> {
    fx.iter().find_map(|f| match f {
        Effect::Offered {
            session: s, agent, ..
        } if *s == session => Some(*agent),
        _ => None,
    })
}

/// Checks every invariant the engine promises against its own state, with every agent at or
/// below capacity (true whenever capacities were never lowered under an agent's load).
fn check_invariants(e: &Engine) {
    for (id, a) in &e.agents {
        assert!(
            a.load() <= a.capacity,
            "agent {id} has {} > capacity {}",
            a.load(),
            a.capacity
        );
    }
    check_structure(e);
}

/// The invariants that hold after every operation, whatever capacities were set or restored:
/// each session is in exactly one place and that place knows it (forward), every id an agent
/// or a queue holds is a live session in the matching state (reverse: nothing stale), and no
/// automatic queue waits while one of its agents could take an offer.
pub(super) fn check_structure(e: &Engine) {
    let mut holders: HashMap<SessionId, AgentId> = HashMap::new();
    for (id, a) in &e.agents {
        for s in a.active.iter().chain(a.offered.iter()) {
            if let Some(other) = holders.insert(*s, *id) {
                panic!("session {s} held by agents {other} and {id}");
            }
        }
        for s in &a.active {
            let place = e.sessions.get(s).map(|s| s.place);
            assert_eq!(
                place,
                Some(Place::Active { agent: *id }),
                "agent {id} lists session {s} as active"
            );
        }
        for s in &a.offered {
            let place = e.sessions.get(s).map(|s| s.place);
            assert!(
                matches!(place, Some(Place::Offered { agent, .. }) if agent == *id),
                "agent {id} lists session {s} as offered, but it is {place:?}"
            );
        }
    }
    let mut queued = 0;
    for (name, g) in &e.groups {
        for key in &g.queue {
            let sid = key.2;
            let s = e
                .sessions
                .get(&sid)
                .unwrap_or_else(|| panic!("queue {name} holds unknown session {sid}"));
            assert_eq!(s.place, Place::Queued, "queue {name} holds session {sid}");
            assert_eq!(&s.group, name, "queue {name} holds session {sid}");
            assert_eq!(
                *key,
                (std::cmp::Reverse(s.priority), s.queued_at, sid),
                "queue {name} holds session {sid} under a stale key"
            );
            queued += 1;
        }
    }
    for (sid, s) in &e.sessions {
        match s.place {
            Place::Active { agent } => assert!(e.agents[&agent].active.contains(sid)),
            Place::Offered { agent, .. } => assert!(e.agents[&agent].offered.contains(sid)),
            Place::Queued => {
                let key = (std::cmp::Reverse(s.priority), s.queued_at, *sid);
                assert!(
                    e.groups[&s.group].queue.contains(&key),
                    "queued session {sid} not in queue"
                );
            }
        }
    }
    assert_eq!(
        holders.len() + queued,
        e.sessions.len(),
        "every session is in exactly one place"
    );
    for (name, g) in &e.groups {
        if g.strategy == Strategy::Manual || g.queue.is_empty() {
            continue;
        }
        let free = e
            .agents
            .values()
            .any(|a| a.groups.contains(name) && a.takes_offers());
        assert!(
            !free,
            "group {name} has a queue while an eligible agent has room"
        );
    }
}

#[test]
fn offers_go_to_the_least_busy_agent_with_ties_to_longest_idle() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 5, &["sales"]);
    online(&mut e, 2, 5, &["sales"]);
    let fx = e.enqueue(10, "sales", 0, 100).unwrap();
    let first = offered_to(&fx, 10).unwrap();
    e.accept(first, 10, 110).unwrap();
    let fx = e.enqueue(11, "sales", 0, 120).unwrap();
    let second = offered_to(&fx, 11).unwrap();
    assert_ne!(first, second, "the idle agent gets the next one");
    e.accept(second, 11, 130).unwrap();
    // Both have one; agent `first` has been idle longer.
    let fx = e.enqueue(12, "sales", 0, 140).unwrap();
    assert_eq!(offered_to(&fx, 12), Some(first));
    check_invariants(&e);
}

#[test]
fn round_robin_cycles_through_agents() {
    let mut e = engine(Strategy::RoundRobin);
    for id in 1..=3 {
        online(&mut e, id, 10, &["sales"]);
    }
    let picks: Vec<AgentId> = (0..6)
        .map(|i| offered_to(&e.enqueue(100 + i, "sales", 0, i).unwrap(), 100 + i).unwrap())
        .collect();
    assert_eq!(picks, vec![1, 2, 3, 1, 2, 3]);
}

#[test]
fn manual_groups_wait_for_an_agent_to_pick() {
    let mut e = engine(Strategy::Manual);
    online(&mut e, 1, 2, &["sales"]);
    let fx = e.enqueue(10, "sales", 0, 0).unwrap();
    assert_eq!(offered_to(&fx, 10), None);
    assert_eq!(e.queue("sales"), vec![10]);
    let fx = e.accept(1, 10, 5).unwrap();
    assert!(fx.contains(&Effect::Assigned {
        session: 10,
        agent: 1
    }));
    assert!(e.queue("sales").is_empty());
    // An agent outside the group may not pick.
    online(&mut e, 2, 2, &["support"]);
    e.enqueue(11, "sales", 0, 6).unwrap();
    assert_eq!(e.accept(2, 11, 7), Err(RouteError::NotOffered));
}

#[test]
fn never_assigned_to_two_agents() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 5, &["sales"]);
    online(&mut e, 2, 5, &["sales"]);
    let fx = e.enqueue(10, "sales", 0, 0).unwrap();
    let to = offered_to(&fx, 10).unwrap();
    let other = if to == 1 { 2 } else { 1 };
    assert_eq!(e.accept(other, 10, 1), Err(RouteError::NotOffered));
    e.accept(to, 10, 2).unwrap();
    assert_eq!(
        e.accept(to, 10, 3),
        Err(RouteError::NotOffered),
        "accepting twice fails"
    );
    assert_eq!(e.accept(other, 10, 3), Err(RouteError::NotOffered));
    assert_eq!(e.assignee(10), Some(to));
    check_invariants(&e);
}

#[test]
fn never_above_capacity_and_the_queue_holds_the_rest() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 2, &["sales"]);
    for s in 0..5 {
        e.enqueue(s, "sales", 0, s).unwrap();
    }
    assert_eq!(e.agent_load(1).unwrap().offered, 2);
    assert_eq!(e.queue("sales"), vec![2, 3, 4]);
    check_invariants(&e);
    e.accept(1, 0, 10).unwrap();
    e.accept(1, 1, 10).unwrap();
    assert_eq!(e.queue("sales").len(), 3, "still full");
    let fx = e.end(0, 20);
    assert_eq!(
        offered_to(&fx, 2),
        Some(1),
        "a freed slot takes the queue head"
    );
    check_invariants(&e);
}

#[test]
fn queue_order_is_priority_then_wait() {
    let mut e = engine(Strategy::LeastBusy);
    e.enqueue(1, "sales", 0, 10).unwrap();
    e.enqueue(2, "sales", 0, 5).unwrap();
    e.enqueue(3, "sales", 1, 20).unwrap();
    e.enqueue(4, "sales", 2, 30).unwrap();
    assert_eq!(e.queue("sales"), vec![4, 3, 2, 1]);
    online(&mut e, 1, 1, &["sales"]);
    assert_eq!(
        e.offer(4).map(|o| o.0),
        Some(1),
        "the complaint VIP goes first"
    );
}

#[test]
fn a_queued_session_never_waits_while_an_eligible_agent_is_free() {
    let mut e = engine(Strategy::LeastBusy);
    e.upsert_agent(spec(1, 1, &["sales"]));
    e.enqueue(10, "sales", 0, 0).unwrap();
    assert!(e.offer(10).is_none(), "not connected yet");
    let fx = e.connect(1, 1);
    assert_eq!(offered_to(&fx, 10), Some(1), "connecting dispatches");
    e.set_status(1, AgentStatus::Busy, 2).unwrap();
    assert!(e.offer(10).is_none(), "busy agents give offers back");
    let fx = e.set_status(1, AgentStatus::Online, 3).unwrap();
    assert_eq!(offered_to(&fx, 10), Some(1), "coming online dispatches");
    check_invariants(&e);
}

#[test]
fn offer_timeout_moves_on_and_two_misses_make_the_agent_away() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 5, &["sales"]);
    e.enqueue(10, "sales", 0, 0).unwrap();
    assert_eq!(e.offer(10).map(|o| o.0), Some(1));
    assert!(e.tick(29_999).is_empty());
    online(&mut e, 2, 5, &["sales"]);
    let fx = e.tick(30_000);
    assert!(fx.contains(&Effect::OfferWithdrawn {
        session: 10,
        agent: 1,
        reason: WithdrawReason::Timeout
    }));
    assert_eq!(offered_to(&fx, 10), Some(2), "the next agent gets it");
    e.accept(2, 10, 30_001).unwrap();

    e.enqueue(11, "sales", 0, 40_000).unwrap();
    // Agent 1 (idle longer? no: 2 has one active) gets it and misses again.
    assert_eq!(e.offer(11).map(|o| o.0), Some(1));
    let fx = e.tick(70_000);
    assert!(fx.contains(&Effect::StatusChanged {
        agent: 1,
        status: AgentStatus::Away
    }));
    assert_eq!(e.offer(11).map(|o| o.0), Some(2));
    check_invariants(&e);
}

#[test]
fn rejected_offers_go_to_someone_else_first() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 5, &["sales"]);
    online(&mut e, 2, 5, &["sales"]);
    e.enqueue(10, "sales", 0, 0).unwrap();
    let first = e.offer(10).unwrap().0;
    let fx = e.reject(first, 10, 1).unwrap();
    let second = offered_to(&fx, 10).unwrap();
    assert_ne!(first, second);
    // Everyone declined: it cycles back rather than waiting forever.
    let fx = e.reject(second, 10, 2).unwrap();
    assert!(offered_to(&fx, 10).is_some());
    check_invariants(&e);
}

#[test]
fn leaving_agents_give_offers_back_and_keep_or_requeue_active_sessions() {
    for requeue in [false, true] {
        let mut e = Engine::new(EngineConfig {
            requeue_active_on_leave: requeue,
            ..Default::default()
        });
        e.upsert_group("sales", Strategy::LeastBusy);
        online(&mut e, 1, 1, &["sales"]);
        e.enqueue(10, "sales", 0, 0).unwrap();
        e.accept(1, 10, 1).unwrap();
        e.upsert_agent(spec(1, 2, &["sales"]));
        e.enqueue(11, "sales", 0, 2).unwrap();
        assert_eq!(e.offer(11).map(|o| o.0), Some(1));
        e.disconnect(1, 3);
        e.tick(3 + 59_999);
        assert_eq!(e.assignee(10), Some(1), "kept during the grace period");
        let fx = e.tick(3 + 60_000);
        assert!(fx.contains(&Effect::StatusChanged {
            agent: 1,
            status: AgentStatus::Offline
        }));
        assert!(e.queue("sales").contains(&11));
        assert_eq!(e.assignee(10), if requeue { None } else { Some(1) });
        assert_eq!(e.queue("sales").contains(&10), requeue);
        check_invariants(&e);
    }
}

#[test]
fn reconnecting_within_grace_keeps_everything() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 2, &["sales"]);
    e.enqueue(10, "sales", 0, 0).unwrap();
    e.accept(1, 10, 1).unwrap();
    e.disconnect(1, 2);
    e.enqueue(11, "sales", 0, 3).unwrap();
    assert!(e.offer(11).is_none(), "no offers while disconnected");
    e.connect(1, 30_000);
    assert_eq!(e.offer(11).map(|o| o.0), Some(1));
    assert!(
        e.tick(100_000)
            .iter()
            .all(|f| !matches!(f, Effect::StatusChanged { .. }))
    );
    assert_eq!(e.assignee(10), Some(1));
}

#[test]
fn a_transferred_session_leaves_its_former_agent() {
    let mut e = engine(Strategy::LeastBusy);
    online(&mut e, 1, 5, &["sales"]);
    online(&mut e, 2, 5, &["support"]);
    e.enqueue(10, "sales", 0, 0).unwrap();
    e.accept(1, 10, 1).unwrap();
    let fx = e.transfer_to_group(10, "support", 2).unwrap();
    assert!(fx.contains(&Effect::Released {
        session: 10,
        agent: 1
    }));
    assert_eq!(offered_to(&fx, 10), Some(2));
    assert!(e.sessions_of(1).1.is_empty());
    e.accept(2, 10, 3).unwrap();
    // To a named agent: an offer to them, which goes to the group queue if they reject.
    let fx = e.transfer_to_agent(10, 1, 4).unwrap();
    assert!(fx.contains(&Effect::Released {
        session: 10,
        agent: 2
    }));
    assert_eq!(offered_to(&fx, 10), Some(1));
    let fx = e.reject(1, 10, 5).unwrap();
    assert_eq!(offered_to(&fx, 10), Some(2), "back to the support group");
    assert_eq!(
        e.transfer_to_group(10, "nope", 6),
        Err(RouteError::UnknownGroup("nope".into()))
    );
    check_invariants(&e);
}

#[test]
fn restore_rebuilds_places() {
    let mut e = engine(Strategy::LeastBusy);
    e.upsert_agent(spec(1, 2, &["sales"]));
    e.restore_session(10, "sales", 0, 0, None, Some(1));
    e.restore_session(11, "sales", 0, 1, Some((1, 500)), None);
    e.restore_session(12, "sales", 1, 2, None, None);
    assert_eq!(e.assignee(10), Some(1));
    assert_eq!(e.offer(11), Some((1, 500)));
    assert_eq!(e.queue("sales"), vec![12]);
    check_invariants(&e);
}
