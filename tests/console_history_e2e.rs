//! History end to end (S19): the console's App and its real network task against the real
//! in-process server. A customer writes, an agent answers, leaves a note and ends the
//! conversation; then the agent's console searches History over the network, finds it with
//! the matching words highlighted, and opens it read-only with its note, transfers and rating.

mod common;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::Overlay;
use kefu::model::{EndReason, Role};
use serde_json::json;
use std::time::Duration;

#[path = "support/net_console.rs"]
mod net_console;
use net_console::Console;

/// The open History screen.
fn history(c: &Console) -> &kefu::console::app::history_state::HistoryScreen {
    match &c.app.overlay {
        Some(Overlay::History(h)) => h,
        other => panic!("History is not open: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_finds_an_ended_conversation_and_opens_it_read_only() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config_with_groups(&["general"])).await;
    let url = format!("ws://{}", server.addr);
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("小明", Some("general")).await;
    assert_eq!(accept_next_offer(&mut alice).await, session);
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "我的退款三天了还没到账"}),
    )
    .await
    .unwrap();
    wait_message(&mut alice, "我的退款三天了还没到账").await;
    alice
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1", "body": "已为您加急处理退款"}),
        )
        .await
        .unwrap();
    alice
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "n1", "body": "finance ticket 42"}),
        )
        .await
        .unwrap();
    alice
        .call(
            "session.end",
            json!({"session_id": session, "outcome": "resolved", "tags": ["退款"]}),
        )
        .await
        .unwrap();

    let mut console = Console::signed_in(&url, "alice").await;
    console.act(Action::History);
    console.type_text("tag:退款 is:ended 到账");
    // Indexing may trail the write a little: search again (never sleep) until it is found.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        console.act(Action::Confirm);
        console
            .until("the search's answer", |a| match &a.overlay {
                Some(Overlay::History(h)) => !h.loading,
                _ => false,
            })
            .await;
        let h = history(&console);
        assert_eq!(h.failed, None, "the server answered the search");
        if !h.hits.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the ended conversation was never found"
        );
        // An unchanged line re-runs the search while there are no hits; poll gently (the
        // server rate-limits a connection that asks in a tight loop).
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let h = history(&console);
    assert_eq!(h.hits.len(), 1, "{:?}", h.hits);
    let hit = &h.hits[0];
    assert_eq!(hit.session_id, session);
    assert_eq!(hit.customer, "小明");
    assert_eq!(hit.outcome, Some(EndReason::Resolved));
    assert_eq!(hit.tags, ["退款"]);
    let line = hit
        .line
        .as_ref()
        .expect("a text search shows the matching line");
    assert!(line.text.contains("到账"), "{line:?}");
    let marked: Vec<String> = line
        .highlights
        .iter()
        .map(|&(s, e)| {
            line.text
                .chars()
                .skip(s as usize)
                .take((e - s) as usize)
                .collect()
        })
        .collect();
    assert!(marked.iter().any(|m| m.contains("到账")), "{marked:?}");

    // Enter on the same line opens it read-only: its view, and its messages with the note.
    console.act(Action::Confirm);
    console
        .until("the conversation opened", |a| match &a.overlay {
            Some(Overlay::History(h)) => h
                .view
                .as_ref()
                .is_some_and(|v| v.detail.is_some() && v.complete && !v.loading),
            _ => false,
        })
        .await;
    let v = history(&console).view.as_ref().unwrap();
    assert_eq!(v.error, None);
    assert_eq!(v.session_id, session);
    let d = v.detail.as_ref().unwrap();
    assert_eq!(d.session.end_reason, Some(EndReason::Resolved));
    assert_eq!(d.agent.as_deref(), Some("Agent alice"));
    assert!(d.transfers.is_empty());
    let bodies: Vec<(&str, bool)> = v
        .lines
        .iter()
        .map(|l| (l.body.as_str(), l.internal))
        .collect();
    assert!(
        bodies.contains(&("我的退款三天了还没到账", false)),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(&("已为您加急处理退款", false)),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(&("finance ticket 42", true)),
        "the note, as a note: {bodies:?}"
    );

    // esc: back to the results as they were; esc again: History closes.
    console.act(Action::Cancel);
    assert_eq!(history(&console).hits.len(), 1);
    console.act(Action::Cancel);
    assert!(console.app.overlay.is_none());
    server.stop().await;
}
