//! Migrations: a database created by an older kefu upgrades to the current schema with its
//! data intact, and gets an id (and, in a data dir, its marker).

use crate::model::{AgentStatus, AuthorKind, Role, SessionState, Strategy};
use crate::protocol::{Article, Event, MessageView};
use crate::store::migrations::MIGRATIONS;
use crate::store::{Audience, Principal, Store, StoreOptions, Viewer};
use rusqlite::Connection;
use std::path::Path;

/// A database as schema version `version` left it, with a few rows of every kind.
fn old_database(path: &Path, version: usize) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    for sql in &MIGRATIONS[..version] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", version as i64)
        .unwrap();
    conn.execute_batch(
        r#"
INSERT INTO agents (id, username, display_name, employee_no, contact, role, password_hash,
    must_change_password, max_sessions, status, created_at)
    VALUES (1, 'ann', 'Ann', 'E1', 'ann@example.com', 'supervisor', 'h', 0, 4, 'busy', 1);
INSERT INTO skill_groups (name, strategy) VALUES ('sales', 'round_robin');
INSERT INTO group_members (group_name, agent_id) VALUES ('sales', 1);
INSERT INTO customers (id, external_id, nickname, channel, vip, tags, created_at)
    VALUES (5, 'crm-5', '小明', 'app', 1, '["VIP用户"]', 1);
INSERT INTO tokens (hash, agent_id, customer_id, expires_at, created_at)
    VALUES ('tok', 1, NULL, 9999999999999, 1);
INSERT INTO sessions (id, customer_id, channel, state, group_name, assignee, priority, tags,
    follow_up, created_at, queued_at, last_seq)
    VALUES (9, 5, 'app', 'active', 'sales', 1, 2, '["a"]', 1, 10, 11, 2);
INSERT INTO messages (session_id, seq, author_kind, author_id, author_name, body, client_msg_id,
    created_at) VALUES (9, 1, 'customer', 5, '小明', 'hello', 'c1', 12);
INSERT INTO messages (session_id, seq, author_kind, author_id, author_name, body, client_msg_id,
    created_at) VALUES (9, 2, 'agent', 1, 'Ann', 'hi', NULL, 13);
INSERT INTO events (id, agent_id, customer_id, supervisors, session_id, body, created_at)
    VALUES (3, 1, NULL, 0, 9, '{"kind":"x"}', 14);
"#,
    )
    .unwrap();
}

fn user_version(path: &Path) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_version_1_database_upgrades_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    old_database(&path, 1);
    let mut store = super::SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&path), MIGRATIONS.len() as i64);
    let id = store.database_id().unwrap();
    assert_eq!(id.len(), 32);

    let mut reader = store.reader().unwrap();
    reader
        .snapshot(&mut |r| {
            let ann = r.agent_by_username("ann")?.expect("ann survived");
            assert_eq!(
                (ann.id, ann.role, ann.status, ann.max_sessions, ann.groups),
                (
                    1,
                    Role::Supervisor,
                    AgentStatus::Busy,
                    Some(4),
                    vec!["sales".into()]
                )
            );
            assert_eq!(r.list_groups()?, [("sales".into(), Strategy::RoundRobin)]);
            assert_eq!(r.token("tok", 1)?, Some(Principal::Agent(1)));
            let c = r
                .customer_by_external_id("crm-5")?
                .expect("customer survived");
            assert_eq!(
                (c.nickname.as_str(), c.vip, c.tags),
                ("小明", true, vec!["VIP用户".into()])
            );
            let s = r.session(9)?.expect("session survived");
            assert_eq!(
                (s.state, s.assignee, s.last_seq),
                (SessionState::Active, Some(1), 2)
            );
            let t = r.transcript(9, 0, 10)?;
            assert_eq!(
                t.iter().map(|m| (m.seq, m.author_kind)).collect::<Vec<_>>(),
                [(1, AuthorKind::Customer), (2, AuthorKind::Agent)]
            );
            let viewer = Viewer::Agent {
                id: 1,
                supervisor: true,
            };
            assert_eq!(
                r.events_after(viewer, 0, 10)?,
                [(3, r#"{"kind":"x"}"#.into())]
            );
            Ok(())
        })
        .unwrap();
    // The later migrations' tables work.
    store
        .transaction(&mut |tx| {
            let article = Article {
                id: 0,
                title: "t".into(),
                keywords: vec![],
                lang: "en".into(),
                updated_at: 1,
                body: "b".into(),
                ..Article::default()
            };
            tx.insert_article(&article)?;
            assert_eq!(tx.kb_search("", 10)?.len(), 1);
            Ok(())
        })
        .unwrap();
    let recovered = store.recover().unwrap();
    assert_eq!(
        recovered.sent.len(),
        1,
        "the keyed message of the open session"
    );
    drop(store);
    // Opening again runs nothing more and keeps the id.
    let mut store = super::SqliteStore::open(&path).unwrap();
    assert_eq!(store.database_id().unwrap(), id);
}

#[test]
fn an_old_data_dir_gets_its_marker_on_first_open() {
    let dir = tempfile::tempdir().unwrap();
    old_database(&dir.path().join("kefu.db"), 2);
    let mut store = super::open_data_dir(dir.path(), &StoreOptions::default()).unwrap();
    let marker = std::fs::read_to_string(dir.path().join("kefu.id")).unwrap();
    assert_eq!(marker.trim(), store.database_id().unwrap());
    drop(store);
    // And from then on it is checked.
    super::open_data_dir(dir.path(), &StoreOptions::default()).unwrap();
}

/// A message as kefu stored it up to schema version 3: the message, `last_seq` on its session
/// and the whole `message` event JSON in each of its events (the statements of that version).
fn old_message(conn: &Connection, m: &MessageView, events: &[(i64, Option<i64>, Option<i64>)]) {
    conn.execute(
        "INSERT INTO messages (session_id, seq, author_kind, author_id, author_name,
            body, client_msg_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![
            m.session_id,
            m.seq,
            m.author_kind.as_str(),
            m.author_id,
            m.author_name,
            m.body,
            m.client_msg_id,
            m.created_at
        ],
    )
    .unwrap();
    conn.execute(
        "UPDATE sessions SET last_seq = ?2 WHERE id = ?1",
        rusqlite::params![m.session_id, m.seq],
    )
    .unwrap();
    let body = serde_json::to_string(&Event::Message { message: m.clone() }).unwrap();
    for (id, agent, customer) in events {
        conn.execute(
            "INSERT INTO events (id, agent_id, customer_id, supervisors, session_id, body,
                created_at) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
            rusqlite::params![id, agent, customer, m.session_id, body, m.created_at],
        )
        .unwrap();
    }
}

fn msg(seq: i64, kind: AuthorKind, body: &str) -> MessageView {
    MessageView {
        session_id: 9,
        seq,
        author_kind: kind,
        author_id: Some(if kind == AuthorKind::Agent { 1 } else { 5 }),
        author_name: if kind == AuthorKind::Agent {
            "Ann"
        } else {
            "小明"
        }
        .into(),
        body: body.into(),
        client_msg_id: Some(format!("k{seq}")),
        created_at: 100 + seq,
        internal: false,
    }
}

#[test]
fn a_version_3_conversation_keeps_its_transcript_and_replay_and_goes_on_lean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    old_database(&path, 3);
    let old = [
        msg(3, AuthorKind::Customer, "退款 \"quoted\" \\ 🎉"),
        msg(4, AuthorKind::Agent, "ok\n"),
    ];
    {
        let conn = Connection::open(&path).unwrap();
        old_message(&conn, &old[0], &[(20, None, Some(5)), (21, Some(1), None)]);
        old_message(&conn, &old[1], &[(22, None, Some(5)), (23, Some(1), None)]);
    }
    let mut store = super::SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&path), MIGRATIONS.len() as i64);
    let json =
        |m: &MessageView| serde_json::to_string(&Event::Message { message: m.clone() }).unwrap();
    let customer = Viewer::Customer(5);
    let agent = Viewer::Agent {
        id: 1,
        supervisor: false,
    };
    let mut reader = store.reader().unwrap();
    reader
        .snapshot(&mut |r| {
            assert_eq!(r.transcript(9, 2, 10)?, old);
            assert_eq!(r.session(9)?.unwrap().last_seq, 4);
            assert_eq!(
                r.events_after(customer, 3, 10)?,
                [(20, json(&old[0])), (22, json(&old[1]))]
            );
            Ok(())
        })
        .unwrap();

    // The conversation goes on the lean way: events by reference, no session write.
    let new = msg(5, AuthorKind::Customer, "still there?");
    store
        .transaction(&mut |tx| {
            tx.insert_message(&new)?;
            tx.insert_message_event(24, Audience::Customer(5), 9, 5, 105)?;
            tx.insert_message_event(25, Audience::Agent(1), 9, 5, 105)?;
            Ok(())
        })
        .unwrap();
    let stored: (String, i64) = Connection::open(&path)
        .unwrap()
        .query_row("SELECT body, last_seq FROM events JOIN sessions s ON s.id = session_id WHERE events.id = 24", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        stored,
        (String::new(), 4),
        "no copy of the message, no session write"
    );
    reader
        .snapshot(&mut |r| {
            assert_eq!(r.session(9)?.unwrap().last_seq, 5);
            assert_eq!(
                r.transcript(9, 2, 10)?,
                [old[0].clone(), old[1].clone(), new.clone()]
            );
            assert_eq!(
                r.events_after(customer, 3, 10)?,
                [(20, json(&old[0])), (22, json(&old[1])), (24, json(&new))]
            );
            assert_eq!(
                r.events_after(agent, 20, 10)?,
                [(21, json(&old[0])), (23, json(&old[1])), (25, json(&new))]
            );
            Ok(())
        })
        .unwrap();
    // Start-up sees the same session and the keyed messages for retries.
    let recovered = store.recover().unwrap();
    assert_eq!(recovered.open_sessions[0].0.last_seq, 5);
    assert_eq!(recovered.max_event_id, 25);
    assert_eq!(
        recovered.sent.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 3, 4, 5]
    );
}

/// A database from a newer kefu is refused, not misread.
#[test]
fn a_database_from_a_newer_kefu_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kefu.db");
    old_database(&path, MIGRATIONS.len());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", MIGRATIONS.len() as i64 + 1)
        .unwrap();
    let err = match super::SqliteStore::open(&path) {
        Ok(_) => panic!("a newer schema was opened"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("newer than this kefu knows"), "{err}");
}

/// The bot's migration widens the `state` CHECK in place: an upgraded database (and a new one) takes
/// `bot` sessions with their bot record, and still refuses a state nobody knows.
#[test]
fn an_upgraded_database_takes_bot_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let before_bot = MIGRATIONS
        .iter()
        .position(|m| m.contains("ADD COLUMN bot TEXT"))
        .unwrap();
    old_database(&path, before_bot);
    drop(super::SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE sessions SET state = 'bot', bot = '{\"turns\":1}' WHERE id = 9",
        [],
    )
    .unwrap();
    let bad = conn.execute("UPDATE sessions SET state = 'lost' WHERE id = 9", []);
    assert!(bad.is_err(), "the CHECK still holds for unknown states");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(conn);
    let mut store = super::SqliteStore::open(&path).unwrap();
    let recovered = store.recover().unwrap();
    let (view, _) = &recovered.open_sessions[0];
    assert_eq!(view.state, SessionState::Bot);
    assert_eq!(view.bot.as_ref().map(|b| b.turns), Some(1));
}
