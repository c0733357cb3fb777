//! Bounded storage on a real server and a real SQLite file: the retention chore prunes the
//! event log and a resume across what is kept gets `reload` while one inside it replays
//! exactly; expired tokens are deleted and cannot be used (but a live connection's token stays);
//! `purge` removes one customer's data and nothing of another's, and is audited.

mod common;
mod metrics_support;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, Event, ReloadReason, ServerFrame};
use serde_json::{Value, json};
use std::time::Instant;

/// Polls `f` until it returns `Some`, or panics after WAIT.
async fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A customer resume on a fresh connection: the reply and every durable frame up to the reply
/// to a `typing` sent after it.
async fn customer_resume(
    server: &TestServer,
    token: &str,
    cursor: i64,
) -> (Value, Vec<ServerFrame>) {
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call("customer.resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    let session = r["session_id"].clone();
    let id = c
        .send("typing", json!({"session_id": session, "active": false}))
        .await
        .unwrap();
    let mut frames = Vec::new();
    loop {
        match c.next_frame(WAIT).await.unwrap() {
            ServerFrame::Reply { id: rid, .. } if rid == json!(id) => break,
            ServerFrame::Queues { .. } | ServerFrame::Typing { .. } => {}
            f => frames.push(f),
        }
    }
    (r, frames)
}

fn min_max_event(dir: &std::path::Path) -> (i64, i64) {
    open_db(dir)
        .query_row(
            "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[tokio::test]
async fn a_resume_older_than_what_is_kept_reloads_and_one_inside_replays_exactly() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    const KEEP: i64 = 8;
    config.storage.event_retention_count = KEEP as u64;
    config.storage.prune_idle_secs = 0;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, s, token) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let mut cursors = Vec::new();
    for k in 0..10 {
        let body = format!("m{k}");
        alice
            .call(
                "message.send",
                json!({"session_id": s, "client_msg_id": body, "body": body}),
            )
            .await
            .unwrap();
        let (cursor, _) = cust
            .wait_event(
                WAIT,
                |e| matches!(e, Event::Message { message } if message.body == body),
            )
            .await
            .unwrap();
        cursors.push(cursor);
    }
    // The chore keeps only the newest KEEP events (nothing else writes events now).
    let (oldest, newest) = eventually("the prune", || {
        let (min, max) = min_max_event(dir.path());
        (min == max - KEEP + 1).then_some((min, max))
    })
    .await;
    assert!(
        newest >= cursors[9] && oldest > cursors[0],
        "{oldest}..{newest} {cursors:?}"
    );

    // From exactly the oldest kept id - 1: everything of the customer's from there, in order.
    let (_, frames) = customer_resume(&server, &token, oldest - 1).await;
    let want: Vec<String> = (0..10)
        .filter(|k| cursors[*k] >= oldest)
        .map(|k| format!("m{k}"))
        .collect();
    assert!(!want.is_empty() && want.len() < 10, "{want:?}");
    let got: Vec<String> = frames
        .iter()
        .map(|f| match f {
            ServerFrame::Event {
                event: Event::Message { message },
                ..
            } => message.body.clone(),
            other => panic!("expected only replayed messages, got {other:?}"),
        })
        .collect();
    assert_eq!(got, want);

    // One older: those events are gone, so `reload`, not a replay with a hole.
    let (r, frames) = customer_resume(&server, &token, oldest - 2).await;
    assert_eq!(
        frames,
        [ServerFrame::Reload {
            cursor: r["cursor"].as_i64().unwrap(),
            reason: ReloadReason::CursorTooOld
        }]
    );

    // /metrics shows the work and where the log starts now.
    let m = metrics_support::parse(
        &metrics_support::http_get(server.addr, "/metrics", &[])
            .await
            .body,
    );
    assert!(m.get("kefu_events_pruned_total", &[]) >= (newest - KEEP) as f64);
    assert_eq!(m.get("kefu_events_floor", &[]), oldest as f64);
    assert!(m.find("kefu_prune_step_seconds", &[]).is_some());
    server.stop().await;
}

#[tokio::test]
async fn expired_tokens_are_deleted_unless_a_live_connection_holds_one() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    config.storage.prune_idle_secs = 0;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let alice_token = login_online(&mut alice, "alice").await;
    let (cust, _, token) = server.customer("c", None).await;
    cust.close().await;
    let db = open_db(dir.path());
    let hash = |t: &str| kefu::auth::token_hash(t);
    let count = |h: &str| -> i64 {
        db.query_row("SELECT COUNT(*) FROM tokens WHERE hash = ?1", [h], |r| {
            r.get(0)
        })
        .unwrap()
    };
    // Both expire now (a second ago).
    db.execute(
        "UPDATE tokens SET expires_at = ?1",
        [kefu::model::now_ms() - 1000],
    )
    .unwrap();
    // Expired is unusable already, before any clean-up.
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c.call("customer.resume", json!({"token": token})).await;
    assert_eq!(api_code(r), ErrorCode::Unauthorized);
    // The customer's is deleted; alice's stays while her connection is open (the revocation
    // check would read a deleted token as revoked and close her).
    eventually("the customer's token to go", || {
        (count(&hash(&token)) == 0).then_some(())
    })
    .await;
    assert_eq!(count(&hash(&alice_token)), 1);
    alice.call("snapshot", json!({})).await.unwrap();
    let r = c.call("customer.resume", json!({"token": token})).await;
    assert_eq!(api_code(r), ErrorCode::Unauthorized);
    // Once she is gone, hers goes too.
    alice.close().await;
    eventually("alice's token to go", || {
        (count(&hash(&alice_token)) == 0).then_some(())
    })
    .await;
    server.stop().await;
}

/// Rows that mention a customer or their sessions.
fn footprint(db: &rusqlite::Connection, customer: i64) -> [i64; 5] {
    let n = |sql: &str| -> i64 { db.query_row(sql, [customer], |r| r.get(0)).unwrap() };
    [
        n("SELECT COUNT(*) FROM sessions WHERE customer_id = ?1"),
        n("SELECT COUNT(*) FROM messages WHERE session_id IN
            (SELECT id FROM sessions WHERE customer_id = ?1)"),
        n(
            "SELECT COUNT(*) FROM events WHERE customer_id = ?1 OR session_id IN
            (SELECT id FROM sessions WHERE customer_id = ?1)",
        ),
        n("SELECT COUNT(*) FROM tokens WHERE customer_id = ?1"),
        n("SELECT COUNT(*) FROM customers WHERE id = ?1"),
    ]
}

/// A conversation of one message each way, ended by alice: (customer id, session, token).
async fn ended_conversation(
    server: &TestServer,
    alice: &mut Client,
    name: &str,
) -> (i64, i64, String) {
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call(
            "customer.start",
            json!({"channel": "web", "nickname": name}),
        )
        .await
        .unwrap();
    let (customer, s) = (
        r["customer_id"].as_i64().unwrap(),
        r["session_id"].as_i64().unwrap(),
    );
    let token = r["token"].as_str().unwrap().to_string();
    accept_next_offer(alice).await;
    c.call(
        "message.send",
        json!({"session_id": s, "client_msg_id": "q", "body": "q"}),
    )
    .await
    .unwrap();
    wait_message(alice, "q").await;
    alice
        .call(
            "message.send",
            json!({"session_id": s, "client_msg_id": "a", "body": "a"}),
        )
        .await
        .unwrap();
    alice
        .call("session.end", json!({"session_id": s}))
        .await
        .unwrap();
    c.wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    c.close().await;
    (customer, s, token)
}

#[tokio::test]
async fn purge_removes_one_customers_data_and_nothing_else_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let config = ServerConfig::default();
    let server = TestServer::start(dir.path(), config.clone()).await;
    let mut alice = server.agent("alice").await;
    let (a, _, a_token) = ended_conversation(&server, &mut alice, "a").await;
    let (b, _, b_token) = ended_conversation(&server, &mut alice, "b").await;
    // A third customer, still talking: purging them is refused.
    let (_open_client, _, _) = server.customer("c", None).await;
    let c_id: i64 = open_db(dir.path())
        .query_row("SELECT MAX(id) FROM customers", [], |r| r.get(0))
        .unwrap();
    let db = open_db(dir.path());
    let a_before = footprint(&db, a);
    let b_before = footprint(&db, b);
    assert!(a_before.iter().all(|n| *n > 0), "{a_before:?}");

    // Beside the running server, as `kefu admin purge` does.
    let mut store = kefu::server::open_store(dir.path(), &config).unwrap();
    let refused = kefu::admin::purge(
        &mut *store,
        kefu::store::PurgeSpec {
            before: kefu::model::now_ms(),
            customer: Some(c_id),
        },
        "now",
        "admin:test",
    );
    assert!(
        refused.unwrap_err().to_string().contains("still open"),
        "an open conversation is not purged"
    );
    let done = kefu::admin::purge(
        &mut *store,
        kefu::store::PurgeSpec {
            before: kefu::model::now_ms(),
            customer: Some(a),
        },
        "now",
        "admin:test",
    )
    .unwrap();
    assert_eq!(footprint(&db, a), [0; 5]);
    assert_eq!(footprint(&db, b), b_before);
    assert_eq!(
        (done.sessions, done.messages, done.tokens, done.customers),
        (1, a_before[1] as u64, 1, 1)
    );
    assert_eq!(done.events, a_before[2] as u64);

    // One audit entry, for the purge that happened (the refused one wrote none).
    let audit = kefu::admin::audit(&mut *store, 0, Some("purge"), 10).unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].actor, "admin:test");
    assert_eq!(audit[0].target, format!("customer:{a}"));
    let detail: Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["sessions"], 1);
    assert_eq!(detail["customers"], 1);
    drop(store);

    // The server goes on: a's token is gone, b's works.
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c.call("customer.resume", json!({"token": a_token})).await;
    assert_eq!(api_code(r), ErrorCode::Unauthorized);
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    c.call("customer.resume", json!({"token": b_token}))
        .await
        .unwrap();
    server.stop().await;
}
