//! A store job refused after the hub accepted its request (here: a password change that the
//! database refuses, through a trigger planted behind the server's back) fails that request
//! alone — it gets an `internal` reply, never a false `ok` and never silence — and the server
//! goes on serving everyone else.

mod common;

use common::*;
use kefu::model::Role;
use kefu::protocol::ErrorCode;
use serde_json::json;

#[tokio::test]
async fn a_refused_job_fails_its_request_only() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;

    // The database starts refusing password changes (another tool, a bad migration…).
    let db = rusqlite::Connection::open(dir.path().join("kefu.db")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER no_new_passwords BEFORE UPDATE OF password_hash ON agents
         BEGIN SELECT RAISE(ABORT, 'password changes are frozen'); END;",
    )
    .unwrap();
    drop(db);
    let r = alice
        .call(
            "change_password",
            json!({"old_password": PASSWORD, "new_password": "another-pass-2!"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Internal);

    // Everyone else is served: bob gets a new conversation and its messages.
    bob.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    alice
        .call("status.set", json!({"status": "busy"}))
        .await
        .unwrap();
    let (mut cust, session, _) = server.customer("c", None).await;
    assert_eq!(accept_next_offer(&mut bob).await, session);
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "m1", "body": "still here?"}),
    )
    .await
    .unwrap();
    wait_message(&mut bob, "still here?").await;
    server.stop().await;
}
