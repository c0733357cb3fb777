//! `limits.replay_limit` (§1.6, §2.3): a resume that would replay exactly `replay_limit`
//! events replays them; one more and it gets `reload` with "cursor too old" instead (and the
//! connection is authenticated and live); a negative cursor is too old, one from the future
//! unknown. For customers (`customer.resume`) and agents (`resume`, `login`).

use crate::common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::{Event, ReloadReason, ServerFrame};
use serde_json::{Value, json};

const LIMIT: u32 = 5;

/// What a resume on a fresh connection brought: the connection, the reply's result, and
/// every durable frame (events, `reload`) between that reply and the reply to `sync`, a
/// request sent once the resume's reply was in.
async fn resume(
    server: &TestServer,
    endpoint: &str,
    kind: &str,
    fields: Value,
    sync: (&str, Value),
) -> (Client, Value, Vec<ServerFrame>) {
    let mut c = Client::connect(&server.url(endpoint)).await.unwrap();
    let r = c.call(kind, fields).await.unwrap();
    assert!(
        c.pending.is_empty(),
        "before the {kind} reply: {:?}",
        c.pending
    );
    let id = c.send(sync.0, sync.1).await.unwrap();
    let mut frames = Vec::new();
    loop {
        match c.next_frame(WAIT).await.unwrap() {
            ServerFrame::Reply { id: rid, ok, .. } if rid == json!(id) => {
                assert!(ok, "the {} after {kind}", sync.0);
                break;
            }
            ServerFrame::Queues { .. } | ServerFrame::Typing { .. } => {}
            f => frames.push(f),
        }
    }
    (c, r, frames)
}

/// The bodies of replayed message events, asserting that nothing else came.
#[track_caller]
fn replayed_bodies(frames: &[ServerFrame]) -> Vec<String> {
    frames
        .iter()
        .map(|f| match f {
            ServerFrame::Event {
                event: Event::Message { message },
                ..
            } => message.body.clone(),
            other => panic!("expected a replayed message, got {other:?} in {frames:?}"),
        })
        .collect()
}

#[track_caller]
fn is_reload(frames: &[ServerFrame], reply: &Value, reason: ReloadReason) {
    let head = reply["cursor"].as_i64().unwrap();
    assert_eq!(
        frames,
        [ServerFrame::Reload {
            cursor: head,
            reason
        }]
    );
}

fn bodies(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|k| format!("m{k}")).collect()
}

/// The cursor of the message event with this body.
async fn cursor_of(c: &mut Client, body: &str) -> i64 {
    c.wait_event(
        WAIT,
        |e| matches!(e, Event::Message { message } if message.body == body),
    )
    .await
    .unwrap()
    .0
}

#[tokio::test]
async fn a_resume_replays_up_to_replay_limit_events_and_reloads_beyond() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = ServerConfig::default();
    config.limits.replay_limit = LIMIT;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let alice_token = login_online(&mut alice, "alice").await;
    let (mut cust, s, token) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let (joined, _) = cust
        .wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    let say = |k: usize| json!({"session_id": s, "client_msg_id": format!("m{k}"), "body": format!("m{k}")});
    // Alice's acks carry the cursors of her own copies of m0..m6 (she is sent no event).
    let mut mine = Vec::new();
    for k in 0..5 {
        let ack = alice.call("message.send", say(k)).await.unwrap();
        mine.push(ack["cursor"].as_i64().unwrap());
    }
    let typing = ("typing", json!({"session_id": s, "active": false}));
    let customer_resume = |cursor: i64| json!({"token": token, "cursor": cursor});

    // Exactly replay_limit events after the cursor: replayed, all of them, nothing else.
    let (_, _, frames) = resume(
        &server,
        "customer",
        "customer.resume",
        customer_resume(joined),
        typing.clone(),
    )
    .await;
    assert_eq!(replayed_bodies(&frames), bodies(0..=4));

    // One more: `reload` instead of any replay, and the connection is live.
    let ack = alice.call("message.send", say(5)).await.unwrap();
    mine.push(ack["cursor"].as_i64().unwrap());
    let (mut late, r, frames) = resume(
        &server,
        "customer",
        "customer.resume",
        customer_resume(joined),
        typing.clone(),
    )
    .await;
    is_reload(&frames, &r, ReloadReason::CursorTooOld);
    let ack = alice.call("message.send", say(6)).await.unwrap();
    mine.push(ack["cursor"].as_i64().unwrap());
    wait_message(&mut late, "m6").await;

    // Measured from a later cursor, the newest five fit again.
    let mut cursors = Vec::new();
    for k in 0..=6 {
        cursors.push(cursor_of(&mut cust, &format!("m{k}")).await);
    }
    let (_, _, frames) = resume(
        &server,
        "customer",
        "customer.resume",
        customer_resume(cursors[1]),
        typing.clone(),
    )
    .await;
    assert_eq!(replayed_bodies(&frames), bodies(2..=6));
    let (_, r, frames) = resume(
        &server,
        "customer",
        "customer.resume",
        customer_resume(cursors[0]),
        typing.clone(),
    )
    .await;
    is_reload(&frames, &r, ReloadReason::CursorTooOld);

    // A negative cursor is too old; one past the head is unknown.
    let (_, r, frames) = resume(
        &server,
        "customer",
        "customer.resume",
        customer_resume(-1),
        typing.clone(),
    )
    .await;
    is_reload(&frames, &r, ReloadReason::CursorTooOld);
    let future = r["cursor"].as_i64().unwrap() + 1;
    let (_, r, frames) = resume(
        &server,
        "customer",
        "customer.resume",
        customer_resume(future),
        typing.clone(),
    )
    .await;
    is_reload(&frames, &r, ReloadReason::UnknownCursor);

    // Agents: alice's own copies of m0..m6 are her newest events (replayed, though she was
    // sent none of them live).
    let snapshot = ("snapshot", json!({}));
    let agent_resume = |cursor: i64| json!({"token": alice_token, "cursor": cursor});
    let (_, _, frames) = resume(
        &server,
        "agent",
        "resume",
        agent_resume(mine[1]),
        snapshot.clone(),
    )
    .await;
    assert_eq!(replayed_bodies(&frames), bodies(2..=6));
    let (_, r, frames) = resume(
        &server,
        "agent",
        "resume",
        agent_resume(mine[0]),
        snapshot.clone(),
    )
    .await;
    is_reload(&frames, &r, ReloadReason::CursorTooOld);
    let login = json!({"username": "alice", "password": PASSWORD, "cursor": mine[0]});
    let (mut relogged, r, frames) = resume(&server, "agent", "login", login, snapshot).await;
    is_reload(&frames, &r, ReloadReason::CursorTooOld);
    // After a reload the agent connection gets live events too.
    cust.call(
        "message.send",
        json!({"session_id": s, "client_msg_id": "c", "body": "live"}),
    )
    .await
    .unwrap();
    wait_message(&mut relogged, "live").await;
    server.stop().await;
}
