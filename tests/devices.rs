//! Sign-ins against the real server (`docs/accounts.md`): the devices list and ending one,
//! logout and account disable closing live connections with 1008 and a reason, idle expiry
//! and renewal.

mod common;
mod raw;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use raw::Raw;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn logged_in(server: &TestServer, username: &str) -> (Raw, String) {
    let mut c = Raw::connect(&server.url("agent")).await;
    let r = c
        .call("login", json!({"username": username, "password": PASSWORD}))
        .await
        .unwrap();
    (c, r["token"].as_str().unwrap().to_string())
}

async fn resume_error(server: &TestServer, token: &str) -> Value {
    let mut c = Raw::connect(&server.url("agent")).await;
    c.call("resume", json!({"token": token})).await.unwrap_err()
}

fn closed_with(close: Option<(u16, String)>, reason: &str) {
    let (code, why) = close.expect("a close frame");
    assert_eq!((code, why.as_str()), (1008, reason));
    assert!(why.starts_with(kefu::server::SIGNED_OUT_PREFIX), "{why}");
}

#[tokio::test]
async fn ending_a_device_closes_its_connection_with_1008_and_its_token_stops_resuming() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let mut config = kefu::config::ServerConfig::default();
    // The end itself must close the connection, not the periodic check.
    config.auth.revocation_check_secs = 3600;
    let server = TestServer::start(dir.path(), config).await;
    // The laptop says who it is in `hello` (`kefu-client`); the phone says nothing.
    let mut laptop = Client::connect(&server.url("agent")).await.unwrap();
    laptop
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let (mut phone, phone_token) = logged_in(&server, "alice").await;
    let (mut bob, _) = logged_in(&server, "bob").await;

    let list = laptop.call("devices.list", json!({})).await.unwrap();
    let devices = list["devices"].as_array().unwrap().clone();
    assert_eq!(devices.len(), 2, "{list}");
    let mine: Vec<&Value> = devices.iter().filter(|d| d["current"] == true).collect();
    assert_eq!(mine.len(), 1, "{list}");
    assert_eq!(mine[0]["client"], "kefu-client");
    assert_eq!(mine[0]["address"], "127.0.0.1");
    assert!(devices.iter().all(|d| d["connected"] == true), "{list}");
    let phone_id = devices.iter().find(|d| d["current"] == false).unwrap()["id"].clone();
    let laptop_id = mine[0]["id"].clone();

    // Bob cannot end Alice's device; Alice cannot end the one she is using.
    let e = bob
        .call("devices.end", json!({"device_id": phone_id}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "not_found");
    let e = laptop
        .call("devices.end", json!({"device_id": laptop_id}))
        .await;
    assert_eq!(api_code(e), kefu::protocol::ErrorCode::Invalid);

    let started = Instant::now();
    laptop
        .call("devices.end", json!({"device_id": phone_id}))
        .await
        .unwrap();
    closed_with(
        phone.wait_close(WAIT).await,
        "signed out: ended from another device",
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        resume_error(&server, &phone_token).await["code"],
        "unauthorized"
    );
    let list = laptop.call("devices.list", json!({})).await.unwrap();
    assert_eq!(list["devices"].as_array().unwrap().len(), 1, "{list}");
    // The laptop carries on; the end is audited.
    laptop.call("snapshot", json!({})).await.unwrap();
    server.stop().await;
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let entries = kefu::admin::audit(&mut store, 0, Some("session.device_ended"), 10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "alice");
}

#[tokio::test]
async fn logout_closes_the_other_connections_of_the_same_sign_in_at_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = kefu::config::ServerConfig::default();
    config.auth.revocation_check_secs = 3600;
    let server = TestServer::start(dir.path(), config).await;
    let (mut a1, token) = logged_in(&server, "alice").await;
    let mut a2 = Raw::connect(&server.url("agent")).await;
    a2.call("resume", json!({"token": token})).await.unwrap();
    let started = Instant::now();
    a1.call("logout", json!({})).await.unwrap();
    closed_with(a2.wait_close(WAIT).await, "signed out: logged out");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(resume_error(&server, &token).await["code"], "unauthorized");
    // The connection that logged out may log in again.
    a1.call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_and_told_so_only_with_the_right_password() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (mut a1, token) = logged_in(&server, "alice").await;

    let (code, out, err) = admin_cmd(dir.path(), &["agent", "disable", "alice"]);
    assert_eq!(code, 0, "{out}{err}");
    let started = Instant::now();
    closed_with(a1.wait_close(WAIT).await, "signed out: account disabled");
    // The default check runs every 2 s.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(resume_error(&server, &token).await["code"], "unauthorized");

    let mut c = Raw::connect(&server.url("agent")).await;
    let e = c
        .call(
            "login",
            json!({"username": "alice", "password": "wrong-password-1"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized");
    assert!(!e["message"].as_str().unwrap().contains("disabled"), "{e}");
    let e = c
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    assert!(e["message"].as_str().unwrap().contains("disabled"), "{e}");

    let (code, out, err) = admin_cmd(dir.path(), &["agent", "enable", "alice"]);
    assert_eq!(code, 0, "{out}{err}");
    c.call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    server.stop().await;
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let all = kefu::admin::audit(&mut store, 0, None, 100).unwrap();
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"account.disabled"), "{actions:?}");
    assert!(actions.contains(&"account.enabled"), "{actions:?}");
    let d = all.iter().find(|e| e.action == "account.disabled").unwrap();
    assert_eq!(
        (d.actor.as_str(), d.target.as_str()),
        ("admin-cli", "alice")
    );
}

fn idle_config(secs: u64) -> kefu::config::ServerConfig {
    let mut config = kefu::config::ServerConfig::default();
    config.auth.idle_timeout_secs = Some(secs);
    config
}

#[tokio::test]
async fn an_idle_sign_in_is_closed_and_no_longer_resumes() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), idle_config(5)).await;
    let started = Instant::now();
    let (mut a1, token) = logged_in(&server, "alice").await;
    closed_with(
        a1.wait_close(Duration::from_secs(20)).await,
        "signed out: idle for too long",
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(4),
        "closed after {took:?}, before the timeout"
    );
    assert_eq!(resume_error(&server, &token).await["code"], "unauthorized");
    server.stop().await;
}

#[tokio::test]
async fn renewing_keeps_a_sign_in_alive_past_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), idle_config(5)).await;
    let (mut a1, token) = logged_in(&server, "alice").await;
    let started = Instant::now();
    // Renew every second for twice the timeout (the console does it while its user types).
    while started.elapsed() < Duration::from_secs(10) {
        let r = a1.call("token.renew", json!({})).await.unwrap();
        let expires = r["expires_at"].as_i64().unwrap();
        assert!(expires > kefu::model::now_ms() + 3_000, "{r}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // Still connected, and the token resumes elsewhere (its last use reached the store).
    a1.call("snapshot", json!({})).await.unwrap();
    let mut a2 = Raw::connect(&server.url("agent")).await;
    a2.call("resume", json!({"token": token})).await.unwrap();
    server.stop().await;
}
