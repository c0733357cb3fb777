//! The supervisor's live view over the wire (issue 11): a scripted day with a real server —
//! customers arrive in two groups, agents answer some within the service-level threshold and
//! some past it, an offer is missed, a supervisor changes a status and takes conversations
//! over — and the dashboard's numbers are checked in the reply and in the frames. Frames are
//! coalesced and never sent without a change; plain agents are refused; a restart keeps the
//! arrivals.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::{AgentStatus, Role};
use kefu::protocol::{
    DashAgent, DashQueue, DashboardView, ErrorCode, Event, RemovedReason, ServerFrame,
    StatusReason, WithdrawnReason,
};
use serde_json::json;
use std::time::Duration;

fn config() -> kefu::config::ServerConfig {
    let mut c = config_with_groups(&["sales", "support"]);
    // Small enough to cross within a test without long sleeps.
    c.dashboard.service_level_secs = 1;
    c.routing.offer_timeout_secs = 1;
    c.routing.max_missed_offers = 5;
    c
}

fn queue<'a>(v: &'a DashboardView, group: &str) -> &'a DashQueue {
    v.queues
        .iter()
        .find(|q| q.group == group)
        .unwrap_or_else(|| panic!("no queue {group} in {v:?}"))
}

fn agent<'a>(v: &'a DashboardView, username: &str) -> &'a DashAgent {
    v.agents
        .iter()
        .find(|a| a.username == username)
        .unwrap_or_else(|| panic!("no agent {username} in {v:?}"))
}

async fn watch(c: &mut Client) -> DashboardView {
    let r = c
        .call("dashboard.watch", json!({"on": true}))
        .await
        .unwrap();
    serde_json::from_value(r).unwrap()
}

/// Waits for a `dashboard` frame matching `pred` (other frames are dropped).
async fn wait_dash(
    c: &mut Client,
    what: &str,
    pred: impl Fn(&DashboardView) -> bool,
) -> DashboardView {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = None;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match c.next_frame(left).await {
            Ok(ServerFrame::Dashboard(v)) => {
                if pred(&v) {
                    return *v;
                }
                last = Some(v);
            }
            Ok(_) => {}
            Err(e) => panic!("waiting for a dashboard frame with {what}: {e}; last {last:?}"),
        }
    }
}

fn refusal(r: Result<serde_json::Value, kefu::client::ClientError>) -> (ErrorCode, String) {
    match r {
        Err(kefu::client::ClientError::Api(e)) => (e.code, e.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_scripted_day_shows_on_the_dashboard_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let alice_id = add_agent(dir.path(), "alice", &["sales"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["support"], Role::Agent, None);
    add_agent(dir.path(), "carl", &["support"], Role::Agent, None);
    // Capacity 1: a take-over goes above it.
    add_agent(dir.path(), "sue", &[], Role::Supervisor, Some(1));
    let server = TestServer::start(dir.path(), config()).await;

    let mut sue = server.agent("sue").await;
    let v = watch(&mut sue).await;
    assert_eq!(v.service_level_secs, 1);
    assert_eq!(v.service_level, None);
    assert_eq!(queue(&v, "sales").waiting, 0);
    assert_eq!(queue(&v, "sales").arrivals_5min.len(), 12);
    assert!(!agent(&v, "alice").connected);

    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    let v = wait_dash(&mut sue, "alice and bob online", |v| {
        queue(v, "sales").agents_online == 1 && queue(v, "support").agents_online == 1
    })
    .await;
    assert_eq!(agent(&v, "alice").status, AgentStatus::Online);
    assert!(agent(&v, "bob").connected);

    // Sales: answered at once (within the threshold).
    let (mut c1, s1, _) = server.customer("顾客一", Some("sales")).await;
    assert_eq!(accept_next_offer(&mut alice).await, s1);
    // Support: bob lets the first offer time out (a missed offer), accepts the next one, past
    // the threshold.
    let (mut c2, s2, _) = server.customer("customer two", Some("support")).await;
    wait_offer(&mut bob, s2).await;
    bob.wait_event(WAIT, |e| {
        matches!(
            e,
            Event::OfferWithdrawn {
                reason: WithdrawnReason::Timeout,
                ..
            }
        )
    })
    .await
    .unwrap();
    wait_offer(&mut bob, s2).await;
    bob.call("session.accept", json!({"session_id": s2}))
        .await
        .unwrap();

    let v = wait_dash(&mut sue, "both answered", |v| {
        agent(v, "bob").active == 1 && agent(v, "alice").active == 1
    })
    .await;
    assert_eq!(queue(&v, "sales").service_level, Some(1.0));
    assert_eq!(queue(&v, "support").service_level, Some(0.0));
    assert_eq!(v.service_level, Some(0.5));
    assert_eq!(agent(&v, "bob").missed_offers, 1);
    assert_eq!(agent(&v, "alice").missed_offers, 0);
    assert_eq!(queue(&v, "sales").arrivals_last_hour, 1);
    assert_eq!(queue(&v, "support").arrivals_last_hour, 1);
    assert_eq!(queue(&v, "sales").arrivals_5min.iter().sum::<u32>(), 1);
    let a = agent(&v, "alice");
    assert_eq!(a.sessions.len(), 1);
    assert_eq!(a.sessions[0].session_id, s1);
    assert_eq!(a.sessions[0].customer, "顾客一");
    assert_eq!(a.capacity, 5);

    // A plain agent may not watch, set statuses or take over.
    let mut carl = server.agent("carl").await;
    for (kind, fields) in [
        ("dashboard.watch", json!({"on": true})),
        (
            "agent.set_status",
            json!({"agent_id": alice_id, "status": "busy"}),
        ),
        ("session.take_over", json!({"session_id": s1})),
    ] {
        let (code, message) = refusal(carl.call(kind, fields).await);
        assert_eq!(code, ErrorCode::Forbidden, "{kind}");
        assert!(message.contains("supervisors"), "{message}");
    }

    // The supervisor sets alice busy: she is told it was a supervisor; the dashboard shows it.
    let before = agent(&v, "alice").status_since;
    sue.call(
        "agent.set_status",
        json!({"agent_id": alice_id, "status": "busy"}),
    )
    .await
    .unwrap();
    alice
        .wait_event(WAIT, |e| {
            matches!(
                e,
                Event::Status {
                    status: AgentStatus::Busy,
                    reason: Some(StatusReason::Supervisor)
                }
            )
        })
        .await
        .unwrap();
    let v = wait_dash(&mut sue, "alice busy", |v| {
        agent(v, "alice").status == AgentStatus::Busy
    })
    .await;
    assert!(agent(&v, "alice").status_since >= before);
    assert_eq!(queue(&v, "sales").agents_online, 0);
    let (code, _) = refusal(
        sue.call(
            "agent.set_status",
            json!({"agent_id": 9999, "status": "busy"}),
        )
        .await,
    );
    assert_eq!(code, ErrorCode::NotFound);

    // Nobody takes sales now: a customer waits there.
    let (mut c3, s3, _) = server.customer("customer three", Some("sales")).await;
    let v = wait_dash(&mut sue, "one waiting in sales", |v| {
        queue(v, "sales").waiting == 1
    })
    .await;
    let q = queue(&v, "sales");
    assert!(q.oldest_since.is_some_and(|t| t <= v.at));
    assert_eq!(q.arrivals_last_hour, 2);

    // The supervisor takes the waiting one over, then alice's (above her capacity of 1).
    sue.call("session.take_over", json!({"session_id": s3}))
        .await
        .unwrap();
    c3.wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    sue.call("session.take_over", json!({"session_id": s1}))
        .await
        .unwrap();
    alice
        .wait_event(WAIT, |e| {
            matches!(
                e,
                Event::SessionRemoved { session_id, reason: RemovedReason::TakenOver } if *session_id == s1
            )
        })
        .await
        .unwrap();
    c1.wait_event(
        WAIT,
        |e| matches!(e, Event::AgentJoined { agent_name, .. } if agent_name == "Agent sue"),
    )
    .await
    .unwrap();
    let v = wait_dash(&mut sue, "sue serves two", |v| agent(v, "sue").active == 2).await;
    assert_eq!(agent(&v, "alice").active, 0);
    assert_eq!(queue(&v, "sales").waiting, 0);
    // Sue serves it now: her message reaches the customer.
    sue.call(
        "message.send",
        json!({"session_id": s1, "client_msg_id": "sue-1", "body": "我来处理"}),
    )
    .await
    .unwrap();
    wait_message(&mut c1, "我来处理").await;
    // Refusals: already hers, and an unknown (or ended) conversation.
    let (code, message) = refusal(
        sue.call("session.take_over", json!({"session_id": s1}))
            .await,
    );
    assert_eq!(code, ErrorCode::Conflict);
    assert!(message.contains("already yours"), "{message}");
    let (code, message) = refusal(
        sue.call("session.take_over", json!({"session_id": 9999}))
            .await,
    );
    assert_eq!(code, ErrorCode::NotFound);
    assert!(message.contains("not open"), "{message}");

    // Watching bob's conversation read-only: its messages reach the supervisor live (before
    // she follows it they do not); a conversation that is not open cannot be followed.
    c2.call(
        "message.send",
        json!({"session_id": s2, "client_msg_id": "c2-0", "body": "before following"}),
    )
    .await
    .unwrap();
    sue.call("dashboard.watch", json!({"on": true, "session_id": s2}))
        .await
        .unwrap();
    c2.call(
        "message.send",
        json!({"session_id": s2, "client_msg_id": "c2-1", "body": "还在吗"}),
    )
    .await
    .unwrap();
    bob.call(
        "message.send",
        json!({"session_id": s2, "client_msg_id": "b-1", "body": "在的"}),
    )
    .await
    .unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let (_, e) = sue
            .wait_event(
                WAIT,
                |e| matches!(e, Event::Message { message } if message.session_id == s2),
            )
            .await
            .unwrap();
        if let Event::Message { message } = e {
            seen.push(message.body);
        }
    }
    assert_eq!(seen, ["还在吗", "在的"]);
    let (code, _) = refusal(
        sue.call("dashboard.watch", json!({"on": true, "session_id": 9999}))
            .await,
    );
    assert_eq!(code, ErrorCode::NotFound);

    let before_restart = watch(&mut sue).await;
    server.stop().await;

    // Recorded as transfers: by the supervisor, to the supervisor.
    let mut store = kefu::server::open_store(dir.path(), &config()).unwrap();
    let mut records = Vec::new();
    store
        .transaction(&mut |tx| {
            records = tx.transfers_of(s1)?;
            Ok(())
        })
        .unwrap();
    drop(store);
    let sue_id = agent(&before_restart, "sue").id;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].by_agent, Some(sue_id));
    assert_eq!(records[0].to_agent, Some(sue_id));
    assert_eq!(records[0].from_agent, Some(alice_id));

    // After a restart the last hour's arrivals and today's missed offers are still there.
    let server = TestServer::start(dir.path(), config()).await;
    let mut sue = server.agent("sue").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let v = loop {
        let v = watch(&mut sue).await;
        // The seed is read off the hub just after start-up.
        if queue(&v, "sales").arrivals_last_hour > 0 || tokio::time::Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for g in ["sales", "support"] {
        assert_eq!(
            queue(&v, g).arrivals_last_hour,
            queue(&before_restart, g).arrivals_last_hour,
            "{g}"
        );
        assert_eq!(
            queue(&v, g).arrivals_5min.iter().sum::<u32>(),
            queue(&before_restart, g).arrivals_last_hour
        );
    }
    assert_eq!(agent(&v, "bob").missed_offers, 1);
    assert_eq!(queue(&v, "support").service_level, Some(0.0));
    assert!(v.service_level.is_some());
    server.stop().await;
}

#[tokio::test]
async fn frames_are_coalesced_and_never_sent_without_a_change() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "sue", &[], Role::Supervisor, None);
    let mut c = config_with_groups(&["sales"]);
    // Nobody crosses it during the test: waiting customers change nothing by waiting.
    c.dashboard.service_level_secs = 600;
    let server = TestServer::start(dir.path(), c).await;
    let mut sue = server.agent("sue").await;
    let v = watch(&mut sue).await;
    assert_eq!(queue(&v, "sales").waiting, 0);

    // A burst of 20 arrivals.
    let started = tokio::time::Instant::now();
    let mut customers = Vec::new();
    for i in 0..20 {
        customers.push(server.customer(&format!("c{i}"), Some("sales")).await);
    }
    let mut frames = 0;
    loop {
        match sue.next_frame(WAIT).await.unwrap() {
            ServerFrame::Dashboard(v) => {
                frames += 1;
                if queue(&v, "sales").waiting == 20 {
                    assert_eq!(queue(&v, "sales").arrivals_last_hour, 20);
                    break;
                }
            }
            _ => continue,
        }
    }
    let took = started.elapsed();
    // At most one frame per 500 ms (plus the first).
    let bound = took.as_millis() / 500 + 2;
    assert!(
        frames as u128 <= bound,
        "{frames} frames in {took:?} (bound {bound})"
    );
    assert!(frames < 20, "{frames} frames for 20 arrivals");

    // Nothing changes: no frame.
    match sue.next_frame(Duration::from_millis(1500)).await {
        Err(kefu::client::ClientError::Timeout) => {}
        Ok(ServerFrame::Dashboard(v)) => panic!("a frame without a change: {v:?}"),
        other => panic!("unexpected {other:?}"),
    }
    // One change (a customer leaves): a frame. Then unwatching stops them.
    let (mut c, s, _) = customers.pop().unwrap();
    c.call("session.end", json!({"session_id": s}))
        .await
        .unwrap();
    let v = wait_dash(&mut sue, "19 waiting", |v| queue(v, "sales").waiting == 19).await;
    assert_eq!(queue(&v, "sales").arrivals_last_hour, 20);
    sue.call("dashboard.watch", json!({"on": false}))
        .await
        .unwrap();
    let (mut c, s, _) = customers.pop().unwrap();
    c.call("session.end", json!({"session_id": s}))
        .await
        .unwrap();
    match sue.next_frame(Duration::from_millis(1500)).await {
        Err(kefu::client::ClientError::Timeout) => {}
        Ok(ServerFrame::Dashboard(v)) => panic!("a frame after unwatching: {v:?}"),
        Ok(_) => {}
        Err(e) => panic!("{e}"),
    }
    server.stop().await;
}

#[tokio::test]
async fn take_over_withdraws_an_offer_and_takes_a_customer_from_the_bot() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_with_groups(&["general", "botty"]);
    config.groups[1].bot = Some(true);
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sue", &[], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let mut sue = server.agent("sue").await;

    // On offer to alice: the offer is withdrawn (reassigned) and the conversation is sue's.
    let (mut c1, s1, _) = server.customer("offered", Some("general")).await;
    wait_offer(&mut alice, s1).await;
    sue.call("session.take_over", json!({"session_id": s1}))
        .await
        .unwrap();
    alice
        .wait_event(WAIT, |e| {
            matches!(e, Event::OfferWithdrawn { session_id, reason: WithdrawnReason::Reassigned } if *session_id == s1)
        })
        .await
        .unwrap();
    c1.wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    let accepted = alice
        .call("session.accept", json!({"session_id": s1}))
        .await;
    assert!(accepted.is_err(), "alice could still accept: {accepted:?}");

    // With the bot: handed off and taken, the customer is told an agent joined.
    let (mut c2, s2, _) = server.customer("with bot", Some("botty")).await;
    sue.call("session.take_over", json!({"session_id": s2}))
        .await
        .unwrap();
    c2.wait_event(
        WAIT,
        |e| matches!(e, Event::AgentJoined { session_id, .. } if *session_id == s2),
    )
    .await
    .unwrap();
    let v = watch(&mut sue).await;
    let sessions: Vec<i64> = agent(&v, "sue")
        .sessions
        .iter()
        .map(|s| s.session_id)
        .collect();
    assert_eq!(sessions, [s1, s2]);
    assert_eq!(agent(&v, "alice").active, 0);
    assert_eq!(queue(&v, "botty").waiting, 0);
    // She serves both: her messages reach each customer.
    for (c, s) in [(&mut c1, s1), (&mut c2, s2)] {
        sue.call(
            "message.send",
            json!({"session_id": s, "client_msg_id": format!("sue-{s}"), "body": format!("hi {s}")}),
        )
        .await
        .unwrap();
        wait_message(c, &format!("hi {s}")).await;
    }
    server.stop().await;
}
