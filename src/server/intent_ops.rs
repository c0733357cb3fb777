//! Intents on the hub, classified off it: each customer message is classified on the read pool
//! after its commit (about 15 µs there; the hub only queues the job and handles the answer).
//! The answer labels the message for the agents who see the session (the non-durable
//! `message_intent` frame), and the first few messages of a conversation make its dominant
//! intent (the SessionView's `intent`). The first time that intent is one with routing effects
//! (`priority`, `route_group` in the intent catalog), they are applied to the still-queued
//! conversation and announced as an `intent_effect` event.

use super::hub::{Auth, Hub};
#[cfg(doc)]
use super::intent_book::IntentBook;
use crate::model::{SessionId, SessionState, now_ms};
use crate::protocol::{Event, IntentEffectInfo, ServerFrame};
use crate::store::Audience;

/// Only the start of a long message is classified: what it is about shows there, and the
/// cost of a classification grows with the text.
const CLASSIFY_CHARS: usize = 500;

impl Hub {
    /// Queues the classification of a customer's message (`seq` in `session`) on the read
    /// pool; [`Hub::message_classified`] takes the answer. A full pool drops it: intents are
    /// a hint, never worth making anyone wait.
    pub(super) fn note_intent(&mut self, session: SessionId, seq: i64, text: &str) {
        let Some(intents) = self.intents.shared() else {
            return;
        };
        let counts = self.intents.admit(session);
        let text: String = text.chars().take(CLASSIFY_CHARS).collect();
        self.read_then(
            move |_| Ok(intents.classifier.predict(&text)),
            move |hub, prediction| {
                if let Ok(p) = prediction
                    && let Some(label) = p.label
                {
                    hub.message_classified(session, seq, label, p.confidence, counts);
                }
            },
        );
    }

    /// A message's intent is known: agents who see the session get it, and (for the first
    /// few messages) it counts towards the conversation's intent.
    fn message_classified(
        &mut self,
        session: SessionId,
        seq: i64,
        intent: String,
        confidence: f32,
        counts: bool,
    ) {
        let Some(l) = self.live.get(&session) else {
            return;
        };
        let (zh, en) = self
            .intents
            .shared()
            .and_then(|i| i.set.get(&intent).map(|i| (i.zh.clone(), i.en.clone())))
            .unwrap_or_default();
        let frame = ServerFrame::MessageIntent {
            session_id: session,
            seq,
            intent: intent.clone(),
            confidence,
            zh,
            en,
        };
        let text = serde_json::to_string(&frame).unwrap_or_default();
        let assignee = l.view.assignee;
        for e in self.agents.values() {
            if Some(e.row.id) != assignee && !self.gets_supervisor_copy(e.row.id, Some(session)) {
                continue;
            }
            for c in &e.conns {
                if let Some(conn) = self.conns.get(c)
                    && matches!(conn.auth, Auth::Agent(_))
                {
                    // Through the batch: it goes out after the message's own event, which
                    // an earlier commit delivers.
                    self.batch.sends.push((conn.out.clone(), text.clone()));
                }
            }
        }
        if !counts {
            return;
        }
        let Some(dominant) = self.intents.record(session, &intent) else {
            return;
        };
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        if l.view.intent.as_deref() == Some(dominant.as_str()) {
            return;
        }
        l.view.intent = Some(dominant.clone());
        self.touch(session);
        self.announce_session(session);
        if self.intents.take_effects(session, &dominant) {
            self.apply_intent_effects(session, &dominant);
        }
    }

    /// Raises the priority of, and/or moves, a conversation that still waits in its queue;
    /// an offered or accepted one is left alone. What was done is announced to supervisors
    /// (and the assignee, if any) as an `intent_effect` event.
    fn apply_intent_effects(&mut self, session: SessionId, intent: &str) {
        let Some(effects) = self
            .intents
            .shared()
            .and_then(|i| i.set.get(intent).map(|i| i.effects.clone()))
        else {
            return;
        };
        if !self.engine.is_queued(session) {
            return;
        }
        let mut info = IntentEffectInfo {
            session_id: session,
            intent: intent.to_string(),
            priority: None,
            route_group: None,
        };
        if let Some(p) = self
            .engine
            .raise_queued_priority(session, effects.priority_raise())
        {
            if let Some(l) = self.live.get_mut(&session) {
                l.view.priority = p;
            }
            info.priority = Some(p);
        }
        if let Some(group) = &effects.route_group
            && self.engine.session_group(session) != Some(group.as_str())
            && self.engine.has_group(group)
        {
            match self.engine.move_queued(session, group, now_ms()) {
                Ok(fx) => {
                    info.route_group = Some(group.clone());
                    self.apply(fx);
                }
                Err(e) => tracing::warn!(session, error = %e, "intent route_group not applied"),
            }
        }
        if info.priority.is_none() && info.route_group.is_none() {
            return;
        }
        tracing::info!(session, intent, priority = ?info.priority, group = ?info.route_group,
            "intent effects applied");
        self.touch(session);
        self.announce_session(session);
        let assignee = self
            .live
            .get(&session)
            .filter(|l| l.view.state != SessionState::Queued)
            .and_then(|l| l.view.assignee);
        let ev = Event::IntentEffect(info);
        if let Some(a) = assignee.filter(|a| !self.gets_supervisor_copy(*a, Some(session))) {
            self.emit(Audience::Agent(a), Some(session), &ev);
        }
        self.emit(Audience::Supervisors, Some(session), &ev);
    }
}
