//! The customer's side of a conversation's end and what agents learn of it (issue 8,
//! SHARED_WIRE.md points 1, 3, 4, 5): the customer ends it themselves (`customer_left`, a
//! survey only if an agent had taken it), rates it with a comment agents can read, is told of
//! a transfer, and the page context they started with reaches the agent — within its limits.

mod common;

use common::*;
use kefu::model::{EndReason, Role, SessionState};
use kefu::protocol::{ErrorCode, Event, SessionContext, TranscriptReply};
use serde_json::json;

#[tokio::test]
async fn a_customer_who_leaves_a_queued_conversation_is_not_asked_for_a_rating() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (mut cust, session, _) = server.customer("c", None).await;
    // Only session_id: the agent's fields are refused, and nothing ends.
    let r = cust
        .call(
            "session.end",
            json!({"session_id": session, "outcome": "resolved"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Invalid);
    let r = cust
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(r, json!({"session_id": session}));
    let (_, ev) = cust
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    assert_eq!(
        ev,
        Event::SessionEnded {
            session_id: session,
            reason: EndReason::CustomerLeft,
            survey: false
        }
    );
    let db = open_db(dir.path());
    let reason: String = db
        .query_row(
            "SELECT end_reason FROM sessions WHERE id = ?1",
            [session],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reason, "customer_left");
    // Ended: a second end is refused, and so is someone else's session.
    let r = cust
        .call("session.end", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(r), ErrorCode::NotFound);
    let (_, other, _) = server.customer("d", None).await;
    let r = cust.call("session.end", json!({"session_id": other})).await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);
}

#[tokio::test]
async fn leaving_after_an_agent_answered_asks_for_stars_and_the_comment_reaches_agents() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sup", &[], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    cust.wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    cust.call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    let (_, ev) = cust
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    assert!(
        matches!(
            ev,
            Event::SessionEnded {
                reason: EndReason::CustomerLeft,
                survey: true,
                ..
            }
        ),
        "{ev:?}"
    );
    // The agent sees it ended by the customer.
    let (_, ev) = alice
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Session { session: s } if s.state == SessionState::Ended),
        )
        .await
        .unwrap();
    let Event::Session { session: view } = ev else {
        unreachable!()
    };
    assert_eq!(view.end_reason, Some(EndReason::CustomerLeft));

    // A comment over 1000 characters (after trimming) is refused and nothing is stored.
    let long = format!("  {}  ", "好".repeat(1001));
    let r = cust
        .call(
            "session.rate",
            json!({"session_id": session, "stars": 4, "comment": long}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Invalid);
    let comment = format!("  {}  ", "好".repeat(1000));
    cust.call(
        "session.rate",
        json!({"session_id": session, "stars": 4, "comment": comment}),
    )
    .await
    .unwrap();
    // A supervisor reads the ended conversation (the agent no longer serves it).
    let mut sup = server.agent("sup").await;
    let t: TranscriptReply = serde_json::from_value(
        sup.call("session.transcript", json!({"session_id": session}))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(t.session.csat, Some(4));
    assert_eq!(t.session.csat_comment, Some("好".repeat(1000)));
}

#[tokio::test]
async fn the_customer_is_told_of_a_transfer_before_the_next_agent_joins() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, token) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let mut bob = server.agent("bob").await;
    alice
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"agent": "bob"}}),
        )
        .await
        .unwrap();
    accept_next_offer(&mut bob).await;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let (_, ev) = cust
            .wait_event(WAIT, |e| {
                matches!(e, Event::AgentJoined { .. } | Event::Transferred { .. })
            })
            .await
            .unwrap();
        seen.push(ev);
    }
    assert!(
        matches!(&seen[0], Event::AgentJoined { agent_name, .. } if agent_name.contains("alice")),
        "{seen:?}"
    );
    assert_eq!(
        seen[1],
        Event::Transferred {
            session_id: session
        }
    );
    assert!(
        matches!(&seen[2], Event::AgentJoined { agent_name, .. } if agent_name.contains("bob")),
        "{seen:?}"
    );
    // Durable: a resume from cursor 0 replays it.
    let mut again = kefu::client::Client::connect(&server.url("customer"))
        .await
        .unwrap();
    again
        .call("customer.resume", json!({"token": token, "cursor": 0}))
        .await
        .unwrap();
    again
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Transferred { session_id } if *session_id == session),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_start_context_reaches_the_agent_and_bad_context_is_refused_by_field() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let url = server.url("customer");
    let mut c = kefu::client::Client::connect(&url).await.unwrap();
    for (context, says) in [
        (json!({"page_url": "x".repeat(2049)}), "context.page_url"),
        (
            json!({"user_agent": "Mozilla\u{0007}"}),
            "context.user_agent",
        ),
        (json!({"device": "d".repeat(129)}), "context.device"),
        (json!({"page": "https://x"}), "page"),
    ] {
        let r = c
            .call(
                "customer.start",
                json!({"channel": "web", "context": context}),
            )
            .await;
        match r {
            Err(kefu::client::ClientError::Api(e)) => {
                assert_eq!(e.code, ErrorCode::Invalid, "{context}");
                assert!(e.message.contains(says), "{context}: {}", e.message);
            }
            other => panic!("{context}: expected invalid, got {other:?}"),
        }
    }
    let context = SessionContext {
        page_url: Some("https://shop.example.com/item/7?ref=ad".into()),
        referrer: Some("https://search.example.com/".into()),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)".into()),
        app_version: None,
        device: Some("".into()), // empty counts as absent
    };
    let r = c
        .call(
            "customer.start",
            json!({"channel": "web", "nickname": "ctx", "context": context}),
        )
        .await
        .unwrap();
    let session = r["session_id"].as_i64().unwrap();
    let (_, ev) = alice
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer { session: view, .. } = ev else {
        unreachable!()
    };
    assert_eq!(view.id, session);
    let expected = SessionContext {
        device: None,
        ..context
    };
    assert_eq!(view.context, Some(expected.clone()));
    // Stored: the transcript (read from the database) has it too.
    alice
        .call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();
    let t: TranscriptReply = serde_json::from_value(
        alice
            .call("session.transcript", json!({"session_id": session}))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(t.session.context, Some(expected));
}
