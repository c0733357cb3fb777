//! Webhook delivery against a real receiver: a receiver answering 500, then one whose port is
//! closed, gets everything once it is back, in order, nothing lost; and a `kefu serve`
//! SIGKILLed mid-flow loses no acknowledged message and resumes delivery after the restart.

mod channel_support;
mod common;
use channel_support::*;
use common::process::{ServeProcess, free_port};
use common::*;
use kefu::model::Role;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

fn fast() -> kefu::config::ServerConfig {
    let mut c = config_with_groups(&["general"]);
    c.webhooks.retry_base_ms = 20;
    c.webhooks.retry_max_ms = 200;
    c.webhooks.poll_ms = 20;
    c
}

fn message(ext: &str, text: &str, key: &str) -> Value {
    json!({"external_customer_id": ext, "text": text, "idempotency_key": key})
}

async fn reply(agent: &mut kefu::client::Client, session: i64, text: &str) {
    agent
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": text, "body": text}),
        )
        .await
        .unwrap();
}

/// Agent messages among accepted deliveries, by body, in arrival order.
fn replies(got: &[Value]) -> Vec<String> {
    kinds(got)
        .into_iter()
        .filter_map(|k| k.strip_prefix("message:").map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_refusing_then_closed_receiver_gets_everything_in_order_once_back() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let rx = Receiver::start().await;
    let secret = add_integration(dir.path(), "shop", &rx.url());
    let server = TestServer::start(dir.path(), fast()).await;
    let addr = server.addr.to_string();
    let mut alice = server.agent("alice").await;
    let (s, out) = post_message(&addr, "shop", &secret, &message("u-1", "hi", "k1")).await;
    assert_eq!(s, 201, "{out}");
    let session = accept_next_offer(&mut alice).await;
    rx.wait_accepted("agent_joined", |g| g.len() == 1).await;

    // Down: every POST gets 500.
    rx.status.store(500, Ordering::SeqCst);
    for t in ["one", "two", "three"] {
        reply(&mut alice, session, t).await;
    }
    // Retried (the same first event), never skipped ahead.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while rx.all().iter().filter(|d| d.status == 500).count() < 3 {
        assert!(std::time::Instant::now() < deadline, "no retries");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let refused: Vec<String> = rx
        .all()
        .iter()
        .filter(|d| d.status == 500)
        .map(|d| replies(&[d.json()]).join(""))
        .collect();
    assert!(refused.iter().all(|b| b == "one"), "{refused:?}");
    rx.status.store(200, Ordering::SeqCst);
    let got = rx
        .wait_accepted("three replies", |g| replies(g).len() >= 3)
        .await;
    assert_eq!(replies(&got), ["one", "two", "three"]);

    // Closed port: the receiver goes away entirely, then comes back on the same address.
    let hook = rx.addr;
    rx.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    for t in ["four", "five"] {
        reply(&mut alice, session, t).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let back = Receiver::start_on(&hook.to_string()).await;
    let got2 = back
        .wait_accepted("four and five", |g| replies(g).len() >= 2)
        .await;
    assert_eq!(replies(&got2), ["four", "five"]);
    for d in back.all() {
        assert!(d.verifies(&secret));
    }
    // Nothing was delivered twice after a 2xx.
    let ids: Vec<i64> = got
        .iter()
        .chain(got2.iter())
        .map(|e| e["event_id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_sigkilled_server_loses_nothing_acknowledged_and_resumes_delivery() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let rx = Receiver::start().await;
    let secret = add_integration(dir.path(), "shop", &rx.url());
    let toml = "[[groups]]\nname = \"general\"\n\n[webhooks]\nretry_base_ms = 20\n\
                retry_max_ms = 200\npoll_ms = 20\n";
    let port = free_port();
    let mut server = ServeProcess::spawn(dir.path(), port, toml);
    let addr = format!("127.0.0.1:{port}");
    let mut alice = server.connect("agent").await;
    login_online(&mut alice, "alice").await;
    let (s, first) = post_message(&addr, "shop", &secret, &message("u-1", "m0", "k0")).await;
    assert_eq!(s, 201, "{first}");
    let session = accept_next_offer(&mut alice).await;

    // The receiver refuses, so replies pile up in the outbox; messages keep coming in.
    rx.status.store(503, Ordering::SeqCst);
    let mut acked = vec![first.clone()];
    for i in 1..=5 {
        reply(&mut alice, session, &format!("r{i}")).await;
        let (s, out) = post_message(
            &addr,
            "shop",
            &secret,
            &message("u-1", &format!("m{i}"), &format!("k{i}")),
        )
        .await;
        assert_eq!(s, 201, "{out}");
        acked.push(out);
    }
    server.kill9();
    drop(alice);

    rx.status.store(200, Ordering::SeqCst);
    let mut server = ServeProcess::spawn(dir.path(), port, toml);
    let _hello = server.connect("agent").await;
    // Every acknowledged message is stored, once, with the seq it was acknowledged with.
    let db = open_db(dir.path());
    for out in &acked {
        let (n, body): (i64, String) = db
            .query_row(
                "SELECT COUNT(*), MAX(body) FROM messages WHERE session_id = ?1 AND seq = ?2",
                [out["conversation_id"].as_i64(), out["seq"].as_i64()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(n, 1, "{out}");
        assert!(body.starts_with('m'), "{body}");
    }
    drop(db);
    // A retry after the restart gets the first answer.
    let (s, again) = post_message(&addr, "shop", &secret, &message("u-1", "m3", "k3")).await;
    assert_eq!((s, &again), (200, &acked[3]));
    // The replies sent before the kill are delivered after it, in order.
    let got = rx
        .wait_accepted("the five replies", |g| replies(g).len() >= 5)
        .await;
    assert_eq!(replies(&got), ["r1", "r2", "r3", "r4", "r5"]);
    for d in rx.all() {
        assert!(d.verifies(&secret));
    }
    // And new ones still flow.
    let mut alice = server.connect("agent").await;
    login_online(&mut alice, "alice").await;
    reply(&mut alice, session, "after").await;
    let got = rx
        .wait_accepted("the reply after the restart", |g| {
            replies(g).last().map(String::as_str) == Some("after")
        })
        .await;
    assert_eq!(replies(&got), ["r1", "r2", "r3", "r4", "r5", "after"]);
}

/// A quiet integration's cursor follows the head past other customers' events, so its sender
/// does not walk an ever longer stretch of the log on every poll.
#[tokio::test]
async fn a_quiet_integrations_cursor_moves_past_other_customers_events() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let rx = Receiver::start().await;
    add_integration(dir.path(), "shop", &rx.url());
    let server = TestServer::start(dir.path(), fast()).await;
    let mut alice = server.agent("alice").await;
    let (mut web, session, _) = server.customer("web customer", None).await;
    accept_next_offer(&mut alice).await;
    for k in 0..3 {
        web.call(
            "message.send",
            json!({"session_id": session, "client_msg_id": format!("w{k}"), "body": "hi"}),
        )
        .await
        .unwrap();
        reply(&mut alice, session, &format!("a{k}")).await;
    }
    let db = open_db(dir.path());
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (cursor, head): (i64, i64) = db
            .query_row(
                "SELECT (SELECT webhook_cursor FROM integrations), (SELECT MAX(id) FROM events)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        if cursor >= head {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "cursor {cursor}, head {head}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        rx.all().is_empty(),
        "nothing of the web customer is the integration's"
    );
    server.stop().await;
}
