//! The typed wire contract, end to end: every request type is sent as its `protocol::request`
//! struct and its reply decoded as the declared reply type, against the real server. A reply
//! whose shape drifted from its type fails here with a decode error.

mod common;

use common::*;
use kefu::client::{Client, ClientError};
use kefu::model::{AgentStatus, Channel, EndReason, Role, SessionState};
use kefu::protocol::request::*;
use kefu::protocol::{ErrorCode, Event, PROTOCOL_VERSION, TransferTarget};

fn code<T: std::fmt::Debug>(r: Result<T, ClientError>) -> ErrorCode {
    match r {
        Err(ClientError::Api(e)) => e.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_request_decodes_into_its_reply_type() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), Default::default()).await;

    let (mut alice, hello) = Client::connect_hello(&server.url("agent")).await.unwrap();
    assert_eq!(hello.protocol, PROTOCOL_VERSION);
    assert_eq!(hello.endpoint, "agent");
    assert!(hello.idle_timeout_secs > hello.ping_interval_secs);
    let login = alice
        .request(Login {
            username: "alice".into(),
            password: PASSWORD.into(),
            cursor: None,
            totp: None,
        })
        .await
        .unwrap();
    let token = login.token.clone().unwrap();
    assert!(!login.must_change_password);
    assert_eq!(login.agent.unwrap().username, "alice");
    let st = alice
        .request(SetStatus {
            status: AgentStatus::Online,
        })
        .await
        .unwrap();
    assert_eq!(st.status, AgentStatus::Online);

    let mut cust = Client::connect(&server.url("customer")).await.unwrap();
    let start = cust
        .request(CustomerStart {
            channel: Channel::App,
            nickname: Some("小王".into()),
            external_id: None,
            external_id_signature: None,
            external_id_expires: None,
            group: None,
            token: None,
            context: None,
        })
        .await
        .unwrap();
    let session = start.session_id;
    let ctoken = start.token.clone().unwrap();

    let (_, offer) = alice
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    assert!(matches!(offer, Event::Offer { session: s, .. } if s.id == session));
    let snap = alice.request(Snapshot {}).await.unwrap();
    assert_eq!(snap.offers.len(), 1);
    assert_eq!(snap.offers[0].session.id, session);
    let accepted = alice
        .request(Accept {
            session_id: session,
        })
        .await
        .unwrap();
    assert_eq!(accepted.session.unwrap().state, SessionState::Active);
    // Rejecting what is already accepted is refused with a code, not a shape change.
    assert_eq!(
        code(
            alice
                .request(Reject {
                    session_id: session
                })
                .await
        ),
        ErrorCode::Conflict
    );

    let ack = cust
        .request(SendMessage {
            session_id: session,
            client_msg_id: "c1".into(),
            body: "你好".into(),
        })
        .await
        .unwrap();
    assert_eq!((ack.session_id, ack.seq), (session, 1));
    let again = cust
        .request(SendMessage {
            session_id: session,
            client_msg_id: "c1".into(),
            body: "你好".into(),
        })
        .await
        .unwrap();
    assert_eq!(again, ack, "a retry gets the same ack");
    cust.request(Typing {
        session_id: session,
        active: true,
    })
    .await
    .unwrap();
    alice
        .request(Typing {
            session_id: session,
            active: false,
        })
        .await
        .unwrap();
    let reply_ack = alice
        .request(SendMessage {
            session_id: session,
            client_msg_id: "a1".into(),
            body: "您好，请讲".into(),
        })
        .await
        .unwrap();
    assert_eq!(reply_ack.seq, 2);

    let tags = alice
        .request(Tag {
            session_id: session,
            add: vec!["物流问题".into()],
            remove: vec![],
        })
        .await
        .unwrap();
    assert_eq!(tags.tags, vec!["物流问题".to_string()]);
    let fu = alice
        .request(FollowUp {
            session_id: session,
            pending: true,
            remind_at: None,
        })
        .await
        .unwrap();
    assert!(fu.follow_up);
    let profile = alice
        .request(Profile {
            customer_id: start.customer_id,
        })
        .await
        .unwrap();
    assert_eq!(profile.customer.nickname, "小王");
    let t = alice
        .request(Transcript {
            session_id: session,
            after_seq: None,
            limit: None,
        })
        .await
        .unwrap();
    assert_eq!(t.messages.len(), 2);
    assert_eq!(t.session.tags, vec!["物流问题".to_string()]);
    // The customer reads the same transcript without the agents' labels.
    let ct = cust
        .request(Transcript {
            session_id: session,
            after_seq: Some(1),
            limit: None,
        })
        .await
        .unwrap();
    assert_eq!(ct.messages.len(), 1);
    assert!(ct.session.tags.is_empty(), "{:?}", ct.session.tags);
    let dir_reply = alice.request(Directory {}).await.unwrap();
    assert_eq!(dir_reply.agents.len(), 2);
    assert!(dir_reply.groups.iter().any(|g| g.group == "general"));
    let kb = alice.request(KbSearch::default()).await.unwrap();
    assert!(kb.articles.is_empty());
    assert_eq!(
        code(alice.request(KbGet { article_id: 9 }).await),
        ErrorCode::NotFound
    );
    let qr = alice.request(QuickReplies {}).await.unwrap();
    assert!(qr.quick_replies.is_empty());

    // Transfer to the supervisor, who ends it; the customer rates it.
    let mut bob = server.agent("bob").await;
    let moved = alice
        .request(Transfer {
            session_id: session,
            to: TransferTarget::Agent("bob".into()),
            note: Some("VIP".into()),
            queue: false,
        })
        .await
        .unwrap();
    assert_eq!(moved.session_id, session);
    accept_next_offer(&mut bob).await;
    let ended = bob
        .request(End {
            session_id: session,
            closing_message: Some("再见".into()),
            outcome: Some(EndReason::Resolved),
            after_silence_secs: None,
            tags: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(ended.session_id, session);
    let rated = cust
        .request(Rate {
            session_id: session,
            stars: 5,
            comment: None,
        })
        .await
        .unwrap();
    assert_eq!(rated.stars, 5);

    // Resume both sides from their tokens.
    let mut cust2 = Client::connect(&server.url("customer")).await.unwrap();
    let resumed = cust2
        .request(CustomerResume {
            token: ctoken,
            cursor: None,
        })
        .await
        .unwrap();
    assert_eq!(resumed.customer_id, start.customer_id);
    assert_eq!(resumed.session_id, None, "the conversation has ended");
    let mut alice2 = Client::connect(&server.url("agent")).await.unwrap();
    let r = alice2
        .request(Resume {
            token,
            cursor: Some(login.cursor),
        })
        .await
        .unwrap();
    assert!(r.token.is_none());
    let changed = alice2
        .request(ChangePassword {
            old_password: PASSWORD.into(),
            new_password: "another-pass-2!".into(),
        })
        .await
        .unwrap();
    assert_eq!(changed.token.len(), 64);
    alice2.request(Logout {}).await.unwrap();
    server.stop().await;
}

/// §1.7: a resume's reply comes first, then the replay in cursor order, then live events —
/// for agents and for customers.
#[tokio::test]
async fn a_resume_replies_before_it_replays() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, session, ctoken) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    let login = alice.request(Snapshot {}).await.unwrap();
    for i in 0..5 {
        cust.request(SendMessage {
            session_id: session,
            client_msg_id: format!("m{i}"),
            body: format!("m{i}"),
        })
        .await
        .unwrap();
    }
    wait_message(&mut alice, "m4").await;

    let agent_token = {
        let mut c = Client::connect(&server.url("agent")).await.unwrap();
        let r = c
            .request(Login {
                username: "alice".into(),
                password: PASSWORD.into(),
                cursor: None,
                totp: None,
            })
            .await
            .unwrap();
        r.token.unwrap()
    };
    for (endpoint, request) in [
        (
            "agent",
            serde_json::json!({"type": "resume", "token": agent_token, "cursor": login.cursor}),
        ),
        (
            "customer",
            serde_json::json!({"type": "customer.resume", "token": ctoken, "cursor": 0}),
        ),
    ] {
        let mut c = Client::connect(&server.url(endpoint)).await.unwrap();
        let kind = request["type"].as_str().unwrap().to_string();
        c.send(&kind, request).await.unwrap();
        let first = c.next_frame(WAIT).await.unwrap();
        assert!(
            matches!(first, kefu::protocol::ServerFrame::Reply { ok: true, .. }),
            "{endpoint}: the first frame after {kind} is {first:?}"
        );
        let mut last = 0;
        let mut bodies = Vec::new();
        while bodies.len() < 5 {
            match c.next_frame(WAIT).await.unwrap() {
                kefu::protocol::ServerFrame::Event { cursor, event } => {
                    assert!(cursor > last, "{endpoint}: cursors must increase");
                    last = cursor;
                    if let Event::Message { message } = event {
                        bodies.push(message.body);
                    }
                }
                kefu::protocol::ServerFrame::Queues { .. } => {}
                other => panic!("{endpoint}: unexpected {other:?}"),
            }
        }
        assert_eq!(bodies, ["m0", "m1", "m2", "m3", "m4"], "{endpoint}");
    }
    server.stop().await;
}
