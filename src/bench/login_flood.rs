//! `kefu bench --login-flood`: does a password-guessing flood starve a healthy conversation?
//! One customer writes to one agent 20 times a second; after a quiet window, connections from
//! several loopback addresses (127.0.0.2–9, so the per-address limit sees eight clients) send
//! `--flood-rate` wrong logins a second, to real and unknown usernames alike, for a window of
//! the same length. Reported: the conversation's send→delivery p50/p99 in each window, what the
//! flood's logins were answered, and the audit entries the flood wrote. Run twice: with the
//! default `[login]` (most of the flood is refused before hashing) and with the throttle lifted
//! (every attempt is hashed: the bounded hashing pool alone must protect the conversation).

use super::flood::NO_THROTTLE;
use super::process::{self, Kind, PASSWORD};
use super::stats::{Percentiles, ms, percentiles};
use crate::client::Client;
use crate::protocol::{ErrorCode, Event, PROTOCOL_VERSION, ServerFrame};
use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// Flood connections, spread over [`ADDRESSES`] source addresses.
const CONNS: usize = 64;
const ADDRESSES: usize = 8;
/// Real usernames the flood tries (agents bench1…bench16).
const REAL: usize = 16;
/// The conversation's message interval (20 a second).
const EVERY: Duration = Duration::from_millis(50);
/// Deliveries written this soon after the flood starts are left out of both windows.
const SETTLE: Duration = Duration::from_millis(500);

#[derive(Debug, Default)]
struct Answers {
    sent: AtomicU64,
    /// Checked and refused (`unauthorized`).
    checked: AtomicU64,
    /// Throttled before hashing (`rate_limited` with a retry-after): the address or the
    /// account must wait.
    throttled: AtomicU64,
    /// Refused before hashing because the same username was being checked on another
    /// connection.
    parallel: AtomicU64,
    /// The hashing pool was full (`rate_limited` without a retry-after).
    busy: AtomicU64,
    other: AtomicU64,
    /// Ticks skipped because the connection's previous login was still unanswered.
    skipped: AtomicU64,
}

struct Phase {
    label: &'static str,
    quiet: Option<Percentiles>,
    flood: Option<Percentiles>,
    answers: Answers,
    audit: Vec<(String, i64)>,
    window: Duration,
}

pub async fn run(rate: u64, window: Duration) -> anyhow::Result<()> {
    anyhow::ensure!(rate > 0, "--flood-rate must be at least 1");
    println!(
        "login flood: {rate} wrong logins/s (real and unknown usernames) from {CONNS} \
         connections on {ADDRESSES} addresses; one conversation at 20 msgs/s; {} s quiet, \
         then {} s of flood",
        window.as_secs(),
        window.as_secs()
    );
    for (label, extra) in [("default [login]", ""), ("throttle lifted", NO_THROTTLE)] {
        let p = phase(label, extra, rate, window).await?;
        print(&p);
    }
    Ok(())
}

fn print(p: &Phase) {
    let fig = |x: &Option<Percentiles>| match x {
        Some(x) => format!(
            "p50 {} ms, p99 {} ms ({} msgs)",
            ms(x.p50),
            ms(x.p99),
            x.count
        ),
        None => "no deliveries".into(),
    };
    let a = &p.answers;
    let n = |x: &AtomicU64| x.load(Ordering::Relaxed);
    println!("{}:", p.label);
    println!("  customer→agent, quiet:      {}", fig(&p.quiet));
    println!("  customer→agent, during flood: {}", fig(&p.flood));
    println!(
        "  flood: {} logins sent ({:.0}/s); {} checked and refused, {} throttled before \
         hashing (address or account waiting), {} refused as the same username was being \
         checked, {} refused as busy (hashing pool full), {} other; {} ticks skipped (reply \
         outstanding)",
        n(&a.sent),
        n(&a.sent) as f64 / p.window.as_secs_f64().max(1e-3),
        n(&a.checked),
        n(&a.throttled),
        n(&a.parallel),
        n(&a.busy),
        n(&a.other),
        n(&a.skipped)
    );
    let audit: Vec<String> = p.audit.iter().map(|(a, n)| format!("{a} {n}")).collect();
    println!("  audit entries: {}", audit.join(", "));
}

async fn phase(
    label: &'static str,
    extra: &str,
    rate: u64,
    window: Duration,
) -> anyhow::Result<Phase> {
    // bench0 serves the conversation; bench1–bench{REAL} are the flood's real usernames.
    let server = process::start_with(Kind::Kefu, REAL + 1, 5, extra).await?;
    let epoch = Instant::now();
    let mut agent = Client::connect(&format!("{}/ws/agent", server.url)).await?;
    agent
        .call("login", json!({"username": "bench0", "password": PASSWORD}))
        .await?;
    agent
        .call("status.set", json!({"status": "online"}))
        .await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let reader = tokio::spawn(read_agent(agent, epoch, stop_rx.clone()));
    let mut customer = Client::connect(&format!("{}/ws/customer", server.url)).await?;
    let r = customer
        .call(
            "customer.start",
            json!({"channel": "web", "nickname": "flood-bench"}),
        )
        .await?;
    let session = r["session_id"].as_i64().context("no session id")?;
    customer
        .wait_event(Duration::from_secs(30), |e| {
            matches!(e, Event::AgentJoined { .. })
        })
        .await?;

    let start = epoch.elapsed();
    let flood_at = start + window;
    let end = flood_at + window;
    let writer = tokio::spawn(write_customer(customer, session, epoch, end));
    tokio::time::sleep_until(epoch + flood_at).await;
    let answers = Arc::new(Answers::default());
    let addr: SocketAddr = server
        .url
        .trim_start_matches("ws://")
        .parse()
        .context("the server's address")?;
    let mut flooders = Vec::new();
    let interval = Duration::from_secs_f64(CONNS as f64 / rate as f64);
    for i in 0..CONNS {
        let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (i % ADDRESSES) as u8));
        flooders.push(tokio::spawn(flood(
            addr,
            source,
            i,
            interval,
            epoch + end,
            answers.clone(),
        )));
    }
    for f in flooders {
        f.await??;
    }
    writer.await??;
    // The last deliveries.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = stop_tx.send(true);
    let deliveries = reader.await?;
    let (mut quiet, mut flood): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let flood_from = (flood_at + SETTLE).as_micros() as u64;
    let flood_start = flood_at.as_micros() as u64;
    for (written, latency) in deliveries {
        if written < flood_start {
            quiet.push(latency);
        } else if written >= flood_from {
            flood.push(latency);
        }
    }
    let audit = audit_counts(&server.db_path()).unwrap_or_default();
    let answers = Arc::try_unwrap(answers).unwrap_or_default();
    Ok(Phase {
        label,
        quiet: percentiles(&mut quiet),
        flood: percentiles(&mut flood),
        answers,
        audit,
        window,
    })
}

/// Entries of each `login.*` action in the audit log.
fn audit_counts(db: &std::path::Path) -> anyhow::Result<Vec<(String, i64)>> {
    let conn = rusqlite::Connection::open(db)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mut stmt = conn.prepare(
        "SELECT action, COUNT(*) FROM audit_log WHERE action LIKE 'login.%' \
         GROUP BY action ORDER BY action",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The agent's side: accepts offers, and for each message (body `w=<µs written>`) records
/// (written, send→delivery µs).
async fn read_agent(
    mut c: Client,
    epoch: Instant,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => break,
            f = c.next_frame(Duration::from_secs(3600)) => match f {
                Ok(f) => f,
                Err(_) => break,
            },
        };
        let now = epoch.elapsed().as_micros() as u64;
        match frame {
            ServerFrame::Event {
                event: Event::Offer { session, .. },
                ..
            } => {
                let _ = c
                    .send("session.accept", json!({"session_id": session.id}))
                    .await;
            }
            ServerFrame::Event {
                event: Event::Message { message },
                ..
            } => {
                if let Some(w) = message
                    .body
                    .strip_prefix("w=")
                    .and_then(|w| w.parse::<u64>().ok())
                {
                    out.push((w, now.saturating_sub(w)));
                }
            }
            _ => {}
        }
    }
    out
}

/// The customer's side: a message every [`EVERY`] until `end`, reading the acks.
async fn write_customer(
    mut c: Client,
    session: i64,
    epoch: Instant,
    end: Duration,
) -> anyhow::Result<()> {
    let mut tick = tokio::time::interval(EVERY);
    let mut k = 0u64;
    while epoch.elapsed() < end {
        tokio::select! {
            _ = tick.tick() => {
                let w = epoch.elapsed().as_micros() as u64;
                c.send("message.send", json!({
                    "session_id": session,
                    "client_msg_id": format!("m{k}"),
                    "body": format!("w={w}"),
                }))
                .await?;
                k += 1;
            }
            f = c.next_frame(Duration::from_secs(3600)) => { f?; }
        }
    }
    Ok(())
}

/// One flood connection from `source`: a wrong login every `interval` (skipped while the
/// previous one is unanswered: the server checks one login per connection at a time), to
/// a real username or an unknown one in turn, until `until`.
async fn flood(
    server: SocketAddr,
    source: IpAddr,
    n: usize,
    interval: Duration,
    until: Instant,
    answers: Arc<Answers>,
) -> anyhow::Result<()> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket
        .bind(SocketAddr::new(source, 0))
        .with_context(|| format!("binding {source} (loopback addresses beyond 127.0.0.1)"))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{server}/ws/agent");
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream).await?;
    let hello = json!({"type": "hello", "id": 0, "protocol": PROTOCOL_VERSION});
    ws.send(Message::Text(hello.to_string().into())).await?;
    let mut tick = tokio::time::interval(interval);
    // Stagger the connections' ticks over one interval.
    tokio::time::sleep(interval.mul_f64(n as f64 / CONNS as f64)).await;
    let mut waiting = false;
    let mut k = n as u64 * 1_000_000;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(until) => break,
            _ = tick.tick() => {
                if waiting {
                    answers.skipped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                // Half real usernames, half unknown ones.
                let username = if k.is_multiple_of(2) {
                    format!("bench{}", 1 + (k / 2) % REAL as u64)
                } else {
                    format!("ghost{}", (k / 2) % 997)
                };
                let login = json!({
                    "type": "login",
                    "id": k,
                    "username": username,
                    "password": format!("wrong-password-{k}"),
                });
                ws.send(Message::Text(login.to_string().into())).await?;
                answers.sent.fetch_add(1, Ordering::Relaxed);
                waiting = true;
                k += 1;
            }
            msg = ws.next() => {
                let Some(msg) = msg else { break };
                let Message::Text(text) = msg? else { continue };
                let Ok(ServerFrame::Reply { id, ok, error, .. }) =
                    serde_json::from_str::<ServerFrame>(&text)
                else {
                    continue;
                };
                if id == json!(0) {
                    continue;
                }
                waiting = false;
                let counter = match (ok, error) {
                    (false, Some(e)) if e.code == ErrorCode::Unauthorized => &answers.checked,
                    (false, Some(e)) if e.code == ErrorCode::RateLimited => {
                        if e.message.contains("already being checked") {
                            &answers.parallel
                        } else if e.retry_after_secs.is_some() {
                            &answers.throttled
                        } else {
                            &answers.busy
                        }
                    }
                    _ => &answers.other,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    Ok(())
}
