//! Knowledge base and quick replies over real WebSockets: `kb.search`, `kb.get`,
//! `quick_replies.list`, and who may use them.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{Article, ArticleSummary, ErrorCode, QuickReply};
use kefu::store::Store;
use serde_json::{Value, json};

fn article(title: &str, keywords: &[&str], lang: &str, updated_at: i64) -> Article {
    Article {
        id: 0,
        title: title.into(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        lang: lang.into(),
        updated_at,
        body: format!("All about {title}."),
    }
}

fn seed_kb(dir: &std::path::Path) {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    store
        .transaction(&mut |tx| {
            tx.insert_article(&article(
                "Refund policy",
                &["refund", "money back"],
                "en",
                100,
            ))?;
            tx.insert_article(&article(
                "Shipping times",
                &["delivery", "shipping"],
                "en",
                300,
            ))?;
            tx.insert_article(&article("退款多久到账", &["退款", "refund"], "zh", 200))?;
            tx.insert_quick_reply(&QuickReply {
                id: 0,
                shortcut: "hi".into(),
                title: "Greeting".into(),
                body: "Hi {customer}, this is {agent}. How can I help?".into(),
            })?;
            tx.insert_quick_reply(&QuickReply {
                id: 0,
                shortcut: "bye".into(),
                title: "Closing".into(),
                body: "Thanks for contacting us, {customer}!".into(),
            })?;
            Ok(())
        })
        .unwrap();
}

fn summaries(v: &Value) -> Vec<ArticleSummary> {
    serde_json::from_value(v["articles"].clone()).unwrap()
}

#[tokio::test]
async fn agents_search_read_and_list_quick_replies() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    seed_kb(dir.path());
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;

    // An empty query lists every title by id; the limit defaults to 100 and is honoured.
    let all = summaries(&alice.call("kb.search", json!({})).await.unwrap());
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(all[1].keywords, ["delivery", "shipping"]);
    let two = alice
        .call("kb.search", json!({"query": "  ", "limit": 2}))
        .await
        .unwrap();
    assert_eq!(summaries(&two).len(), 2);
    let huge = alice
        .call("kb.search", json!({"query": "", "limit": 4_000_000_000u32}))
        .await
        .unwrap();
    assert_eq!(
        summaries(&huge).len(),
        3,
        "a huge limit is capped, not refused"
    );

    // Case-insensitive substring of title or keywords, most recently updated first.
    let hits = alice
        .call("kb.search", json!({"query": "REFUND"}))
        .await
        .unwrap();
    let hits = summaries(&hits);
    assert_eq!(
        hits.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(),
        ["退款多久到账", "Refund policy"]
    );
    assert_eq!((hits[0].lang.as_str(), hits[0].updated_at), ("zh", 200));
    let none = alice
        .call("kb.search", json!({"query": "warranty"}))
        .await
        .unwrap();
    assert_eq!(none, json!({"articles": []}));

    // The whole article; an unknown id is not_found.
    let r = alice
        .call("kb.get", json!({"article_id": hits[1].id}))
        .await
        .unwrap();
    let a: Article = serde_json::from_value(r["article"].clone()).unwrap();
    assert_eq!(a.body, "All about Refund policy.");
    assert_eq!(a.keywords, ["refund", "money", "back"]);
    let missing = alice.call("kb.get", json!({"article_id": 999})).await;
    assert_eq!(api_code(missing), ErrorCode::NotFound);
    let bad = alice.call("kb.get", json!({"article_id": "one"})).await;
    assert_eq!(api_code(bad), ErrorCode::Invalid);
    let long = alice
        .call("kb.search", json!({"query": "x".repeat(201)}))
        .await;
    assert_eq!(api_code(long), ErrorCode::Invalid);

    // Quick replies in the order they were added, variables untouched.
    let r = alice.call("quick_replies.list", json!({})).await.unwrap();
    let list: Vec<QuickReply> = serde_json::from_value(r["quick_replies"].clone()).unwrap();
    assert_eq!(
        list.iter().map(|q| q.shortcut.as_str()).collect::<Vec<_>>(),
        ["hi", "bye"]
    );
    assert!(list[0].body.contains("{customer}") && list[0].body.contains("{agent}"));
    server.stop().await;
}

#[tokio::test]
async fn only_logged_in_agents_may_read_the_knowledge_base() {
    let dir = tempfile::tempdir().unwrap();
    seed_kb(dir.path());
    common::add_agent(
        dir.path(),
        "alice",
        &["general"],
        kefu::model::Role::Agent,
        None,
    );
    let server = TestServer::start(dir.path(), Default::default()).await;

    let mut anon = Client::connect(&server.url("agent")).await.unwrap();
    for (kind, fields) in [
        ("kb.search", json!({"query": "refund"})),
        ("kb.get", json!({"article_id": 1})),
        ("quick_replies.list", json!({})),
    ] {
        let r = anon.call(kind, fields).await;
        assert_eq!(api_code(r), ErrorCode::Unauthorized, "{kind}");
    }

    // Customers cannot read it either, identified or not.
    let mut cust = Client::connect(&server.url("customer")).await.unwrap();
    let r = cust.call("kb.search", json!({})).await;
    assert_eq!(api_code(r), ErrorCode::Unauthorized);
    cust.call("customer.start", json!({"channel": "web"}))
        .await
        .unwrap();
    let r = cust.call("quick_replies.list", json!({})).await;
    assert_eq!(api_code(r), ErrorCode::Invalid);
    server.stop().await;
}
