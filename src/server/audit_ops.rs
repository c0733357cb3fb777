//! The audit log from the hub: [`Hub::audit`] appends an entry in the next group commit (so it
//! is durable when the reply that follows it goes out), and `audit.list` pages through the
//! entries for admins.

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::now_ms;
use crate::protocol::account::{AuditList, AuditListReply};
use crate::protocol::{ApiError, ErrorCode};
use crate::store::AuditEntry;

impl Hub {
    /// Appends an audit entry: `actor` did `action` (a name from [`crate::audit`]) to
    /// `target`; `detail` must be a JSON object and hold nothing secret.
    pub(super) fn audit(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) {
        let entry = AuditEntry {
            id: 0,
            at: now_ms(),
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
        };
        self.write(move |tx| tx.append_audit(&entry).map(|_| ()));
    }

    /// An agent's username for audit entries (`agent:<id>` if unknown to the hub).
    pub(super) fn agent_name(&self, agent: crate::model::AgentId) -> String {
        self.agents
            .get(&agent)
            .map_or_else(|| format!("agent:{agent}"), |e| e.row.username.clone())
    }

    /// `audit.list` (admins).
    pub(super) fn audit_list(
        &mut self,
        r: Responder<AuditListReply>,
        _conn: ConnId,
        _auth: Auth,
        _q: AuditList,
    ) {
        self.answer(r, Err(not_yet("audit.list")));
    }
}

/// What a request of issue 12 answers until its handler is built.
pub(super) fn not_yet(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        format!("{what} is not available on this server yet"),
    )
}
