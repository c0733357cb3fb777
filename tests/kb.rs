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
        ..Article::default()
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
                ..Default::default()
            })?;
            tx.insert_quick_reply(&QuickReply {
                id: 0,
                shortcut: "bye".into(),
                title: "Closing".into(),
                body: "Thanks for contacting us, {customer}!".into(),
                ..Default::default()
            })?;
            Ok(())
        })
        .unwrap();
}

fn summaries(v: &Value) -> Vec<ArticleSummary> {
    serde_json::from_value(v["articles"].clone()).unwrap()
}

/// Searches until `done` holds for the full-text hits (the index catches up with the store on
/// its own thread; until it has, replies are the store's `fallback`), or fails after the
/// deadline.
async fn search_until(
    c: &mut Client,
    query: &str,
    done: impl Fn(&[ArticleSummary]) -> bool,
) -> Vec<ArticleSummary> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = c.call("kb.search", json!({"query": query})).await.unwrap();
        let hits = summaries(&r);
        if r.get("fallback").is_none() && done(&hits) {
            return hits;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{query}: still {hits:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
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

    // Full text, case ignored, best first: the title match before the keyword match.
    let hits = search_until(&mut alice, "REFUND", |h| h.len() == 2).await;
    assert_eq!(
        hits.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(),
        ["Refund policy", "退款多久到账"]
    );
    assert_eq!((hits[1].lang.as_str(), hits[1].updated_at), ("zh", 200));
    let none = alice
        .call("kb.search", json!({"query": "warranty"}))
        .await
        .unwrap();
    assert_eq!(none, json!({"articles": []}));

    // The whole article; an unknown id is not_found.
    let r = alice
        .call("kb.get", json!({"article_id": hits[0].id}))
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

/// Over WebSocket: full-text hits with snippets, an article edited while the server runs
/// (as `kefu admin kb import` would) is found by its new words, its history is kept, and an
/// article sent in a session is recorded there.
#[tokio::test]
async fn full_text_search_snippets_history_and_sent_articles() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let mut shipping = Article {
        title: "Shipping options".into(),
        body: "Standard delivery takes 3 days. Express shipping is $12.99.".into(),
        ..Article::default()
    };
    store
        .transaction(&mut |tx| {
            shipping.id = tx.insert_article(&shipping)?;
            tx.insert_article(&Article {
                title: "售后政策".into(),
                body: "签收后7天内可申请无理由退货。".into(),
                lang: "zh".into(),
                ..Article::default()
            })?;
            Ok(())
        })
        .unwrap();
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let hits = search_until(&mut alice, "express", |h| !h.is_empty()).await;
    assert_eq!(hits[0].title, "Shipping options");
    let snippet = hits[0].snippet.clone().expect("a snippet");
    let (a, b) = snippet.highlights[0];
    assert_eq!(&snippet.text[a..b], "Express");
    let raw = alice
        .call("kb.search", json!({"query": "退货"}))
        .await
        .unwrap();
    assert_eq!(raw["articles"][0]["title"], "售后政策", "{raw}");
    assert!(
        raw["articles"][0]["snippet"]["text"]
            .as_str()
            .unwrap()
            .contains("退货")
    );

    // Edited in the store while the server runs: the index follows.
    shipping.body = "Overnight shipping costs $15.".into();
    store
        .transaction(&mut |tx| tx.save_article(&shipping).map(|_| ()))
        .unwrap();
    let hits = search_until(&mut alice, "overnight", |h| !h.is_empty()).await;
    assert_eq!(hits[0].id, shipping.id);
    let r = alice
        .call("kb.history", json!({"article_id": shipping.id}))
        .await
        .unwrap();
    assert_eq!(r["versions"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(
        api_code(alice.call("kb.history", json!({"article_id": 999})).await),
        ErrorCode::NotFound
    );

    // Sent in the agent's own session: recorded; not in someone else's or a closed one.
    let (_cust, session, _) = server.customer("Bob", None).await;
    let session = {
        let s = accept_next_offer(&mut alice).await;
        assert_eq!(s, session);
        s
    };
    let r = alice
        .call(
            "kb.sent",
            json!({"session_id": session, "article_id": shipping.id}),
        )
        .await
        .unwrap();
    assert_eq!(r["sent"][0]["article_id"], shipping.id, "{r}");
    assert_eq!(r["sent"][0]["version"], 2);
    // Sending the same version again records nothing more.
    let r = alice
        .call(
            "kb.sent",
            json!({"session_id": session, "article_id": shipping.id}),
        )
        .await
        .unwrap();
    assert_eq!(r["sent"].as_array().unwrap().len(), 1, "{r}");
    let r = alice
        .call("kb.sent", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(r["sent"].as_array().unwrap().len(), 1);
    // Listing is for those who may see the session too.
    let listed = alice.call("kb.sent", json!({"session_id": 12345})).await;
    assert_eq!(api_code(listed), ErrorCode::NotFound);
    let missing = alice
        .call("kb.sent", json!({"session_id": session, "article_id": 999}))
        .await;
    assert_eq!(api_code(missing), ErrorCode::NotFound);
    let other = alice
        .call(
            "kb.sent",
            json!({"session_id": 12345, "article_id": shipping.id}),
        )
        .await;
    assert_eq!(api_code(other), ErrorCode::NotFound);
    server.stop().await;
}
