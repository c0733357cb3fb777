//! A replay is byte for byte what was sent live: a message's stored events refer to the
//! message instead of copying it, and the replay rebuilds the very same event frames — for the
//! customer and for the agent, whatever the message holds (quotes, escapes, CJK, emoji).

mod common;
mod raw;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use raw::{Frame, Raw};
use serde_json::{Value, json};

/// The `message` event frames' texts among everything `raw` received, as received.
fn event_texts(raw: &Raw) -> Vec<String> {
    raw.texts
        .iter()
        .filter(|t| {
            serde_json::from_str::<Value>(t)
                .is_ok_and(|v| v["type"] == "event" && v["event"]["kind"] == "message")
        })
        .cloned()
        .collect()
}

/// Reads until `raw` has `n` message event frames (with a deadline).
async fn read_events(raw: &mut Raw, n: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while event_texts(raw).len() < n {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if let Frame::Closed(c) = raw.next(left).await {
            panic!(
                "closed with {} of {n} events: {c:?}",
                event_texts(raw).len()
            );
        }
    }
}

const BODIES: [&str; 6] = [
    "plain",
    r#"quotes " and \ backslash"#,
    "退款什么时候到账？",
    "emoji 🎉 and tab\tand newline\n",
    "</script>&amp;",
    "  spaces  ",
];

#[tokio::test]
async fn replayed_message_events_are_the_live_frames_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, ctoken) = server.customer("小明 \"x\"", None).await;
    accept_next_offer(&mut alice).await;

    // Observers: another connection of the customer and another of the agent, each from the
    // newest cursor on.
    let mut cust_live = Raw::connect(&server.url("customer")).await;
    let r = cust_live
        .call("customer.resume", json!({"token": ctoken, "cursor": null}))
        .await
        .unwrap();
    let cust_from = r["cursor"].as_i64().unwrap();
    let mut agent_live = Raw::connect(&server.url("agent")).await;
    let r = agent_live
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let (atoken, agent_from) = (
        r["token"].as_str().unwrap().to_string(),
        r["cursor"].as_i64().unwrap(),
    );
    cust_live.texts.clear();
    agent_live.texts.clear();

    for (i, body) in BODIES.iter().enumerate() {
        let (who, c): (&str, &mut Client) = if i % 2 == 0 {
            ("c", &mut cust)
        } else {
            ("a", &mut alice)
        };
        c.call(
            "message.send",
            json!({"session_id": session, "client_msg_id": format!("{who}{i}"), "body": body}),
        )
        .await
        .unwrap();
    }
    let n = BODIES.len();
    read_events(&mut cust_live, n).await;
    read_events(&mut agent_live, n).await;
    let (cust_sent, agent_sent) = (event_texts(&cust_live), event_texts(&agent_live));
    assert_eq!((cust_sent.len(), agent_sent.len()), (n, n));

    let mut cust_again = Raw::connect(&server.url("customer")).await;
    cust_again
        .call(
            "customer.resume",
            json!({"token": ctoken, "cursor": cust_from}),
        )
        .await
        .unwrap();
    read_events(&mut cust_again, n).await;
    assert_eq!(event_texts(&cust_again), cust_sent);

    let mut agent_again = Raw::connect(&server.url("agent")).await;
    agent_again
        .call("resume", json!({"token": atoken, "cursor": agent_from}))
        .await
        .unwrap();
    read_events(&mut agent_again, n).await;
    assert_eq!(event_texts(&agent_again), agent_sent);

    // And after a restart, from the database alone.
    drop((cust, alice, cust_live, agent_live, cust_again, agent_again));
    server.stop().await;
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut cust_later = Raw::connect(&server.url("customer")).await;
    cust_later
        .call(
            "customer.resume",
            json!({"token": ctoken, "cursor": cust_from}),
        )
        .await
        .unwrap();
    read_events(&mut cust_later, n).await;
    assert_eq!(event_texts(&cust_later), cust_sent);
    server.stop().await;
}
