//! [`AccountRead`] / [`AccountTx`] on SQLite: the sign-in columns of `tokens`, `agents.disabled`
//! and the `agent_profiles` side table.

use super::reads::SqliteConn;
use super::rows::collect;
use crate::model::{AgentId, Millis};
use crate::store::account::{AccountRead, AccountTx, Profile, SignIn};
use crate::store::{Result, StoreError};
use rusqlite::{OptionalExtension, params};

fn profile_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Profile> {
    Ok(Profile {
        initials: r.get(at)?,
        color: r.get(at + 1)?,
        signature: r.get(at + 2)?,
        language: r.get(at + 3)?,
    })
}

const SIGN_IN_SELECT: &str = "SELECT rowid, hash, created_at,
    COALESCE(last_used_at, created_at), expires_at, client, address FROM tokens";

fn sign_in_row(r: &rusqlite::Row) -> rusqlite::Result<SignIn> {
    Ok(SignIn {
        id: r.get(0)?,
        hash: r.get(1)?,
        created_at: r.get(2)?,
        last_used_at: r.get(3)?,
        expires_at: r.get(4)?,
        client: r.get(5)?,
        address: r.get(6)?,
    })
}

impl AccountRead for SqliteConn<'_> {
    fn sign_ins_of(
        &mut self,
        agent: AgentId,
        now: Millis,
        idle_since: Millis,
        limit: u32,
    ) -> Result<Vec<SignIn>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{SIGN_IN_SELECT} WHERE agent_id = ?1 AND expires_at > ?2
                   AND COALESCE(last_used_at, created_at) >= ?3
                 ORDER BY rowid LIMIT ?4"
            ))?;
            collect(&mut stmt, params![agent, now, idle_since, limit], |r| {
                Ok(sign_in_row(r)?)
            })
        })
    }

    fn sign_in_by_id(&mut self, agent: AgentId, id: i64) -> Result<Option<SignIn>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{SIGN_IN_SELECT} WHERE rowid = ?1 AND agent_id = ?2"
            ))?;
            Ok(stmt.query_row(params![id, agent], sign_in_row).optional()?)
        })
    }

    fn agent_sign_in(
        &mut self,
        hash: &str,
        now: Millis,
        idle_since: Millis,
    ) -> Result<Option<AgentId>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.agent_id FROM tokens t JOIN agents a ON a.id = t.agent_id
                 WHERE t.hash = ?1 AND t.expires_at > ?2
                   AND COALESCE(t.last_used_at, t.created_at) >= ?3 AND a.disabled = 0",
            )?;
            Ok(stmt
                .query_row(params![hash, now, idle_since], |r| r.get(0))
                .optional()?)
        })
    }

    fn agent_disabled(&mut self, agent: AgentId) -> Result<bool> {
        self.run(|c| {
            let mut stmt = c.prepare_cached("SELECT disabled FROM agents WHERE id = ?1")?;
            let d: Option<bool> = stmt.query_row([agent], |r| r.get(0)).optional()?;
            Ok(d.unwrap_or(false))
        })
    }

    fn profile(&mut self, agent: AgentId) -> Result<Profile> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT initials, color, signature, language FROM agent_profiles
                 WHERE agent_id = ?1",
            )?;
            Ok(stmt
                .query_row([agent], |r| profile_row(r, 0))
                .optional()?
                .unwrap_or_default())
        })
    }

    fn profiles(&mut self) -> Result<Vec<(AgentId, Profile)>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT agent_id, initials, color, signature, language FROM agent_profiles
                 ORDER BY agent_id",
            )?;
            collect(&mut stmt, [], |r| Ok((r.get(0)?, profile_row(r, 1)?)))
        })
    }
}

impl AccountTx for SqliteConn<'_> {
    fn record_sign_in(
        &mut self,
        hash: &str,
        now: Millis,
        client: Option<&str>,
        address: Option<&str>,
    ) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "UPDATE tokens SET last_used_at = ?2, client = ?3, address = ?4 WHERE hash = ?1",
            )?
            .execute(params![hash, now, client, address])?;
            Ok(())
        })
    }

    fn touch_sign_ins(&mut self, uses: &[(String, Millis)]) -> Result<()> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "UPDATE tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), ?2)
                 WHERE hash = ?1",
            )?;
            for (hash, at) in uses {
                stmt.execute(params![hash, at])?;
            }
            Ok(())
        })
    }

    fn end_sign_in(&mut self, agent: AgentId, id: i64) -> Result<bool> {
        self.run(|c| {
            let n = c.execute(
                "DELETE FROM tokens WHERE rowid = ?1 AND agent_id = ?2",
                params![id, agent],
            )?;
            Ok(n > 0)
        })
    }

    fn set_agent_disabled(&mut self, agent: AgentId, disabled: bool) -> Result<()> {
        self.run(|c| {
            let n = c.execute(
                "UPDATE agents SET disabled = ?2 WHERE id = ?1",
                params![agent, disabled],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no agent with id {agent}")).into());
            }
            Ok(())
        })
    }

    fn save_profile(
        &mut self,
        agent: AgentId,
        display_name: &str,
        contact: Option<&str>,
        p: &Profile,
        now: Millis,
    ) -> Result<()> {
        self.run(|c| {
            let n = c.execute(
                "UPDATE agents SET display_name = ?2, contact = ?3 WHERE id = ?1",
                params![agent, display_name, contact],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no agent with id {agent}")).into());
            }
            c.execute(
                "INSERT INTO agent_profiles (agent_id, initials, color, signature, language,
                    updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(agent_id) DO UPDATE SET initials = excluded.initials,
                    color = excluded.color, signature = excluded.signature,
                    language = excluded.language, updated_at = excluded.updated_at",
                params![agent, p.initials, p.color, p.signature, p.language, now],
            )?;
            Ok(())
        })
    }
}
