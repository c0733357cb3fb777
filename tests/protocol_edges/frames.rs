//! Frames at the connection layer (§1.4, §1.5, §1.6): the 64 KiB request limit and the 1 MiB
//! hard limit, each exactly at and one byte over, for single frames and fragmented messages;
//! binary frames; requests before `hello`.

use crate::common::*;
use crate::wire::{client_frame, raw_frames_until_eof, raw_ws};
use crate::{Wire, assert_error, assert_ok};
use kefu::config::ServerConfig;
use kefu::model::Role;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

const KIB_64: usize = 65_536;
const MIB: usize = 1_048_576;
const SEND_HELLO_FIRST: &str = "send `hello` with the protocol version first";
const BINARY: &str = "binary frames are not supported; send JSON text";
const HARD_LIMIT: &str = "frame over the hard limit of 1048576 bytes";

/// `prefix` + padding + `suffix`, exactly `total` bytes.
fn padded(prefix: &str, suffix: &str, total: usize) -> String {
    let pad = total - prefix.len() - suffix.len();
    format!("{prefix}{}{suffix}", "x".repeat(pad))
}

fn too_large(bytes: usize) -> String {
    format!("frame of {bytes} bytes exceeds the limit of {KIB_64}")
}

async fn hello(c: &mut Wire, id: i64) -> Value {
    c.call(json!({"id": id, "type": "hello", "protocol": 1}))
        .await
}

/// The close frame a raw socket got last: (code, reason).
fn last_close(frames: &[(u8, Vec<u8>)]) -> (u16, String) {
    let (op, payload) = frames.last().expect("no frames at all");
    assert_eq!(*op, 0x8, "the last frame is not a close frame: {frames:?}");
    let code = u16::from_be_bytes([payload[0], payload[1]]);
    (code, String::from_utf8_lossy(&payload[2..]).into_owned())
}

#[tokio::test]
async fn the_64_kib_request_limit_is_inclusive() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut c = Wire::open(&server.url("customer")).await;
    hello(&mut c, 1).await;
    let start = c
        .call(json!({"id": 2, "type": "customer.start", "channel": "web"}))
        .await;
    let session = assert_ok(&start)["session_id"].as_i64().unwrap();
    accept_next_offer(&mut alice).await;

    // A message.send of exactly 65,536 bytes is processed: the whole body is stored and sent.
    let prefix = format!(
        r#"{{"id":"at","type":"message.send","session_id":{session},"client_msg_id":"at","body":""#
    );
    let at = padded(&prefix, r#""}"#, KIB_64);
    c.text(at.clone()).await;
    let ack = loop {
        let f = c.next().await;
        if f["type"] == "reply" {
            break f;
        }
    };
    assert_eq!(ack["id"], "at", "{ack}");
    assert_eq!(assert_ok(&ack)["seq"], 1);
    let body = "x".repeat(KIB_64 - prefix.len() - 2);
    assert_eq!(wait_message(&mut alice, &body).await.seq, 1);

    // One byte more: `too_large`, with `id: null` (the frame was not read), nothing stored.
    let prefix = prefix.replace(r#""at""#, r#""ov""#);
    c.text(padded(&prefix, r#""}"#, KIB_64 + 1)).await;
    let reply = c.next().await;
    assert_error(&reply, Value::Null, "too_large", &too_large(KIB_64 + 1));

    // The connection is still usable, and the refused frame stored nothing.
    let next = c
        .call(
            json!({"id": 3, "type": "message.send", "session_id": session,
                     "client_msg_id": "after", "body": "still here"}),
        )
        .await;
    assert_eq!(assert_ok(&next)["seq"], 2);
    server.stop().await;
}

#[tokio::test]
async fn the_1_mib_hard_limit_is_inclusive_for_frames_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), Default::default()).await;

    // Exactly 1 MiB in one frame: over 64 KiB, so `too_large`, and the connection stays.
    let mut c = Wire::open(&server.url("customer")).await;
    c.text(" ".repeat(MIB)).await;
    assert_error(&c.next().await, Value::Null, "too_large", &too_large(MIB));
    assert_ok(&hello(&mut c, 1).await);

    // Exactly 1 MiB as a fragmented message (two halves): the same.
    let half = vec![b' '; MIB / 2];
    let first = Frame::message(half.clone(), OpCode::Data(Data::Text), false);
    let last = Frame::message(half, OpCode::Data(Data::Continue), true);
    c.raw(Message::Frame(first)).await;
    c.raw(Message::Frame(last)).await;
    assert_error(&c.next().await, Value::Null, "too_large", &too_large(MIB));
    assert_ok(&hello(&mut c, 2).await);

    // One byte over in a single frame: closed with 1009 once the header is read.
    let mut big = raw_ws(server.addr, "/ws/customer").await;
    let frame = client_frame(0x1, &vec![b' '; MIB + 1]);
    big.write_all(&frame[..14]).await.unwrap();
    let frames = raw_frames_until_eof(&mut big, WAIT).await;
    assert_eq!(last_close(&frames), (1009, HARD_LIMIT.to_string()));

    // Over 1 MiB only as a whole message (two fragments of 600,000 bytes): also 1009.
    let mut split = raw_ws(server.addr, "/ws/customer").await;
    let mut first = client_frame(0x1, &vec![b' '; 600_000]);
    first[0] = 0x01; // FIN clear: more fragments follow
    split.write_all(&first).await.unwrap();
    split
        .write_all(&client_frame(0x0, &vec![b' '; 600_000]))
        .await
        .unwrap();
    let frames = raw_frames_until_eof(&mut split, WAIT).await;
    assert_eq!(last_close(&frames), (1009, HARD_LIMIT.to_string()));
    server.stop().await;
}

#[tokio::test]
async fn binary_frames_get_invalid_with_a_null_id_and_the_connection_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut c = Wire::open(&server.url("customer")).await;
    // A binary frame holding a perfectly good request is still refused, without its id, and
    // does not count as the hello.
    c.binary(br#"{"id":9,"type":"hello","protocol":1}"#.to_vec())
        .await;
    assert_error(&c.next().await, Value::Null, "invalid", BINARY);
    let r = c
        .call(json!({"id": 1, "type": "customer.start", "channel": "web"}))
        .await;
    assert_error(&r, json!(1), "invalid", SEND_HELLO_FIRST);
    assert_ok(&hello(&mut c, 2).await);
    let start = c
        .call(json!({"id": 3, "type": "customer.start", "channel": "web"}))
        .await;
    let session = assert_ok(&start)["session_id"].as_i64().unwrap();
    // Nobody is online: the `waiting` frame (issue 8) follows the reply.
    assert_eq!(c.next().await["type"], "waiting");
    c.binary(vec![0u8, 159, 146, 150]).await;
    assert_error(&c.next().await, Value::Null, "invalid", BINARY);
    let sent = c
        .call(
            json!({"id": 4, "type": "message.send", "session_id": session,
                     "client_msg_id": "m", "body": "after binary"}),
        )
        .await;
    assert_eq!(assert_ok(&sent)["seq"], 1);
    server.stop().await;
}

#[tokio::test]
async fn binary_frames_cost_no_request_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::default();
    // One token, refilled once in 1000 s: the hello spends it.
    config.limits.rate_burst = 1.0;
    config.limits.rate_per_sec = 0.001;
    let server = TestServer::start(dir.path(), config).await;
    let mut c = Wire::open(&server.url("customer")).await;
    assert_ok(&hello(&mut c, 1).await);
    for _ in 0..3 {
        c.binary(b"{}".to_vec()).await;
        assert_error(&c.next().await, Value::Null, "invalid", BINARY);
    }
    // The bucket is empty: a text frame is limited (so the binary ones were not counted).
    let r = hello(&mut c, 2).await;
    assert_error(&r, json!(2), "rate_limited", "too many requests; slow down");
    server.stop().await;
}

#[tokio::test]
async fn requests_before_hello_are_refused_until_a_hello_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut a = Wire::open(&server.url("agent")).await;
    let login = json!({"id": "l1", "type": "login", "username": "alice", "password": PASSWORD});
    assert_error(
        &a.call(login.clone()).await,
        json!("l1"),
        "invalid",
        SEND_HELLO_FIRST,
    );
    a.text(r#"{"type":"snapshot"}"#).await;
    assert_error(&a.next().await, Value::Null, "invalid", SEND_HELLO_FIRST);

    // A version the server does not speak: refused, the connection stays, still not greeted.
    let r = a
        .call(json!({"id": 2, "type": "hello", "protocol": 2}))
        .await;
    assert_error(
        &r,
        json!(2),
        "unsupported_version",
        "this server speaks protocol 1, the client asked for 2",
    );
    let r = a.call(json!({"id": 3, "type": "snapshot"})).await;
    assert_error(&r, json!(3), "invalid", SEND_HELLO_FIRST);
    // `protocol` missing, negative or not an integer: a bad hello.
    for (id, fields) in [
        (4, json!({})),
        (5, json!({"protocol": -1})),
        (6, json!({"protocol": "1"})),
        (7, json!({"protocol": 1.5})),
    ] {
        let mut req = fields.clone();
        req["id"] = json!(id);
        req["type"] = json!("hello");
        let r = a.call(req).await;
        assert_eq!(r["error"]["code"], "invalid", "{fields}: {r}");
        let msg = r["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with("bad `hello` request"), "{fields}: {r}");
    }

    let r = hello(&mut a, 8).await;
    let greeting = assert_ok(&r).clone();
    assert_eq!(greeting["protocol"], 1);
    assert_eq!(greeting["endpoint"], "agent");
    assert_eq!(greeting["max_frame_bytes"], KIB_64);
    assert_eq!(
        greeting["server"],
        concat!("kefu ", env!("CARGO_PKG_VERSION"))
    );
    // The login sent before the hello did nothing.
    let r = a.call(json!({"id": 9, "type": "snapshot"})).await;
    assert_error(
        &r,
        json!(9),
        "unauthorized",
        "log in first (login or resume)",
    );
    assert_ok(&a.call(login).await);
    // A repeated hello is answered the same and changes nothing: still logged in.
    assert_eq!(assert_ok(&hello(&mut a, 10).await), &greeting);
    assert_ok(&a.call(json!({"id": 11, "type": "snapshot"})).await);

    // The customer endpoint: the same rule, and the refused start created nothing.
    let mut c = Wire::open(&server.url("customer")).await;
    let start = json!({"id": 1, "type": "customer.start", "channel": "web"});
    assert_error(
        &c.call(start.clone()).await,
        json!(1),
        "invalid",
        SEND_HELLO_FIRST,
    );
    let customers: i64 = open_db(dir.path())
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(customers, 0);
    assert_eq!(assert_ok(&hello(&mut c, 2).await)["endpoint"], "customer");
    assert_ok(&c.call(start).await);
    server.stop().await;
}
