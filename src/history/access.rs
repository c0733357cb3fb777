//! The one rule of who may read a past (or open) conversation — its transcript, its notes,
//! its place in history search — until the permission table of the access issue replaces
//! it. Supervisors and admins read everything. A plain agent reads the conversations they
//! served (an assignee at any time, or the from/to agent of one of its transfers: the
//! store's `history_agents`) and every conversation of a customer they serve now (assigned,
//! offered, or mentioned in a note of their open conversation). Whoever may read a
//! conversation may read its notes: notes are for agents, and customers never search.

use crate::model::{AgentId, CustomerId, Role};

/// What one agent may read, decided once per request by the hub (which knows who they serve
/// now) and applied by the store to every candidate conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Own {
        agent: AgentId,
        /// The customers they serve now.
        customers: Vec<CustomerId>,
    },
}

/// The facts about one conversation the rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub customer: CustomerId,
    /// Everyone who served it (assignee at any time, from/to agents of its transfers).
    pub served_by: Vec<AgentId>,
}

/// The scope of an agent with this role who serves these customers now.
pub fn scope(role: Role, agent: AgentId, serving: Vec<CustomerId>) -> Scope {
    if role.sees_all() {
        Scope::All
    } else {
        Scope::Own {
            agent,
            customers: serving,
        }
    }
}

/// Whether the scope admits the conversation.
pub fn may_read(scope: &Scope, facts: &Facts) -> bool {
    match scope {
        Scope::All => true,
        Scope::Own { agent, customers } => {
            facts.served_by.contains(agent) || customers.contains(&facts.customer)
        }
    }
}

/// Whether notes are shown with what the scope admits (always, for agents).
pub fn sees_notes(_scope: &Scope) -> bool {
    true
}

/// The same rule as an SQL condition on `sessions s` for the store's search, with its
/// parameters (integers only, bound, never spelt out).
pub fn sql(scope: &Scope) -> (String, Vec<i64>) {
    match scope {
        Scope::All => ("1".into(), Vec::new()),
        Scope::Own { agent, customers } => {
            let mut params = vec![*agent];
            let mut sql =
                String::from("(s.id IN (SELECT session_id FROM history_agents WHERE agent_id = ?)");
            if !customers.is_empty() {
                sql.push_str(" OR s.customer_id IN (");
                sql.push_str(&vec!["?"; customers.len()].join(", "));
                sql.push(')');
                params.extend(customers);
            }
            sql.push(')');
            (sql, params)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_read_what_they_served_or_whom_they_serve() {
        let facts = Facts {
            customer: 7,
            served_by: vec![1, 2],
        };
        assert!(may_read(&scope(Role::Agent, 1, vec![]), &facts));
        assert!(!may_read(&scope(Role::Agent, 3, vec![8]), &facts));
        assert!(may_read(&scope(Role::Agent, 3, vec![7]), &facts));
        assert!(may_read(&scope(Role::Supervisor, 3, vec![]), &facts));
        assert!(may_read(&scope(Role::Admin, 3, vec![]), &facts));
        assert_eq!(sql(&scope(Role::Agent, 3, vec![7, 8])).1, vec![3, 7, 8]);
    }
}
