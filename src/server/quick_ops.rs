//! Agent requests about quick replies: `quick_replies.list` (on the read pool, once earlier
//! writes committed), `.save`, `.delete` and `.used` (through the writer, the checks inside the
//! same transaction as the write). Who may do what: everybody sees the team replies (those
//! limited to a group only its members and supervisors) and their own personal ones, never
//! another agent's; team replies are changed by supervisors and admins only.

use super::hub::Hub;
use super::respond::Responder;
use crate::model::{AgentId, now_ms};
use crate::permissions::{self, Action, Actor, Resource};
use crate::protocol::{
    ApiError, Empty, QuickRepliesReply, QuickReply, QuickReplySave, QuickReplySaveReply,
    QuickReplyUsedReply, QuickScope,
};
use crate::quick::{Limits, validate};
use crate::store::{StoreError, Tx};

/// Most replies one list returns: every team reply and the agent's personal ones fit.
const LIST_CAP: u32 = (Limits::TEAM + Limits::PERSONAL_PER_AGENT) as u32;

/// What a write decided: a reply for the agent, or a store failure (fatal ones stop the server).
type Decided<T> = crate::store::Result<Result<T, ApiError>>;

impl Hub {
    /// (the agent to the permission table, the groups they belong to).
    fn quick_rights(&self, agent: AgentId) -> (Actor, Vec<String>) {
        let groups = self
            .agents
            .get(&agent)
            .map(|e| e.row.groups.clone())
            .unwrap_or_default();
        (self.actor(agent), groups)
    }

    /// Audits a refusal the store-side check made (`permit`).
    fn quick_refused<T>(&self, agent: AgentId, target: String, decided: &Result<T, ApiError>) {
        if let Err(e) = decided
            && e.code == crate::protocol::ErrorCode::Forbidden
        {
            self.denied_with(agent, Action::EditQuickReplies, &target, e.clone());
        }
    }

    pub(super) fn quick_replies(&mut self, r: Responder<QuickRepliesReply>, agent: AgentId) {
        let (actor, groups) = self.quick_rights(agent);
        self.read_reply(r, move |tx| {
            let mut quick_replies = tx.quick_replies_of(agent, LIST_CAP)?;
            // A team reply limited to a group is for that group's agents (and whoever may
            // change it: its supervisors).
            quick_replies.retain(|q| match &q.group {
                Some(g) if q.scope == QuickScope::Team => {
                    groups.contains(g) || team_check(&actor, Some(g)).is_ok()
                }
                _ => true,
            });
            Ok(Ok(QuickRepliesReply { quick_replies }))
        });
    }

    pub(super) fn quick_reply_save(
        &mut self,
        r: Responder<QuickReplySaveReply>,
        agent: AgentId,
        q: QuickReplySave,
    ) {
        let q = match validate(q) {
            Ok(q) => q,
            Err(e) => return self.answer(r, Err(ApiError::invalid(e.0))),
        };
        let (actor, _) = self.quick_rights(agent);
        if q.scope == QuickScope::Team
            && let Err(e) = team_check(&actor, q.group.as_deref())
        {
            let e = self.denied_with(agent, Action::EditQuickReplies, "quick_replies.save", e);
            return self.answer(r, Err(e));
        }
        let now = now_ms();
        let target = format!("quick_reply:{}", q.quick_reply_id.unwrap_or(0));
        self.write_then(
            move |tx| save(tx, &actor, q, now),
            move |hub, decided| {
                hub.quick_refused(agent, target, &decided);
                let reply = decided.map(|quick_reply| QuickReplySaveReply { quick_reply });
                hub.answer(r, reply)
            },
        );
    }

    pub(super) fn quick_reply_delete(&mut self, r: Responder<Empty>, agent: AgentId, id: i64) {
        let (actor, _) = self.quick_rights(agent);
        self.write_then(
            move |tx| {
                let checked = match tx.quick_reply(id)? {
                    Some(q) => may_change(&q, &actor),
                    None => Err(no_reply(id)),
                };
                if checked.is_ok() {
                    tx.delete_quick_reply(id)?;
                }
                Ok(checked.map(|_| Empty {}))
            },
            move |hub, decided: Result<Empty, ApiError>| {
                hub.quick_refused(agent, format!("quick_reply:{id}"), &decided);
                hub.answer(r, decided)
            },
        );
    }

    pub(super) fn quick_reply_used(
        &mut self,
        r: Responder<QuickReplyUsedReply>,
        agent: AgentId,
        id: i64,
    ) {
        let now = now_ms();
        self.write_then(
            move |tx| -> Decided<QuickReplyUsedReply> {
                match tx.quick_reply(id)? {
                    Some(q) if q.owner.is_none() || q.owner == Some(agent) => {}
                    _ => return Ok(Err(no_reply(id))),
                }
                let uses = tx.record_quick_reply_use(id, agent, now)?;
                Ok(Ok(QuickReplyUsedReply {
                    id,
                    uses,
                    last_used: now,
                }))
            },
            move |hub, decided| hub.answer(r, decided),
        );
    }
}

/// Another agent's personal reply does not exist as far as this agent can tell.
fn no_reply(id: i64) -> ApiError {
    ApiError::not_found(format!("no quick reply {id}"))
}

/// Whether `actor` may change or delete `q` (the table's `EditQuickReplies`).
fn may_change(q: &QuickReply, actor: &Actor) -> Result<(), ApiError> {
    match q.owner {
        Some(owner) if owner != actor.id => Err(no_reply(q.id)),
        Some(_) => Ok(()),
        None => team_check(actor, q.group.as_deref()),
    }
}

/// Whether `actor` may change a team reply of `group` (none: of every group).
fn team_check(actor: &Actor, group: Option<&str>) -> Result<(), ApiError> {
    let groups: Vec<&str> = group.into_iter().collect();
    permissions::may(
        actor,
        Action::EditQuickReplies,
        Resource::of(false, &groups),
    )
    .map_err(|d| ApiError::forbidden(format!("team quick replies: {d}")))
}

/// The checks that need the store, then the write.
fn save(tx: &mut dyn Tx, actor: &Actor, q: QuickReplySave, now: i64) -> Decided<QuickReply> {
    let agent = actor.id;
    let personal = q.scope == QuickScope::Personal;
    let owner = personal.then_some(agent);
    match q.quick_reply_id {
        Some(id) => {
            let Some(existing) = tx.quick_reply(id)? else {
                return Ok(Err(no_reply(id)));
            };
            if let Err(e) = may_change(&existing, actor) {
                return Ok(Err(e));
            }
            if existing.scope != q.scope {
                return Ok(Err(ApiError::invalid(
                    "a quick reply keeps its scope: create a new one instead",
                )));
            }
        }
        None => {
            let (n, max) = if personal {
                (tx.count_quick_replies(owner)?, Limits::PERSONAL_PER_AGENT)
            } else {
                (tx.count_quick_replies(None)?, Limits::TEAM)
            };
            if n >= max {
                return Ok(Err(ApiError::invalid(format!(
                    "at most {max} {} quick replies: delete some first",
                    q.scope.as_str()
                ))));
            }
        }
    }
    let reply = QuickReply {
        id: q.quick_reply_id.unwrap_or(0),
        scope: q.scope,
        owner,
        group: if personal { None } else { q.group },
        shortcut: q.shortcut,
        title: q.title,
        body: q.body,
        intents: q.intents,
        ..Default::default()
    };
    match tx.save_quick_reply(&reply, now) {
        Ok(saved) => Ok(Ok(saved)),
        Err(StoreError::Conflict(m)) => Ok(Err(ApiError::conflict(m))),
        Err(StoreError::NotFound(m)) => Ok(Err(ApiError::not_found(m))),
        Err(StoreError::Invalid(m)) => Ok(Err(ApiError::invalid(m))),
        Err(e) => Err(e),
    }
}
