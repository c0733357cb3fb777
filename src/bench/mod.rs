//! `kefu bench`: a load generator against a real `kefu serve` process it starts on a temporary
//! data dir, and optionally against the floor (a minimal durable relay, `floor`) under the
//! same load, side by side. Customers send on a fixed schedule (`schedule`) and read their
//! acks; agents accept every offer and read every message (`load`). The report (`report`)
//! gives customer→agent latency and the send→ack round trip (from the scheduled send and from
//! the write), throughput in the window and the drain after it, the server's CPU per message
//! and per thread, its peak RSS and bytes on disk per message ([`crate::metrics::procfs`], `process`).
//! `--saturate` searches for the highest sustained rate (`saturate`); `--idle` and `--logins`
//! measure memory (`flood`); `--login-flood` a conversation's latency under a password-guessing
//! flood (`login_flood`); `--console` measures the agent console.

mod flood;
pub mod floor;
mod floor_store;
pub mod history;
pub mod history_data;
mod load;
mod login_flood;
mod process;
pub mod report;
mod saturate;
mod schedule;
mod soak;
mod soak_report;
mod stats;

use load::{Load, Outcome};
use process::Kind;
use std::time::Duration;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Customer connections, each with one conversation.
    #[arg(long, default_value_t = 200)]
    pub customers: usize,
    /// Agent connections; capacity is set so that all conversations fit.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// Customer messages per second, all customers together (with `--saturate`: the first
    /// rate tried).
    #[arg(long, default_value_t = 2000)]
    pub rate: u64,
    /// Seconds of sending (with `--saturate`: per step).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Also run the same load against the floor (a minimal durable relay) and print both.
    #[arg(long)]
    pub floor: bool,
    /// Find the highest rate sustained with every message acked and delivered and p99
    /// customer→agent under 50 ms: double from `--rate`, then bisect.
    #[arg(long)]
    pub saturate: bool,
    /// The highest rate `--saturate` tries.
    #[arg(long, default_value_t = 100_000)]
    pub max_rate: u64,
    /// The p99 customer→agent latency (from the schedule, in ms) a `--saturate` step must
    /// stay under.
    #[arg(long, default_value_t = 50)]
    pub p99_limit_ms: u64,
    /// Seconds after the window to wait for the last deliveries.
    #[arg(long, default_value_t = 60)]
    pub drain_limit: u64,
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
    /// Instead of the chat load: one conversation's customer→agent latency, quiet and then
    /// under `--flood-rate` wrong logins a second (real and unknown usernames, from eight
    /// loopback addresses), each window `--duration` long; with the default `[login]` and
    /// with the throttle lifted.
    #[arg(long)]
    pub login_flood: bool,
    /// `--login-flood`: wrong logins per second.
    #[arg(long, default_value_t = 200)]
    pub flood_rate: u64,
    /// Instead of the chat load: the mixed workload (arrivals, chats, ends, ratings,
    /// reconnects and resumes) for this long — minutes (`30`) or with a unit (`90s`, `30m`,
    /// `2h`) — a report line every `--report-every`.
    #[arg(long, value_parser = soak_length)]
    pub soak: Option<Duration>,
    /// `--soak`: agents.
    #[arg(long, default_value_t = 10)]
    pub soak_agents: usize,
    /// `--soak`: new conversations per second.
    #[arg(long, default_value_t = 5.0)]
    pub arrivals: f64,
    /// `--soak`: customer messages per conversation (each answered once).
    #[arg(long, default_value_t = 5)]
    pub chat_messages: u32,
    /// `--soak`: seconds between report lines.
    #[arg(long, default_value_t = 30)]
    pub report_every: u64,
    /// `--soak`: the server's `[storage] event_retention` ("7d", "5m", "0", …).
    #[arg(long, default_value = "7d")]
    pub event_retention: String,
    /// Instead of the chat load: history search over a generated history
    /// (`--conversations`, about ten messages each), measured over the WebSocket.
    #[arg(long)]
    pub history: bool,
    /// `--history`: conversations generated.
    #[arg(long, default_value_t = 100_000)]
    pub conversations: usize,
    /// `--history`: times each search is run.
    #[arg(long, default_value_t = 50)]
    pub history_rounds: usize,
}

/// `--soak`'s length: a bare number is minutes (as it always was), or a number with `s`, `m`
/// or `h`.
fn soak_length(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a length like 30 (minutes), 90s, 30m or 2h"))?;
    let secs = match unit {
        "" | "m" => n.saturating_mul(60),
        "s" => n,
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("`{text}`: the unit is s, m or h")),
    };
    if secs == 0 {
        return Err("--soak must last at least one second".into());
    }
    Ok(Duration::from_secs(secs))
}

/// The hidden `kefu bench-floor`: the floor server that `kefu bench --floor` starts.
#[derive(clap::Args, Debug, Clone)]
pub struct FloorArgs {
    #[arg(long)]
    pub listen: String,
    #[arg(long)]
    pub data_dir: std::path::PathBuf,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.console {
        return crate::console::bench::run();
    }
    if args.history {
        return history::run(history::HistoryBench {
            conversations: args.conversations,
            rounds: args.history_rounds,
        })
        .await;
    }
    if let Some(n) = args.idle {
        return flood::idle(n).await;
    }
    if args.login_flood {
        return login_flood::run(args.flood_rate, Duration::from_secs(args.duration)).await;
    }
    if let Some(n) = args.logins {
        return flood::logins(n).await;
    }
    if let Some(length) = args.soak {
        anyhow::ensure!(
            args.arrivals > 0.0 && args.arrivals.is_finite(),
            "--arrivals must be a number above 0"
        );
        anyhow::ensure!(
            args.soak_agents > 0 && args.chat_messages > 0 && args.report_every > 0,
            "--soak-agents, --chat-messages and --report-every must be at least 1"
        );
        crate::store::retention::parse_window(&args.event_retention)
            .map_err(|e| anyhow::anyhow!("--event-retention: {e}"))?;
        return soak::run(soak::Soak {
            length,
            agents: args.soak_agents,
            arrivals: args.arrivals,
            messages: args.chat_messages,
            report_every: Duration::from_secs(args.report_every),
            retention: args.event_retention,
        })
        .await;
    }
    let kinds: &[Kind] = if args.floor {
        &[Kind::Kefu, Kind::Floor]
    } else {
        &[Kind::Kefu]
    };
    let load = Load {
        customers: args.customers,
        agents: args.agents,
        rate: args.rate,
        window: Duration::from_secs(args.duration),
        drain_limit: Duration::from_secs(args.drain_limit),
    };
    println!(
        "{} customers, {} agents, {} msgs/s offered for {} s{}",
        load.customers,
        load.agents,
        load.rate,
        args.duration,
        if args.saturate { " per step" } else { "" }
    );
    if args.saturate {
        return saturate(
            kinds,
            load,
            args.max_rate,
            Duration::from_millis(args.p99_limit_ms),
        )
        .await;
    }
    let mut outcomes = Vec::new();
    for &kind in kinds {
        outcomes.push((kind.name(), load::run(kind, load).await?));
    }
    let runs: Vec<(&str, &Outcome)> = outcomes.iter().map(|(n, o)| (*n, o)).collect();
    report::print(&runs);
    Ok(())
}

async fn saturate(
    kinds: &[Kind],
    load: Load,
    max_rate: u64,
    p99_limit: Duration,
) -> anyhow::Result<()> {
    let mut best = Vec::new();
    for &kind in kinds {
        let mut search = saturate::Search::new(load.rate, max_rate, 0.05);
        let mut held_at = None;
        while let Some(rate) = search.next() {
            // A step that is far behind will not catch up: a short drain limit keeps it quick.
            let step = Load {
                rate,
                drain_limit: load.drain_limit.min(Duration::from_secs(10)),
                ..load
            };
            let o = load::run(kind, step).await?;
            let held = o.sustained(p99_limit);
            search.record(rate, held);
            println!(
                "{:<6} {rate:>7} msgs/s: {} — p99 customer→agent {} ms from schedule, \
                 {}/{} acked, {} delivered, {:.0}/s in the window, load {:.2}",
                kind.name(),
                if held { "held" } else { "NOT held" },
                o.to_agent_sched.map_or("–".into(), |p| stats::ms(p.p99)),
                o.acked,
                o.sent,
                o.delivered,
                o.delivered_in_window as f64 / o.window.as_secs_f64().max(1e-3),
                o.loadavg.1,
            );
            if held && search.best() == Some(rate) {
                held_at = Some(o);
            }
        }
        best.push((kind.name(), search.best(), held_at));
    }
    for (name, rate, _) in &best {
        match rate {
            Some(r) => println!("{name}: highest rate sustained {r} msgs/s"),
            None => println!("{name}: no rate sustained"),
        }
    }
    if let [(a, Some(ra), _), (b, Some(rb), _)] = &best[..] {
        println!("{a}/{b}: {:.2}×", *ra as f64 / *rb as f64);
    }
    let runs: Vec<(&str, &Outcome)> = best
        .iter()
        .filter_map(|(n, _, o)| o.as_ref().map(|o| (*n, o)))
        .collect();
    if runs.len() == kinds.len() {
        println!("at the highest sustained rate of each:");
        report::print(&runs);
    }
    Ok(())
}

/// Runs the floor server (the hidden `kefu bench-floor`).
pub fn run_floor(args: FloorArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen).await?;
        floor::serve(listener, &args.data_dir).await
    })
}
