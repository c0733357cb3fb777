//! `console.log` gets the connection's story: connecting, signed in, disconnected with the
//! reason, the backoff, resumed, and a failed sign-in (never a password). A test binary of
//! its own, because the console's file logger is process-wide.

mod common;
#[path = "support/ws_proxy.rs"]
mod ws_proxy;

use common::*;
use kefu::console::app::NetEvent;
use kefu::console::net::{self, Backoff, NetCmd, NetOptions};
use kefu::model::Role;
use std::time::Duration;
use tokio::sync::mpsc;

async fn until(events: &mut mpsc::UnboundedReceiver<NetEvent>, pick: impl Fn(&NetEvent) -> bool) {
    loop {
        let ev = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("an event in time")
            .expect("the network task is alive");
        if pick(&ev) {
            return;
        }
    }
}

fn login(cmds: &mpsc::UnboundedSender<NetCmd>, url: &str, password: &str) {
    cmds.send(NetCmd::Login {
        server: url.into(),
        username: "alice".into(),
        password: password.into(),
    })
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_events_are_written_to_console_log() {
    let logdir = tempfile::tempdir().unwrap();
    kefu::console::run::init_file_logging(logdir.path());
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let proxy = ws_proxy::WsProxy::start(server.addr).await;

    let (tx, mut events) = mpsc::unbounded_channel();
    let options = NetOptions {
        backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(200)),
        ..Default::default()
    };
    let cmds = net::spawn_with(tx, options);
    login(&cmds, &proxy.url(), PASSWORD);
    until(&mut events, |e| matches!(e, NetEvent::Connected { .. })).await;
    proxy.set_down(true);
    until(&mut events, |e| matches!(e, NetEvent::Disconnected { .. })).await;
    proxy.set_down(false);
    until(&mut events, |e| matches!(e, NetEvent::Connected { .. })).await;

    let (tx, mut wrong) = mpsc::unbounded_channel();
    let other = net::spawn(tx);
    login(&other, &proxy.url(), "wrong-password-1!");
    until(&mut wrong, |e| matches!(e, NetEvent::LoginFailed { .. })).await;

    let log = std::fs::read_to_string(logdir.path().join("console.log")).unwrap();
    for needle in [
        "connecting",
        "connected; signed in",
        "disconnected",
        "reason=",
        "reconnecting after backoff",
        "backoff_ms=50",
        "connected; session resumed",
        "sign-in failed",
        "invalid username or password",
    ] {
        assert!(
            log.contains(needle),
            "{needle:?} missing from console.log:\n{log}"
        );
    }
    assert!(!log.contains(PASSWORD), "no passwords in the log:\n{log}");
    assert!(
        !log.contains("wrong-password-1!"),
        "no passwords in the log:\n{log}"
    );
    let _ = cmds.send(NetCmd::Shutdown);
    server.stop().await;
}
