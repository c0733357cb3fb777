//! One measured run of the chat load against one server: agents log in and accept every offer,
//! customers each start a conversation, then send on the fixed [`Schedule`] for the window while
//! reading their acks; the run ends when every message was delivered (or the drain limit
//! passed). Around the window it samples the server's CPU per thread, its peak RSS, the bytes
//! its database takes, the bench's own CPU and the load average.

use super::process::{self, DiskBytes, Kind, PASSWORD};
use super::schedule::{Schedule, latencies};
use super::stats::{Percentiles, percentiles};
use crate::client::Client;
use crate::metrics::procfs::{self, CpuDelta};
use crate::protocol::{Event, ServerFrame};
use anyhow::Context;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    pub customers: usize,
    pub agents: usize,
    /// Messages per second offered, all customers together.
    pub rate: u64,
    pub window: Duration,
    /// How long after the window to wait for the last deliveries and acks.
    pub drain_limit: Duration,
}

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub sent: u64,
    pub acked: u64,
    /// Error replies to `message.send`.
    pub errors: u64,
    pub delivered: u64,
    pub delivered_in_window: u64,
    pub window: Duration,
    /// From the end of the window to the last delivery (zero if all came in the window).
    pub drain: Duration,
    /// Customer→agent, from the scheduled send and from the actual write.
    pub to_agent_sched: Option<Percentiles>,
    pub to_agent_write: Option<Percentiles>,
    /// Send→ack round trip, from the scheduled send and from the actual write.
    pub ack_sched: Option<Percentiles>,
    pub ack_write: Option<Percentiles>,
    pub server_cpu: Option<CpuDelta>,
    pub bench_cpu_ticks: u64,
    pub peak_rss_kib: Option<u64>,
    pub disk_before: DiskBytes,
    pub disk_after: DiskBytes,
    pub loadavg: (f64, f64),
}

impl Outcome {
    /// Sustained: everything acked and delivered, and p99 customer→agent (from the schedule)
    /// under `p99_limit`.
    pub fn sustained(&self, p99_limit: Duration) -> bool {
        self.acked == self.sent
            && self.delivered == self.sent
            && self
                .to_agent_sched
                .is_some_and(|p| p.p99 < p99_limit.as_micros() as u64)
    }
}

/// A delivery as the agent saw it: latency from schedule, from write, arrival time (all µs).
type Delivery = (u64, u64, u64);

pub async fn run(kind: Kind, load: Load) -> anyhow::Result<Outcome> {
    let capacity = load.customers.div_ceil(load.agents.max(1)) as u32 + 1;
    let server = process::start(kind, load.agents, capacity).await?;
    let epoch = Instant::now();
    let delivered = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);

    let mut agents = Vec::new();
    for i in 0..load.agents {
        let mut c = Client::connect(&format!("{}/ws/agent", server.url)).await?;
        c.call(
            "login",
            json!({"username": format!("bench{i}"), "password": PASSWORD}),
        )
        .await?;
        c.call("status.set", json!({"status": "online"})).await?;
        agents.push(tokio::spawn(agent(
            c,
            epoch,
            delivered.clone(),
            stop_rx.clone(),
        )));
    }
    let mut customers = Vec::new();
    for i in 0..load.customers {
        let mut c = Client::connect(&format!("{}/ws/customer", server.url))
            .await
            .with_context(|| format!("customer {i}"))?;
        let r = c
            .call(
                "customer.start",
                json!({"channel": "web", "nickname": "bench"}),
            )
            .await?;
        let session = r["session_id"].as_i64().context("no session id")?;
        c.wait_event(Duration::from_secs(30), |e| {
            matches!(e, Event::AgentJoined { .. })
        })
        .await?;
        customers.push((c, session));
    }

    let schedule = Schedule::new(load.customers, load.rate, load.window);
    let pid = server.pid();
    let disk_before = process::disk_bytes(&server.db_path())?;
    let load_before = procfs::loadavg().unwrap_or(f64::NAN);
    let cpu_before = procfs::cpu_snapshot(pid);
    let bench_before = procfs::cpu_snapshot(std::process::id()).map_or(0, |s| s.total);
    // The window starts a moment after every sender task is spawned.
    let t0 = epoch.elapsed() + Duration::from_millis(50);
    let mut senders = Vec::new();
    for (n, (c, session)) in customers.into_iter().enumerate() {
        senders.push(tokio::spawn(customer(
            c,
            session,
            n,
            schedule,
            epoch,
            t0,
            load.window + load.drain_limit,
        )));
    }
    let mut out = Outcome {
        window: load.window,
        disk_before,
        ..Outcome::default()
    };
    let (mut ack_sched, mut ack_write) = (Vec::new(), Vec::new());
    let mut keep = Vec::new();
    for s in senders {
        let (client, r) = s.await?;
        keep.push(client);
        out.sent += r.sent;
        out.acked += r.acked;
        out.errors += r.errors;
        ack_sched.extend(r.sched);
        ack_write.extend(r.write);
    }
    // Deliveries may still be on their way after the last ack.
    let deadline = epoch + t0 + load.window + load.drain_limit;
    while delivered.load(Ordering::Relaxed) < out.acked && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    out.server_cpu = cpu_before
        .zip(procfs::cpu_snapshot(pid))
        .map(|(b, a)| b.delta(&a));
    out.bench_cpu_ticks = procfs::cpu_snapshot(std::process::id())
        .map_or(0, |s| s.total)
        .saturating_sub(bench_before);
    out.peak_rss_kib = procfs::status_kib(pid, "VmHWM");
    out.loadavg = (load_before, procfs::loadavg().unwrap_or(f64::NAN));
    let _ = stop_tx.send(true);
    let mut deliveries: Vec<Delivery> = Vec::new();
    for a in agents {
        deliveries.extend(a.await?);
    }
    drop(keep);
    out.disk_after = process::disk_bytes(&server.db_path())?;

    let window_end = (t0 + load.window).as_micros() as u64;
    out.delivered = deliveries.len() as u64;
    out.delivered_in_window = deliveries.iter().filter(|d| d.2 <= window_end).count() as u64;
    let last = deliveries.iter().map(|d| d.2).max().unwrap_or(0);
    out.drain = Duration::from_micros(last.saturating_sub(window_end));
    let (mut sched, mut write): (Vec<u64>, Vec<u64>) =
        deliveries.iter().map(|d| (d.0, d.1)).unzip();
    out.to_agent_sched = percentiles(&mut sched);
    out.to_agent_write = percentiles(&mut write);
    out.ack_sched = percentiles(&mut ack_sched);
    out.ack_write = percentiles(&mut ack_write);
    Ok(out)
}

/// Reads offers (accepting each) and messages until told to stop.
async fn agent(
    mut c: Client,
    epoch: Instant,
    delivered: Arc<AtomicU64>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<Delivery> {
    let mut mine = Vec::new();
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
                if let Some((due, written)) = parse_body(&message.body) {
                    let (from_sched, from_write) = latencies(due, written, now);
                    mine.push((from_sched, from_write, now));
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }
    mine
}

/// A bench message body: `s=<due µs> w=<written µs>`.
fn parse_body(body: &str) -> Option<(u64, u64)> {
    let (s, w) = body.strip_prefix("s=")?.split_once(" w=")?;
    Some((s.parse().ok()?, w.parse().ok()?))
}

#[derive(Default)]
struct Sent {
    sent: u64,
    acked: u64,
    errors: u64,
    sched: Vec<u64>,
    write: Vec<u64>,
}

/// Sends customer `n`'s messages on schedule and reads the acks as they come. A message that
/// falls due while the task is behind is sent at once, stamped with when it was due.
async fn customer(
    mut client: Client,
    session: i64,
    n: usize,
    schedule: Schedule,
    epoch: Instant,
    t0: Duration,
    give_up: Duration,
) -> (Client, Sent) {
    let mut out = Sent::default();
    // Request id → (due, written), until its ack arrives.
    let mut in_flight: HashMap<u64, (u64, u64)> = HashMap::new();
    let end = epoch + t0 + give_up;
    let mut k = 0;
    while k < schedule.per_customer || !in_flight.is_empty() {
        let due = t0 + schedule.due(n, k);
        tokio::select! {
            _ = tokio::time::sleep_until(epoch + due), if k < schedule.per_customer => {
                let due = due.as_micros() as u64;
                let written = epoch.elapsed().as_micros() as u64;
                let fields = json!({
                    "session_id": session,
                    "client_msg_id": format!("m{k}"),
                    "body": format!("s={due} w={written}"),
                });
                match client.send("message.send", fields).await {
                    Ok(id) => in_flight.insert(id, (due, written)),
                    Err(_) => break,
                };
                out.sent += 1;
                k += 1;
            }
            f = client.next_frame(Duration::from_secs(3600)) => match f {
                Ok(ServerFrame::Reply { id, ok, .. }) => {
                    let Some((due, written)) = id.as_u64().and_then(|id| in_flight.remove(&id)) else {
                        continue;
                    };
                    if ok {
                        let (s, w) = latencies(due, written, epoch.elapsed().as_micros() as u64);
                        out.sched.push(s);
                        out.write.push(w);
                        out.acked += 1;
                    } else {
                        out.errors += 1;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            },
            _ = tokio::time::sleep_until(end) => break,
        }
    }
    (client, out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bodies_carry_both_times() {
        assert_eq!(super::parse_body("s=10 w=12"), Some((10, 12)));
        assert_eq!(super::parse_body("hello"), None);
    }
}
