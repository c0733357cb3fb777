//! The whole life of a conversation over real WebSockets: start, queue, offer, accept, chat,
//! transfer with a note, accept by another agent, tag, end, rate.

mod common;
use common::*;
use kefu::model::{EndReason, Role, SessionState};
use kefu::protocol::Event;
use serde_json::json;

#[tokio::test]
async fn a_conversation_from_start_to_rating() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_groups(&["presales", "aftersales"]);
    add_agent(dir.path(), "alice", &["presales"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["aftersales"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config).await;

    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    let (mut cust, session, _token) = server.customer("小明", Some("presales")).await;

    // Offered to alice (the only presales agent), accepted.
    let (_, ev) = alice
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer {
        session: offered,
        expires_at,
        ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!(offered.id, session);
    assert_eq!(offered.customer.nickname, "小明");
    assert!(expires_at > offered.created_at);
    let r = alice
        .call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(r["session"]["state"], "active");
    cust.wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();

    // Chat both ways.
    let ack = cust
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "c1", "body": "我的订单还没到"}),
        )
        .await
        .unwrap();
    assert_eq!(ack["seq"], 1);
    let m = wait_message(&mut alice, "我的订单还没到").await;
    assert_eq!((m.seq, m.author_name.as_str()), (1, "小明"));
    alice
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1", "body": "请提供订单号"}),
        )
        .await
        .unwrap();
    let m = wait_message(&mut cust, "请提供订单号").await;
    assert_eq!(m.seq, 2);

    // Transfer to aftersales with a note: alice loses it, bob is offered it with the note.
    alice
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"group": "aftersales"}, "note": "needs a refund"}),
        )
        .await
        .unwrap();
    alice
        .wait_event(WAIT, |e| matches!(e, Event::SessionRemoved { session_id, reason } if *session_id == session && *reason == kefu::protocol::RemovedReason::Transferred))
        .await
        .unwrap();
    let (_, ev) = bob
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer {
        transfer_note,
        transferred_by,
        ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!(transfer_note.as_deref(), Some("needs a refund"));
    assert_eq!(transferred_by.as_deref(), Some("Agent alice"));
    bob.call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();

    // Alice can no longer act on it.
    let r = alice
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a2", "body": "still here?"}),
        )
        .await;
    assert_eq!(api_code(r), kefu::protocol::ErrorCode::Forbidden);

    // Bob sees the whole history, tags, ends.
    let t = bob
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    let bodies: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["我的订单还没到", "请提供订单号"]);
    let r = bob
        .call(
            "session.tag",
            json!({"session_id": session, "add": ["物流问题-已解决", "refund"]}),
        )
        .await
        .unwrap();
    assert_eq!(r["tags"], json!(["物流问题-已解决", "refund"]));
    bob.call(
        "session.follow_up",
        json!({"session_id": session, "pending": true}),
    )
    .await
    .unwrap();
    bob.call(
        "session.end",
        json!({"session_id": session, "closing_message": "还有什么可以帮您？", "outcome": "resolved"}),
    )
    .await
    .unwrap();
    wait_message(&mut cust, "还有什么可以帮您？").await;
    let (_, ev) = cust
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    assert_eq!(
        ev,
        Event::SessionEnded {
            session_id: session,
            reason: EndReason::Resolved,
            survey: true
        }
    );

    // The customer rates 4; a second rating is refused.
    let r = cust
        .call("session.rate", json!({"session_id": session, "stars": 4}))
        .await
        .unwrap();
    assert_eq!(r["stars"], 4);
    let again = cust
        .call("session.rate", json!({"session_id": session, "stars": 5}))
        .await;
    assert_eq!(api_code(again), kefu::protocol::ErrorCode::Conflict);

    // The stored session has everything.
    let p = bob.call("snapshot", json!({})).await.unwrap();
    assert_eq!(
        p["sessions"],
        json!([]),
        "ended sessions leave the agent's list"
    );
    server.stop().await;
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let mut stored = None;
    kefu::store::Store::transaction(&mut store, &mut |tx| {
        stored = tx.session(session)?;
        Ok(())
    })
    .unwrap();
    let s = stored.unwrap();
    assert_eq!(s.state, SessionState::Ended);
    assert_eq!(s.csat, Some(4));
    assert_eq!(s.group, "aftersales");
    assert_eq!(s.tags, vec!["物流问题-已解决".to_string(), "refund".into()]);
    assert!(s.follow_up);
    assert_eq!(s.last_seq, 3);
    assert!(s.first_human_reply_at.is_some() && s.accepted_at.is_some() && s.ended_at.is_some());
}

#[tokio::test]
async fn first_login_forces_a_password_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let (_, initial) = kefu::admin::add_agent(
        &mut store,
        kefu::admin::NewAgent {
            username: "newbie".into(),
            display_name: "New".into(),
            employee_no: Some("E001".into()),
            contact: None,
            role: Role::Agent,
            groups: vec!["general".into()],
            max_sessions: None,
        },
    )
    .unwrap();
    drop(store);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut c = kefu::client::Client::connect(&server.url("agent"))
        .await
        .unwrap();
    let bad = c
        .call("login", json!({"username": "newbie", "password": "wrong"}))
        .await;
    assert_eq!(api_code(bad), kefu::protocol::ErrorCode::Unauthorized);
    let nobody = c
        .call("login", json!({"username": "nobody", "password": "wrong"}))
        .await;
    assert_eq!(api_code(nobody), kefu::protocol::ErrorCode::Unauthorized);
    let r = c
        .call("login", json!({"username": "newbie", "password": initial}))
        .await
        .unwrap();
    assert_eq!(r["must_change_password"], true);
    let blocked = c.call("status.set", json!({"status": "online"})).await;
    assert_eq!(api_code(blocked), kefu::protocol::ErrorCode::Forbidden);
    let weak = c
        .call(
            "change_password",
            json!({"old_password": initial, "new_password": "weak"}),
        )
        .await;
    assert_eq!(api_code(weak), kefu::protocol::ErrorCode::Invalid);
    let r = c
        .call(
            "change_password",
            json!({"old_password": initial, "new_password": "Better-pass-42"}),
        )
        .await
        .unwrap();
    let token = r["token"].as_str().unwrap().to_string();
    c.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    // The new token resumes on another connection.
    let mut other = kefu::client::Client::connect(&server.url("agent"))
        .await
        .unwrap();
    let r = other.call("resume", json!({"token": token})).await.unwrap();
    assert_eq!(r["agent"]["username"], "newbie");
    server.stop().await;
}
