//! Routing's timers and leaving agents over real WebSockets, with one-second timers (the
//! config's unit): missed offers make an agent away, an expired grace period makes them offline
//! and hands their work on, `on_agent_leave = "requeue"` versus `"keep"`, and reconnecting within
//! the grace period keeps everything. Every wait is for an event, with a deadline.

mod common;
use common::*;
use kefu::client::Client;
use kefu::config::{LeavePolicy, ServerConfig};
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;
use std::collections::BTreeSet;

fn timers(offer_secs: u64, grace_secs: u64, leave: LeavePolicy) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.routing.offer_timeout_secs = offer_secs;
    config.routing.grace_secs = grace_secs;
    config.routing.max_missed_offers = 2;
    config.routing.on_agent_leave = leave;
    config
}

/// The next durable event on `c`, skipping replies and ephemeral frames.
async fn next_event(c: &mut Client) -> Event {
    loop {
        match c.next_frame(WAIT).await {
            Ok(ServerFrame::Event { event, .. }) => return event,
            Ok(_) => continue,
            Err(e) => panic!("waiting for an event: {e}"),
        }
    }
}

/// The events already received on `c` (in `pending`), then everything up to the reply of a
/// `snapshot`, which the server sends after every event it produced before it. Returns the
/// events and the snapshot.
async fn events_until_snapshot(c: &mut Client) -> (Vec<Event>, serde_json::Value) {
    let snap = c.call("snapshot", json!({})).await.unwrap();
    let events = c
        .pending
        .drain(..)
        .filter_map(|f| match f {
            ServerFrame::Event { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    (events, snap)
}

fn ids(list: &serde_json::Value, path: &[&str]) -> BTreeSet<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| path.iter().fold(x, |x, k| &x[*k]).as_i64().unwrap())
        .collect()
}

fn offered(snap: &serde_json::Value) -> BTreeSet<i64> {
    ids(&snap["offers"], &["session", "id"])
}

fn serving(snap: &serde_json::Value) -> BTreeSet<i64> {
    ids(&snap["sessions"], &["id"])
}

/// A short description of an event, for comparing sequences.
fn brief(e: &Event) -> String {
    match e {
        Event::Offer { session, .. } => format!("offer {}", session.id),
        Event::OfferWithdrawn { session_id, reason } => {
            format!("withdrawn {session_id} {}", wire(reason))
        }
        Event::SessionRemoved { session_id, reason } => {
            format!("removed {session_id} {}", wire(reason))
        }
        Event::Status { status, .. } => format!("status {}", wire(status)),
        Event::Session { session } => format!("session {} {}", session.id, wire(session.state)),
        other => format!("{other:?}"),
    }
}

/// Waits until `directory` (asked by `watcher`) shows `username` as (dis)connected.
async fn wait_connected(watcher: &mut Client, username: &str, connected: bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let d = watcher.call("directory", json!({})).await.unwrap();
        let agents = d["agents"].as_array().unwrap();
        let a = agents.iter().find(|a| a["username"] == username).unwrap();
        if a["connected"] == connected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{username} never became connected={connected}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Logs in without going online: the agent gets no offers until `status.set online`.
async fn login_offline(server: &TestServer, username: &str) -> Client {
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    c.call("login", json!({"username": username, "password": PASSWORD}))
        .await
        .unwrap();
    c
}

#[tokio::test]
async fn missed_offers_in_a_row_make_the_agent_away_and_an_accept_resets_the_count() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "sleepy", &["general"], Role::Agent, None);
    add_agent(dir.path(), "keen", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), timers(1, 60, LeavePolicy::Keep)).await;
    let mut sleepy = server.agent("sleepy").await;
    events_until_snapshot(&mut sleepy).await;
    let (_c1, s1, _) = server.customer("one", None).await;
    // Miss one (it comes back: nobody else is there), then accept it: the count starts over.
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(brief(&next_event(&mut sleepy).await));
    }
    assert_eq!(
        seen,
        [
            format!("offer {s1}"),
            format!("withdrawn {s1} timeout"),
            format!("offer {s1}")
        ]
    );
    sleepy
        .call("session.accept", json!({"session_id": s1}))
        .await
        .unwrap();
    let (_c2, s2, _) = server.customer("two", None).await;
    // Two misses in a row now: away after the second, not the first.
    let mut seen = Vec::new();
    loop {
        let e = next_event(&mut sleepy).await;
        if matches!(e, Event::Session { .. }) {
            continue; // the accept of s1
        }
        seen.push(brief(&e));
        if matches!(e, Event::Status { .. }) {
            break;
        }
    }
    assert_eq!(
        seen,
        [
            format!("offer {s2}"),
            format!("withdrawn {s2} timeout"),
            format!("offer {s2}"),
            format!("withdrawn {s2} timeout"),
            "status away".to_string(),
        ]
    );
    // Away keeps its session and gets no offers: s2 waits for someone else.
    let (_, snap) = events_until_snapshot(&mut sleepy).await;
    assert_eq!(snap["agent"]["status"], "away");
    assert_eq!(serving(&snap), BTreeSet::from([s1]));
    assert!(offered(&snap).is_empty());
    assert_eq!(snap["queues"][0]["waiting"], 1);
    let mut keen = server.agent("keen").await;
    assert_eq!(accept_next_offer(&mut keen).await, s2);
    server.stop().await;
}

/// Alice holds one session and one offer, then disconnects for good: after the grace period
/// she is offline, the offer goes back and (with "requeue") so does the session; both reach
/// bob. Her resume replays what happened.
async fn grace_expiry(leave: LeavePolicy) {
    let requeue = leave == LeavePolicy::Requeue;
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(2));
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), timers(30, 1, leave)).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut alice, "alice").await;
    let (_c1, s1, _) = server.customer("one", None).await;
    assert_eq!(accept_next_offer(&mut alice).await, s1);
    let (_c2, s2, _) = server.customer("two", None).await;
    let (_, snap) = events_until_snapshot(&mut alice).await;
    assert_eq!(offered(&snap), BTreeSet::from([s2]));
    let cursor = alice.cursor;
    alice.close().await;

    // Bob is online meanwhile; what alice had reaches him only when her grace period is over.
    let mut bob = server.agent("bob").await;
    let expected: BTreeSet<i64> = if requeue {
        BTreeSet::from([s1, s2])
    } else {
        BTreeSet::from([s2])
    };
    let mut got = BTreeSet::new();
    while got.len() < expected.len() {
        if let Event::Offer { session, .. } = next_event(&mut bob).await {
            got.insert(session.id);
        }
    }
    assert_eq!(got, expected);
    let (late, snap) = events_until_snapshot(&mut bob).await;
    assert!(
        late.iter().all(|e| !matches!(e, Event::Offer { .. })),
        "{late:?}"
    );
    assert_eq!(offered(&snap), expected);
    assert_eq!(snap["queues"][0]["waiting"], 0);

    // Alice comes back much later: the replay tells her, once each.
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    alice
        .call("resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    let (replayed, snap) = events_until_snapshot(&mut alice).await;
    let mut replayed: Vec<String> = replayed.iter().map(brief).collect();
    replayed.sort();
    let mut want = vec![
        "status offline".to_string(),
        format!("withdrawn {s2} agent_left"),
    ];
    if requeue {
        want.push(format!("removed {s1} requeued"));
    }
    want.sort();
    assert_eq!(replayed, want);
    assert_eq!(snap["agent"]["status"], "offline");
    assert!(offered(&snap).is_empty());
    let kept = if requeue {
        BTreeSet::new()
    } else {
        BTreeSet::from([s1])
    };
    assert_eq!(serving(&snap), kept, "keep policy keeps the session");
    server.stop().await;
}

#[tokio::test]
async fn grace_expiry_sets_offline_and_requeues_offers_and_sessions() {
    grace_expiry(LeavePolicy::Requeue).await;
}

#[tokio::test]
async fn grace_expiry_with_keep_policy_returns_offers_and_keeps_sessions() {
    grace_expiry(LeavePolicy::Keep).await;
}

/// A deliberate leave (`status.set offline`, or `logout` of the last connection) hands active
/// sessions on at once with "requeue", and keeps them with "keep".
async fn deliberate_leave(leave: LeavePolicy) {
    let requeue = leave == LeavePolicy::Requeue;
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(1));
    add_agent(dir.path(), "carol", &["general"], Role::Agent, Some(1));
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), timers(30, 60, leave)).await;
    let mut alice = server.agent("alice").await;
    let (_c1, s1, _) = server.customer("one", None).await;
    assert_eq!(accept_next_offer(&mut alice).await, s1);
    let mut carol = Client::connect(&server.url("agent")).await.unwrap();
    let carol_token = login_online(&mut carol, "carol").await;
    let (_c2, s2, _) = server.customer("two", None).await;
    assert_eq!(accept_next_offer(&mut carol).await, s2);
    let mut bob = server.agent("bob").await;

    events_until_snapshot(&mut alice).await;
    alice
        .call("status.set", json!({"status": "offline"}))
        .await
        .unwrap();
    let (events, snap) = events_until_snapshot(&mut alice).await;
    let events: Vec<String> = events.iter().map(brief).collect();
    let mut want = vec!["status offline".to_string()];
    if requeue {
        want.push(format!("removed {s1} requeued"));
    }
    assert_eq!(events, want);
    let kept = if requeue {
        BTreeSet::new()
    } else {
        BTreeSet::from([s1])
    };
    assert_eq!(serving(&snap), kept);

    let cursor = carol.cursor;
    carol.call("logout", json!({})).await.unwrap();
    if requeue {
        let mut got = BTreeSet::new();
        while got.len() < 2 {
            if let Event::Offer { session, .. } = next_event(&mut bob).await {
                got.insert(session.id);
            }
        }
        assert_eq!(got, BTreeSet::from([s1, s2]));
    }
    let (late, snap) = events_until_snapshot(&mut bob).await;
    let offers: BTreeSet<i64> = late
        .iter()
        .filter_map(|e| match e {
            Event::Offer { session, .. } => Some(session.id),
            _ => None,
        })
        .collect();
    assert!(
        offers.is_empty(),
        "bob offered {offers:?} (requeue {requeue})"
    );
    assert_eq!(offered(&snap), kept_or(requeue, &[s1, s2]));

    // Carol's logout was stored for her; her next login with a cursor replays it.
    let mut carol = Client::connect(&server.url("agent")).await.unwrap();
    carol
        .call(
            "login",
            json!({"username": "carol", "password": PASSWORD, "cursor": cursor}),
        )
        .await
        .unwrap();
    let (events, snap) = events_until_snapshot(&mut carol).await;
    let events: Vec<String> = events.iter().map(brief).collect();
    let mut want = vec!["status offline".to_string()];
    if requeue {
        want.push(format!("removed {s2} requeued"));
    }
    assert_eq!(events, want);
    assert_eq!(serving(&snap), kept_or(!requeue, &[s2]));
    // The old token was deleted by the logout.
    let mut again = Client::connect(&server.url("agent")).await.unwrap();
    let r = again.call("resume", json!({"token": carol_token})).await;
    assert_eq!(api_code(r), kefu::protocol::ErrorCode::Unauthorized);
    server.stop().await;
}

fn kept_or(yes: bool, ids: &[i64]) -> BTreeSet<i64> {
    if yes {
        ids.iter().copied().collect()
    } else {
        BTreeSet::new()
    }
}

#[tokio::test]
async fn leaving_with_requeue_hands_active_sessions_on() {
    deliberate_leave(LeavePolicy::Requeue).await;
}

#[tokio::test]
async fn leaving_with_keep_keeps_active_sessions() {
    deliberate_leave(LeavePolicy::Keep).await;
}

/// Alice drops and comes back within her grace period; carol drops just after her and does not
/// come back. When carol's session reaches bob, alice's grace period has run out too (it began
/// first): had her reconnect not cancelled it, her session and offer would have gone to bob.
#[tokio::test]
async fn reconnecting_within_grace_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(3));
    add_agent(dir.path(), "carol", &["general"], Role::Agent, Some(1));
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), timers(30, 2, LeavePolicy::Requeue)).await;
    // Bob is logged in but not online: he watches, and takes work only when told to.
    let mut bob = login_offline(&server, "bob").await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut alice, "alice").await;
    let (_c1, s1, _) = server.customer("one", None).await;
    assert_eq!(accept_next_offer(&mut alice).await, s1);
    let (_c2, s2, _) = server.customer("two", None).await;
    let mut carol = server.agent("carol").await;
    let (_c3, s3, _) = server.customer("three", None).await;
    assert_eq!(accept_next_offer(&mut carol).await, s3);
    let (_, snap) = events_until_snapshot(&mut alice).await;
    assert_eq!(
        (serving(&snap), offered(&snap)),
        (BTreeSet::from([s1]), BTreeSet::from([s2]))
    );

    let cursor = alice.cursor;
    alice.close().await;
    wait_connected(&mut bob, "alice", false).await;
    carol.close().await;
    wait_connected(&mut bob, "carol", false).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    alice
        .call("resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    wait_connected(&mut bob, "alice", true).await;
    bob.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();

    // Carol's grace period ends: her session is the only thing bob is offered.
    loop {
        match next_event(&mut bob).await {
            Event::Offer { session, .. } if session.id == s3 => break,
            Event::Offer { session, .. } => panic!("bob was offered {}", session.id),
            _ => {}
        }
    }
    let (late, snap) = events_until_snapshot(&mut bob).await;
    assert!(
        late.iter().all(|e| !matches!(e, Event::Offer { .. })),
        "{late:?}"
    );
    assert_eq!(offered(&snap), BTreeSet::from([s3]));
    // Alice still has both, is still online, and was told nothing had changed.
    let (events, snap) = events_until_snapshot(&mut alice).await;
    assert!(
        events.is_empty(),
        "{:?}",
        events.iter().map(brief).collect::<Vec<_>>()
    );
    assert_eq!(snap["agent"]["status"], "online");
    assert_eq!(
        (serving(&snap), offered(&snap)),
        (BTreeSet::from([s1]), BTreeSet::from([s2]))
    );
    alice
        .call("session.accept", json!({"session_id": s2}))
        .await
        .unwrap();
    server.stop().await;
}
