//! Ending a conversation (issue 10, S16–S18), over real WebSockets against a real server:
//! the pending end ("end when the customer has been silent for N seconds") — it ends the
//! conversation, a customer message moves it, it can be cancelled, the customer is told once,
//! and it survives a restart; per-group auto-close of silent conversations as `abandoned`;
//! required tags refused then accepted; tag suggestions; the rating reaching the agent.

mod common;

use common::*;
use kefu::client::Client;
use kefu::config::{GroupConfig, ServerConfig};
use kefu::model::{AuthorKind, EndReason, Role, now_ms};
use kefu::protocol::{ErrorCode, Event};
use serde_json::json;
use std::time::Duration;

/// A config whose global silent-customer reminder is off, so only what a test sets ends
/// anything.
fn quiet(groups: &[&str]) -> ServerConfig {
    let mut c = config_with_groups(groups);
    c.conversations.customer_idle_remind_secs = 0;
    c
}

fn set_group(c: &mut ServerConfig, name: &str, f: impl FnOnce(&mut GroupConfig)) {
    let g = c.groups.iter_mut().find(|g| g.name == name).unwrap();
    f(g);
}

/// Reads the customer's events up to the end of the conversation: (system lines, other
/// message bodies, the end event).
async fn until_ended(cust: &mut Client) -> (Vec<String>, Vec<String>, Event) {
    let (mut system, mut others) = (Vec::new(), Vec::new());
    loop {
        let (_, ev) = cust
            .wait_event(WAIT, |e| {
                matches!(e, Event::Message { .. } | Event::SessionEnded { .. })
            })
            .await
            .expect("the conversation should end");
        match ev {
            Event::Message { message } if message.author_kind == AuthorKind::System => {
                system.push(message.body)
            }
            Event::Message { message } => others.push(message.body),
            end => return (system, others, end),
        }
    }
}

async fn end_after(agent: &mut Client, session: i64, secs: u32, outcome: &str) -> i64 {
    let r = agent
        .call(
            "session.end",
            json!({"session_id": session, "closing_message": "Thanks for contacting us — have a good day.",
                   "outcome": outcome, "after_silence_secs": secs}),
        )
        .await
        .unwrap();
    assert_eq!(r["session_id"], session);
    r["ends_at"].as_i64().expect("a pending end has a deadline")
}

/// (end_reason, ended_at, ends_at, pending_end) as stored.
fn stored_end(
    dir: &std::path::Path,
    session: i64,
) -> (Option<String>, Option<i64>, Option<i64>, Option<String>) {
    open_db(dir)
        .query_row(
            "SELECT end_reason, ended_at, ends_at, pending_end FROM sessions WHERE id = ?1",
            [session],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

#[tokio::test]
async fn a_silent_customer_is_told_once_then_the_pending_end_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("安静的客户", None).await;
    accept_next_offer(&mut alice).await;
    let ends_at = end_after(&mut alice, session, 1, "resolved").await;
    // The agent's view carries the countdown.
    let (_, ev) = alice
        .wait_event(WAIT, |e| {
            matches!(e, Event::Session { session: s } if s.id == session && s.ends_at.is_some())
        })
        .await
        .unwrap();
    let Event::Session { session: view } = ev else {
        unreachable!()
    };
    assert_eq!(view.ends_at, Some(ends_at));
    assert_eq!(
        view.pending_end.map(|p| (p.silence_secs, p.outcome)),
        Some((1, EndReason::Resolved))
    );
    let (system, others, end) = until_ended(&mut cust).await;
    assert_eq!(
        others,
        ["Thanks for contacting us — have a good day."],
        "the closing phrase"
    );
    assert_eq!(system.len(), 1, "told once: {system:?}");
    assert!(
        system[0].contains("close in 1 second") && system[0].contains("1 秒"),
        "{}",
        system[0]
    );
    assert_eq!(
        end,
        Event::SessionEnded {
            session_id: session,
            reason: EndReason::Resolved,
            survey: true
        }
    );
    assert!(now_ms() >= ends_at, "not before the deadline");
    // The agent's console learns it ended (and drops it from the list).
    alice
        .wait_event(WAIT, |e| {
            matches!(e, Event::Session { session: s } if s.id == session && s.state == kefu::model::SessionState::Ended)
        })
        .await
        .unwrap();
    let (reason, ended_at, stored_ends_at, pending) = stored_end(dir.path(), session);
    assert_eq!(reason.as_deref(), Some("resolved"));
    assert!(ended_at.unwrap() >= ends_at);
    assert_eq!(
        (stored_ends_at, pending),
        (None, None),
        "an ended conversation keeps no countdown"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_customer_message_moves_the_deadline_and_silence_counts_from_it() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("chatty", None).await;
    accept_next_offer(&mut alice).await;
    let first = end_after(&mut alice, session, 3, "unresolved").await;
    // The customer writes a second before the first deadline.
    let until = first - 1000 - now_ms();
    tokio::time::sleep(Duration::from_millis(until.max(0) as u64)).await;
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "one more thing"}),
    )
    .await
    .unwrap();
    let message = wait_message(&mut alice, "one more thing").await;
    let (_, ev) = alice
        .wait_event(WAIT, |e| {
            matches!(e, Event::Session { session: s } if s.id == session && s.ends_at > Some(first))
        })
        .await
        .expect("the agent sees the deadline move");
    let Event::Session { session: view } = ev else {
        unreachable!()
    };
    let moved = view.ends_at.unwrap();
    assert_eq!(
        moved,
        message.created_at + 3000,
        "silence counts from the message"
    );
    let (system, _, end) = until_ended(&mut cust).await;
    assert_eq!(system.len(), 1, "told once, not again: {system:?}");
    assert!(matches!(
        end,
        Event::SessionEnded {
            reason: EndReason::Unresolved,
            survey: true,
            ..
        }
    ));
    let (_, ended_at, _, _) = stored_end(dir.path(), session);
    assert!(
        ended_at.unwrap() >= moved,
        "ended at {ended_at:?}, before the moved deadline {moved} (first was {first})"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_cancelled_pending_end_leaves_the_conversation_open() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(5));
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut alice = server.agent("alice").await;
    let (mut kept, s1, _) = server.customer("kept", None).await;
    accept_next_offer(&mut alice).await;
    let (mut control, s2, _) = server.customer("control", None).await;
    accept_next_offer(&mut alice).await;
    end_after(&mut alice, s1, 1, "resolved").await;
    end_after(&mut alice, s2, 1, "resolved").await;
    let r = alice
        .call("session.end_cancel", json!({"session_id": s1}))
        .await
        .unwrap();
    assert_eq!(r, json!({"session_id": s1}), "nothing pending any more");
    alice
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Session { session: s } if s.id == s1 && s.ends_at.is_none()),
        )
        .await
        .unwrap();
    let again = alice
        .call("session.end_cancel", json!({"session_id": s1}))
        .await;
    assert_eq!(api_code(again), ErrorCode::Conflict);
    // The same countdown on the other conversation runs out; the cancelled one stays open.
    let (_, _, end) = until_ended(&mut control).await;
    assert!(matches!(end, Event::SessionEnded { session_id, .. } if session_id == s2));
    kept.call(
        "message.send",
        json!({"session_id": s1, "client_msg_id": "k1", "body": "still here"}),
    )
    .await
    .expect("the cancelled conversation is open");
    assert_eq!(stored_session(&open_db(dir.path()), s1).0, "active");
    // A customer cannot cancel, nor ask for tags.
    let theirs = kept
        .call("session.end_cancel", json!({"session_id": s1}))
        .await;
    assert_eq!(api_code(theirs), ErrorCode::Invalid);
    server.stop().await;
}

#[tokio::test]
async fn a_pending_end_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut alice = server.agent("alice").await;
    let (_cust, session, token) = server.customer("restart", None).await;
    accept_next_offer(&mut alice).await;
    let ends_at = end_after(&mut alice, session, 3, "unresolved").await;
    drop(alice);
    server.stop().await;
    let (_, _, stored, pending) = stored_end(dir.path(), session);
    assert_eq!(stored, Some(ends_at), "the deadline is on disk");
    assert!(pending.unwrap().contains("unresolved"));
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut cust = Client::connect(&server.url("customer")).await.unwrap();
    cust.call("customer.resume", json!({"token": token, "cursor": 0}))
        .await
        .unwrap();
    let (_, end) = cust
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .expect("the pending end fires after the restart");
    assert_eq!(
        end,
        Event::SessionEnded {
            session_id: session,
            reason: EndReason::Unresolved,
            survey: true
        },
        "with the outcome chosen before the restart"
    );
    server.stop().await;
    let (_, ended_at, _, _) = stored_end(dir.path(), session);
    assert!(
        ended_at.unwrap() >= ends_at,
        "at the deadline kept over the restart, not at start-up"
    );
}

#[tokio::test]
async fn a_group_closes_its_silent_conversations_as_abandoned_on_its_own_timers() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(
        dir.path(),
        "alice",
        &["general", "sales"],
        Role::Agent,
        Some(5),
    );
    let mut config = quiet(&["general", "sales"]);
    set_group(&mut config, "sales", |g| {
        g.customer_idle_remind_secs = Some(1);
        g.customer_idle_close_secs = Some(1);
    });
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut general, g, _) = server.customer("general", Some("general")).await;
    accept_next_offer(&mut alice).await;
    let (mut sales, s, _) = server.customer("sales", Some("sales")).await;
    accept_next_offer(&mut alice).await;
    for (session, id) in [(g, "a1"), (s, "a2")] {
        alice
            .call(
                "message.send",
                json!({"session_id": session, "client_msg_id": id, "body": "anything else?"}),
            )
            .await
            .unwrap();
    }
    let (system, _, end) = until_ended(&mut sales).await;
    assert_eq!(system.len(), 1, "reminded once: {system:?}");
    assert_eq!(
        end,
        Event::SessionEnded {
            session_id: s,
            reason: EndReason::Abandoned,
            survey: false
        }
    );
    assert_eq!(
        stored_end(dir.path(), s).0.as_deref(),
        Some("abandoned"),
        "recorded as abandoned"
    );
    // The general group keeps the global rule (off here): no reminder, still open.
    general
        .call(
            "message.send",
            json!({"session_id": g, "client_msg_id": "g1", "body": "still open?"}),
        )
        .await
        .expect("the general conversation is open");
    let reminded = general
        .wait_event(Duration::from_millis(100), |e| {
            matches!(e, Event::Message { message } if message.author_kind == AuthorKind::System)
        })
        .await;
    assert!(reminded.is_err(), "no reminder in general: {reminded:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_group_that_requires_tags_refuses_an_untagged_end_then_takes_one_with_a_tag() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["sales"], Role::Agent, None);
    let mut config = quiet(&["sales"]);
    set_group(&mut config, "sales", |g| g.require_tags = true);
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let dir_reply = alice.call("directory", json!({})).await.unwrap();
    let groups = dir_reply["groups"].as_array().unwrap();
    let flag = |name: &str| {
        groups
            .iter()
            .find(|g| g["group"] == name)
            .map(|g| g["require_tags"].clone())
    };
    assert_eq!(flag("sales"), Some(json!(true)), "the console can tell");
    let (mut cust, session, _) = server.customer("buyer", None).await;
    accept_next_offer(&mut alice).await;
    let refused = alice
        .call(
            "session.end",
            json!({"session_id": session, "closing_message": "再见", "after_silence_secs": 1}),
        )
        .await;
    let Err(kefu::client::ClientError::Api(e)) = refused else {
        panic!("expected a refusal, got {refused:?}")
    };
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(
        e.message.contains("sales") && e.message.contains("tag"),
        "{}",
        e.message
    );
    // Nothing happened: no closing message, no countdown, still open.
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "hello?"}),
    )
    .await
    .unwrap();
    let (_, _, ends_at, _) = stored_end(dir.path(), session);
    assert_eq!(ends_at, None);
    // With a tag in the same request it ends.
    let r = alice
        .call(
            "session.end",
            json!({"session_id": session, "closing_message": "再见", "tags": ["物流问题-已解决"]}),
        )
        .await
        .unwrap();
    assert_eq!(r, json!({"session_id": session}));
    let (_, others, end) = until_ended(&mut cust).await;
    assert_eq!(others, ["再见"], "the refused end sent nothing");
    assert!(matches!(end, Event::SessionEnded { .. }));
    let tags: String = open_db(dir.path())
        .query_row("SELECT tags FROM sessions WHERE id = ?1", [session], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(tags.contains("物流问题-已解决"), "{tags}");
    server.stop().await;
}

#[tokio::test]
async fn tag_suggestions_are_the_most_used_tags_matching_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(5));
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut alice = server.agent("alice").await;
    for (nick, tags) in [
        ("a", vec!["物流问题", "Refund"]),
        ("b", vec!["物流问题"]),
        ("c", vec!["产品咨询", "物流问题"]),
    ] {
        let (_c, session, _) = server.customer(nick, None).await;
        accept_next_offer(&mut alice).await;
        alice
            .call("session.end", json!({"session_id": session, "tags": tags}))
            .await
            .unwrap();
    }
    let all = alice.call("tags.suggest", json!({})).await.unwrap();
    assert_eq!(
        all["tags"],
        json!([{"tag": "物流问题", "count": 3}, {"tag": "Refund", "count": 1},
               {"tag": "产品咨询", "count": 1}])
    );
    let some = alice
        .call("tags.suggest", json!({"prefix": "re", "limit": 5}))
        .await
        .unwrap();
    assert_eq!(some["tags"], json!([{"tag": "Refund", "count": 1}]));
    let one = alice
        .call("tags.suggest", json!({"limit": 1}))
        .await
        .unwrap();
    assert_eq!(one["tags"].as_array().unwrap().len(), 1);
    let long = alice
        .call("tags.suggest", json!({"prefix": "x".repeat(65)}))
        .await;
    assert_eq!(api_code(long), ErrorCode::Invalid);
    let (mut cust, _, _) = server.customer("nosy", None).await;
    assert_eq!(
        api_code(cust.call("tags.suggest", json!({})).await),
        ErrorCode::Invalid
    );
    server.stop().await;
}

#[tokio::test]
async fn the_agent_sees_the_customers_rating_and_comment_arrive() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("张三", None).await;
    accept_next_offer(&mut alice).await;
    alice
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    cust.wait_event(WAIT, |e| {
        matches!(e, Event::SessionEnded { survey: true, .. })
    })
    .await
    .unwrap();
    cust.call(
        "session.rate",
        json!({"session_id": session, "stars": 4, "comment": "  很快，谢谢  "}),
    )
    .await
    .unwrap();
    let (cursor, ev) = alice
        .wait_event(WAIT, |e| matches!(e, Event::SessionRated(_)))
        .await
        .expect("the agent hears of the rating");
    let Event::SessionRated(info) = ev else {
        unreachable!()
    };
    assert_eq!(info.session_id, session);
    assert_eq!(info.stars, 4);
    assert_eq!(info.comment.as_deref(), Some("很快，谢谢"));
    assert_eq!(info.nickname, "张三");
    // Durable: a console that was away gets it on resume.
    let mut again = Client::connect(&server.url("agent")).await.unwrap();
    let token = login_online(&mut again, "alice").await;
    drop(again);
    let mut resumed = Client::connect(&server.url("agent")).await.unwrap();
    resumed
        .call("resume", json!({"token": token, "cursor": cursor - 1}))
        .await
        .unwrap();
    resumed
        .wait_event(
            WAIT,
            |e| matches!(e, Event::SessionRated(i) if i.stars == 4),
        )
        .await
        .expect("replayed on resume");
    server.stop().await;
}

#[tokio::test]
async fn only_an_accepted_session_can_wait_for_silence() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "sam", &[], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), quiet(&["general"])).await;
    let mut sam = server.agent("sam").await;
    // Nobody of `general` is online: the conversation waits in the queue.
    let (mut cust, session, _) = server.customer("waiting", None).await;
    let waiting = sam
        .call(
            "session.end",
            json!({"session_id": session, "after_silence_secs": 60}),
        )
        .await;
    assert_eq!(api_code(waiting), ErrorCode::Conflict);
    let too_long = sam
        .call(
            "session.end",
            json!({"session_id": session, "after_silence_secs": 3601}),
        )
        .await;
    assert_eq!(api_code(too_long), ErrorCode::Invalid);
    sam.call("session.end", json!({"session_id": session}))
        .await
        .expect("ending it now is fine");
    let (system, _, end) = until_ended(&mut cust).await;
    assert!(system.is_empty(), "nobody was told of a wait: {system:?}");
    assert!(matches!(end, Event::SessionEnded { .. }));
    server.stop().await;
}
