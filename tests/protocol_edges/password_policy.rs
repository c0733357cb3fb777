//! `change_password` (§3.2): the policy at its boundary (at least 10 characters, not one of the
//! 10,000 most common passwords, not containing the username), and its errors in the documented
//! order.

use crate::common::*;
use kefu::client::{Client, ClientError};
use kefu::model::Role;
use serde_json::json;

const POLICY: &str = "a password needs at least 10 characters, may not be one of the 10,000 \
     most common passwords, and may not contain the username (case is ignored)";

fn refused(why: &str) -> String {
    format!("password refused: {why}; {POLICY}")
}

async fn change(
    c: &mut Client,
    old: &str,
    new: &str,
) -> Result<serde_json::Value, (String, String)> {
    match c
        .call(
            "change_password",
            json!({"old_password": old, "new_password": new}),
        )
        .await
    {
        Ok(v) => Ok(v),
        Err(ClientError::Api(e)) => Err((wire(e.code), e.message)),
        Err(e) => panic!("{e}"),
    }
}

fn err(code: &str, message: &str) -> Result<serde_json::Value, (String, String)> {
    Err((code.into(), message.into()))
}

#[tokio::test]
async fn the_password_policy_holds_at_the_boundary_in_the_documented_order() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "pat", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;

    // Not logged in comes first, whatever the passwords.
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    assert_eq!(
        change(&mut c, PASSWORD, "short").await,
        err("unauthorized", "log in first")
    );
    c.call("login", json!({"username": "pat", "password": PASSWORD}))
        .await
        .unwrap();

    let short = refused("it is shorter than 10 characters");
    for (new, why) in [
        ("abcdef1!x", short.as_str()), // 9 characters
        ("123456789", short.as_str()),
        (
            "1234567890",
            &refused("it is one of the 10,000 most common passwords"),
        ),
        (
            "QwertyUIOP",
            &refused("it is one of the 10,000 most common passwords"),
        ),
        ("my-PAT-password", &refused("it contains the username")),
    ] {
        assert_eq!(
            change(&mut c, PASSWORD, new).await,
            err("invalid", why),
            "{new:?}"
        );
    }
    // The policy is checked before the current password; then that the new one differs
    // (compared with what was sent); then the current password.
    assert_eq!(
        change(&mut c, "not-the-password", "short").await,
        err("invalid", &short)
    );
    assert_eq!(
        change(&mut c, "abcdefg1!x", "abcdefg1!x").await,
        err("invalid", "the new password must differ from the old one")
    );
    assert_eq!(
        change(&mut c, "not-the-password", "abcdefg1!x").await,
        err("unauthorized", "the current password is wrong")
    );

    // Exactly 10 characters, with letters that are not ASCII: accepted.
    let new = "абвгдеж1!x";
    assert_eq!(new.chars().count(), 10);
    let r = change(&mut c, PASSWORD, new).await.unwrap();
    let token = r["token"].as_str().unwrap();
    assert!(
        token.len() == 64 && token.chars().all(|ch| ch.is_ascii_hexdigit()),
        "{r}"
    );
    // The connection carries on, and the new password is the one that logs in.
    c.call("snapshot", json!({})).await.unwrap();
    let mut again = Client::connect(&server.url("agent")).await.unwrap();
    again
        .call("login", json!({"username": "pat", "password": new}))
        .await
        .unwrap();
    server.stop().await;
}
