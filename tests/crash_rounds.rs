//! Crash test over five rounds: four customers write, two agents reply and transfer sessions
//! to each other, one agent and one customer drop their connections halfway, and the real
//! `kefu serve` is SIGKILLed at a seeded random moment, then restarted. After every kill the
//! database shows that nothing acknowledged was lost or stored twice, and that every
//! connection got its events exactly once, in order, live or replayed by a resume.

mod common;
use common::process::{ServeProcess, free_port};
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The traffic is faster than the default per-connection rate limit.
// (Clients here write as fast as they can: no rate limit, no byte quota.)
const FAST: &str = "[limits]\nrate_per_sec = 100000.0\nrate_burst = 100000.0\n[quotas]\ncustomer_bytes_per_minute = 0\n";
const CUSTOMERS: usize = 4;
const ROUNDS: usize = 5;

/// What one author sent in one round into one session, in order, and the acks they got.
#[derive(Debug, Default)]
struct Stream {
    session: i64,
    sent: Vec<String>,
    acked: HashMap<String, i64>,
}

/// The event cursors one connection received, after the cursor it resumed from.
#[derive(Debug)]
struct Delivered {
    viewer: Viewer,
    from: i64,
    /// The head when it resumed: cursors up to it were replayed, later ones live.
    head: i64,
    cursors: Vec<i64>,
}

impl Delivered {
    fn replayed(&self) -> usize {
        self.cursors.iter().filter(|c| **c <= self.head).count()
    }
}

/// Everything the clients saw, over all rounds.
#[derive(Default)]
struct Ledger {
    /// By prefix of `client_msg_id` (`c2/r1/`, `alice/r3/s4/`).
    streams: BTreeMap<String, Stream>,
    refused: Vec<String>,
    transfers: usize,
}

impl Ledger {
    fn stream(&mut self, prefix: &str, session: i64) -> &mut Stream {
        let s = self.streams.entry(prefix.to_string()).or_default();
        s.session = session;
        s
    }

    fn ack(&mut self, cmid: &str, seq: i64) {
        let prefix = &cmid[..=cmid.rfind('/').unwrap()];
        self.streams
            .get_mut(prefix)
            .unwrap()
            .acked
            .insert(cmid.to_string(), seq);
    }
}

/// On disk, per session: seqs are 1..n; each stream's messages are the first ones it sent,
/// in order, each once; every acked message is there with the seq its ack named.
fn check_messages(db: &rusqlite::Connection, ledger: &Ledger, sessions: &[i64]) -> usize {
    let mut stored_total = 0;
    let mut seen = BTreeMap::<&str, Vec<(String, i64)>>::new();
    for &session in sessions {
        let msgs = stored_messages(db, session);
        for (i, (seq, _, _, cmid)) in msgs.iter().enumerate() {
            assert_eq!(*seq, i as i64 + 1, "session {session}: seqs are gapless");
            let cmid = cmid.clone().unwrap();
            let prefix = &cmid[..=cmid.rfind('/').unwrap()];
            let (prefix, stream) = ledger
                .streams
                .get_key_value(prefix)
                .unwrap_or_else(|| panic!("stored {cmid:?}, which nobody sent"));
            assert_eq!(
                stream.session, session,
                "{cmid} stored in the wrong session"
            );
            seen.entry(prefix).or_default().push((cmid, *seq));
        }
        stored_total += msgs.len();
    }
    for (prefix, stream) in &ledger.streams {
        let stored = seen.remove(prefix.as_str()).unwrap_or_default();
        let cmids: Vec<&String> = stored.iter().map(|s| &s.0).collect();
        let sent: Vec<&String> = stream.sent.iter().take(stored.len()).collect();
        assert_eq!(
            cmids, sent,
            "{prefix}: stored must be the first ones sent, in order"
        );
        for (cmid, seq) in &stream.acked {
            let on_disk = stored.iter().find(|s| &s.0 == cmid).map(|s| s.1);
            assert_eq!(on_disk, Some(*seq), "{cmid} was acked with seq {seq}");
        }
    }
    stored_total
}

/// Each connection received its events exactly once, in order, with no gap (a message it sent
/// itself counts by the cursor in its ack): the cursors it got are the first of the stored events after the cursor it resumed from. The rest (stored
/// but not yet sent at the kill) are the next round's replay.
fn check_events(db: &rusqlite::Connection, delivered: &Delivered) {
    let stored = stored_event_ids(db, delivered.viewer, delivered.from);
    let got = &delivered.cursors;
    if let Some(i) = (0..got.len()).find(|i| stored.get(*i) != Some(&got[*i])) {
        let window = |v: &[i64]| v[i.saturating_sub(3)..(i + 3).min(v.len())].to_vec();
        panic!(
            "{:?} resumed from {} (head {}): event {i} received is {}; around it received \
             {:?}, stored {:?}",
            delivered.viewer,
            delivered.from,
            delivered.head,
            got[i],
            window(got),
            window(&stored)
        );
    }
}

/// Acks seen by every client of a round so far: the round's moments (a client leaving, the
/// SIGKILL) are set by progress, not by the clock, so a slow machine sees the same story.
type Progress = Arc<AtomicUsize>;

fn reached(progress: &Progress, at: Option<usize>) -> bool {
    at.is_some_and(|n| progress.load(Ordering::SeqCst) >= n)
}

/// A customer writes as fast as a window of 32 unacked messages allows, until the server dies
/// (or it drops its connection once the round's acks reach `leave_after`).
async fn customer_traffic(
    mut c: Client,
    prefix: String,
    session: i64,
    mut delivered: Delivered,
    progress: Progress,
    leave_after: Option<usize>,
) -> (Vec<String>, Vec<(String, i64)>, Vec<String>, Delivered) {
    let (mut sent, mut acked, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    let mut in_flight: HashMap<u64, String> = HashMap::new();
    loop {
        if reached(&progress, leave_after) {
            c.close().await;
            return (sent, acked, refused, delivered);
        }
        while in_flight.len() < 32 {
            let cmid = format!("{prefix}{}", sent.len());
            let msg = json!({"session_id": session, "client_msg_id": cmid, "body": cmid});
            let Ok(id) = c.send("message.send", msg).await else {
                return (sent, acked, refused, delivered);
            };
            in_flight.insert(id, cmid.clone());
            sent.push(cmid);
        }
        match c.next_frame(Duration::from_millis(2)).await {
            Ok(ServerFrame::Reply {
                id,
                ok,
                result,
                error,
            }) => {
                if let Some(cmid) = id.as_u64().and_then(|id| in_flight.remove(&id)) {
                    match (ok, result) {
                        (true, Some(r)) => {
                            acked.push((cmid, r["seq"].as_i64().unwrap()));
                            progress.fetch_add(1, Ordering::SeqCst);
                            // The ack stands for the message's event on this connection.
                            delivered.cursors.extend(r["cursor"].as_i64());
                        }
                        _ => refused.push(format!("{cmid}: {error:?}")),
                    }
                }
            }
            Ok(ServerFrame::Event { cursor, .. }) => delivered.cursors.push(cursor),
            Ok(_) | Err(kefu::client::ClientError::Timeout) => {}
            Err(_) => return (sent, acked, refused, delivered),
        }
    }
}

struct AgentRound {
    /// The round's acks so far, and how many of them before dropping the connection, so
    /// events pile up for the next round's replay.
    progress: Progress,
    leave_after: Option<usize>,
    name: String,
    other: String,
    round: usize,
    held: BTreeSet<i64>,
    delivered: Delivered,
    rng: XorShift,
}

/// What an agent's round produced: (stream prefix, session, sent), acks, refusals, transfers.
type AgentOutcome = (
    Vec<(String, i64, Vec<String>)>,
    Vec<(String, i64)>,
    Vec<String>,
    usize,
    Delivered,
);

/// An agent accepts every offer, replies into every session it holds, and now and then
/// transfers one to the other agent, until the server dies (or it drops its connection at
/// `leave_after`).
async fn agent_traffic(mut a: Client, mut r: AgentRound) -> AgentOutcome {
    let mut streams: BTreeMap<i64, (String, Vec<String>)> = BTreeMap::new();
    let (mut acked, mut refused, mut transfers) = (Vec::new(), Vec::new(), 0);
    let mut accepts: HashMap<u64, i64> = HashMap::new();
    let mut sends: HashMap<u64, String> = HashMap::new();
    let mut transferring: HashMap<u64, i64> = HashMap::new();
    let done = |streams: BTreeMap<i64, (String, Vec<String>)>| {
        streams
            .into_iter()
            .map(|(s, (p, sent))| (p, s, sent))
            .collect::<Vec<_>>()
    };
    loop {
        if reached(&r.progress, r.leave_after) {
            a.close().await;
            return (done(streams), acked, refused, transfers, r.delivered);
        }
        // Read what is there.
        loop {
            match a.next_frame(Duration::from_millis(2)).await {
                Ok(ServerFrame::Event { cursor, event }) => {
                    r.delivered.cursors.push(cursor);
                    if let Event::Offer { session, .. } = event {
                        let accept = json!({"session_id": session.id});
                        let Ok(id) = a.send("session.accept", accept).await else {
                            return (done(streams), acked, refused, transfers, r.delivered);
                        };
                        accepts.insert(id, session.id);
                    }
                }
                Ok(ServerFrame::Reply {
                    id,
                    ok,
                    result,
                    error,
                }) => {
                    let id = id.as_u64().unwrap_or(0);
                    if let Some(s) = accepts.remove(&id) {
                        if ok {
                            r.held.insert(s);
                        }
                    } else if let Some(cmid) = sends.remove(&id) {
                        match (ok, result) {
                            (true, Some(v)) => {
                                acked.push((cmid, v["seq"].as_i64().unwrap()));
                                r.progress.fetch_add(1, Ordering::SeqCst);
                                // The ack stands for the message's event here.
                                r.delivered.cursors.extend(v["cursor"].as_i64());
                            }
                            _ => refused.push(format!("{cmid}: {error:?}")),
                        }
                    } else if let Some(s) = transferring.remove(&id) {
                        if ok {
                            transfers += 1;
                        } else {
                            r.held.insert(s); // still ours (the other agent was full or away)
                        }
                    }
                }
                Ok(_) => {}
                Err(kefu::client::ClientError::Timeout) => break,
                Err(_) => return (done(streams), acked, refused, transfers, r.delivered),
            }
        }
        // One reply into every session held, with a few in flight at most.
        for s in r.held.clone() {
            if sends.len() > 16 {
                break;
            }
            let (prefix, sent) = streams
                .entry(s)
                .or_insert_with(|| (format!("{}/r{}/s{s}/", r.name, r.round), Vec::new()));
            let cmid = format!("{prefix}{}", sent.len());
            let msg = json!({"session_id": s, "client_msg_id": cmid, "body": cmid});
            let Ok(id) = a.send("message.send", msg).await else {
                return (done(streams), acked, refused, transfers, r.delivered);
            };
            sends.insert(id, cmid.clone());
            sent.push(cmid);
        }
        // Now and then hand one on. Replies already sent into it are handled first: one
        // connection's requests are served in order.
        let roll = r.rng.next();
        let pick = (roll >> 8) as usize % r.held.len().max(1);
        if roll.is_multiple_of(20)
            && let Some(&s) = r.held.iter().nth(pick)
        {
            r.held.remove(&s);
            let to = json!({"session_id": s, "to": {"agent": r.other}, "note": "yours"});
            let Ok(id) = a.send("session.transfer", to).await else {
                return (done(streams), acked, refused, transfers, r.delivered);
            };
            transferring.insert(id, s);
        }
    }
}

/// Four customers write, two agents reply and transfer sessions to each other, and the real
/// server is SIGKILLed at five seeded random moments, restarted each time. After every kill,
/// on disk: per session the stored messages of each sender are a prefix of what it sent,
/// containing every acked one, once, in order (retries after the restart included); and each
/// connection's events were exactly the stored ones after its resume cursor, once, in order,
/// so a resume with the last cursor seen replays each committed event exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_kills_mid_traffic_with_replies_and_transfers() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["alice", "bob"];
    let agent_ids: Vec<i64> = names
        .iter()
        .map(|n| add_agent(dir.path(), n, &["general"], Role::Agent, Some(10)))
        .collect();
    let port = free_port();
    let mut ledger = Ledger::default();
    let mut rng = XorShift(0x853c_49e6_748f_ea9b);
    // (token, last cursor) per agent; (token, customer id, session, last cursor) per customer.
    let mut agent_state: Vec<(String, i64)> = Vec::new();
    let mut customer_state: Vec<(String, i64, i64, i64)> = Vec::new();
    let mut unacked: Vec<Vec<String>> = vec![Vec::new(); CUSTOMERS];
    let (mut in_flight_at_kills, mut acks, mut replayed) = (0, 0, 0);
    for round in 0..ROUNDS {
        // SIGKILL after a seeded number of acks in the round (the moment varies by round).
        let kill_after = 400 + rng.below(1200) as usize;
        let progress = Progress::default();
        let mut server = ServeProcess::spawn(dir.path(), port, FAST);
        let mut agents = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let mut a = server.connect("agent").await;
            let (from, head) = if round == 0 {
                let r = a
                    .call("login", json!({"username": name, "password": PASSWORD}))
                    .await
                    .unwrap();
                a.call("status.set", json!({"status": "online"}))
                    .await
                    .unwrap();
                agent_state.push((r["token"].as_str().unwrap().to_string(), 0));
                let head = r["cursor"].as_i64().unwrap();
                (head, head)
            } else {
                let (token, cursor) = &agent_state[i];
                let r = a
                    .call("resume", json!({"token": token, "cursor": cursor}))
                    .await
                    .unwrap();
                (*cursor, r["cursor"].as_i64().unwrap())
            };
            // What it holds after the restart, and offers made before it (whose events it
            // may have seen already) accepted now.
            let snap = a.call("snapshot", json!({})).await.unwrap();
            let mut held: BTreeSet<i64> = snap["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_i64().unwrap())
                .collect();
            for o in snap["offers"].as_array().unwrap() {
                let s = o["session"]["id"].as_i64().unwrap();
                if a.call("session.accept", json!({"session_id": s}))
                    .await
                    .is_ok()
                {
                    held.insert(s);
                }
            }
            let delivered = Delivered {
                viewer: Viewer::Agent(agent_ids[i]),
                from,
                head,
                cursors: Vec::new(),
            };
            let r = AgentRound {
                progress: progress.clone(),
                leave_after: None,
                name: name.to_string(),
                other: names[1 - i].to_string(),
                round,
                held,
                delivered,
                rng: XorShift(rng.next()),
            };
            agents.push((a, r));
        }
        let mut customers = Vec::new();
        for i in 0..CUSTOMERS {
            let mut c = server.connect("customer").await;
            let (from, head) = if round == 0 {
                let start = json!({"channel": "web", "nickname": format!("c{i}")});
                let r = c.call("customer.start", start).await.unwrap();
                let (customer, session) = (
                    r["customer_id"].as_i64().unwrap(),
                    r["session_id"].as_i64().unwrap(),
                );
                customer_state.push((
                    r["token"].as_str().unwrap().to_string(),
                    customer,
                    session,
                    0,
                ));
                let head = r["cursor"].as_i64().unwrap();
                (head, head)
            } else {
                let (token, _, session, cursor) = &customer_state[i];
                let r = c
                    .call("customer.resume", json!({"token": token, "cursor": cursor}))
                    .await
                    .unwrap();
                assert_eq!(r["session_id"], *session);
                (*cursor, r["cursor"].as_i64().unwrap())
            };
            let (_, customer, session, _) = customer_state[i];
            // Whatever was not acked before the kill is sent again, as a client would: each is
            // acked now, and one that was stored keeps its seq (checked on disk below).
            let retries = std::mem::take(&mut unacked[i]);
            let mut ids = Vec::new();
            for cmid in &retries {
                let msg = json!({"session_id": session, "client_msg_id": cmid, "body": cmid});
                ids.push(c.send("message.send", msg).await.unwrap());
            }
            let mut delivered = Delivered {
                viewer: Viewer::Customer(customer),
                from,
                head,
                cursors: Vec::new(),
            };
            // The replay and the retries' acks, in the order they come: an ack stands for its
            // message's event (a retry of a message stored before the kill has no cursor: its
            // event was stored then, and is in the replay).
            let mut waiting: HashMap<u64, &String> =
                ids.iter().copied().zip(retries.iter()).collect();
            while !waiting.is_empty() {
                match c.next_frame(WAIT).await.unwrap() {
                    ServerFrame::Reply {
                        id, result, error, ..
                    } => {
                        if let Some(cmid) = id.as_u64().and_then(|id| waiting.remove(&id)) {
                            let ack = result.unwrap_or_else(|| panic!("{cmid}: {error:?}"));
                            ledger.ack(cmid, ack["seq"].as_i64().unwrap());
                            delivered.cursors.extend(ack["cursor"].as_i64());
                        }
                    }
                    ServerFrame::Event { cursor, .. } => delivered.cursors.push(cursor),
                    _ => {}
                }
            }
            customers.push((c, session, delivered));
        }
        let sessions: Vec<i64> = customer_state.iter().map(|c| c.2).collect();

        // Traffic, then SIGKILL at a seeded moment. Halfway, one agent and one customer drop
        // their connections while the others go on, so the next round's resumes have
        // something to replay.
        let started = tokio::time::Instant::now();
        let leave_after = Some(kill_after / 2);
        let mut customer_tasks = Vec::new();
        for (i, (c, session, delivered)) in customers.into_iter().enumerate() {
            let prefix = format!("c{i}/r{round}/");
            ledger.stream(&prefix, session);
            let leave = leave_after.filter(|_| i == round % CUSTOMERS);
            let task = customer_traffic(c, prefix, session, delivered, progress.clone(), leave);
            customer_tasks.push(tokio::spawn(task));
        }
        let mut agent_tasks = Vec::new();
        for (i, (a, mut r)) in agents.into_iter().enumerate() {
            r.leave_after = leave_after.filter(|_| i == round % names.len());
            agent_tasks.push(tokio::spawn(agent_traffic(a, r)));
        }
        while progress.load(Ordering::SeqCst) < kill_after {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "round {round}: only {} of {kill_after} acks in 30 s",
                progress.load(Ordering::SeqCst)
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.kill9();

        // Everything the clients saw before their sockets closed.
        let mut delivered = Vec::new();
        for (i, t) in customer_tasks.into_iter().enumerate() {
            let (sent, acked, refused, d) = tokio::time::timeout(WAIT, t).await.unwrap().unwrap();
            let prefix = format!("c{i}/r{round}/");
            let done: HashSet<&String> = acked.iter().map(|a| &a.0).collect();
            unacked[i] = sent.iter().filter(|c| !done.contains(c)).cloned().collect();
            in_flight_at_kills += unacked[i].len();
            acks += acked.len();
            ledger.streams.get_mut(&prefix).unwrap().sent = sent;
            for (cmid, seq) in acked {
                ledger.ack(&cmid, seq);
            }
            ledger.refused.extend(refused);
            customer_state[i].3 = d.cursors.last().copied().unwrap_or(d.from);
            delivered.push(d);
        }
        for (i, t) in agent_tasks.into_iter().enumerate() {
            let (streams, acked, refused, transfers, d) =
                tokio::time::timeout(WAIT, t).await.unwrap().unwrap();
            for (prefix, session, sent) in streams {
                ledger.stream(&prefix, session).sent = sent;
            }
            for (cmid, seq) in acked {
                ledger.ack(&cmid, seq);
            }
            ledger.refused.extend(refused);
            ledger.transfers += transfers;
            agent_state[i].1 = d.cursors.last().copied().unwrap_or(d.from);
            delivered.push(d);
        }
        assert!(ledger.refused.is_empty(), "refused: {:?}", ledger.refused);

        let db = open_db(dir.path());
        check_messages(&db, &ledger, &sessions);
        for d in &delivered {
            check_events(&db, d);
            replayed += d.replayed();
        }
    }
    // The test is only worth something if it exercised what it claims.
    let agent_acks: usize = ledger
        .streams
        .iter()
        .filter(|(p, _)| !p.starts_with('c'))
        .map(|(_, s)| s.acked.len())
        .sum();
    assert!(acks > 100, "customers' messages acked: {acks}");
    assert!(agent_acks > 20, "agents' replies acked: {agent_acks}");
    assert!(ledger.transfers >= 3, "transfers: {}", ledger.transfers);
    assert!(in_flight_at_kills > 0, "no send was in flight at any kill");
    assert!(replayed > 50, "events replayed on resume: {replayed}");
}
