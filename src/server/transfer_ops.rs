//! `session.transfer` (转接, issue 10 S12): hand a conversation to a named agent or to a skill
//! group, with a note for whoever takes it next.
//!
//! A target that cannot take it now — an agent who is offline (or not connected, or at their
//! limit), a group with nobody signed in — is refused with `unavailable` and a reason people
//! can read, before anything changes, unless the request says `queue: true`: then it goes to a
//! queue. For a group, its own queue. For an agent, the queue of their group (the conversation's
//! group if they belong to it, else their first one), where whoever of that group is free first
//! takes it: a conversation is not held back for one person who may not come back today.
//!
//! A customer with the answering bot or in a self-service menu can be transferred out to a
//! group (by a supervisor: nobody serves them there); the bot or menu hands off, reason `taken`.
//!
//! Every transfer that goes through is recorded (`store::transfers`) for reports. The agent who
//! had the conversation loses it at once: the routing engine detaches them (their
//! `session_removed` event is durable, so a console that was away gets it on resume, and its
//! snapshot no longer lists the conversation).

use super::agent_ops::route_error;
use super::hub::Hub;
use crate::bot::Lang;
use crate::model::{AgentId, AgentStatus, SessionId, SessionState, now_ms};
use crate::protocol::request::Transfer;
use crate::protocol::{
    ApiError, ErrorCode, Event, HandoffReason, MenuReturnReason, RemovedReason, SessionRef,
    TransferTarget,
};
use crate::store::Audience;
use crate::store::transfers::TransferRecord;

/// Longest transfer note, in characters.
const MAX_NOTE_CHARS: usize = 2000;

/// Where a transfer goes once checked.
enum Plan {
    /// Offered to this agent now.
    Agent(AgentId),
    /// Into this group's queue; `for_agent`: the agent it was meant for (queued because they
    /// could not take it).
    Group {
        name: String,
        for_agent: Option<AgentId>,
        /// Queued although the target could not take it now (`queue: true` was needed).
        forced: bool,
    },
}

fn unavailable(message: String) -> ApiError {
    ApiError::new(ErrorCode::Unavailable, message)
}

impl Hub {
    pub(super) fn transfer(&mut self, agent: AgentId, q: Transfer) -> Result<SessionRef, ApiError> {
        let Transfer {
            session_id,
            to,
            note,
            queue,
        } = q;
        self.check_session(agent, session_id)?;
        let note = note.unwrap_or_default();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ApiError::invalid(format!(
                "the note is over {MAX_NOTE_CHARS} characters"
            )));
        }
        let (from_agent, from_group) = match self.live.get(&session_id) {
            Some(l) => (l.view.assignee, l.view.group.clone()),
            None => return Err(ApiError::not_found(format!("no open session {session_id}"))),
        };
        // One arm per target kind: the plan says where it goes, or why it cannot.
        let plan = match &to {
            TransferTarget::Group(g) => self.plan_group(g, queue)?,
            TransferTarget::Agent(username) => {
                self.plan_agent(session_id, username, &from_group, queue)?
            }
            TransferTarget::Menu(m) => {
                let reply = self.transfer_to_menu(agent, session_id, m)?;
                // Recorded like any transfer; the target names the menu (`menu:NAME/NODE`).
                let record = TransferRecord {
                    id: 0,
                    session_id,
                    by_agent: Some(agent),
                    from_agent,
                    from_group,
                    to_agent: None,
                    to_group: format!("menu:{m}"),
                    note,
                    queued: false,
                    at: now_ms(),
                };
                self.write(move |tx| tx.record_transfer(&record).map(|_| ()));
                return Ok(reply);
            }
        };
        // With the answering bot or in a self-service menu: out of the machine's hands, into
        // the target group's queue (the bot or menu tells the customer).
        let state = self.live.get(&session_id).map(|l| l.view.state);
        if matches!(state, Some(SessionState::Menu | SessionState::Bot)) {
            let Plan::Group { name, forced, .. } = plan else {
                return Err(ApiError::conflict(
                    "a customer with the bot or in a menu goes to a group first: transfer to a group",
                ));
            };
            let by = self.agents.get(&agent).map(|e| e.row.display_name.clone());
            self.transfer_notes.insert(session_id, (note.clone(), by));
            self.take_from_machine(session_id, &name);
            let record = TransferRecord {
                id: 0,
                session_id,
                by_agent: Some(agent),
                from_agent,
                from_group,
                to_agent: None,
                to_group: name,
                note,
                queued: forced,
                at: now_ms(),
            };
            self.write(move |tx| tx.record_transfer(&record).map(|_| ()));
            return Ok(SessionRef { session_id });
        }
        let now = now_ms();
        let by = self.agents.get(&agent).map(|e| e.row.display_name.clone());
        let (fx, to_agent, to_group, queued) = match plan {
            Plan::Agent(target) => (
                self.engine.transfer_to_agent(session_id, target, now),
                Some(target),
                from_group.clone(),
                false,
            ),
            Plan::Group {
                name,
                for_agent,
                forced,
            } => (
                self.engine.transfer_to_group(session_id, &name, now),
                for_agent,
                name,
                forced,
            ),
        };
        let fx = fx.map_err(route_error)?;
        if let Some(l) = self.live.get_mut(&session_id) {
            l.view.queued_at = Some(now);
        }
        self.transfer_notes
            .insert(session_id, (note.clone(), by.clone()));
        self.apply_with(fx, RemovedReason::Transferred);
        // The customer hears of it (a line "transferring you to a colleague").
        if let Some(c) = self.live.get(&session_id).map(|l| l.view.customer.id) {
            let ev = Event::Transferred { session_id };
            self.emit(Audience::Customer(c), Some(session_id), &ev);
        }
        self.tell_waiting(session_id);
        let record = TransferRecord {
            id: 0,
            session_id,
            by_agent: Some(agent),
            from_agent,
            from_group,
            to_agent,
            to_group,
            note,
            queued,
            at: now,
        };
        self.write(move |tx| tx.record_transfer(&record).map(|_| ()));
        // The note is for the next offer only; if none was made it stays for the queue.
        Ok(SessionRef { session_id })
    }

    /// Ends the bot's or the menu's part (reason `taken`) and queues the conversation in
    /// `group`, as their own hand-offs do.
    pub(super) fn take_from_machine(&mut self, session: SessionId, group: &str) {
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        match l.view.state {
            SessionState::Menu => {
                self.menu_return(session, Some(group.to_string()), MenuReturnReason::Taken)
            }
            SessionState::Bot => {
                l.view.group = group.to_string();
                let lang = Lang::of(&l.view.customer.nickname);
                self.bot_handoff(session, HandoffReason::Taken, lang);
            }
            _ => {}
        }
    }

    /// A human name for an agent in messages: "Li Wei (liwei)".
    fn agent_label(&self, id: AgentId) -> String {
        self.agents
            .get(&id)
            .map(|e| format!("{} ({})", e.row.display_name, e.row.username))
            .unwrap_or_else(|| format!("agent {id}"))
    }

    /// Whether someone of `group` is signed in now: connected and online, busy or away (busy
    /// and away agents come back to the queue; an offline group's queue is a dead end). The
    /// agent who transfers counts: to their own group, it comes back to them if nobody else
    /// takes it (as `docs/protocol.md` says).
    fn group_has_someone(&self, group: &str) -> bool {
        self.agents.keys().any(|id| {
            self.engine
                .agent_groups(*id)
                .is_some_and(|g| g.contains(group))
                && self
                    .engine
                    .agent_load(*id)
                    .is_some_and(|l| l.status != AgentStatus::Offline && l.connected)
        })
    }

    fn plan_group(&self, group: &str, queue: bool) -> Result<Plan, ApiError> {
        if !self.engine.has_group(group) {
            return Err(ApiError::not_found(format!("no skill group `{group}`")));
        }
        let nobody = !self.group_has_someone(group);
        if nobody && !queue {
            return Err(unavailable(format!(
                "nobody in `{group}` is online now; queue it anyway to let it wait there"
            )));
        }
        Ok(Plan::Group {
            name: group.to_string(),
            for_agent: None,
            forced: nobody,
        })
    }

    fn plan_agent(
        &self,
        session: SessionId,
        username: &str,
        from_group: &str,
        queue: bool,
    ) -> Result<Plan, ApiError> {
        let target = self
            .agent_by_username(username)
            .ok_or_else(|| ApiError::not_found(format!("no agent `{username}`")))?;
        if self.engine.assignee(session) == Some(target) {
            return Err(ApiError::conflict(format!(
                "{} already serves this conversation",
                self.agent_label(target)
            )));
        }
        let Some(load) = self.engine.agent_load(target) else {
            return Err(ApiError::not_found(format!("no agent `{username}`")));
        };
        let why = if load.status == AgentStatus::Offline || !load.connected {
            Some("is offline")
        } else if load.active + load.offered >= load.capacity as usize {
            Some("is at their limit of conversations")
        } else {
            None
        };
        let Some(why) = why else {
            return Ok(Plan::Agent(target));
        };
        let label = self.agent_label(target);
        if !queue {
            return Err(unavailable(format!(
                "{label} {why}; queue it anyway to let it wait in their group's queue"
            )));
        }
        let groups = self.engine.agent_groups(target);
        let name = match groups {
            Some(g) if g.contains(from_group) => from_group.to_string(),
            Some(g) => match g.iter().next() {
                Some(first) => first.clone(),
                None => {
                    return Err(unavailable(format!(
                        "{label} {why} and belongs to no skill group to queue it in"
                    )));
                }
            },
            None => return Err(ApiError::not_found(format!("no agent `{username}`"))),
        };
        Ok(Plan::Group {
            name,
            for_agent: Some(target),
            forced: true,
        })
    }
}
