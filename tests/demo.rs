//! The demo over real WebSockets: a seeded database serves the demo agent (knowledge base,
//! quick replies, customer history), and the simulator's customers talk to them.

mod common;
use common::*;
use kefu::client::Client;
use kefu::demo::{self, Pace, SeedInfo};
use kefu::model::AuthorKind;
use kefu::protocol::{Event, MessageView, SessionView};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

fn seeded(dir: &Path) -> SeedInfo {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    demo::seed(&mut store, kefu::model::now_ms()).unwrap()
}

/// A server configured like `kefu demo`'s: external ids must be signed with this secret.
const SECRET: &str = "demo-test-secret-0123456789abcdef";

fn signed_config() -> kefu::config::ServerConfig {
    let mut config = kefu::config::ServerConfig::default();
    config.auth.customer_identity_secret = Some(SECRET.into());
    config
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
        ("demo", "tea-and-kefu-1!")
    );
    assert!(info.articles >= 40 && info.quick_replies >= 12);
    // Seeding twice is refused.
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    assert!(demo::seed(&mut store, kefu::model::now_ms()).is_err());
    drop(store);

    let server = TestServer::start(dir.path(), signed_config()).await;
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
    let expires = kefu::model::now_ms() / 1000 + 60;
    let sig = kefu::auth::sign_customer_identity(SECRET, "u10001", expires);
    let r = cust
        .call(
            "customer.start",
            json!({"channel": "app", "external_id": "u10001", "group": "presales",
                   "external_id_expires": expires, "external_id_signature": sig}),
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

/// Polls the transcript until the customer has written something.
async fn first_customer_message(agent: &mut Client, session: i64) -> MessageView {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        let t = agent
            .call("session.transcript", json!({"session_id": session}))
            .await
            .unwrap();
        let messages: Vec<MessageView> = serde_json::from_value(t["messages"].clone()).unwrap();
        if let Some(m) = messages
            .into_iter()
            .find(|m| m.author_kind == AuthorKind::Customer)
        {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the simulated customer never wrote");
}

#[tokio::test]
async fn simulated_customers_talk_to_the_demo_agent() {
    let dir = tempfile::tempdir().unwrap();
    let info = seeded(dir.path());
    let server = TestServer::start(dir.path(), signed_config()).await;
    let mut agent = demo_agent(&server, &info).await;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sim = tokio::spawn(demo::run(
        format!("ws://{}", server.addr),
        info.clone(),
        Pace {
            identity_secret: Some(SECRET.into()),
            // Seeded customers only, so every conversation proves its signature passed.
            anonymous_chance: 0.0,
            ..Pace::fast()
        },
        stopped,
    ));

    let session = accept_next_offer(&mut agent).await;
    let opening = first_customer_message(&mut agent, session).await;
    assert!(!opening.body.is_empty());
    let ack = agent
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1",
                   "body": "您好，请提供一下订单号 / Could you give me your order number?"}),
        )
        .await
        .unwrap();
    let my_seq = ack["seq"].as_i64().unwrap();
    let (_, ev) = agent
        .wait_event(WAIT, |e| {
            matches!(e, Event::Message { message }
                if message.session_id == session
                    && message.author_kind == AuthorKind::Customer
                    && message.seq > my_seq)
        })
        .await
        .expect("a follow-up from the simulated customer");
    let Event::Message { message } = ev else {
        unreachable!()
    };
    assert!(!message.body.contains("{order}"), "{}", message.body);

    // Ending the session gets a rating of 3–5 stars (read from the database while serving).
    agent
        .call(
            "session.end",
            json!({"session_id": session, "outcome": "resolved"}),
        )
        .await
        .unwrap();
    let csat = rated(&dir.path().join("kefu.db"), session).await;
    assert!((3..=5).contains(&csat), "{csat}");

    // Shutdown is prompt.
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(3), sim)
        .await
        .expect("the simulator stops promptly")
        .unwrap();
    server.stop().await;
}

async fn rated(db: &Path, session: i64) -> u8 {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        let mut store = kefu::store::SqliteStore::open(db).unwrap();
        let mut csat = None;
        kefu::store::Store::transaction(&mut store, &mut |tx| {
            csat = tx.session(session)?.and_then(|s| s.csat);
            Ok(())
        })
        .unwrap();
        if let Some(c) = csat {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the simulated customer never rated session {session}");
}

/// With the demo's own server config, an offer gives the agent minutes, not the server's
/// default 30 s (two missed offers set a newcomer away within a minute of starting).
#[tokio::test]
async fn demo_offers_leave_time_to_look_around() {
    let dir = tempfile::tempdir().unwrap();
    let info = seeded(dir.path());
    let server = TestServer::start(dir.path(), demo::demo_config()).await;
    let mut agent = demo_agent(&server, &info).await;
    // (Logistics: presales and aftersales customers meet the answering bot first.)
    let (_cust, session, _) = server.customer("Newcomer", Some("logistics")).await;
    let (_, ev) = agent
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Offer { session: s, .. } if s.id == session),
        )
        .await
        .unwrap();
    let Event::Offer { expires_at, .. } = ev else {
        unreachable!()
    };
    let left = expires_at - kefu::model::now_ms();
    assert!(left >= 120_000, "only {left} ms to accept");
    server.stop().await;
}

/// The demo runs the answering bot in front of presales: a customer there meets the bot, which
/// answers from the seeded knowledge base and hands off when asked.
#[tokio::test]
async fn the_demo_bot_fronts_presales() {
    let dir = tempfile::tempdir().unwrap();
    let info = seeded(dir.path());
    let server = TestServer::start(dir.path(), demo::demo_config()).await;
    let mut agent = demo_agent(&server, &info).await;
    let (mut c, session, _) = server.customer("Visitor", Some("presales")).await;
    let bot_says = |e: &Event| matches!(e, Event::Message { message } if message.author_kind == AuthorKind::Bot);
    c.wait_event(WAIT, bot_says).await.unwrap();
    c.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "q1", "body": "我想开一张发票"}),
    )
    .await
    .unwrap();
    let (_, ev) = c.wait_event(WAIT, bot_says).await.unwrap();
    let Event::Message { message } = ev else {
        unreachable!()
    };
    assert!(message.body.starts_with("发票开具"), "{}", message.body);
    c.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "q2", "body": "转人工"}),
    )
    .await
    .unwrap();
    agent
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Offer { session: s, .. } if s.id == session),
        )
        .await
        .unwrap();
    server.stop().await;
}
