//! Requests sent to the wrong endpoint (§1.8): on `/ws/customer` an agent request is
//! `unauthorized` before the customer is identified and `invalid` after; on `/ws/agent` a
//! customer request is `unauthorized` before login, `forbidden` while the password must be
//! changed and `invalid` after. Neither does anything, and the connection carries on.

use crate::common::*;
use crate::{Wire, assert_error, assert_ok};
use kefu::model::Role;
use serde_json::{Value, json};

const FOR_AGENTS: &str = "this request is for the agent endpoint";
const FOR_CUSTOMERS: &str = "this request is for the customer endpoint";

/// Every agent-only request, well formed, naming session `s` and customer `cu`.
fn agent_requests(s: i64, cu: i64) -> Vec<Value> {
    vec![
        json!({"type": "login", "username": "alice", "password": PASSWORD}),
        json!({"type": "resume", "token": "0".repeat(64)}),
        json!({"type": "change_password", "old_password": PASSWORD, "new_password": "new-pass-42!"}),
        json!({"type": "logout"}),
        json!({"type": "status.set", "status": "online"}),
        json!({"type": "session.accept", "session_id": s}),
        json!({"type": "session.reject", "session_id": s}),
        json!({"type": "snapshot"}),
        json!({"type": "directory"}),
        json!({"type": "customer.profile", "customer_id": cu}),
        json!({"type": "session.transfer", "session_id": s, "to": {"group": "general"}}),
        json!({"type": "session.tag", "session_id": s, "add": ["x"]}),
        json!({"type": "session.follow_up", "session_id": s, "pending": true}),
        json!({"type": "session.end", "session_id": s}),
        json!({"type": "kb.search", "query": ""}),
        json!({"type": "kb.get", "article_id": 1}),
        json!({"type": "quick_replies.list"}),
    ]
}

fn customer_requests(s: i64) -> Vec<Value> {
    vec![
        json!({"type": "customer.start", "channel": "web"}),
        json!({"type": "customer.resume", "token": "0".repeat(64)}),
        json!({"type": "session.rate", "session_id": s, "stars": 5}),
    ]
}

/// Sends each request with a fresh id and asserts the error.
async fn refuse_all(c: &mut Wire, next_id: &mut i64, requests: Vec<Value>, code: &str, msg: &str) {
    for mut req in requests {
        *next_id += 1;
        req["id"] = json!(*next_id);
        let r = c.call(req.clone()).await;
        assert_error(&r, json!(*next_id), code, msg);
    }
}

fn count(dir: &std::path::Path, sql: &str) -> i64 {
    open_db(dir).query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn agent_requests_on_the_customer_endpoint_do_nothing() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    // Alice is logged in but not online: the session stays queued unless something accepts it.
    let mut alice = kefu::client::Client::connect(&server.url("agent"))
        .await
        .unwrap();
    alice
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();

    let mut c = Wire::open(&server.url("customer")).await;
    let mut id = 0;
    assert_ok(
        &c.call(json!({"id": 0, "type": "hello", "protocol": 1}))
            .await,
    );
    let unidentified = "start or resume a conversation first";
    refuse_all(
        &mut c,
        &mut id,
        agent_requests(1, 1),
        "unauthorized",
        unidentified,
    )
    .await;

    id += 1;
    let start = c
        .call(json!({"id": id, "type": "customer.start", "channel": "web"}))
        .await;
    let session = assert_ok(&start)["session_id"].as_i64().unwrap();
    let customer = assert_ok(&start)["customer_id"].as_i64().unwrap();
    assert_eq!(assert_ok(&start)["state"], "queued");
    // (`session.end` is a customer request too since issue 8: the customer leaves.)
    let requests = agent_requests(session, customer)
        .into_iter()
        .filter(|r| r["type"] != "session.end")
        .collect();
    refuse_all(&mut c, &mut id, requests, "invalid", FOR_AGENTS).await;

    // Nothing was done: no agent logged in or out, the session is still queued.
    assert_eq!(
        stored_session(&open_db(dir.path()), session),
        ("queued".into(), None)
    );
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM tokens"), 2);
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["agent"]["status"], "offline", "{snap}");
    // And the connection carries on.
    id += 1;
    let sent = c
        .call(
            json!({"id": id, "type": "message.send", "session_id": session,
                     "client_msg_id": "m", "body": "hello?"}),
        )
        .await;
    assert_eq!(assert_ok(&sent)["seq"], 1);
    server.stop().await;
}

#[tokio::test]
async fn customer_requests_on_the_agent_endpoint_do_nothing() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        let nina = kefu::admin::NewAgent {
            username: "nina".into(),
            display_name: "Nina".into(),
            employee_no: None,
            contact: None,
            role: Role::Agent,
            groups: vec!["general".into()],
            max_sessions: None,
        };
        kefu::admin::add_agent_with_password(&mut store, nina, PASSWORD, true).unwrap();
    }
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut a = Wire::open(&server.url("agent")).await;
    let mut id = 0;
    assert_ok(
        &a.call(json!({"id": 0, "type": "hello", "protocol": 1}))
            .await,
    );
    let requests = customer_requests(1);
    refuse_all(
        &mut a,
        &mut id,
        requests,
        "unauthorized",
        "log in first (login or resume)",
    )
    .await;

    id += 1;
    let login = a
        .call(json!({"id": id, "type": "login", "username": "nina", "password": PASSWORD}))
        .await;
    assert_eq!(assert_ok(&login)["must_change_password"], true);
    let pending = "you must change your password first (change_password)";
    refuse_all(&mut a, &mut id, customer_requests(1), "forbidden", pending).await;

    id += 1;
    let changed = a
        .call(
            json!({"id": id, "type": "change_password", "old_password": PASSWORD,
                     "new_password": "n1na-pass-42!"}),
        )
        .await;
    assert_ok(&changed);
    refuse_all(
        &mut a,
        &mut id,
        customer_requests(1),
        "invalid",
        FOR_CUSTOMERS,
    )
    .await;

    // No customer, conversation or rating came of it; the connection carries on.
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM customers"), 0);
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM sessions"), 0);
    id += 1;
    let snap = a.call(json!({"id": id, "type": "snapshot"})).await;
    assert_eq!(assert_ok(&snap)["agent"]["username"], "nina");
    server.stop().await;
}
