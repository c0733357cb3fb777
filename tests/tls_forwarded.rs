//! `X-Forwarded-For` behind a reverse proxy (`[tls] trusted_proxies`): from a trusted peer the
//! right-most untrusted address in it is the connection's address — what the per-address
//! limits count (seen here through `[quotas] open_per_address = 1`); from any other peer the
//! header is ignored and the TCP peer is counted.

mod common;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::protocol::ErrorCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn config(trusted: &[&str]) -> ServerConfig {
    let mut c = ServerConfig::default();
    c.tls.trusted_proxies = trusted.iter().map(|s| s.to_string()).collect();
    c.quotas.open_per_address = 1;
    c
}

/// A customer connecting with this `X-Forwarded-For`; whether starting a conversation worked.
async fn start_as(server: &TestServer, xff: &str) -> (Client, Result<(), ErrorCode>) {
    let mut req = server.url("customer").into_client_request().unwrap();
    req.headers_mut()
        .insert("x-forwarded-for", xff.parse().unwrap());
    let (mut c, _) = Client::connect_hello_with(req, None).await.unwrap();
    let r = c
        .call("customer.start", json!({"channel": "web", "nickname": "c"}))
        .await;
    let r = match r {
        Ok(_) => Ok(()),
        Err(e) => Err(api_code(Err(e))),
    };
    (c, r)
}

#[tokio::test]
async fn a_trusted_proxy_says_who_the_client_is() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path(), config(&["127.0.0.0/8", "10.0.0.0/8"])).await;
    // The client wrote the left-most entry itself; 10.1.1.1 is another trusted proxy.
    let (_a, r) = start_as(&server, "192.0.2.66, 198.51.100.7, 10.1.1.1").await;
    assert_eq!(r, Ok(()));
    // Another client behind the same proxy has a place of its own.
    let (_b, r) = start_as(&server, "198.51.100.8").await;
    assert_eq!(r, Ok(()), "a different client address");
    // The first client again (whatever it claims on the left) is over its one conversation.
    let (_c, r) = start_as(&server, "203.0.113.1, 198.51.100.7").await;
    assert_eq!(r, Err(ErrorCode::RateLimited), "the same client address");
    server.stop().await;
}

#[tokio::test]
async fn an_untrusted_peer_cannot_choose_its_address() {
    let data = tempfile::tempdir().unwrap();
    // Loopback, where the test connects from, is not a trusted proxy.
    let server = TestServer::start(data.path(), config(&["10.0.0.0/8"])).await;
    let (_a, r) = start_as(&server, "198.51.100.7").await;
    assert_eq!(r, Ok(()));
    let (_b, r) = start_as(&server, "198.51.100.8").await;
    assert_eq!(
        r,
        Err(ErrorCode::RateLimited),
        "both are 127.0.0.1, whatever the header says"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_bad_trusted_proxies_entry_stops_the_start() {
    let data = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let e = kefu::server::run(
        listener,
        config(&["10.0.0.0/40"]),
        data.path().to_path_buf(),
        std::future::pending(),
    )
    .await
    .expect_err("refused")
    .to_string();
    assert!(e.contains("10.0.0.0/40"), "{e}");
}
