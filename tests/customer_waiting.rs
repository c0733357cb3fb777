//! What a waiting customer is told (issue 8), against a real server: the `waiting` frame right
//! after the start's reply and again when the queue moves; a conversation started while nobody
//! is online, or outside the group's hours, is a left message (`offline`) that waits in the
//! queue (the queue timeout spares it) for the first agent, who answers on it.

mod common;

use common::*;
use kefu::client::Client;
use kefu::config::{GroupConfig, ServerConfig};
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame, WaitingInfo};
use serde_json::json;

/// The next `waiting` frame that matches, within [`WAIT`].
async fn waiting(c: &mut Client, pred: impl Fn(&WaitingInfo) -> bool) -> WaitingInfo {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match c.next_frame(left).await {
            Ok(ServerFrame::Waiting(w)) if pred(&w) => return w,
            Ok(_) => {}
            Err(e) => panic!("no matching waiting frame: {e}"),
        }
    }
}

/// Starts a conversation: the client and the session.
async fn start(server: &TestServer, group: &str, nickname: &str) -> (Client, i64) {
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call(
            "customer.start",
            json!({"channel": "web", "nickname": nickname, "group": group}),
        )
        .await
        .unwrap();
    (c, r["session_id"].as_i64().unwrap())
}

/// Starts a conversation that must wait; also returns the first frame after the reply (which
/// must be the `waiting` frame).
async fn start_waiting(
    server: &TestServer,
    group: &str,
    nickname: &str,
) -> (Client, i64, ServerFrame) {
    let (mut c, session) = start(server, group, nickname).await;
    let frame = c.next_frame(WAIT).await.unwrap();
    (c, session, frame)
}

fn group(name: &str, hours: Option<&str>) -> GroupConfig {
    GroupConfig {
        name: name.into(),
        strategy: Default::default(),
        hours: hours.map(str::to_string),
        timezone: None,
        bot: None,
        ..Default::default()
    }
}

#[tokio::test]
async fn the_queue_position_follows_the_queue_with_an_estimate_from_history() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, Some(1));
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    // The first customer goes straight to alice: no waiting frame for them.
    let (_a, first) = start(&server, "general", "a").await;
    assert_eq!(accept_next_offer(&mut alice).await, first);
    // The next two wait: positions 1 and 2, right after the reply.
    let (mut b, sb, frame) = start_waiting(&server, "general", "b").await;
    let ServerFrame::Waiting(w) = frame else {
        panic!("expected the waiting frame right after the reply, got {frame:?}")
    };
    assert_eq!(w.session_id, sb);
    assert_eq!(w.position, Some(1));
    assert!(w.agents_online && w.open_now && !w.offline, "{w:?}");
    // One accepted conversation waited about 0 s: the estimate is that history, not null.
    assert!(w.estimate_secs.is_some_and(|s| s < 5), "{w:?}");
    let (mut c, sc, frame) = start_waiting(&server, "general", "c").await;
    assert!(
        matches!(&frame, ServerFrame::Waiting(w) if w.session_id == sc && w.position == Some(2)),
        "{frame:?}"
    );
    // Alice ends the first: b is offered to her, c moves up to 1.
    alice
        .call("session.end", json!({"session_id": first}))
        .await
        .unwrap();
    let w = waiting(&mut c, |w| w.position == Some(1)).await;
    assert_eq!(w.session_id, sc);
    // b left the queue: agent_joined comes when alice accepts, no more positions.
    accept_next_offer(&mut alice).await;
    b.wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
}

#[tokio::test]
async fn with_nobody_online_the_conversation_is_a_left_message_answered_later() {
    let dir = tempfile::tempdir().unwrap();
    // `busy` has an agent online with no room, `night` has an agent who is not logged in,
    // `empty` has no agent at all.
    add_agent(dir.path(), "alice", &["busy"], Role::Agent, Some(1));
    add_agent(dir.path(), "nora", &["night"], Role::Agent, None);
    let mut config = config_with_groups(&["busy", "night", "empty"]);
    config.quotas.queue_timeout_secs = 1;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;

    let (mut night, sn, frame) = start_waiting(&server, "night", "n").await;
    let ServerFrame::Waiting(w) = frame else {
        panic!("expected the waiting frame at once, got {frame:?}")
    };
    assert_eq!(
        w,
        WaitingInfo {
            session_id: sn,
            position: Some(1),
            estimate_secs: None,
            agents_online: false,
            open_now: true,
            offline: true,
        }
    );
    // A group nobody belongs to still takes the message (it used to be `unavailable`).
    let (_e, _, frame) = start_waiting(&server, "empty", "e").await;
    assert!(
        matches!(&frame, ServerFrame::Waiting(w) if w.offline && !w.agents_online),
        "{frame:?}"
    );
    night
        .call(
            "message.send",
            json!({"session_id": sn, "client_msg_id": "m1", "body": "where is my parcel?"}),
        )
        .await
        .unwrap();

    // The queue timeout ends a normal queued conversation (alice is full)…
    let (_x, first) = start(&server, "busy", "x").await;
    assert_eq!(accept_next_offer(&mut alice).await, first);
    let (mut busy, _, _) = start_waiting(&server, "busy", "y").await;
    busy.wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    // …but the left message, older than it, is still open.
    night
        .call(
            "message.send",
            json!({"session_id": sn, "client_msg_id": "m2", "body": "still here"}),
        )
        .await
        .unwrap();

    // The first agent of the morning gets it, marked, with what was written.
    let mut nora = server.agent("nora").await;
    let (_, ev) = nora
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer { session, .. } = ev else {
        unreachable!()
    };
    assert_eq!(session.id, sn);
    assert!(session.offline, "marked as a left message");
    nora.call("session.accept", json!({"session_id": sn}))
        .await
        .unwrap();
    let t = nora
        .call("session.transcript", json!({"session_id": sn}))
        .await
        .unwrap();
    let bodies: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["where is my parcel?", "still here"]);
    nora.call(
        "message.send",
        json!({"session_id": sn, "client_msg_id": "r1", "body": "on its way"}),
    )
    .await
    .unwrap();
    wait_message(&mut night, "on its way").await;
}

#[tokio::test]
async fn outside_business_hours_the_customer_is_told_at_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["shop"], Role::Agent, None);
    // Open only three days from now (UTC), all day: closed today whatever the hour.
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let today = (kefu::model::now_ms() / 86_400_000 + 3) % 7; // 1970-01-01 was a Thursday
    let open_day = days[((today + 3) % 7) as usize];
    let config = ServerConfig {
        groups: vec![group("shop", Some(&format!("{open_day} 00:00-24:00")))],
        routing: kefu::config::RoutingConfig {
            default_group: "shop".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let (mut c, session, frame) = start_waiting(&server, "shop", "late").await;
    // An agent on duty still gets it; the customer knows it is outside the hours.
    let ServerFrame::Waiting(w) = frame else {
        panic!("expected the waiting frame at once, got {frame:?}")
    };
    assert_eq!(w.session_id, session);
    assert!(w.offline && !w.open_now && w.agents_online, "{w:?}");
    assert_eq!(accept_next_offer(&mut alice).await, session);
    c.wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_customer_who_comes_back_while_waiting_is_told_again() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "nora", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (_first_tab, session, token) = server.customer("c", None).await;
    // A reload (or a second tab) resumes: the current state follows the reply at once.
    let mut again = Client::connect(&server.url("customer")).await.unwrap();
    let r = again
        .call("customer.resume", json!({"token": token}))
        .await
        .unwrap();
    assert_eq!(r["session_id"], json!(session));
    let frame = again.next_frame(WAIT).await.unwrap();
    assert!(
        matches!(&frame, ServerFrame::Waiting(w) if w.session_id == session
            && w.position == Some(1) && w.offline && !w.agents_online),
        "{frame:?}"
    );
}
