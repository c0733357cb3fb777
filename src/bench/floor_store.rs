//! The floor's storage: one SQLite file in WAL mode with `synchronous=FULL` (an fsync per
//! commit, as kefu), written by one thread that takes every message waiting when a
//! transaction starts (group commit), appends them, commits, and only then forwards each one
//! to its agent and acks it to its customer.

use crate::protocol::{Event, MessageAck, MessageView, event_frame, reply_frame};
use rusqlite::params;
use serde_json::Value;
use std::path::Path;
use std::sync::mpsc;
use tokio::sync::mpsc::UnboundedSender;

/// One message to store, and where its frames go once it is on disk.
pub struct Job {
    pub reply_id: Value,
    pub message: MessageView,
    pub customer: UnboundedSender<String>,
    pub agent: Option<UnboundedSender<String>>,
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        author_kind TEXT NOT NULL,
        body TEXT NOT NULL,
        client_msg_id TEXT,
        created_at INTEGER NOT NULL
    );
    -- What a retried send needs to find its first copy.
    CREATE UNIQUE INDEX IF NOT EXISTS messages_idem ON messages(session_id, client_msg_id);
";

/// Opens the database and starts the writer thread; frames go out after each commit.
pub fn start(path: &Path) -> anyhow::Result<mpsc::Sender<Job>> {
    let conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    // Checkpoints as kefu does them (beside the writer, the writer's own only as a backstop),
    // so the floor is not slowed by what kefu has already moved off its commit thread.
    conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
    let checkpoints = crate::store::sqlite::Checkpointer::start(path)?;
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("floor-commit".into())
        .spawn(move || {
            let _checkpoints = checkpoints;
            if let Err(e) = write_loop(conn, rx) {
                eprintln!("floor: storage failed: {e}");
                std::process::exit(1);
            }
        })?;
    Ok(tx)
}

fn write_loop(mut conn: rusqlite::Connection, rx: mpsc::Receiver<Job>) -> rusqlite::Result<()> {
    let mut batch = Vec::new();
    while let Ok(first) = rx.recv() {
        batch.push(first);
        batch.extend(rx.try_iter());
        let tx = conn.transaction()?;
        let mut cursors = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (session_id, seq, author_kind, body, client_msg_id, created_at)
                 VALUES (?1, ?2, 'customer', ?3, ?4, ?5)",
            )?;
            for job in &batch {
                let m = &job.message;
                insert.execute(params![
                    m.session_id,
                    m.seq,
                    m.body,
                    m.client_msg_id,
                    m.created_at
                ])?;
                cursors.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        for (job, cursor) in batch.drain(..).zip(cursors) {
            let ack = MessageAck::from(&job.message);
            if let Some(agent) = &job.agent {
                let event = Event::Message {
                    message: job.message,
                };
                let _ = agent.send(event_frame(cursor, &event));
            }
            let _ = job.customer.send(reply_frame(&job.reply_id, &Ok(ack)));
        }
    }
    Ok(())
}
