//! Who may read a past (or open) conversation — its transcript, its notes, its place in
//! history search: the permission table's `ReadConversation` row (`crate::permissions`),
//! applied to stored conversations. Whoever oversees every group reads everything. Otherwise
//! a conversation is the reader's own when they served it (an assignee at any time, or the
//! from/to agent of one of its transfers: the store's `history_agents`) or they serve its
//! customer now (assigned, offered, or mentioned in a note of their open conversation); a
//! supervisor limited to some groups also reads those groups' conversations. Whoever may read
//! a conversation may read its notes: notes are for agents, and customers never search.

use crate::model::{AgentId, CustomerId};
use crate::permissions::{self, Action, Actor, Resource};

/// What one agent may read, decided once per request by the hub (which knows who they serve
/// now) and applied by the store to every candidate conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Own {
        actor: Actor,
        /// The customers they serve now.
        customers: Vec<CustomerId>,
    },
}

/// The facts about one conversation the rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub customer: CustomerId,
    /// Its skill group.
    pub group: String,
    /// Everyone who served it (assignee at any time, from/to agents of its transfers).
    pub served_by: Vec<AgentId>,
}

/// The scope of this actor, who serves these customers now.
pub fn scope(actor: &Actor, serving: Vec<CustomerId>) -> Scope {
    if permissions::may(actor, Action::ReadConversation, Resource::EVERYONES).is_ok() {
        Scope::All
    } else {
        Scope::Own {
            actor: actor.clone(),
            customers: serving,
        }
    }
}

/// Whether the scope admits the conversation (the table decides, with these facts).
pub fn may_read(scope: &Scope, facts: &Facts) -> bool {
    match scope {
        Scope::All => true,
        Scope::Own { actor, customers } => {
            let own = facts.served_by.contains(&actor.id) || customers.contains(&facts.customer);
            let groups = [facts.group.as_str()];
            permissions::may(actor, Action::ReadConversation, Resource::of(own, &groups)).is_ok()
        }
    }
}

/// The groups whose conversations a scope admits whoever served them (a group supervisor's).
fn groups(actor: &Actor) -> &[String] {
    match actor.role {
        crate::model::Role::Supervisor => &actor.supervises,
        _ => &[],
    }
}

/// A parameter of [`sql`]'s condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    Text(String),
}

/// Whether notes are shown with what the scope admits (always, for agents).
pub fn sees_notes(_scope: &Scope) -> bool {
    true
}

/// The same rule as an SQL condition on `sessions s` for the store's search, with its
/// parameters (bound, never spelt out).
pub fn sql(scope: &Scope) -> (String, Vec<Param>) {
    match scope {
        Scope::All => ("1".into(), Vec::new()),
        Scope::Own { actor, customers } => {
            let mut params = vec![Param::Int(actor.id)];
            let mut sql =
                String::from("(s.id IN (SELECT session_id FROM history_agents WHERE agent_id = ?)");
            if !customers.is_empty() {
                sql.push_str(" OR s.customer_id IN (");
                sql.push_str(&vec!["?"; customers.len()].join(", "));
                sql.push(')');
                params.extend(customers.iter().map(|c| Param::Int(*c)));
            }
            let groups = groups(actor);
            if !groups.is_empty() {
                sql.push_str(" OR s.group_name IN (");
                sql.push_str(&vec!["?"; groups.len()].join(", "));
                sql.push(')');
                params.extend(groups.iter().map(|g| Param::Text(g.clone())));
            }
            sql.push(')');
            (sql, params)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn actor(id: AgentId, role: Role, supervises: &[&str]) -> Actor {
        Actor {
            id,
            role,
            supervises: supervises.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn agents_read_what_they_served_or_whom_they_serve() {
        let facts = Facts {
            customer: 7,
            group: "general".into(),
            served_by: vec![1, 2],
        };
        let agent = |id| actor(id, Role::Agent, &[]);
        assert!(may_read(&scope(&agent(1), vec![]), &facts));
        assert!(!may_read(&scope(&agent(3), vec![8]), &facts));
        assert!(may_read(&scope(&agent(3), vec![7]), &facts));
        assert!(may_read(
            &scope(&actor(3, Role::Supervisor, &[]), vec![]),
            &facts
        ));
        assert!(may_read(
            &scope(&actor(3, Role::Admin, &[]), vec![]),
            &facts
        ));
        let vip = actor(3, Role::Supervisor, &["vip"]);
        assert!(!may_read(&scope(&vip, vec![]), &facts));
        let general = actor(3, Role::Supervisor, &["general"]);
        assert!(may_read(&scope(&general, vec![]), &facts));
        let (cond, params) = sql(&scope(&general, vec![7, 8]));
        assert!(cond.contains("group_name IN (?)"), "{cond}");
        assert_eq!(
            params,
            vec![
                Param::Int(3),
                Param::Int(7),
                Param::Int(8),
                Param::Text("general".into())
            ]
        );
    }
}
