//! The answering bot in front of a group (`docs/bot.md`), on a real server with real WebSocket
//! clients: it greets, answers from the knowledge base (Chinese and English paraphrases), says
//! honestly when it does not know, and hands off to the human queue for each trigger — a request
//! for a person, unanswered turns, a complaint, a strongly negative message, a VIP customer —
//! telling the customer and showing the agent the bot's part and why. A group (or channel)
//! without the bot queues as before; a restart keeps a conversation with the bot.

mod channel_support;
mod common;
mod metrics_support;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::{AuthorKind, Channel, Role, SessionState};
use kefu::protocol::{Article, CustomerView, Event, HandoffReason, MessageView, TranscriptReply};
use serde_json::json;
use std::path::Path;

fn config() -> ServerConfig {
    let mut c = config_with_groups(&["general", "humans"]);
    c.groups[0].bot = Some(true);
    c.auth.allow_unsigned_external_ids = true;
    c
}

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

/// A small zh + en knowledge base, and a VIP customer known by an external id.
fn seed(dir: &Path) {
    let mut store = kefu::server::open_store(dir, &config()).unwrap();
    let articles = [
        art(
            "退款多久到账",
            "审核通过后，款项1–3个工作日内原路退回。",
            &["钱什么时候退回来", "退款什么时候到账"],
            "zh",
        ),
        art(
            "如何查询物流",
            "在我的订单中查看快递单号和物流轨迹。",
            &["我的快递到哪了"],
            "zh",
        ),
        art(
            "Refund policy",
            "Refunds are issued to the original payment method within 5 business days.",
            &["Can I get my money back?", "How do I get a refund?"],
            "en",
        ),
        art(
            "Shipping options",
            "Standard delivery takes 3–5 business days. Express shipping is $12.99.",
            &["How long does delivery take?"],
            "en",
        ),
    ];
    store
        .transaction(&mut |tx| {
            for a in &articles {
                tx.save_article(a)?;
            }
            let vip = CustomerView {
                id: 900,
                external_id: Some("vip-1".into()),
                nickname: "Big Spender".into(),
                channel: Channel::Web,
                vip: true,
                tags: Vec::new(),
            };
            tx.insert_customer(&vip, 1)
        })
        .unwrap();
}

async fn setup(dir: &Path, config: ServerConfig) -> TestServer {
    seed(dir);
    add_agent(dir, "ann", &["general", "humans"], Role::Agent, None);
    add_agent(dir, "sue", &["general"], Role::Supervisor, None);
    let server = TestServer::start(dir, config).await;
    wait_index(&server).await;
    server
}

/// Waits until the knowledge base's index has caught up with the store (it does so in the
/// background after a start; until then the bot matches on the store's titles only).
async fn wait_index(server: &TestServer) {
    // Logged in but not online: no offer can go to this connection.
    let mut sue = Client::connect(&server.url("agent")).await.unwrap();
    sue.call("login", json!({"username": "sue", "password": PASSWORD}))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = sue
            .call("kb.search", json!({"query": "index ready?"}))
            .await
            .unwrap();
        if r.get("fallback").is_none() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The next message of `kind` the client is sent.
async fn next_from(c: &mut Client, kind: AuthorKind) -> MessageView {
    let (_, ev) = c
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Message { message } if message.author_kind == kind),
        )
        .await
        .unwrap_or_else(|e| panic!("waiting for a {kind:?} message: {e}"));
    let Event::Message { message } = ev else {
        unreachable!()
    };
    message
}

async fn say(c: &mut Client, session: i64, body: &str) {
    c.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": body, "body": body}),
    )
    .await
    .unwrap();
}

/// A customer whose conversation the bot took: (client, session), greeted already.
async fn bot_customer(server: &TestServer, nickname: &str) -> (Client, i64, String) {
    let (mut c, session, token) = server.customer(nickname, Some("general")).await;
    let greeting = next_from(&mut c, AuthorKind::Bot).await;
    assert!(greeting.body.contains("转人工"), "{}", greeting.body);
    assert!(greeting.body.contains("agent"), "{}", greeting.body);
    assert_eq!(
        greeting.author_name,
        kefu::config::BotConfig::default().name
    );
    (c, session, token)
}

fn stored_bot(dir: &Path, session: i64) -> serde_json::Value {
    let db = open_db(dir);
    let text: Option<String> = db
        .query_row("SELECT bot FROM sessions WHERE id = ?1", [session], |r| {
            r.get(0)
        })
        .unwrap();
    serde_json::from_str(&text.unwrap_or_else(|| "null".into())).unwrap()
}

#[tokio::test]
async fn the_bot_answers_from_the_kb_in_both_languages_and_says_when_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path(), config()).await;
    let mut ann = server.agent("ann").await;
    let (mut c, session, _) = bot_customer(&server, "lin").await;
    assert_eq!(stored_session(&open_db(dir.path()), session).0, "bot");

    say(&mut c, session, "请问退款多久能到账？").await;
    let a = next_from(&mut c, AuthorKind::Bot).await;
    assert!(a.body.starts_with("退款多久到账"), "{}", a.body);
    assert!(a.body.contains("原路退回"), "{}", a.body);

    say(&mut c, session, "how can I get a refund for my order").await;
    let a = next_from(&mut c, AuthorKind::Bot).await;
    assert!(a.body.starts_with("Refund policy"), "{}", a.body);

    // Honest when it does not know, in the customer's language, offering a person.
    say(&mut c, session, "what is the weather like on mars").await;
    let a = next_from(&mut c, AuthorKind::Bot).await;
    assert_eq!(a.body, kefu::config::BotConfig::default().fallback_en);
    // An answer in between resets the count: one more unknown turn does not hand off yet.
    say(&mut c, session, "我的快递到哪了").await;
    let a = next_from(&mut c, AuthorKind::Bot).await;
    assert!(a.body.starts_with("如何查询物流"), "{}", a.body);

    // Nothing reached the agents: no offer, no queue.
    let snap = ann.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["offers"], json!([]), "{snap}");
    assert_eq!(stored_session(&open_db(dir.path()), session).0, "bot");

    // Ending with the bot after answers: resolved by the bot.
    c.call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    let bot = wait_stored(dir.path(), session, |b| b["outcome"] == "resolved").await;
    assert_eq!(bot["answers"], 3, "{bot}");
    assert_eq!(bot["turns"], 4, "{bot}");
    assert!(bot.get("handoff").is_none(), "{bot}");
    let e = metrics(&server).await;
    assert_eq!(e.get("kefu_bot_turns_total", &[("answered", "true")]), 3.0);
    assert_eq!(e.get("kefu_bot_turns_total", &[("answered", "false")]), 1.0);
    assert_eq!(
        e.get("kefu_bot_ended_total", &[("outcome", "resolved")]),
        1.0
    );
    server.stop().await;
}

async fn metrics(server: &TestServer) -> metrics_support::Exposition {
    let r = metrics_support::http_get(server.addr, "/metrics", &[]).await;
    assert_eq!(r.status, 200);
    metrics_support::parse(&r.body)
}

/// Waits until the stored bot record satisfies `done` (the write follows the reply).
async fn wait_stored(
    dir: &Path,
    session: i64,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let bot = stored_bot(dir, session);
        if done(&bot) {
            return bot;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stored bot record never got there: {bot}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Sends `texts`, then expects a hand-off for `reason`: the customer is told, the agent gets
/// the offer with the reason, and after accepting reads the bot's part of the transcript.
async fn hands_off(texts: &[&str], reason: HandoffReason, told: &str) {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path(), config()).await;
    let mut ann = server.agent("ann").await;
    let (mut c, session, _) = bot_customer(&server, "wu").await;
    for t in texts {
        say(&mut c, session, t).await;
    }
    let line = next_from(&mut c, AuthorKind::System).await;
    assert_eq!(line.body, told, "{texts:?}");
    let offered = wait_offer(&mut ann, session).await.session;
    let bot = offered
        .bot
        .clone()
        .expect("the offer carries the bot record");
    let handoff = bot.handoff.expect("and the hand-off");
    assert_eq!(handoff.reason, reason, "{texts:?}");
    assert_eq!(bot.turns as usize, texts.len(), "{texts:?}");
    if reason == HandoffReason::Complaint {
        assert!(
            offered.priority >= 1,
            "a complaint keeps its raised priority"
        );
    }
    ann.call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();
    let t: TranscriptReply = serde_json::from_value(
        ann.call("session.transcript", json!({"session_id": session}))
            .await
            .unwrap(),
    )
    .unwrap();
    let kinds: Vec<AuthorKind> = t.messages.iter().map(|m| m.author_kind).collect();
    assert_eq!(kinds[0], AuthorKind::Bot, "the greeting: {kinds:?}");
    assert_eq!(kinds.last(), Some(&AuthorKind::System), "{kinds:?}");
    for text in texts {
        assert!(t.messages.iter().any(|m| m.body == *text), "{text}");
    }
    assert_eq!(t.session.state, SessionState::Active);
    assert_eq!(
        t.session.bot.and_then(|b| b.handoff).map(|h| h.reason),
        Some(reason)
    );
    let stored = stored_bot(dir.path(), session);
    assert_eq!(stored["outcome"], "handed_off", "{stored}");
    let e = metrics(&server).await;
    assert_eq!(
        e.get("kefu_bot_handoffs_total", &[("reason", reason.as_str())]),
        1.0
    );
    server.stop().await;
}

const TO_PERSON_ZH: &str = "正在为您转接人工客服，请稍候。";
const TO_PERSON_EN: &str = "Connecting you to a person, please wait a moment.";

#[tokio::test]
async fn asking_for_a_person_hands_off_in_chinese() {
    hands_off(
        &["你好，帮我转人工吧"],
        HandoffReason::Requested,
        TO_PERSON_ZH,
    )
    .await;
}

#[tokio::test]
async fn asking_for_a_person_hands_off_in_english() {
    hands_off(
        &["could I talk to a human please"],
        HandoffReason::Requested,
        TO_PERSON_EN,
    )
    .await;
}

#[tokio::test]
async fn unanswered_turns_hand_off() {
    hands_off(
        &[
            "what is the weather like on mars",
            "tell me a joke about cats",
        ],
        HandoffReason::Unanswered,
        TO_PERSON_EN,
    )
    .await;
}

#[tokio::test]
async fn a_complaint_hands_off_with_priority() {
    hands_off(
        &["我要投诉，你们的服务态度太差了"],
        HandoffReason::Complaint,
        TO_PERSON_ZH,
    )
    .await;
}

#[tokio::test]
async fn a_strongly_negative_message_hands_off() {
    hands_off(
        &["this is garbage, useless!!"],
        HandoffReason::Negative,
        TO_PERSON_EN,
    )
    .await;
}

#[tokio::test]
async fn vip_customers_go_straight_to_people() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path(), config()).await;
    let mut ann = server.agent("ann").await;
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call(
            "customer.start",
            json!({"channel": "web", "external_id": "vip-1", "group": "general"}),
        )
        .await
        .unwrap();
    let session = r["session_id"].as_i64().unwrap();
    assert_ne!(r["state"], "bot", "{r}");
    let offered = wait_offer(&mut ann, session).await.session;
    let handoff = offered.bot.and_then(|b| b.handoff).unwrap();
    assert_eq!(handoff.reason, HandoffReason::Vip);
    server.stop().await;
}

#[tokio::test]
async fn without_the_bot_a_group_or_channel_queues_as_before() {
    let dir = tempfile::tempdir().unwrap();
    // The bot on for every group but `humans`, and only on the app channel.
    let mut config = config();
    config.bot.enabled = true;
    config.groups[1].bot = Some(false);
    let server = setup(dir.path(), config.clone()).await;
    let mut ann = server.agent("ann").await;
    let (mut c, session, _) = server.customer("zhao", Some("humans")).await;
    let offered = wait_offer(&mut ann, session).await.session;
    assert!(offered.bot.is_none());
    say(&mut c, session, "转人工").await;
    server.stop().await;

    let dir = tempfile::tempdir().unwrap();
    config.bot.channels = vec![Channel::App];
    let server = setup(dir.path(), config).await;
    let mut ann = server.agent("ann").await;
    let (_c, session, _) = server.customer("qian", Some("general")).await;
    let offered = wait_offer(&mut ann, session).await.session;
    assert_eq!(offered.state, SessionState::Offered);
    assert!(
        offered.bot.is_none(),
        "a web customer skips an app-only bot"
    );
    let msgs = stored_messages(&open_db(dir.path()), session);
    assert!(msgs.is_empty(), "no greeting: {msgs:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_the_conversation_with_the_bot() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path(), config()).await;
    let addr = server.addr.to_string();
    let (mut c, session, token) = bot_customer(&server, "sun").await;
    say(&mut c, session, "what is the weather like on mars").await;
    next_from(&mut c, AuthorKind::Bot).await;
    drop(c);
    server.stop().await;

    let server = TestServer::start_on(&addr, dir.path(), config()).await;
    let mut ann = server.agent("ann").await;
    let snap = ann.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["offers"], json!([]), "{snap}");
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call("customer.resume", json!({"token": token}))
        .await
        .unwrap();
    assert_eq!(r["session_id"], session);
    // Still with the bot, which still counts the unanswered turn before the restart.
    say(&mut c, session, "tell me a joke about cats").await;
    let line = next_from(&mut c, AuthorKind::System).await;
    assert_eq!(line.body, TO_PERSON_EN);
    let offered = wait_offer(&mut ann, session).await.session;
    assert_eq!(
        offered.bot.and_then(|b| b.handoff).map(|h| h.reason),
        Some(HandoffReason::Unanswered)
    );
    server.stop().await;
}

#[tokio::test]
async fn turns_are_answered_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path(), config()).await;
    let (mut c, session, _) = bot_customer(&server, "li").await;
    // Sent back to back: the later ones arrive while the first is being looked up, and wait
    // for it (`bot_book`, unit-tested there: the read pool happens to finish these in order
    // even without it, so this checks the end-to-end order rather than the book itself).
    let questions = [
        "how do I get a refund",
        "how long does delivery take",
        "钱什么时候退回来",
    ];
    let mut ids = Vec::new();
    for q in questions {
        ids.push(
            c.send(
                "message.send",
                json!({"session_id": session, "client_msg_id": q, "body": q}),
            )
            .await
            .unwrap(),
        );
    }
    for id in ids {
        c.reply_to(id).await.unwrap();
    }
    for title in ["Refund policy", "Shipping options", "退款多久到账"] {
        let a = next_from(&mut c, AuthorKind::Bot).await;
        assert!(a.body.starts_with(title), "expected {title}: {}", a.body);
    }
    server.stop().await;
}

#[tokio::test]
async fn going_silent_with_the_bot_abandons_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config();
    config.conversations.customer_idle_remind_secs = 1;
    config.conversations.customer_idle_close_secs = 1;
    let server = setup(dir.path(), config).await;
    let (mut c, session, _) = bot_customer(&server, "gao").await;
    let (_, ev) = c
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    assert!(matches!(ev, Event::SessionEnded { survey: false, .. }));
    let bot = wait_stored(dir.path(), session, |b| b["outcome"] == "abandoned").await;
    assert_eq!(bot["answers"], 0);
    server.stop().await;
}

#[tokio::test]
async fn a_customer_of_the_http_channel_api_gets_the_bots_answers() {
    let dir = tempfile::tempdir().unwrap();
    let rx = channel_support::Receiver::start().await;
    let secret = channel_support::add_integration(dir.path(), "shop", &rx.url());
    let server = setup(dir.path(), config()).await;
    let body = json!({
        "external_customer_id": "u-1", "nickname": "Wei",
        "text": "how can I get a refund", "idempotency_key": "k1",
    });
    let addr = server.addr.to_string();
    let (status, out) = channel_support::post_message(&addr, "shop", &secret, &body).await;
    assert_eq!(status, 201, "{out}");
    let answered = |events: &[serde_json::Value]| {
        events.iter().any(|e| {
            let m = &e["event"]["message"];
            m["author_kind"] == "bot"
                && m["body"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("Refund policy"))
        })
    };
    let events = rx
        .wait_accepted("the bot's answer by webhook", answered)
        .await;
    assert!(
        events
            .iter()
            .any(|e| e["event"]["message"]["author_kind"] == "bot"
                && e["event"]["message"]["body"]
                    .as_str()
                    .is_some_and(|b| b.contains("转人工"))),
        "the greeting went out too: {events:?}"
    );
    server.stop().await;
}

/// A supervisor takes a conversation from the bot by transferring it: the bot hands off
/// (reason `taken`), the customer is told, and the target group's agent gets the offer.
#[tokio::test]
async fn a_supervisor_transfers_a_conversation_away_from_the_bot() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path(), config()).await;
    let mut ann = server.agent("ann").await;
    let mut sue = server.agent("sue").await;
    let (mut c, session, _) = bot_customer(&server, "吴").await;
    // Not straight to one agent: through a group's queue, like the bot's own hand-off.
    let r = sue
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"agent": "ann"}}),
        )
        .await;
    assert!(
        matches!(r, Err(kefu::client::ClientError::Api(ref e)) if e.code == kefu::protocol::ErrorCode::Conflict),
        "{r:?}"
    );
    sue.call(
        "session.transfer",
        json!({"session_id": session, "to": {"group": "humans"}, "note": "I know this one"}),
    )
    .await
    .unwrap();
    let line = next_from(&mut c, AuthorKind::System).await;
    assert_eq!(line.body, TO_PERSON_ZH);
    let offer = wait_offer(&mut ann, session).await;
    // The first offer is the transfer's own: with its note.
    assert_eq!(offer.note.as_deref(), Some("I know this one"));
    let offered = offer.session;
    assert_eq!(offered.group, "humans");
    let handoff = offered.bot.and_then(|b| b.handoff).expect("the hand-off");
    assert_eq!(handoff.reason, HandoffReason::Taken);
    let e = metrics(&server).await;
    assert_eq!(
        e.get("kefu_bot_handoffs_total", &[("reason", "taken")]),
        1.0
    );
    server.stop().await;
}
