//! What a waiting customer is told, on the hub: the `waiting` frame (position, estimate,
//! whether anyone is online, whether the group is open, whether the conversation became a left
//! message) to the customer's connections, and marking conversations `offline`.
//!
//! A customer who starts or resumes while queued gets the frame right after the reply (it goes
//! out after the batch's replies); later frames follow changes, checked once a second: queues
//! that moved (from the engine) and groups whose presence or hours changed. Position moves are
//! throttled per session by the engine's [`WaitingBook`](crate::routing::WaitingBook); the rest goes out at once.

use super::hub::{Auth, Hub};
use super::waiting_room::{PASS_EVERY_MS, Presence};
use crate::model::{Millis, SessionId, SessionState, now_ms};
use crate::protocol::{ServerFrame, WaitingInfo};
use crate::routing::WaitBasis;
use std::collections::BTreeSet;

/// A group's state for a round of frames: looked up once, used for its whole queue.
struct GroupNow {
    presence: Presence,
    wait: Option<WaitBasis>,
}

impl Hub {
    fn group_now(&self, group: &str, now: Millis) -> GroupNow {
        GroupNow {
            presence: self.group_presence(group, now),
            wait: self.engine.wait_basis(group),
        }
    }

    pub fn group_presence(&self, group: &str, now: Millis) -> Presence {
        Presence {
            agents_online: self.engine.agents_online(group),
            open_now: self.waiting.hours.get(group).is_none_or(|h| h.is_open(now)),
        }
    }

    /// The session's customer gets the `waiting` frame at the end of this turn if it is queued.
    pub(super) fn tell_waiting(&mut self, session: SessionId) {
        self.waiting.fresh.insert(session);
    }

    /// Sends the `waiting` frames due; called once per hub turn, before the flush.
    pub(super) fn refresh_waiting(&mut self) {
        let now = now_ms();
        let fresh = std::mem::take(&mut self.waiting.fresh);
        let pass = now - self.waiting.last_pass >= PASS_EVERY_MS;
        if fresh.is_empty() && !pass {
            return;
        }
        let mut infos = Vec::new();
        for s in fresh {
            let group = self.live.get(&s).map(|l| l.view.group.clone());
            let g = self.group_now(group.as_deref().unwrap_or_default(), now);
            if let Some(info) = self.waiting_info(s, None, &g) {
                infos.extend(self.waiting.book.offer(info, now, true));
            } else if let Some(info) = self.left_message_info(s, now) {
                infos.push(info);
            }
        }
        if pass {
            self.waiting.last_pass = now;
            let mut groups: BTreeSet<String> =
                self.engine.take_changed_queues().into_iter().collect();
            for (group, _, waiting) in self.engine.queue_lengths() {
                let p = self.group_presence(&group, now);
                let before = self.waiting.presence.insert(group.clone(), p);
                if waiting > 0 && before != Some(p) {
                    groups.insert(group);
                }
            }
            for group in groups {
                let g = self.group_now(&group, now);
                for (i, s) in self.engine.queue(&group).into_iter().enumerate() {
                    if let Some(info) = self.waiting_info(s, Some(i + 1), &g) {
                        infos.extend(self.waiting.book.offer(info, now, false));
                    }
                }
            }
            infos.extend(self.waiting.book.due(now));
            // Those no longer queued have nothing more to be told.
            let gone: Vec<SessionId> = self
                .waiting
                .book
                .sessions()
                .filter(|s| {
                    self.live
                        .get(s)
                        .is_none_or(|l| l.view.state != SessionState::Queued)
                })
                .collect();
            for s in gone {
                self.waiting.book.forget(s);
            }
        }
        self.send_waiting(infos);
    }

    /// The frame for a queued session of the group `g` describes (its position looked up
    /// unless given); marks it `offline` when its group cannot answer now. `None` when it is
    /// not queued.
    fn waiting_info(
        &mut self,
        session: SessionId,
        position: Option<usize>,
        g: &GroupNow,
    ) -> Option<WaitingInfo> {
        let l = self.live.get(&session)?;
        if l.view.state != SessionState::Queued {
            return None;
        }
        let group = l.view.group.clone();
        let position = position.or_else(|| {
            self.engine
                .queue(&group)
                .iter()
                .position(|s| *s == session)
                .map(|i| i + 1)
        })?;
        let p = g.presence;
        if !p.serving()
            && let Some(l) = self.live.get_mut(&session)
            && !l.view.offline
        {
            // It became a left message: agents see it marked as one.
            l.view.offline = true;
            self.touch(session);
            self.announce_session(session);
        }
        let offline = self.live.get(&session).is_some_and(|l| l.view.offline);
        Some(WaitingInfo {
            session_id: session,
            position: Some(position),
            estimate_secs: g.wait.map(|w| w.estimate_secs(position)),
            agents_online: p.agents_online,
            open_now: p.open_now,
            offline,
        })
    }

    /// A left message already offered to an agent who came (or is on duty outside the
    /// hours): the customer is still told it is one, without a position.
    fn left_message_info(&self, session: SessionId, now: Millis) -> Option<WaitingInfo> {
        let v = &self.live.get(&session)?.view;
        if !v.offline || v.state != SessionState::Offered {
            return None;
        }
        let p = self.group_presence(&v.group, now);
        Some(WaitingInfo {
            session_id: session,
            position: None,
            estimate_secs: None,
            agents_online: p.agents_online,
            open_now: p.open_now,
            offline: true,
        })
    }

    /// Queues the frames for the customers' connections, after this turn's replies.
    fn send_waiting(&mut self, infos: Vec<WaitingInfo>) {
        let mut sends = Vec::new();
        for info in infos {
            let Some(customer) = self.live.get(&info.session_id).map(|l| l.view.customer.id) else {
                continue;
            };
            let frame = serde_json::to_string(&ServerFrame::Waiting(info)).unwrap_or_default();
            for c in self.customer_conns.get(&customer).into_iter().flatten() {
                if let Some(conn) = self.conns.get(c)
                    && matches!(conn.auth, Auth::Customer(_))
                {
                    sends.push((conn.out.clone(), frame.clone()));
                }
            }
        }
        if sends.is_empty() {
            return;
        }
        self.batch.after_replies.push(Box::new(move |_| {
            Ok(Some(Box::new(move || {
                for (out, frame) in sends {
                    out.send(frame);
                }
            })))
        }));
    }
}
