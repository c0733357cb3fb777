//! The SQLite backend: WAL, `synchronous=FULL`, foreign keys on, `BEGIN IMMEDIATE` for writes.

use super::migrations::MIGRATIONS;
use super::*;
use crate::model::{Channel, EndReason, SessionState};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::path::Path;

mod kb;

pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and runs pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut wrapped = SqliteTx { tx: &tx };
        f(&mut wrapped)?;
        tx.commit()?;
        Ok(())
    }

    fn recover(&mut self) -> Result<Recovered> {
        let mut out = Recovered::default();
        self.transaction(&mut |tx| {
            out.agents = tx.list_agents()?;
            out.groups = tx.list_groups()?;
            Ok(())
        })?;
        let c = &self.conn;
        let mut stmt = c.prepare(&format!(
            "{SESSION_SELECT} WHERE s.state <> 'ended' ORDER BY s.id"
        ))?;
        let rows = stmt.query_map([], |r| Ok((session_from_row(r), offer_from_row(r))))?;
        for row in rows {
            let (session, offer) = row?;
            out.open_sessions.push((session??, offer??));
        }
        let mut stmt = c.prepare(&format!(
            "{MESSAGE_SELECT} JOIN sessions s ON s.id = m.session_id
             WHERE s.state <> 'ended' AND m.client_msg_id IS NOT NULL"
        ))?;
        let rows = stmt.query_map([], message_from_row)?;
        for row in rows {
            out.sent.push(row??);
        }
        out.max_event_id =
            c.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?;
        out.max_session_id = c.query_row("SELECT COALESCE(MAX(id), 0) FROM sessions", [], |r| {
            r.get(0)
        })?;
        out.max_customer_id =
            c.query_row("SELECT COALESCE(MAX(id), 0) FROM customers", [], |r| {
                r.get(0)
            })?;
        Ok(out)
    }
}

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

fn parse<T: std::str::FromStr<Err = String>>(s: String) -> Result<T> {
    s.parse().map_err(StoreError::Corrupt)
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

fn parse_tags(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("tags: {e}")))
}

const AGENT_SELECT: &str = "SELECT a.id, a.username, a.display_name, a.employee_no, a.contact,
    a.role, a.password_hash, a.must_change_password, a.max_sessions, a.status,
    (SELECT COALESCE(json_group_array(group_name), '[]') FROM
        (SELECT group_name FROM group_members WHERE agent_id = a.id ORDER BY group_name))
    FROM agents a";

fn agent_from_row(r: &Row) -> rusqlite::Result<Result<AgentRow>> {
    let role: String = r.get(5)?;
    let status: String = r.get(9)?;
    let groups: String = r.get(10)?;
    let build = || -> Result<AgentRow> {
        Ok(AgentRow {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: r.get(2)?,
            employee_no: r.get(3)?,
            contact: r.get(4)?,
            role: parse(role)?,
            password_hash: r.get(6)?,
            must_change_password: r.get(7)?,
            max_sessions: r.get(8)?,
            status: parse(status)?,
            groups: parse_tags(&groups)?,
        })
    };
    Ok(build())
}

const CUSTOMER_COLS: &str = "c.id, c.external_id, c.nickname, c.channel, c.vip, c.tags";

fn customer_from_row(r: &Row, at: usize) -> Result<CustomerView> {
    Ok(CustomerView {
        id: r.get(at)?,
        external_id: r.get(at + 1)?,
        nickname: r.get(at + 2)?,
        channel: parse::<Channel>(r.get(at + 3)?)?,
        vip: r.get(at + 4)?,
        tags: parse_tags(&r.get::<_, String>(at + 5)?)?,
    })
}

const SESSION_SELECT: &str =
    "SELECT s.id, s.channel, s.state, s.group_name, s.assignee, s.priority,
    s.intent, s.tags, s.follow_up, s.created_at, s.queued_at, s.offered_at, s.accepted_at,
    s.first_human_reply_at, s.ended_at, s.end_reason, s.csat, s.last_seq, s.waiting_since,
    s.offered_to, s.offer_expires_at,
    c.id, c.external_id, c.nickname, c.channel, c.vip, c.tags
    FROM sessions s JOIN customers c ON c.id = s.customer_id";

fn session_from_row(r: &Row) -> rusqlite::Result<Result<SessionView>> {
    let build = || -> Result<SessionView> {
        let end_reason: Option<String> = r.get(15)?;
        Ok(SessionView {
            id: r.get(0)?,
            channel: parse::<Channel>(r.get(1)?)?,
            state: parse::<SessionState>(r.get(2)?)?,
            group: r.get(3)?,
            assignee: r.get(4)?,
            priority: r.get(5)?,
            intent: r.get(6)?,
            tags: parse_tags(&r.get::<_, String>(7)?)?,
            follow_up: r.get(8)?,
            created_at: r.get(9)?,
            queued_at: r.get(10)?,
            offered_at: r.get(11)?,
            accepted_at: r.get(12)?,
            first_human_reply_at: r.get(13)?,
            ended_at: r.get(14)?,
            end_reason: end_reason.map(parse::<EndReason>).transpose()?,
            csat: r.get(16)?,
            last_seq: r.get(17)?,
            waiting_since: r.get(18)?,
            customer: customer_from_row(r, 21)?,
        })
    };
    Ok(build())
}

fn offer_from_row(r: &Row) -> rusqlite::Result<Result<Option<(AgentId, Millis)>>> {
    let to: Option<AgentId> = r.get(19)?;
    let until: Option<Millis> = r.get(20)?;
    Ok(Ok(to.zip(until)))
}

const MESSAGE_SELECT: &str = "SELECT m.session_id, m.seq, m.author_kind, m.author_id,
    m.author_name, m.body, m.client_msg_id, m.created_at FROM messages m";

fn message_from_row(r: &Row) -> rusqlite::Result<Result<MessageView>> {
    let kind: String = r.get(2)?;
    let build = || -> Result<MessageView> {
        Ok(MessageView {
            session_id: r.get(0)?,
            seq: r.get(1)?,
            author_kind: parse::<AuthorKind>(kind)?,
            author_id: r.get(3)?,
            author_name: r.get(4)?,
            body: r.get(5)?,
            client_msg_id: r.get(6)?,
            created_at: r.get(7)?,
        })
    };
    Ok(build())
}

/// Runs a query whose row mapper returns a nested `Result` and flattens both layers.
fn collect<T>(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
    map: impl FnMut(&Row) -> rusqlite::Result<Result<T>>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for row in stmt.query_map(params, map)? {
        out.push(row??);
    }
    Ok(out)
}

impl Tx for SqliteTx<'_> {
    fn insert_agent(&mut self, a: &AgentRow) -> Result<AgentId> {
        let exists = self.agent_by_username(&a.username)?.is_some();
        if exists {
            return Err(StoreError::Conflict(format!(
                "agent `{}` already exists",
                a.username
            )));
        }
        self.tx.execute(
            "INSERT INTO agents (username, display_name, employee_no, contact, role, password_hash,
                must_change_password, max_sessions, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                a.username,
                a.display_name,
                a.employee_no,
                a.contact,
                a.role.as_str(),
                a.password_hash,
                a.must_change_password,
                a.max_sessions,
                a.status.as_str(),
                crate::model::now_ms()
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        for g in &a.groups {
            self.add_member(g, id)?;
        }
        Ok(id)
    }

    fn agent_by_username(&mut self, username: &str) -> Result<Option<AgentRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("{AGENT_SELECT} WHERE a.username = ?1"))?;
        Ok(collect(&mut stmt, [username], agent_from_row)?.pop())
    }

    fn agent_by_id(&mut self, id: AgentId) -> Result<Option<AgentRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("{AGENT_SELECT} WHERE a.id = ?1"))?;
        Ok(collect(&mut stmt, [id], agent_from_row)?.pop())
    }

    fn list_agents(&mut self) -> Result<Vec<AgentRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("{AGENT_SELECT} ORDER BY a.id"))?;
        collect(&mut stmt, [], agent_from_row)
    }

    fn set_agent_status(&mut self, id: AgentId, status: AgentStatus) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("UPDATE agents SET status = ?2 WHERE id = ?1")?;
        stmt.execute(params![id, status.as_str()])?;
        Ok(())
    }

    fn set_password(&mut self, id: AgentId, hash: &str, must_change: bool) -> Result<()> {
        let n = self.tx.execute(
            "UPDATE agents SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
            params![id, hash, must_change],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("no agent with id {id}")));
        }
        // A new password ends every session logged in with the old one.
        self.tx
            .execute("DELETE FROM tokens WHERE agent_id = ?1", [id])?;
        Ok(())
    }

    fn upsert_group(&mut self, name: &str, strategy: Strategy) -> Result<()> {
        self.tx.execute(
            "INSERT INTO skill_groups (name, strategy) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET strategy = excluded.strategy",
            params![name, strategy.as_str()],
        )?;
        Ok(())
    }

    fn list_groups(&mut self) -> Result<Vec<(String, Strategy)>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT name, strategy FROM skill_groups ORDER BY name")?;
        collect(&mut stmt, [], |r| {
            let name: String = r.get(0)?;
            let strategy: String = r.get(1)?;
            Ok(parse::<Strategy>(strategy).map(|s| (name, s)))
        })
    }

    fn add_member(&mut self, group: &str, agent: AgentId) -> Result<()> {
        let known: bool = self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM skill_groups WHERE name = ?1)",
            [group],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::NotFound(format!(
                "no skill group `{group}` (create it with `kefu admin group add {group}`)"
            )));
        }
        self.tx.execute(
            "INSERT OR IGNORE INTO group_members (group_name, agent_id) VALUES (?1, ?2)",
            params![group, agent],
        )?;
        Ok(())
    }

    fn insert_token(
        &mut self,
        hash: &str,
        p: Principal,
        expires_at: Millis,
        now: Millis,
    ) -> Result<()> {
        let (agent, customer) = match p {
            Principal::Agent(a) => (Some(a), None),
            Principal::Customer(c) => (None, Some(c)),
        };
        self.tx.execute(
            "INSERT INTO tokens (hash, agent_id, customer_id, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash, agent, customer, expires_at, now],
        )?;
        Ok(())
    }

    fn token(&mut self, hash: &str, now: Millis) -> Result<Option<Principal>> {
        let mut stmt = self.tx.prepare_cached(
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
    }

    fn delete_token(&mut self, hash: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM tokens WHERE hash = ?1", [hash])?;
        Ok(())
    }

    fn insert_customer(&mut self, c: &CustomerView, now: Millis) -> Result<()> {
        self.tx.execute(
            "INSERT INTO customers (id, external_id, nickname, channel, vip, tags, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                c.id,
                c.external_id,
                c.nickname,
                c.channel.as_str(),
                c.vip,
                tags_json(&c.tags),
                now
            ],
        )?;
        Ok(())
    }

    fn customer(&mut self, id: CustomerId) -> Result<Option<CustomerView>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {CUSTOMER_COLS} FROM customers c WHERE c.id = ?1"
        ))?;
        collect(&mut stmt, [id], |r| Ok(customer_from_row(r, 0))).map(|mut v| v.pop())
    }

    fn customer_by_external_id(&mut self, external_id: &str) -> Result<Option<CustomerView>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {CUSTOMER_COLS} FROM customers c WHERE c.external_id = ?1"
        ))?;
        collect(&mut stmt, [external_id], |r| Ok(customer_from_row(r, 0))).map(|mut v| v.pop())
    }

    fn update_customer(&mut self, c: &CustomerView) -> Result<()> {
        self.tx.execute(
            "UPDATE customers SET external_id = ?2, nickname = ?3, channel = ?4, vip = ?5, tags = ?6
             WHERE id = ?1",
            params![c.id, c.external_id, c.nickname, c.channel.as_str(), c.vip, tags_json(&c.tags)],
        )?;
        Ok(())
    }

    fn put_session(&mut self, s: &SessionView, offer: Option<(AgentId, Millis)>) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO sessions (id, customer_id, channel, state, group_name, assignee,
                offered_to, offer_expires_at, priority, intent, tags, follow_up, created_at,
                queued_at, offered_at, accepted_at, first_human_reply_at, ended_at, end_reason,
                csat, last_seq, waiting_since)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22)",
        )?;
        stmt.execute(params![
            s.id,
            s.customer.id,
            s.channel.as_str(),
            s.state.as_str(),
            s.group,
            s.assignee,
            offer.map(|o| o.0),
            offer.map(|o| o.1),
            s.priority,
            s.intent,
            tags_json(&s.tags),
            s.follow_up,
            s.created_at,
            s.queued_at,
            s.offered_at,
            s.accepted_at,
            s.first_human_reply_at,
            s.ended_at,
            s.end_reason.map(|r| r.as_str()),
            s.csat,
            s.last_seq,
            s.waiting_since,
        ])?;
        Ok(())
    }

    fn session(&mut self, id: SessionId) -> Result<Option<SessionView>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("{SESSION_SELECT} WHERE s.id = ?1"))?;
        Ok(collect(&mut stmt, [id], session_from_row)?.pop())
    }

    fn sessions_of_customer(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<SessionView>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{SESSION_SELECT} WHERE s.customer_id = ?1 ORDER BY s.id DESC LIMIT ?2"
        ))?;
        collect(&mut stmt, params![customer, limit], session_from_row)
    }

    fn insert_message(&mut self, m: &MessageView) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO messages (session_id, seq, author_kind, author_id, author_name, body,
                client_msg_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        stmt.execute(params![
            m.session_id,
            m.seq,
            m.author_kind.as_str(),
            m.author_id,
            m.author_name,
            m.body,
            m.client_msg_id,
            m.created_at
        ])?;
        let mut stmt = self
            .tx
            .prepare_cached("UPDATE sessions SET last_seq = ?2 WHERE id = ?1")?;
        stmt.execute(params![m.session_id, m.seq])?;
        Ok(())
    }

    fn transcript(
        &mut self,
        session: SessionId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<MessageView>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{MESSAGE_SELECT} WHERE m.session_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3"
        ))?;
        collect(
            &mut stmt,
            params![session, after_seq, limit],
            message_from_row,
        )
    }

    fn insert_event(
        &mut self,
        id: i64,
        audience: Audience,
        session: Option<SessionId>,
        body: &str,
        now: Millis,
    ) -> Result<()> {
        let (agent, customer, sup) = match audience {
            Audience::Agent(a) => (Some(a), None, false),
            Audience::Customer(c) => (None, Some(c), false),
            Audience::Supervisors => (None, None, true),
        };
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO events (id, agent_id, customer_id, supervisors, session_id, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        stmt.execute(params![id, agent, customer, sup, session, body, now])?;
        Ok(())
    }

    fn events_after(
        &mut self,
        viewer: Viewer,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>> {
        let (sql, who, sup) = match viewer {
            Viewer::Agent { id, supervisor } => (
                "SELECT id, body FROM events WHERE id > ?1 AND (agent_id = ?2 OR (?3 AND supervisors = 1))
                 ORDER BY id LIMIT ?4",
                id,
                supervisor,
            ),
            Viewer::Customer(c) => (
                "SELECT id, body FROM events WHERE id > ?1 AND customer_id = ?2 AND ?3 = ?3
                 ORDER BY id LIMIT ?4",
                c,
                false,
            ),
        };
        let mut stmt = self.tx.prepare_cached(sql)?;
        collect(&mut stmt, params![cursor, who, sup, limit], |r| {
            Ok(Ok((r.get(0)?, r.get(1)?)))
        })
    }

    fn oldest_event_id(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_row("SELECT COALESCE(MIN(id), 0) FROM events", [], |r| r.get(0))?)
    }

    // The knowledge base lives in `sqlite/kb.rs` to keep this file readable.
    fn insert_article(&mut self, article: &Article) -> Result<i64> {
        kb::insert_article(self.tx, article)
    }

    fn kb_search(&mut self, query: &str, limit: u32) -> Result<Vec<ArticleSummary>> {
        kb::search(self.tx, query, limit)
    }

    fn kb_get(&mut self, id: i64) -> Result<Option<Article>> {
        kb::get(self.tx, id)
    }

    fn insert_quick_reply(&mut self, reply: &QuickReply) -> Result<i64> {
        kb::insert_quick_reply(self.tx, reply)
    }

    fn list_quick_replies(&mut self) -> Result<Vec<QuickReply>> {
        kb::list_quick_replies(self.tx)
    }
}
