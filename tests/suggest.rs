//! Recommended replies, message intents and intent effects over the real WebSocket protocol:
//! `session.suggest` puts the right article first for a customer's newest message (en and zh)
//! and is refused to an agent not on the session; each customer message's intent reaches the
//! serving agent; an intent file's `route_group` moves a still-queued complaint (never an
//! accepted one); a bad intent file stops the server from starting.

mod common;

use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{
    Article, ErrorCode, Event, IntentEffectInfo, QuickReply, ServerFrame, SuggestReply,
};
use serde_json::json;
use std::time::Instant;

fn art(title: &str, body: &str, questions: &[&str], lang: &str) -> Article {
    Article {
        title: title.into(),
        body: body.into(),
        questions: questions.iter().map(|q| q.to_string()).collect(),
        lang: lang.into(),
        updated_at: 1,
        ..Article::default()
    }
}

fn seed(dir: &std::path::Path) {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    let articles = [
        art(
            "Shipping options",
            "Standard delivery takes 3–5 business days. Express shipping is $12.99 and arrives the next business day.",
            &["How long does delivery take?"],
            "en",
        ),
        art(
            "Refund policy",
            "Refunds are issued to the original payment method within 5 business days.",
            &["Can I get my money back?"],
            "en",
        ),
        art(
            "售后政策",
            "签收后7天内可申请无理由退货，商品需保持完好，不影响二次销售。",
            &[],
            "zh",
        ),
        art(
            "退款多久到账",
            "审核通过后，款项1–3个工作日内原路退回。",
            &["钱什么时候退回来"],
            "zh",
        ),
        art(
            "发票开具",
            "订单完成后可在订单详情页申请电子发票。",
            &[],
            "zh",
        ),
        art(
            "忘记密码",
            "在登录页点击忘记密码，通过短信验证码重置。",
            &[],
            "zh",
        ),
    ];
    let replies = [
        ("hi", "问候", "您好 {customer}，很高兴为您服务"),
        (
            "ret",
            "退货说明",
            "退货请在订单详情页点击申请退货，7天内无理由退货",
        ),
        ("ship", "Shipping fee", "Express shipping costs $12.99"),
    ];
    store
        .transaction(&mut |tx| {
            for a in &articles {
                tx.insert_article(a)?;
            }
            for (shortcut, title, body) in replies {
                tx.insert_quick_reply(&QuickReply {
                    id: 0,
                    shortcut: shortcut.into(),
                    title: title.into(),
                    body: body.into(),
                    ..Default::default()
                })?;
            }
            Ok(())
        })
        .unwrap();
}

/// Waits until the knowledge base's index has caught up with the store (until then searches,
/// and so suggestions, answer from the store's title match, marked `fallback`).
async fn wait_index(agent: &mut Client) {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = agent
            .call("kb.search", json!({"query": "index ready?"}))
            .await
            .unwrap();
        if r.get("fallback").is_none() {
            return;
        }
        assert!(Instant::now() < deadline, "the index never caught up");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn suggest(agent: &mut Client, session: i64) -> SuggestReply {
    wait_index(agent).await;
    raw_suggest(agent, session).await
}

async fn raw_suggest(agent: &mut Client, session: i64) -> SuggestReply {
    let v = agent
        .call("session.suggest", json!({"session_id": session}))
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn say(customer: &mut Client, session: i64, body: &str) -> i64 {
    let ack = customer
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": body, "body": body}),
        )
        .await
        .unwrap();
    ack["seq"].as_i64().unwrap()
}

/// Waits for the `message_intent` frame of message `seq`: (intent, zh name).
async fn wait_intent(agent: &mut Client, session: i64, seq: i64) -> (String, String) {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match agent.next_frame(left).await {
            Ok(ServerFrame::MessageIntent {
                session_id,
                seq: s,
                intent,
                zh,
                ..
            }) if session_id == session && s == seq => return (intent, zh),
            Ok(f) => eprintln!("skip {f:?}"),
            Err(e) => panic!("no intent for message {seq}: {e}"),
        }
    }
}

#[tokio::test]
async fn the_right_article_comes_first_for_the_newest_customer_message() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("小王", None).await;
    accept_next_offer(&mut alice).await;

    // Nothing to suggest before the customer said anything.
    let empty = suggest(&mut alice, session).await;
    assert_eq!((empty.for_seq, empty.articles.len()), (None, 0));

    let seq = say(&mut cust, session, "how much is express shipping").await;
    wait_message(&mut alice, "how much is express shipping").await;
    let started = Instant::now();
    let r = suggest(&mut alice, session).await;
    println!("session.suggest round trip: {:?}", started.elapsed());
    assert_eq!(r.session_id, session);
    assert_eq!(r.for_seq, Some(seq));
    let titles: Vec<&str> = r
        .articles
        .iter()
        .map(|a| a.article.title.as_str())
        .collect();
    assert_eq!(titles.first(), Some(&"Shipping options"), "{titles:?}");
    assert!(r.articles[0].body.contains("$12.99"), "the body to adopt");
    assert!(r.articles.len() <= 3 && r.quick_replies.len() <= 3);
    assert_eq!(r.quick_replies.first().map(|q| q.id), Some(3), "{r:?}");
    wait_intent(&mut alice, session, seq).await;

    // An agent's own message does not change what the suggestions are for.
    alice
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1", "body": "One moment"}),
        )
        .await
        .unwrap();
    let seq2 = say(&mut cust, session, "我想退货").await;
    wait_message(&mut alice, "我想退货").await;
    let r = suggest(&mut alice, session).await;
    assert_eq!(r.for_seq, Some(seq2));
    let titles: Vec<&str> = r
        .articles
        .iter()
        .map(|a| a.article.title.as_str())
        .collect();
    assert_eq!(titles.first(), Some(&"售后政策"), "{titles:?}");
    assert_eq!(r.quick_replies.first().map(|q| q.id), Some(2), "{r:?}");
    // The message's intent reaches the serving agent, named as the catalog names it.
    let (intent, zh) = wait_intent(&mut alice, session, seq2).await;
    assert_eq!((intent.as_str(), zh.as_str()), ("refund", "退款"));
    assert_eq!(r.intent.as_deref(), Some("refund"));

    // Bob is not on the session: refused, like the transcript.
    let mut bob = server.agent("bob").await;
    let refused = bob
        .call("session.suggest", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(refused), ErrorCode::Forbidden);
    let missing = alice
        .call("session.suggest", json!({"session_id": 9999}))
        .await;
    assert_eq!(api_code(missing), ErrorCode::NotFound);
    // On the customer endpoint it is not a request at all.
    let theirs = cust
        .call("session.suggest", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(theirs), ErrorCode::Invalid);
    server.stop().await;
}

const INTENTS: &str = r#"
[[intent]]
name = "complaint"
zh = "投诉"
en = "Complaint"
effects = { priority = 2, route_group = "aftersales" }
examples = ["我要投诉", "你们的服务太差了", "客服态度恶劣，我要投诉", "I want to file a complaint",
  "your service is terrible", "the agent was rude to me"]

[[intent]]
name = "logistics"
zh = "物流"
en = "Logistics"
examples = ["我的快递到哪里了", "物流三天没更新", "where is my parcel", "my package has not arrived",
  "how much is shipping", "快递什么时候到"]
"#;

fn intents_config(dir: &std::path::Path, intents: &str) -> kefu::config::ServerConfig {
    let file = dir.join("intents.toml");
    std::fs::write(&file, intents).unwrap();
    let mut config = config_with_groups(&["general", "aftersales"]);
    config.intents.file = Some(file);
    config
}

#[tokio::test]
async fn a_queued_complaint_moves_to_its_route_group_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "sup", &["general"], Role::Supervisor, None);
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let config = intents_config(dir.path(), INTENTS);
    let server = TestServer::start(dir.path(), config).await;
    // The supervisor sees every session but is not online: nobody takes the complaint.
    let mut sup = Client::connect(&server.url("agent")).await.unwrap();
    sup.call("login", json!({"username": "sup", "password": PASSWORD}))
        .await
        .unwrap();
    let (mut cust, session, _) = server.customer("老李", Some("general")).await;
    say(&mut cust, session, "我要投诉，你们的客服态度太差了").await;
    let (_, ev) = sup
        .wait_event(WAIT, |e| matches!(e, Event::IntentEffect(_)))
        .await
        .unwrap();
    assert_eq!(
        ev,
        Event::IntentEffect(IntentEffectInfo {
            session_id: session,
            intent: "complaint".into(),
            priority: Some(2),
            route_group: Some("aftersales".into()),
        })
    );
    let snap = sup.call("snapshot", json!({})).await.unwrap();
    let view = ["sessions", "queued"]
        .iter()
        .flat_map(|k| snap[*k].as_array().cloned().unwrap_or_default())
        .find(|s| s["id"] == json!(session))
        .unwrap_or_else(|| panic!("{snap}"));
    assert_eq!(view["group"], json!("aftersales"));
    assert_eq!(view["priority"], json!(2));
    assert_eq!(view["intent"], json!("complaint"));

    // An accepted conversation is never moved: alice (general) takes a new one, its customer
    // complains, and once the message's intent is known it is still hers, in general.
    let mut alice = server.agent("alice").await;
    let (mut cust2, session2, _) = server.customer("小张", Some("general")).await;
    accept_next_offer(&mut alice).await;
    let seq = say(&mut cust2, session2, "我要投诉，你们的服务太差了").await;
    let (intent, _) = wait_intent(&mut alice, session2, seq).await;
    assert_eq!(intent, "complaint");
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    let mine = snap["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(session2))
        .cloned()
        .unwrap_or_else(|| panic!("{snap}"));
    assert_eq!(mine["group"], json!("general"));
    assert_eq!(mine["priority"], json!(0));
    server.stop().await;
}

#[tokio::test]
async fn a_bad_intent_file_stops_the_server_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bad_group = INTENTS.replace("aftersales", "nowhere");
    for (intents, reason) in [
        (
            bad_group.as_str(),
            "route_group \"nowhere\" is not a skill group",
        ),
        ("[[intent]]\nname = \"a\"\n", "intents.toml"),
        (
            &*format!("{INTENTS}\n[[intent]]\nname='complaint'\nzh='x'\nen='x'\nexamples=['x']\n"),
            "defined twice",
        ),
    ] {
        let config = intents_config(dir.path(), intents);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = kefu::server::run(listener, config, dir.path().to_path_buf(), async {})
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(reason), "{err}");
    }
}

#[test]
fn the_intent_file_is_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kefu.toml");
    std::fs::write(&path, "[intents]\nfile = \"my-intents.toml\"\n").unwrap();
    let config = kefu::config::ServerConfig::load(&path).unwrap();
    assert_eq!(
        config.intents.file,
        Some(dir.path().join("my-intents.toml"))
    );
}

/// The cost of `session.suggest` on a knowledge base of 3,000 articles and 200 quick replies:
/// round trips over the WebSocket, printed (no timing asserts; `docs/performance.md` has the
/// figure). Run with `--nocapture` to see it.
#[tokio::test]
async fn suggest_timing_on_a_few_thousand_articles() {
    const ARTICLES: usize = 3_000;
    const QUICK: usize = 200;
    let words = [
        "退款",
        "物流",
        "快递",
        "发票",
        "会员",
        "退货",
        "运费",
        "积分",
        "优惠券",
        "地址",
        "refund",
        "shipping",
        "invoice",
        "member",
        "coupon",
        "address",
        "password",
        "order",
        "return",
        "express",
    ];
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        let mut rng = XorShift(42);
        let mut pick = |n: usize| -> String {
            (0..n)
                .map(|_| words[rng.below(words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let articles: Vec<Article> = (0..ARTICLES)
            .map(|i| {
                let mut a = art(&format!("{} {i}", pick(3)), &pick(60), &[&pick(5)], "zh");
                a.category = pick(1);
                a
            })
            .collect();
        let replies: Vec<QuickReply> = (0..QUICK)
            .map(|i| QuickReply {
                id: 0,
                shortcut: format!("q{i}"),
                title: pick(2),
                body: pick(20),
                ..Default::default()
            })
            .collect();
        store
            .transaction(&mut |tx| {
                for a in &articles {
                    tx.insert_article(a)?;
                }
                for q in &replies {
                    tx.insert_quick_reply(q)?;
                }
                Ok(())
            })
            .unwrap();
    }
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("小王", None).await;
    accept_next_offer(&mut alice).await;
    say(
        &mut cust,
        session,
        "我想退货，运费谁出？express shipping refund",
    )
    .await;
    wait_index(&mut alice).await;
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let r = raw_suggest(&mut alice, session).await;
        times.push(t.elapsed());
        assert!(r.for_seq.is_some() && !r.articles.is_empty());
    }
    times.sort();
    println!(
        "session.suggest over {ARTICLES} articles, {QUICK} quick replies ({} build): p50 {:?}, p90 {:?}, max {:?}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        times[50],
        times[90],
        times[99]
    );
    server.stop().await;
}
