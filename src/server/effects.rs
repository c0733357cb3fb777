//! Turning the routing engine's decisions into session updates, stored rows and events —
//! the bridge between the pure engine and what agents, supervisors and customers are told.

use super::hub::Hub;
use crate::model::{AgentStatus, SessionId, SessionState, now_ms};
use crate::protocol::{Event, RemovedReason, StatusReason, WithdrawnReason};
use crate::routing::Effect;
use crate::routing::WithdrawReason;
use crate::store::Audience;

impl Hub {
    /// Emits the session's current view to its agent and to supervisors.
    pub fn announce_session(&mut self, session: SessionId) {
        let Some(l) = self.live.get(&session) else {
            return;
        };
        let view = l.view.clone();
        let ev = Event::Session {
            session: view.clone(),
        };
        // Supervisors get it through their own audience; once is enough.
        if let Some(a) = view.assignee
            && !self.gets_supervisor_copy(a, Some(session))
        {
            self.emit(Audience::Agent(a), Some(session), &ev);
        }
        self.emit(Audience::Supervisors, Some(session), &ev);
    }

    /// Turns routing effects into session updates, stored rows and events.
    pub fn apply(&mut self, effects: Vec<Effect>) {
        self.apply_with(effects, RemovedReason::Requeued);
    }

    /// Like [`apply`](Self::apply), naming why an agent lost a session (`transferred`, …).
    pub fn apply_with(&mut self, effects: Vec<Effect>, released_reason: RemovedReason) {
        let now = now_ms();
        self.dashboard_observe(&effects);
        for fx in effects {
            match fx {
                Effect::Queued { session, group } => {
                    if let Some(l) = self.live.get_mut(&session) {
                        l.view.state = SessionState::Queued;
                        l.view.group = group;
                        l.view.assignee = None;
                        l.view.queued_at.get_or_insert(now);
                    }
                    self.touch(session);
                    self.emit_supervisors(session);
                }
                Effect::Offered {
                    session,
                    agent,
                    expires_at,
                } => {
                    let Some(l) = self.live.get_mut(&session) else {
                        continue;
                    };
                    l.view.state = SessionState::Offered;
                    l.view.offered_at = Some(now);
                    let view = l.view.clone();
                    let note = self.transfer_notes.remove(&session);
                    self.touch(session);
                    let ev = Event::Offer {
                        session: view,
                        expires_at,
                        transfer_note: note.as_ref().map(|n| n.0.clone()),
                        transferred_by: note.and_then(|n| n.1),
                    };
                    self.emit(Audience::Agent(agent), Some(session), &ev);
                }
                Effect::OfferWithdrawn {
                    session,
                    agent,
                    reason,
                } => {
                    let ev = Event::OfferWithdrawn {
                        session_id: session,
                        reason: withdrawn(reason),
                    };
                    self.emit(Audience::Agent(agent), Some(session), &ev);
                }
                Effect::Assigned { session, agent } => {
                    let name = self
                        .agents
                        .get(&agent)
                        .map(|e| e.row.display_name.clone())
                        .unwrap_or_default();
                    let Some(l) = self.live.get_mut(&session) else {
                        continue;
                    };
                    l.view.state = SessionState::Active;
                    l.view.assignee = Some(agent);
                    l.view.accepted_at = Some(now);
                    let customer = l.view.customer.id;
                    self.touch(session);
                    self.announce_session(session);
                    let ev = Event::AgentJoined {
                        session_id: session,
                        agent_name: name,
                    };
                    self.emit(Audience::Customer(customer), Some(session), &ev);
                }
                Effect::Released { session, agent } => {
                    // Whoever let go no longer serves it: messages stop reaching them at once.
                    // An ended session keeps its assignee on record (who served it).
                    if released_reason != RemovedReason::Ended
                        && let Some(l) = self.live.get_mut(&session)
                        && l.view.assignee == Some(agent)
                    {
                        l.view.assignee = None;
                        self.touch(session);
                    }
                    if released_reason != RemovedReason::Ended {
                        let ev = Event::SessionRemoved {
                            session_id: session,
                            reason: released_reason,
                        };
                        self.emit(Audience::Agent(agent), Some(session), &ev);
                    }
                }
                Effect::StatusChanged { agent, status } => {
                    if let Some(e) = self.agents.get_mut(&agent) {
                        e.row.status = status;
                    }
                    self.batch.statuses.push((agent, status));
                    // The engine changes a status on its own for two reasons only.
                    let reason = match status {
                        AgentStatus::Away => StatusReason::MissedOffers,
                        _ => StatusReason::Disconnected,
                    };
                    let ev = Event::Status {
                        status,
                        reason: Some(reason),
                    };
                    self.emit(Audience::Agent(agent), None, &ev);
                }
            }
        }
    }

    fn emit_supervisors(&mut self, session: SessionId) {
        if let Some(l) = self.live.get(&session) {
            let ev = Event::Session {
                session: l.view.clone(),
            };
            self.emit(Audience::Supervisors, Some(session), &ev);
        }
    }
}

fn withdrawn(reason: WithdrawReason) -> WithdrawnReason {
    match reason {
        WithdrawReason::Rejected => WithdrawnReason::Rejected,
        WithdrawReason::Timeout => WithdrawnReason::Timeout,
        WithdrawReason::AgentLeft => WithdrawnReason::AgentLeft,
        WithdrawReason::Reassigned => WithdrawnReason::Reassigned,
    }
}
