//! The second factor on SQLite (see `store::totp`): the `agent_totp` and
//! `agent_recovery_codes` tables.

use super::reads::SqliteConn;
use crate::model::{AgentId, Millis};
use crate::store::Result;
use crate::store::totp::{TotpRead, TotpState, TotpTx};
use rusqlite::{OptionalExtension, params};

impl TotpRead for SqliteConn<'_> {
    fn totp_state(&mut self, agent: AgentId) -> Result<Option<TotpState>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.secret, t.confirmed, t.last_step,
                    (SELECT COUNT(*) FROM agent_recovery_codes r
                      WHERE r.agent_id = t.agent_id AND r.used_at IS NULL)
                 FROM agent_totp t WHERE t.agent_id = ?1",
            )?;
            Ok(stmt
                .query_row([agent], |r| {
                    let last: Option<i64> = r.get(2)?;
                    Ok(TotpState {
                        secret: r.get(0)?,
                        confirmed: r.get(1)?,
                        last_step: last.and_then(|s| u64::try_from(s).ok()),
                        recovery_left: r.get(3)?,
                    })
                })
                .optional()?)
        })
    }
}

/// Steps are about 2^26 today; they fit an i64 for ages.
fn step_sql(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

impl TotpTx for SqliteConn<'_> {
    fn totp_begin(&mut self, agent: AgentId, secret: &str, now: Millis) -> Result<()> {
        self.run(|c| {
            c.execute(
                "INSERT OR REPLACE INTO agent_totp (agent_id, secret, confirmed, created_at)
                 VALUES (?1, ?2, 0, ?3)",
                params![agent, secret, now],
            )?;
            c.execute(
                "DELETE FROM agent_recovery_codes WHERE agent_id = ?1",
                [agent],
            )?;
            Ok(())
        })
    }

    fn totp_confirm(
        &mut self,
        agent: AgentId,
        step: u64,
        recovery_hashes: &[String],
        now: Millis,
    ) -> Result<()> {
        self.run(|c| {
            c.execute(
                "UPDATE agent_totp SET confirmed = 1, last_step = ?2, confirmed_at = ?3
                 WHERE agent_id = ?1",
                params![agent, step_sql(step), now],
            )?;
            c.execute(
                "DELETE FROM agent_recovery_codes WHERE agent_id = ?1",
                [agent],
            )?;
            let mut stmt = c.prepare_cached(
                "INSERT OR IGNORE INTO agent_recovery_codes (agent_id, code_hash) VALUES (?1, ?2)",
            )?;
            for h in recovery_hashes {
                stmt.execute(params![agent, h])?;
            }
            Ok(())
        })
    }

    fn totp_use_step(&mut self, agent: AgentId, step: u64) -> Result<bool> {
        self.run(|c| {
            let n = c.execute(
                "UPDATE agent_totp SET last_step = ?2
                 WHERE agent_id = ?1 AND (last_step IS NULL OR last_step < ?2)",
                params![agent, step_sql(step)],
            )?;
            Ok(n == 1)
        })
    }

    fn totp_use_recovery(&mut self, agent: AgentId, hash: &str, now: Millis) -> Result<bool> {
        self.run(|c| {
            let n = c.execute(
                "UPDATE agent_recovery_codes SET used_at = ?3
                 WHERE agent_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
                params![agent, hash, now],
            )?;
            Ok(n == 1)
        })
    }

    fn totp_end_other_sign_ins(&mut self, agent: AgentId, keep: Option<&str>) -> Result<u64> {
        self.run(|c| {
            let n = c.execute(
                "DELETE FROM tokens WHERE agent_id = ?1 AND (?2 IS NULL OR hash <> ?2)",
                params![agent, keep],
            )?;
            Ok(n as u64)
        })
    }

    fn totp_delete(&mut self, agent: AgentId) -> Result<bool> {
        self.run(|c| {
            c.execute(
                "DELETE FROM agent_recovery_codes WHERE agent_id = ?1",
                [agent],
            )?;
            let n = c.execute("DELETE FROM agent_totp WHERE agent_id = ?1", [agent])?;
            Ok(n == 1)
        })
    }
}
