//! The demo over real WebSockets: a seeded database serves the demo agent (knowledge base,
//! quick replies, customer history).

mod common;
use common::*;
use kefu::client::Client;
use kefu::demo::{self, SeedInfo};
use kefu::protocol::SessionView;
use serde_json::json;
use std::path::Path;

fn seeded(dir: &Path) -> SeedInfo {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    demo::seed(&mut store, kefu::model::now_ms()).unwrap()
}

async fn demo_agent(server: &TestServer, info: &SeedInfo) -> Client {
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    let r = c
        .call(
            "login",
            json!({"username": info.username, "password": info.password}),
        )
        .await
        .unwrap();
    assert_eq!(r["must_change_password"], false);
    c.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    c
}

#[tokio::test]
async fn a_seeded_database_serves_the_demo_agent() {
    let dir = tempfile::tempdir().unwrap();
    let info = seeded(dir.path());
    assert_eq!(
        (info.username.as_str(), info.password.as_str()),
        ("demo", "demo-pass-1!")
    );
    assert!(info.articles >= 40 && info.quick_replies >= 12);
    // Seeding twice is refused.
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    assert!(demo::seed(&mut store, kefu::model::now_ms()).is_err());
    drop(store);

    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut agent = demo_agent(&server, &info).await;
    let r = agent
        .call("kb.search", json!({"limit": 100000}))
        .await
        .unwrap();
    let articles = r["articles"].as_array().unwrap();
    assert!(articles.len() >= 40, "{} articles", articles.len());
    assert!(
        articles.iter().any(|a| a["lang"] == "zh") && articles.iter().any(|a| a["lang"] == "en")
    );
    let r = agent
        .call("kb.search", json!({"query": "退款"}))
        .await
        .unwrap();
    assert!(!r["articles"].as_array().unwrap().is_empty());
    let r = agent.call("quick_replies.list", json!({})).await.unwrap();
    let shortcuts: Vec<&str> = r["quick_replies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["shortcut"].as_str())
        .collect();
    for s in ["hi", "order", "sorry", "bye", "refund"] {
        assert!(shortcuts.contains(&s), "{s} in {shortcuts:?}");
    }

    // 张伟 (VIP, two past sessions) comes back; the demo agent serves them and sees history.
    let mut cust = Client::connect(&server.url("customer")).await.unwrap();
    let r = cust
        .call(
            "customer.start",
            json!({"channel": "app", "external_id": "u10001", "group": "presales"}),
        )
        .await
        .unwrap();
    let session = r["session_id"].as_i64().unwrap();
    let accepted = accept_next_offer(&mut agent).await;
    assert_eq!(accepted, session);
    let customer_id = r["customer_id"].as_i64().unwrap();
    let p = agent
        .call("customer.profile", json!({"customer_id": customer_id}))
        .await
        .unwrap();
    assert_eq!(p["customer"]["nickname"], "张伟");
    assert_eq!(p["customer"]["vip"], true);
    let sessions: Vec<SessionView> = serde_json::from_value(p["sessions"].clone()).unwrap();
    let past: Vec<&SessionView> = sessions.iter().filter(|s| s.id != session).collect();
    assert_eq!(past.len(), 2);
    assert!(
        past.iter()
            .all(|s| s.ended_at.is_some() && s.end_reason.is_some())
    );
    assert!(
        past.iter()
            .any(|s| s.tags.contains(&"物流问题-已解决".to_string()) && s.csat == Some(5))
    );
    // Past transcripts are readable too.
    let t = agent
        .call("session.transcript", json!({"session_id": past[0].id}))
        .await
        .unwrap();
    assert!(t["messages"].as_array().unwrap().len() >= 3);
    server.stop().await;
}
