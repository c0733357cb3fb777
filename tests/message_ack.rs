//! `message.send` on the wire: the sending connection gets the ack, carrying its event's
//! cursor, instead of a copy of its own event; every other connection of the same author still
//! gets the event live, and a resume replays it to the sender too. A supervisor writing into
//! someone else's session has no event in its stream, so its ack has no cursor.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;

/// The message events `c` has received so far. A request round trip on `c` first: whatever the
/// server sent `c` because of earlier requests (on any connection) comes before its reply.
async fn message_events(c: &mut Client, session: i64) -> Vec<(i64, String)> {
    c.call("typing", json!({"session_id": session, "active": false}))
        .await
        .unwrap();
    c.pending
        .drain(..)
        .filter_map(|f| match f {
            ServerFrame::Event {
                cursor,
                event: Event::Message { message },
            } => Some((cursor, message.body)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_sender_gets_the_ack_with_its_cursor_and_its_other_connections_the_event() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sue", &["other"], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut alice2 = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut alice2, "alice").await;
    let (mut cust, session, ctoken) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let (joined, _) = cust
        .wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    let mut cust2 = Client::connect(&server.url("customer")).await.unwrap();
    cust2
        .call(
            "customer.resume",
            json!({"token": ctoken, "cursor": joined}),
        )
        .await
        .unwrap();
    message_events(&mut alice, session).await;
    message_events(&mut alice2, session).await;

    // The customer writes on one connection.
    let say = |id: &str| json!({"session_id": session, "client_msg_id": id, "body": id});
    let ack = cust.call("message.send", say("hi")).await.unwrap();
    let c_cursor = ack["cursor"]
        .as_i64()
        .expect("a customer's ack has a cursor");
    assert!(c_cursor > joined);
    assert_eq!(
        message_events(&mut cust, session).await,
        vec![],
        "no copy to the sender"
    );
    assert_eq!(
        message_events(&mut cust2, session).await,
        vec![(c_cursor, "hi".into())]
    );
    let to_alice = message_events(&mut alice, session).await;
    assert_eq!(to_alice.len(), 1);
    assert_eq!(message_events(&mut alice2, session).await, to_alice);

    // Alice writes on one of her two connections.
    let ack = alice.call("message.send", say("hello")).await.unwrap();
    let a_cursor = ack["cursor"]
        .as_i64()
        .expect("the assignee's ack has a cursor");
    assert!(a_cursor > to_alice[0].0);
    assert_eq!(message_events(&mut alice, session).await, vec![]);
    assert_eq!(
        message_events(&mut alice2, session).await,
        vec![(a_cursor, "hello".into())]
    );
    assert_eq!(message_events(&mut cust, session).await.len(), 1);

    // A resume from before replays the sender's own message to it, at the ack's cursor.
    let mut again = Client::connect(&server.url("agent")).await.unwrap();
    again
        .call("resume", json!({"token": token, "cursor": to_alice[0].0}))
        .await
        .unwrap();
    assert_eq!(
        message_events(&mut again, session).await,
        vec![(a_cursor, "hello".into())]
    );

    // A retry gets the same ack, cursor included, and sends nothing anew.
    let retry = alice.call("message.send", say("hello")).await.unwrap();
    assert_eq!(retry, ack);
    assert_eq!(message_events(&mut alice2, session).await, vec![]);

    // A supervisor who is not the assignee writes: the message reaches alice and the
    // customer, and the supervisor's ack has no cursor (nothing of it is in sue's stream).
    let mut sue = server.agent("sue").await;
    let ack = sue.call("message.send", say("sue here")).await.unwrap();
    assert!(ack.get("cursor").is_none(), "{ack}");
    assert_eq!(message_events(&mut alice, session).await.len(), 1);
    assert_eq!(message_events(&mut cust, session).await.len(), 1);
    server.stop().await;
}

/// The acks a session remembers are bounded: a retry of a message older than the window is
/// stored as a new message (it cannot fail the commit it joins), and the server goes on.
#[tokio::test]
async fn a_retry_older_than_the_ack_window_is_stored_anew_and_harms_nothing() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = kefu::config::ServerConfig::default();
    config.limits.rate_per_sec = 100_000.0;
    config.limits.rate_burst = 100_000.0;
    config.quotas.customer_bytes_per_minute = 0;
    let server = TestServer::start(dir.path(), config).await;
    let (mut cust, session, _) = server.customer("c", None).await;
    let send =
        |k: &str| json!({"session_id": session, "client_msg_id": k, "body": format!("text {k}")});
    let first = cust.call("message.send", send("old")).await.unwrap();
    // Within the window, a retry gets the first ack.
    let again = cust.call("message.send", send("old")).await.unwrap();
    assert_eq!(again["seq"], first["seq"]);
    let window = kefu::protocol::IDEMPOTENCY_WINDOW;
    let mut ids = Vec::new();
    for k in 0..window {
        ids.push(
            cust.send("message.send", send(&format!("n{k}")))
                .await
                .unwrap(),
        );
    }
    let replies = collect_replies(&mut cust, &ids).await;
    assert!(replies.values().all(|r| r.is_ok()));
    let late = cust.call("message.send", send("old")).await.unwrap();
    assert_eq!(late["seq"], window as i64 + 2, "a new message");
    // The commit with the late duplicate went through, and the server still serves.
    let next = cust.call("message.send", send("after")).await.unwrap();
    assert_eq!(next["seq"], window as i64 + 3);
    let stored = stored_messages(&open_db(dir.path()), session);
    assert_eq!(stored.len(), window + 3);
    server.stop().await;
}
