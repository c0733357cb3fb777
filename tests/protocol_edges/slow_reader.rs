//! A client that stops reading, on a server with the smallest outbox (`limits.outbox_frames`,
//! §1.6): once its socket is full and its outbox overflows, it is closed with `1008` "too
//! slow to keep up; resume with your last cursor", and resuming with the last cursor it
//! processed brings every event it missed, in order, once.

use crate::common::*;
use futures_util::{SinkExt, StreamExt};
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::{Event, ServerFrame};
use serde_json::{Value, json};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

type Ws = WebSocketStream<tokio::net::TcpStream>;

const OUTBOX: usize = 16;
const TOO_SLOW: &str = "too slow to keep up; resume with your last cursor";
/// The length of the loud supervisor's display name, which every typing frame carries.
const NAME_BYTES: usize = 60_000;

/// The most a loopback socket may buffer for sending (its auto-tuning ceiling).
fn max_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(4 << 20)
}

async fn next_text(ws: &mut Ws) -> Value {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("no frame in time")
        {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

async fn call(ws: &mut Ws, request: Value) -> Value {
    ws.send(Message::Text(request.to_string().into()))
        .await
        .unwrap();
    loop {
        let f = next_text(ws).await;
        if f["type"] == "reply" && f["id"] == request["id"] {
            assert_eq!(f["ok"], true, "{f}");
            return f["result"].clone();
        }
    }
}

/// Sends `n` copies of a request, ten at a time, each ten answered before the next.
async fn pipelined(c: &mut Client, kind: &str, fields: impl Fn(usize) -> Value, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(10) {
        let mut ids = Vec::new();
        for &k in chunk {
            ids.push(c.send(kind, fields(k)).await.unwrap());
        }
        let replies = collect_replies(c, &ids).await;
        assert!(replies.values().all(Result::is_ok), "{replies:?}");
        c.pending.clear();
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_with_1008_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // A supervisor whose typing frames are each about 60 KB: a fast way to fill a socket
    // without writing megabytes to the database (typing is never stored).
    {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        let loud = kefu::admin::NewAgent {
            username: "loud".into(),
            display_name: "L".repeat(NAME_BYTES),
            employee_no: None,
            contact: None,
            role: Role::Supervisor,
            groups: vec!["general".into()],
            max_sessions: None,
        };
        kefu::admin::add_agent_with_password(&mut store, loud, PASSWORD, false).unwrap();
    }
    let mut config = ServerConfig::default();
    config.limits.outbox_frames = OUTBOX;
    // Only the outbox may end the connection: not its idleness, nor a socket stuck for long.
    config.limits.ping_interval_secs = 30;
    config.limits.idle_timeout_secs = 60;
    config.limits.rate_per_sec = 10_000.0;
    config.limits.rate_burst = 10_000.0;
    let server = TestServer::start(dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    let mut loud = Client::connect(&server.url("agent")).await.unwrap();
    loud.call("login", json!({"username": "loud", "password": PASSWORD}))
        .await
        .unwrap();

    // A small receive buffer, so that what the path holds is known: the server's send buffer
    // (at most the system's ceiling), this one, and a frame or two inside the server.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(16 * 1024).unwrap();
    let rcvbuf = sock.recv_buffer_size().unwrap() as usize;
    let stream = sock.connect(server.addr).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(server.url("customer"), stream)
        .await
        .unwrap();
    call(&mut ws, json!({"id": 1, "type": "hello", "protocol": 1})).await;
    let start = call(
        &mut ws,
        json!({"id": 2, "type": "customer.start", "channel": "web"}),
    )
    .await;
    let (session, token) = (
        start["session_id"].as_i64().unwrap(),
        start["token"].clone(),
    );
    accept_next_offer(&mut alice).await;
    loop {
        if next_text(&mut ws).await["event"]["kind"] == "agent_joined" {
            break;
        }
    }

    // From here the customer reads nothing. Three messages, then more typing than the path
    // holds plus a full outbox (the overflow comes within its last frames, milliseconds
    // before the reading starts again: well inside the second the server gives its close
    // frame to get out), then three more messages, which the connection never delivers.
    let say = |k: usize| json!({"session_id": session, "client_msg_id": format!("m{k}"), "body": format!("m{k}")});
    pipelined(&mut alice, "message.send", say, 3).await;
    let frame = NAME_BYTES + 100;
    let typings = (max_send_buffer() + rcvbuf + 3 * frame) / frame + OUTBOX + 2;
    let typing = |k: usize| json!({"session_id": session, "active": k.is_multiple_of(2)});
    pipelined(&mut loud, "typing", typing, typings).await;
    pipelined(&mut alice, "message.send", |k| say(k + 3), 3).await;

    // Reading again: the three messages, part of the typing, then the close frame.
    let (mut bodies, mut typed, mut last) = (Vec::new(), 0, 0);
    let close = loop {
        let m = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("no frame in time");
        match m {
            Some(Ok(Message::Text(t))) => {
                let f: Value = serde_json::from_str(t.as_str()).unwrap();
                if f["type"] == "typing" {
                    typed += 1;
                } else {
                    assert_eq!(typed, 0, "an event after typing frames: {f}");
                    bodies.push(f["event"]["message"]["body"].as_str().unwrap().to_string());
                    last = f["cursor"].as_i64().unwrap();
                }
            }
            Some(Ok(Message::Close(Some(c)))) => break (u16::from(c.code), c.reason.to_string()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("after {typed} of {typings} typing frames: {other:?}"),
        }
    };
    assert_eq!(
        close,
        (1008, TOO_SLOW.to_string()),
        "after {typed} of {typings}"
    );
    assert_eq!(bodies, ["m0", "m1", "m2"]);
    assert!(
        0 < typed && typed < typings,
        "{typed} of {typings} typing frames"
    );

    // Resuming with the last cursor processed brings the rest, in order, and nothing twice.
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    c.call("customer.resume", json!({"token": token, "cursor": last}))
        .await
        .unwrap();
    // A send of its own comes after the replay (its ack stands for its event: no copy here).
    let probe = json!({"session_id": session, "client_msg_id": "probe", "body": "probe"});
    let ack = c.call("message.send", probe).await.unwrap();
    assert!(ack["cursor"].as_i64().unwrap() > last);
    let replayed: Vec<String> = c
        .pending
        .drain(..)
        .map(|f| match f {
            ServerFrame::Event {
                event: Event::Message { message },
                ..
            } => message.body,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(replayed, ["m3", "m4", "m5"]);
    server.stop().await;
}
