//! Bad input gets a clear error code and the server keeps serving everyone else.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, ServerFrame};
use serde_json::json;

async fn next_error(c: &mut Client) -> ErrorCode {
    loop {
        if let ServerFrame::Reply {
            ok: false,
            error: Some(e),
            ..
        } = c.next_frame(WAIT).await.unwrap()
        {
            return e.code;
        }
    }
}

#[tokio::test]
async fn bad_frames_get_error_codes_and_nothing_breaks() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, Some(1));
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;

    let mut evil = Client::connect(&server.url("customer")).await.unwrap();
    // Oversized: too_large, and the connection still works.
    evil.send_text(format!(
        r#"{{"id":1,"type":"typing","pad":"{}"}}"#,
        "x".repeat(70_000)
    ))
    .await
    .unwrap();
    assert_eq!(next_error(&mut evil).await, ErrorCode::TooLarge);
    evil.send_text("{not json".into()).await.unwrap();
    assert_eq!(next_error(&mut evil).await, ErrorCode::Invalid);
    evil.send_text(r#"{"id":2,"type":"self.destruct"}"#.into())
        .await
        .unwrap();
    assert_eq!(next_error(&mut evil).await, ErrorCode::Invalid);
    evil.send_text(r#"[1,2,3]"#.into()).await.unwrap();
    assert_eq!(next_error(&mut evil).await, ErrorCode::Invalid);
    // Acting before identifying, and on someone else's session.
    let r = evil
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "x", "body": "hi"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Unauthorized);
    evil.call("customer.start", json!({"channel": "web"}))
        .await
        .unwrap();
    let r = evil
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "x", "body": "hi"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);
    let r = evil
        .call("session.rate", json!({"session_id": session, "stars": 9}))
        .await;
    assert_eq!(api_code(r), ErrorCode::Invalid);
    let r = evil
        .call("customer.resume", json!({"token": "forged"}))
        .await;
    assert_eq!(
        api_code(r),
        ErrorCode::Conflict,
        "already identified on this connection"
    );

    // Wrong token on a fresh connection; unsupported protocol version.
    let mut stranger = Client::connect(&server.url("agent")).await.unwrap();
    let r = stranger.call("resume", json!({"token": "0000"})).await;
    assert_eq!(api_code(r), ErrorCode::Unauthorized);
    let r = stranger.call("hello", json!({"protocol": 99})).await;
    assert_eq!(api_code(r), ErrorCode::UnsupportedVersion);

    // Another agent acting on alice's session: forbidden.
    let mut bob = server.agent("bob").await;
    for (kind, fields) in [
        (
            "message.send",
            json!({"session_id": session, "client_msg_id": "b", "body": "mine now"}),
        ),
        ("session.end", json!({"session_id": session})),
        ("session.tag", json!({"session_id": session, "add": ["x"]})),
        (
            "session.transfer",
            json!({"session_id": session, "to": {"group": "general"}}),
        ),
        ("session.transcript", json!({"session_id": session})),
    ] {
        let r = bob.call(kind, fields).await;
        assert_eq!(api_code(r), ErrorCode::Forbidden, "{kind}");
    }
    let r = bob
        .call("session.accept", json!({"session_id": session}))
        .await;
    assert_eq!(api_code(r), ErrorCode::Conflict);
    let r = bob
        .call("session.accept", json!({"session_id": 999_999}))
        .await;
    assert_eq!(api_code(r), ErrorCode::NotFound);

    // Everyone else carried on.
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "ok", "body": "still fine"}),
    )
    .await
    .unwrap();
    wait_message(&mut alice, "still fine").await;
    server.stop().await;
}

#[tokio::test]
async fn a_flood_is_rate_limited_and_the_connection_survives() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = kefu::config::ServerConfig::default();
    config.limits.rate_per_sec = 5.0;
    config.limits.rate_burst = 10.0;
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config).await;
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    for _ in 0..40 {
        c.send("typing", json!({"session_id": 1})).await.unwrap();
    }
    let mut limited = 0;
    for _ in 0..40 {
        if let ServerFrame::Reply {
            ok: false,
            error: Some(e),
            ..
        } = c.next_frame(WAIT).await.unwrap()
            && e.code == ErrorCode::RateLimited
        {
            limited += 1;
        }
    }
    assert!(limited >= 25, "only {limited} of 40 were limited");
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    c.call("customer.start", json!({"channel": "api"}))
        .await
        .unwrap();
    server.stop().await;
}
