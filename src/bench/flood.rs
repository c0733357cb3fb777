//! `kefu bench --idle` and `--logins`: memory under many idle connections, and under a
//! password-guessing flood.

use super::process::{self, Kind};
use crate::client::Client;
use anyhow::Context;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `[login]` without throttling: no per-address limit, no back-off, no lock.
pub const NO_THROTTLE: &str =
    "[login]\nfailures_per_address_per_minute = 0\nfree_failures = 4000000000\nlock_after = 0\n";

/// Opens `n` customer connections that say hello and start a conversation, then idle.
pub async fn idle(n: usize) -> anyhow::Result<()> {
    let server = process::start(Kind::Kefu, 1, 5).await?;
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
pub async fn logins(n: usize) -> anyhow::Result<()> {
    const CONNS: usize = 64;
    // The throttle would refuse nearly all of them before hashing: lifted, so every one is
    // checked (this measures the hashing pool's memory; `--login-flood` measures the throttle).
    let server = Arc::new(process::start_with(Kind::Kefu, 1, 5, NO_THROTTLE).await?);
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
