//! The HTTP channel API against a real server on 127.0.0.1:0: signatures accepted and refused,
//! idempotent delivery (also across a restart), an agent's reply reaching a real webhook
//! receiver signed, catch-up limited to the integration's own conversations, and the OpenAPI
//! document matching the routes.

mod channel_support;
mod common;
use channel_support::*;
use common::*;
use kefu::model::Role;
use serde_json::{Value, json};

fn message(ext: &str, text: &str, key: &str) -> Value {
    json!({"external_customer_id": ext, "nickname": "Wei", "text": text, "idempotency_key": key})
}

/// A server with group `general` served by agent alice, and integration `shop` → receiver.
async fn setup(dir: &std::path::Path, receiver: &Receiver) -> (TestServer, String) {
    add_agent(dir, "alice", &["general"], Role::Agent, None);
    let secret = add_integration(dir, "shop", &receiver.url());
    let server = TestServer::start(dir, config_with_groups(&["general"])).await;
    (server, secret)
}

#[tokio::test]
async fn signatures_are_checked_and_errors_are_json() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    let (server, secret) = setup(dir.path(), &rx).await;
    let addr = server.addr.to_string();
    let body = message("u-1", "hello", "k1");

    let (status, out) = post_message(&addr, "shop", &secret, &body).await;
    assert_eq!(status, 201, "{out}");
    assert!(out["conversation_id"].as_i64().unwrap() > 0);
    assert_eq!(out["seq"], 1);
    assert!(out["cursor"].as_i64().unwrap() > 0);
    assert!(out["customer_id"].as_i64().unwrap() > 0);

    let raw = serde_json::to_vec(&message("u-1", "hello", "k2")).unwrap();
    let post = |headers: Vec<(&'static str, String)>, raw: Vec<u8>| {
        let addr = addr.clone();
        async move {
            let (s, text) = request(&addr, "POST", "/api/v1/messages", &headers, raw).await;
            (s, serde_json::from_str::<Value>(&text).unwrap())
        }
    };
    let signed = |secret: &str, ts: i64, raw: &[u8]| {
        vec![
            ("x-kefu-integration", "shop".to_string()),
            ("x-kefu-timestamp", ts.to_string()),
            ("x-kefu-signature", sign(secret, ts, raw)),
        ]
    };
    let now = now_secs();
    // Wrong secret, stale and future timestamps, a tampered body, no headers, unknown name.
    for (why, headers, raw) in [
        (
            "wrong secret",
            signed(&"0".repeat(64), now, &raw),
            raw.clone(),
        ),
        ("stale", signed(&secret, now - 301, &raw), raw.clone()),
        ("future", signed(&secret, now + 301, &raw), raw.clone()),
        ("tampered", signed(&secret, now, &raw), {
            let mut t = raw.clone();
            let n = t.len();
            t[n - 3] = b'9';
            t
        }),
        ("unsigned", vec![], raw.clone()),
        (
            "unknown integration",
            {
                let mut h = signed(&secret, now, &raw);
                h[0].1 = "other".into();
                h
            },
            raw.clone(),
        ),
    ] {
        let (s, e) = post(headers, raw).await;
        assert_eq!(s, 401, "{why}: {e}");
        assert_eq!(e["code"], "unauthorized", "{why}");
        assert!(e["message"].as_str().unwrap().len() > 5, "{why}");
    }
    // Nothing of the refused requests was stored: the next message is seq 2.
    let (s, out) = post_message(&addr, "shop", &secret, &message("u-1", "again", "k3")).await;
    assert_eq!((s, out["seq"].as_i64()), (201, Some(2)), "{out}");

    // Bad input, signed: 400; the body naming another integration: 403; too large: 413.
    let (s, e) = post_message(&addr, "shop", &secret, &json!({"text": "no id"})).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid")), "{e}");
    let (s, e) = post_message(&addr, "shop", &secret, &message("u-1", "  ", "k4")).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid")), "{e}");
    let mut other = message("u-1", "x", "k5");
    other["integration"] = json!("evil");
    let (s, e) = post_message(&addr, "shop", &secret, &other).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")), "{e}");
    let big = message("u-1", &"x".repeat(70 * 1024), "k6");
    let (s, e) = post_message(&addr, "shop", &secret, &big).await;
    assert_eq!((s, e["code"].as_str()), (413, Some("too_large")), "{e}");
    let mut group = message("u-2", "x", "k7");
    group["group"] = json!("nowhere");
    let (s, e) = post_message(&addr, "shop", &secret, &group).await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")), "{e}");
    // Refused before anything was stored: no customer for `u-2`.
    let stored: i64 = open_db(dir.path())
        .query_row(
            "SELECT count(*) FROM integration_customers WHERE external_id = 'u-2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0);
    server.stop().await;
}

#[tokio::test]
async fn the_same_key_gets_the_same_answer_also_after_a_restart_and_another_body_409() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    let (server, secret) = setup(dir.path(), &rx).await;
    let addr = server.addr.to_string();
    let body = message("u-7", "my parcel is late", "order-42-msg-1");
    let (s1, first) = post_message(&addr, "shop", &secret, &body).await;
    assert_eq!(s1, 201, "{first}");
    let (s2, again) = post_message(&addr, "shop", &secret, &body).await;
    assert_eq!((s2, &again), (200, &first));
    let changed = message("u-7", "something else", "order-42-msg-1");
    let (s3, e) = post_message(&addr, "shop", &secret, &changed).await;
    assert_eq!((s3, e["code"].as_str()), (409, Some("conflict")), "{e}");
    // Only one message was stored.
    let db = open_db(dir.path());
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    drop(db);

    server.stop().await;
    let server = TestServer::start(dir.path(), config_with_groups(&["general"])).await;
    let addr = server.addr.to_string();
    let (s4, after) = post_message(&addr, "shop", &secret, &body).await;
    assert_eq!((s4, &after), (200, &first), "the answer survives a restart");
    let (s5, e) = post_message(&addr, "shop", &secret, &changed).await;
    assert_eq!(s5, 409, "{e}");
    // The same customer's next message continues the same conversation.
    let (s6, next) = post_message(&addr, "shop", &secret, &message("u-7", "hello?", "m2")).await;
    assert_eq!(s6, 201, "{next}");
    assert_eq!(next["conversation_id"], first["conversation_id"]);
    assert_eq!(next["customer_id"], first["customer_id"]);
    assert_eq!(next["seq"], 2);
    server.stop().await;
}

#[tokio::test]
async fn an_agents_reply_and_the_end_reach_the_webhook_signed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    let (server, secret) = setup(dir.path(), &rx).await;
    let addr = server.addr.to_string();
    let mut alice = server.agent("alice").await;
    let (s, out) = post_message(&addr, "shop", &secret, &message("u-1", "hi", "a1")).await;
    assert_eq!(s, 201, "{out}");
    let session = accept_next_offer(&mut alice).await;
    assert_eq!(session, out["conversation_id"].as_i64().unwrap());
    let t = alice
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(t["messages"][0]["body"], "hi");
    assert_eq!(t["messages"][0]["author_name"], "Wei");
    assert_eq!(t["session"]["channel"], "app");
    for (i, text) in ["Hello Wei", "Let me check", "It ships today"]
        .iter()
        .enumerate()
    {
        alice
            .call(
                "message.send",
                json!({"session_id": session, "client_msg_id": format!("r{i}"), "body": text}),
            )
            .await
            .unwrap();
    }
    alice
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    let got = rx
        .wait_accepted("the replies and the end", |g| {
            g.iter().any(|e| e["event"]["kind"] == "session_ended")
        })
        .await;
    assert_eq!(
        kinds(&got),
        [
            "agent_joined",
            "message:Hello Wei",
            "message:Let me check",
            "message:It ships today",
            "session_ended"
        ],
        "{got:#?}"
    );
    for e in &got {
        assert_eq!(e["integration"], "shop");
        assert_eq!(e["conversation_id"], session);
        assert_eq!(e["external_customer_id"], "u-1");
        assert_eq!(e["customer_id"], out["customer_id"]);
    }
    assert_eq!(got[4]["event"]["survey"], true, "the rating request");
    let ids: Vec<i64> = got
        .iter()
        .map(|e| e["event_id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    for d in rx.all() {
        assert!(
            d.verifies(&secret),
            "every webhook is signed with the secret"
        );
        assert!(!d.verifies(&"0".repeat(64)));
        assert_eq!(d.headers["x-kefu-integration"], "shop");
    }

    // The catch-up returns the same events, the customer's own message too.
    let path = format!("/api/v1/conversations/{session}/events?after=0");
    let (s, page) = signed_get(&addr, "shop", &secret, &path).await;
    assert_eq!(s, 200, "{page}");
    let evs = page["events"].as_array().unwrap();
    assert_eq!(
        kinds(evs),
        [
            "message:hi",
            "agent_joined",
            "message:Hello Wei",
            "message:Let me check",
            "message:It ships today",
            "session_ended"
        ]
    );
    assert_eq!(evs[1], got[0], "the same format as the webhook");
    let last = page["next_after"].as_i64().unwrap();
    let (_, rest) = signed_get(
        &addr,
        "shop",
        &secret,
        &format!("/api/v1/conversations/{session}/events?after={last}"),
    )
    .await;
    assert_eq!(rest["events"], json!([]));
    let (_, two) = signed_get(
        &addr,
        "shop",
        &secret,
        &format!("/api/v1/conversations/{session}/events?after=0&limit=2"),
    )
    .await;
    assert_eq!(two["events"].as_array().unwrap().len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn catch_up_is_signed_over_the_path_and_only_for_the_integrations_own_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    let (server, secret) = setup(dir.path(), &rx).await;
    let other_secret = add_integration(dir.path(), "other", &rx.url());
    let addr = server.addr.to_string();
    let (_, mine) = post_message(&addr, "shop", &secret, &message("u-1", "hi", "a")).await;
    // The same external id in another integration is another customer.
    let (s, theirs) = post_message(&addr, "other", &other_secret, &message("u-1", "yo", "a")).await;
    assert_eq!(s, 201, "{theirs}");
    assert_ne!(mine["customer_id"], theirs["customer_id"]);
    assert_ne!(mine["conversation_id"], theirs["conversation_id"]);

    let theirs_path = format!("/api/v1/conversations/{}/events", theirs["conversation_id"]);
    let (s, e) = signed_get(&addr, "shop", &secret, &theirs_path).await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")), "{e}");
    let (s, _) = signed_get(&addr, "other", &other_secret, &theirs_path).await;
    assert_eq!(s, 200);

    // A signature for one path does not open another.
    let mine_path = format!("/api/v1/conversations/{}/events", mine["conversation_id"]);
    let ts = now_secs();
    let headers = [
        ("x-kefu-integration", "shop".to_string()),
        ("x-kefu-timestamp", ts.to_string()),
        (
            "x-kefu-signature",
            sign(&secret, ts, b"/api/v1/conversations/999/events"),
        ),
    ];
    let (s, _) = request(&addr, "GET", &mine_path, &headers, vec![]).await;
    assert_eq!(s, 401);
    let (s, page) = signed_get(&addr, "shop", &secret, &mine_path).await;
    assert_eq!(s, 200);
    assert_eq!(kinds(page["events"].as_array().unwrap()), ["message:hi"]);
    let (s, e) = signed_get(&addr, "shop", &secret, "/api/v1/conversations/x/events").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid")), "{e}");
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_and_each_is_served() {
    let doc: Value = serde_json::from_str(kefu::server::api::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> = kefu::server::api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routed.sort();
    assert_eq!(documented, routed);

    // Every documented route is really served (an unsigned request gets the API's JSON
    // answer, not the router's bare 404 or 405).
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), config_with_groups(&["general"])).await;
    let addr = server.addr.to_string();
    for (method, path) in &documented {
        let path = path.replace("{id}", "1");
        let (s, body) = request(&addr, method, &path, &[], vec![]).await;
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert!(
            json.is_object() && s != 404 && s != 405,
            "{method} {path}: {s} {body}"
        );
    }
    let (s, body) = request(&addr, "GET", "/api/v1/openapi.json", &[], vec![]).await;
    assert_eq!(s, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), doc);
    server.stop().await;
}

/// Concurrent deliveries of one key: one message stored, one 201, the same answer for all of
/// the same body; a different body under the same key never gets a second message.
#[tokio::test]
async fn concurrent_retries_of_one_key_store_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    let (server, secret) = setup(dir.path(), &rx).await;
    let addr = server.addr.to_string();
    let same = message("u-9", "once", "dup");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (addr, secret) = (addr.clone(), secret.clone());
        let body = if i == 7 {
            message("u-9", "other", "dup")
        } else {
            same.clone()
        };
        tasks.push(tokio::spawn(async move {
            (i, post_message(&addr, "shop", &secret, &body).await)
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let created = answers.iter().filter(|(_, (s, _))| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    let winner = answers.iter().find(|(_, (s, _))| *s == 201).unwrap();
    for (i, (s, out)) in &answers {
        if *s == 409 {
            assert!(*i == 7 || winner.0 == 7, "{answers:?}");
        } else {
            assert_eq!(out, &winner.1.1, "{answers:?}");
        }
    }
    let db = open_db(dir.path());
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    server.stop().await;
}

#[tokio::test]
async fn an_integration_over_its_rate_gets_429() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let secret = add_integration(dir.path(), "shop", &rx.url());
    let mut config = config_with_groups(&["general"]);
    config.api.rate_burst = 3.0;
    config.api.rate_per_sec = 0.01;
    let server = TestServer::start(dir.path(), config).await;
    let addr = server.addr.to_string();
    for k in 0..3 {
        let (s, out) =
            post_message(&addr, "shop", &secret, &message("u", "x", &k.to_string())).await;
        assert_eq!(s, 201, "{out}");
    }
    let (s, e) = post_message(&addr, "shop", &secret, &message("u", "x", "3")).await;
    assert_eq!((s, e["code"].as_str()), (429, Some("rate_limited")), "{e}");
    server.stop().await;
}

/// A body that trickles in is cut off after ten seconds with a JSON error, not held open.
#[tokio::test]
async fn a_body_that_never_arrives_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start().await;
    let (server, _secret) = setup(dir.path(), &rx).await;
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(
        b"POST /api/v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
          content-length: 100\r\n\r\n{\"external",
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        let mut chunk = [0u8; 1024];
        loop {
            let n = tcp.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if String::from_utf8_lossy(&buf).contains("\"message\"") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 20 s");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("did not arrive within 10 s"), "{text}");
    server.stop().await;
}
