//! Transfers over the wire (issue 10, S12): a target that cannot take the conversation now is
//! refused with `unavailable` and a reason, before anything changes; with `queue: true` it is
//! queued (a group's queue, or the offline agent's group, where they get it when they come
//! online); every transfer is recorded in the store; the previous agent loses the conversation
//! at once, also a console that was away and resumes later.

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, Event, RemovedReason, ServerFrame};
use kefu::store::transfers::TransferRecord;
use serde_json::json;

fn refusal(r: Result<serde_json::Value, kefu::client::ClientError>) -> (ErrorCode, String) {
    match r {
        Err(kefu::client::ClientError::Api(e)) => (e.code, e.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The transfers recorded for a session, read through the store (after the server stopped).
fn recorded(dir: &std::path::Path, session: i64) -> Vec<TransferRecord> {
    let mut store = kefu::server::open_store(dir, &kefu::config::ServerConfig::default()).unwrap();
    let mut out = Vec::new();
    store
        .transaction(&mut |tx| {
            out = tx.transfers_of(session)?;
            Ok(())
        })
        .unwrap();
    out
}

#[tokio::test]
async fn refused_with_a_reason_or_queued_on_request_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_groups(&["general", "vip", "experts"]);
    let alice = add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let bob = add_agent(dir.path(), "bob", &["experts"], Role::Agent, None);
    add_agent(dir.path(), "carol", &["vip"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config.clone()).await;
    let mut a = server.agent("alice").await;
    let (_c1, s1, _) = server.customer("c1", None).await;
    accept_next_offer(&mut a).await;
    let (_c2, s2, _) = server.customer("c2", None).await;
    accept_next_offer(&mut a).await;

    // Bob is offline: refused, saying who and why; nothing changed.
    let r = a
        .call(
            "session.transfer",
            json!({"session_id": s1, "to": {"agent": "bob"}, "note": "refund case"}),
        )
        .await;
    let (code, message) = refusal(r);
    assert_eq!(code, ErrorCode::Unavailable);
    assert!(message.contains("Agent bob (bob) is offline"), "{message}");
    // Nobody of vip is online: refused, naming the group.
    let r = a
        .call(
            "session.transfer",
            json!({"session_id": s2, "to": {"group": "vip"}}),
        )
        .await;
    let (code, message) = refusal(r);
    assert_eq!(code, ErrorCode::Unavailable);
    assert!(message.contains("`vip`"), "{message}");
    // Alice still serves both.
    for s in [s1, s2] {
        a.call(
            "message.send",
            json!({"session_id": s, "client_msg_id": format!("still-{s}"), "body": "still here"}),
        )
        .await
        .unwrap();
    }

    // Queued anyway: each leaves alice at once and waits for its target.
    for (s, to) in [(s1, json!({"agent": "bob"})), (s2, json!({"group": "vip"}))] {
        a.call(
            "session.transfer",
            json!({"session_id": s, "to": to, "note": format!("note {s}"), "queue": true}),
        )
        .await
        .unwrap();
        a.wait_event(WAIT, |e| {
            matches!(e, Event::SessionRemoved { session_id, reason: RemovedReason::Transferred } if *session_id == s)
        })
        .await
        .unwrap();
        let r = a
            .call(
                "message.send",
                json!({"session_id": s, "client_msg_id": format!("gone-{s}"), "body": "x"}),
            )
            .await;
        assert_eq!(api_code(r), ErrorCode::Forbidden);
    }
    // Bob waits in his group's queue for him; when he comes online he gets it with the note.
    let mut b = server.agent("bob").await;
    let (note, by) = {
        let o = wait_offer(&mut b, s1).await;
        (o.note, o.by)
    };
    assert_eq!(note.as_deref(), Some(format!("note {s1}").as_str()));
    assert_eq!(by.as_deref(), Some("Agent alice"));
    let mut c = server.agent("carol").await;
    let (note, _) = {
        let o = wait_offer(&mut c, s2).await;
        (o.note, o.by)
    };
    assert_eq!(note.as_deref(), Some(format!("note {s2}").as_str()));
    // A plain transfer to an online agent needs no flag and is not marked queued.
    b.call("session.accept", json!({"session_id": s1}))
        .await
        .unwrap();
    b.call(
        "session.transfer",
        json!({"session_id": s1, "to": {"agent": "alice"}}),
    )
    .await
    .unwrap();
    server.stop().await;

    let r1 = recorded(dir.path(), s1);
    assert_eq!(r1.len(), 2, "{r1:?}");
    let t = &r1[0];
    assert_eq!(
        (t.by_agent, t.from_agent, t.from_group.as_str()),
        (Some(alice), Some(alice), "general")
    );
    assert_eq!((t.to_agent, t.to_group.as_str()), (Some(bob), "experts"));
    assert_eq!((t.note.clone(), t.queued), (format!("note {s1}"), true));
    assert!(t.at > 0);
    let t = &r1[1];
    assert_eq!((t.by_agent, t.from_agent), (Some(bob), Some(bob)));
    assert_eq!(
        (t.to_agent, t.to_group.as_str(), t.queued),
        (Some(alice), "experts", false)
    );
    assert_eq!(t.note, "");
    let r2 = recorded(dir.path(), s2);
    assert_eq!(r2.len(), 1);
    assert_eq!(
        (r2[0].to_agent, r2[0].to_group.as_str(), r2[0].queued),
        (None, "vip", true)
    );
    // Refused transfers are not recorded: all three, by time, for reports.
    let mut store =
        kefu::server::open_store(dir.path(), &kefu::config::ServerConfig::default()).unwrap();
    let mut all = Vec::new();
    store
        .transaction(&mut |tx| {
            all = tx.transfers_since(0, 100)?;
            Ok(())
        })
        .unwrap();
    let ids: Vec<i64> = all.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![r1[0].id, r2[0].id, r1[1].id], "{all:?}");
}

#[tokio::test]
async fn the_previous_agent_loses_it_also_on_a_console_that_was_away() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sue", &[], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut alice, "alice").await;
    let (mut cust, s, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let snap = alice.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["sessions"][0]["id"], s);
    let cursor = alice.cursor.max(snap["cursor"].as_i64().unwrap());
    // Alice's console goes away (within the grace period she keeps her conversations).
    alice.close().await;
    let mut bob = server.agent("bob").await;
    let mut sue = server.agent("sue").await;
    sue.call(
        "session.transfer",
        json!({"session_id": s, "to": {"agent": "bob"}, "note": "alice is away"}),
    )
    .await
    .unwrap();
    assert_eq!(accept_next_offer(&mut bob).await, s);
    cust.call(
        "message.send",
        json!({"session_id": s, "client_msg_id": "m1", "body": "for the new agent"}),
    )
    .await
    .unwrap();
    wait_message(&mut bob, "for the new agent").await;

    // Alice's console resumes from where it was: it is told, and the session is gone.
    let mut again = Client::connect(&server.url("agent")).await.unwrap();
    again
        .call("resume", json!({"token": token, "cursor": cursor}))
        .await
        .unwrap();
    again
        .wait_event(WAIT, |e| {
            matches!(e, Event::SessionRemoved { session_id, reason: RemovedReason::Transferred } if *session_id == s)
        })
        .await
        .unwrap();
    let snap = again.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["sessions"], json!([]), "{snap}");
    assert_eq!(snap["offers"], json!([]), "{snap}");
    let r = again
        .call(
            "message.send",
            json!({"session_id": s, "client_msg_id": "late", "body": "sorry, back"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Forbidden);
    // Nothing of the conversation after the transfer reached her: a later customer message
    // reaches bob, and a round trip of alice's after that shows none in her stream.
    cust.call(
        "message.send",
        json!({"session_id": s, "client_msg_id": "m2", "body": "still there?"}),
    )
    .await
    .unwrap();
    wait_message(&mut bob, "still there?").await;
    again.call("snapshot", json!({})).await.unwrap();
    while let Some(f) = again.pending.pop_front() {
        if let ServerFrame::Event {
            event: Event::Message { message },
            ..
        } = f
        {
            assert_ne!(message.session_id, s, "alice still receives {message:?}");
        }
    }
    server.stop().await;
}
