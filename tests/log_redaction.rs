//! At the most verbose level the server logs plenty, but never a password or a token: the
//! WebSocket library's frame dumps are cut whatever `RUST_LOG` says. (Its own process: the
//! global subscriber is installed once.)

mod common;

use common::*;
use kefu::client::Client;
use kefu::model::Role;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_carry_no_passwords_or_tokens() {
    // SAFETY: set before any thread of this test process reads the environment.
    unsafe { std::env::set_var("RUST_LOG", "trace") };
    let captured = Captured::default();
    let sink = captured.clone();
    kefu::logging::init(move || sink.clone(), false);

    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    let r = c
        .call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let token = r["token"].as_str().unwrap().to_string();
    let wrong = c
        .call(
            "login",
            json!({"username": "alice", "password": "Wrong-Secret-99!"}),
        )
        .await;
    assert!(wrong.is_err());
    let mut c2 = Client::connect(&server.url("agent")).await.unwrap();
    c2.call("resume", json!({"token": token})).await.unwrap();
    server.stop().await;

    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    assert!(log.contains("TRACE"), "trace logging was not on:\n{log}");
    for secret in [PASSWORD, "Wrong-Secret-99!", token.as_str()] {
        assert!(!log.contains(secret), "`{secret}` is in the log");
    }
}
