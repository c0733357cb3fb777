//! The history index on SQLite (see `store::history`): an FTS5 table of message terms
//! (contentless: the bodies stay in `messages`), fed from `history_queue`, which a trigger
//! fills as messages are stored (migration 18). A purge forgets a conversation here
//! ([`forget`]). The search is in `history_search.rs`.

use super::error::Res;
use super::reads::SqliteConn;
use crate::history::rowid;
use crate::model::{AgentId, SessionId};
use crate::store::Result;
use crate::store::history::{Indexed, Unindexed};
use rusqlite::{Connection, OptionalExtension, params};

/// The meta key holding the index's format version.
const VERSION_KEY: &str = "history_index";

pub(super) fn unindexed(c: &Connection, limit: u32) -> Res<Vec<Unindexed>> {
    let mut stmt = c.prepare_cached(
        "SELECT q.session_id, q.seq, m.body FROM history_queue q
           LEFT JOIN messages m ON m.session_id = q.session_id AND m.seq = q.seq
          ORDER BY q.session_id, q.seq LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Unindexed {
            session_id: r.get(0)?,
            seq: r.get(1)?,
            // A queue row whose message is gone is taken off with nothing indexed.
            body: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn backlog(c: &Connection) -> Res<u64> {
    Ok(c.query_row("SELECT COUNT(*) FROM history_queue", [], |r| r.get(0))?)
}

pub(super) fn ensure(c: &Connection, version: &str) -> Res<u64> {
    let current: Option<String> = c
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [VERSION_KEY],
            |r| r.get(0),
        )
        .optional()?;
    let table: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'history_fts')",
        [],
        |r| r.get(0),
    )?;
    if current.as_deref() == Some(version) && table {
        return Ok(0);
    }
    // New, lost or of another format: built again from the messages.
    c.execute_batch(
        "DROP TABLE IF EXISTS history_fts;
         CREATE VIRTUAL TABLE history_fts USING fts5(
             terms, content = '', contentless_delete = 1,
             tokenize = 'unicode61 remove_diacritics 0');
         DELETE FROM history_queue;",
    )?;
    let queued = c.execute(
        "INSERT INTO history_queue (session_id, seq) SELECT session_id, seq FROM messages",
        [],
    )?;
    c.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![VERSION_KEY, version],
    )?;
    Ok(queued as u64)
}

pub(super) fn index(c: &Connection, rows: &[Indexed]) -> Res<usize> {
    let mut take =
        c.prepare_cached("DELETE FROM history_queue WHERE session_id = ?1 AND seq = ?2")?;
    let mut add =
        c.prepare_cached("INSERT OR REPLACE INTO history_fts (rowid, terms) VALUES (?1, ?2)")?;
    let mut added = 0;
    for r in rows {
        // Still queued: not purged since it was read.
        if take.execute(params![r.session_id, r.seq])? == 0 || r.terms.is_empty() {
            continue;
        }
        let Some(id) = rowid(r.session_id, r.seq) else {
            tracing::warn!(
                session = r.session_id,
                seq = r.seq,
                "message not indexed: id out of range"
            );
            continue;
        };
        add.execute(params![id, r.terms])?;
        added += 1;
    }
    Ok(added)
}

/// Forgets a conversation (a purge deletes it): its index rows, queued messages and side rows.
pub(super) fn forget(c: &Connection, session: SessionId) -> Res<()> {
    if let (Some(lo), Some(hi)) = (
        rowid(session, 0),
        rowid(session, (1 << crate::history::SEQ_BITS) - 1),
    ) {
        c.prepare_cached("DELETE FROM history_fts WHERE rowid BETWEEN ?1 AND ?2")?
            .execute(params![lo, hi])?;
    }
    c.prepare_cached("DELETE FROM history_queue WHERE session_id = ?1")?
        .execute([session])?;
    c.prepare_cached("DELETE FROM history_tags WHERE session_id = ?1")?
        .execute([session])?;
    c.prepare_cached("DELETE FROM history_agents WHERE session_id = ?1")?
        .execute([session])?;
    Ok(())
}

pub(super) fn served_by(c: &Connection, session: SessionId) -> Res<Vec<AgentId>> {
    let mut stmt = c.prepare_cached(
        "SELECT agent_id FROM history_agents WHERE session_id = ?1 ORDER BY agent_id",
    )?;
    let rows = stmt.query_map([session], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::history::HistoryRead for SqliteConn<'_> {
    fn history_unindexed(&mut self, limit: u32) -> Result<Vec<Unindexed>> {
        self.run(|c| unindexed(c, limit))
    }

    fn history_backlog(&mut self) -> Result<u64> {
        self.run(backlog)
    }

    fn history_search(
        &mut self,
        q: &crate::history::query::Query,
        scope: &crate::history::access::Scope,
        deadline: std::time::Instant,
    ) -> Result<crate::protocol::HistorySearchReply> {
        self.run(|c| super::history_search::search(c, q, scope, deadline))
    }

    fn served_by(&mut self, session: SessionId) -> Result<Vec<AgentId>> {
        self.run(|c| served_by(c, session))
    }
}

impl crate::store::history::HistoryTx for SqliteConn<'_> {
    fn history_ensure(&mut self, version: &str) -> Result<u64> {
        self.run(|c| ensure(c, version))
    }

    fn history_index(&mut self, rows: &[Indexed]) -> Result<usize> {
        self.run(|c| index(c, rows))
    }
}

#[cfg(test)]
mod tests {
    use crate::history::access::Scope;
    use crate::history::{INDEX_VERSION, query, text};
    use crate::protocol::HistorySearch;
    use crate::store::Store;
    use crate::store::history::Indexed;
    use crate::store::migrations::MIGRATIONS;
    use rusqlite::Connection;

    /// A database of the version before history search (17), with a tagged, transferred
    /// conversation: the upgrade fills the side tables, and the first `ensure` queues its
    /// messages, so search finds what was said before the upgrade.
    #[test]
    fn an_upgraded_database_is_searchable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..17] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 17).unwrap();
        conn.execute_batch(
            r#"
INSERT INTO agents (id, username, display_name, role, password_hash, created_at)
    VALUES (1, 'ann', 'Ann', 'agent', 'h', 1), (2, 'ben', 'Ben', 'agent', 'h', 1);
INSERT INTO customers (id, nickname, channel, created_at) VALUES (5, '小明', 'app', 1);
INSERT INTO sessions (id, customer_id, channel, state, group_name, assignee, tags, created_at)
    VALUES (9, 5, 'app', 'ended', 'sales', 2, '["退款","vip"]', 10);
INSERT INTO transfers (session_id, by_agent, from_agent, from_group, to_agent, to_group, at)
    VALUES (9, 1, 1, 'sales', 2, 'sales', 11);
INSERT INTO messages (session_id, seq, author_kind, author_name, body, created_at)
    VALUES (9, 1, 'customer', '小明', '我要退款了', 12);
"#,
        )
        .unwrap();
        drop(conn);
        let mut store = super::super::SqliteStore::open(&path).unwrap();
        let mut queued = 0;
        store
            .transaction(&mut |tx| {
                queued = tx.history_ensure(INDEX_VERSION)?;
                let rows: Vec<Indexed> = tx
                    .history_unindexed(10)?
                    .into_iter()
                    .map(|u| Indexed {
                        session_id: u.session_id,
                        seq: u.seq,
                        terms: text::index_terms(&u.body),
                    })
                    .collect();
                tx.history_index(&rows)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(queued, 1);
        let mut found = Vec::new();
        let mut reader = store.reader().unwrap();
        let far = std::time::Instant::now() + std::time::Duration::from_secs(10);
        for q in [
            HistorySearch {
                text: Some("退款".into()),
                ..Default::default()
            },
            HistorySearch {
                tags: vec!["vip".into(), "退款".into()],
                ..Default::default()
            },
            HistorySearch {
                agent: Some("ann".into()),
                ..Default::default()
            },
            HistorySearch {
                agent: Some("ben".into()),
                text: Some("退款".into()),
                ..Default::default()
            },
        ] {
            let q = query::check(&q).unwrap();
            reader
                .snapshot(&mut |rd| {
                    let r = rd.history_search(&q, &Scope::All, far)?;
                    found.push(r.hits.iter().map(|h| h.session_id).collect::<Vec<_>>());
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(found, vec![vec![9]; 4]);
    }
}
