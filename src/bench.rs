//! `kefu bench`: a load generator against a real `kefu serve` process it starts on a temporary
//! data dir. Customers send at a fixed total rate and read their acks as they come; agents
//! accept every offer and read every message; it reports throughput, the send→ack round trip
//! a customer sees, customer→agent latency (percentiles of both) and the server's RSS.

use crate::admin::{self, NewAgent};
use crate::client::Client;
use crate::model::Role;
use crate::protocol::{Event, ServerFrame};
use anyhow::Context;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Customer connections, each with one conversation.
    #[arg(long, default_value_t = 200)]
    pub customers: usize,
    /// Agent connections; capacity is set so that all conversations fit.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// Customer messages per second, all customers together.
    #[arg(long, default_value_t = 2000)]
    pub rate: u64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Instead of the chat load: open this many idle customer connections and report RSS.
    #[arg(long)]
    pub idle: Option<usize>,
    /// Instead of the server: measure the console's frames, keystrokes and KB search.
    #[arg(long)]
    pub console: bool,
    /// Instead of the chat load: this many wrong-password logins from 64 connections, and the
    /// server's RSS before, at its peak, after, and after 5 s idle.
    #[arg(long)]
    pub logins: Option<usize>,
}

/// The server process under test.
struct Server {
    child: std::process::Child,
    url: String,
    _dir: tempdir::TempDir,
}

mod tempdir {
    /// A directory removed on drop (no extra crate for one bench).
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> std::io::Result<TempDir> {
            let p = std::env::temp_dir().join(format!("kefu-bench-{}", std::process::id()));
            std::fs::create_dir_all(&p)?;
            Ok(TempDir(p))
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Server {
    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PASSWORD: &str = "bench-password-1!";

async fn start_server(agents: usize, capacity: u32) -> anyhow::Result<Server> {
    let dir = tempdir::TempDir::new()?;
    let config_path = dir.0.join("bench.toml");
    std::fs::write(
        &config_path,
        format!(
            "[limits]\nrate_per_sec = 1000000.0\nrate_burst = 1000000.0\n\
             # `--idle` connections say hello and then wait, and read nothing.\n\
             auth_timeout_secs = 3600\nidle_timeout_secs = 3600\n\
             [routing]\ndefault_max_sessions = {capacity}\n\
             [quotas]\nopen_per_address = 0\nnew_per_address_per_minute = 0\ncustomer_bytes_per_minute = 0\n"
        ),
    )?;
    {
        let config = crate::config::ServerConfig::load(&config_path)?;
        let mut store = crate::server::open_store(&dir.0, &config)?;
        for i in 0..agents {
            let new = NewAgent {
                username: format!("bench{i}"),
                display_name: format!("Bench {i}"),
                employee_no: None,
                contact: None,
                role: Role::Agent,
                groups: vec!["general".into()],
                max_sessions: None,
            };
            admin::add_agent_with_password(&mut store, new, PASSWORD, false)?;
        }
    }
    // A free port: bind, read, release (the server binds it right after).
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let exe = std::env::current_exe()?;
    let child = std::process::Command::new(exe)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&dir.0)
        .arg("--config")
        .arg(&config_path)
        .env("RUST_LOG", "warn")
        .spawn()
        .context("starting kefu serve")?;
    let url = format!("ws://127.0.0.1:{port}");
    let server = Server {
        child,
        url,
        _dir: dir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server did not start listening")
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.console {
        return crate::console::bench::run();
    }
    if let Some(n) = args.idle {
        return idle(n).await;
    }
    if let Some(n) = args.logins {
        return logins(n).await;
    }
    let capacity = args.customers.div_ceil(args.agents.max(1)) as u32 + 1;
    let server = start_server(args.agents, capacity).await?;
    let epoch = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let delivered = Arc::new(AtomicU64::new(0));

    let mut agent_tasks = Vec::new();
    for i in 0..args.agents {
        let mut c = Client::connect(&format!("{}/ws/agent", server.url)).await?;
        c.call(
            "login",
            json!({"username": format!("bench{i}"), "password": PASSWORD}),
        )
        .await?;
        c.call("status.set", json!({"status": "online"})).await?;
        let (latencies, delivered) = (latencies.clone(), delivered.clone());
        agent_tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let frame = match c.next_frame(Duration::from_secs(5)).await {
                    Ok(f) => f,
                    Err(_) => break,
                };
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
                        if let Some(sent) = message
                            .body
                            .strip_prefix("t=")
                            .and_then(|t| t.parse::<u64>().ok())
                        {
                            mine.push(epoch.elapsed().as_micros() as u64 - sent);
                            delivered.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    _ => {}
                }
            }
            latencies.lock().await.extend(mine);
        }));
    }

    let mut customers = Vec::new();
    for _ in 0..args.customers {
        let mut c = Client::connect(&format!("{}/ws/customer", server.url)).await?;
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
    println!(
        "setup: {} customers assigned to {} agents (capacity {capacity}); sending {} msg/s for {} s",
        args.customers, args.agents, args.rate, args.duration
    );

    let per_customer = args.rate as f64 / args.customers.max(1) as f64;
    let interval = Duration::from_secs_f64(1.0 / per_customer.max(0.001));
    let total_per_customer = (per_customer * args.duration as f64).round() as u64;
    let acked = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut senders = Vec::new();
    for (n, (mut c, session)) in customers.into_iter().enumerate() {
        let acked = acked.clone();
        senders.push(tokio::spawn(async move {
            // Spread the customers over the first interval so sends do not come in lockstep.
            let offset = interval.mul_f64(n as f64 / args.customers as f64);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            // Send time by request id, until its ack arrives: the round trip a client sees.
            let mut in_flight = std::collections::HashMap::new();
            let mut rtts = Vec::new();
            let mut k = 0;
            while k < total_per_customer || !in_flight.is_empty() {
                tokio::select! {
                    _ = tick.tick(), if k < total_per_customer => {
                        let body = format!("t={}", epoch.elapsed().as_micros());
                        let t = Instant::now();
                        let fields = json!({"session_id": session, "client_msg_id": format!("m{k}"), "body": body});
                        match c.send("message.send", fields).await {
                            Ok(id) => in_flight.insert(id, t),
                            Err(_) => break,
                        };
                        k += 1;
                    }
                    // Acks are read as soon as they arrive, without holding back the pace.
                    f = c.next_frame(Duration::from_secs(10)) => match f {
                        Ok(ServerFrame::Reply { id, ok: true, .. }) => {
                            if let Some(t) = id.as_u64().and_then(|id| in_flight.remove(&id)) {
                                rtts.push(t.elapsed().as_micros() as u64);
                                acked.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    },
                }
            }
            (c, rtts)
        }));
    }
    let mut keep = Vec::new();
    let mut rtts = Vec::new();
    for s in senders {
        let (c, mine) = s.await?;
        keep.push(c);
        rtts.extend(mine);
    }
    let elapsed = started.elapsed();
    for t in agent_tasks {
        let _ = t.await;
    }
    let mut lat = latencies.lock().await.clone();
    let sent = total_per_customer * args.customers as u64;
    let got = delivered.load(Ordering::Relaxed);
    println!(
        "sent {sent} customer messages, {} acked, {got} delivered to agents",
        acked.load(Ordering::Relaxed)
    );
    println!(
        "throughput: {:.0} msg/s delivered over {:.1} s of sending",
        got as f64 / elapsed.as_secs_f64().max(args.duration as f64),
        elapsed.as_secs_f64()
    );
    println!("send→ack round trip ms:     {}", percentiles(&mut rtts));
    println!("customer→agent latency ms:  {}", percentiles(&mut lat));
    if let Some(rss) = server.rss_kib() {
        println!("server RSS: {:.1} MiB", rss as f64 / 1024.0);
    }
    drop(keep);
    Ok(())
}

/// "p50 … p90 … p99 … max …" in milliseconds, from microseconds.
fn percentiles(us: &mut [u64]) -> String {
    if us.is_empty() {
        return "no samples".into();
    }
    us.sort_unstable();
    let at = |p: f64| us[((us.len() as f64 * p) as usize).min(us.len() - 1)] as f64 / 1000.0;
    format!(
        "p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}  ({} samples)",
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0),
        us.len()
    )
}

/// Opens `n` customer connections that say hello and start a conversation, then idle.
async fn idle(n: usize) -> anyhow::Result<()> {
    let server = start_server(1, 5).await?;
    let before = server.rss_kib().unwrap_or(0);
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        let c = Client::connect(&format!("{}/ws/customer", server.url))
            .await
            .with_context(|| format!("connection {i} (raise `ulimit -n` for large counts)"))?;
        conns.push(c);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib().unwrap_or(0);
    println!(
        "{n} idle customer connections: server RSS {:.1} MiB (was {:.1} MiB with none; {:.1} KiB each)",
        after as f64 / 1024.0,
        before as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / n.max(1) as f64
    );
    drop(conns);
    Ok(())
}

/// `--logins N`: a password-guessing flood. 64 connections send wrong-password logins, one at a
/// time each (as the server allows), until N passwords were checked; logins refused because
/// the hashing pool is full are retried after a short pause. Reports the rate, the refusals
/// and the server's RSS before, at its peak, right after and after 5 s idle: the pool bounds
/// argon2's memory (19 MiB per check running), so RSS must not grow with N.
async fn logins(n: usize) -> anyhow::Result<()> {
    const CONNS: usize = 64;
    let server = Arc::new(start_server(1, 5).await?);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = server.rss_kib().unwrap_or(0);
    let checked = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU64::new(before));
    let sampler = {
        let (server, peak, checked) = (server.clone(), peak.clone(), checked.clone());
        tokio::spawn(async move {
            while checked.load(Ordering::Relaxed) < n as u64 {
                peak.fetch_max(server.rss_kib().unwrap_or(0), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNS {
        let mut c = Client::connect(&format!("{}/ws/agent", server.url)).await?;
        c.timeout = Duration::from_secs(60);
        let (checked, refused) = (checked.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let wrong = json!({"username": "bench0", "password": "not-the-password-1!"});
            while checked.load(Ordering::Relaxed) < n as u64 {
                match c.call("login", wrong.clone()).await {
                    Err(crate::client::ClientError::Api(e))
                        if e.code == crate::protocol::ErrorCode::RateLimited =>
                    {
                        refused.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(crate::client::ClientError::Api(_)) => {
                        checked.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => anyhow::bail!("a wrong password was accepted"),
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(c)
        }));
    }
    let mut conns = Vec::new();
    for t in tasks {
        conns.push(t.await??);
    }
    let elapsed = started.elapsed();
    let _ = sampler.await;
    let after = server.rss_kib().unwrap_or(0);
    drop(conns);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle = server.rss_kib().unwrap_or(0);
    let mib = |k: u64| k as f64 / 1024.0;
    let done = checked.load(Ordering::Relaxed);
    println!(
        "{done} wrong-password logins checked in {:.1} s ({:.0}/s) from {CONNS} connections; \
         {} refused as busy (rate_limited) and retried",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64().max(0.001),
        refused.load(Ordering::Relaxed)
    );
    println!(
        "server RSS: {:.1} MiB before, {:.1} MiB peak, {:.1} MiB after, {:.1} MiB after 5 s idle",
        mib(before),
        mib(peak.load(Ordering::Relaxed)),
        mib(after),
        mib(idle)
    );
    Ok(())
}
