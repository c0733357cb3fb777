//! `console.log` at the most verbose level: no password, no session token and none of the
//! WebSocket library's frame dumps in it, whatever `RUST_LOG` says; and a reply of the wrong
//! shape is written there, with the request it answered. A binary of its own: it sets
//! `RUST_LOG` and installs the process-wide logger.

mod common;
#[path = "support/ws_proxy.rs"]
mod ws_proxy;

use common::*;
use kefu::console::app::{NetEvent, Tag};
use kefu::console::net::{self, Backoff, NetCmd, NetOptions};
use kefu::console::reply::ReplyError;
use kefu::model::Role;
use kefu::protocol::request::Directory;
use serde_json::json;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_log_at_trace_has_no_secrets_and_names_a_reply_of_the_wrong_shape() {
    // SAFETY: set before anything of this test process reads the environment on another thread.
    unsafe { std::env::set_var("RUST_LOG", "trace") };
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
    cmds.send(NetCmd::Login {
        server: proxy.url(),
        username: "alice".into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    until(&mut events, |e| matches!(e, NetEvent::Connected { .. })).await;

    proxy.mangle_reply_to(r#""directory""#, json!({"agents": 42}));
    cmds.send(NetCmd::Request {
        tag: Tag::Directory,
        request: Directory {}.into(),
    })
    .unwrap();
    until(&mut events, |e| {
        matches!(
            e,
            NetEvent::Reply {
                tag: Tag::Directory,
                result: Err(ReplyError::Unreadable { .. })
            }
        )
    })
    .await;

    // A reconnect resumes with the token: now it has crossed the wire both ways.
    proxy.drop_connections();
    until(&mut events, |e| matches!(e, NetEvent::Disconnected { .. })).await;
    until(&mut events, |e| matches!(e, NetEvent::Connected { .. })).await;
    let token = proxy
        .sent()
        .into_iter()
        .find(|(_, f)| f["type"] == "resume")
        .and_then(|(_, f)| f["token"].as_str().map(String::from))
        .expect("resumed with the token");
    let _ = cmds.send(NetCmd::Shutdown);
    server.stop().await;

    let log = std::fs::read_to_string(logdir.path().join("console.log")).unwrap();
    assert!(log.contains("TRACE"), "trace logging was not on:\n{log}");
    assert!(
        log.contains("a reply of the wrong shape")
            && (log.contains("request=\"directory\"") || log.contains("request=directory")),
        "the odd reply is in the log:\n{log}"
    );
    for secret in [PASSWORD, token.as_str()] {
        assert!(!log.contains(secret), "`{secret}` is in console.log");
    }
    for dump in ["Received message", "Sending frame", "<FRAME>"] {
        assert!(
            !log.contains(dump),
            "a frame dump ({dump}) is in console.log"
        );
    }
}
