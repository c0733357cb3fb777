//! End to end: the console's network task and app against the real server. Another device ends
//! the console's sign-in (`devices.end`): the task reports `SignedOut` with the server's reason
//! instead of reconnecting, the app shows the login form with "Signed out: …", and a new login
//! works on the same task.

mod common;
mod raw;

use common::*;
use kefu::console::app::{App, LayoutPrefs, NetEvent};
use kefu::console::i18n::Lang;
use kefu::console::net::{self, NetCmd};
use kefu::model::Role;
use raw::Raw;
use serde_json::json;
use tokio::sync::mpsc;

async fn next_event(
    events: &mut mpsc::UnboundedReceiver<NetEvent>,
    what: &str,
    pick: impl Fn(&NetEvent) -> bool,
) -> NetEvent {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("the network task is alive");
        if pick(&ev) {
            return ev;
        }
    }
}

#[tokio::test]
async fn a_console_signed_out_by_another_device_returns_to_the_login_form() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let (tx, mut events) = mpsc::unbounded_channel();
    let cmds = net::spawn(tx);
    let login = || NetCmd::Login {
        server: server.url("agent"),
        username: "alice".into(),
        password: PASSWORD.into(),
    };
    cmds.send(login()).unwrap();
    let mut app = App::new(Lang::En, LayoutPrefs::default(), kefu::model::now_ms());
    app = app.with_login(server.url("agent"), "alice".into());
    let ev = next_event(&mut events, "connected", |e| {
        matches!(e, NetEvent::Connected { .. })
    })
    .await;
    app.on_net(ev);
    assert!(app.login.is_none());

    // The phone lists Alice's devices and ends the console's.
    let mut phone = Raw::connect(&server.url("agent")).await;
    phone
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let list = phone.call("devices.list", json!({})).await.unwrap();
    let console = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["client"] == "kefu-console")
        .unwrap_or_else(|| panic!("{list}"))["id"]
        .clone();
    phone
        .call("devices.end", json!({"device_id": console}))
        .await
        .unwrap();

    let ev = next_event(&mut events, "signed out", |e| {
        assert!(
            !matches!(e, NetEvent::Connected { .. }),
            "reconnected instead of signing out"
        );
        matches!(e, NetEvent::SignedOut { .. })
    })
    .await;
    let NetEvent::SignedOut { reason } = &ev else {
        unreachable!()
    };
    assert_eq!(reason, "ended from another device");
    app.on_net(ev);
    let form = app.login.as_ref().expect("the login form is back");
    assert_eq!(
        form.error.as_deref(),
        Some("Signed out: ended from another device")
    );
    assert_eq!(form.server, server.url("agent"));

    // Logging in again works on the same task.
    cmds.send(login()).unwrap();
    next_event(&mut events, "connected again", |e| {
        matches!(e, NetEvent::Connected { .. })
    })
    .await;
    let _ = cmds.send(NetCmd::Shutdown);
    server.stop().await;
}
