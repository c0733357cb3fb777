//! The audit log from the hub: [`Hub::audit`] appends an entry in the next group commit (so it
//! is durable when the reply that follows it goes out), and `audit.list` pages through the
//! entries for admins (`docs/audit.md`): newest first, by `before_id`, filtered by time, actor
//! and action family, read on the read pool.

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::now_ms;
use crate::protocol::ApiError;
use crate::protocol::account::{AuditEntryView, AuditList, AuditListReply};
use crate::store::{AuditEntry, AuditQuery};

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

    /// `audit.list` (admins): a page of entries, newest first, read on the read pool.
    pub(super) fn audit_list(
        &mut self,
        r: Responder<AuditListReply>,
        _conn: ConnId,
        auth: Auth,
        q: AuditList,
    ) {
        let agent = match super::dispatch::require_agent(auth) {
            Ok(a) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        let admin = self
            .agents
            .get(&agent)
            .is_some_and(|e| e.row.role == crate::model::Role::Admin);
        if !admin {
            return self.answer(r, Err(ApiError::forbidden("the audit log is for admins")));
        }
        let (query, limit) = match audit_query(q) {
            Ok(v) => v,
            Err(e) => return self.answer(r, Err(e)),
        };
        self.read_reply(r, move |rd| {
            let mut rows = rd.audit_query(&query)?;
            // One more than the page was read: whether an older page exists.
            let next = if rows.len() > limit {
                rows.truncate(limit);
                rows.last().map(|e| e.id)
            } else {
                None
            };
            let entries = rows.into_iter().map(view).collect();
            Ok(Ok(AuditListReply { entries, next }))
        });
    }
}

/// Page size of `audit.list` when none is asked for, and the most it gives.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// Checks an `audit.list` request and turns it into the store's query (one row more than the
/// page, to know whether there is a next one) and the page size.
fn audit_query(q: AuditList) -> Result<(AuditQuery, usize), ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(format!(
            "limit must be 1 to {MAX_PAGE}, not {limit}"
        )));
    }
    if let (Some(s), Some(u)) = (q.since, q.until)
        && s > u
    {
        return Err(ApiError::invalid("since is after until"));
    }
    let text = |v: Option<String>, what: &str, max: usize| -> Result<Option<String>, ApiError> {
        match v.map(|s| s.trim().to_string()) {
            Some(s) if s.is_empty() => Ok(None),
            Some(s) if s.len() > max || s.chars().any(char::is_control) => Err(ApiError::invalid(
                format!("{what} must be at most {max} bytes without control characters"),
            )),
            other => Ok(other),
        }
    };
    let actor = text(q.actor, "actor", 200)?;
    let action = text(q.action, "action", 64)?;
    Ok((
        AuditQuery {
            since: q.since,
            until: q.until,
            actor,
            action,
            before_id: q.before_id,
            newest_first: true,
            limit: limit + 1,
        },
        limit as usize,
    ))
}

fn view(e: AuditEntry) -> AuditEntryView {
    AuditEntryView {
        id: e.id,
        at: e.at,
        actor: e.actor,
        action: e.action,
        target: e.target,
        // Always an object (the store refuses anything else); an unreadable one shows as `{}`.
        detail: serde_json::from_str(&e.detail).unwrap_or_else(|_| serde_json::json!({})),
    }
}
