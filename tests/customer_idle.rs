//! The silent customer (issue 8): the agent wrote last and the customer says nothing; after
//! `customer_idle_remind_secs` a system line reminds them once, after
//! `customer_idle_close_secs` more the conversation ends `abandoned` without a survey. The
//! clock is in the stored session, so a restart in between changes nothing.

mod common;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::{AuthorKind, EndReason, Role};
use kefu::protocol::Event;
use serde_json::json;

fn config(remind: u64, close: u64) -> ServerConfig {
    let mut c = ServerConfig::default();
    c.conversations.customer_idle_remind_secs = remind;
    c.conversations.customer_idle_close_secs = close;
    c
}

async fn agent_writes(agent: &mut Client, session: i64, id: &str) {
    agent
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": id, "body": "anything else?"}),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_silent_customer_is_reminded_once_then_the_conversation_is_abandoned() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(1, 1)).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("quiet", None).await;
    accept_next_offer(&mut alice).await;
    agent_writes(&mut alice, session, "a1").await;
    let (_, ev) = cust
        .wait_event(WAIT, |e| {
            matches!(e, Event::Message { message } if message.author_kind == AuthorKind::System)
        })
        .await
        .unwrap();
    let Event::Message { message } = ev else {
        unreachable!()
    };
    assert!(message.body.contains("still there"), "{}", message.body);
    // The agent sees the reminder too.
    wait_message(&mut alice, &message.body).await;
    let (_, ev) = cust
        .wait_event(WAIT, |e| {
            matches!(e, Event::SessionEnded { .. } | Event::Message { .. })
        })
        .await
        .unwrap();
    assert_eq!(
        ev,
        Event::SessionEnded {
            session_id: session,
            reason: EndReason::Abandoned,
            survey: false
        },
        "one reminder, then the end"
    );
}

#[tokio::test]
async fn a_customer_who_answers_stops_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(1, 1)).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("chatty", None).await;
    accept_next_offer(&mut alice).await;
    agent_writes(&mut alice, session, "a1").await;
    cust.wait_event(
        WAIT,
        |e| matches!(e, Event::Message { message } if message.author_kind == AuthorKind::System),
    )
    .await
    .unwrap();
    // The customer answers after the reminder: the close is off.
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "yes, one more thing"}),
    )
    .await
    .unwrap();
    // A conversation of the same age without an answer ends; this one does not.
    let (mut other, s2, _) = server.customer("gone", None).await;
    accept_next_offer(&mut alice).await;
    agent_writes(&mut alice, s2, "a2").await;
    other
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c2", "body": "still open"}),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_idle_clock_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // First run: reminders far off. The agent writes, then the server stops.
    let server = TestServer::start(dir.path(), config(3600, 3600)).await;
    let mut alice = server.agent("alice").await;
    let (_cust, session, token) = server.customer("quiet", None).await;
    accept_next_offer(&mut alice).await;
    agent_writes(&mut alice, session, "a1").await;
    drop(alice);
    server.stop().await;
    // Second run: the agent's message is already older than the reminder delay; the clock
    // it started before the restart is what triggers the reminder and the end.
    let server = TestServer::start(dir.path(), config(1, 1)).await;
    let mut cust = Client::connect(&server.url("customer")).await.unwrap();
    // From cursor 0: the reminder may come before this connection does.
    cust.call("customer.resume", json!({"token": token, "cursor": 0}))
        .await
        .unwrap();
    cust.wait_event(
        WAIT,
        |e| matches!(e, Event::Message { message } if message.author_kind == AuthorKind::System),
    )
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
                reason: EndReason::Abandoned,
                survey: false,
                ..
            }
        ),
        "{ev:?}"
    );
}
