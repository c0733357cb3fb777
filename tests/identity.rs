//! Customer identity over real WebSockets: external ids are taken only when the shop's backend
//! signed them (with an expiry) or the operator explicitly allowed unsigned ids; and a customer
//! never sees the agents' internal labels, in any frame.

mod common;
mod raw;
use common::*;
use kefu::config::ServerConfig;
use kefu::model::{Channel, Role, now_ms};
use kefu::protocol::CustomerView;
use raw::Raw;
use serde_json::{Value, json};

const SECRET: &str = "shop-backend-secret-0123456789abcdef";

fn signed_config() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.auth.customer_identity_secret = Some(SECRET.into());
    c
}

fn signed_start(external_id: &str, expires: i64) -> Value {
    json!({
        "channel": "web",
        "external_id": external_id,
        "external_id_expires": expires,
        "external_id_signature": kefu::auth::sign_customer_identity(SECRET, external_id, expires),
    })
}

fn now_secs() -> i64 {
    now_ms() / 1000
}

#[tokio::test]
async fn without_a_secret_external_ids_are_refused_unless_explicitly_allowed() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), ServerConfig::default()).await;
    let mut c = Raw::connect(&server.url("customer")).await;
    let e = c
        .call(
            "customer.start",
            json!({"channel": "web", "external_id": "u42"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("auth.customer_identity_secret")
            && msg.contains("auth.allow_unsigned_external_ids"),
        "{msg}"
    );
    // A signature does not help when the server has no secret to check it with.
    let e = c
        .call("customer.start", signed_start("u42", now_secs() + 60))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    // Anonymous customers keep working.
    c.call("customer.start", json!({"channel": "web"}))
        .await
        .unwrap();
    server.stop().await;

    // The development opt-out: ids on trust, the same customer on every connection.
    let mut config = ServerConfig::default();
    config.auth.allow_unsigned_external_ids = true;
    let server = TestServer::start(dir.path(), config).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut c = Raw::connect(&server.url("customer")).await;
        let r = c
            .call(
                "customer.start",
                json!({"channel": "web", "external_id": "u42"}),
            )
            .await
            .unwrap();
        ids.push(r["customer_id"].clone());
    }
    assert_eq!(ids[0], ids[1]);
    server.stop().await;
}

#[tokio::test]
async fn signed_ids_carry_an_expiry_that_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), signed_config()).await;
    let mut c = Raw::connect(&server.url("customer")).await;
    let now = now_secs();
    let cases = [
        // Unsigned, a bad signature, the pre-expiry scheme (the id alone), no expiry.
        (
            json!({"channel": "web", "external_id": "u42"}),
            "unauthorized",
        ),
        (
            json!({"channel": "web", "external_id": "u42", "external_id_signature": "00",
                   "external_id_expires": now + 60}),
            "unauthorized",
        ),
        (
            json!({"channel": "web", "external_id": "u42", "external_id_expires": now + 60,
                   "external_id_signature": kefu::auth::sign_identity(SECRET, "u42")}),
            "unauthorized",
        ),
        (
            json!({"channel": "web", "external_id": "u42",
                   "external_id_signature": kefu::auth::sign_customer_identity(SECRET, "u42", now + 60)}),
            "unauthorized",
        ),
        // Correctly signed, but expired; and valid for far too long (the default allows a day).
        (signed_start("u42", now - 1), "unauthorized"),
        (signed_start("u42", now + 2 * 86_400), "invalid"),
    ];
    for (fields, code) in cases {
        let e = c.call("customer.start", fields.clone()).await.unwrap_err();
        assert_eq!(e["code"], code, "{fields}: {e}");
    }
    let e = c
        .call("customer.start", signed_start("u42", now - 1))
        .await
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("expired"), "{e}");

    let first = c
        .call("customer.start", signed_start("u42", now + 300))
        .await
        .unwrap();
    // The backend signs again for the customer's next visit: the same customer.
    let mut c2 = Raw::connect(&server.url("customer")).await;
    let second = c2
        .call("customer.start", signed_start("u42", now + 600))
        .await
        .unwrap();
    assert_eq!(first["customer_id"], second["customer_id"]);
    server.stop().await;
}

#[tokio::test]
async fn empty_external_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    config.auth.allow_unsigned_external_ids = true;
    let server = TestServer::start(dir.path(), config).await;
    for ext in ["", "   ", "line\nbreak"] {
        let mut c = Raw::connect(&server.url("customer")).await;
        let e = c
            .call(
                "customer.start",
                json!({"channel": "web", "external_id": ext}),
            )
            .await
            .unwrap_err();
        assert_eq!(e["code"], "invalid", "{ext:?}");
        assert!(
            e["message"].as_str().unwrap().contains("external_id"),
            "{e}"
        );
    }
    server.stop().await;
}

#[test]
fn the_demo_signs_with_a_random_secret_instead_of_trusting_ids() {
    let a = kefu::demo::demo_config();
    let b = kefu::demo::demo_config();
    assert!(!a.auth.allow_unsigned_external_ids);
    let secret = a.auth.customer_identity_secret.clone().unwrap();
    assert!(secret.len() >= 32);
    assert_ne!(
        a.auth.customer_identity_secret,
        b.auth.customer_identity_secret
    );
    a.validate().unwrap();
}

/// Internal labels a customer must never see, anywhere.
const INTERNAL: [&str; 4] = [
    "投诉用户",
    "物流问题-已解决",
    "refund-risk",
    "escalate: angry customer",
];

/// Walks a frame: no internal label as text, no VIP mark, no priority, no agent-side fields.
fn assert_clean(v: &Value, frame: &str) {
    match v {
        Value::String(s) => {
            for label in INTERNAL {
                assert!(
                    !s.contains(label),
                    "{label:?} reached the customer: {frame}"
                );
            }
        }
        Value::Array(items) => items.iter().for_each(|i| assert_clean(i, frame)),
        Value::Object(map) => {
            for (k, v) in map {
                match k.as_str() {
                    "vip" | "follow_up" => assert_eq!(v, &json!(false), "{k}: {frame}"),
                    "priority" => assert_eq!(v, &json!(0), "{k}: {frame}"),
                    "tags" => assert_eq!(v, &json!([]), "{k}: {frame}"),
                    "intent" => assert_eq!(v, &Value::Null, "{k}: {frame}"),
                    "group" => assert_eq!(v, &json!(""), "{k}: {frame}"),
                    "transfer_note" | "transferred_by" => {
                        panic!("{k} reached the customer: {frame}")
                    }
                    _ => {}
                }
                assert_clean(v, frame);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn a_customer_never_sees_internal_labels_in_any_frame() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    {
        // A VIP customer with a complaint mark, as the shop's CRM left them.
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        kefu::store::Store::transaction(&mut store, &mut |tx| {
            let c = CustomerView {
                id: 500,
                external_id: Some("crm-500".into()),
                nickname: "Wang".into(),
                channel: Channel::App,
                vip: true,
                tags: vec!["投诉用户".into()],
            };
            tx.insert_customer(&c, now_ms())
        })
        .unwrap();
    }
    let server = TestServer::start(dir.path(), signed_config()).await;
    let mut alice = server.agent("alice").await;
    let mut cust = Raw::connect(&server.url("customer")).await;
    let start = cust
        .call("customer.start", signed_start("crm-500", now_secs() + 60))
        .await
        .unwrap();
    let session = start["session_id"].as_i64().unwrap();
    let token = start["token"].as_str().unwrap().to_string();
    assert_eq!(accept_next_offer(&mut alice).await, session);
    // The agent labels the conversation every way there is.
    for (kind, fields) in [
        (
            "session.tag",
            json!({"session_id": session, "add": ["物流问题-已解决", "refund-risk"]}),
        ),
        (
            "session.follow_up",
            json!({"session_id": session, "pending": true}),
        ),
        ("typing", json!({"session_id": session, "active": true})),
        (
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1", "body": "Hello Wang"}),
        ),
    ] {
        alice.call(kind, fields).await.unwrap();
    }
    // Handed on with a note, and taken back.
    alice
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"group": "general"},
                   "note": "escalate: angry customer"}),
        )
        .await
        .unwrap();
    assert_eq!(accept_next_offer(&mut alice).await, session);
    cust.call("typing", json!({"session_id": session, "active": true}))
        .await
        .unwrap();
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "where is my parcel"}),
    )
    .await
    .unwrap();
    wait_message(&mut alice, "where is my parcel").await;
    let t = cust
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(t["session"]["id"], session);
    // The agent, of course, sees the labels.
    let p = alice
        .call("customer.profile", json!({"customer_id": 500}))
        .await
        .unwrap();
    assert_eq!(
        (&p["customer"]["vip"], &p["customer"]["tags"]),
        (&json!(true), &json!(["投诉用户"]))
    );
    alice
        .call(
            "session.end",
            json!({"session_id": session, "outcome": "resolved", "closing_message": "Bye!"}),
        )
        .await
        .unwrap();
    cust.wait_event(WAIT, |e| e["kind"] == "session_ended")
        .await;
    cust.call("session.rate", json!({"session_id": session, "stars": 5}))
        .await
        .unwrap();
    cust.call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();

    // A reconnect replays every event from the start.
    let mut again = Raw::connect(&server.url("customer")).await;
    again
        .call("customer.resume", json!({"token": token, "cursor": 0}))
        .await
        .unwrap();
    again
        .wait_event(WAIT, |e| e["kind"] == "session_ended")
        .await;

    let texts: Vec<String> = cust.texts.iter().chain(&again.texts).cloned().collect();
    // The walk saw the whole conversation: replies, events of each kind, typing.
    for needle in [
        "\"agent_joined\"",
        "\"message\"",
        "\"session_ended\"",
        "\"typing\"",
        "\"messages\"",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(needle)),
            "no {needle} frame among {texts:#?}"
        );
    }
    for t in &texts {
        assert_clean(&serde_json::from_str(t).unwrap(), t);
    }
    server.stop().await;
}
