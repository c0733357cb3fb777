//! The hub's side of the permission table (`crate::permissions`): who an agent is to the
//! table ([`Hub::actor`]: role and supervised groups), the gate every agent request passes
//! ([`Hub::gate`], role-level), the checks handlers make with the facts they know
//! ([`Hub::permit`], [`Hub::allows`]), and the audit of denials (bounded by `denial_log`).
//!
//! Checks take `&self` (many handlers decide while borrowing the hub), so denials wait in a
//! cell and are written by [`Hub::audit_denials`] at the end of the hub's turn, in the same
//! group commit as the `forbidden` reply.

use super::denial_log::{DenialLog, Verdict};
use super::hub::Hub;
use crate::model::{AgentId, Role, SessionId, now_ms};
use crate::permissions::{self, Action, Actor, Denied, Resource};
use crate::protocol::{ApiError, Request};
use std::cell::RefCell;
use std::collections::HashMap;

/// What the hub keeps for the table.
#[derive(Debug, Default)]
pub struct PermBook {
    /// The groups each signed-in supervisor is limited to (read at login and resume; empty or
    /// absent: every group).
    supervision: HashMap<AgentId, Vec<String>>,
    denials: RefCell<DenialLog>,
    /// Denials waiting to be audited: (agent, action, target, message).
    pending: RefCell<Vec<(AgentId, Action, String, String)>>,
}

impl Hub {
    /// The agent as the table sees them.
    pub fn actor(&self, agent: AgentId) -> Actor {
        Actor {
            id: agent,
            role: self.agents.get(&agent).map_or(Role::Agent, |e| e.row.role),
            supervises: self
                .perms
                .supervision
                .get(&agent)
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// What the store says the agent supervises (at login and resume).
    pub(super) fn set_supervision(&mut self, agent: AgentId, groups: Vec<String>) {
        if groups.is_empty() {
            self.perms.supervision.remove(&agent);
        } else {
            self.perms.supervision.insert(agent, groups);
        }
    }

    /// The role-level gate of every request of a logged-in agent.
    pub(super) fn gate(&self, agent: AgentId, request: &Request) -> Result<(), ApiError> {
        let action = permissions::action_of(request);
        self.permit(agent, action, Resource::Any, request.kind())
    }

    /// Whether the agent may do `action` to `resource`; a refusal is `forbidden` and audited
    /// (`target` names what was refused: `session:12`, a request's type, …).
    pub fn permit(
        &self,
        agent: AgentId,
        action: Action,
        resource: Resource<'_>,
        target: &str,
    ) -> Result<(), ApiError> {
        permissions::may(&self.actor(agent), action, resource)
            .map_err(|d| self.denied(agent, d, target))
    }

    /// Whether the agent may do it (for what a handler filters or fans out, nothing refused).
    pub fn allows(&self, agent: AgentId, action: Action, resource: Resource<'_>) -> bool {
        permissions::may(&self.actor(agent), action, resource).is_ok()
    }

    /// Records a refusal the table made and turns it into the answer.
    pub fn denied(&self, agent: AgentId, d: Denied, target: &str) -> ApiError {
        self.perms.pending.borrow_mut().push((
            agent,
            d.action,
            target.to_string(),
            d.message.clone(),
        ));
        ApiError::forbidden(d.message)
    }

    /// Like [`Hub::denied`] for a refusal whose words the handler chose (same audit).
    pub fn denied_with(
        &self,
        agent: AgentId,
        action: Action,
        target: &str,
        e: ApiError,
    ) -> ApiError {
        self.perms.pending.borrow_mut().push((
            agent,
            action,
            target.to_string(),
            e.message.clone(),
        ));
        e
    }

    /// The groups of an open session (for [`Resource::Of`]); none if it is not open.
    pub fn session_group(&self, session: SessionId) -> Option<&str> {
        self.live.get(&session).map(|l| l.view.group.as_str())
    }

    /// Writes the denials of this turn (a few per agent per minute, the rest counted) and the
    /// summaries of minutes that are over.
    pub(super) fn audit_denials(&mut self) {
        let now = now_ms();
        let pending = std::mem::take(&mut *self.perms.pending.borrow_mut());
        for (agent, action, target, message) in pending {
            let (verdict, summary) = self.perms.denials.borrow_mut().record(agent, now);
            if let Some(n) = summary {
                self.audit_suppressed(agent, n);
            }
            if verdict == Verdict::Write {
                let actor = self.agent_name(agent);
                let detail = serde_json::json!({
                    "action": format!("{action:?}"),
                    "reason": message,
                });
                self.audit(&actor, crate::audit::DENIED, &target, detail);
            }
        }
    }

    /// Once a second: the summaries of minutes that are over.
    pub(super) fn flush_denials(&mut self) {
        let done = self.perms.denials.borrow_mut().flush(now_ms());
        for (agent, n) in done {
            self.audit_suppressed(agent, n);
        }
    }

    fn audit_suppressed(&mut self, agent: AgentId, n: u64) {
        let actor = self.agent_name(agent);
        let detail =
            serde_json::json!({ "suppressed": n, "per_minute": super::denial_log::PER_MINUTE });
        self.audit(&actor, crate::audit::DENIED, "summary", detail);
    }
}

/// The supervised groups of the agent a login or resume read, to pass to
/// [`Hub::set_supervision`] (only supervisors have any).
pub(super) fn supervision_of(
    rd: &mut dyn crate::store::Read,
    row: Option<&crate::store::AgentRow>,
) -> crate::store::Result<Option<(AgentId, Vec<String>)>> {
    match row {
        Some(r) => {
            let groups = if r.role == Role::Supervisor {
                rd.supervised_groups(r.id)?
            } else {
                Vec::new()
            };
            Ok(Some((r.id, groups)))
        }
        None => Ok(None),
    }
}

impl Hub {
    /// Whether the agent gets the supervisors' copy of a session's events (`Audience::
    /// Supervisors`): they may read it as its group's supervisor. Without a session: those who
    /// oversee every group.
    pub fn gets_supervisor_copy(&self, agent: AgentId, session: Option<SessionId>) -> bool {
        let group = session.and_then(|s| self.session_group(s));
        let groups: &[&str] = match &group {
            Some(g) => std::slice::from_ref(g),
            None => &[],
        };
        self.allows(agent, Action::ReadConversation, Resource::of(false, groups))
    }

    /// Answers a read from the read pool; a `forbidden` answer is audited like the table's
    /// own refusals (the rule ran on the reader, with facts only the store has).
    pub(super) fn read_reply_audited<R: serde::Serialize + Send + 'static>(
        &mut self,
        r: super::respond::Responder<R>,
        agent: AgentId,
        action: Action,
        target: String,
        read: impl FnOnce(&mut dyn crate::store::Read) -> crate::store::Result<Result<R, ApiError>>
        + Send
        + 'static,
    ) {
        self.read_then(read, move |hub, result| {
            let result = result.and_then(|v| v);
            if let Err(e) = &result
                && e.code == crate::protocol::ErrorCode::Forbidden
            {
                hub.denied_with(agent, action, &target, e.clone());
            }
            hub.answer(r, result)
        });
    }
}
