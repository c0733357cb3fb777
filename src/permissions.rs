//! The permission table (S25): the one place that answers "may this actor do this action to
//! this resource?". Pure: the server supplies the facts (the actor's role and supervised
//! groups, whether a resource is the actor's own, which groups it belongs to) and asks
//! [`may`]; nothing here reads the store or the hub.
//!
//! Every protocol request maps to one [`Action`] ([`action_of`], an exhaustive match, so a
//! new request cannot be forgotten); every HTTP route has a row in [`HTTP`]. Each action has
//! one [`Rule`]. `docs/permissions.md` holds the same table, rendered by [`render_markdown`]
//! (a test keeps the two equal).
//!
//! Roles: a plain **agent** acts on what is their own (sessions assigned or offered to them,
//! conversations they served, their proposals and personal replies). A **supervisor** also acts
//! on what belongs to the groups they supervise: all groups when none are listed (the
//! `agent_supervises` table, `kefu admin agent set-role`), else only the listed ones; a
//! resource that belongs to no group in particular (the whole floor, the knowledge base, every
//! agent's CCs) is for supervisors of every group. An **admin** may do everything.

mod render;
mod table;

pub use render::{BEGIN, END, render_markdown};
pub use table::{Action, HTTP, HttpAccess, LISTS, REQUESTS, action_of, http_access};

use crate::model::{AgentId, Role};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: AgentId,
    pub role: Role,
    /// For a supervisor: the groups they supervise; empty = every group. Ignored otherwise.
    pub supervises: Vec<String>,
}

impl Actor {
    /// Whether the actor oversees things of every group (an admin, or a supervisor limited to
    /// no group).
    pub fn oversees_all(&self) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Supervisor => self.supervises.is_empty(),
            Role::Agent => false,
        }
    }

    /// Whether the actor oversees something that belongs to `groups` (any one of them is
    /// enough; none = it belongs to no group in particular, for those who oversee all).
    pub fn oversees(&self, groups: &[&str]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Supervisor => {
                self.supervises.is_empty()
                    || groups
                        .iter()
                        .any(|g| self.supervises.iter().any(|s| s == g))
            }
            Role::Agent => false,
        }
    }

    /// The column of the table this actor reads.
    pub fn column(&self) -> Column {
        match self.role {
            Role::Agent => Column::Agent,
            Role::Supervisor if self.supervises.is_empty() => Column::Supervisor,
            Role::Supervisor => Column::GroupSupervisor,
            Role::Admin => Column::Admin,
        }
    }
}

/// The four kinds of actor the table has a column for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Agent,
    /// A supervisor limited to some groups.
    GroupSupervisor,
    /// A supervisor of every group.
    Supervisor,
    Admin,
}

impl Column {
    pub const ALL: [Column; 4] = [
        Column::Agent,
        Column::GroupSupervisor,
        Column::Supervisor,
        Column::Admin,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Agent => "agent",
            Column::GroupSupervisor => "group supervisor",
            Column::Supervisor => "supervisor",
            Column::Admin => "admin",
        }
    }
}

/// What the actor acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The role-level question, asked by the dispatch gate before any facts are known:
    /// could this actor do this action to *some* resource?
    Any,
    /// One resource: whether it is the actor's own, and the skill groups it belongs to
    /// (a session: its group; an agent: theirs; none: no group in particular).
    Of { own: bool, groups: &'a [&'a str] },
}

impl<'a> Resource<'a> {
    /// Something of the actor's own.
    pub const OWN: Resource<'static> = Resource::Of {
        own: true,
        groups: &[],
    };
    /// Somebody else's, of no group in particular (every agent's, the whole floor).
    pub const EVERYONES: Resource<'static> = Resource::Of {
        own: false,
        groups: &[],
    };

    pub fn of(own: bool, groups: &'a [&'a str]) -> Resource<'a> {
        Resource::Of { own, groups }
    }
}

/// Who may do an action, by column. The wording of each is in [`Rule::cell`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Before login, or on the customer endpoint: not an agent's action.
    Public,
    /// Every signed-in role.
    Everyone,
    /// Only on what is the actor's own, whatever the role (offers, their own proposals).
    OwnOnly,
    /// Agents on their own; supervisors also on what belongs to the groups they supervise;
    /// admins on everything.
    OwnOrSupervised,
    /// Agents on their own; supervisors of every group and admins on everything (what
    /// belongs to no group in particular: proposals, team figures).
    OwnOrOverseers,
    /// Supervisors (on what belongs to their groups) and admins.
    Supervisors,
    /// Supervisors of every group, and admins.
    Overseers,
    /// Admins only.
    Admins,
}

/// What a table cell says for a column and a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Allowed, whatever the resource.
    Yes,
    /// Forbidden.
    No,
    /// Only on what is their own.
    Own,
    /// On their own and on what belongs to their groups.
    OwnAndGroups,
    /// On what belongs to their groups.
    Groups,
    /// Not an agent's request (before login / customer endpoint).
    NotAgent,
}

impl Cell {
    /// The word in `docs/permissions.md`.
    pub fn word(self) -> &'static str {
        match self {
            Cell::Yes => "yes",
            Cell::No => "no",
            Cell::Own => "own",
            Cell::OwnAndGroups => "own + groups",
            Cell::Groups => "groups",
            Cell::NotAgent => "-",
        }
    }
}

impl Rule {
    pub fn cell(self, column: Column) -> Cell {
        use Column as C;
        match (self, column) {
            (Rule::Public, _) => Cell::NotAgent,
            (Rule::Everyone, _) => Cell::Yes,
            (Rule::OwnOnly, _) => Cell::Own,
            (_, C::Admin) => Cell::Yes,
            (Rule::Admins, _) => Cell::No,
            (Rule::Overseers | Rule::OwnOrOverseers, C::Supervisor) => Cell::Yes,
            (Rule::Overseers, _) => Cell::No,
            (Rule::OwnOrOverseers, _) => Cell::Own,
            (Rule::OwnOrSupervised, C::Agent) => Cell::Own,
            (Rule::OwnOrSupervised, C::GroupSupervisor) => Cell::OwnAndGroups,
            (Rule::OwnOrSupervised, C::Supervisor) => Cell::Yes,
            (Rule::Supervisors, C::Agent) => Cell::No,
            (Rule::Supervisors, C::GroupSupervisor) => Cell::Groups,
            (Rule::Supervisors, C::Supervisor) => Cell::Yes,
        }
    }
}

/// A refusal, with the words the client is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Denied {
    pub action: Action,
    pub message: String,
}

/// May `actor` do `action` to `resource`?
pub fn may(actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
    let cell = action.rule().cell(actor.column());
    let ok = match (cell, resource) {
        (Cell::Yes | Cell::NotAgent, _) => true,
        (Cell::No, _) => false,
        // The gate lets these through: the handler asks again with the facts.
        (Cell::Own | Cell::OwnAndGroups | Cell::Groups, Resource::Any) => true,
        (Cell::Own, Resource::Of { own, .. }) => own,
        (Cell::OwnAndGroups, Resource::Of { own, groups }) => own || actor.oversees(groups),
        (Cell::Groups, Resource::Of { groups, .. }) => actor.oversees(groups),
    };
    if ok {
        return Ok(());
    }
    Err(Denied {
        action,
        message: refusal(actor, action, cell),
    })
}

/// The words of a refusal: what the action is, and who may do it.
fn refusal(actor: &Actor, action: Action, cell: Cell) -> String {
    let what = action.describe();
    match cell {
        Cell::No => match action.rule() {
            Rule::Admins => format!("{what}: only admins may"),
            Rule::Overseers => format!("{what}: only supervisors of every group and admins may"),
            _ => format!("{what}: only supervisors and admins may"),
        },
        Cell::Own => format!("{what}: only on your own"),
        _ => {
            let groups = if actor.supervises.is_empty() {
                "no group".to_string()
            } else {
                actor.supervises.join(", ")
            };
            match actor.role {
                Role::Supervisor => format!(
                    "{what}: not yours, and you supervise only {groups} (this belongs to \
                     another group or to every group)"
                ),
                _ => format!("{what}: not yours"),
            }
        }
    }
}

#[cfg(test)]
mod tests;
