//! Every per-field limit of §3 and §4 at its boundary: exactly at the limit accepted, one over
//! refused with the documented code and message, nothing done by the refusal, and the same
//! connection usable afterwards. Lengths counted in characters are tested with multi-byte
//! characters, those counted in bytes with both. (The password policy has its own file; the
//! body's only bound is the 64 KiB frame, in `frames.rs`.)

use crate::common::*;
use kefu::client::{Client, ClientError};
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::{Article, Event};
use kefu::store::Store;
use serde_json::{Value, json};

/// The error of a request that must fail: (code, message).
async fn refused(c: &mut Client, kind: &str, fields: Value) -> (String, String) {
    match c.call(kind, fields.clone()).await {
        Err(ClientError::Api(e)) => (wire(e.code), e.message),
        other => panic!("{kind} {fields} was not refused: {other:?}"),
    }
}

#[track_caller]
fn is_invalid(e: (String, String), message: &str) {
    assert_eq!((e.0.as_str(), e.1.as_str()), ("invalid", message));
}

#[track_caller]
fn is_bad_request(e: (String, String), kind: &str) {
    assert_eq!(e.0, "invalid", "{e:?}");
    let prefix = format!("bad `{kind}` request");
    assert!(e.1.starts_with(&prefix), "{e:?}");
}

/// Waits for the offer of `session`: (the offered view, its transfer note).
async fn offer_of(agent: &mut Client, id: i64) -> (kefu::protocol::SessionView, Option<String>) {
    let (_, ev) = agent
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Offer { session, .. } if session.id == id),
        )
        .await
        .unwrap();
    let Event::Offer {
        session,
        transfer_note,
        ..
    } = ev
    else {
        unreachable!()
    };
    (session, transfer_note)
}

async fn accept(agent: &mut Client, session: i64) {
    agent
        .call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();
}

fn send(session: i64, client_msg_id: &str, body: &str) -> Value {
    json!({"session_id": session, "client_msg_id": client_msg_id, "body": body})
}

#[tokio::test]
async fn customer_field_limits_hold_at_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    config.auth.allow_unsigned_external_ids = true;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let mut c = Client::connect(&server.url("customer")).await.unwrap();

    // nickname: trimmed, then at most 64 characters.
    let e = refused(
        &mut c,
        "customer.start",
        json!({"channel": "web", "nickname": "王".repeat(65)}),
    )
    .await;
    is_invalid(e, "nickname over 64 characters");
    // The refused start created nothing: the connection is still unidentified.
    let e = refused(&mut c, "message.send", send(1, "m", "hi")).await;
    assert_eq!(e.0, "unauthorized");
    let customers: i64 = open_db(dir.path())
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(customers, 0);
    let nick = "王".repeat(64);
    let start = json!({"channel": "web", "nickname": format!("  {nick} \t")});
    let s = c.call("customer.start", start).await.unwrap()["session_id"]
        .as_i64()
        .unwrap();
    let (offered, _) = offer_of(&mut alice, s).await;
    assert_eq!(offered.customer.nickname, nick);
    accept(&mut alice, s).await;

    // external_id: 1–128 characters, not blank, no control characters.
    let ext_error = "external_id must be 1–128 characters, without control characters";
    let mut other = Client::connect(&server.url("customer")).await.unwrap();
    for ext in [
        "a".repeat(129),
        "é".repeat(129),
        "".into(),
        "   ".into(),
        "u\u{7}1".into(),
    ] {
        let fields = json!({"channel": "web", "external_id": ext});
        is_invalid(
            refused(&mut other, "customer.start", fields).await,
            ext_error,
        );
    }
    for ext in ["a".repeat(128), "é".repeat(128)] {
        let mut fresh = Client::connect(&server.url("customer")).await.unwrap();
        let r = fresh
            .call(
                "customer.start",
                json!({"channel": "app", "external_id": ext}),
            )
            .await
            .unwrap();
        let stored: String = open_db(dir.path())
            .query_row(
                "SELECT external_id FROM customers WHERE id = ?1",
                [r["customer_id"].as_i64().unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, ext);
    }

    // client_msg_id: 1–128 bytes (bytes: 65 × "é" is 65 characters but 130 bytes).
    let cmid_error = "client_msg_id must be 1–128 bytes";
    for cmid in ["a".repeat(129), "é".repeat(65), String::new()] {
        is_invalid(
            refused(&mut c, "message.send", send(s, &cmid, "x")).await,
            cmid_error,
        );
    }
    for (k, cmid) in ["a".repeat(128), "é".repeat(64)].iter().enumerate() {
        let ack = c.call("message.send", send(s, cmid, "ok")).await.unwrap();
        assert_eq!(ack["seq"], k + 1, "the refused ones stored nothing");
    }
    // body: not blank (any whitespace is blank), and stored as sent, not trimmed.
    for body in ["", " \n\t", "\u{3000}"] {
        let e = refused(&mut c, "message.send", send(s, "blank", body)).await;
        is_invalid(e, "the message is empty");
    }
    let ack = c.call("message.send", send(s, "sp", " x ")).await.unwrap();
    assert_eq!(ack["seq"], 3);
    assert_eq!(wait_message(&mut alice, " x ").await.seq, 3);

    // stars: 1 to 5 on an ended session; outside 0–255 the field itself is malformed.
    alice
        .call("session.end", json!({"session_id": s}))
        .await
        .unwrap();
    for stars in [0, 6, 255] {
        let e = refused(
            &mut c,
            "session.rate",
            json!({"session_id": s, "stars": stars}),
        )
        .await;
        is_invalid(e, "stars must be 1 to 5");
    }
    for stars in [json!(256), json!(-1), json!(4.5), json!("5")] {
        let e = refused(
            &mut c,
            "session.rate",
            json!({"session_id": s, "stars": stars}),
        )
        .await;
        is_bad_request(e, "session.rate");
    }
    let rated = c
        .call("session.rate", json!({"session_id": s, "stars": 5}))
        .await
        .unwrap();
    assert_eq!(rated, json!({"session_id": s, "stars": 5}));
    // The other end of the range, on the customer's next conversation.
    let s2 = c
        .call("customer.start", json!({"channel": "web"}))
        .await
        .unwrap()["session_id"]
        .as_i64()
        .unwrap();
    offer_of(&mut alice, s2).await;
    accept(&mut alice, s2).await;
    alice
        .call("session.end", json!({"session_id": s2}))
        .await
        .unwrap();
    c.call("session.rate", json!({"session_id": s2, "stars": 1}))
        .await
        .unwrap();
    let db = open_db(dir.path());
    let csat = |id: i64| -> Option<i64> {
        db.query_row("SELECT csat FROM sessions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
    };
    assert_eq!((csat(s), csat(s2)), (Some(5), Some(1)));
    server.stop().await;
}

fn seed_article(dir: &std::path::Path) {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    store
        .transaction(&mut |tx| {
            tx.insert_article(&Article {
                id: 0,
                title: "Refund policy".into(),
                keywords: vec!["refund".into()],
                lang: "en".into(),
                updated_at: 1,
                body: "All about refunds.".into(),
                ..Article::default()
            })?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn agent_field_limits_hold_at_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    seed_article(dir.path());
    let mut config = ServerConfig::default();
    config.limits.rate_per_sec = 100_000.0;
    config.limits.rate_burst = 100_000.0;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, s, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let tag = |add: Value, remove: Value| json!({"session_id": s, "add": add, "remove": remove});

    // Tags: each trimmed, then 1–64 characters.
    let tag_error = "tags must be 1–64 characters";
    let long = "标".repeat(64);
    let r = alice
        .call("session.tag", tag(json!([long]), json!([])))
        .await;
    assert_eq!(r.unwrap()["tags"], json!([long]));
    for bad in ["标".repeat(65), "   ".into(), String::new()] {
        let e = refused(&mut alice, "session.tag", tag(json!([bad]), json!([]))).await;
        is_invalid(e, tag_error);
    }
    let r = alice.call("session.tag", tag(json!(["  padded  "]), json!([])));
    assert_eq!(r.await.unwrap()["tags"], json!([long, "padded"]));
    let e = refused(
        &mut alice,
        "session.tag",
        json!({"session_id": s, "add": null}),
    )
    .await;
    is_bad_request(e, "session.tag");
    // At most 32 per request, and 32 on a session; `remove` applies before `add`.
    let names = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
    let r = alice.call(
        "session.tag",
        tag(json!(names("t", 32)), json!([long, "padded"])),
    );
    assert_eq!(r.await.unwrap()["tags"], json!(names("t", 32)));
    let e = refused(&mut alice, "session.tag", tag(json!(["t32"]), json!([]))).await;
    is_invalid(e, "a session carries at most 32 tags");
    let r = alice.call("session.tag", tag(json!(["t32"]), json!(["t0"])));
    let full: Vec<String> = (1..=32).map(|i| format!("t{i}")).collect();
    assert_eq!(r.await.unwrap()["tags"], json!(full));
    for (add, remove) in [(names("u", 33), vec![]), (vec![], names("t", 33))] {
        let e = refused(&mut alice, "session.tag", tag(json!(add), json!(remove))).await;
        is_invalid(e, "at most 32 tags per request");
    }
    let r = alice.call("session.tag", tag(json!([]), json!([])));
    assert_eq!(
        r.await.unwrap()["tags"],
        json!(full),
        "the refusals changed nothing"
    );

    // kb.search: at most 200 characters, counted before trimming.
    let query_error = "the query is over 200 characters";
    let r = alice
        .call("kb.search", json!({"query": "退".repeat(200)}))
        .await;
    assert_eq!(r.unwrap()["articles"], json!([]));
    let padded = format!("{}refund{}", " ".repeat(97), " ".repeat(97));
    let r = alice
        .call("kb.search", json!({"query": padded}))
        .await
        .unwrap();
    assert_eq!(r["articles"][0]["title"], "Refund policy", "{r}");
    for q in ["x".repeat(201), " ".repeat(201)] {
        is_invalid(
            refused(&mut alice, "kb.search", json!({"query": q})).await,
            query_error,
        );
    }
    is_bad_request(
        refused(&mut alice, "kb.search", json!({"query": null})).await,
        "kb.search",
    );

    // Transfer note: at most 2000 characters; the next offer carries it whole.
    let to_general =
        |note: &str| json!({"session_id": s, "to": {"group": "general"}, "note": note});
    let e = refused(
        &mut alice,
        "session.transfer",
        to_general(&"注".repeat(2001)),
    )
    .await;
    is_invalid(e, "the note is over 2000 characters");
    let note = "注".repeat(2000);
    alice
        .call("session.transfer", to_general(&note))
        .await
        .unwrap();
    // Alice is the group's only agent, so the session comes back to her with the note.
    let (_, carried) = offer_of(&mut alice, s).await;
    assert_eq!(carried.as_deref(), Some(note.as_str()));
    accept(&mut alice, s).await;

    // Transcript `limit`: values above 500 are treated as 500.
    let ids: Vec<u64> = {
        let mut ids = Vec::new();
        for k in 0..501 {
            let id = cust
                .send("message.send", send(s, &format!("m{k}"), "m"))
                .await;
            ids.push(id.unwrap());
        }
        ids
    };
    let acks = collect_replies(&mut cust, &ids).await;
    assert!(acks.values().all(Result::is_ok), "every message was stored");
    let read =
        |after: i64, limit: Value| json!({"session_id": s, "after_seq": after, "limit": limit});
    for limit in [json!(500), json!(501), json!(1_000_000), Value::Null] {
        let t = alice
            .call("session.transcript", read(0, limit.clone()))
            .await
            .unwrap();
        let seqs: Vec<i64> = t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=500).collect::<Vec<_>>(), "limit {limit}");
    }
    let t = alice
        .call("session.transcript", read(500, json!(1000)))
        .await
        .unwrap();
    assert_eq!(t["messages"].as_array().unwrap().len(), 1);
    assert_eq!(t["messages"][0]["seq"], 501);
    server.stop().await;
}

#[tokio::test]
async fn a_signed_external_id_may_be_valid_for_exactly_the_configured_time() {
    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    config.auth.customer_identity_secret = Some(SECRET.into());
    config.auth.identity_max_ttl_secs = 600;
    let server = TestServer::start(dir.path(), config).await;
    let signed = |ext: &str, expires: i64| {
        json!({"channel": "web", "external_id": ext, "external_id_expires": expires,
               "external_id_signature": kefu::auth::sign_customer_identity(SECRET, ext, expires)})
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    // Expiring now is expired; more than 600 s ahead is too long (30 s of slack for the
    // server's clock moving on while the test runs: the refusal holds for that long).
    let e = refused(&mut c, "customer.start", signed("u1", now)).await;
    assert_eq!(e.0, "unauthorized", "{e:?}");
    let e = refused(&mut c, "customer.start", signed("u1", now + 630)).await;
    is_invalid(
        e,
        "external_id_expires is more than 600 s in the future (auth.identity_max_ttl_secs); \
         sign for a shorter time",
    );
    // Exactly 600 s ahead of the test's clock is at most 600 s ahead of the server's.
    c.call("customer.start", signed("u1", now + 600))
        .await
        .unwrap();
    server.stop().await;
}
