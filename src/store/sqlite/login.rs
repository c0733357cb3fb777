//! [`LoginRead`] / [`LoginTx`] on SQLite: the `login_throttle` table, one row per account with
//! failures (deleted when they are cleared).

use super::reads::SqliteConn;
use crate::model::AgentId;
use crate::store::Result;
use crate::store::login::{LoginRead, LoginState, LoginTx};
use rusqlite::{OptionalExtension, params};

impl LoginRead for SqliteConn<'_> {
    fn login_state(&mut self, agent: AgentId) -> Result<LoginState> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT failures, last_failure_at, next_attempt_at, locked_until
                   FROM login_throttle WHERE agent_id = ?1",
            )?;
            let row = stmt
                .query_row([agent], |r| {
                    Ok(LoginState {
                        failures: r.get(0)?,
                        last_failure_at: r.get(1)?,
                        next_attempt_at: r.get(2)?,
                        locked_until: r.get(3)?,
                    })
                })
                .optional()?;
            Ok(row.unwrap_or_default())
        })
    }
}

impl LoginTx for SqliteConn<'_> {
    fn put_login_state(&mut self, agent: AgentId, s: &LoginState) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO login_throttle
                     (agent_id, failures, last_failure_at, next_attempt_at, locked_until)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (agent_id) DO UPDATE SET failures = excluded.failures,
                     last_failure_at = excluded.last_failure_at,
                     next_attempt_at = excluded.next_attempt_at,
                     locked_until = excluded.locked_until",
            )?
            .execute(params![
                agent,
                s.failures,
                s.last_failure_at,
                s.next_attempt_at,
                s.locked_until
            ])?;
            Ok(())
        })
    }

    fn clear_login_state(&mut self, agent: AgentId) -> Result<LoginState> {
        let before = self.login_state(agent)?;
        self.run(|c| {
            c.prepare_cached("DELETE FROM login_throttle WHERE agent_id = ?1")?
                .execute([agent])?;
            Ok(())
        })?;
        Ok(before)
    }
}
