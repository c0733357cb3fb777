//! Routing under real connections: a burst of sessions against many agents, offer timeouts,
//! idempotent sends, and resuming after a disconnect.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_sessions_twenty_agents_capacity_five() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20 {
        add_agent(
            dir.path(),
            &format!("a{i}"),
            &["general"],
            Role::Agent,
            Some(5),
        );
    }
    // 200 customers from one address: the per-address quotas are not what this tests.
    let mut config = kefu::config::ServerConfig::default();
    config.quotas.open_per_address = 0;
    config.quotas.new_per_address_per_minute = 0;
    let server = TestServer::start(dir.path(), config).await;
    let mut agents = Vec::new();
    for i in 0..20 {
        agents.push(server.agent(&format!("a{i}")).await);
    }
    // Agents accept everything they are offered, racing each other; an agent who reaches
    // capacity ends their oldest session, so the queue drains through full agents.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, i64)>();
    let mut tasks = Vec::new();
    for (i, mut a) in agents.into_iter().enumerate() {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            let mut active = std::collections::VecDeque::new();
            let mut most = 0;
            loop {
                match a
                    .wait_event(Duration::from_secs(3), |e| matches!(e, Event::Offer { .. }))
                    .await
                {
                    Ok((_, Event::Offer { session, .. })) => {
                        assert!(
                            active.len() < 5,
                            "offered a 6th session while holding {active:?}"
                        );
                        a.call("session.accept", json!({"session_id": session.id}))
                            .await
                            .unwrap();
                        active.push_back(session.id);
                        most = most.max(active.len());
                        let _ = tx.send((i, session.id));
                        if active.len() == 5 {
                            let oldest = active.pop_front().unwrap();
                            a.call("session.end", json!({"session_id": oldest}))
                                .await
                                .unwrap();
                        }
                    }
                    _ => return (a, most),
                }
            }
        }));
    }
    drop(tx);
    // 200 customers within about a second.
    let started = std::time::Instant::now();
    let mut customers = Vec::new();
    let mut starts = Vec::new();
    for n in 0..200 {
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
    for s in starts {
        customers.push(s.await.unwrap());
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "starting 200 took {:?}",
        started.elapsed()
    );

    let mut owner: HashMap<i64, usize> = HashMap::new();
    let mut per_agent = vec![0usize; 20];
    while owner.len() < 200 {
        let Some((agent, session)) = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("all assigned in time")
        else {
            panic!(
                "agents stopped after {} of 200 sessions: {per_agent:?}",
                owner.len()
            )
        };
        assert!(
            owner.insert(session, agent).is_none(),
            "session {session} accepted twice"
        );
        per_agent[agent] += 1;
    }
    assert_eq!(per_agent.iter().sum::<usize>(), 200);
    let ids: HashSet<i64> = customers.iter().map(|c| c.1).collect();
    assert_eq!(ids, owner.keys().copied().collect::<HashSet<_>>());
    for t in tasks {
        let (mut a, most) = t.await.unwrap();
        assert_eq!(most, 5, "every agent was filled to capacity at some point");
        let snap = a.call("snapshot", json!({})).await.unwrap();
        assert!(snap["sessions"].as_array().unwrap().len() <= 5);
        assert_eq!(snap["queues"][0]["waiting"], 0);
    }
    server.stop().await;
}

#[tokio::test]
async fn an_ignored_offer_moves_to_the_next_agent() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "sleepy", &["general"], Role::Agent, None);
    add_agent(dir.path(), "keen", &["general"], Role::Agent, None);
    let mut config = kefu::config::ServerConfig::default();
    config.routing.offer_timeout_secs = 1;
    let server = TestServer::start(dir.path(), config).await;
    let mut sleepy = server.agent("sleepy").await;
    let (_cust, session, _) = server.customer("c", None).await;
    sleepy
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Offer { session: s, .. } if s.id == session),
        )
        .await
        .unwrap();
    let mut keen = server.agent("keen").await;
    let (_, ev) = sleepy
        .wait_event(WAIT, |e| matches!(e, Event::OfferWithdrawn { .. }))
        .await
        .unwrap();
    assert_eq!(
        ev,
        Event::OfferWithdrawn {
            session_id: session,
            reason: kefu::protocol::WithdrawnReason::Timeout
        }
    );
    let got = accept_next_offer(&mut keen).await;
    assert_eq!(got, session);
    let late = sleepy
        .call("session.accept", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(late), kefu::protocol::ErrorCode::Conflict);
    server.stop().await;
}

#[tokio::test]
async fn a_retried_send_is_stored_once_with_the_same_ack() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let send = json!({"session_id": session, "client_msg_id": "same", "body": "hello"});
    let first = cust.call("message.send", send.clone()).await.unwrap();
    let second = cust.call("message.send", send).await.unwrap();
    assert_eq!(first, second);
    let t = alice
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(t["messages"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn resume_after_disconnect_gets_everything_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut alice, "alice").await;
    let (mut cust, session, ctoken) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "m0", "body": "m0"}),
    )
    .await
    .unwrap();
    wait_message(&mut alice, "m0").await;
    let cursor = alice.cursor;
    alice.close().await;

    // While alice is away, 30 messages arrive.
    for i in 1..=30 {
        cust.call("message.send", json!({"session_id": session, "client_msg_id": format!("m{i}"), "body": format!("m{i}")}))
            .await
            .unwrap();
    }
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    alice
        .call("resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    // And one more arrives live right after the resume.
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "m31", "body": "m31"}),
    )
    .await
    .unwrap();
    let mut seen = Vec::new();
    let mut cursors = Vec::new();
    while seen.len() < 31 {
        match alice.next_frame(WAIT).await.unwrap() {
            ServerFrame::Event {
                cursor,
                event: Event::Message { message },
            } => {
                cursors.push(cursor);
                seen.push(message.seq);
            }
            ServerFrame::Event { cursor, .. } => cursors.push(cursor),
            _ => {}
        }
    }
    assert_eq!(
        seen,
        (2..=32).collect::<Vec<i64>>(),
        "every missed message once, in order"
    );
    assert!(
        cursors.windows(2).all(|w| w[0] < w[1]),
        "cursors strictly increase: {cursors:?}"
    );
    // Nothing more (no duplicates) arrives.
    if let Ok(ServerFrame::Event {
        event: Event::Message { message },
        ..
    }) = alice.next_frame(Duration::from_millis(300)).await
    {
        panic!("duplicate {message:?}");
    }

    // The customer side resumes the same way; a cursor from the future gets `reload`.
    let mut c2 = Client::connect(&server.url("customer")).await.unwrap();
    let r = c2
        .call("customer.resume", json!({"token": ctoken, "cursor": 0}))
        .await
        .unwrap();
    assert_eq!(r["session_id"], session);
    let mut count = 0;
    while count < 32 {
        if let ServerFrame::Event {
            event: Event::Message { .. },
            ..
        } = c2.next_frame(WAIT).await.unwrap()
        {
            count += 1;
        }
    }
    let mut c3 = Client::connect(&server.url("customer")).await.unwrap();
    c3.call(
        "customer.resume",
        json!({"token": ctoken, "cursor": 1_000_000}),
    )
    .await
    .unwrap();
    let f = c3.next_frame(WAIT).await.unwrap();
    assert!(matches!(f, ServerFrame::Reload { .. }), "{f:?}");
    server.stop().await;
}

#[tokio::test]
async fn transfer_to_a_named_agent_detaches_the_old_one_at_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    add_agent(dir.path(), "carol", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    // Whoever gets it first accepts; the other two wait.
    let mut bob = server.agent("bob").await;
    let mut carol = server.agent("carol").await;
    accept_next_offer(&mut alice).await;
    alice
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"agent": "bob"}, "note": "yours"}),
        )
        .await
        .unwrap();
    let (_, offer) = bob
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer { session: view, .. } = offer else {
        unreachable!()
    };
    assert_eq!(
        view.assignee, None,
        "nobody serves it while the offer is open"
    );
    // The old agent is out at once: no writing, no customer messages.
    let r = alice
        .call("session.tag", json!({"session_id": session, "add": ["x"]}))
        .await;
    assert_eq!(api_code(r), kefu::protocol::ErrorCode::Forbidden);
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "q", "body": "hello?"}),
    )
    .await
    .unwrap();
    // Bob declines: it goes to carol, not back to alice.
    bob.call("session.reject", json!({"session_id": session}))
        .await
        .unwrap();
    let got = accept_next_offer(&mut carol).await;
    assert_eq!(got, session);
    while let Ok(frame) = alice.next_frame(Duration::from_millis(300)).await {
        if let ServerFrame::Event {
            event: Event::Message { message },
            ..
        } = frame
        {
            panic!("alice still receives messages: {message:?}");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn manual_pick_directory_and_typing_over_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_with_groups(&["vip"]);
    config.groups[0].strategy = kefu::model::Strategy::Manual;
    add_agent(dir.path(), "alice", &["vip"], Role::Agent, Some(2));
    add_agent(dir.path(), "bob", &["vip"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("vip customer", Some("vip")).await;
    // Manual groups make no offers: the session waits in the pickable queue.
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["offers"], json!([]));
    assert_eq!(snap["queued"][0]["id"], session);
    alice
        .call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();
    // Typing reaches the other side as an ephemeral frame (no cursor).
    cust.call("typing", json!({"session_id": session, "active": true}))
        .await
        .unwrap();
    loop {
        match alice.next_frame(WAIT).await.unwrap() {
            ServerFrame::Typing {
                session_id, active, ..
            } => {
                assert_eq!((session_id, active), (session, true));
                break;
            }
            _ => continue,
        }
    }
    // The directory shows agents with their load, for the transfer dialog.
    let d = alice.call("directory", json!({})).await.unwrap();
    let me = d["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "alice")
        .unwrap()
        .clone();
    assert_eq!(
        (me["active"].as_u64(), me["capacity"].as_u64()),
        (Some(1), Some(2))
    );
    let vip = d["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "vip")
        .unwrap()
        .clone();
    assert_eq!(vip["strategy"], "manual");
    server.stop().await;
}
