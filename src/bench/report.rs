//! Printing what the runs measured: one column per server (kefu, and the floor when it ran),
//! and their ratio, so every figure stands next to the floor measured the same minute.

use super::load::Outcome;
use super::stats::Percentiles;
use crate::metrics::procfs::TICKS_PER_SEC;

/// One printed row: a label and a value per server (`None`: not measured).
struct Row {
    label: &'static str,
    values: Vec<Option<f64>>,
    decimals: usize,
}

/// The rows every chat run reports, in order. The integration test checks each label.
pub const LABELS: &[&str] = &[
    "messages sent",
    "messages acked",
    "messages delivered",
    "send errors",
    "delivered/s in the window",
    "drain after the window (ms)",
    "customer→agent p50 from schedule (ms)",
    "customer→agent p99 from schedule (ms)",
    "customer→agent p99.9 from schedule (ms)",
    "customer→agent max from schedule (ms)",
    "customer→agent p50 from write (ms)",
    "customer→agent p99 from write (ms)",
    "send→ack p50 from schedule (ms)",
    "send→ack p99 from schedule (ms)",
    "send→ack p50 from write (ms)",
    "send→ack p99 from write (ms)",
    "server CPU per message (µs)",
    "bench CPU per message (µs)",
    "peak RSS, VmHWM (MiB)",
    "disk per message, checkpointed (bytes)",
    "disk per message, db+wal as found (bytes)",
    "load average before",
    "load average after",
];

fn rows(outcomes: &[&Outcome]) -> Vec<Row> {
    let col = |f: &dyn Fn(&Outcome) -> Option<f64>| outcomes.iter().map(|o| f(o)).collect();
    let pct = |p: Option<Percentiles>, f: fn(&Percentiles) -> u64| p.map(|p| f(&p) as f64 / 1e3);
    let per_msg_us = |ticks: u64, o: &Outcome| {
        (o.sent > 0).then(|| ticks as f64 * 1e6 / TICKS_PER_SEC as f64 / o.sent as f64)
    };
    let per_msg_bytes = |after: u64, before: u64, o: &Outcome| {
        (o.acked > 0).then(|| (after as f64 - before as f64) / o.acked as f64)
    };
    let values: Vec<Vec<Option<f64>>> = vec![
        col(&|o| Some(o.sent as f64)),
        col(&|o| Some(o.acked as f64)),
        col(&|o| Some(o.delivered as f64)),
        col(&|o| Some(o.errors as f64)),
        col(&|o| Some(o.delivered_in_window as f64 / o.window.as_secs_f64().max(1e-3))),
        col(&|o| Some(o.drain.as_secs_f64() * 1e3)),
        col(&|o| pct(o.to_agent_sched, |p| p.p50)),
        col(&|o| pct(o.to_agent_sched, |p| p.p99)),
        col(&|o| pct(o.to_agent_sched, |p| p.p999)),
        col(&|o| pct(o.to_agent_sched, |p| p.max)),
        col(&|o| pct(o.to_agent_write, |p| p.p50)),
        col(&|o| pct(o.to_agent_write, |p| p.p99)),
        col(&|o| pct(o.ack_sched, |p| p.p50)),
        col(&|o| pct(o.ack_sched, |p| p.p99)),
        col(&|o| pct(o.ack_write, |p| p.p50)),
        col(&|o| pct(o.ack_write, |p| p.p99)),
        col(&|o| {
            o.server_cpu
                .as_ref()
                .and_then(|c| per_msg_us(c.total_ticks, o))
        }),
        col(&|o| per_msg_us(o.bench_cpu_ticks, o)),
        col(&|o| o.peak_rss_kib.map(|k| k as f64 / 1024.0)),
        col(&|o| per_msg_bytes(o.disk_after.checkpointed, o.disk_before.checkpointed, o)),
        col(&|o| per_msg_bytes(o.disk_after.raw, o.disk_before.checkpointed, o)),
        col(&|o| Some(o.loadavg.0)),
        col(&|o| Some(o.loadavg.1)),
    ];
    let decimals = |label: &str| {
        if label.contains("(ms)") || label.starts_with("load") {
            2
        } else if label.contains("(µs)") || label.contains("MiB") {
            1
        } else {
            0
        }
    };
    LABELS
        .iter()
        .zip(values)
        .map(|(label, values)| Row {
            label,
            values,
            decimals: decimals(label),
        })
        .collect()
}

/// Prints the table for `runs` (name, outcome); with two, the third column is first ÷ second.
pub fn print(runs: &[(&str, &Outcome)]) {
    let outcomes: Vec<&Outcome> = runs.iter().map(|r| r.1).collect();
    let ratio = runs.len() == 2;
    let mut header = format!("{:<42}", "");
    for (name, _) in runs {
        header += &format!("{name:>12}");
    }
    if ratio {
        header += &format!("{:>12}", format!("{}/{}", runs[0].0, runs[1].0));
    }
    println!("{header}");
    for row in rows(&outcomes) {
        let mut line = format!("{:<42}", row.label);
        for v in &row.values {
            line += &match v {
                Some(v) => format!("{:>12.*}", row.decimals, v),
                None => format!("{:>12}", "–"),
            };
        }
        if ratio {
            line += &match (row.values[0], row.values[1]) {
                (Some(a), Some(b)) if b != 0.0 && !row.label.starts_with("load") => {
                    format!("{:>11.2}×", a / b)
                }
                _ => format!("{:>12}", ""),
            };
        }
        println!("{line}");
    }
    for (name, o) in runs {
        println!("{name} threads, CPU µs per message: {}", threads(o));
    }
    if runs.iter().any(|r| !r.1.disk_after.checkpoint_complete) {
        println!("(a checkpoint could not complete; disk figures include some WAL)");
    }
}

/// `tokio-runtime-w ×2 61.3, kefu-commit 20.1, …` (threads that used any CPU).
fn threads(o: &Outcome) -> String {
    let Some(cpu) = &o.server_cpu else {
        return "not measured".into();
    };
    let parts: Vec<String> = cpu
        .by_name
        .iter()
        .filter(|t| t.2 > 0)
        .map(|(name, count, ticks)| {
            let us = *ticks as f64 * 1e6 / TICKS_PER_SEC as f64 / o.sent.max(1) as f64;
            if *count > 1 {
                format!("{name} ×{count} {us:.1}")
            } else {
                format!("{name} {us:.1}")
            }
        })
        .collect();
    if parts.is_empty() {
        "none measurable".into()
    } else {
        parts.join(", ")
    }
}
