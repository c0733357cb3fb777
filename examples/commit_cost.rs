//! What one customer message costs the durable path: bytes on disk and commit-thread CPU time.
//! Drives the real store and committer with the rows the hub hands over for each message (one
//! hub batch per message, as the server flushes them), then checkpoints and divides.
//!
//! `cargo run --release --example commit_cost -- [messages] [sessions] [rate/s, 0 = flat out]`

use kefu::model::{AuthorKind, Channel, SessionState};
use kefu::protocol::{CustomerView, Event, MessageView, SessionView};
use kefu::store::committer::Committer;
use kefu::store::{Audience, CoreRows, EventBody, EventRow, StoreOptions};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() -> anyhow::Result<()> {
    let arg = |i: usize, default: u64| -> u64 {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (total, sessions, rate) = (arg(1, 100_000), arg(2, 500), arg(3, 0));
    let dir = tempfile::tempdir()?;
    let mut store = kefu::store::open(dir.path(), &StoreOptions::default())?;
    let mut views: Vec<SessionView> = Vec::new();
    store.transaction(&mut |tx| {
        tx.upsert_group("general", Default::default())?;
        views.clear();
        for i in 1..=sessions as i64 {
            let customer = CustomerView {
                id: i,
                external_id: None,
                nickname: format!("customer {i}"),
                channel: Channel::Web,
                vip: false,
                tags: vec![],
            };
            tx.insert_customer(&customer, 1)?;
            let view = session(i, customer);
            tx.put_session(&view, None)?;
            views.push(view);
        }
        Ok(())
    })?;
    let db = dir.path().join(kefu::store::sqlite::DB_FILE);
    let before = checkpointed_size(&db)?;

    let (committer, thread) = Committer::start(store, |e| eprintln!("fatal: {e}"))?;
    let started = Instant::now();
    let mut next_event = 1;
    for k in 0..total {
        if rate > 0 {
            let due = started + Duration::from_secs_f64(k as f64 / rate as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let view = &mut views[(k % sessions) as usize];
        view.last_seq += 1;
        let now = 1_700_000_000_000 + k as i64;
        view.waiting_since.get_or_insert(now);
        let message = MessageView {
            session_id: view.id,
            seq: view.last_seq,
            author_kind: AuthorKind::Customer,
            author_id: Some(view.customer.id),
            author_name: view.customer.nickname.clone(),
            body: format!("t={}", 1_000_000 + k * 97),
            client_msg_id: Some(format!("m{}", view.last_seq)),
            created_at: now,
            internal: false,
        };
        submit_message(&committer, view, message, &mut next_event)?;
    }
    // The commit thread's own CPU time, read on that thread once everything committed.
    let (tx, rx) = mpsc::channel();
    committer.submit(move |_| {
        Ok(Some(Box::new(move || {
            let _ = tx.send(thread_cpu_ns());
        })))
    })?;
    let cpu_ns = rx.recv()?;
    let wall = started.elapsed();
    drop(committer);
    let _ = thread.join();
    let after = checkpointed_size(&db)?;
    println!(
        "{total} messages over {sessions} sessions in {:.2} s ({:.0}/s{})",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64(),
        if rate > 0 { ", paced" } else { ", flat out" }
    );
    println!(
        "commit thread CPU: {:.1} µs per message",
        cpu_ns.map_or(f64::NAN, |ns| ns as f64 / 1_000.0 / total as f64)
    );
    println!(
        "on disk after checkpoint: {} bytes per message ({} → {} bytes)",
        (after - before) / total,
        before,
        after
    );
    Ok(())
}

/// What the hub hands the committer for one customer message (`Hub::flush`): the session
/// row (written only where it changed), the message, an event per audience referring to it,
/// and the deliveries as the same job's follow-up; a job without a savepoint of its own.
fn submit_message(
    committer: &Committer,
    view: &SessionView,
    message: MessageView,
    next_event: &mut i64,
) -> anyhow::Result<()> {
    // The hub serialises the event for the live frames either way.
    let _live = serde_json::to_string(&Event::Message {
        message: message.clone(),
    })?;
    let body = EventBody::Message {
        session: view.id,
        seq: message.seq,
    };
    let events = vec![
        EventRow {
            id: *next_event,
            audience: Audience::Customer(view.customer.id),
            body: body.clone(),
        },
        EventRow {
            id: *next_event + 1,
            audience: Audience::Agent(1),
            body,
        },
    ];
    *next_event += 2;
    let now = message.created_at;
    let rows = CoreRows {
        sessions: vec![(view.clone(), None)],
        messages: vec![message],
        statuses: vec![],
        events,
    };
    committer.submit_unguarded(move |tx| {
        rows.write(tx, now)?;
        Ok(Some(Box::new(|| {})))
    })?;
    Ok(())
}

fn session(id: i64, customer: CustomerView) -> SessionView {
    SessionView {
        id,
        channel: customer.channel,
        customer,
        state: SessionState::Active,
        group: "general".into(),
        assignee: None,
        priority: 0,
        intent: None,
        tags: vec![],
        follow_up: false,
        follow_up_at: None,
        created_at: 1_000 + id,
        queued_at: Some(1_000 + id),
        offered_at: Some(1_001 + id),
        accepted_at: Some(1_002 + id),
        first_human_reply_at: None,
        ended_at: None,
        end_reason: None,
        csat: None,
        last_seq: 0,
        waiting_since: None,
        context: None,
        offline: false,
        csat_comment: None,
        replied_at: None,
        reminded_at: None,
        bot: None,
        menu: None,
        ends_at: None,
        pending_end: None,
    }
}

/// Nanoseconds this thread has run on a CPU (Linux), or `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// The database's size once the WAL is checkpointed into it.
fn checkpointed_size(db: &std::path::Path) -> anyhow::Result<u64> {
    let conn = rusqlite::Connection::open(db)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(std::fs::metadata(db)?.len())
}
