//! The store's side of roles and per-group supervision (`docs/permissions.md`): a supervisor
//! may be limited to some skill groups, kept beside the agent row (no row: every group).

use super::Result;
use crate::model::{AgentId, Role};

pub trait RolesRead {
    /// The groups the agent supervises, by name; empty = every group (or not a supervisor).
    fn supervised_groups(&mut self, agent: AgentId) -> Result<Vec<String>>;
}

pub trait RolesTx {
    /// Sets the agent's role and the groups they supervise (only kept for supervisors; each
    /// must exist, else `NotFound`). `NotFound` for an unknown agent.
    fn set_role(&mut self, agent: AgentId, role: Role, supervises: &[String]) -> Result<()>;
}
