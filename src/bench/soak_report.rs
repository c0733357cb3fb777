//! What a soak reports: a line per interval (the server's RSS, descriptors and threads from
//! `/proc`, the database and WAL as they are on disk, the interval's send→ack latency
//! percentiles, stalls over 100 ms and errors), and at the end the growth per hour, the bytes
//! per conversation and a census of the stored rows.

use super::process::DiskBytes;
use super::stats::{self, percentiles};
use crate::metrics::procfs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// A send→ack above this is a stall.
pub const STALL: Duration = Duration::from_millis(100);

/// Counters the workload bumps; the reporter reads (and drains the latencies) each interval.
#[derive(Debug, Default)]
pub struct Tally {
    pub agents_online: AtomicU64,
    pub started: AtomicU64,
    pub finished: AtomicU64,
    pub failed: AtomicU64,
    pub errors: AtomicU64,
    pub resumes: AtomicU64,
    pub reloads: AtomicU64,
    pub acks: AtomicU64,
    pub stalls: AtomicU64,
    /// Send→ack latencies (µs) of the current interval.
    latencies: Mutex<Vec<u64>>,
}

impl Tally {
    pub fn acked(&self, took: Duration) {
        self.acks.fetch_add(1, Ordering::Relaxed);
        if took > STALL {
            self.stalls.fetch_add(1, Ordering::Relaxed);
        }
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        if let Ok(mut l) = self.latencies.lock() {
            l.push(us);
        }
    }

    fn drain(&self) -> Vec<u64> {
        self.latencies
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

/// One interval's line.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub at: Duration,
    pub rss_kib: u64,
    pub fds: u64,
    pub threads: u64,
    pub db: u64,
    pub wal: u64,
    pub finished: u64,
    pub acks: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub stalls: u64,
    pub errors: u64,
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

fn count_dir(p: String) -> u64 {
    std::fs::read_dir(p).map_or(0, |d| d.count() as u64)
}

/// Prints a line every `every` until `stop`; returns the lines.
pub async fn report(
    pid: u32,
    db: PathBuf,
    tally: std::sync::Arc<Tally>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<Row> {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    println!(
        "{:>6} {:>8} {:>5} {:>4} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>8} {:>6} {:>6}",
        "min",
        "rss MiB",
        "fds",
        "thr",
        "db MiB",
        "wal MiB",
        "convs",
        "acks",
        "p50 ms",
        "p99 ms",
        "max ms",
        "stalls",
        "errors"
    );
    let mut tick = tokio::time::interval_at(started + every, every);
    let (mut stalls0, mut errors0, mut acks0) = (0, 0, 0);
    loop {
        let last = tokio::select! {
            _ = tick.tick() => false,
            _ = stop.changed() => true,
        };
        let mut lat = tally.drain();
        let p = percentiles(&mut lat).unwrap_or_default();
        let (stalls, errors, acks) = (
            tally.stalls.load(Ordering::Relaxed),
            tally.errors.load(Ordering::Relaxed),
            tally.acks.load(Ordering::Relaxed),
        );
        let row = Row {
            at: started.elapsed(),
            rss_kib: procfs::status_kib(pid, "VmRSS").unwrap_or(0),
            fds: count_dir(format!("/proc/{pid}/fd")),
            threads: count_dir(format!("/proc/{pid}/task")),
            db: file_len(&db),
            wal: file_len(&wal),
            finished: tally.finished.load(Ordering::Relaxed),
            acks: acks - acks0,
            p50_us: p.p50,
            p99_us: p.p99,
            max_us: p.max,
            stalls: stalls - stalls0,
            errors: errors - errors0,
        };
        (stalls0, errors0, acks0) = (stalls, errors, acks);
        let mib = |b: u64| b as f64 / 1_048_576.0;
        println!(
            "{:>6.1} {:>8.1} {:>5} {:>4} {:>9.1} {:>8.1} {:>7} {:>7} {:>8} {:>8} {:>8} {:>6} {:>6}",
            row.at.as_secs_f64() / 60.0,
            row.rss_kib as f64 / 1024.0,
            row.fds,
            row.threads,
            mib(row.db),
            mib(row.wal),
            row.finished,
            row.acks,
            stats::ms(row.p50_us),
            stats::ms(row.p99_us),
            stats::ms(row.max_us),
            row.stalls,
            row.errors
        );
        rows.push(row);
        if last {
            return rows;
        }
    }
}

/// What is stored at the end: rows per table and the bytes of event bodies.
#[derive(Debug, Clone, Default)]
pub struct Census {
    pub sessions: i64,
    pub messages: i64,
    pub customer_messages: i64,
    pub events: i64,
    pub message_events: i64,
    pub event_body_bytes: i64,
    pub tokens: i64,
    pub customers: i64,
    /// Stored events by kind: (kind, rows, body bytes), most bytes first.
    pub kinds: Vec<(String, i64, i64)>,
    /// Bytes on disk per table and index (SQLite's `dbstat`), most first; empty if the
    /// SQLite build lacks it.
    pub tables: Vec<(String, i64)>,
}

pub fn census(db: &Path) -> anyhow::Result<Census> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let n = |sql: &str| -> anyhow::Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(Census {
        sessions: n("SELECT COUNT(*) FROM sessions")?,
        messages: n("SELECT COUNT(*) FROM messages")?,
        customer_messages: n("SELECT COUNT(*) FROM messages WHERE author_kind = 'customer'")?,
        events: n("SELECT COUNT(*) FROM events")?,
        message_events: n("SELECT COUNT(*) FROM events WHERE seq IS NOT NULL")?,
        event_body_bytes: n("SELECT COALESCE(SUM(length(body)), 0) FROM events")?,
        tokens: n("SELECT COUNT(*) FROM tokens")?,
        customers: n("SELECT COUNT(*) FROM customers")?,
        kinds: conn
            .prepare(
                // A message's events have an empty body (they refer to the message).
                "SELECT CASE WHEN body = '' THEN 'message (by reference)'
                    ELSE COALESCE(json_extract(body, '$.kind'), '?') END,
                    COUNT(*), SUM(length(body)) FROM events GROUP BY 1 ORDER BY 3 DESC, 2 DESC",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?,
        tables: conn
            .prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .unwrap_or_default(),
    })
}

/// The end of the report.
pub fn summary(rows: &[Row], t: &Tally, took: Duration, disk: DiskBytes, c: &Census) {
    let hours = took.as_secs_f64() / 3600.0;
    let finished = t.finished.load(Ordering::Relaxed);
    println!();
    println!(
        "{:.1} min: {} conversations started, {} finished (rated), {} failed; {} acks, {} errors; \
         {} resumes, {} reloads; {} stalls over {} ms",
        took.as_secs_f64() / 60.0,
        t.started.load(Ordering::Relaxed),
        finished,
        t.failed.load(Ordering::Relaxed),
        t.acks.load(Ordering::Relaxed),
        t.errors.load(Ordering::Relaxed),
        t.resumes.load(Ordering::Relaxed),
        t.reloads.load(Ordering::Relaxed),
        t.stalls.load(Ordering::Relaxed),
        STALL.as_millis()
    );
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let span = (last.at.saturating_sub(first.at)).as_secs_f64() / 3600.0;
        let per_hour = |a: u64, b: u64| {
            if span > 0.0 {
                (b as f64 - a as f64) / span
            } else {
                0.0
            }
        };
        println!(
            "growth per hour (first to last line): RSS {:+.1} MiB, descriptors {:+.0}, threads \
             {:+.0}, database+WAL {:+.1} MiB",
            per_hour(first.rss_kib, last.rss_kib) / 1024.0,
            per_hour(first.fds, last.fds),
            per_hour(first.threads, last.threads),
            per_hour(first.db + first.wal, last.db + last.wal) / 1_048_576.0
        );
        let worst = rows.iter().map(|r| r.max_us).max().unwrap_or(0);
        println!("worst send→ack of any interval: {} ms", stats::ms(worst));
    }
    println!(
        "at rest (WAL checkpointed): {} bytes = {:.0} bytes per finished conversation \
         ({:.1} MiB/h at this rate)",
        disk.checkpointed,
        disk.checkpointed as f64 / finished.max(1) as f64,
        disk.checkpointed as f64 / 1_048_576.0 / hours.max(1e-9)
    );
    println!(
        "stored: {} sessions, {} messages ({} from customers), {} events ({} by reference to a \
         message; {:.0} body bytes per event), {} tokens, {} customers",
        c.sessions,
        c.messages,
        c.customer_messages,
        c.events,
        c.message_events,
        c.event_body_bytes as f64 / c.events.max(1) as f64,
        c.tokens,
        c.customers
    );
    let per = |n: i64| n as f64 / c.sessions.max(1) as f64;
    println!("per conversation: {:.1} events stored", per(c.events));
    for (kind, rows, bytes) in &c.kinds {
        println!(
            "  {kind:<24} {:>6.1} events, {:>7.0} body bytes",
            per(*rows),
            per(*bytes)
        );
    }
    if !c.tables.is_empty() {
        println!("on disk per conversation, by table and index:");
        for (name, bytes) in &c.tables {
            println!("  {name:<24} {:>7.0} bytes", per(*bytes));
        }
    }
}
