//! Pending follow-up with reminders over the wire (issue 10, S11): the reminder reaches the
//! assignee as a durable `follow_up_due` event, also when it fell due while the server was
//! down; the time is validated; unmarking or ending drops it; after a transfer it goes to
//! whoever serves the conversation then.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::{Role, now_ms};
use kefu::protocol::{ErrorCode, Event};
use serde_json::json;
use std::time::Duration;

/// Waits for the `follow_up_due` event of `session`; returns its cursor. Any other reminder
/// that fires first is collected in `others`.
async fn due(c: &mut Client, session: i64, others: &mut Vec<i64>) -> i64 {
    let (cursor, _) = c
        .wait_event(WAIT, |e| match e {
            Event::FollowUpDue { session_id } if *session_id == session => true,
            Event::FollowUpDue { session_id } => {
                others.push(*session_id);
                false
            }
            _ => false,
        })
        .await
        .unwrap_or_else(|e| panic!("no reminder for {session}: {e}"));
    cursor
}

async fn mark(c: &mut Client, session: i64, remind_at: Option<i64>) -> serde_json::Value {
    c.call(
        "session.follow_up",
        json!({"session_id": session, "pending": true, "remind_at": remind_at}),
    )
    .await
    .unwrap()
}

/// Waits (with a deadline) until the wall clock passes `at`.
async fn until_past(at: i64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while now_ms() <= at {
        assert!(tokio::time::Instant::now() < deadline, "clock stuck");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_reminder_fires_for_the_assignee_and_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (_c1, s1, _) = server.customer("c1", None).await;
    accept_next_offer(&mut alice).await;

    // Bad times are refused and change nothing.
    let now = now_ms();
    for (pending, at) in [
        (true, now - 1_000),
        (true, now + 91 * 24 * 3600 * 1000),
        (false, now + 60_000),
    ] {
        let r = alice
            .call(
                "session.follow_up",
                json!({"session_id": s1, "pending": pending, "remind_at": at}),
            )
            .await;
        assert_eq!(api_code(r), ErrorCode::Invalid, "{pending} {at}");
    }
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["sessions"][0]["follow_up"], false);
    // Someone else's conversation: forbidden.
    let mut bob = server.agent("bob").await;
    let r = bob
        .call(
            "session.follow_up",
            json!({"session_id": s1, "pending": true, "remind_at": now + 60_000}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);

    // A bare mark (no reminder) still works as before.
    let r = mark(&mut alice, s1, None).await;
    assert_eq!(r, json!({"follow_up": true}));

    let at = now_ms() + 800;
    let r = mark(&mut alice, s1, Some(at)).await;
    assert_eq!(r, json!({"follow_up": true, "follow_up_at": at}));
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["sessions"][0]["follow_up_at"], at);
    let mut others = Vec::new();
    due(&mut alice, s1, &mut others).await;
    assert!(now_ms() >= at, "fired early");
    // Fired: still marked, no reminder left.
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["sessions"][0]["follow_up"], true);
    assert!(snap["sessions"][0].get("follow_up_at").is_none(), "{snap}");
    server.stop().await;
}

#[tokio::test]
async fn unmarking_or_ending_drops_a_reminder() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(5));
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut sessions = Vec::new();
    let mut customers = Vec::new();
    for n in 0..3 {
        let (c, s, _) = server.customer(&format!("c{n}"), None).await;
        customers.push(c);
        assert_eq!(accept_next_offer(&mut alice).await, s);
        sessions.push(s);
    }
    let now = now_ms();
    // The first two are due before the third; one is unmarked, one ended.
    mark(&mut alice, sessions[0], Some(now + 400)).await;
    mark(&mut alice, sessions[1], Some(now + 500)).await;
    mark(&mut alice, sessions[2], Some(now + 1_500)).await;
    alice
        .call(
            "session.follow_up",
            json!({"session_id": sessions[0], "pending": false}),
        )
        .await
        .unwrap();
    alice
        .call("session.end", json!({"session_id": sessions[1]}))
        .await
        .unwrap();
    // Reminders fire in time order: by the third, the first two would have come.
    let mut others = Vec::new();
    due(&mut alice, sessions[2], &mut others).await;
    assert_eq!(others, Vec::<i64>::new(), "dropped reminders fired");
    server.stop().await;
}

#[tokio::test]
async fn after_a_transfer_the_reminder_goes_to_the_new_assignee() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (_c, s, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let mut bob = server.agent("bob").await;
    mark(&mut alice, s, Some(now_ms() + 1_000)).await;
    alice
        .call(
            "session.transfer",
            json!({"session_id": s, "to": {"agent": "bob"}, "note": "follow up at 3"}),
        )
        .await
        .unwrap();
    assert_eq!(accept_next_offer(&mut bob).await, s);
    let mut others = Vec::new();
    due(&mut bob, s, &mut others).await;
    // Alice's stream has no reminder (stored events are the record: read them all).
    let alice_id = alice.call("snapshot", json!({})).await.unwrap()["agent"]["id"]
        .as_i64()
        .unwrap();
    server.stop().await;
    let db = open_db(dir.path());
    let n: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM events WHERE agent_id = ?1 AND body LIKE '%follow_up_due%'",
            [alice_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "the reminder went to the previous agent");
}

#[tokio::test]
async fn a_reminder_due_while_the_server_was_down_fires_right_after_start() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let addr = server.addr.to_string();
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut alice, "alice").await;
    let (_c, s, _) = server.customer("c", None).await;
    let (s2, later) = {
        accept_next_offer(&mut alice).await;
        let (c2, s2, _) = server.customer("c2", None).await;
        accept_next_offer(&mut alice).await;
        (s2, c2)
    };
    let now = now_ms();
    let at = now + 600;
    mark(&mut alice, s, Some(at)).await;
    // This one is not due yet when the server comes back: it is re-armed and fires later.
    let at2 = now + 2_500;
    mark(&mut alice, s2, Some(at2)).await;
    let cursor = alice.cursor;
    drop(later);
    alice.close().await;
    server.stop().await;

    until_past(at).await;
    let server = TestServer::start_on(&addr, dir.path(), Default::default()).await;
    let mut again = Client::connect(&server.url("agent")).await.unwrap();
    again
        .call("resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    let mut others = Vec::new();
    due(&mut again, s, &mut others).await;
    let snap = again.call("snapshot", json!({})).await.unwrap();
    let views = snap["sessions"].as_array().unwrap();
    let v2 = views.iter().find(|v| v["id"] == s2).unwrap();
    assert_eq!(v2["follow_up_at"], at2, "the later reminder is kept");
    due(&mut again, s2, &mut others).await;
    assert!(now_ms() >= at2, "fired early");
    assert_eq!(others, Vec::<i64>::new());
    server.stop().await;
}
