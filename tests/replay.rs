//! Resuming with a replay larger than the connection's outbox: a client that reads catches up,
//! in cursor order, nothing twice, live events after; one that stops reading is dropped
//! instead of holding memory.

mod common;
mod wire;
use common::*;
use futures_util::{SinkExt, StreamExt};
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// An agent and a customer in one conversation; the agent then writes `n` messages of `body`
/// while the customer is away. Returns the customer's token and last cursor before them.
async fn customer_misses(server: &TestServer, n: usize, body: &str) -> (String, i64) {
    let mut alice = server.agent("alice").await;
    let (mut cust, session, token) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let (cursor, _) = cust
        .wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    cust.close().await;
    for k in 0..n {
        alice
            .call(
                "message.send",
                json!({"session_id": session, "client_msg_id": format!("m{k}"), "body": format!("{k} {body}")}),
            )
            .await
            .unwrap();
    }
    alice.close().await;
    (token, cursor)
}

fn roomy_rates(mut c: ServerConfig) -> ServerConfig {
    c.limits.rate_per_sec = 10_000.0;
    c.limits.rate_burst = 10_000.0;
    c
}

#[tokio::test]
async fn a_replay_larger_than_the_outbox_arrives_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = roomy_rates(ServerConfig::default());
    config.limits.outbox_frames = 16;
    let server = TestServer::start(dir.path(), config).await;
    let (token, cursor) = customer_misses(&server, 100, "x").await;

    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call("customer.resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    let session = r["session_id"].as_i64().unwrap();
    let mut last = cursor;
    for k in 0..100 {
        match c.next_frame(WAIT).await.unwrap() {
            ServerFrame::Event {
                cursor,
                event: Event::Message { message },
            } => {
                assert!(cursor > last, "cursor {cursor} after {last}");
                last = cursor;
                assert_eq!(message.body, format!("{k} x"));
            }
            other => panic!("replayed event {k}: {other:?}"),
        }
    }
    // Live traffic follows, with higher cursors, and nothing came twice: the sender's ack
    // carries its message's cursor (the sending connection gets no copy of the event).
    let ack = c
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "live", "body": "live"}),
        )
        .await
        .unwrap();
    let echoes: Vec<_> = c
        .pending
        .drain(..)
        .filter(|f| {
            matches!(
                f,
                ServerFrame::Event {
                    event: Event::Message { .. },
                    ..
                }
            )
        })
        .collect();
    assert!(echoes.is_empty(), "no echo to the sender: {echoes:?}");
    let live_cursor = ack["cursor"].as_i64().expect("the ack's cursor");
    assert!(live_cursor > last);
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_a_replay_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // About 9 MB of replay: more than loopback socket buffers hold.
    let body = "y".repeat(60_000);
    let server = TestServer::start(dir.path(), roomy_rates(ServerConfig::default())).await;
    let (token, cursor) = customer_misses(&server, 150, &body).await;
    server.stop().await;

    let mut config = ServerConfig::default();
    config.limits.outbox_frames = 16;
    config.limits.ping_interval_secs = 1;
    config.limits.idle_timeout_secs = 2;
    // One connection per address, so a second one gets in only once the first is gone.
    config.limits.max_connections_per_address = 1;
    config.limits.per_address_exempt = vec![];
    let server = TestServer::start(dir.path(), config).await;

    // A small receive buffer so the server's writes block soon.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(16 * 1024).unwrap();
    let stream = sock.connect(server.addr).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(server.url("customer"), stream)
        .await
        .unwrap();
    wire::send_hello(&mut ws).await;
    let resume = json!({"id": 2, "type": "customer.resume", "token": token, "cursor": cursor});
    ws.send(Message::Text(resume.to_string().into()))
        .await
        .unwrap();
    // From here on it never reads, but it keeps pinging, so it is not idle: only its stuck
    // socket can get it dropped.
    let started = Instant::now();
    let mut beat = tokio::time::interval(Duration::from_millis(300));
    loop {
        beat.tick().await;
        // (Fails once the server has dropped the connection: that is the point.)
        let _ = ws.send(Message::Ping(Default::default())).await;
        let status = wire::handshake_status(&server.url("customer"), None).await;
        if status == 101 {
            break;
        }
        assert_eq!(status, 429);
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the stalled connection is still open"
        );
    }
    // What it gets when it reads again: part of the replay, then the end.
    let mut events = 0;
    let end = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.contains(r#""type":"event""#) => events += 1,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the connection did not end");
    eprintln!(
        "dropped after {:?}, {events} events read",
        started.elapsed()
    );
    assert!(events < 150, "all {events} events arrived");
    server.stop().await;
}
