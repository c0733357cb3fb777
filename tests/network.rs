//! The network layer against a real server: latency without Nagle, the timeouts that free
//! sockets nobody uses, the connection caps, shutdown, close codes for broken frames, and the
//! `Origin` check.

mod common;
mod wire;
use common::*;
use futures_util::{SinkExt, StreamExt};
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use wire::*;

/// Short deadlines so the suite stays fast; per-address caps apply to loopback too.
fn quick() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.limits.header_timeout_secs = 1;
    c.limits.hello_timeout_secs = 1;
    c.limits.auth_timeout_secs = 2;
    c.limits.ping_interval_secs = 1;
    c.limits.idle_timeout_secs = 2;
    c.limits.per_address_exempt = vec![];
    c
}

#[tokio::test]
async fn an_event_and_its_reply_come_back_within_milliseconds() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (_cust, session, _) = server.customer("c", None).await;
    accept_next_offer(&mut alice).await;
    // A tag change sends the agent the session event and then the reply. They leave in one
    // write today (frames queued together are written together), so Nagle would not delay
    // this even without TCP_NODELAY: this test guards the round trip a client sees, and
    // `listen::tests` checks that accepted sockets get TCP_NODELAY.
    let mut rtts = Vec::new();
    for k in 0..30 {
        let tag = format!("t{k}");
        let t = Instant::now();
        alice
            .call(
                "session.tag",
                json!({"session_id": session, "add": [tag], "remove": [format!("t{}", k.max(1) - 1)]}),
            )
            .await
            .unwrap();
        rtts.push(t.elapsed());
    }
    rtts.sort();
    let median = rtts[rtts.len() / 2];
    assert!(
        median < Duration::from_millis(20),
        "median round trip {median:?}: {rtts:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_request_that_never_finishes_its_headers_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), quick()).await;
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"GET /ws/agent HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    // The server closes it (its error response, if any, is what we read before the end).
    tokio::time::timeout(WAIT, s.read_to_end(&mut buf))
        .await
        .expect("the half-sent request is still open")
        .ok();
    // A socket that sends nothing at all goes the same way.
    let mut silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tokio::time::timeout(WAIT, silent.read_to_end(&mut buf))
        .await
        .expect("the silent socket is still open")
        .ok();
    server.stop().await;
}

#[tokio::test]
async fn a_websocket_must_say_hello_and_authenticate_in_time() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = quick();
    // Nothing reads these sockets until the end: no pongs, so keep the idle rule out of it.
    config.limits.ping_interval_secs = 30;
    config.limits.idle_timeout_secs = 60;
    let server = TestServer::start(dir.path(), config).await;
    let mut mute = ws(&server.url("agent")).await;
    let mut lurker = ws(&server.url("agent")).await;
    send_hello(&mut lurker).await;
    let mut browser = ws(&server.url("customer")).await;
    send_hello(&mut browser).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, _, _) = server.customer("c", None).await;

    let (code, reason) = close_frame(&mut mute, WAIT).await;
    assert_eq!((code, reason.as_str()), (4408, "no hello within 1 s"));
    let (code, reason) = close_frame(&mut lurker, WAIT).await;
    assert_eq!((code, reason.as_str()), (4408, "not logged in within 2 s"));
    let (code, reason) = close_frame(&mut browser, WAIT).await;
    assert_eq!(
        (code, reason.as_str()),
        (4408, "no conversation started or resumed within 2 s")
    );
    // Past the deadline, the authenticated ones carry on.
    alice.call("snapshot", json!({})).await.unwrap();
    cust.call("hello", json!({"protocol": 1})).await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn the_server_pings_and_drops_peers_that_stay_silent() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = quick();
    config.limits.hello_timeout_secs = 60;
    config.limits.auth_timeout_secs = 60;
    let server = TestServer::start(dir.path(), config).await;
    // tungstenite answers pings while we read; the raw socket answers nothing.
    let live = ws(&server.url("customer")).await;
    let mut dead = raw_ws(server.addr, "/ws/customer").await;
    let (done, mut done_rx) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        let mut pings = 0;
        let mut live = live;
        loop {
            tokio::select! {
                _ = &mut done_rx => break,
                m = live.next() => match m {
                    Some(Ok(Message::Ping(_))) => pings += 1,
                    other => panic!("the live connection got {other:?}"),
                },
            }
        }
        (live, pings)
    });
    let frames = raw_frames_until_eof(&mut dead, WAIT).await;
    assert!(
        frames.iter().any(|(op, _)| *op == 0x9),
        "pinged: {frames:?}"
    );
    let (op, payload) = frames.last().unwrap();
    assert_eq!(*op, 0x8, "ends with a close frame: {frames:?}");
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 4408);
    assert!(String::from_utf8_lossy(&payload[2..]).contains("idle timeout"));

    // The one answering pings (and sending nothing else) was opened first, so it has now
    // outlived the idle timeout too.
    done.send(()).unwrap();
    let (mut live, pings) = reader.await.unwrap();
    assert!(pings >= 1, "{pings} pings");
    send_hello(&mut live).await;
    loop {
        match live.next().await {
            Some(Ok(Message::Ping(_))) => continue,
            Some(Ok(Message::Text(t))) => break assert!(t.contains(r#""ok":true"#), "{t}"),
            other => panic!("{other:?}"),
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn connections_per_address_are_capped_with_429() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = quick();
    config.limits.max_connections_per_address = 2;
    let server = TestServer::start(dir.path(), config).await;
    let url = server.url("customer");
    let a = Client::connect(&url).await.unwrap();
    let _b = Client::connect(&url).await.unwrap();
    assert_eq!(handshake_status(&url, None).await, 429);
    a.close().await;
    // The place comes back once the server has seen the close.
    let deadline = Instant::now() + WAIT;
    loop {
        match handshake_status(&url, None).await {
            101 => break,
            429 if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
            s => panic!("status {s}"),
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn the_global_cap_keeps_room_for_agents() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = quick();
    config.limits.max_connections = 4;
    config.limits.agent_reserved_connections = 2;
    let server = TestServer::start(dir.path(), config).await;
    let _c1 = Client::connect(&server.url("customer")).await.unwrap();
    let _c2 = Client::connect(&server.url("customer")).await.unwrap();
    // A third customer would leave fewer than two places for agents.
    assert_eq!(handshake_status(&server.url("customer"), None).await, 503);
    let _a1 = server.agent("alice").await;
    // The refused handshake's place comes back once the server has seen it close.
    let deadline = Instant::now() + WAIT;
    let _a2 = loop {
        match Client::connect(&server.url("agent")).await {
            Ok(mut c) => {
                login_online(&mut c, "alice").await;
                break c;
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    // All four places taken: the next connection is closed without being served.
    let refused = tokio_tungstenite::connect_async(server.url("agent")).await;
    assert!(
        refused.is_err(),
        "a fifth connection was accepted: {refused:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_half_sent_requests() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // Default timeouts: the header timeout (10 s) must not be what ends the half request.
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut half = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let _silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut sock = ws(&server.url("customer")).await;
    send_hello(&mut sock).await;
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    c.call("customer.start", json!({"channel": "web"}))
        .await
        .unwrap();
    let t = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("server::run did not return");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // And the half request was not left open behind it.
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(2), half.read_to_end(&mut buf))
        .await
        .expect("the half-sent request is still open")
        .ok();
    let (code, reason) = close_frame(&mut sock, WAIT).await;
    assert_eq!((code, reason.as_str()), (1001, "server shutting down"));
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007_and_oversized_frames_with_1009() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut bad = ws(&server.url("customer")).await;
    let frame = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    bad.send(Message::Frame(frame)).await.unwrap();
    let (code, _) = close_frame(&mut bad, WAIT).await;
    assert_eq!(code, 1007);

    // Over 1 MiB: 1009. Sent by hand so the frame header arrives before the payload is read.
    let mut big = raw_ws(server.addr, "/ws/customer").await;
    let header = client_frame(0x1, &vec![b' '; 1024 * 1024 + 1]);
    big.write_all(&header[..14]).await.unwrap();
    let frames = raw_frames_until_eof(&mut big, WAIT).await;
    let (op, payload) = frames.last().expect("a close frame");
    assert_eq!(*op, 0x8);
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 1009);

    // The 64 KiB–1 MiB band still gets its `too_large` reply on a live connection.
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    c.send_text(format!(
        r#"{{"id":1,"type":"typing","pad":"{}"}}"#,
        "x".repeat(70_000)
    ))
    .await
    .unwrap();
    let f = c.next_frame(WAIT).await.unwrap();
    assert!(format!("{f:?}").contains("TooLarge"), "{f:?}");
    server.stop().await;
}

#[tokio::test]
async fn handshakes_from_foreign_origins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::default();
    config.channels.web.allowed_origins = vec!["https://shop.example.com".into()];
    let server = TestServer::start(dir.path(), config).await;
    for endpoint in ["agent", "customer"] {
        let url = server.url(endpoint);
        assert_eq!(
            handshake_status(&url, Some("https://evil.example")).await,
            403
        );
        assert_eq!(handshake_status(&url, Some("null")).await, 403);
        assert_eq!(handshake_status(&url, None).await, 101, "no Origin");
        assert_eq!(
            handshake_status(&url, Some("https://shop.example.com")).await,
            101
        );
        let own = format!("http://{}", server.addr);
        assert_eq!(handshake_status(&url, Some(&own)).await, 101, "own origin");
    }
    server.stop().await;
}

#[tokio::test]
async fn idle_sockets_from_one_address_do_not_lock_out_another() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut config = quick();
    config.limits.header_timeout_secs = 60;
    config.limits.max_connections = 30;
    config.limits.agent_reserved_connections = 2;
    config.limits.max_connections_per_address = 4;
    let server = TestServer::start(dir.path(), config).await;
    // 40 sockets from another loopback address that never send a byte: more than the server
    // holds in all. It keeps 4 + 16 of them (the 16 to answer 429) and closes the rest.
    let mut flood = Vec::new();
    for _ in 0..40 {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        flood.push(s.connect(server.addr).await.unwrap());
    }
    // An agent from elsewhere still gets in (with the per-address cap off, it gets 503).
    let mut alice = server.agent("alice").await;
    alice.call("snapshot", json!({})).await.unwrap();
    drop(flood);
    server.stop().await;
}
