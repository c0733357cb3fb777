//! The queries ([`Read`]) on one connection, shared by write transactions and read-only
//! snapshots, and the start-up [`Recovered`] state.

use super::error::{Ctx, Res};
use super::kb;
use super::quick_replies;
use super::rows::{self, AGENT_SELECT, CUSTOMER_SELECT, MESSAGE_SELECT, SESSION_SELECT, collect};
use super::session_rows::WrittenSessions;
use crate::model::{AgentId, CustomerId, Millis, SessionId, Strategy};
use crate::protocol::{
    Article, ArticleSummary, ArticleVersion, CustomerView, IDEMPOTENCY_WINDOW, MessageView,
    QuickReply, SentArticle, SessionView,
};
use crate::store::{AgentRow, AuditEntry, Principal, Read, Recovered, Result, Viewer};
use rusqlite::{Connection, OptionalExtension, params};

/// One connection seen through the store's traits: inside a write transaction it is a
/// [`crate::store::Tx`] (see `writes.rs`), inside a read snapshot a [`Read`].
pub(super) struct SqliteConn<'a> {
    pub conn: &'a Connection,
    pub ctx: &'a Ctx,
    /// The writer's memory of the session rows it wrote; `None` in read snapshots.
    pub written: Option<&'a mut WrittenSessions>,
}

impl SqliteConn<'_> {
    /// Runs a query, turning SQLite's errors into `StoreError`s.
    pub fn run<T>(&self, f: impl FnOnce(&Connection) -> Res<T>) -> Result<T> {
        f(self.conn).map_err(|e| self.ctx.err(e))
    }
}

impl Read for SqliteConn<'_> {
    fn agent_by_username(&mut self, username: &str) -> Result<Option<AgentRow>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{AGENT_SELECT} WHERE a.username = ?1"))?;
            Ok(collect(&mut stmt, [username], rows::agent)?.pop())
        })
    }

    fn agent_by_id(&mut self, id: AgentId) -> Result<Option<AgentRow>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{AGENT_SELECT} WHERE a.id = ?1"))?;
            Ok(collect(&mut stmt, [id], rows::agent)?.pop())
        })
    }

    fn list_agents(&mut self) -> Result<Vec<AgentRow>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{AGENT_SELECT} ORDER BY a.id"))?;
            collect(&mut stmt, [], rows::agent)
        })
    }

    fn list_groups(&mut self) -> Result<Vec<(String, Strategy)>> {
        self.run(|c| {
            let mut stmt =
                c.prepare_cached("SELECT name, strategy FROM skill_groups ORDER BY name")?;
            collect(&mut stmt, [], |r| Ok((r.get(0)?, rows::parse(r.get(1)?)?)))
        })
    }

    fn token(&mut self, hash: &str, now: Millis) -> Result<Option<Principal>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT agent_id, customer_id FROM tokens WHERE hash = ?1 AND expires_at > ?2",
            )?;
            let row: Option<(Option<AgentId>, Option<CustomerId>)> = stmt
                .query_row(params![hash, now], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            Ok(match row {
                Some((Some(a), _)) => Some(Principal::Agent(a)),
                Some((None, Some(c))) => Some(Principal::Customer(c)),
                _ => None,
            })
        })
    }

    fn customer(&mut self, id: CustomerId) -> Result<Option<CustomerView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{CUSTOMER_SELECT} WHERE c.id = ?1"))?;
            Ok(collect(&mut stmt, [id], |r| rows::customer(r, 0))?.pop())
        })
    }

    fn customer_by_external_id(&mut self, external_id: &str) -> Result<Option<CustomerView>> {
        self.run(|c| {
            let mut stmt =
                c.prepare_cached(&format!("{CUSTOMER_SELECT} WHERE c.external_id = ?1"))?;
            Ok(collect(&mut stmt, [external_id], |r| rows::customer(r, 0))?.pop())
        })
    }

    fn session(&mut self, id: SessionId) -> Result<Option<SessionView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{SESSION_SELECT} WHERE s.id = ?1"))?;
            Ok(collect(&mut stmt, [id], rows::session)?.pop())
        })
    }

    fn sessions_of_customer(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<SessionView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{SESSION_SELECT} WHERE s.customer_id = ?1 ORDER BY s.id DESC LIMIT ?2"
            ))?;
            collect(&mut stmt, params![customer, limit], rows::session)
        })
    }

    fn transcript(
        &mut self,
        session: SessionId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<MessageView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{MESSAGE_SELECT} WHERE m.session_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3"
            ))?;
            collect(&mut stmt, params![session, after_seq, limit], rows::message)
        })
    }

    fn events_after(
        &mut self,
        viewer: Viewer,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>> {
        let (sql, who, sup) = match viewer {
            Viewer::Agent { id, supervisor } => (
                // A message's events carry no body: the message is joined (`rows::event`).
                "SELECT e.id, e.body, e.seq, m.session_id, m.seq, m.author_kind,
                    m.author_id, m.author_name, m.body, m.client_msg_id, m.created_at, m.internal
                 FROM events e
                 LEFT JOIN messages m ON m.session_id = e.session_id AND m.seq = e.seq
                 WHERE e.id > ?1 AND (e.agent_id = ?2 OR (?3 AND e.supervisors = 1))
                 ORDER BY e.id LIMIT ?4",
                id,
                supervisor,
            ),
            Viewer::Customer(c) => (
                "SELECT e.id, e.body, e.seq, m.session_id, m.seq, m.author_kind,
                    m.author_id, m.author_name, m.body, m.client_msg_id, m.created_at, m.internal
                 FROM events e
                 LEFT JOIN messages m ON m.session_id = e.session_id AND m.seq = e.seq
                 WHERE e.id > ?1 AND e.customer_id = ?2 AND ?3 = ?3 AND m.internal IS NOT 1
                 ORDER BY e.id LIMIT ?4",
                c,
                false,
            ),
        };
        self.run(|c| {
            let mut stmt = c.prepare_cached(sql)?;
            collect(&mut stmt, params![cursor, who, sup, limit], rows::event)
        })
    }

    fn oldest_event_id(&mut self) -> Result<i64> {
        // Events below the retention floor are gone even when no event is left at all.
        self.run(|c| {
            let min: i64 = c
                .prepare_cached("SELECT COALESCE(MIN(id), 0) FROM events")?
                .query_row([], |r| r.get(0))?;
            Ok(min.max(super::retention::stored_floor(c)?))
        })
    }

    // The knowledge base's queries live in `kb.rs`.
    fn kb_search(&mut self, query: &str, limit: u32) -> Result<Vec<ArticleSummary>> {
        self.run(|c| kb::search(c, query, limit))
    }

    fn kb_get(&mut self, id: i64) -> Result<Option<Article>> {
        self.run(|c| kb::get(c, id))
    }

    fn kb_published(&mut self, ids: &[i64]) -> Result<Vec<ArticleSummary>> {
        self.run(|c| kb::published_summaries(c, ids))
    }

    fn kb_changed_since(&mut self, rev: i64, limit: u32) -> Result<Vec<(Article, i64)>> {
        self.run(|c| kb::changed_since(c, rev, limit))
    }

    fn kb_max_rev(&mut self) -> Result<i64> {
        self.run(kb::max_rev)
    }

    fn kb_versions(&mut self, id: i64) -> Result<Vec<ArticleVersion>> {
        self.run(|c| kb::versions(c, id))
    }

    fn kb_sent(&mut self, session: SessionId) -> Result<Vec<SentArticle>> {
        self.run(|c| kb::sent_in_session(c, session))
    }

    fn list_quick_replies(&mut self) -> Result<Vec<QuickReply>> {
        self.run(quick_replies::list_all)
    }

    fn quick_replies_of(&mut self, agent: AgentId, limit: u32) -> Result<Vec<QuickReply>> {
        self.run(|c| quick_replies::visible_to(c, agent, limit))
    }

    fn quick_reply(&mut self, id: i64) -> Result<Option<QuickReply>> {
        self.run(|c| quick_replies::get(c, id))
    }

    fn quick_reply_by_shortcut(
        &mut self,
        owner: Option<AgentId>,
        shortcut: &str,
    ) -> Result<Option<QuickReply>> {
        self.run(|c| quick_replies::by_shortcut(c, owner, shortcut))
    }

    fn count_quick_replies(&mut self, owner: Option<AgentId>) -> Result<usize> {
        self.run(|c| quick_replies::count(c, owner))
    }

    fn audit_entries(
        &mut self,
        since: Millis,
        action: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        self.run(|c| super::audit::list(c, since, action, limit))
    }

    fn audit_query(&mut self, q: &crate::store::AuditQuery) -> Result<Vec<AuditEntry>> {
        self.run(|c| super::audit::query(c, q))
    }
}

/// Everything start-up needs, read in one snapshot.
pub(super) fn recover(conn: &mut SqliteConn<'_>) -> Result<Recovered> {
    let agents = conn.list_agents()?;
    let groups = conn.list_groups()?;
    let mentioned = crate::store::notes::NotesRead::open_mentions(conn)?;
    conn.run(|c| {
        let mut stmt = c.prepare_cached(&format!(
            "{SESSION_SELECT} WHERE s.state <> 'ended' ORDER BY s.id"
        ))?;
        let open_sessions = collect(&mut stmt, [], |r| Ok((rows::session(r)?, rows::offer(r)?)))?;
        let mut stmt = c.prepare_cached(&format!(
            "{MESSAGE_SELECT} JOIN sessions s ON s.id = m.session_id
             WHERE s.state <> 'ended' AND m.client_msg_id IS NOT NULL
                AND m.seq > (SELECT max(seq) FROM messages WHERE session_id = s.id) - {IDEMPOTENCY_WINDOW}
             ORDER BY m.session_id, m.seq"
        ))?;
        let sent = collect(&mut stmt, [], rows::message)?;
        let max = |table: &str| -> Res<i64> {
            Ok(c.query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?)
        };
        Ok(Recovered {
            agents,
            groups,
            open_sessions,
            sent,
            mentioned,
            // Ids below the retention floor were handed out before, even if none is left.
            max_event_id: max("events")?.max(super::retention::stored_floor(c)? - 1),
            max_session_id: max("sessions")?,
            max_customer_id: max("customers")?,
        })
    })
}
