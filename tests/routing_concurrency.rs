//! Routing under concurrency over real WebSockets: a burst of 200 sessions against 20 agents
//! of capacity 5, with capacity judged from the server's own events and snapshots; and ten
//! agents racing to pick the same queued session of a manual group.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// One agent's routing state as the server told it: offers and active sessions, built only
/// from events and replies, checked against capacity at every offer.
#[derive(Debug, Default)]
struct AgentView {
    offered: BTreeSet<i64>,
    active: BTreeSet<i64>,
    /// The highest load (offers + active) the server ever gave this agent.
    most: usize,
}

impl AgentView {
    fn load(&self) -> usize {
        self.offered.len() + self.active.len()
    }

    /// Applies one event; an offer over capacity or of a session already held is an error.
    fn on_event(&mut self, event: &Event, capacity: usize) -> Result<(), String> {
        match event {
            Event::Offer { session, .. } => {
                let id = session.id;
                if self.offered.contains(&id) || self.active.contains(&id) {
                    return Err(format!("offered {id} again while holding it: {self:?}"));
                }
                self.offered.insert(id);
                if self.load() > capacity {
                    return Err(format!(
                        "offer of {id} puts the load over {capacity}: {self:?}"
                    ));
                }
                self.most = self.most.max(self.load());
            }
            Event::OfferWithdrawn { session_id, reason } if !self.offered.remove(session_id) => {
                return Err(format!("withdrawn unknown offer {session_id} ({reason:?})"));
            }
            Event::SessionRemoved { session_id, .. } => {
                self.active.remove(session_id);
            }
            Event::Session { session } if wire(session.state) == "ended" => {
                self.active.remove(&session.id);
            }
            _ => {}
        }
        Ok(())
    }

    /// The snapshot says exactly what the events said.
    fn check_snapshot(&self, snap: &serde_json::Value) -> Result<(), String> {
        let ids = |v: &serde_json::Value, path: &[&str]| -> BTreeSet<i64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| path.iter().fold(x, |x, k| &x[*k]).as_i64().unwrap())
                .collect()
        };
        let sessions = ids(&snap["sessions"], &["id"]);
        let offers = ids(&snap["offers"], &["session", "id"]);
        let active = snap["agent"]["active"].as_u64().unwrap() as usize;
        if sessions != self.active || offers != self.offered || active != self.active.len() {
            return Err(format!(
                "snapshot has sessions {sessions:?}, offers {offers:?}, active {active}; \
                 the events said {self:?}"
            ));
        }
        Ok(())
    }
}

enum Report {
    Accepted { agent: usize, session: i64 },
    Failed(String),
}

/// Accepts every offer. Once `release` is set, an agent at capacity ends its oldest session, so
/// the queue drains through full agents; before that everyone fills up and the queue grows, so
/// only the server's capacity check stands between a full agent and more offers. Stops when
/// `stop` is set, then checks its snapshot.
async fn busy_agent(
    i: usize,
    mut a: Client,
    capacity: usize,
    tx: tokio::sync::mpsc::UnboundedSender<Report>,
    release: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) -> Result<(Client, AgentView), String> {
    let mut view = AgentView::default();
    let mut order = std::collections::VecDeque::new();
    while !stop.load(Ordering::SeqCst) {
        if view.active.len() == capacity && release.load(Ordering::SeqCst) {
            let oldest = order.pop_front().unwrap();
            a.call("session.end", json!({"session_id": oldest}))
                .await
                .map_err(|e| format!("agent {i} ending {oldest}: {e}"))?;
            view.active.remove(&oldest);
        }
        let frame = match a.next_frame(Duration::from_millis(20)).await {
            Ok(f) => f,
            Err(kefu::client::ClientError::Timeout) => continue,
            Err(e) => return Err(format!("agent {i}: {e}")),
        };
        let ServerFrame::Event { event, .. } = frame else {
            continue;
        };
        view.on_event(&event, capacity)
            .map_err(|e| format!("agent {i}: {e}"))?;
        let Event::Offer { session, .. } = event else {
            continue;
        };
        // Offers are exclusive and the timeout is 30 s: every accept must succeed.
        a.call("session.accept", json!({"session_id": session.id}))
            .await
            .map_err(|e| format!("agent {i} accepting {}: {e}", session.id))?;
        view.offered.remove(&session.id);
        view.active.insert(session.id);
        order.push_back(session.id);
        let _ = tx.send(Report::Accepted {
            agent: i,
            session: session.id,
        });
    }
    // Drain: the snapshot's reply comes after every event the hub produced before it, so
    // once it is here the view has read everything, including any late duplicate.
    let snap = a
        .call("snapshot", json!({}))
        .await
        .map_err(|e| e.to_string())?;
    while let Some(frame) = a.pending.pop_front() {
        if let ServerFrame::Event { event, .. } = frame {
            view.on_event(&event, capacity)
                .map_err(|e| format!("agent {i} after the burst: {e}"))?;
        }
    }
    view.check_snapshot(&snap)
        .map_err(|e| format!("agent {i}: {e}"))?;
    Ok((a, view))
}

/// Reads the agents' reports until `n` sessions are accepted; a session accepted twice fails.
async fn collect_accepts(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Report>,
    owner: &mut HashMap<i64, usize>,
    n: usize,
) {
    while owner.len() < n {
        match tokio::time::timeout(WAIT, rx.recv()).await {
            Ok(Some(Report::Accepted { agent, session })) => {
                if let Some(first) = owner.insert(session, agent) {
                    panic!("session {session} accepted by agents {first} and {agent}");
                }
            }
            Ok(Some(Report::Failed(e))) => panic!("{e}"),
            Ok(None) => panic!("agents stopped after {} of {n} sessions", owner.len()),
            Err(_) => panic!("only {} of {n} accepted in time", owner.len()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_sessions_twenty_agents_capacity_five() {
    const AGENTS: usize = 20;
    const CAPACITY: usize = 5;
    const SESSIONS: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let mut agent_ids = Vec::new();
    for i in 0..AGENTS {
        agent_ids.push(add_agent(
            dir.path(),
            &format!("a{i}"),
            &["general"],
            Role::Agent,
            Some(CAPACITY as u32),
        ));
    }
    // Someone outside the group, to watch the queue.
    add_agent(dir.path(), "observer", &["elsewhere"], Role::Agent, None);
    // 200 customers from one address: the per-address quotas are not what this tests.
    let mut config = kefu::config::ServerConfig::default();
    config.quotas.open_per_address = 0;
    config.quotas.new_per_address_per_minute = 0;
    let server = TestServer::start(dir.path(), config).await;
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        agents.push(server.agent(&format!("a{i}")).await);
    }
    let mut observer = server.agent("observer").await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Report>();
    let release = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (i, a) in agents.into_iter().enumerate() {
        let (tx, release, stop) = (tx.clone(), release.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let r = busy_agent(i, a, CAPACITY, tx.clone(), release, stop).await;
            if let Err(e) = &r {
                let _ = tx.send(Report::Failed(e.clone()));
            }
            r
        }));
    }
    drop(tx);
    // 200 customers within about a second.
    let started = std::time::Instant::now();
    let mut starts = Vec::new();
    for n in 0..SESSIONS {
        let url = server.url("customer");
        starts.push(tokio::spawn(async move {
            let mut c = Client::connect(&url).await.unwrap();
            let r = c
                .call(
                    "customer.start",
                    json!({"channel": "app", "nickname": format!("c{n}")}),
                )
                .await
                .unwrap();
            (c, r["session_id"].as_i64().unwrap())
        }));
    }
    let mut customers = Vec::new();
    for s in starts {
        customers.push(s.await.unwrap());
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "starting 200 took {:?}",
        started.elapsed()
    );
    // 100 places for 200 sessions: the agents fill up and the rest waits in the queue.
    let head = CAPACITY * AGENTS;
    let mut owner: HashMap<i64, usize> = HashMap::new();
    collect_accepts(&mut rx, &mut owner, head).await;
    let waiting = |snap: &serde_json::Value| {
        let queues = snap["queues"].as_array().unwrap();
        let general = queues.iter().find(|q| q["group"] == "general").unwrap();
        general["waiting"].as_u64().unwrap() as usize
    };
    let snap = observer.call("snapshot", json!({})).await.unwrap();
    assert_eq!(
        waiting(&snap),
        SESSIONS - head,
        "full agents, the rest queued"
    );
    release.store(true, Ordering::SeqCst);

    // Every session is accepted exactly once, by whoever the server offered it to.
    collect_accepts(&mut rx, &mut owner, SESSIONS).await;
    let ids: HashSet<i64> = customers.iter().map(|c| c.1).collect();
    assert_eq!(ids, owner.keys().copied().collect::<HashSet<_>>());
    stop.store(true, Ordering::SeqCst);
    let mut views = Vec::new();
    for t in tasks {
        let (a, view) = t.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
        views.push((a, view));
    }
    // Anything reported after the 200th acceptance is a late duplicate.
    match rx.try_recv() {
        Ok(Report::Accepted { agent, session }) => {
            panic!("session {session} accepted again by agent {agent} after the burst")
        }
        Ok(Report::Failed(e)) => panic!("{e}"),
        Err(_) => {}
    }
    // Quiescent now (nobody acts): every agent's snapshot still matches what its events said,
    // and the sessions still open are held by exactly the agent who accepted them.
    let mut held: HashMap<i64, usize> = HashMap::new();
    for (i, (a, view)) in views.iter_mut().enumerate() {
        assert_eq!(view.most, CAPACITY, "agent {i} was never filled: {view:?}");
        assert!(view.offered.is_empty(), "agent {i} still offered {view:?}");
        let snap = a.call("snapshot", json!({})).await.unwrap();
        view.check_snapshot(&snap).unwrap();
        assert_eq!(waiting(&snap), 0);
        for s in &view.active {
            assert_eq!(owner[s], i, "agent {i} holds {s}, accepted by {}", owner[s]);
            assert!(held.insert(*s, i).is_none());
        }
    }
    server.stop().await;
    // On disk: each session is assigned to the agent who accepted it; open ones are active.
    let db = open_db(dir.path());
    for (session, agent) in &owner {
        let (state, assignee) = stored_session(&db, *session);
        assert_eq!(
            assignee,
            Some(agent_ids[*agent]),
            "stored assignee of {session}"
        );
        let expected = if held.contains_key(session) {
            "active"
        } else {
            "ended"
        };
        assert_eq!(state, expected, "stored state of {session}");
    }
}

/// Ten agents send `session.accept` for the same queued session of a manual group in the same
/// instant, for 200 sessions: exactly one wins each, the others get `conflict`, and the session
/// is stored with the winner as its assignee. The races run 20 at a time (each agent sends its
/// 20 accepts in its own shuffled order, all before reading a reply) to keep the test short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_agents_picking_one_manual_session_one_wins() {
    const AGENTS: usize = 10;
    const PARALLEL: usize = 20;
    const ROUNDS: usize = 10;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_with_groups(&["vip"]);
    config.groups[0].strategy = kefu::model::Strategy::Manual;
    config.limits.rate_per_sec = 10_000.0;
    config.limits.rate_burst = 10_000.0;
    let mut ids = Vec::new();
    for i in 0..AGENTS {
        // Room for every session at once: a refusal can only mean someone else won.
        let id = add_agent(
            dir.path(),
            &format!("p{i}"),
            &["vip"],
            Role::Agent,
            Some(50),
        );
        ids.push(id);
    }
    config.quotas.open_per_address = 0;
    config.quotas.new_per_address_per_minute = 0;
    let server = TestServer::start(dir.path(), config).await;
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        agents.push(server.agent(&format!("p{i}")).await);
    }
    let mut customers = Vec::new();
    for n in 0..PARALLEL {
        customers.push(server.customer(&format!("vip{n}"), Some("vip")).await);
    }
    let mut winners: HashMap<i64, usize> = HashMap::new();
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for round in 0..ROUNDS {
        if round > 0 {
            let mut started = Vec::new();
            for (c, _, _) in customers.iter_mut() {
                let start = json!({"channel": "web", "group": "vip"});
                started.push(c.send("customer.start", start).await.unwrap());
            }
            for ((c, session, _), id) in customers.iter_mut().zip(started) {
                let r = collect_replies(c, &[id])
                    .await
                    .remove(&id)
                    .unwrap()
                    .unwrap();
                *session = r["session_id"].as_i64().unwrap();
            }
        }
        let sessions: Vec<i64> = customers.iter().map(|c| c.1).collect();
        // Every agent sends all its accepts before anyone reads a reply, each in its own order.
        let mut sent: Vec<Vec<(u64, i64)>> = Vec::new();
        for a in agents.iter_mut() {
            let mut order = sessions.clone();
            for k in (1..order.len()).rev() {
                order.swap(k, rng.below(k as u64 + 1) as usize);
            }
            let mut mine = Vec::new();
            for s in order {
                let id = a
                    .send("session.accept", json!({"session_id": s}))
                    .await
                    .unwrap();
                mine.push((id, s));
            }
            sent.push(mine);
        }
        let mut won: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, mine) in sent.iter().enumerate() {
            let request_ids: Vec<u64> = mine.iter().map(|m| m.0).collect();
            let replies = collect_replies(&mut agents[i], &request_ids).await;
            for (id, s) in mine {
                match &replies[id] {
                    Ok(r) => {
                        assert_eq!(r["session"]["assignee"], ids[i], "session {s}");
                        won.entry(*s).or_default().push(i);
                    }
                    Err(e) => assert_eq!(
                        e.code,
                        kefu::protocol::ErrorCode::Conflict,
                        "session {s}, agent {i}: {e:?}"
                    ),
                }
            }
        }
        for s in &sessions {
            let w = won.get(s).cloned().unwrap_or_default();
            assert_eq!(w.len(), 1, "session {s}: winners {w:?}");
            winners.insert(*s, w[0]);
        }
        // Each winner serves its session (as stored: the transcript reads the database), then
        // ends it so its customer can start the next one.
        for (i, a) in agents.iter_mut().enumerate() {
            let mut reads = Vec::new();
            let mut ends = Vec::new();
            for s in sessions.iter().filter(|s| winners[*s] == i) {
                let read = json!({"session_id": s});
                reads.push(a.send("session.transcript", read).await.unwrap());
                ends.push(
                    a.send("session.end", json!({"session_id": s}))
                        .await
                        .unwrap(),
                );
            }
            let all: Vec<u64> = reads.iter().chain(&ends).copied().collect();
            let mut replies = collect_replies(a, &all).await;
            for id in reads {
                let t = replies.remove(&id).unwrap().unwrap();
                assert_eq!(t["session"]["assignee"], ids[i], "{t}");
            }
            for id in ends {
                replies.remove(&id).unwrap().unwrap();
            }
        }
    }
    assert_eq!(winners.len(), PARALLEL * ROUNDS);
    let distinct: HashSet<usize> = winners.values().copied().collect();
    assert!(
        distinct.len() >= AGENTS / 2,
        "the races should be won by many agents, not only {distinct:?}"
    );
    server.stop().await;
    let db = open_db(dir.path());
    for (session, winner) in winners {
        assert_eq!(
            stored_session(&db, session),
            ("ended".to_string(), Some(ids[winner])),
            "session {session}"
        );
    }
}
