//! `kefu bench --history`: generates a history (`history_data`: 100,000 conversations and
//! about a million messages by default), builds its full-text index with the server's own
//! code, starts a real `kefu serve` on it, and measures over the WebSocket, as a supervisor,
//! the first page of full-text searches (common and rare words, Chinese and English, with
//! and without filters) and of filtered searches without text: p50 / p99 / max per class.

use super::history_data::{self, Spec};
use super::process::{PASSWORD, TempDir};
use super::stats::{self, Percentiles};
use crate::client::Client;
use crate::history::{INDEX_VERSION, text};
use crate::store::history::Indexed;
use anyhow::Context;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct HistoryBench {
    pub conversations: usize,
    /// Times each search is run.
    pub rounds: usize,
}

/// The searches: (class, label, request).
fn searches(agents: usize) -> Vec<(&'static str, &'static str, Value)> {
    // An ordinary agent (ids 2.. are agents; the data set has at least two).
    let agent = format!("agent{:03}", 42.min(agents.saturating_sub(1)).max(1));
    let mid = history_data::Spec::new(1).start + 45 * 86_400_000;
    vec![
        ("text", "退款 (common zh)", json!({"text": "退款"})),
        (
            "text",
            "快递 到哪里 (two zh words)",
            json!({"text": "快递 到哪里"}),
        ),
        ("text", "refund (common en)", json!({"text": "refund"})),
        (
            "text",
            "\"tracking number\" (phrase)",
            json!({"text": "\"tracking number\""}),
        ),
        ("text", "乌鲁木齐 (rare zh)", json!({"text": "乌鲁木齐"})),
        ("text", "拉萨 (rare zh)", json!({"text": "拉萨"})),
        ("text", "luvexal (rare en)", json!({"text": "luvexal"})),
        ("text", "不存在词 (no match)", json!({"text": "xyzzyqq"})),
        (
            "text",
            "退款 + agent",
            json!({"text": "退款", "agent": agent}),
        ),
        (
            "text",
            "refund + csat ≤ 2",
            json!({"text": "refund", "csat_max": 2}),
        ),
        (
            "text",
            "发票 + 30 days",
            json!({"text": "发票", "after": mid, "before": mid + 30 * 86_400_000i64}),
        ),
        ("filter", "agent", json!({"agent": agent})),
        ("filter", "group", json!({"group": "billing"})),
        ("filter", "tag 退款", json!({"tags": ["退款"]})),
        (
            "filter",
            "tags 退款 + vip",
            json!({"tags": ["退款", "vip"]}),
        ),
        (
            "filter",
            "30 days",
            json!({"after": mid, "before": mid + 30 * 86_400_000i64}),
        ),
        (
            "filter",
            "channel + outcome",
            json!({"channel": "api", "outcome": "unresolved"}),
        ),
        ("filter", "csat 1", json!({"csat_max": 1})),
        ("filter", "customer ext id", json!({"customer": "ext-1234"})),
        ("filter", "customer nickname", json!({"customer": "Kim 12"})),
        ("filter", "intent", json!({"intent": "warranty"})),
        (
            "filter",
            "agent + tag + csat",
            json!({"agent": agent, "tags": ["物流"], "csat_min": 4}),
        ),
    ]
}

pub async fn run(b: HistoryBench) -> anyhow::Result<()> {
    anyhow::ensure!(
        b.conversations > 0 && b.rounds > 0,
        "--conversations and --history-rounds must be at least 1"
    );
    let dir = TempDir::new("history")?;
    let config_path = dir.0.join("bench.toml");
    std::fs::write(
        &config_path,
        "[limits]\nrate_per_sec = 1000000.0\nrate_burst = 1000000.0\n",
    )?;
    let config = crate::config::ServerConfig::load(&config_path)?;
    let spec = Spec::new(b.conversations);
    let plan = history_data::generate(&spec);
    let started = Instant::now();
    let mut store = crate::server::open_store(&dir.0, &config)?;
    let hash = crate::auth::hash_password(PASSWORD).map_err(|e| anyhow::anyhow!(e))?;
    let messages = history_data::write(&mut *store, &plan, &hash, 2_000)?;
    let wrote = started.elapsed();
    let started = Instant::now();
    index_all(&mut *store)?;
    let indexed = started.elapsed();
    drop(store);
    let db_bytes =
        std::fs::metadata(dir.0.join(crate::store::sqlite::DB_FILE)).map_or(0, |m| m.len());
    println!(
        "history: {} conversations, {messages} messages; written in {:.1} s, indexed in {:.1} s ({:.0} messages/s); database {:.0} MiB",
        b.conversations,
        wrote.as_secs_f64(),
        indexed.as_secs_f64(),
        messages as f64 / indexed.as_secs_f64().max(1e-9),
        db_bytes as f64 / 1_048_576.0
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--listen", &listen])
        .arg("--data-dir")
        .arg(&dir.0)
        .arg("--config")
        .arg(&config_path)
        .env("RUST_LOG", "warn")
        .spawn()
        .context("starting kefu serve")?;
    let result = measure(&listen, &b, plan.agents.len(), &spec).await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Builds the index from the queue with the chore's code, segmenting on every core.
pub fn index_all(store: &mut dyn crate::store::Store) -> anyhow::Result<()> {
    store.transaction(&mut |tx| tx.history_ensure(INDEX_VERSION).map(|_| ()))?;
    let mut reader = store.reader()?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    loop {
        let mut rows = Vec::new();
        reader.snapshot(&mut |rd| {
            rows = rd.history_unindexed(20_000)?;
            Ok(())
        })?;
        if rows.is_empty() {
            return Ok(());
        }
        let chunk = rows.len().div_ceil(threads);
        let indexed: Vec<Indexed> = std::thread::scope(|s| {
            let parts: Vec<_> = rows
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|u| Indexed {
                                session_id: u.session_id,
                                seq: u.seq,
                                terms: text::index_terms(&u.body),
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        });
        store.transaction(&mut |tx| tx.history_index(&indexed).map(|_| ()))?;
    }
}

async fn measure(listen: &str, b: &HistoryBench, agents: usize, spec: &Spec) -> anyhow::Result<()> {
    let url = format!("ws://{listen}/ws/agent");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut c = loop {
        match Client::connect(&url).await {
            Ok(c) => break c,
            Err(e) if Instant::now() > deadline => anyhow::bail!("the server did not start: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    c.call("login", json!({"username": "boss", "password": PASSWORD}))
        .await
        .map_err(|e| anyhow::anyhow!("login: {e:?}"))?;
    let list = searches(agents);
    // One warm-up pass (page cache, statement cache), not measured.
    for (_, _, q) in &list {
        c.call("history.search", q.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{q}: {e:?}"))?;
    }
    let mut by_class: Vec<(&str, Vec<u64>)> = vec![("text", vec![]), ("filter", vec![])];
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>9}",
        "search (first page of 20)", "hits", "p50 ms", "p99 ms", "max ms"
    );
    for (class, label, q) in &list {
        let mut samples = Vec::with_capacity(b.rounds);
        let mut hits = 0;
        for _ in 0..b.rounds {
            let sent = Instant::now();
            let r = c
                .call("history.search", q.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{q}: {e:?}"))?;
            samples.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
            hits = r["hits"].as_array().map_or(0, Vec::len);
        }
        if let Some((_, all)) = by_class.iter_mut().find(|(c, _)| c == class) {
            all.extend(&samples);
        }
        if let Some(p) = stats::percentiles(&mut samples) {
            row(label, hits, &p);
        }
    }
    for (class, mut all) in by_class {
        if let Some(p) = stats::percentiles(&mut all) {
            let label = if class == "text" {
                "ALL full-text"
            } else {
                "ALL filtered"
            };
            row(label, p.count, &p);
        }
    }
    measure_reports(&mut c, b, spec).await
}

/// The team report by agent with a daily trend, timed like the searches (a client's round
/// trip): over the first 30 days of the data, and over all of it.
async fn measure_reports(c: &mut Client, b: &HistoryBench, spec: &Spec) -> anyhow::Result<()> {
    const DAY: i64 = 86_400_000;
    let all_days = i64::from(spec.days) + 1;
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>9}",
        "report (team, by agent, daily)", "ended", "p50 ms", "p99 ms", "max ms"
    );
    for (label, days) in [("report: 30 days", 30), ("report: all the data", all_days)] {
        let q = json!({
            "from": spec.start, "to": spec.start + days * DAY,
            "scope": "team", "by": "agent", "trend": "day", "tz": "Asia/Shanghai",
        });
        let mut samples = Vec::new();
        let mut ended = 0;
        // Reports are heavier than searches: a few rounds say enough.
        for _ in 0..b.rounds.clamp(1, 10) {
            let sent = Instant::now();
            let r = c
                .call("report.get", q.clone())
                .await
                .map_err(|e| anyhow::anyhow!("report.get: {e:?}"))?;
            samples.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
            ended = r["totals"]["ended"].as_u64().unwrap_or(0);
        }
        if let Some(p) = stats::percentiles(&mut samples) {
            row(label, usize::try_from(ended).unwrap_or(usize::MAX), &p);
        }
    }
    Ok(())
}

fn row(label: &str, n: usize, p: &Percentiles) {
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>9}",
        label,
        n,
        stats::ms(p.p50),
        stats::ms(p.p99),
        stats::ms(p.max)
    );
}
