//! Report timing by hand (no timed assertion anywhere): a month of a 100-agent team —
//! 100,000 conversations, 1,000,000 messages, 10% transferred, some through the bot, a status
//! change every half hour per agent — written straight into a fresh store, then the team
//! report by agent with a daily trend timed the way `report.get` runs it (a read snapshot,
//! `kefu::reports::report`). `cargo run --release --example report_speed [conversations]`.

use kefu::config::ServerConfig;
use kefu::protocol::{ReportBy, ReportGet, ReportScope, TrendStep};
use kefu::reports::Asker;
use rusqlite::params;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile_dir()?;
    let store = kefu::server::open_store(&dir, &ServerConfig::default())?;
    let from: i64 = 1_793_491_200_000; // 2026-11-01T00:00Z
    let month: i64 = 30 * 86_400_000;
    let started = Instant::now();
    {
        let mut db = rusqlite::Connection::open(dir.join(kefu::store::sqlite::DB_FILE))?;
        let tx = db.transaction()?;
        for a in 1..=100i64 {
            tx.execute(
                "INSERT INTO agents (id, username, display_name, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, 'agent', 'x', 0)",
                params![a, format!("agent{a}"), format!("Agent {a}")],
            )?;
            let mut at = from - 3_600_000;
            let statuses = ["online", "busy", "online", "away", "online", "offline"];
            let mut i = 0;
            while at < from + month {
                tx.execute(
                    "INSERT INTO agent_status_log (agent_id, status, at) VALUES (?1, ?2, ?3)",
                    params![a, statuses[i % statuses.len()], at],
                )?;
                at += 1_800_000;
                i += 1;
            }
        }
        tx.execute(
            "INSERT INTO customers (id, nickname, channel, created_at) VALUES (1, 'c', 'web', 0)",
            [],
        )?;
        let mut seed: u64 = 42;
        let mut rnd = |m: i64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as i64
        };
        let channels = ["web", "app", "mini_program", "api"];
        let groups = ["sales", "support", "vip"];
        for id in 1..=n {
            let created = from + id * (month / n);
            let bot = rnd(5) == 0;
            let q0 = if bot { created + 60_000 } else { created };
            let agent = 1 + rnd(100);
            let accepted = q0 + rnd(120_000);
            let first = accepted + 5_000 + rnd(60_000);
            let ended = first + 300_000 + rnd(900_000);
            let outcome = ["resolved", "resolved", "unresolved", "customer_left"][rnd(4) as usize];
            let csat = (rnd(3) == 0).then(|| 1 + rnd(5));
            let bot_json = bot
                .then(|| format!(r#"{{"turns":1,"handoff":{{"reason":"requested","at":{q0}}}}}"#));
            tx.execute(
                "INSERT INTO sessions (id, customer_id, channel, state, group_name, assignee,
                   intent, tags, created_at, queued_at, accepted_at, first_human_reply_at,
                   ended_at, end_reason, csat, bot)
                 VALUES (?1, 1, ?2, 'ended', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    id,
                    channels[rnd(4) as usize],
                    groups[rnd(3) as usize],
                    agent,
                    (rnd(2) == 0).then_some("refund"),
                    r#"["退款","物流"]"#,
                    created,
                    q0,
                    accepted,
                    first,
                    ended,
                    outcome,
                    csat,
                    bot_json
                ],
            )?;
            if rnd(3) > 0 {
                tx.execute(
                    "INSERT INTO session_surveys (session_id, at) VALUES (?1, ?2)",
                    params![id, ended],
                )?;
            }
            let mut at = created;
            for seq in 1..=10i64 {
                let customer = seq % 2 == 1;
                at = if seq == 2 {
                    first
                } else {
                    at + 5_000 + rnd(60_000)
                };
                tx.execute(
                    "INSERT INTO messages (session_id, seq, author_kind, author_id, author_name,
                       body, created_at)
                     VALUES (?1, ?2, ?3, ?4, 'x', ?5, ?6)",
                    params![
                        id,
                        seq,
                        if customer { "customer" } else { "agent" },
                        (!customer).then_some(agent),
                        "您好，我的订单什么时候发货？ Hello, where is my parcel, order 12345?",
                        at
                    ],
                )?;
            }
            if rnd(10) == 0 {
                tx.execute(
                    "INSERT INTO transfers (session_id, from_agent, from_group, to_agent,
                       to_group, at) VALUES (?1, ?2, 'sales', ?3, 'support', ?4)",
                    params![id, 1 + rnd(100), agent, first + 1_000],
                )?;
            }
        }
        tx.commit()?;
    }
    println!("generated {n} conversations in {:?}", started.elapsed());
    let q = ReportGet {
        from,
        to: from + month,
        scope: ReportScope::Team,
        by: Some(ReportBy::Agent),
        trend: Some(TrendStep::Day),
        tz: Some("Asia/Shanghai".into()),
    };
    let asker = Asker {
        agent: None,
        sees_all: true,
    };
    let mut reader = store.reader()?;
    for round in 0..3 {
        let t = Instant::now();
        let mut out = None;
        reader.snapshot(&mut |rd| {
            out = Some(kefu::reports::report(rd, &q, asker, None, from + month));
            Ok(())
        })?;
        let r = out.expect("ran")?;
        println!(
            "round {round}: {:?} — handled {}, rows {}, trend {}",
            t.elapsed(),
            r.totals.handled,
            r.rows.len(),
            r.trend.len()
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("kefu-report-speed-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
