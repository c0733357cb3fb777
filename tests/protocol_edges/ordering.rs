//! The ordering promises of §1.7, over the wire: the events a request causes on the
//! requesting connection come before its reply (items 2 and 3: in cursor order, strictly
//! increasing), for every request that causes any; and requests sent before the reply to
//! `login` or `customer.start` are handled as unauthenticated (item 6).

use crate::common::*;
use kefu::client::Client;
use kefu::model::{AgentStatus, Role, SessionState};
use kefu::protocol::{ApiError, Event, RemovedReason, ServerFrame, WithdrawnReason};
use serde_json::{Value, json};

/// What one request brought on its connection, in arrival order: the durable events before
/// its reply, then the reply. Ephemeral frames (`queues`, `typing`) may come at any time.
struct Trace {
    events: Vec<(i64, Event)>,
    reply: Result<Value, ApiError>,
}

impl Trace {
    fn kinds(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .map(|(_, e)| match e {
                Event::Offer { .. } => "offer",
                Event::OfferWithdrawn { .. } => "offer_withdrawn",
                Event::Session { .. } => "session",
                Event::SessionRemoved { .. } => "session_removed",
                Event::Message { .. } => "message",
                Event::AgentJoined { .. } => "agent_joined",
                Event::SessionEnded { .. } => "session_ended",
                Event::Transferred { .. } => "transferred",
                Event::Status { .. } => "status",
                Event::IntentEffect(_) => "intent_effect",
                Event::KbProposal { .. } => "kb_proposal",
                Event::CcStatus { .. } => "cc_status",
                Event::FollowUpDue { .. } => "follow_up_due",
                Event::Mentioned(_) => "mentioned",
                Event::SessionRated(_) => "session_rated",
            })
            .collect()
    }

    fn event(&self, i: usize) -> &Event {
        &self.events[i].1
    }
}

/// Sends a request and reads every frame up to its reply. Events already waiting from
/// earlier causes are read first and dropped; `last` is the newest cursor seen on this
/// connection, which every traced event must exceed (cursors strictly increase).
async fn trace(c: &mut Client, last: &mut i64, kind: &str, fields: Value) -> Trace {
    c.pending.clear();
    let id = c.send(kind, fields).await.unwrap();
    let mut events = Vec::new();
    loop {
        match c.next_frame(WAIT).await.unwrap() {
            ServerFrame::Reply {
                id: rid,
                ok,
                result,
                error,
            } if rid == json!(id) => {
                let reply = if ok {
                    Ok(result.unwrap())
                } else {
                    Err(error.unwrap())
                };
                return Trace { events, reply };
            }
            ServerFrame::Event { cursor, event } => {
                assert!(cursor > *last, "{kind}: cursor {cursor} after {last}");
                *last = cursor;
                events.push((cursor, event));
            }
            ServerFrame::Queues { .. }
            | ServerFrame::Typing { .. }
            | ServerFrame::MessageIntent { .. } => {}
            other => panic!("{kind}: unexpected {other:?}"),
        }
    }
}

/// The kinds before the reply, with an optional trailing re-offer (the only agent of the
/// group gets a session back when nobody else can take it, within the same request).
#[track_caller]
fn kinds_are(t: &Trace, expected: &[&str], may_reoffer: bool) {
    let mut kinds = t.kinds();
    if may_reoffer && kinds.last() == Some(&"offer") && expected.last() != Some(&"offer") {
        kinds.pop();
    }
    assert_eq!(kinds, expected, "{:?}", t.events);
    assert!(t.reply.is_ok(), "{:?}", t.reply);
}

async fn offer_for(c: &mut Client, session: i64) {
    c.wait_event(
        WAIT,
        |e| matches!(e, Event::Offer { session: s, .. } if s.id == session),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn events_caused_by_a_request_come_before_its_reply() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    alice
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let mut last = 0;

    let t = trace(
        &mut alice,
        &mut last,
        "status.set",
        json!({"status": "online"}),
    )
    .await;
    kinds_are(&t, &["status"], false);
    assert!(matches!(
        t.event(0),
        Event::Status {
            status: AgentStatus::Online,
            reason: None
        }
    ));

    let (mut cust, s, _) = server.customer("c", None).await;
    offer_for(&mut alice, s).await;
    let t = trace(
        &mut alice,
        &mut last,
        "session.reject",
        json!({"session_id": s}),
    )
    .await;
    kinds_are(&t, &["offer_withdrawn"], true);
    assert!(matches!(t.event(0),
        Event::OfferWithdrawn { session_id, reason: WithdrawnReason::Rejected } if *session_id == s));
    if t.events.len() == 1 {
        offer_for(&mut alice, s).await;
    }

    let t = trace(
        &mut alice,
        &mut last,
        "session.accept",
        json!({"session_id": s}),
    )
    .await;
    kinds_are(&t, &["session"], false);
    assert!(matches!(t.event(0),
        Event::Session { session } if session.id == s && session.state == SessionState::Active));

    // No copy of its own message to the sending connection: the ack, carrying the message
    // event's cursor, next in this connection's stream (after alice's accept reached it).
    let (mut c_last, _) = cust
        .wait_event(WAIT, |e| matches!(e, Event::AgentJoined { .. }))
        .await
        .unwrap();
    let say =
        |who: &str| json!({"session_id": s, "client_msg_id": who, "body": format!("from {who}")});
    let t = trace(&mut cust, &mut c_last, "message.send", say("customer")).await;
    kinds_are(&t, &[], false);
    let ack = t.reply.unwrap();
    assert_eq!(ack["seq"], 1);
    let cursor = ack["cursor"].as_i64().expect("the ack's cursor");
    assert!(cursor > c_last, "ack cursor {cursor} after {c_last}");

    wait_message(&mut alice, "from customer").await;
    // What the customer's message caused besides: its conversation's intent is recognised off
    // the hub (a `session` event whenever that lands), so wait for it rather than let it fall
    // into a later request's trace; then a round trip takes in anything else.
    let (c, _) = alice
        .wait_event(WAIT, |e| {
            matches!(e, Event::Session { session } if session.id == s && session.intent.is_some())
        })
        .await
        .expect("the intent of the customer's first message");
    last = last.max(c);
    let typing = json!({"session_id": s, "active": false});
    trace(&mut alice, &mut last, "typing", typing).await;
    let t = trace(&mut alice, &mut last, "message.send", say("alice")).await;
    kinds_are(&t, &[], false);
    let cursor = t.reply.unwrap()["cursor"]
        .as_i64()
        .expect("the ack's cursor");
    assert!(cursor > last, "ack cursor {cursor} after {last}");
    last = cursor;
    // The customer gets alice's message as an event with its own cursor.
    let (_, m) = cust
        .wait_event(WAIT, |e| matches!(e, Event::Message { .. }))
        .await
        .unwrap();
    assert!(matches!(m, Event::Message { message } if message.body == "from alice"));

    let tag = json!({"session_id": s, "add": ["ordered"]});
    let t = trace(&mut alice, &mut last, "session.tag", tag).await;
    kinds_are(&t, &["session"], false);
    assert!(matches!(t.event(0), Event::Session { session } if session.tags == ["ordered"]));

    let flag = json!({"session_id": s, "pending": true});
    let t = trace(&mut alice, &mut last, "session.follow_up", flag).await;
    kinds_are(&t, &["session"], false);
    assert!(matches!(t.event(0), Event::Session { session } if session.follow_up));

    let to = json!({"session_id": s, "to": {"group": "general"}});
    let t = trace(&mut alice, &mut last, "session.transfer", to).await;
    kinds_are(&t, &["session_removed"], true);
    assert!(matches!(t.event(0),
        Event::SessionRemoved { session_id, reason: RemovedReason::Transferred } if *session_id == s));
    if t.events.len() == 1 {
        offer_for(&mut alice, s).await;
    }
    let t = trace(
        &mut alice,
        &mut last,
        "session.accept",
        json!({"session_id": s}),
    )
    .await;
    kinds_are(&t, &["session"], false);

    // Ending with a closing message: the message, then the ended session, then the reply.
    let end = json!({"session_id": s, "closing_message": "bye"});
    let t = trace(&mut alice, &mut last, "session.end", end).await;
    kinds_are(&t, &["message", "session"], false);
    assert!(matches!(t.event(0), Event::Message { message } if message.body == "bye"));
    assert!(matches!(t.event(1),
        Event::Session { session } if session.state == SessionState::Ended));
    server.stop().await;
}

#[tokio::test]
async fn requests_sent_before_the_authenticating_reply_are_unauthenticated() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;

    // Pipelined behind a login (checked on a worker thread): handled before it finished.
    let mut a = Client::connect(&server.url("agent")).await.unwrap();
    let login = json!({"username": "alice", "password": PASSWORD});
    let ids = [
        a.send("login", login).await.unwrap(),
        a.send("snapshot", json!({})).await.unwrap(),
    ];
    let r = collect_replies(&mut a, &ids).await;
    assert!(r[&ids[0]].is_ok(), "{r:?}");
    let e = r[&ids[1]].clone().unwrap_err();
    assert_eq!(
        (wire(e.code).as_str(), e.message.as_str()),
        ("unauthorized", "log in first (login or resume)")
    );
    // Once the reply is in, the connection is logged in.
    a.call("snapshot", json!({})).await.unwrap();

    // Pipelined behind a customer.start (answered after its commit): the same.
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let ids = [
        c.send("customer.start", json!({"channel": "web"}))
            .await
            .unwrap(),
        c.send("typing", json!({"session_id": 1})).await.unwrap(),
    ];
    let r = collect_replies(&mut c, &ids).await;
    let session = r[&ids[0]].clone().unwrap()["session_id"].clone();
    let e = r[&ids[1]].clone().unwrap_err();
    assert_eq!(
        (wire(e.code).as_str(), e.message.as_str()),
        ("unauthorized", "start or resume a conversation first")
    );
    c.call("typing", json!({"session_id": session}))
        .await
        .unwrap();
    server.stop().await;
}
