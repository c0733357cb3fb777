//! Roles and supervised groups on SQLite (see `store::roles`).

use super::reads::SqliteConn;
use crate::model::{AgentId, Role};
use crate::store::roles::{RolesRead, RolesTx};
use crate::store::{Result, StoreError};
use rusqlite::params;

impl RolesRead for SqliteConn<'_> {
    fn supervised_groups(&mut self, agent: AgentId) -> Result<Vec<String>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT group_name FROM agent_supervises WHERE agent_id = ?1 ORDER BY group_name",
            )?;
            let rows = stmt.query_map([agent], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

impl RolesTx for SqliteConn<'_> {
    fn set_role(&mut self, agent: AgentId, role: Role, supervises: &[String]) -> Result<()> {
        let groups = self.list_groups_names()?;
        if let Some(g) = supervises.iter().find(|g| !groups.contains(g)) {
            return Err(StoreError::NotFound(format!("no group `{g}`")));
        }
        let changed = self.run(|c| {
            let n = c
                .prepare_cached("UPDATE agents SET role = ?2 WHERE id = ?1")?
                .execute(params![agent, role.as_str()])?;
            c.prepare_cached("DELETE FROM agent_supervises WHERE agent_id = ?1")?
                .execute([agent])?;
            if role == Role::Supervisor {
                let mut insert = c.prepare_cached(
                    "INSERT OR IGNORE INTO agent_supervises (agent_id, group_name) VALUES (?1, ?2)",
                )?;
                for g in supervises {
                    insert.execute(params![agent, g])?;
                }
            }
            Ok(n)
        })?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("no agent {agent}")));
        }
        Ok(())
    }
}

impl SqliteConn<'_> {
    fn list_groups_names(&mut self) -> Result<Vec<String>> {
        Ok(crate::store::Read::list_groups(self)?
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }
}
