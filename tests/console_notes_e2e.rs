//! Notes and mentions end to end: the console's App and its real network task against the real
//! in-process server. A colleague mentioned in a note is alerted, sees the conversation (the
//! note included) in the Mentions section — again after restarting the console, because the
//! mention is unread — answers with a note the assignee gets and the customer never does, and
//! loses the conversation when it ends.

mod common;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::{AlertKind, Focus};
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::json;

#[path = "support/net_console.rs"]
mod net_console;
use net_console::Console;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mentioned_colleague_follows_and_answers_with_notes_until_the_end() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["other"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config_with_groups(&["general", "other"])).await;
    let url = format!("ws://{}", server.addr);
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("Wei", Some("general")).await;
    assert_eq!(accept_next_offer(&mut alice).await, session);

    let mut bob = Console::signed_in(&url, "bob").await;
    alice
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "n1",
                   "body": "@bob is this the known bug?", "mentions": ["bob"]}),
        )
        .await
        .unwrap();
    bob.until("the mentioned conversation", |a| {
        a.notes.watching.contains(&session) && a.sessions[&session].lines.iter().any(|l| l.internal)
    })
    .await;
    assert!(
        bob.alerts
            .iter()
            .any(|(k, t)| *k == AlertKind::Mention && t == "Agent alice mentioned you"),
        "{:?}",
        bob.alerts
    );
    drop(bob);

    // A restarted console finds the unread mention again.
    let mut bob = Console::signed_in(&url, "bob").await;
    bob.until("the mention after a restart", |a| {
        a.notes.watching.contains(&session) && a.notes.unread_in(session) == 1
    })
    .await;
    bob.act(Action::NextMention);
    assert_eq!(bob.app.selected, Some(session));
    assert_eq!(bob.app.notes.unread_in(session), 0);

    // bob answers with a note: alice gets it, the customer never does.
    bob.act(Action::FocusCompose);
    assert_eq!(bob.app.focus, Focus::Compose);
    for c in "yes, ticket 42".chars() {
        bob.app.type_char(c);
    }
    bob.act(Action::Send);
    let m = wait_message(&mut alice, "yes, ticket 42").await;
    assert!(m.internal);
    alice
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "m1", "body": "marker"}),
        )
        .await
        .unwrap();
    loop {
        let f = cust.next_frame(WAIT).await.unwrap();
        if let ServerFrame::Event {
            event: Event::Message { message },
            ..
        } = f
        {
            assert!(
                !message.body.contains("ticket") && !message.body.contains("bug"),
                "{message:?}"
            );
            if message.body == "marker" {
                break;
            }
        }
    }
    // The mention was read on the server too.
    let mut bob_raw = server.agent("bob").await;
    let list = bob_raw.call("mentions.list", json!({})).await.unwrap();
    assert!(list["mentions"].as_array().unwrap().is_empty(), "{list}");

    // The end of the conversation ends bob's view of it.
    alice
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    bob.until("the conversation gone", |a| {
        !a.sessions.contains_key(&session) && !a.notes.watching.contains(&session)
    })
    .await;
    server.stop().await;
}
