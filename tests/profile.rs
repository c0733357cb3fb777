//! The personal profile (S5) against the real server: `me.update` is checked, reaches a
//! colleague's connection live (`agent_updated`) and the directory, survives a restart, and
//! the signature ends the closing phrase.

mod common;
use common::*;
use kefu::model::Role;
use kefu::protocol::ServerFrame;
use serde_json::json;

#[tokio::test]
async fn a_profile_change_reaches_a_colleague_live_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;

    // Bad values are refused with the field named, and nothing changes.
    for (field, value) in [
        ("color", "chartreuse"),
        ("initials", "ABC"),
        ("language", "fr"),
        ("display_name", " "),
    ] {
        let e = bob.call("me.update", json!({ field: value })).await;
        let Err(kefu::client::ClientError::Api(e)) = e else {
            panic!("{field}={value} was taken: {e:?}")
        };
        assert_eq!(e.code, kefu::protocol::ErrorCode::Invalid);
        assert!(e.message.contains(field), "{}", e.message);
    }

    let me = bob
        .call(
            "me.update",
            json!({"display_name": "Bob 王", "initials": "BW", "color": "#00AAFF",
                   "signature": "— Bob, Support", "language": "zh", "contact": "ext. 42"}),
        )
        .await
        .unwrap();
    assert_eq!(me["initials"], "BW");
    assert_eq!(me["color"], "#00aaff");
    assert_eq!(me["language"], "zh");

    // Alice's connection hears of it without asking.
    let deadline = tokio::time::Instant::now() + WAIT;
    let info = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match alice
            .next_frame(left)
            .await
            .expect("an agent_updated frame")
        {
            ServerFrame::AgentUpdated { agent } if agent.username == "bob" => break agent,
            _ => {}
        }
    };
    assert_eq!(info.display_name, "Bob 王");
    assert_eq!(
        (info.initials.as_deref(), info.color.as_deref()),
        (Some("BW"), Some("#00aaff"))
    );
    let dir_reply = alice.call("directory", json!({})).await.unwrap();
    let b = dir_reply["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "bob")
        .unwrap()
        .clone();
    assert_eq!(
        (b["initials"].clone(), b["color"].clone()),
        (json!("BW"), json!("#00aaff"))
    );
    server.stop().await;

    // After a restart the profile is still there.
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut bob = server.agent("bob").await;
    let me = bob.call("me.get", json!({})).await.unwrap();
    assert_eq!(me["signature"], "— Bob, Support");
    assert_eq!(me["contact"], "ext. 42");
    assert_eq!(me["display_name"], "Bob 王");
    assert_eq!(me["initials"], "BW");
    server.stop().await;
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let entries = kefu::admin::audit(&mut store, 0, Some("account.profile_changed"), 10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "bob");
}

#[tokio::test]
async fn the_signature_ends_the_closing_phrase() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    alice
        .call("me.update", json!({"signature": "— Alice"}))
        .await
        .unwrap();
    let (mut cust, session, _) = server.customer("buyer", None).await;
    accept_next_offer(&mut alice).await;
    alice
        .call(
            "session.end",
            json!({"session_id": session, "closing_message": "Thanks, bye!"}),
        )
        .await
        .unwrap();
    wait_message(&mut cust, "Thanks, bye!\n— Alice").await;
    server.stop().await;
}
