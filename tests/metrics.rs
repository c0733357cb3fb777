//! `GET /metrics` on a real server: the counters move by exactly what a scripted conversation
//! did (a login with a wrong then the right password, a message, one invalid request), the
//! frames counted are the frames the clients read, the gauges follow the hub, the exposition
//! passes a strict parser, and the endpoint is served only to allowed, unproxied addresses.

mod common;
mod metrics_support;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, ServerFrame};
use metrics_support::{Exposition, http_get, parse};
use serde_json::json;

async fn scrape(server: &TestServer) -> Exposition {
    let r = http_get(server.addr, "/metrics", &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    parse(&r.body)
}

/// Scrapes until `ok` holds (gauges the hub publishes once a second), or panics after WAIT.
async fn scrape_until(
    server: &TestServer,
    what: &str,
    ok: impl Fn(&Exposition) -> bool,
) -> Exposition {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let e = scrape(server).await;
        if ok(&e) {
            return e;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waiting for {what}; last scrape: {:#?}",
            e.families
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Every frame the client receives up to the reply to request `id`, that reply included
/// (and the frames already waiting in `pending`).
async fn frames_until_reply(c: &mut Client, id: u64) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    loop {
        let f = c.next_frame(WAIT).await.unwrap();
        let last = matches!(&f, ServerFrame::Reply { id: rid, .. } if *rid == json!(id));
        frames.push(f);
        if last {
            return frames;
        }
    }
}

/// Sends `hello` (answered by the connection itself, behind whatever was queued before it)
/// and returns every frame up to its reply.
async fn frames_until_synced(c: &mut Client) -> Vec<ServerFrame> {
    let id = c.send("hello", json!({"protocol": 1})).await.unwrap();
    frames_until_reply(c, id).await
}

fn errors(e: &Exposition, code: ErrorCode) -> f64 {
    e.get("kefu_error_replies_total", &[("code", &wire(code))])
}

const CODES: [ErrorCode; 10] = [
    ErrorCode::Unauthorized,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::Conflict,
    ErrorCode::Invalid,
    ErrorCode::RateLimited,
    ErrorCode::TooLarge,
    ErrorCode::UnsupportedVersion,
    ErrorCode::Unavailable,
    ErrorCode::Internal,
];

#[tokio::test]
async fn counters_move_by_exactly_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), config_with_groups(&["general"])).await;
    let before = scrape(&server).await;
    assert_eq!(
        before.get("kefu_build_info", &[("version", env!("CARGO_PKG_VERSION"))]),
        1.0
    );
    for code in CODES {
        assert_eq!(errors(&before, code), 0.0, "{code:?} before anything");
    }

    // A customer starts a conversation; nobody is online, so it waits in the queue.
    let (mut cust, session, _) = server.customer("小明", None).await;
    let queued = scrape_until(&server, "one queued session", |e| {
        e.get("kefu_sessions", &[("state", "queued")]) == 1.0
    })
    .await;
    assert_eq!(
        queued.get("kefu_queue_length", &[("group", "general")]),
        1.0
    );
    assert_eq!(
        queued.get("kefu_connections", &[("endpoint", "customer")]),
        1.0
    );
    assert_eq!(
        queued.get("kefu_connections", &[("endpoint", "agent")]),
        0.0
    );

    // The agent logs in with a wrong password, then the right one, and takes the chat.
    let mut alice = Client::connect(&server.url("agent")).await.unwrap();
    let wrong = alice
        .call("login", json!({"username": "alice", "password": "not-it"}))
        .await;
    assert_eq!(api_code(wrong), ErrorCode::Unauthorized);
    login_online(&mut alice, "alice").await;
    assert_eq!(accept_next_offer(&mut alice).await, session);
    // One invalid request.
    let bad = cust.call("no.such.request", json!({})).await;
    assert_eq!(api_code(bad), ErrorCode::Invalid);

    // Quiet now: count the frames of one message from here.
    frames_until_synced(&mut cust).await;
    frames_until_synced(&mut alice).await;
    let quiet = scrape(&server).await;
    let id = cust
        .send(
            "message.send",
            json!({"session_id": session, "client_msg_id": "m1", "body": "我的订单还没到"}),
        )
        .await
        .unwrap();
    // Up to the ack; the agent's copy was queued before it, so it comes before the agent's
    // `hello` reply.
    let mut received = frames_until_reply(&mut cust, id).await;
    received.extend(frames_until_synced(&mut cust).await);
    // The message's intent is recognised off the hub and reaches the agent (a
    // `message_intent` frame and the session with its intent) when it is ready, which under
    // load can be after one sync: read until it came, so every frame sent is read.
    let mut agent_frames = frames_until_synced(&mut alice).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !agent_frames
        .iter()
        .any(|f| matches!(f, ServerFrame::MessageIntent { .. }))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no intent for the message: {agent_frames:?}"
        );
        agent_frames.extend(frames_until_synced(&mut alice).await);
    }
    assert!(
        agent_frames.iter().any(|f| matches!(f, ServerFrame::Event { event: kefu::protocol::Event::Message { message }, .. } if message.body == "我的订单还没到")),
        "{agent_frames:?}"
    );
    received.extend(agent_frames);
    let received = received.len();
    let after = scrape(&server).await;

    let delta =
        |name: &str, labels: &[(&str, &str)]| after.get(name, labels) - before.get(name, labels);
    assert_eq!(
        delta("kefu_login_attempts_total", &[("method", "password")]),
        2.0
    );
    assert_eq!(
        delta("kefu_login_failures_total", &[("method", "password")]),
        1.0
    );
    assert_eq!(
        delta("kefu_login_attempts_total", &[("method", "token")]),
        0.0
    );
    for code in CODES {
        let expected = match code {
            ErrorCode::Unauthorized | ErrorCode::Invalid => 1.0,
            _ => 0.0,
        };
        assert_eq!(
            errors(&after, code) - errors(&before, code),
            expected,
            "{code:?}"
        );
    }
    // What the counter says is on disk, is.
    let db = open_db(&server.dir);
    for author in ["customer", "agent", "bot", "system"] {
        let rows: i64 = db
            .query_row(
                "SELECT count(*) FROM messages WHERE author_kind = ?1",
                [author],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            delta("kefu_messages_stored_total", &[("author", author)]),
            rows as f64,
            "{author}"
        );
    }
    assert_eq!(
        delta("kefu_messages_stored_total", &[("author", "customer")]),
        1.0
    );
    let sent = after.get("kefu_frames_sent_total", &[]) - quiet.get("kefu_frames_sent_total", &[]);
    assert_eq!(
        sent,
        (received) as f64,
        "frames sent = frames the clients read"
    );
    assert!(
        received >= 3,
        "an ack, the agent's event and two hello replies at least"
    );

    // Commits: one duration per batch, at least one job each.
    let batches = after.get("kefu_commit_batch_jobs_count", &[]);
    assert!(batches > before.get("kefu_commit_batch_jobs_count", &[]));
    assert_eq!(
        after.get("kefu_commit_duration_seconds_count", &[]),
        batches
    );
    assert!(after.get("kefu_commit_batch_jobs_sum", &[]) >= batches);

    // Gauges the hub publishes, and the queues at rest.
    let settled = scrape_until(&server, "one active session, empty queues", |e| {
        e.get("kefu_sessions", &[("state", "active")]) == 1.0
            && e.get("kefu_hub_inbox_depth", &[]) == 0.0
            && e.get("kefu_committer_queue_depth", &[]) == 0.0
    })
    .await;
    assert_eq!(settled.get("kefu_sessions", &[("state", "queued")]), 0.0);
    assert_eq!(
        settled.get("kefu_queue_length", &[("group", "general")]),
        0.0
    );
    assert_eq!(
        settled.get("kefu_connections", &[("endpoint", "agent")]),
        1.0
    );

    cust.close().await;
    scrape_until(&server, "the customer's connection gone", |e| {
        e.get("kefu_connections", &[("endpoint", "customer")]) == 0.0
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn metrics_are_served_only_to_allowed_unproxied_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), ServerConfig::default()).await;
    // Loopback is allowed by default…
    assert_eq!(http_get(server.addr, "/metrics", &[]).await.status, 200);
    // …but not through a reverse proxy on the same machine.
    let proxied = http_get(server.addr, "/metrics", &["X-Forwarded-For: 203.0.113.9"]).await;
    assert_eq!(proxied.status, 403);
    assert!(proxied.body.contains("reverse proxy"), "{}", proxied.body);
    assert!(!proxied.body.contains("kefu_"), "{}", proxied.body);
    server.stop().await;

    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::default();
    config.metrics.allow = vec!["192.0.2.1".parse().unwrap()];
    let server = TestServer::start(dir.path(), config).await;
    let refused = http_get(server.addr, "/metrics", &[]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("[metrics] allow"), "{}", refused.body);
    // /healthz stays open to everyone.
    assert_eq!(http_get(server.addr, "/healthz", &[]).await.status, 200);
    server.stop().await;
}

/// The parser the tests above rely on does reject what the format forbids.
#[test]
fn the_strict_parser_refuses_broken_expositions() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\\\\\\n\"} 1\n\
                # HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n\
                h_sum 3\nh_count 2\n";
    let e = parse(good);
    assert_eq!(e.get("a_total", &[("x", "q\"\\\n")]), 1.0);
    let broken = [
        ("no TYPE", "# HELP a A.\na 1\n"),
        (
            "counter without _total",
            "# HELP a A.\n# TYPE a counter\na 1\n",
        ),
        (
            "bad escape",
            "# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n",
        ),
        ("unquoted label", "# HELP a A.\n# TYPE a gauge\na{x=1} 1\n"),
        ("bad value", "# HELP a A.\n# TYPE a gauge\na one\n"),
        ("outside its family", "# HELP a A.\n# TYPE a gauge\nb 1\n"),
        ("series twice", "# HELP a A.\n# TYPE a gauge\na 1\na 2\n"),
        (
            "not cumulative",
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        ),
        (
            "no +Inf",
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
        ),
        (
            "+Inf is not _count",
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 2\n",
        ),
        ("no final newline", "# HELP a A.\n# TYPE a gauge\na 1"),
    ];
    for (why, text) in broken {
        let refused = std::panic::catch_unwind(|| parse(text)).is_err();
        assert!(refused, "the parser took an exposition with {why}");
    }
}
