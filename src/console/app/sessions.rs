//! The session list as the app sees it: rows in list order (offers, active, pending
//! follow-up, read-only, the pickable queue), the current session, how urgently each one
//! needs the agent, and selecting one (which fetches what its panels need).

use super::effect::{Effect, Tag, request};
use super::scroll::newest_page;
use super::state::{App, SessionEntry};
use crate::console::i18n::text;
use crate::model::{Millis, SessionId};

/// How long a customer may wait before the wait colour turns "long", then "overdue".
pub const WAIT_LONG_MS: Millis = 60_000;
pub const WAIT_OVERDUE_MS: Millis = 180_000;

/// One row of the session list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Heading(&'static str),
    Session(SessionId),
    /// A queued session of a manual group, pickable with accept.
    Queued(SessionId),
}

impl App {
    /// Sessions in list order: offers, active, pending follow-up, read-only, then pickable queue.
    pub fn rows(&self) -> Vec<Row> {
        let t = text(self.lang);
        let mut offers: Vec<&SessionEntry> =
            self.sessions.values().filter(|s| s.is_offer()).collect();
        offers.sort_by_key(|s| (s.offer_expires, s.view.id));
        let active: Vec<&SessionEntry> = self
            .sessions
            .values()
            .filter(|s| !s.is_offer() && !s.read_only && !s.view.follow_up)
            .collect();
        let mut follow: Vec<&SessionEntry> = self
            .sessions
            .values()
            .filter(|s| !s.is_offer() && !s.read_only && s.view.follow_up)
            .collect();
        // Due ones first, then by reminder time; those without a reminder last.
        follow.sort_by_key(|s| self.follow_up_order(s));
        let past: Vec<&SessionEntry> = (self.sessions.values())
            .filter(|s| s.read_only && !self.notes.watching.contains(&s.view.id))
            .collect();
        let mut rows = Vec::new();
        for (heading, list) in [
            (t.offers_heading, offers),
            (t.active_heading, active),
            (t.followup_heading, follow),
            (
                super::notes_state::notes_text(self.lang).heading,
                self.watched_entries(),
            ),
            (t.read_only, past),
        ] {
            if !list.is_empty() {
                rows.push(Row::Heading(heading));
                rows.extend(list.iter().map(|s| Row::Session(s.view.id)));
            }
        }
        if !self.pickable.is_empty() {
            rows.push(Row::Heading(t.queue_heading));
            rows.extend(self.pickable.iter().map(|s| Row::Queued(s.id)));
        }
        rows
    }

    /// Session ids in list order (what next/previous and 1–9 walk through).
    pub fn order(&self) -> Vec<SessionId> {
        self.rows()
            .into_iter()
            .filter_map(|r| match r {
                Row::Session(id) | Row::Queued(id) => Some(id),
                Row::Heading(_) => None,
            })
            .collect()
    }

    pub fn current(&self) -> Option<&SessionEntry> {
        self.selected.and_then(|id| self.sessions.get(&id))
    }

    pub fn current_mut(&mut self) -> Option<&mut SessionEntry> {
        self.selected.and_then(|id| self.sessions.get_mut(&id))
    }

    /// How urgently a session needs the agent: offer > waiting too long > VIP/complaint > unread.
    pub fn attention(&self, s: &SessionEntry) -> u8 {
        if s.is_offer() {
            4
        } else if s
            .view
            .waiting_since
            .is_some_and(|w| self.now - w >= WAIT_LONG_MS)
        {
            3
        } else if (s.view.customer.vip || is_complaint(&s.view))
            && (s.unread > 0 || s.view.waiting_since.is_some())
        {
            2
        } else if s.unread > 0 {
            1
        } else {
            0
        }
    }

    /// Active sessions (not offers, not read-only), for the quit confirmation.
    pub fn active_count(&self) -> usize {
        self.sessions
            .values()
            .filter(|s| !s.is_offer() && !s.read_only)
            .count()
    }

    /// Messages written but not acknowledged by the server (in the outbox or refused).
    pub fn unsent_count(&self) -> usize {
        self.sessions
            .values()
            .map(SessionEntry::unsent)
            .sum::<usize>()
            + self.orphans.len()
    }

    /// Selects a session, marks it read and fetches what the panels need.
    pub fn select(&mut self, id: SessionId) -> Vec<Effect> {
        if self.selected != Some(id) {
            self.profile_selected = 0;
        }
        self.selected = Some(id);
        let mut fx = self.notes_on_select(id);
        if let Some(s) = self.sessions.get_mut(&id) {
            s.unread = 0;
            s.scroll = 0;
            s.jump_top = false;
            if !s.loaded {
                fx.push(newest_page(Tag::Transcript(id), id, s.view.last_seq));
            }
            if s.past.is_none() && !s.read_only {
                let profile = crate::protocol::request::Profile {
                    customer_id: s.view.customer.id,
                };
                fx.push(request(Tag::Profile(id), profile));
            }
        }
        fx
    }
}

pub fn is_complaint(view: &crate::protocol::SessionView) -> bool {
    let c = |t: &String| t == "complaint" || t.contains("投诉");
    view.customer.tags.iter().any(c)
        || view.tags.iter().any(c)
        || view.intent.as_deref() == Some("complaint")
}
