//! The second factor (TOTP, RFC 6238) against the real server: enrol and confirm, the login
//! that then needs a code (each code once, ±1 step of skew), recovery codes (each once),
//! turning it off, `kefu admin agent reset-2fa` (the real binary), and `[auth] require_2fa`
//! holding an account to totp.*/logout until it has enrolled. The codes are computed here
//! from the secret the server handed out, as an authenticator app would.

mod common;
mod raw;
use common::*;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::totp;
use raw::Raw;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Waits (at most one step) until the clock is early in a 30-second step, so a test's few
/// seconds stay within one step; returns the time then.
async fn early_in_a_step() -> u64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(31);
    loop {
        let now = unix_now();
        if (1..=20).contains(&(now % 30)) {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the clock does not move"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn code(secret: &[u8], at: u64) -> String {
    totp::code_at(secret, at).unwrap()
}

async fn login(server: &TestServer, user: &str, code: Option<&str>) -> (Raw, Result<Value, Value>) {
    let mut c = Raw::connect(&server.url("agent")).await;
    let mut q = json!({"username": user, "password": PASSWORD});
    if let Some(code) = code {
        q["totp"] = json!(code);
    }
    let r = c.call("login", q).await;
    (c, r)
}

/// Enrols and confirms on `c` (with the code of the step before `t0`: skew accepted);
/// returns the secret and the recovery codes.
async fn enrol(c: &mut Raw, t0: u64) -> (Vec<u8>, Vec<String>) {
    let r = c.call("totp.enroll", json!({})).await.unwrap();
    let secret = totp::secret_from_base32(r["secret"].as_str().unwrap()).unwrap();
    let uri = r["uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/kefu:"), "{uri}");
    assert!(uri.contains(&format!("secret={}", r["secret"].as_str().unwrap())));
    let r = c
        .call("totp.confirm", json!({"code": code(&secret, t0 - 30)}))
        .await
        .unwrap();
    let codes: Vec<String> = serde_json::from_value(r["recovery_codes"].clone()).unwrap();
    (secret, codes)
}

fn audit(dir: &std::path::Path, action: &str) -> Vec<kefu::store::AuditEntry> {
    let mut store = kefu::server::open_store(dir, &ServerConfig::default()).unwrap();
    kefu::admin::audit(&mut store, 0, Some(action), 1000).unwrap()
}

#[tokio::test]
async fn enrolled_login_needs_a_code_each_used_once_and_recovery_codes_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (mut a, r) = login(&server, "alice", None).await;
    assert_eq!(r.unwrap()["must_enroll_totp"], false);
    // Another sign-in, made without the factor: it ends when the factor comes into force.
    let (mut other, r) = login(&server, "alice", None).await;
    let other_token = r.unwrap()["token"].as_str().unwrap().to_string();

    let t0 = early_in_a_step().await;
    // Not confirmed yet: a wrong code is refused and nothing is in force.
    a.call("totp.enroll", json!({})).await.unwrap();
    let e = a
        .call("totp.confirm", json!({"code": "000000"}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "invalid", "{e}");
    let (_c, r) = login(&server, "alice", None).await;
    r.expect("no factor in force before confirmation");
    let (secret, codes) = enrol(&mut a, t0).await;
    assert_eq!(codes.len(), 10);
    assert!(
        other.wait_close(WAIT).await.is_some(),
        "the other sign-in ends"
    );
    let mut again = Raw::connect(&server.url("agent")).await;
    let e = again
        .call("resume", json!({"token": other_token}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized");

    // The password alone is a question, not a failure.
    let (_c, r) = login(&server, "alice", None).await;
    let e = r.unwrap_err();
    assert_eq!(e["code"], "totp_required", "{e}");
    assert!(e["message"].as_str().unwrap().contains("code"), "{e}");
    // The next step's code (clock skew +1) works…
    let ahead = code(&secret, t0 + 30);
    let (mut b, r) = login(&server, "alice", Some(&ahead)).await;
    r.expect("a code one step ahead is accepted");
    b.call("snapshot", json!({})).await.unwrap();
    // …once.
    let (_c, r) = login(&server, "alice", Some(&ahead)).await;
    assert_eq!(r.unwrap_err()["code"], "unauthorized");
    // An older step's code after a newer one was used is a replay too.
    let (_c, r) = login(&server, "alice", Some(&code(&secret, t0))).await;
    assert_eq!(r.unwrap_err()["code"], "unauthorized");
    // Two steps away is too far.
    let (_c, r) = login(&server, "alice", Some(&code(&secret, t0 + 90))).await;
    assert_eq!(r.unwrap_err()["code"], "unauthorized");
    // A wrong password with a right code is still a wrong password.
    let mut c = Raw::connect(&server.url("agent")).await;
    let e = c
        .call(
            "login",
            json!({"username": "alice", "password": "nope-nope-nope", "totp": code(&secret, t0 + 60)}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized");

    // A recovery code works once, whatever its case and dashes.
    let typed = codes[3].to_uppercase().replace('-', "");
    let (mut d, r) = login(&server, "alice", Some(&typed)).await;
    r.expect("a recovery code is accepted");
    d.call("snapshot", json!({})).await.unwrap();
    let (_c, r) = login(&server, "alice", Some(&codes[3])).await;
    assert_eq!(r.unwrap_err()["code"], "unauthorized");
    let (_c, r) = login(&server, "alice", Some("abcd-efgh-jkmn")).await;
    assert_eq!(r.unwrap_err()["code"], "unauthorized");

    // Audited, with nothing secret in the entries.
    assert_eq!(audit(dir.path(), "totp.enrolled").len(), 2);
    assert_eq!(audit(dir.path(), "totp.confirmed").len(), 1);
    let used = audit(dir.path(), "totp.recovery_used");
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].actor, "alice");
    let wrong = audit(dir.path(), "totp.wrong_code");
    assert_eq!(wrong.len(), 5, "{wrong:?}");
    assert!(wrong.iter().any(|e| e.detail.contains("replayed")));
    for e in audit(dir.path(), "totp") {
        let all = format!("{e:?}");
        assert!(!all.contains(&totp::secret_base32(&secret)), "{all}");
        assert!(!all.contains(&ahead), "{all}");
        for c in &codes {
            assert!(!all.contains(c.as_str()), "{all}");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn disable_needs_a_current_code_and_then_the_password_suffices() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (mut a, r) = login(&server, "alice", None).await;
    r.unwrap();
    let t0 = early_in_a_step().await;
    let (secret, _codes) = enrol(&mut a, t0).await;
    let e = a
        .call("totp.disable", json!({"code": "123456"}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "unauthorized", "{e}");
    a.call("totp.disable", json!({"code": code(&secret, t0)}))
        .await
        .unwrap();
    let (_c, r) = login(&server, "alice", None).await;
    r.expect("the password alone after disabling");
    assert_eq!(audit(dir.path(), "totp.disabled").len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn admin_reset_2fa_removes_the_factor_and_ends_the_sign_ins() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (mut a, r) = login(&server, "alice", None).await;
    r.unwrap();
    let t0 = early_in_a_step().await;
    let (secret, _codes) = enrol(&mut a, t0).await;
    let (mut b, r) = login(&server, "alice", Some(&code(&secret, t0))).await;
    r.unwrap();

    let (status, out, err) = admin_cmd(dir.path(), &["agent", "reset-2fa", "alice"]);
    assert_eq!(status, 0, "{out}{err}");
    assert!(out.contains("removed"), "{out}");
    assert!(a.wait_close(WAIT).await.is_some());
    assert!(b.wait_close(WAIT).await.is_some());
    let (mut c, r) = login(&server, "alice", None).await;
    assert_eq!(
        r.expect("the password alone after a reset")["must_enroll_totp"],
        false
    );
    c.call("snapshot", json!({})).await.unwrap();
    let reset = audit(dir.path(), "totp.reset");
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0].actor, kefu::audit::ADMIN_CLI);
    assert_eq!(reset[0].target, "alice");

    let (status, _, err) = admin_cmd(dir.path(), &["agent", "reset-2fa", "nobody"]);
    assert_ne!(status, 0);
    assert!(err.contains("nobody"), "{err}");
    server.stop().await;
}

#[tokio::test]
async fn a_role_that_requires_2fa_may_only_enrol_until_it_has() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "root", &["general"], Role::Admin, None);
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    config.auth.require_2fa = vec![Role::Admin];
    let server = TestServer::start(dir.path(), config.clone()).await;

    // Agents are not concerned.
    let (mut a, r) = login(&server, "alice", None).await;
    assert_eq!(r.unwrap()["must_enroll_totp"], false);
    a.call("snapshot", json!({})).await.unwrap();

    let (mut root, r) = login(&server, "root", None).await;
    let r = r.unwrap();
    assert_eq!(r["must_enroll_totp"], true);
    let token = r["token"].as_str().unwrap().to_string();
    for (kind, q) in [
        ("snapshot", json!({})),
        ("status.set", json!({"status": "online"})),
        ("directory", json!({})),
    ] {
        let e = root.call(kind, q).await.unwrap_err();
        assert_eq!(e["code"], "forbidden", "{kind}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains("totp.enroll"),
            "{e}"
        );
    }
    // A resume of that sign-in owes the same.
    let mut resumed = Raw::connect(&server.url("agent")).await;
    let r = resumed
        .call("resume", json!({"token": token}))
        .await
        .unwrap();
    assert_eq!(r["must_enroll_totp"], true);
    let e = resumed.call("snapshot", json!({})).await.unwrap_err();
    assert_eq!(e["code"], "forbidden");
    drop(resumed);

    let t0 = early_in_a_step().await;
    let (secret, _codes) = enrol(&mut root, t0).await;
    // This connection is at work now.
    root.call("snapshot", json!({})).await.unwrap();
    root.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    // The role's factor cannot be turned off.
    let e = root
        .call("totp.disable", json!({"code": code(&secret, t0)}))
        .await
        .unwrap_err();
    assert_eq!(e["code"], "forbidden", "{e}");
    // After a restart, a resume knows the factor is in force (read from the store).
    drop(root);
    server.stop().await;
    let server = TestServer::start(dir.path(), config).await;
    let mut again = Raw::connect(&server.url("agent")).await;
    let r = again.call("resume", json!({"token": token})).await.unwrap();
    assert_eq!(r["must_enroll_totp"], false);
    again.call("snapshot", json!({})).await.unwrap();
    // And a login asks for the code.
    let (_c, r) = login(&server, "root", None).await;
    assert_eq!(r.unwrap_err()["code"], "totp_required");
    server.stop().await;
}
