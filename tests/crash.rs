//! Kill -9 the real `kefu serve` mid-traffic and restart it: every acknowledged message is
//! there exactly once and in order; assignments and queues come back. (Five kills with several
//! customers, replies, transfers and resumes: `crash_rounds.rs`.)

mod common;
use common::process::{ServeProcess, free_port};
use common::*;
use kefu::model::Role;
use kefu::protocol::ServerFrame;
use serde_json::json;
use std::time::Duration;

/// The flood below is faster than the default per-connection rate limit.
// (Clients here write as fast as they can: no rate limit, no byte quota.)
const FAST: &str = "[limits]\nrate_per_sec = 100000.0\nrate_burst = 100000.0\n[quotas]\ncustomer_bytes_per_minute = 0\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_traffic_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(1));
    let port = free_port();
    let mut server = ServeProcess::spawn(dir.path(), port, FAST);

    let mut alice = server.connect("agent").await;
    let token = login_online(&mut alice, "alice").await;
    let mut cust = server.connect("customer").await;
    let r = cust
        .call("customer.start", json!({"channel": "web", "nickname": "k"}))
        .await
        .unwrap();
    let session = r["session_id"].as_i64().unwrap();
    let ctoken = r["token"].as_str().unwrap().to_string();
    accept_next_offer(&mut alice).await;
    // A second customer waits in the queue (alice's capacity is 1).
    let mut waiting = server.connect("customer").await;
    let r = waiting
        .call("customer.start", json!({"channel": "app", "nickname": "w"}))
        .await
        .unwrap();
    let queued = r["session_id"].as_i64().unwrap();

    // Pipeline sends without waiting; count acks as they arrive, kill after 300 acks.
    let mut acked: Vec<i64> = Vec::new();
    let mut ids = std::collections::HashMap::new();
    let mut n = 0;
    'outer: loop {
        for _ in 0..20 {
            let id = cust
                .send("message.send", json!({"session_id": session, "client_msg_id": format!("k{n}"), "body": format!("k{n}")}))
                .await
                .unwrap();
            ids.insert(id, n);
            n += 1;
        }
        loop {
            match cust.next_frame(Duration::from_millis(5)).await {
                Ok(ServerFrame::Reply { id, ok: true, .. }) => {
                    acked.push(ids[&(id.as_u64().unwrap())]);
                    if acked.len() >= 300 {
                        // With TCP_NODELAY every batch may be acked before the next is
                        // sent: put one more on the wire so the kill lands mid-flight.
                        for _ in 0..20 {
                            let id = cust
                                .send("message.send", json!({"session_id": session, "client_msg_id": format!("k{n}"), "body": format!("k{n}")}))
                                .await
                                .unwrap();
                            ids.insert(id, n);
                            n += 1;
                        }
                        server.kill9();
                        break 'outer;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    // Drain acks that were already on the wire before the kill: they count too.
    while let Ok(f) = cust.next_frame(Duration::from_millis(200)).await {
        if let ServerFrame::Reply { id, ok: true, .. } = f {
            acked.push(ids[&(id.as_u64().unwrap())]);
        }
    }
    assert!(
        n > acked.len() as i64,
        "some sends were in flight at the kill"
    );

    let mut server = ServeProcess::spawn(dir.path(), port, FAST);
    let mut alice = server.connect("agent").await;
    alice.call("resume", json!({"token": token})).await.unwrap();
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(
        snap["sessions"][0]["id"], session,
        "alice still serves her session"
    );
    assert_eq!(
        snap["queues"][0]["waiting"], 1,
        "the queued session is back in the queue"
    );
    let mut bodies = Vec::new();
    let mut after = 0;
    loop {
        let t = alice
            .call(
                "session.transcript",
                json!({"session_id": session, "after_seq": after}),
            )
            .await
            .unwrap();
        let msgs = t["messages"].as_array().unwrap().clone();
        if msgs.is_empty() {
            break;
        }
        for m in &msgs {
            assert_eq!(m["seq"].as_i64().unwrap(), after + 1, "seqs are gapless");
            after = m["seq"].as_i64().unwrap();
            bodies.push(m["body"].as_str().unwrap().to_string());
        }
    }
    // Stored: exactly the sent messages up to some point, in order, each once (sends are
    // pipelined on one connection, so the server handles them in order) — and every ack is in.
    for (i, b) in bodies.iter().enumerate() {
        assert_eq!(b, &format!("k{i}"), "order and uniqueness");
    }
    let max_acked = *acked.iter().max().unwrap();
    assert!(
        bodies.len() as i64 > max_acked,
        "acked k{max_acked} but only {} stored",
        bodies.len()
    );

    // Retrying an acked message after the restart gets the same seq and stores nothing.
    let mut cust = server.connect("customer").await;
    let r = cust
        .call("customer.resume", json!({"token": ctoken}))
        .await
        .unwrap();
    assert_eq!(r["session_id"], session);
    let retry = cust
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "k5", "body": "k5"}),
        )
        .await
        .unwrap();
    assert_eq!(retry["seq"], 6);
    let fresh = cust
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "after", "body": "after"}),
        )
        .await
        .unwrap();
    assert_eq!(fresh["seq"].as_i64().unwrap(), bodies.len() as i64 + 1);
    // The queue is back too: when alice's session ends, the waiting one is offered to her.
    alice
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(accept_next_offer(&mut alice).await, queued);
    server.kill9();
}
