//! Login throttling against a real server (`docs/security.md`): back-off answered with a
//! retry-after, the lock after N failures in a row, `kefu admin agent unlock` from another
//! process while the server runs, the per-address limit, unknown usernames answered exactly
//! like known ones, the audit entries (none holding a password), and a lock that outlives a
//! restart.

mod common;

use common::{PASSWORD, TestServer, WAIT, add_agent, admin_cmd};
use kefu::client::{Client, ClientError};
use kefu::config::{LoginConfig, ServerConfig};
use kefu::model::Role;
use kefu::protocol::{ApiError, ErrorCode};
use kefu::store::AuditEntry;
use serde_json::json;
use std::path::Path;

const WRONG: &str = "wrong-password-42!";

fn config(login: LoginConfig) -> ServerConfig {
    ServerConfig {
        login,
        ..ServerConfig::default()
    }
}

/// Back-off after 2 free failures (30 s, so no test races it); never locks; no address limit.
fn backoff_only() -> LoginConfig {
    LoginConfig {
        free_failures: 2,
        backoff_base_secs: 30,
        backoff_max_secs: 300,
        lock_after: 0,
        lock_minutes: 15,
        failures_per_address_per_minute: 0,
    }
}

/// Locks at the third failure in a row (no back-off before it); no address limit.
fn lock_at_three() -> LoginConfig {
    LoginConfig {
        free_failures: 2,
        lock_after: 3,
        lock_minutes: 15,
        ..backoff_only()
    }
}

/// The error of a login (panics if it succeeded).
async fn login_err(c: &mut Client, username: &str, password: &str) -> ApiError {
    match c
        .call("login", json!({"username": username, "password": password}))
        .await
    {
        Err(ClientError::Api(e)) => e,
        other => panic!("expected an error for {username}, got {other:?}"),
    }
}

async fn login_ok(c: &mut Client, username: &str) {
    c.call("login", json!({"username": username, "password": PASSWORD}))
        .await
        .unwrap_or_else(|e| panic!("{username} could not log in: {e:?}"));
}

async fn connect(server: &TestServer) -> Client {
    Client::connect(&server.url("agent")).await.unwrap()
}

/// The audit log once it holds an entry that `done` accepts (entries are written in the next
/// group commit, after the reply may have gone out).
async fn audit_until(dir: &Path, done: impl Fn(&[AuditEntry]) -> bool) -> Vec<AuditEntry> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut store = kefu::server::open_store(dir, &ServerConfig::default()).unwrap();
        let entries = kefu::admin::audit(&mut store, 0, None, 10_000).unwrap();
        if done(&entries) {
            return entries;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "audit never got there: {entries:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn count(entries: &[AuditEntry], action: &str) -> usize {
    entries.iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn back_off_answers_retry_after_without_checking_the_password() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &[], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(backoff_only())).await;
    let mut c = connect(&server).await;
    // Two free failures, and the third: each a plain "wrong password".
    for _ in 0..3 {
        let e = login_err(&mut c, "alice", WRONG).await;
        assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
        assert_eq!(e.retry_after_secs, None);
    }
    // Now even the right password waits: the back-off is answered before any check.
    let e = login_err(&mut c, "alice", PASSWORD).await;
    assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    let secs = e.retry_after_secs.expect("a retry-after");
    assert!((29..=30).contains(&secs), "{e:?}");
    assert!(e.message.contains("try again in"), "{e:?}");
    // Another account is not affected.
    add_agent(dir.path(), "bob", &[], Role::Agent, None);
    login_ok(&mut connect(&server).await, "bob").await;
    server.stop().await;
}

#[tokio::test]
async fn unknown_usernames_get_exactly_the_answers_known_ones_get() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &[], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(lock_at_three())).await;
    let mut answers = Vec::new();
    for name in ["alice", "nobody-here"] {
        let mut c = connect(&server).await;
        let mut seen = Vec::new();
        for _ in 0..4 {
            let e = login_err(&mut c, name, WRONG).await;
            // The seconds may differ by one between the two runs; the rest may not differ.
            let secs = e.retry_after_secs.map(|s| s.div_ceil(60));
            seen.push((e.code, e.message.replace(char::is_numeric, "#"), secs));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    // And both are locked by then.
    assert_eq!(answers[0][3].0, ErrorCode::RateLimited, "{answers:?}");
    assert!(answers[0][3].1.contains("locked"), "{answers:?}");
    server.stop().await;
}

#[tokio::test]
async fn lock_after_n_failures_lifted_by_the_admin_command_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &[], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(lock_at_three())).await;
    let mut c = connect(&server).await;
    for _ in 0..3 {
        let e = login_err(&mut c, "alice", WRONG).await;
        assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    }
    let e = login_err(&mut c, "alice", PASSWORD).await;
    assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    assert!(e.message.contains("locked"), "{e:?}");
    let secs = e.retry_after_secs.unwrap();
    assert!((15 * 60 - 2..=15 * 60).contains(&secs), "{e:?}");
    audit_until(dir.path(), |a| count(a, "login.locked") == 1).await;

    // Another process lifts it; the running server lets the next login through.
    let (code, out, err) = admin_cmd(dir.path(), &["agent", "unlock", "alice"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("unlocked alice (it was locked, with 3 failed"),
        "{out}"
    );
    login_ok(&mut c, "alice").await;
    let audit = audit_until(dir.path(), |a| count(a, "login.unlocked") == 1).await;
    let unlocked = audit.iter().find(|e| e.action == "login.unlocked").unwrap();
    assert!(unlocked.actor.starts_with("admin-cli"), "{unlocked:?}");
    assert!(
        unlocked.detail.contains("\"was_locked\":true"),
        "{unlocked:?}"
    );
    // An unknown username is an error, not a silent success.
    let (code, _, err) = admin_cmd(dir.path(), &["agent", "unlock", "nobody"]);
    assert_ne!(code, 0);
    assert!(err.contains("nobody"), "{err}");
    server.stop().await;
}

#[tokio::test]
async fn a_lock_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &[], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(lock_at_three())).await;
    let mut c = connect(&server).await;
    for _ in 0..3 {
        login_err(&mut c, "alice", WRONG).await;
    }
    audit_until(dir.path(), |a| count(a, "login.locked") == 1).await;
    drop(c);
    server.stop().await;

    let server = TestServer::start(dir.path(), config(lock_at_three())).await;
    let e = login_err(&mut connect(&server).await, "alice", PASSWORD).await;
    assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    assert!(e.message.contains("locked"), "{e:?}");
    server.stop().await;
}

#[tokio::test]
async fn one_address_gets_a_few_failures_a_minute_across_accounts() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["alice", "bob", "carol"] {
        add_agent(dir.path(), name, &[], Role::Agent, None);
    }
    let login = LoginConfig {
        failures_per_address_per_minute: 3,
        free_failures: 100,
        lock_after: 0,
        ..backoff_only()
    };
    let server = TestServer::start(dir.path(), config(login)).await;
    // Successful logins do not count against the address.
    for _ in 0..6 {
        login_ok(&mut connect(&server).await, "carol").await;
    }
    let mut c = connect(&server).await;
    for name in ["alice", "bob", "nobody"] {
        let e = login_err(&mut c, name, WRONG).await;
        assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    }
    // The fourth failure from this address is still checked (and fails); after it the address
    // waits, whichever account it tries, and the right password does not help.
    let e = login_err(&mut c, "carol", WRONG).await;
    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    let e = login_err(&mut connect(&server).await, "carol", PASSWORD).await;
    assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    assert!(e.message.contains("your address"), "{e:?}");
    assert!((1..=20).contains(&e.retry_after_secs.unwrap()), "{e:?}");
    server.stop().await;
}

#[tokio::test]
async fn logins_are_audited_sanitised_and_without_passwords_and_refusals_are_not_flooded() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &[], Role::Agent, None);
    let server = TestServer::start(dir.path(), config(backoff_only())).await;
    let mut c = connect(&server).await;
    login_err(&mut c, "alice", WRONG).await;
    let evil = format!("evil\u{1b}[31m\u{202e}name{}", "x".repeat(300));
    login_err(&mut c, &evil, "another-wrong-1!").await;
    login_ok(&mut c, "alice").await;
    let mut c = connect(&server).await;
    // alice: two more failures, the third starts the back-off; then 20 refused attempts.
    for _ in 0..3 {
        login_err(&mut c, "alice", WRONG).await;
    }
    for _ in 0..20 {
        let e = login_err(&mut c, "alice", PASSWORD).await;
        assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    }
    let audit = audit_until(dir.path(), |a| {
        count(a, "login.failed") == 5 && count(a, "login.ok") == 1
    })
    .await;
    let failed: Vec<serde_json::Value> = audit
        .iter()
        .filter(|e| e.action == "login.failed")
        .map(|e| serde_json::from_str(&e.detail).unwrap())
        .collect();
    assert_eq!(failed[0]["username"], "alice");
    assert_eq!(failed[0]["address"], "127.0.0.1");
    assert_eq!(failed[0]["reason"], "password");
    // The typed name is kept, but bounded and without escapes or bidi controls.
    let typed = failed[1]["username"].as_str().unwrap();
    assert!(typed.starts_with("evil[31mnamexxx"), "{typed}");
    assert!(typed.chars().count() <= 65, "{typed}");
    assert!(!typed.contains(['\u{1b}', '\u{202e}']), "{typed}");
    let ok = audit.iter().find(|e| e.action == "login.ok").unwrap();
    assert_eq!(ok.actor, "alice");
    // 20 refusals in a minute: one entry now (the rest go into the minute's summary).
    assert_eq!(count(&audit, "login.throttled"), 1, "{audit:#?}");
    // Nothing anywhere holds a password that was typed.
    for e in &audit {
        for secret in [WRONG, PASSWORD, "another-wrong-1!"] {
            let all = format!("{} {} {} {}", e.actor, e.action, e.target, e.detail);
            assert!(!all.contains(secret), "{e:?}");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn new_passwords_follow_the_policy_over_the_wire_and_in_admin() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &[], Role::Agent, None);
    let server = TestServer::start(dir.path(), ServerConfig::default()).await;
    let mut c = connect(&server).await;
    login_ok(&mut c, "alice").await;
    for (new, why) in [
        ("short-1!", "shorter than 10"),
        ("QWERTYUIOP", "most common"),
        ("my-ALICE-pass-2026", "contains the username"),
    ] {
        let r = c
            .call(
                "change_password",
                json!({"old_password": PASSWORD, "new_password": new}),
            )
            .await;
        let Err(ClientError::Api(e)) = r else {
            panic!("{new} was accepted: {r:?}");
        };
        assert_eq!(e.code, ErrorCode::Invalid, "{e:?}");
        assert!(e.message.contains(why), "{e:?}");
        assert!(e.message.contains("may not contain the username"), "{e:?}");
    }
    c.call(
        "change_password",
        json!({"old_password": PASSWORD, "new_password": "a fine long passphrase"}),
    )
    .await
    .unwrap();
    server.stop().await;
    // Accounts made with a given password follow it too.
    let mut store = kefu::server::open_store(dir.path(), &ServerConfig::default()).unwrap();
    let new = kefu::admin::NewAgent {
        username: "bob".into(),
        display_name: "Bob".into(),
        employee_no: None,
        contact: None,
        role: Role::Agent,
        groups: vec![],
        max_sessions: None,
    };
    let e = kefu::admin::add_agent_with_password(&mut store, new, "bob-the-builder", false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("contains the username"), "{e}");
}
