//! Abuse against the real server: login floods, conversation and byte quotas, and queued
//! conversations nobody answers. Each test is what an attacker (or an accident) would do, at a
//! small scale with a small config.

mod common;
mod raw;
use common::*;
use kefu::config::ServerConfig;
use kefu::model::Role;
use raw::Raw;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const ALREADY: &str = "a login is already being checked on this connection; wait for its reply";
const BUSY: &str = "the server is busy checking passwords; try again in a moment";

/// Defaults, but without the per-connection request rate limit getting in the way.
fn unthrottled() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.limits.rate_per_sec = 100_000.0;
    c.limits.rate_burst = 100_000.0;
    // Login throttling (tests/login_throttle.rs) would refuse these floods before hashing;
    // here the hashing pool itself is under test.
    c.login.failures_per_address_per_minute = 0;
    c.login.free_failures = u32::MAX;
    c.login.lock_after = 0;
    c
}

fn wrong_login() -> Value {
    json!({"username": "alice", "password": "not-the-password-1!"})
}

fn error_message(reply: &Value) -> &str {
    reply["error"]["message"].as_str().unwrap_or("")
}

#[tokio::test]
async fn pipelined_logins_on_one_connection_check_one_password() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), unthrottled()).await;
    let mut c = Raw::connect(&server.url("agent")).await;
    c.pipeline("login", wrong_login(), 99).await;
    let replies = c.replies(99, WAIT).await;
    let checked: Vec<usize> = (0..replies.len())
        .filter(|i| error_message(&replies[*i]) != ALREADY)
        .collect();
    // One password was checked; the 98 others were refused at once (nearly all of them before
    // that one check finished: refusing costs no hashing).
    assert_eq!(checked.len(), 1, "{replies:#?}");
    assert!(
        checked[0] >= 90,
        "the check finished before the refusals: {checked:?}"
    );
    assert_eq!(replies[checked[0]]["error"]["code"], "unauthorized");
    let refused = replies.iter().filter(|r| error_message(r) == ALREADY);
    assert!(
        refused
            .clone()
            .all(|r| r["error"]["code"] == "rate_limited")
    );
    assert_eq!(refused.count(), 98);
    // The connection is still usable.
    c.call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_login_flood_is_refused_beyond_the_pool_and_messages_still_flow() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = unthrottled();
    // A pool of one thread and one waiting slot: a handful of attackers fill it.
    config.limits.hash_threads = 1;
    config.limits.hash_queue = 1;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;

    let stop = Arc::new(AtomicBool::new(false));
    let (busy, checked, other) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut flooders = Vec::new();
    for n in 0..6 {
        let url = server.url("agent");
        let (stop, busy, checked, other) =
            (stop.clone(), busy.clone(), checked.clone(), other.clone());
        flooders.push(tokio::spawn(async move {
            let mut c = Raw::connect(&url).await;
            while !stop.load(Ordering::Relaxed) {
                // A username of its own: one login per username is checked at a time.
                let wrong = json!({"username": format!("nobody{n}"), "password": "not-it-1!"});
                c.pipeline("login", wrong, 20).await;
                for r in c.replies(20, WAIT).await {
                    match (r["error"]["code"].as_str(), error_message(&r)) {
                        (Some("rate_limited"), BUSY) => busy.fetch_add(1, Ordering::Relaxed),
                        (Some("unauthorized"), _) => checked.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            }
        }));
    }
    // The pool is full: logins beyond it are refused, not queued without end.
    let deadline = Instant::now() + WAIT;
    while busy.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "the pool never refused a login");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Meanwhile a customer's messages reach the agent promptly.
    for i in 0..5 {
        let body = format!("during the flood {i}");
        let sent = Instant::now();
        cust.call(
            "message.send",
            json!({"session_id": session, "client_msg_id": format!("f{i}"), "body": body}),
        )
        .await
        .unwrap();
        wait_message(&mut alice, &body).await;
        let took = sent.elapsed();
        assert!(took < Duration::from_secs(2), "message {i} took {took:?}");
    }
    // The pool keeps checking passwords while it refuses the overflow (a hash can take longer
    // than the five messages above on a loaded machine, so wait for one with a deadline).
    let deadline = Instant::now() + WAIT;
    while checked.load(Ordering::Relaxed) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let during = checked.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for f in flooders {
        f.await.unwrap();
    }
    assert!(during > 0, "no password was checked during the flood");
    assert!(
        other.load(Ordering::Relaxed) > 0,
        "no per-connection refusals"
    );
    server.stop().await;
}

/// `customer.start` from a fresh connection: the reply or error.
async fn start(server: &TestServer) -> (Raw, Result<Value, Value>) {
    let mut c = Raw::connect(&server.url("customer")).await;
    let r = c.call("customer.start", json!({"channel": "web"})).await;
    (c, r)
}

#[tokio::test]
async fn one_address_cannot_fill_the_queues() {
    let dir = tempfile::tempdir().unwrap();
    // Alice is offline: everything stays queued, as in the attack.
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // The default of 20 open per address (the per-minute limit, tested below, out of the way).
    let mut config = unthrottled();
    config.quotas.new_per_address_per_minute = 1000;
    let server = TestServer::start(dir.path(), config).await;
    let mut opened = Vec::new();
    let mut refused = Vec::new();
    for _ in 0..30 {
        match start(&server).await {
            (c, Ok(r)) => opened.push((c, r)),
            (_, Err(e)) => refused.push(e),
        }
    }
    assert_eq!((opened.len(), refused.len()), (20, 10));
    for e in &refused {
        assert_eq!(e["code"], "rate_limited");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("open conversations from your address"), "{m}");
        assert!(m.contains("quotas.open_per_address"), "{m}");
    }
    // A customer coming back to their open conversation is still let in, from a new
    // connection with their token.
    let (_, first) = &opened[0];
    let mut back = Raw::connect(&server.url("customer")).await;
    let r = back
        .call(
            "customer.start",
            json!({"channel": "web", "token": first["token"]}),
        )
        .await
        .unwrap();
    assert_eq!(r["session_id"], first["session_id"]);
    // Only the 20 wait in the queue.
    let mut alice = kefu::client::Client::connect(&server.url("agent"))
        .await
        .unwrap();
    alice
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let d = alice.call("directory", json!({})).await.unwrap();
    assert_eq!(d["groups"][0]["waiting"], 20);
    // When one ends, the address may open another.
    alice
        .call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    let s = accept_next_offer(&mut alice).await;
    alice
        .call("session.end", json!({"session_id": s}))
        .await
        .unwrap();
    let (_, r) = start(&server).await;
    r.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn new_conversations_per_address_are_limited_per_minute() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = unthrottled();
    config.quotas.new_per_address_per_minute = 3;
    let server = TestServer::start(dir.path(), config).await;
    let mut kept = Vec::new();
    for _ in 0..3 {
        let (c, r) = start(&server).await;
        r.unwrap();
        kept.push(c);
    }
    let (_, r) = start(&server).await;
    let e = r.unwrap_err();
    assert_eq!(e["code"], "rate_limited");
    let m = e["message"].as_str().unwrap();
    // One new conversation every 20 s: the next is due in 20 s at most.
    assert!(
        m.contains("new conversations from your address (limit 3 per minute"),
        "{m}"
    );
    let retry: u64 = m
        .rsplit("retry in ")
        .next()
        .and_then(|t| t.trim_end_matches(" s").parse().ok())
        .unwrap_or_else(|| panic!("no retry time in {m:?}"));
    assert!((1..=20).contains(&retry), "{m}");
    server.stop().await;
}

#[tokio::test]
async fn customers_cannot_pour_text_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = unthrottled();
    config.quotas.customer_bytes_per_minute = 8192;
    let server = TestServer::start(dir.path(), config).await;
    let body = "x".repeat(2000);
    let mut writers = Vec::new();
    for _ in 0..3 {
        let (mut c, r) = start(&server).await;
        let session = r.unwrap()["session_id"].clone();
        let ids: Vec<u64> = {
            let mut ids = Vec::new();
            for k in 0..40 {
                ids.push(
                    c.send(
                        "message.send",
                        json!({"session_id": session, "client_msg_id": format!("m{k}"), "body": body}),
                    )
                    .await,
                );
            }
            ids
        };
        writers.push((c, session, ids));
    }
    for (c, session, ids) in &mut writers {
        let replies = c.replies(ids.len(), WAIT).await;
        let acked = replies.iter().filter(|r| r["ok"] == true).count();
        // 8,192 bytes a minute, each message costing its 2,000 bytes plus 256: three fit, the
        // fourth overdraws, then nothing.
        assert_eq!(acked, 4, "{replies:#?}");
        for r in replies.iter().filter(|r| r["ok"] != true) {
            assert_eq!(r["error"]["code"], "rate_limited");
            let m = error_message(r);
            assert!(
                m.contains("limit 8192 bytes per minute") && m.contains("retry in"),
                "{m}"
            );
        }
        // What is stored is what was acked.
        let t = c
            .call("session.transcript", json!({"session_id": session}))
            .await
            .unwrap();
        assert_eq!(t["messages"].as_array().unwrap().len(), acked);
        // Retrying a stored message costs nothing and gets its ack again.
        let again = c
            .call(
                "message.send",
                json!({"session_id": session, "client_msg_id": "m0", "body": body}),
            )
            .await
            .unwrap();
        assert_eq!(again["seq"], 1);
    }
    server.stop().await;
}

#[tokio::test]
async fn queued_conversations_nobody_answers_are_abandoned() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = unthrottled();
    config.quotas.queue_timeout_secs = 1;
    // With Alice offline the conversations are left messages (issue 8), which have their own,
    // longer timeout.
    config.conversations.left_message_timeout_secs = 1;
    let server = TestServer::start(dir.path(), config).await;
    // Alice is offline: nobody takes it.
    let (mut a, r) = start(&server).await;
    let r = r.unwrap();
    let first = r["session_id"].as_i64().unwrap();
    let token = r["token"].clone();
    let started = Instant::now();
    let ev = a.wait_event(WAIT, |e| e["kind"] == "session_ended").await;
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(
        ev["event"],
        json!({"kind": "session_ended", "session_id": first, "reason": "abandoned", "survey": false})
    );
    // Stored as abandoned, and gone from routing: nothing waits, nothing is offered.
    let t = a
        .call("session.transcript", json!({"session_id": first}))
        .await
        .unwrap();
    assert_eq!(t["session"]["end_reason"], "abandoned");
    let mut alice = server.agent("alice").await;
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["queues"][0]["waiting"], 0);
    assert_eq!(snap["offers"], json!([]));

    // The customer may start again; this time Alice accepts it.
    let r = a
        .call("customer.start", json!({"channel": "web", "token": token}))
        .await
        .unwrap();
    let second = r["session_id"].as_i64().unwrap();
    assert_ne!(second, first);
    assert_eq!(accept_next_offer(&mut alice).await, second);
    // An accepted conversation does not expire: a later one, queued while Alice is busy,
    // is abandoned first, and the accepted one carries on.
    alice
        .call("status.set", json!({"status": "busy"}))
        .await
        .unwrap();
    let (mut b, r) = start(&server).await;
    let third = r.unwrap()["session_id"].as_i64().unwrap();
    let ev = b.wait_event(WAIT, |e| e["kind"] == "session_ended").await;
    assert_eq!(ev["event"]["session_id"], third);
    a.call(
        "message.send",
        json!({"session_id": second, "client_msg_id": "still", "body": "still here?"}),
    )
    .await
    .unwrap();
    wait_message(&mut alice, "still here?").await;
    server.stop().await;
}

/// Starts pipelined on one customer connection: one is handled, the others are refused at once
/// (each would otherwise create a customer before the first one's quota is charged), and only
/// one customer exists afterwards.
#[tokio::test]
async fn pipelined_starts_on_one_connection_create_one_customer() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), ServerConfig::default()).await;
    let mut c = kefu::client::Client::connect(&server.url("customer"))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for k in 0..5 {
        let start = json!({"channel": "web", "nickname": format!("n{k}")});
        ids.push(c.send("customer.start", start).await.unwrap());
    }
    let replies = collect_replies(&mut c, &ids).await;
    let ok = replies.values().filter(|r| r.is_ok()).count();
    let refused: Vec<_> = replies.values().filter_map(|r| r.as_ref().err()).collect();
    assert!(ok >= 1, "{replies:?}");
    assert!(
        refused
            .iter()
            .all(|e| e.code == kefu::protocol::ErrorCode::RateLimited
                && e.message.contains("already being started")),
        "{refused:?}"
    );
    assert!(
        !refused.is_empty(),
        "pipelined starts were all handled: {replies:?}"
    );
    let db = open_db(dir.path());
    let customers: i64 = db
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(customers, 1);
    server.stop().await;
}
