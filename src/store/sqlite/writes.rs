//! The writes ([`Tx`]) of one SQLite write transaction, and its savepoints.

use super::error::SqlError;
use super::kb;
use super::quick_replies;
use super::reads::SqliteConn;
use super::rows::tags_json;
use super::session_rows;
use super::{audit, purge, retention};
use crate::model::{AgentId, AgentStatus, CustomerId, Millis, SessionId, Strategy};
use crate::protocol::{Article, CustomerView, MessageView, QuickReply, SessionView};
use crate::store::{
    AgentRow, Audience, AuditEntry, Principal, Pruned, PurgeProgress, PurgeSpec, Read, Result,
    Retention, SaveOutcome, StoreError, Tx,
};
use rusqlite::params;

impl Tx for SqliteConn<'_> {
    fn savepoint(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.run(|c| Ok(c.prepare_cached("SAVEPOINT kefu_job")?.execute([])?))?;
        let result = f(self);
        // SQLite rolls the whole transaction back by itself after some failures (disk full,
        // I/O): then there is no savepoint left to release or roll back to.
        if self.conn.is_autocommit() {
            return result.and(Err(StoreError::Backend(
                "the transaction ended inside a savepoint".into(),
            )));
        }
        match result {
            Ok(()) => self.run(|c| Ok(c.prepare_cached("RELEASE kefu_job")?.execute([])?))?,
            Err(e) => {
                // What was remembered inside the savepoint may be undone now.
                if let Some(w) = self.written.as_deref_mut() {
                    w.forget_all();
                }
                self.run(|c| {
                    c.prepare_cached("ROLLBACK TO kefu_job")?.execute([])?;
                    c.prepare_cached("RELEASE kefu_job")?.execute([])?;
                    Ok(())
                })?;
                return Err(e);
            }
        };
        Ok(())
    }

    fn insert_agent(&mut self, a: &AgentRow) -> Result<AgentId> {
        if self.agent_by_username(&a.username)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "agent `{}` already exists",
                a.username
            )));
        }
        let id = self.run(|c| {
            c.execute(
                "INSERT INTO agents (username, display_name, employee_no, contact, role,
                    password_hash, must_change_password, max_sessions, status, created_at)
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
            Ok(c.last_insert_rowid())
        })?;
        for g in &a.groups {
            self.add_member(g, id)?;
        }
        Ok(id)
    }

    fn set_agent_status(&mut self, id: AgentId, status: AgentStatus) -> Result<()> {
        self.run(|c| {
            c.prepare_cached("UPDATE agents SET status = ?2 WHERE id = ?1")?
                .execute(params![id, status.as_str()])?;
            Ok(())
        })
    }

    fn set_password(&mut self, id: AgentId, hash: &str, must_change: bool) -> Result<()> {
        self.run(|c| {
            let n = c.execute(
                "UPDATE agents SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
                params![id, hash, must_change],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no agent with id {id}")).into());
            }
            // A new password ends every session logged in with the old one.
            c.execute("DELETE FROM tokens WHERE agent_id = ?1", [id])?;
            Ok(())
        })
    }

    fn delete_agent_tokens(&mut self, agent: AgentId) -> Result<u64> {
        self.run(|c| {
            let n = c.execute("DELETE FROM tokens WHERE agent_id = ?1", [agent])?;
            Ok(n as u64)
        })
    }

    fn upsert_group(&mut self, name: &str, strategy: Strategy) -> Result<()> {
        self.run(|c| {
            c.execute(
                "INSERT INTO skill_groups (name, strategy) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET strategy = excluded.strategy",
                params![name, strategy.as_str()],
            )?;
            Ok(())
        })
    }

    fn add_member(&mut self, group: &str, agent: AgentId) -> Result<()> {
        self.run(|c| {
            let known: bool = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM skill_groups WHERE name = ?1)",
                [group],
                |r| r.get(0),
            )?;
            if !known {
                return Err(SqlError::Store(StoreError::NotFound(format!(
                    "no skill group `{group}` (create it with `kefu admin group add {group}`)"
                ))));
            }
            c.execute(
                "INSERT OR IGNORE INTO group_members (group_name, agent_id) VALUES (?1, ?2)",
                params![group, agent],
            )?;
            Ok(())
        })
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
        self.run(|c| {
            c.execute(
                "INSERT INTO tokens (hash, agent_id, customer_id, expires_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hash, agent, customer, expires_at, now],
            )?;
            Ok(())
        })
    }

    fn delete_token(&mut self, hash: &str) -> Result<()> {
        self.run(|c| {
            c.execute("DELETE FROM tokens WHERE hash = ?1", [hash])?;
            Ok(())
        })
    }

    fn insert_customer(&mut self, cu: &CustomerView, now: Millis) -> Result<()> {
        self.run(|c| {
            c.execute(
                "INSERT INTO customers (id, external_id, nickname, channel, vip, tags, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    cu.id,
                    cu.external_id,
                    cu.nickname,
                    cu.channel.as_str(),
                    cu.vip,
                    tags_json(&cu.tags),
                    now
                ],
            )?;
            Ok(())
        })
    }

    fn update_customer(&mut self, cu: &CustomerView) -> Result<()> {
        self.run(|c| {
            c.execute(
                "UPDATE customers SET external_id = ?2, nickname = ?3, channel = ?4, vip = ?5,
                    tags = ?6
                 WHERE id = ?1",
                params![
                    cu.id,
                    cu.external_id,
                    cu.nickname,
                    cu.channel.as_str(),
                    cu.vip,
                    tags_json(&cu.tags)
                ],
            )?;
            Ok(())
        })
    }

    fn put_session(&mut self, s: &SessionView, offer: Option<(AgentId, Millis)>) -> Result<()> {
        let written = self.written.as_deref_mut();
        session_rows::put(self.conn, written, s, offer).map_err(|e| self.ctx.err(e))
    }

    fn insert_message(&mut self, m: &MessageView) -> Result<()> {
        self.run(|c| {
            let insert = |client_msg_id: Option<&str>| {
                c.prepare_cached(
                    "INSERT INTO messages (session_id, seq, author_kind, author_id, author_name,
                        body, client_msg_id, created_at, internal)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (session_id, author_kind, author_id, client_msg_id)
                        WHERE client_msg_id IS NOT NULL DO NOTHING",
                )?
                .execute(params![
                    m.session_id,
                    m.seq,
                    m.author_kind.as_str(),
                    m.author_id,
                    m.author_name,
                    m.body,
                    client_msg_id,
                    m.created_at,
                    m.internal
                ])
            };
            // A client_msg_id already stored in this conversation: a retry of a message older
            // than the hub remembers (`server::acks`). The hub made it a new message; keep it,
            // without the id that would make it a duplicate.
            if insert(m.client_msg_id.as_deref())? == 0 {
                insert(None)?;
            }
            Ok(())
        })
    }

    fn insert_event(
        &mut self,
        id: i64,
        audience: Audience,
        session: Option<SessionId>,
        body: &str,
        now: Millis,
    ) -> Result<()> {
        let (agent, customer, sup) = audience_columns(audience);
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO events (id, agent_id, customer_id, supervisors, session_id, body,
                    created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![id, agent, customer, sup, session, body, now])?;
            Ok(())
        })
    }

    fn insert_message_event(
        &mut self,
        id: i64,
        audience: Audience,
        session: SessionId,
        seq: i64,
        now: Millis,
    ) -> Result<()> {
        let (agent, customer, sup) = audience_columns(audience);
        self.run(|c| {
            // No body: a replay joins the message (see `reads.rs`).
            c.prepare_cached(
                "INSERT INTO events (id, agent_id, customer_id, supervisors, session_id, seq,
                    body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7)",
            )?
            .execute(params![id, agent, customer, sup, session, seq, now])?;
            Ok(())
        })
    }

    fn insert_article(&mut self, article: &Article) -> Result<i64> {
        self.run(|c| kb::insert_article(c, article))
    }

    fn save_article(&mut self, article: &Article) -> Result<SaveOutcome> {
        self.run(|c| kb::save_article(c, article))
    }

    fn record_sent_article(
        &mut self,
        session: SessionId,
        article: i64,
        agent: Option<AgentId>,
        now: Millis,
    ) -> Result<()> {
        self.run(|c| kb::record_sent(c, session, article, agent, now))
    }

    fn insert_quick_reply(&mut self, reply: &QuickReply) -> Result<i64> {
        let mut new = reply.clone();
        new.id = 0;
        self.run(|c| quick_replies::save(c, &new, reply.created_at).map(|q| q.id))
    }

    fn save_quick_reply(&mut self, reply: &QuickReply, now: Millis) -> Result<QuickReply> {
        self.run(|c| quick_replies::save(c, reply, now))
    }

    fn delete_quick_reply(&mut self, id: i64) -> Result<bool> {
        self.run(|c| quick_replies::delete(c, id))
    }

    fn record_quick_reply_use(&mut self, id: i64, agent: AgentId, now: Millis) -> Result<u32> {
        self.run(|c| quick_replies::record_use(c, id, agent, now))
    }

    // Retention, the audit log and purges live in `retention.rs`, `audit.rs`, `purge.rs`.
    fn prune(
        &mut self,
        policy: &Retention,
        now: Millis,
        batch: u32,
        keep_tokens: &[String],
    ) -> Result<Pruned> {
        self.run(|c| retention::prune(c, policy, now, batch, keep_tokens))
    }

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<i64> {
        self.run(|c| audit::append(c, entry))
    }

    fn purge_step(&mut self, spec: &PurgeSpec, progress: &mut PurgeProgress) -> Result<()> {
        self.run(|c| purge::step(c, spec, progress))
    }
}

/// The (agent_id, customer_id, supervisors) columns of an event for `audience`.
fn audience_columns(audience: Audience) -> (Option<AgentId>, Option<CustomerId>, bool) {
    match audience {
        Audience::Agent(a) => (Some(a), None, false),
        Audience::Customer(c) => (None, Some(c), false),
        Audience::Supervisors => (None, None, true),
    }
}
