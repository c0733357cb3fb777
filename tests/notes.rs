//! Internal notes and @mentions over real WebSockets (and the HTTP channel API with a real
//! webhook receiver): a note reaches agents only — never the customer's connections, replay or
//! transcript, nor a webhook; a mentioned colleague is told durably, may read the conversation
//! and add notes while it is open, nothing else, and loses that when it ends; unread mentions
//! survive a restart.

mod channel_support;
mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, Event, ServerFrame};
use serde_json::{Value, json};

/// Frames of a client until the event `stop` matches, the events' JSON collected.
async fn events_until(c: &mut Client, stop: impl Fn(&Event) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "stop event never came"
        );
        let f = c.next_frame(WAIT).await.unwrap();
        if let ServerFrame::Event { event, .. } = f {
            seen.push(serde_json::to_value(&event).unwrap());
            if stop(&event) {
                return seen;
            }
        }
    }
}

fn is_message(body: &'static str) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Message { message } if message.body == body)
}

fn mentions_body(seen: &[Value], body: &str) -> bool {
    seen.iter().any(|v| v.to_string().contains(body))
}

async fn note(c: &mut Client, session: i64, cmid: &str, body: &str, mentions: &[&str]) -> Value {
    c.call(
        "note.add",
        json!({"session_id": session, "client_msg_id": cmid, "body": body, "mentions": mentions}),
    )
    .await
    .unwrap()
}

async fn send(
    c: &mut Client,
    session: i64,
    body: &str,
) -> Result<Value, kefu::client::ClientError> {
    c.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": body, "body": body}),
    )
    .await
}

/// alice (agent, general), bob (agent, other), sue (supervisor), a server, and a customer
/// whose conversation alice accepted.
async fn setup(dir: &std::path::Path) -> (TestServer, Client, Client, i64, String) {
    add_agent(dir, "alice", &["general"], Role::Agent, None);
    add_agent(dir, "bob", &["other"], Role::Agent, None);
    add_agent(dir, "sue", &["general"], Role::Supervisor, None);
    let server = TestServer::start(dir, config_with_groups(&["general", "other"])).await;
    let mut alice = server.agent("alice").await;
    let (cust, session, token) = server.customer("Wei", Some("general")).await;
    assert_eq!(accept_next_offer(&mut alice).await, session);
    (server, alice, cust, session, token)
}

#[tokio::test]
async fn a_note_reaches_agents_only_never_the_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (server, mut alice, mut cust, session, token) = setup(dir.path()).await;
    let mut sue = Client::connect(&server.url("agent")).await.unwrap();
    sue.call("login", json!({"username": "sue", "password": PASSWORD}))
        .await
        .unwrap();
    let mut bob = server.agent("bob").await;

    let ack = note(&mut alice, session, "n1", "secret: refund approved", &[]).await;
    assert!(ack["seq"].as_i64().unwrap() > 0, "{ack}");
    // A retry is the same note, stored once.
    let again = note(&mut alice, session, "n1", "secret: refund approved", &[]).await;
    assert_eq!(ack["seq"], again["seq"]);
    send(&mut alice, session, "marker").await.unwrap();

    // The customer's connection gets the marker and never the note.
    let seen = events_until(&mut cust, is_message("marker")).await;
    assert!(!mentions_body(&seen, "secret"), "{seen:?}");
    // The supervisor gets the note, marked internal.
    let m = wait_message(&mut sue, "secret: refund approved").await;
    assert!(m.internal);
    // A colleague who was not mentioned gets nothing of it: the next thing bob hears of
    // this conversation is the note that mentions him.
    note(&mut alice, session, "n2", "@bob can you check", &["bob"]).await;
    let seen = events_until(&mut bob, |e| matches!(e, Event::Mentioned(_))).await;
    assert!(!mentions_body(&seen, "secret"), "{seen:?}");

    // The customer's transcript has no note; the agent's has both, marked.
    let t = cust
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    let bodies: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["marker"], "{t}");
    let t = alice
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    let notes: Vec<&Value> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["internal"] == true)
        .collect();
    assert_eq!(notes.len(), 2, "{t}");
    // A customer message carries no `internal` field at all.
    let plain = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["body"] == "marker")
        .unwrap();
    assert!(plain.get("internal").is_none(), "{plain}");

    // The customer's replay from the start has no note either.
    let mut again = Client::connect(&server.url("customer")).await.unwrap();
    again
        .call("customer.resume", json!({"token": token, "cursor": 0}))
        .await
        .unwrap();
    send(&mut alice, session, "marker two").await.unwrap();
    let seen = events_until(&mut again, is_message("marker two")).await;
    assert!(mentions_body(&seen, "marker"), "the replay ran: {seen:?}");
    assert!(
        !mentions_body(&seen, "secret") && !mentions_body(&seen, "can you check"),
        "{seen:?}"
    );
    // And on disk the notes are marked.
    let db = open_db(dir.path());
    let internal: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM messages WHERE session_id = ?1 AND internal = 1",
            [session],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(internal, 2);
    server.stop().await;
}

#[tokio::test]
async fn a_mentioned_colleague_reads_and_notes_until_the_conversation_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (server, mut alice, mut cust, session, _) = setup(dir.path()).await;
    let mut bob = server.agent("bob").await;

    // Before a mention bob may neither read nor note.
    let r = bob
        .call("session.transcript", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);
    let r = bob
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "b0", "body": "hi"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);

    // Unknown colleagues are named; nothing is stored.
    let r = alice
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "x", "body": "hey",
                   "mentions": ["bob", "nobody", "ghost"]}),
        )
        .await;
    match r {
        Err(kefu::client::ClientError::Api(e)) => {
            assert_eq!(e.code, ErrorCode::Invalid);
            assert!(e.message.contains("@nobody") && e.message.contains("@ghost"));
            assert!(!e.message.contains("@bob"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    let too_many: Vec<String> = (0..11).map(|i| format!("u{i}")).collect();
    let r = alice
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "y", "body": "hey",
                   "mentions": too_many}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Invalid);

    let ack = note(
        &mut alice,
        session,
        "n1",
        "@bob is this a known bug?",
        &["bob"],
    )
    .await;
    let (_, ev) = bob
        .wait_event(WAIT, |e| matches!(e, Event::Mentioned(_)))
        .await
        .unwrap();
    let Event::Mentioned(m) = ev else {
        unreachable!()
    };
    assert_eq!(
        (m.session_id, m.seq),
        (session, ack["seq"].as_i64().unwrap())
    );
    assert_eq!(m.by_name, "Agent alice");
    assert_eq!(m.customer, "Wei");

    // Read-only access: transcript (with the note) and profile.
    let t = bob
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    assert!(t.to_string().contains("known bug"), "{t}");
    let customer = t["session"]["customer"]["id"].as_i64().unwrap();
    bob.call("customer.profile", json!({"customer_id": customer}))
        .await
        .unwrap();
    // The customer's next words reach bob live.
    send(&mut cust, session, "still waiting").await.unwrap();
    wait_message(&mut bob, "still waiting").await;
    // bob answers with a note, which alice gets; the customer never does.
    note(&mut bob, session, "b1", "yes, see ticket 42", &[]).await;
    let m = wait_message(&mut alice, "yes, see ticket 42").await;
    assert!(m.internal);
    // Nothing else: clear `forbidden`s.
    for (kind, fields) in [
        (
            "message.send",
            json!({"session_id": session, "client_msg_id": "b2", "body": "hello customer"}),
        ),
        (
            "session.transfer",
            json!({"session_id": session, "to": {"agent": "bob"}}),
        ),
        ("session.tag", json!({"session_id": session, "add": ["x"]})),
        (
            "session.follow_up",
            json!({"session_id": session, "pending": true}),
        ),
        ("session.end", json!({"session_id": session})),
    ] {
        match bob.call(kind, fields).await {
            Err(kefu::client::ClientError::Api(e)) => {
                assert_eq!(e.code, ErrorCode::Forbidden, "{kind}");
                assert!(e.message.contains("mentioned"), "{kind}: {}", e.message);
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
    send(&mut alice, session, "marker").await.unwrap();
    let seen = events_until(&mut cust, is_message("marker")).await;
    assert!(!mentions_body(&seen, "ticket 42"), "{seen:?}");

    // Unread until read.
    let list = bob.call("mentions.list", json!({})).await.unwrap();
    assert_eq!(list["mentions"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["mentions"][0]["open"], true);
    let r = bob
        .call("mention.read", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(r["read"], 1);
    let list = bob.call("mentions.list", json!({})).await.unwrap();
    assert!(list["mentions"].as_array().unwrap().is_empty(), "{list}");
    let list = bob
        .call("mentions.list", json!({"all": true}))
        .await
        .unwrap();
    assert!(list["mentions"][0]["read_at"].is_i64(), "{list}");

    // The conversation ends: bob sees it end, and his access ends with it.
    alice
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    bob.wait_event(
        WAIT,
        |e| matches!(e, Event::Session { session: s } if s.id == session && s.ended_at.is_some()),
    )
    .await
    .unwrap();
    let r = bob
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "b3", "body": "late"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::NotFound);
    let r = bob
        .call("session.transcript", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);
    let r = bob
        .call("customer.profile", json!({"customer_id": customer}))
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);
    server.stop().await;
}

#[tokio::test]
async fn unread_mentions_and_access_survive_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (server, mut alice, _cust, session, _) = setup(dir.path()).await;
    let ack = note(&mut alice, session, "n1", "@bob please look", &["bob"]).await;
    let addr = server.addr.to_string();
    server.stop().await;

    let server =
        TestServer::start_on(&addr, dir.path(), config_with_groups(&["general", "other"])).await;
    let mut bob = server.agent("bob").await;
    let list = bob.call("mentions.list", json!({})).await.unwrap();
    let ms = list["mentions"].as_array().unwrap();
    assert_eq!(ms.len(), 1, "{list}");
    assert_eq!(ms[0]["session_id"], session);
    assert_eq!(ms[0]["seq"], ack["seq"]);
    assert_eq!(ms[0]["excerpt"], "@bob please look");
    // The mention still gives access after the restart.
    note(&mut bob, session, "b1", "on it", &[]).await;
    // A retried note after the restart is not stored twice.
    let mut alice = server.agent("alice").await;
    let again = note(&mut alice, session, "n1", "@bob please look", &["bob"]).await;
    assert_eq!(again["seq"], ack["seq"]);
    let db = open_db(dir.path());
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM mentions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    server.stop().await;
}

#[tokio::test]
async fn a_note_never_reaches_the_channel_webhook() {
    use channel_support::*;
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let rx = Receiver::start().await;
    let secret = add_integration(dir.path(), "shop", &rx.url());
    let mut config = config_with_groups(&["general"]);
    config.webhooks.retry_base_ms = 20;
    config.webhooks.poll_ms = 20;
    let server = TestServer::start(dir.path(), config).await;
    let addr = server.addr.to_string();
    let mut alice = server.agent("alice").await;
    let msg = json!({"external_customer_id": "u-1", "text": "hi", "idempotency_key": "k1"});
    let (s, out) = post_message(&addr, "shop", &secret, &msg).await;
    assert_eq!(s, 201, "{out}");
    let session = accept_next_offer(&mut alice).await;
    note(&mut alice, session, "n1", "internal: VIP, be careful", &[]).await;
    send(&mut alice, session, "after").await.unwrap();
    let got = rx
        .wait_accepted("the reply after the note", |g| {
            kinds(g).contains(&"message:after".to_string())
        })
        .await;
    assert!(
        !kinds(&got).iter().any(|k| k.contains("VIP")),
        "{:?}",
        kinds(&got)
    );
    // Nor in the integration's catch-up.
    let path = format!("/api/v1/conversations/{session}/events?after=0");
    let (s, page) = signed_get(&addr, "shop", &secret, &path).await;
    assert_eq!(s, 200, "{page}");
    assert!(!page.to_string().contains("VIP"), "{page}");
    assert!(page.to_string().contains("after"), "{page}");
    server.stop().await;
}

#[tokio::test]
async fn a_purged_conversation_takes_its_mentions_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (server, mut alice, _cust, session, _) = setup(dir.path()).await;
    note(&mut alice, session, "n1", "@bob look", &["bob"]).await;
    alice
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    let db = open_db(dir.path());
    let customer: i64 = db
        .query_row(
            "SELECT customer_id FROM sessions WHERE id = ?1",
            [session],
            |r| r.get(0),
        )
        .unwrap();
    let mentions = |db: &rusqlite::Connection| -> i64 {
        db.query_row("SELECT COUNT(*) FROM mentions", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(mentions(&db), 1);
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    kefu::admin::purge(
        &mut *store,
        kefu::store::PurgeSpec {
            before: kefu::model::now_ms(),
            customer: Some(customer),
        },
        "now",
        "admin:test",
    )
    .unwrap();
    assert_eq!(
        mentions(&db),
        0,
        "a purge leaves nothing of the conversation"
    );
    server.stop().await;
}
