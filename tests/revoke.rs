//! Revocation against the real server: a password reset by `kefu admin` (another process on
//! the same database) and an agent's own password change close the agent's other live
//! connections with 1008 and a reason; everyone else carries on.

mod common;
mod raw;
use common::*;
use kefu::model::Role;
use raw::Raw;
use serde_json::json;

const REVOKED: (u16, &str) = (
    1008,
    "signed out: sign-in ended by an administrator (password, role or 2FA reset)",
);
/// The error a request gets when its token was revoked meanwhile.
const REVOKED_ERROR: &str = "token revoked; log in again";

/// An agent connection logged in with [`PASSWORD`]; returns it with its token.
async fn logged_in(server: &TestServer, username: &str) -> (Raw, String) {
    let mut c = Raw::connect(&server.url("agent")).await;
    let r = c
        .call("login", json!({"username": username, "password": PASSWORD}))
        .await
        .unwrap();
    (c, r["token"].as_str().unwrap().to_string())
}

async fn resumed(server: &TestServer, token: &str) -> Raw {
    let mut c = Raw::connect(&server.url("agent")).await;
    c.call("resume", json!({"token": token})).await.unwrap();
    c
}

fn closed_as_revoked(close: Option<(u16, String)>) {
    let (code, reason) = close.expect("a close frame");
    assert_eq!((code, reason.as_str()), REVOKED);
}

#[tokio::test]
async fn an_admin_reset_closes_the_agents_live_connections_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (mut a1, token) = logged_in(&server, "alice").await;
    a1.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    let mut a2 = resumed(&server, &token).await;
    let (mut bob, _) = logged_in(&server, "bob").await;

    // `kefu admin agent reset-password alice`, on the same data dir while the server runs.
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let new_password = kefu::admin::reset_password(&mut store, "alice").unwrap();
    drop(store);

    let started = std::time::Instant::now();
    closed_as_revoked(a1.wait_close(WAIT).await);
    closed_as_revoked(a2.wait_close(WAIT).await);
    // The default check runs every 2 s.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    // Bob was not touched.
    bob.call("snapshot", json!({})).await.unwrap();
    // The old token is dead; the new password works and must be changed.
    let mut again = Raw::connect(&server.url("agent")).await;
    let e = again
        .call("resume", json!({"token": token}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized");
    let r = again
        .call(
            "login",
            json!({"username": "alice", "password": new_password}),
        )
        .await
        .unwrap();
    assert_eq!(r["must_change_password"], true);
    server.stop().await;
}

#[tokio::test]
async fn changing_ones_password_closes_ones_other_connections() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // No periodic check during the test: the other connection must be closed by the change.
    let mut config = kefu::config::ServerConfig::default();
    config.auth.revocation_check_secs = 3600;
    let server = TestServer::start(dir.path(), config).await;
    let (mut laptop, token) = logged_in(&server, "alice").await;
    let mut desktop = resumed(&server, &token).await;
    let r = laptop
        .call(
            "change_password",
            json!({"old_password": PASSWORD, "new_password": "brand-new-pass-2!"}),
        )
        .await
        .unwrap();
    let new_token = r["token"].as_str().unwrap().to_string();
    let (code, reason) = desktop.wait_close(WAIT).await.expect("a close frame");
    assert_eq!(
        (code, reason.as_str()),
        (1008, "signed out: password changed")
    );
    // The connection that changed it keeps working, and its new token resumes elsewhere.
    laptop
        .call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    let mut phone = resumed(&server, &new_token).await;
    phone.call("snapshot", json!({})).await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_connection_reset_by_the_admin_cannot_change_the_password_back() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // The periodic check is far away: the change itself must notice the reset.
    let mut config = kefu::config::ServerConfig::default();
    config.auth.revocation_check_secs = 3600;
    let server = TestServer::start(dir.path(), config).await;
    let (mut old, _) = logged_in(&server, "alice").await;
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let reset = kefu::admin::reset_password(&mut store, "alice").unwrap();
    drop(store);
    let e = old
        .call(
            "change_password",
            json!({"old_password": PASSWORD, "new_password": "attacker-pass-3!"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized");
    assert_eq!(e["message"], REVOKED_ERROR);
    closed_as_revoked(old.wait_close(WAIT).await);
    // The admin's password still stands; the attacker's was never set.
    let mut c = Raw::connect(&server.url("agent")).await;
    let e = c
        .call(
            "login",
            json!({"username": "alice", "password": "attacker-pass-3!"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized");
    c.call("login", json!({"username": "alice", "password": reset}))
        .await
        .unwrap();
    server.stop().await;
}
