//! The console's App and network task against the real in-process server: accept an offer,
//! reply, see the customer's answer, transfer, tag, end; then lose the server with a message
//! in the outbox and check it arrives exactly once after the reconnect.

mod common;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::{App, Delivery, Effect, Focus, LayoutPrefs, NetEvent};
use kefu::console::i18n::Lang;
use kefu::console::net::{self, NetCmd};
use kefu::model::{Role, now_ms};
use kefu::protocol::Event;
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

/// The console without a terminal: App + the real network task.
struct Console {
    app: App,
    net: mpsc::UnboundedSender<NetCmd>,
    events: mpsc::UnboundedReceiver<NetEvent>,
}

impl Console {
    fn start(server: &str, user: &str) -> Console {
        let (tx, events) = mpsc::unbounded_channel();
        let net = net::spawn(tx);
        let mut c = Console {
            app: App::new(Lang::En, LayoutPrefs::default(), now_ms()),
            net,
            events,
        };
        c.run(vec![Effect::Login {
            server: server.into(),
            username: user.into(),
            password: PASSWORD.into(),
        }]);
        c
    }

    fn run(&mut self, effects: Vec<Effect>) {
        for fx in effects {
            match fx {
                Effect::Request { tag, kind, body } => {
                    let _ = self.net.send(NetCmd::Request { tag, kind, body });
                }
                Effect::Login {
                    server,
                    username,
                    password,
                } => {
                    let _ = self.net.send(NetCmd::Login {
                        server,
                        username,
                        password,
                    });
                }
                _ => {}
            }
        }
    }

    fn act(&mut self, a: Action) {
        self.app.now = now_ms();
        let fx = self.app.update(a);
        self.run(fx);
    }

    /// Feeds network events to the app until `done` holds.
    async fn until(&mut self, what: &str, mut done: impl FnMut(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(&self.app) {
            let ev = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for: {what}"))
                .expect("network task alive");
            self.app.now = now_ms();
            let fx = self.app.on_net(ev);
            self.run(fx);
        }
    }
}

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
    assert_eq!(n, 1, "sent exactly once");

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
    wait_message(&mut cust, "Is there anything else I can help you with?").await;
    let (_, e) = cust
        .wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    assert!(matches!(e, Event::SessionEnded { survey: true, .. }));
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
            NetEvent::LoginFailed { message } => {
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
