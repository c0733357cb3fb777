//! SIGTERM under load: a real `kefu serve` with customers and agents writing continuously gets
//! SIGTERM. Every open WebSocket (busy ones, one that only said hello, one that said nothing)
//! receives a close frame with code 1001, the process exits with status 0 within a few seconds,
//! and every acknowledged message is in the database afterwards.
//!
//! The clients here are raw tokio-tungstenite sockets, not `kefu::client::Client`, because the
//! test must see the close frame and its code.

mod common;
use common::process::{ServeProcess, free_port};
use common::*;
use futures_util::{SinkExt, StreamExt};
use kefu::model::Role;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Messages acked before the SIGTERM: the server is mid-traffic when it is told to stop.
const UNDER_LOAD: usize = 150;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The traffic is faster than the default per-connection rate limit.
// (Clients here write as fast as they can: no rate limit, no byte quota.)
const FAST: &str = "[limits]\nrate_per_sec = 100000.0\nrate_burst = 100000.0\n[quotas]\ncustomer_bytes_per_minute = 0\n";

/// A bare WebSocket with just enough protocol to set up: numbered requests and their replies.
struct Raw {
    ws: Ws,
    next: u64,
}

impl Raw {
    async fn open(server: &mut ServeProcess, endpoint: &str) -> Raw {
        // The crate's client waits for the server to come up; then a bare socket connects.
        server.connect(endpoint).await.close().await;
        let (ws, _) = tokio_tungstenite::connect_async(server.url(endpoint))
            .await
            .unwrap();
        Raw { ws, next: 1 }
    }

    async fn send(&mut self, kind: &str, mut fields: Value) -> u64 {
        let id = self.next;
        self.next += 1;
        fields["type"] = json!(kind);
        fields["id"] = json!(id);
        self.ws
            .send(Message::Text(fields.to_string().into()))
            .await
            .unwrap();
        id
    }

    /// Sends a request and waits for its (successful) result; other frames are dropped.
    async fn call(&mut self, kind: &str, fields: Value) -> Value {
        let id = self.send(kind, fields).await;
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["type"] == "reply" && v["id"] == id {
                    assert_eq!(v["ok"], true, "{kind}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }
}

/// What one socket saw until the server closed it.
#[derive(Debug)]
struct Seen {
    name: String,
    /// `client_msg_id` → seq of every acked message.
    acked: HashMap<String, i64>,
    close_code: Option<u16>,
    /// How the stream ended, when it ended without a close frame.
    ended: Option<String>,
}

/// Reads until the close frame (or the end of the stream), matching acks to what was sent.
async fn read_until_close(
    mut rx: futures_util::stream::SplitStream<Ws>,
    name: String,
    sent: Arc<Mutex<HashMap<u64, String>>>,
    acks: Arc<AtomicUsize>,
) -> Seen {
    let mut seen = Seen {
        name,
        acked: HashMap::new(),
        close_code: None,
        ended: None,
    };
    loop {
        let msg = match rx.next().await {
            Some(Ok(msg)) => msg,
            Some(Err(_)) if seen.close_code.is_some() => break,
            Some(Err(e)) => {
                seen.ended = Some(e.to_string());
                break;
            }
            None => {
                seen.ended = Some("end of stream".into());
                break;
            }
        };
        match msg {
            Message::Text(t) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["type"] != "reply" || v["ok"] != true {
                    continue;
                }
                let cmid = v["id"]
                    .as_u64()
                    .and_then(|id| sent.lock().unwrap().remove(&id));
                if let (Some(cmid), Some(seq)) = (cmid, v["result"]["seq"].as_i64()) {
                    seen.acked.insert(cmid, seq);
                    acks.fetch_add(1, Ordering::SeqCst);
                }
            }
            // Keep reading after it: that sends tungstenite's close reply and completes the
            // closing handshake, as a well-behaved client does.
            Message::Close(frame) => seen.close_code = frame.map(|f| u16::from(f.code)),
            _ => {}
        }
    }
    seen
}

/// Writes `message.send` into `session` every few milliseconds until the socket fails or the
/// reader is done; the reader gets the acks.
fn write_continuously(
    mut raw: Raw,
    name: &str,
    session: i64,
    acks: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<Seen> {
    let sent: Arc<Mutex<HashMap<u64, String>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let (mut tx, rx) = raw.ws.split();
    let reader = {
        let (sent, done) = (sent.clone(), done.clone());
        let name = name.to_string();
        tokio::spawn(async move {
            let seen = read_until_close(rx, name, sent, acks).await;
            done.store(true, Ordering::SeqCst);
            seen
        })
    };
    let name = name.to_string();
    tokio::spawn(async move {
        let mut n = 0;
        while !done.load(Ordering::SeqCst) {
            let id = raw.next;
            raw.next += 1;
            let cmid = format!("{name}-{n}");
            n += 1;
            sent.lock().unwrap().insert(id, cmid.clone());
            let msg = json!({"type": "message.send", "id": id, "session_id": session,
                "client_msg_id": cmid, "body": cmid});
            if tx
                .send(Message::Text(msg.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        // Answer the server's close frame (tungstenite does it on the next write or flush).
        let _ = tx.flush().await;
        reader.await.unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_closes_every_socket_with_1001_and_keeps_every_ack() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["alice", "bob"] {
        add_agent(dir.path(), name, &["general"], Role::Agent, Some(10));
    }
    let mut server = ServeProcess::spawn(dir.path(), free_port(), FAST);
    let hello = json!({"protocol": 1, "client": "shutdown-test"});

    // Two agents online, four customers whose sessions they accept.
    let mut agents = Vec::new();
    for name in ["alice", "bob"] {
        let mut a = Raw::open(&mut server, "agent").await;
        a.call("hello", hello.clone()).await;
        a.call("login", json!({"username": name, "password": PASSWORD}))
            .await;
        a.call("status.set", json!({"status": "online"})).await;
        agents.push((name, a));
    }
    let mut customers = Vec::new();
    for i in 0..4 {
        let mut c = Raw::open(&mut server, "customer").await;
        c.call("hello", hello.clone()).await;
        let r = c
            .call(
                "customer.start",
                json!({"channel": "app", "nickname": format!("c{i}")}),
            )
            .await;
        customers.push((format!("c{i}"), r["session_id"].as_i64().unwrap(), c));
    }
    let mut held: HashMap<&str, Vec<i64>> = HashMap::new();
    for (_, session, _) in &customers {
        // Least busy: the offers alternate; whoever has it accepts.
        let mut accepted = false;
        for (name, a) in agents.iter_mut() {
            let id = a
                .send("session.accept", json!({"session_id": session}))
                .await;
            loop {
                let msg = a.ws.next().await.unwrap().unwrap();
                let Message::Text(t) = msg else { continue };
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["type"] == "reply" && v["id"] == id {
                    if v["ok"] == true {
                        held.entry(name).or_default().push(*session);
                        accepted = true;
                    }
                    break;
                }
            }
            if accepted {
                break;
            }
        }
        assert!(accepted, "nobody could accept {session}");
    }
    // A socket that only said hello, and one that said nothing at all.
    let mut idle = Raw::open(&mut server, "customer").await;
    idle.call("hello", hello.clone()).await;
    let silent = Raw::open(&mut server, "agent").await;

    let sessions: Vec<i64> = customers.iter().map(|c| c.1).collect();
    let mut tasks = Vec::new();
    let acks = Arc::new(AtomicUsize::new(0));
    for (name, session, c) in customers {
        tasks.push(write_continuously(c, &name, session, acks.clone()));
    }
    for (name, a) in agents {
        // Each agent replies into the first session it holds.
        let session = held[name][0];
        tasks.push(write_continuously(a, name, session, acks.clone()));
    }
    for (name, raw) in [("idle", idle), ("silent", silent)] {
        let (_, rx) = raw.ws.split();
        let reader = read_until_close(rx, name.into(), Arc::default(), Arc::default());
        tasks.push(tokio::spawn(reader));
    }

    // Under load (a few hundred messages acked), then SIGTERM mid-traffic.
    let deadline = tokio::time::Instant::now() + WAIT;
    while acks.load(Ordering::SeqCst) < UNDER_LOAD {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} messages acked in {WAIT:?}",
            acks.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.terminate();
    let status = server.wait_exit(Duration::from_secs(5)).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "exit status within 5 s: {status:?}"
    );
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(tokio::time::timeout(WAIT, t).await.unwrap().unwrap());
    }
    let unclosed: Vec<String> = seen
        .iter()
        .filter(|s| s.close_code != Some(1001))
        .map(|s| format!("{} ({} acked): {:?}", s.name, s.acked.len(), s.ended))
        .collect();
    assert!(
        unclosed.is_empty(),
        "sockets without a close 1001: {unclosed:#?}"
    );
    let acked: usize = seen.iter().map(|s| s.acked.len()).sum();
    assert!(
        acked >= UNDER_LOAD,
        "only {acked} messages acked before SIGTERM"
    );

    // Everything acked is on disk, with the seq its ack named.
    let db = open_db(dir.path());
    let mut on_disk: HashMap<String, i64> = HashMap::new();
    for session in sessions {
        for (seq, _, _, cmid) in stored_messages(&db, session) {
            assert!(on_disk.insert(cmid.unwrap(), seq).is_none());
        }
    }
    for s in &seen {
        for (cmid, seq) in &s.acked {
            assert_eq!(on_disk.get(cmid), Some(seq), "{cmid} was acked");
        }
    }
}
