//! The console's App and network task against the real in-process server: accept an offer,
//! reply, see the customer's answer, transfer, tag, end; lose the server with a message in the
//! outbox and check it arrives after the reconnect; and lose the acknowledgement of a message
//! the server did store (through a relay that cuts the connection at that moment) and check
//! the re-send is stored once.

mod common;
#[path = "support/ws_proxy.rs"]
mod ws_proxy;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::{Delivery, Focus, NetEvent};
use kefu::console::net::{self, NetCmd};
use kefu::model::Role;
use kefu::protocol::Event;
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

#[path = "support/net_console.rs"]
mod net_console;
use net_console::Console;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_handles_a_conversation_and_survives_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_groups(&["presales", "aftersales"]);
    add_agent(dir.path(), "alice", &["presales"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["aftersales"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config.clone()).await;
    let addr = server.addr.to_string();

    let mut console = Console::start(&format!("ws://{addr}"), "alice");
    console
        .until("logged in", |a| a.me.is_some() && a.login.is_none())
        .await;
    console.act(Action::StatusOnline);
    console
        .until("online", |a| a.status == kefu::model::AgentStatus::Online)
        .await;

    let (mut cust, session, ctoken) = server.customer("小明", Some("presales")).await;
    console
        .until("the offer", |a| {
            a.sessions.get(&session).is_some_and(|s| s.is_offer())
        })
        .await;
    console.app.selected = Some(session);
    console.act(Action::Accept);
    console
        .until("accepted", |a| {
            a.sessions.get(&session).is_some_and(|s| !s.is_offer()) && a.focus == Focus::Compose
        })
        .await;

    // Reply, then the customer answers.
    for c in "您好，请问订单号？".chars() {
        console.app.type_char(c);
    }
    console.act(Action::Send);
    console
        .until("acked", |a| {
            a.sessions[&session]
                .lines
                .iter()
                .any(|l| l.delivery == Delivery::Acked)
        })
        .await;
    wait_message(&mut cust, "您好，请问订单号？").await;
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "A123"}),
    )
    .await
    .unwrap();
    console
        .until("the customer's answer", |a| {
            a.sessions[&session].lines.iter().any(|l| l.body == "A123")
        })
        .await;

    // Tag, then mark follow-up: the list shows it under pending follow-up.
    console.act(Action::Tag);
    for c in "物流问题".chars() {
        console.app.type_char(c);
    }
    console.act(Action::Confirm);
    console
        .until("tagged", |a| {
            a.sessions[&session].view.tags == vec!["物流问题".to_string()]
        })
        .await;
    console.act(Action::ToggleFollowUp);
    // The follow-up dialog opens on "no reminder".
    console.act(Action::Confirm);
    console
        .until("follow-up", |a| a.sessions[&session].view.follow_up)
        .await;

    // Lose the server with a message typed while it is down.
    server.stop().await;
    console
        .until("disconnected", |a| {
            matches!(a.conn, kefu::console::app::ConnState::Disconnected { .. })
        })
        .await;
    console.app.selected = Some(session);
    console.app.focus = Focus::Compose;
    for c in "still there?".chars() {
        console.app.type_char(c);
    }
    console.act(Action::Send);
    assert_eq!(
        console.app.sessions[&session]
            .lines
            .last()
            .unwrap()
            .delivery,
        Delivery::Sending
    );
    let server = TestServer::start_on(&addr, dir.path(), config).await;
    console
        .until("the outbox message acknowledged after reconnect", |a| {
            a.sessions[&session]
                .lines
                .last()
                .is_some_and(|l| l.body == "still there?" && l.delivery == Delivery::Acked)
        })
        .await;
    let mut cust = kefu::client::Client::connect(&server.url("customer"))
        .await
        .unwrap();
    cust.call("customer.resume", json!({"token": ctoken}))
        .await
        .unwrap();
    let t = cust
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    let n = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["body"] == "still there?")
        .count();
    assert_eq!(n, 1, "stored once");

    // Transfer to aftersales: bob gets it, alice's list drops it.
    let mut bob = server.agent("bob").await;
    console.act(Action::Transfer);
    for c in "aftersales".chars() {
        console.app.type_char(c);
    }
    console.act(Action::Confirm);
    console
        .until("transferred away", |a| !a.sessions.contains_key(&session))
        .await;
    bob.wait_event(
        WAIT,
        |e| matches!(e, Event::Offer { session: s, .. } if s.id == session),
    )
    .await
    .unwrap();
    server.stop().await;
    let _ = console.net.send(NetCmd::Shutdown);
}

#[tokio::test]
async fn the_console_ends_a_session_with_a_closing_phrase() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut console = Console::start(&format!("ws://{}", server.addr), "alice");
    console.until("logged in", |a| a.me.is_some()).await;
    console.act(Action::StatusOnline);
    let (mut cust, session, _) = server.customer("Bob", None).await;
    console
        .until("offer", |a| a.sessions.contains_key(&session))
        .await;
    console.app.selected = Some(session);
    console.act(Action::Accept);
    console
        .until("accepted", |a| {
            a.sessions.get(&session).is_some_and(|s| !s.is_offer())
        })
        .await;
    console.act(Action::End);
    console.act(Action::Confirm);
    console
        .until("ended", |a| !a.sessions.contains_key(&session))
        .await;
    wait_message(&mut cust, "Thanks for contacting us — have a good day.").await;
    let (_, e) = cust
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    assert!(matches!(e, Event::SessionEnded { survey: true, .. }));
    server.stop().await;
}

/// Logged in through `server`, online, with an accepted conversation: (console, customer,
/// session id).
async fn serving(
    server: &TestServer,
    url: &str,
    options: kefu::console::net::NetOptions,
) -> (Console, kefu::client::Client, i64) {
    let mut console = Console::start_with(url, "alice", options);
    console
        .until("logged in", |a| a.me.is_some() && a.login.is_none())
        .await;
    console.act(Action::StatusOnline);
    console
        .until("online", |a| a.status == kefu::model::AgentStatus::Online)
        .await;
    let (cust, session, _) = server.customer("小明", None).await;
    console
        .until("the offer", |a| a.sessions.contains_key(&session))
        .await;
    console.app.selected = Some(session);
    console.act(Action::Accept);
    console
        .until("accepted", |a| {
            a.sessions.get(&session).is_some_and(|s| !s.is_offer()) && a.focus == Focus::Compose
        })
        .await;
    (console, cust, session)
}

/// The server stored the message but its ack never reached the console (the connection was
/// cut in between): the console re-sends it after reconnecting, with the same client_msg_id,
/// and the server keeps one copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_whose_ack_was_lost_is_resent_and_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let proxy = ws_proxy::WsProxy::start(server.addr).await;
    let (mut console, mut cust, session) = serving(&server, &proxy.url(), Default::default()).await;

    proxy.cut_after_reply_to("\"message.send\"");
    for c in "are you still there?".chars() {
        console.app.type_char(c);
    }
    console.act(Action::Send);
    tokio::time::timeout(WAIT, proxy.cut_done())
        .await
        .expect("the send reached the server and its ack was cut off");
    // The server has it: the customer was sent it.
    let stored = wait_message(&mut cust, "are you still there?").await;
    console
        .until("acked after the reconnect", |a| {
            a.sessions[&session]
                .lines
                .iter()
                .any(|l| l.body == "are you still there?" && l.delivery == Delivery::Acked)
        })
        .await;
    // It really was sent twice, both times with the id the server stored. (The replay after
    // the reconnect may show the message as stored before the re-send has gone out: the
    // console re-sends whatever was not acked, so wait for it.)
    let sends_so_far = || -> Vec<(usize, serde_json::Value)> {
        proxy
            .sent()
            .into_iter()
            .filter(|(_, f)| f["type"] == "message.send")
            .collect()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while sends_so_far().len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sends = sends_so_far();
    assert_eq!(sends.len(), 2, "{sends:?}");
    assert!(sends[1].0 > sends[0].0, "re-sent on the new connection");
    for (_, f) in &sends {
        assert_eq!(f["client_msg_id"].as_str(), stored.client_msg_id.as_deref());
    }
    let t = cust
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    let copies = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["body"] == "are you still there?")
        .count();
    assert_eq!(copies, 1, "stored exactly once");
    let shown = console.app.sessions[&session]
        .lines
        .iter()
        .filter(|l| l.body == "are you still there?")
        .count();
    assert_eq!(shown, 1, "shown once in the console too");
    let _ = console.net.send(NetCmd::Shutdown);
    server.stop().await;
}

/// A message that never got its ack survives quitting the console: the next console signed
/// in as the same agent on the same server sends it, with its original client_msg_id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_a_quit_and_is_sent_after_the_next_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let proxy = ws_proxy::WsProxy::start(server.addr).await;
    let options = || kefu::console::net::NetOptions {
        outbox_dir: Some(data.path().to_path_buf()),
        // Slow to reconnect, so the first console quits before it tries again.
        backoff: kefu::console::net::Backoff::new(Duration::from_secs(30), Duration::from_secs(30)),
        ..Default::default()
    };
    let (mut console, mut cust, session) = serving(&server, &proxy.url(), options()).await;
    // First: one that reaches the server but loses its ack. Then one typed while cut off.
    proxy.cut_after_reply_to("\"message.send\"");
    let fx = console.app.send_message(session, "first, ack lost".into());
    console.run(fx);
    tokio::time::timeout(WAIT, proxy.cut_done()).await.unwrap();
    console
        .until("disconnected", |a| {
            matches!(a.conn, kefu::console::app::ConnState::Disconnected { .. })
        })
        .await;
    let fx = console
        .app
        .send_message(session, "second, never sent".into());
    console.run(fx);
    assert_eq!(console.app.unsent_count(), 2);
    let file = kefu::console::outbox::OutboxFile::new(
        data.path(),
        &kefu::console::net::agent_url(&proxy.url()),
        "alice",
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    let kept = loop {
        let kept = file.load().unwrap();
        if kept.len() == 2 || tokio::time::Instant::now() > deadline {
            break kept;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let bodies: Vec<&str> = kept.iter().map(|k| k.message.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["first, ack lost", "second, never sent"],
        "on disk, in order"
    );
    let _ = console.net.send(NetCmd::Shutdown);
    drop(console);

    let mut again = Console::start_with(&proxy.url(), "alice", options());
    again
        .until("both restored and acknowledged", |a| {
            let acked = |body: &str| {
                a.sessions.get(&session).is_some_and(|s| {
                    s.lines
                        .iter()
                        .any(|l| l.body == body && l.delivery == Delivery::Acked)
                })
            };
            acked("first, ack lost") && acked("second, never sent") && a.unsent_count() == 0
        })
        .await;
    wait_message(&mut cust, "second, never sent").await;
    let t = cust
        .call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();
    let bodies: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .filter(|b| b.contains(", "))
        .collect();
    assert_eq!(
        bodies,
        ["first, ack lost", "second, never sent"],
        "once each, in order"
    );
    assert!(
        std::fs::read_dir(data.path()).unwrap().next().is_none(),
        "nothing left on disk once acknowledged"
    );
    let _ = again.net.send(NetCmd::Shutdown);
    server.stop().await;
}

/// The next login outcome must be a failure whose message contains `needle`.
async fn expect_login_failure(events: &mut mpsc::UnboundedReceiver<NetEvent>, needle: &str) {
    loop {
        match tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            NetEvent::LoginFailed { message, .. } => {
                assert!(message.contains(needle), "{message}");
                return;
            }
            NetEvent::Connecting => {}
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn wrong_password_and_unreachable_server_are_reported_on_the_login_screen() {
    let (tx, mut events) = mpsc::unbounded_channel();
    let net = net::spawn(tx);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    net.send(NetCmd::Login {
        server: format!("127.0.0.1:{port}"),
        username: "x".into(),
        password: "y".into(),
    })
    .unwrap();
    expect_login_failure(&mut events, "cannot reach").await;
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    net.send(NetCmd::Login {
        server: format!("ws://{}", server.addr),
        username: "alice".into(),
        password: "nope".into(),
    })
    .unwrap();
    expect_login_failure(&mut events, "invalid username or password").await;
    server.stop().await;
}

/// The End dialog against the real server: a required tag is asked for, then the end waits
/// for the customer's silence (the countdown reaches the console), and `alt-x` (cancel_end)
/// calls it off, all through the real network task and its reply decoding.
#[tokio::test]
async fn the_console_waits_for_silence_and_cancels_with_a_required_tag() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = config_with_groups(&["general"]);
    config.groups[0].require_tags = true;
    config.conversations.customer_idle_remind_secs = 0;
    let server = TestServer::start(dir.path(), config).await;
    let mut console = Console::start(&format!("ws://{}", server.addr), "alice");
    console.until("logged in", |a| a.me.is_some()).await;
    console.act(Action::StatusOnline);
    let (mut cust, session, _) = server.customer("王小二", None).await;
    console
        .until("offer", |a| a.sessions.contains_key(&session))
        .await;
    console.app.selected = Some(session);
    console.act(Action::Accept);
    console
        .until("accepted", |a| {
            a.sessions.get(&session).is_some_and(|s| !s.is_offer())
        })
        .await;
    console.act(Action::End);
    assert!(
        matches!(&console.app.overlay, Some(kefu::console::app::Overlay::End(d)) if d.require_tags),
        "the group's rule reached the console"
    );
    console.act(Action::Confirm);
    assert!(console.app.overlay.is_some(), "not without a tag");
    for c in "物流问题".chars() {
        console.app.type_char(c);
    }
    console.act(Action::Confirm); // adds the tag
    console.act(Action::NextField); // outcome
    console.act(Action::NextField); // when
    console.app.type_char('1');
    console.act(Action::Confirm);
    console
        .until("counting down", |a| {
            a.overlay.is_none()
                && a.sessions
                    .get(&session)
                    .is_some_and(|s| s.view.ends_at.is_some())
        })
        .await;
    wait_message(&mut cust, "Thanks for contacting us — have a good day.").await;
    cust.wait_event(
        WAIT,
        |e| matches!(e, Event::Message { message } if message.body.contains("1 minute")),
    )
    .await
    .expect("the customer is told");
    console.act(Action::CancelEnd);
    console
        .until("cancelled", |a| {
            a.sessions
                .get(&session)
                .is_some_and(|s| s.view.ends_at.is_none())
        })
        .await;
    let (state, ends_at, tags): (String, Option<i64>, String) = open_db(dir.path())
        .query_row(
            "SELECT state, ends_at, tags FROM sessions WHERE id = ?1",
            [session],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), ends_at), ("active", None));
    assert!(tags.contains("物流问题"), "{tags}");
    server.stop().await;
}
