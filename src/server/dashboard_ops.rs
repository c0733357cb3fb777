//! The supervisor's live view on the hub: `dashboard.watch`, the `dashboard` frames, and the
//! supervisor actions `agent.set_status` and `session.take_over`.
//!
//! Frames are event-driven and coalesced: after each hub turn (`dashboard_turn`, one hook in
//! the hub's loop) the view is computed — only while someone watches, and at most every
//! [`MIN_GAP_MS`] — and sent to the watchers when it differs from the last one sent. A change
//! inside the gap schedules one wake-up at its end, so the last change is never left unsent.
//! Watchers whose connection closed (or logged out) are dropped on the next turn.

use super::dashboard_book::MIN_GAP_MS;
use super::hub::{Auth, Hub, HubMsg};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::{AgentId, Millis, SessionId, SessionState, now_ms};
use crate::permissions::{Action, Resource};
use crate::protocol::{
    AgentSetStatus, ApiError, DashboardView, DashboardWatch, Event, RemovedReason, ServerFrame,
    SessionRef, StatusReason, StatusReply, TakeOver,
};
use crate::routing::Effect;
use crate::store::Audience;
use crate::store::transfers::TransferRecord;

/// Conversations queued (and offers missed) since then seed the counters at start-up: the
/// start of today, or an hour ago if that is earlier.
fn seed_since(day_start: Millis, now: Millis) -> Millis {
    day_start.min(now - 3_600_000)
}

impl Hub {
    /// The table's answer for a supervisor action on a session (its group), on an agent (one
    /// of their groups), or on the whole floor (neither: every group).
    fn supervise(
        &self,
        agent: AgentId,
        action: Action,
        session: Option<SessionId>,
        of_agent: Option<AgentId>,
    ) -> Result<(), ApiError> {
        let mut groups: Vec<&str> = Vec::new();
        let mut target = "floor".to_string();
        if let Some(s) = session {
            groups.extend(self.session_group(s));
            target = format!("session:{s}");
        }
        if let Some(a) = of_agent {
            if let Some(e) = self.agents.get(&a) {
                groups.extend(e.row.groups.iter().map(String::as_str));
            }
            target = format!("agent:{a}");
        }
        self.permit(agent, action, Resource::of(false, &groups), &target)
    }

    pub(super) fn dashboard_watch(
        &mut self,
        r: Responder<DashboardView>,
        conn: ConnId,
        agent: AgentId,
        q: DashboardWatch,
    ) {
        if let Err(e) = self.supervise(agent, Action::Dashboard, q.session_id, None) {
            return self.answer(r, Err(e));
        }
        if let Some(session) = q.session_id {
            let result = self.follow_read_only(agent, session, q.on);
            if let Err(e) = result {
                return self.answer(r, Err(e));
            }
            let view = self.dashboard_view(now_ms());
            return self.answer(r, Ok(view));
        }
        let view = self.dashboard_view(now_ms());
        if q.on {
            self.dashboard.watchers.insert(conn);
            // The first watcher's reply is the baseline; with others already watching, a
            // pending change still goes to all of them at the next turn.
            if self.dashboard.last_sent.is_none() || !self.dashboard.changed(&view) {
                self.dashboard.last_sent = Some(view.clone());
            }
        } else {
            self.dashboard.watchers.remove(&conn);
        }
        self.answer(r, Ok(view));
    }

    /// A supervisor starts or stops following a conversation read-only.
    fn follow_read_only(
        &mut self,
        agent: AgentId,
        session: SessionId,
        on: bool,
    ) -> Result<(), ApiError> {
        if !on {
            if let Some(set) = self.dashboard.readers.get_mut(&session) {
                set.remove(&agent);
                if set.is_empty() {
                    self.dashboard.readers.remove(&session);
                }
            }
            return Ok(());
        }
        if !self.live.contains_key(&session) {
            return Err(ApiError::not_found(format!(
                "conversation {session} is not open (it ended, or never existed)"
            )));
        }
        self.dashboard
            .readers
            .entry(session)
            .or_default()
            .insert(agent);
        Ok(())
    }

    /// A message of a conversation followed read-only reaches its supervisors (hook in
    /// `note_ops::message_to_watchers`); its assignee has it already.
    pub(super) fn dashboard_readers_message(
        &mut self,
        session: SessionId,
        stored: (SessionId, i64),
        body: &str,
        assignee: Option<AgentId>,
    ) {
        if !self.live.contains_key(&session) {
            self.dashboard.readers.remove(&session);
            return;
        }
        let Some(readers) = self.dashboard.readers.get(&session) else {
            return;
        };
        let readers: Vec<AgentId> = readers.iter().copied().collect();
        for a in readers {
            if Some(a) != assignee {
                self.emit_message(Audience::Agent(a), stored, body, None);
            }
        }
    }

    /// The routing effects about to be applied (hook in `effects`).
    pub(super) fn dashboard_observe(&mut self, effects: &[Effect]) {
        self.dashboard.observe(effects, now_ms());
    }

    /// After each hub turn: sends a `dashboard` frame to the watchers if the view changed and
    /// the last frame is old enough (hook in the hub's loop).
    pub(super) fn dashboard_turn(&mut self) {
        let now = now_ms();
        let conns = &self.conns;
        let agents = &self.agents;
        self.dashboard
            .watchers
            .retain(|c| match conns.get(c).map(|c| c.auth) {
                Some(Auth::Agent(a)) => agents.get(&a).is_some_and(|e| e.row.role.sees_all()),
                _ => false,
            });
        if self.dashboard.watchers.is_empty() {
            self.dashboard.last_sent = None;
            if self.dashboard.settle_due(now) {
                self.dashboard_roll_day(now);
                let live = &self.live;
                self.dashboard.settle(now, |s| live.contains_key(&s));
                self.dashboard.readers.retain(|s, _| live.contains_key(s));
            }
            return;
        }
        if now < self.dashboard.next_at {
            self.dashboard_wake_at(self.dashboard.next_at);
            return;
        }
        let view = self.dashboard_view(now);
        self.dashboard.next_at = now + MIN_GAP_MS;
        if !self.dashboard.changed(&view) {
            return;
        }
        let frame = serde_json::to_string(&ServerFrame::Dashboard(Box::new(view.clone())))
            .unwrap_or_default();
        for c in &self.dashboard.watchers {
            if let Some(conn) = self.conns.get(c) {
                conn.out.send(frame.clone());
            }
        }
        self.dashboard.last_sent = Some(view);
    }

    /// Makes the hub take another turn at `at` (one wake-up in flight at a time).
    fn dashboard_wake_at(&mut self, at: Millis) {
        if self.dashboard.wake_pending {
            return;
        }
        self.dashboard.wake_pending = true;
        let inbox = self.inbox.clone();
        let wait = (at - now_ms()).max(0) as u64;
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            let _ = inbox.send(HubMsg::Continue(Box::new(|h: &mut Hub| {
                h.dashboard.wake_pending = false;
            })));
        });
    }

    /// Seeds the counters from the store, once at start-up (hook in the hub's loop).
    pub(super) fn dashboard_seed(&mut self) {
        let now = now_ms();
        let since = seed_since(self.dashboard.day().0, now);
        self.read_then(
            move |rd| rd.dashboard_seed(since),
            move |h, seed| match seed {
                Ok(seed) => h.dashboard.seed(&seed, now),
                Err(e) => tracing::warn!(error = %e.message, "dashboard: seeding failed"),
            },
        );
    }

    pub(super) fn agent_set_status(
        &mut self,
        agent: AgentId,
        q: AgentSetStatus,
    ) -> Result<StatusReply, ApiError> {
        self.supervise(agent, Action::SetAgentStatus, None, Some(q.agent_id))?;
        if !self.agents.contains_key(&q.agent_id) {
            return Err(ApiError::not_found(format!("no agent {}", q.agent_id)));
        }
        // The same path as their own `status.set` (offers withdrawn when leaving online…),
        // but their event says a supervisor did it.
        let fx = self
            .engine
            .set_status(q.agent_id, q.status, now_ms())
            .map_err(super::agent_ops::route_error)?;
        self.set_status_row(q.agent_id, q.status);
        let ev = Event::Status {
            status: q.status,
            reason: Some(StatusReason::Supervisor),
        };
        self.emit(Audience::Agent(q.agent_id), None, &ev);
        self.apply(fx);
        tracing::info!(by = agent, agent = q.agent_id, status = ?q.status, "status set by a supervisor");
        Ok(StatusReply { status: q.status })
    }

    pub(super) fn take_over(
        &mut self,
        agent: AgentId,
        q: TakeOver,
    ) -> Result<SessionRef, ApiError> {
        self.supervise(agent, Action::TakeOver, Some(q.session_id), None)?;
        let session = q.session_id;
        let Some(l) = self.live.get(&session) else {
            return Err(ApiError::not_found(format!(
                "conversation {session} is not open (it ended, or never existed)"
            )));
        };
        let (state, group, from_agent) = (l.view.state, l.view.group.clone(), l.view.assignee);
        if from_agent == Some(agent) {
            return Err(ApiError::conflict(format!(
                "conversation {session} is already yours"
            )));
        }
        // With the bot or in a menu: handed off into its group's queue first (reason
        // `taken`), then taken from there like any queued one.
        if matches!(state, SessionState::Bot | SessionState::Menu) {
            self.take_from_machine(session, &group);
        }
        let fx = self
            .engine
            .take_over(session, agent, now_ms())
            .map_err(super::agent_ops::route_error)?;
        self.apply_with(fx, RemovedReason::TakenOver);
        let record = TransferRecord {
            id: 0,
            session_id: session,
            by_agent: Some(agent),
            from_agent,
            from_group: group.clone(),
            to_agent: Some(agent),
            to_group: group,
            note: String::new(),
            queued: false,
            at: now_ms(),
        };
        self.write(move |tx| tx.record_transfer(&record).map(|_| ()));
        let actor = self.agent_name(agent);
        let from = from_agent.map(|a| self.agent_name(a));
        self.audit(
            &actor,
            crate::audit::TAKE_OVER,
            &format!("session:{session}"),
            serde_json::json!({ "from_agent": from }),
        );
        tracing::info!(session, by = agent, from = ?from_agent, "taken over");
        Ok(SessionRef {
            session_id: session,
        })
    }
}
