//! What a logged-in agent does on the hub: status, offers, the snapshot and directory, and the
//! actions on a session (tag; transfer is in `transfer_ops`, follow-up in `followup_ops`, ending in `end_ops`). Each handler returns its typed reply;
//! the hub sends it after the commit.

use super::hub::Hub;
use super::outbox::ConnId;
use crate::model::{AgentId, AgentStatus, AuthorKind, EndReason, SessionId, SessionState, now_ms};
use crate::protocol::request::{SendMessage, Tag};
use crate::protocol::{
    AcceptReply, AgentInfo, ApiError, DirectoryReply, Empty, Event, MessageAck, OfferView,
    RemovedReason, SnapshotReply, StatusReply, TagsReply,
};
use crate::routing::RouteError;
use crate::store::Audience;

/// Longest tag accepted, in characters.
const MAX_TAG_CHARS: usize = 64;
/// Most tags one request may add, and one session may carry.
const MAX_TAGS: usize = 32;

pub fn route_error(e: RouteError) -> ApiError {
    match e {
        RouteError::UnknownSession => ApiError::not_found(e.to_string()),
        RouteError::UnknownAgent | RouteError::UnknownGroup(_) => {
            ApiError::not_found(e.to_string())
        }
        RouteError::NotOffered | RouteError::AtCapacity(_) | RouteError::Unavailable(_) => {
            ApiError::conflict(e.to_string())
        }
    }
}

impl Hub {
    /// The agent may act on the session (the table's `ActOnSession`): it is open and theirs,
    /// or of a group they supervise. A mentioned colleague is told what they may do instead.
    pub fn check_session(&self, agent: AgentId, session: SessionId) -> Result<(), ApiError> {
        let Some(l) = self.live.get(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        let own = l.view.assignee == Some(agent);
        let groups = [l.view.group.as_str()];
        let resource = crate::permissions::Resource::of(own, &groups);
        let action = crate::permissions::Action::ActOnSession;
        match crate::permissions::may(&self.actor(agent), action, resource) {
            Ok(()) => Ok(()),
            Err(d) => {
                let target = format!("session:{session}");
                match self.watcher_error(agent, session) {
                    Some(e) => Err(self.denied_with(agent, action, &target, e)),
                    None => Err(self.denied(agent, d, &target)),
                }
            }
        }
    }

    /// Open sessions the agent serves or has on offer.
    pub fn serves(&self, agent: AgentId, session: SessionId) -> bool {
        self.live
            .get(&session)
            .is_some_and(|l| l.view.assignee == Some(agent))
            || self.engine.offer(session).is_some_and(|o| o.0 == agent)
    }

    pub(super) fn set_status_row(&mut self, agent: AgentId, status: AgentStatus) {
        if let Some(e) = self.agents.get_mut(&agent) {
            e.row.status = status;
        }
        self.batch.statuses.push((agent, status));
        self.dashboard.status_changed(agent, status, now_ms());
    }

    pub fn agent_info(&self, agent: AgentId) -> Option<AgentInfo> {
        let e = self.agents.get(&agent)?;
        let load = self.engine.agent_load(agent)?;
        Some(AgentInfo {
            id: agent,
            username: e.row.username.clone(),
            display_name: e.row.display_name.clone(),
            employee_no: e.row.employee_no.clone(),
            role: e.row.role,
            status: load.status,
            connected: load.connected,
            active: load.active,
            capacity: load.capacity,
            groups: e.row.groups.clone(),
            initials: self.profiles.get(agent).and_then(|p| p.initials.clone()),
            color: self.profiles.get(agent).and_then(|p| p.color.clone()),
        })
    }

    pub(super) fn set_status(
        &mut self,
        agent: AgentId,
        status: AgentStatus,
    ) -> Result<StatusReply, ApiError> {
        let fx = self
            .engine
            .set_status(agent, status, now_ms())
            .map_err(route_error)?;
        self.set_status_row(agent, status);
        let ev = Event::Status {
            status,
            reason: None,
        };
        self.emit(Audience::Agent(agent), None, &ev);
        self.apply(fx);
        Ok(StatusReply { status })
    }

    pub(super) fn accept(
        &mut self,
        agent: AgentId,
        session: SessionId,
    ) -> Result<AcceptReply, ApiError> {
        let fx = self
            .engine
            .accept(agent, session, now_ms())
            .map_err(route_error)?;
        self.apply(fx);
        Ok(AcceptReply {
            session: self.live.get(&session).map(|l| l.view.clone()),
        })
    }

    pub(super) fn reject(&mut self, agent: AgentId, session: SessionId) -> Result<Empty, ApiError> {
        let fx = self
            .engine
            .reject(agent, session, now_ms())
            .map_err(route_error)?;
        self.apply(fx);
        Ok(Empty {})
    }

    pub(super) fn snapshot(&self, agent: AgentId) -> SnapshotReply {
        let (offered, active) = self.engine.sessions_of(agent);
        let offers = offered
            .iter()
            .filter_map(|s| {
                let l = self.live.get(s)?;
                let (_, expires_at) = self.engine.offer(*s)?;
                Some(OfferView {
                    session: l.view.clone(),
                    expires_at,
                })
            })
            .collect();
        let sessions = active
            .iter()
            .filter_map(|s| self.live.get(s).map(|l| l.view.clone()))
            .collect();
        // Queued sessions the agent may pick (manual groups) or, for supervisors, all of them.
        let groups = self.engine.agent_groups(agent).cloned().unwrap_or_default();
        let oversees = |g: &str| {
            let groups = [g];
            let resource = crate::permissions::Resource::of(false, &groups);
            self.allows(
                agent,
                crate::permissions::Action::ReadConversation,
                resource,
            )
        };
        let queued = self
            .engine
            .queue_lengths()
            .into_iter()
            .filter(|(g, strategy, _)| {
                oversees(g) || (groups.contains(g) && *strategy == crate::model::Strategy::Manual)
            })
            .flat_map(|(g, _, _)| self.engine.queue(&g))
            .filter_map(|s| self.live.get(&s).map(|l| l.view.clone()))
            .collect();
        SnapshotReply {
            agent: self.agent_info(agent),
            offers,
            sessions,
            queued,
            queues: self.queue_infos(),
            cursor: self.head(),
        }
    }

    pub(super) fn directory(&self) -> DirectoryReply {
        let mut agents: Vec<AgentInfo> = self
            .agents
            .keys()
            .filter_map(|a| self.agent_info(*a))
            .collect();
        agents.sort_by(|a, b| a.username.cmp(&b.username));
        DirectoryReply {
            agents,
            groups: self.queue_infos(),
            menus: self.menu_entries(),
        }
    }

    pub(super) fn tag(&mut self, agent: AgentId, q: Tag) -> Result<TagsReply, ApiError> {
        self.check_session(agent, q.session_id)?;
        if q.add.len() > MAX_TAGS || q.remove.len() > MAX_TAGS {
            return Err(ApiError::invalid(format!(
                "at most {MAX_TAGS} tags per request"
            )));
        }
        let mut add = Vec::with_capacity(q.add.len());
        for t in &q.add {
            let t = t.trim();
            if t.is_empty() || t.chars().count() > MAX_TAG_CHARS {
                return Err(ApiError::invalid(format!(
                    "tags must be 1–{MAX_TAG_CHARS} characters"
                )));
            }
            add.push(t.to_string());
        }
        let Some(l) = self.live.get_mut(&q.session_id) else {
            return Err(ApiError::not_found(format!(
                "no open session {}",
                q.session_id
            )));
        };
        let mut tags = l.view.tags.clone();
        tags.retain(|t| !q.remove.contains(t));
        for t in add {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(ApiError::invalid(format!(
                "a session carries at most {MAX_TAGS} tags"
            )));
        }
        l.view.tags = tags.clone();
        self.touch(q.session_id);
        self.announce_session(q.session_id);
        Ok(TagsReply { tags })
    }

    pub(super) fn agent_send(
        &mut self,
        conn: ConnId,
        agent: AgentId,
        q: SendMessage,
    ) -> Result<MessageAck, ApiError> {
        self.check_session(agent, q.session_id)?;
        if self
            .live
            .get(&q.session_id)
            .is_some_and(|l| l.view.state != SessionState::Active)
        {
            return Err(ApiError::conflict("accept the session before writing"));
        }
        self.post_message(AuthorKind::Agent, agent, q, Some(conn))
    }

    /// Ends an open session: the customer is told (and, with `survey`, asked for a rating).
    pub fn end_session(&mut self, session: SessionId, reason: EndReason, survey: bool, now: i64) {
        // With the bot: its outcome is recorded first (`bot_ops`).
        self.bot_ends(session);
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        l.view.state = SessionState::Ended;
        l.view.ended_at = Some(now);
        l.view.end_reason = Some(reason);
        l.view.waiting_since = None;
        super::end_ops::clear_pending_end(&mut l.view);
        let customer = l.view.customer.id;
        if survey {
            self.record_survey(session, now);
        }
        self.announce_session(session);
        let fx = self.engine.end(session, now);
        self.apply_with(fx, RemovedReason::Ended);
        self.emit(
            Audience::Customer(customer),
            Some(session),
            &Event::SessionEnded {
                session_id: session,
                reason,
                survey,
            },
        );
        self.forget(session);
    }
}
