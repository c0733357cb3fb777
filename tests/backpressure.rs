//! Backpressure: while the writer is behind, the hub stops taking requests, and while its
//! request queue is full, connections stop reading their sockets. A client flooding a slow
//! server therefore grows no queue inside it past its configured bound, and loses nothing.
//! (The writer is slowed down by a trigger that makes every stored message cost CPU.)

mod common;
mod metrics_support;

use common::*;
use kefu::config::ServerConfig;
use kefu::model::Role;
use metrics_support::{http_get, parse};
use serde_json::json;
use std::time::Duration;

const REQUEST_QUEUE: usize = 4;
const COMMIT_BACKLOG: usize = 2;
const FLOOD: usize = 60;
/// The writer is slowed down on purpose (and the tests of this file share the cores): replies
/// may take much longer than usual, and only their order and completeness are checked.
const SLOW_WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_on_a_slow_writer_stays_within_the_queue_bounds_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let config = flood_config(REQUEST_QUEUE);
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;

    // Every stored message now costs the writer a few tens of milliseconds.
    slow_writer(dir.path(), 100_000);

    let mut ids = Vec::new();
    for k in 0..FLOOD {
        let m = json!({"session_id": session, "client_msg_id": format!("m{k}"), "body": "x"});
        ids.push(cust.send("message.send", m).await.unwrap());
    }
    // Watch the server's queues while it works through the flood.
    let watch = {
        let addr = server.addr;
        tokio::spawn(async move {
            let (mut hub, mut writer) = (0.0f64, 0.0f64);
            let deadline = tokio::time::Instant::now() + SLOW_WAIT;
            while tokio::time::Instant::now() < deadline {
                let e = parse(&http_get(addr, "/metrics", &[]).await.body);
                hub = hub.max(e.get("kefu_hub_inbox_depth", &[]));
                writer = writer.max(e.get("kefu_committer_queue_depth", &[]));
                let stored = e.get("kefu_messages_stored_total", &[("author", "customer")]);
                if stored >= FLOOD as f64 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (hub, writer)
        })
    };
    let replies = collect_replies_within(&mut cust, &ids, SLOW_WAIT).await;
    assert!(replies.values().all(|r| r.is_ok()), "{replies:?}");
    let (hub, writer) = watch.await.unwrap();
    // A hub turn may add a few jobs past the bound before it looks again; the requests the
    // hub's own traffic adds (a connection opening, a continuation) are few here.
    assert!(
        writer <= (COMMIT_BACKLOG + 4) as f64,
        "the writer's queue grew to {writer} (bound {COMMIT_BACKLOG})"
    );
    assert!(
        hub <= (REQUEST_QUEUE + 4) as f64,
        "the hub's inbox grew to {hub} (bound {REQUEST_QUEUE})"
    );
    let stored = stored_messages(&open_db(dir.path()), session);
    assert_eq!(stored.len(), FLOOD, "every message stored once");
    server.stop().await;
}

/// A customer whose `customer.start` waits in the hub's queue behind a flood when its
/// authentication deadline passes is not closed for being late: the deadline check sees that
/// the hub has not reached its request yet, and looks again later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_waiting_in_the_queue_at_the_deadline_is_not_timed_out() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = flood_config(REQUEST_QUEUE);
    config.limits.auth_timeout_secs = 1;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    slow_writer(dir.path(), 3_000_000);

    // A newcomer says hello, then a flood keeps the writer busy well past its deadline.
    let start = tokio::time::Instant::now();
    let mut late = kefu::client::Client::connect(&server.url("customer"))
        .await
        .unwrap();
    late.timeout = SLOW_WAIT;
    let mut ids = Vec::new();
    for k in 0..8 {
        let m = json!({"session_id": session, "client_msg_id": format!("m{k}"), "body": "x"});
        ids.push(cust.send("message.send", m).await.unwrap());
    }
    let r = late
        .call(
            "customer.start",
            json!({"channel": "web", "nickname": "late"}),
        )
        .await
        .expect("the start is answered, not cut off at the deadline");
    assert!(
        start.elapsed() > Duration::from_secs(1),
        "the start was answered before the deadline after connecting ({:?}): the test proves nothing",
        start.elapsed()
    );
    let mine = r["session_id"].as_i64().unwrap();
    // Past the re-check (5 s after the deadline) and the flood, the connection is still there
    // and identified.
    let replies = collect_replies_within(&mut cust, &ids, SLOW_WAIT).await;
    assert!(replies.values().all(|r| r.is_ok()));
    tokio::time::sleep(Duration::from_millis(6_500).saturating_sub(start.elapsed())).await;
    late.call("typing", json!({"session_id": mine, "active": true}))
        .await
        .expect("still connected after the second look");
    server.stop().await;
}

/// While the hub is behind, one connection that pipelines many requests holds at most a few
/// places in the hub's queue: another client's request, sent after the whole flood, is served
/// after a handful of the flood's, not after all that fit in the queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipelining_connection_cannot_take_the_whole_queue() {
    const QUEUE: usize = 64;
    const _: () = assert!(2 * kefu::server::IN_FLIGHT_PER_CONNECTION + 6 < QUEUE / 2);
    const PIPELINED: usize = 80;
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let config = flood_config(QUEUE);
    let server = TestServer::start(dir.path(), config).await;
    let (mut greedy, greedy_session, _) = server.customer("greedy", None).await;
    let (mut other, other_session, _) = server.customer("other", None).await;
    slow_writer(dir.path(), 20_000);

    let mut ids = Vec::new();
    for k in 0..PIPELINED {
        let m =
            json!({"session_id": greedy_session, "client_msg_id": format!("g{k}"), "body": "x"});
        ids.push(greedy.send("message.send", m).await.unwrap());
    }
    // Let the flood reach the server and fill what it may of the queue.
    wait_for_metric(&server, "kefu_messages_stored_total", 1.0).await;
    let mine = other
        .call(
            "message.send",
            json!({"session_id": other_session, "client_msg_id": "o", "body": "me too"}),
        )
        .await
        .unwrap();
    let replies = collect_replies_within(&mut greedy, &ids, SLOW_WAIT).await;
    // Cursors are global and follow the order in which the hub handled the messages.
    let my_cursor = mine["cursor"].as_i64().unwrap();
    let before_me = replies
        .values()
        .filter(|r| r.as_ref().unwrap()["cursor"].as_i64().unwrap() < my_cursor)
        .count();
    // At most its in-flight share, what the writer already had, and a few taken meanwhile.
    let bound = 2 * kefu::server::IN_FLIGHT_PER_CONNECTION + COMMIT_BACKLOG + 4;
    assert!(
        before_me <= bound,
        "{before_me} of the greedy connection's {PIPELINED} messages were handled before the \
         other client's one (the queue holds {QUEUE})"
    );
    server.stop().await;
}

async fn wait_for_metric(server: &TestServer, name: &str, at_least: f64) {
    let deadline = tokio::time::Instant::now() + SLOW_WAIT;
    loop {
        let e = parse(&http_get(server.addr, "/metrics", &[]).await.body);
        if e.get(name, &[("author", "customer")]) >= at_least {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} never reached {at_least}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// No rate limit or byte quota (the clients flood on purpose), a request queue of `queue` and
/// the writer's backlog of [`COMMIT_BACKLOG`].
fn flood_config(queue: usize) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.limits.rate_per_sec = 100_000.0;
    config.limits.rate_burst = 100_000.0;
    config.limits.request_queue = queue;
    config.limits.commit_backlog = COMMIT_BACKLOG;
    config.quotas.customer_bytes_per_minute = 0;
    config
}

/// From now on every stored message costs the writer a count to `iterations` (a trigger).
fn slow_writer(dir: &std::path::Path, iterations: u32) {
    let db = rusqlite::Connection::open(dir.join("kefu.db")).unwrap();
    db.execute_batch(&format!(
        "CREATE TRIGGER slow AFTER INSERT ON messages BEGIN
           SELECT count(*) FROM (WITH RECURSIVE c(x) AS
             (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {iterations}) SELECT x FROM c);
         END;"
    ))
    .unwrap();
}
