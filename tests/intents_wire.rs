//! A conversation's intent over the wire: the customer's messages are classified and the
//! agent who serves the conversation sees its dominant intent in a `session` event and in
//! transcripts; the customer never sees it.

mod common;
use common::*;
use kefu::model::Role;
use kefu::protocol::Event;
use serde_json::json;

#[tokio::test]
async fn the_agent_sees_what_the_conversation_is_about() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let send =
        |k: &str, body: &str| json!({"session_id": session, "client_msg_id": k, "body": body});
    cust.call("message.send", send("1", "你好")).await.unwrap();
    cust.call("message.send", send("2", "我要投诉，你们的客服态度太差了"))
        .await
        .unwrap();
    let (_, ev) = alice
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Session { session: s } if s.intent.is_some()),
        )
        .await
        .unwrap();
    let Event::Session { session: view } = ev else {
        unreachable!()
    };
    assert_eq!(view.intent.as_deref(), Some("complaint"));
    let t = alice
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(t["session"]["intent"], "complaint");
    // The customer's own view carries no internal labels.
    let t = cust
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(t["session"]["intent"], serde_json::Value::Null);
    server.stop().await;
}
