//! `App::update`: what each keymap action does on the workbench.

use super::effect::{kb_list, request};
use super::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::model::AuthorKind;
use crate::model::SessionId;
use crate::protocol::request as req;

/// Smallest and largest panel widths the resize keys allow.
const MIN_PANEL: u16 = 16;
const MAX_PANEL: u16 = 80;

impl App {
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if self.overlay.is_some() {
            return self.update_overlay(action);
        }
        // The knowledge base's workflow keys, and the list keys its views take over.
        if let Some(fx) = self.kb_flow_action(action) {
            return fx;
        }
        // Notes: alt-t, alt-j, sending a note, and the keys of the @ picker (`notes`).
        if let Some(fx) = self.notes_action(action) {
            return fx;
        }
        match action {
            Action::Quit => {
                if self.active_count() > 0 || self.unsent_count() > 0 {
                    self.overlay = Some(Overlay::Quit);
                    Vec::new()
                } else {
                    self.should_quit = true;
                    vec![Effect::Quit]
                }
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help(HelpState::default()));
                Vec::new()
            }
            Action::Dashboard => self.open_dashboard(),
            Action::Audit => self.open_audit(),
            Action::Account => self.open_account(),
            Action::TwoFactor => self.open_two_factor(false),
            Action::NextSession | Action::PrevSession if self.focus == Focus::Profile => {
                let n = self
                    .current()
                    .and_then(|s| s.past.as_ref())
                    .map_or(0, Vec::len);
                if n > 0 {
                    self.profile_selected = if action == Action::NextSession {
                        (self.profile_selected + 1) % n
                    } else {
                        (self.profile_selected + n - 1) % n
                    };
                }
                Vec::new()
            }
            Action::NextSession | Action::PrevSession => {
                let order = self.order();
                if order.is_empty() {
                    return Vec::new();
                }
                let pos = self
                    .selected
                    .and_then(|s| order.iter().position(|o| *o == s));
                let next = match (pos, action == Action::NextSession) {
                    (None, _) => 0,
                    (Some(p), true) => (p + 1) % order.len(),
                    (Some(p), false) => (p + order.len() - 1) % order.len(),
                };
                self.select(order[next])
            }
            Action::Session1
            | Action::Session2
            | Action::Session3
            | Action::Session4
            | Action::Session5
            | Action::Session6
            | Action::Session7
            | Action::Session8
            | Action::Session9 => {
                let n = Action::ALL.iter().position(|a| *a == action).unwrap_or(0)
                    - Action::ALL
                        .iter()
                        .position(|a| *a == Action::Session1)
                        .unwrap_or(0);
                match self.order().get(n) {
                    Some(id) => self.select(*id),
                    None => Vec::new(),
                }
            }
            Action::NextAttention => {
                let order = self.order();
                let current = self.selected;
                let best = order
                    .iter()
                    .filter(|id| Some(**id) != current)
                    .filter_map(|id| self.sessions.get(id))
                    .map(|s| {
                        (
                            self.attention(s),
                            s.view.waiting_since.unwrap_or(i64::MAX),
                            s.view.id,
                        )
                    })
                    .filter(|(rank, _, _)| *rank > 0)
                    .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
                match best {
                    Some((_, _, id)) => self.select(id),
                    None => {
                        self.notice(text(self.lang).no_sessions);
                        Vec::new()
                    }
                }
            }
            Action::FocusNext | Action::FocusPrev => {
                let mut ring = vec![Focus::Sessions, Focus::Chat, Focus::Compose];
                if self.layout.show_sidebar {
                    ring.push(Focus::Profile);
                }
                if self.layout.show_kb {
                    ring.push(Focus::Kb);
                }
                let pos = ring.iter().position(|f| *f == self.focus).unwrap_or(0);
                let next = if action == Action::FocusNext {
                    (pos + 1) % ring.len()
                } else {
                    (pos + ring.len() - 1) % ring.len()
                };
                self.focus = ring[next];
                Vec::new()
            }
            Action::FocusSessions => self.set_focus(Focus::Sessions),
            Action::FocusChat => self.set_focus(Focus::Chat),
            Action::FocusCompose => {
                if self
                    .current()
                    .is_some_and(|s| !s.is_offer() && !s.read_only)
                {
                    self.focus = Focus::Compose;
                }
                Vec::new()
            }
            Action::FocusProfile => {
                self.layout.show_sidebar = true;
                self.set_focus(Focus::Profile)
            }
            Action::KbSearch => self.open_kb(),
            Action::History => self.open_history(),
            Action::ToggleSidebar => {
                self.layout.show_sidebar = !self.layout.show_sidebar;
                if !self.layout.show_sidebar && self.focus == Focus::Profile {
                    self.focus = Focus::Sessions;
                }
                vec![Effect::SaveLayout(self.layout)]
            }
            Action::ToggleKbPanel => {
                if self.layout.show_kb {
                    self.layout.show_kb = false;
                    if self.focus == Focus::Kb {
                        self.focus = Focus::Chat;
                    }
                    vec![Effect::SaveLayout(self.layout)]
                } else {
                    self.open_kb()
                }
            }
            Action::WidenList
            | Action::NarrowList
            | Action::WidenSidebar
            | Action::NarrowSidebar => {
                let (w, delta) = match action {
                    Action::WidenList => (&mut self.layout.list_width, 2i32),
                    Action::NarrowList => (&mut self.layout.list_width, -2),
                    Action::WidenSidebar => (&mut self.layout.sidebar_width, 2),
                    _ => (&mut self.layout.sidebar_width, -2),
                };
                *w = (*w as i32 + delta).clamp(MIN_PANEL as i32, MAX_PANEL as i32) as u16;
                vec![Effect::SaveLayout(self.layout)]
            }
            Action::CycleStatus => {
                let next = match self.status {
                    AgentStatus::Online => AgentStatus::Busy,
                    AgentStatus::Busy => AgentStatus::Away,
                    AgentStatus::Away => AgentStatus::Offline,
                    AgentStatus::Offline => AgentStatus::Online,
                };
                self.set_status(next)
            }
            Action::StatusOnline => self.set_status(AgentStatus::Online),
            Action::StatusBusy => self.set_status(AgentStatus::Busy),
            Action::Accept => self.accept(),
            Action::Reject => match self.current() {
                Some(s) if s.is_offer() => {
                    let id = s.view.id;
                    vec![request(Tag::Reject(id), req::Reject { session_id: id })]
                }
                _ => Vec::new(),
            },
            Action::Transfer => self.open_transfer(),
            Action::Tag => self.open_tag(),
            Action::QuickReplies => self.open_quick_manager(),
            Action::Cc => self.open_cc(),
            Action::Reports => self.open_reports(),
            // Ending a read-only past session just closes it.
            Action::End if self.current().is_some_and(|s| s.read_only) => self.close_read_only(),
            Action::End => self.open_end(),
            Action::CancelEnd => self.cancel_end(),
            Action::ToggleFollowUp => self.toggle_follow_up(),
            Action::Open if self.focus == Focus::Profile => {
                let past = self
                    .current()
                    .and_then(|s| s.past.as_ref())
                    .and_then(|p| p.get(self.profile_selected));
                match past {
                    Some(p) if self.sessions.contains_key(&p.id) => self.select(p.id),
                    Some(p) => {
                        let id = p.id;
                        vec![super::scroll::newest_page(
                            Tag::PastTranscript(id),
                            id,
                            p.last_seq,
                        )]
                    }
                    None => Vec::new(),
                }
            }
            Action::Open => match self.focus {
                Focus::Sessions => match self.current() {
                    Some(s) if s.is_offer() => self.accept(),
                    Some(_) => self.set_focus(Focus::Compose),
                    None => Vec::new(),
                },
                _ => Vec::new(),
            },
            // In the chat, Home/End go to the first/last message (sessions switch elsewhere).
            Action::FirstItem if self.focus == Focus::Chat => self.scroll_top(),
            Action::LastItem if self.focus == Focus::Chat => self.scroll_bottom(),
            Action::FirstItem | Action::LastItem => {
                let order = self.order();
                let pick = if action == Action::FirstItem {
                    order.first()
                } else {
                    order.last()
                };
                match pick {
                    Some(id) => self.select(*id),
                    None => Vec::new(),
                }
            }
            Action::ScrollUp | Action::ScrollDown | Action::PageUp | Action::PageDown => {
                let step = match action {
                    Action::ScrollUp => 1i64,
                    Action::ScrollDown => -1,
                    Action::PageUp => self.chat_page(),
                    _ => -self.chat_page(),
                };
                self.scroll_chat(step)
            }
            Action::RetryFailed => self.retry_failed(),
            Action::SelectNext | Action::SelectPrev => {
                if self.focus == Focus::Kb {
                    let n = self.kb.matches.len();
                    if n > 0 {
                        self.kb.selected = if action == Action::SelectNext {
                            (self.kb.selected + 1) % n
                        } else {
                            (self.kb.selected + n - 1) % n
                        };
                        return self.fetch_selected_article();
                    }
                    return Vec::new();
                }
                self.update(if action == Action::SelectNext {
                    Action::NextSession
                } else {
                    Action::PrevSession
                })
            }
            Action::KbSend | Action::KbInsert => self.use_article(action == Action::KbSend),
            Action::SuggestNext => self.suggest_next(),
            Action::SuggestAdopt => self.suggest_adopt(),
            // Back to the session list, where the single-letter keys (accept, next…) live; the
            // draft stays in its session.
            Action::Cancel => self.set_focus(Focus::Sessions),
            Action::Send => self.send_draft(),
            // Editing keys reach the composer or the KB query through `input`.
            _ => self.edit(action),
        }
    }

    fn set_focus(&mut self, f: Focus) -> Vec<Effect> {
        self.focus = f;
        Vec::new()
    }

    fn set_status(&mut self, status: AgentStatus) -> Vec<Effect> {
        // Its `status` event is ours, not the server's doing.
        self.status_requested = Some(status);
        vec![request(Tag::Status(status), req::SetStatus { status })]
    }

    /// Closes the selected read-only past session and goes back to the session it was opened
    /// from (else the first in the list).
    pub fn close_read_only(&mut self) -> Vec<Effect> {
        let Some(id) = self
            .selected
            .filter(|id| self.sessions.get(id).is_some_and(|s| s.read_only))
        else {
            return Vec::new();
        };
        let back = self.sessions.get(&id).and_then(|s| s.opened_from);
        self.sessions.remove(&id);
        self.selected = None;
        if self.focus == Focus::Compose {
            self.focus = Focus::Sessions;
        }
        match back.filter(|b| self.sessions.contains_key(b)) {
            Some(b) => self.select(b),
            None => match self.order().first().copied() {
                Some(first) => self.select(first),
                None => Vec::new(),
            },
        }
    }

    /// The selected session if we may write to it (accepted, not read-only).
    pub fn writable(&self) -> Option<SessionId> {
        self.current()
            .filter(|s| !s.is_offer() && !s.read_only)
            .map(|s| s.view.id)
    }

    fn accept(&mut self) -> Vec<Effect> {
        let target = self.selected.filter(|id| {
            self.sessions.get(id).is_some_and(|s| s.is_offer())
                || self.pickable.iter().any(|p| p.id == *id)
        });
        let target = target.or_else(|| {
            // Accept with nothing selected takes the oldest offer.
            self.sessions
                .values()
                .filter(|s| s.is_offer())
                .min_by_key(|s| s.offer_expires)
                .map(|s| s.view.id)
        });
        match target {
            Some(id) => vec![request(Tag::Accept(id), req::Accept { session_id: id })],
            None => Vec::new(),
        }
    }

    fn open_kb(&mut self) -> Vec<Effect> {
        self.layout.show_kb = true;
        self.focus = Focus::Kb;
        let mut fx = vec![Effect::SaveLayout(self.layout)];
        if self.kb.titles.is_empty() {
            fx.push(kb_list());
        }
        fx
    }

    /// Sends the composer's text as a message (or does nothing when empty / not writable).
    pub fn send_draft(&mut self) -> Vec<Effect> {
        let Some(id) = self.writable() else {
            return Vec::new();
        };
        let body = match self.sessions.get_mut(&id) {
            Some(s) if !s.draft.text().trim().is_empty() => {
                let body = s.draft.take();
                s.draft.push_history(body.clone());
                body
            }
            _ => return Vec::new(),
        };
        self.send_message(id, body)
    }

    /// Appends a message in the `Sending` state and asks the network to deliver it.
    pub fn send_message(&mut self, id: SessionId, body: String) -> Vec<Effect> {
        let Some(client_msg_id) = self.push_sending(id, &body, false) else {
            return Vec::new();
        };
        if let Some(s) = self.sessions.get_mut(&id) {
            s.view.waiting_since = None;
        }
        vec![send_request(id, client_msg_id, body)]
    }

    /// Appends our own line (a message, or an internal note) in the `Sending` state, scrolled
    /// into view; its new client message id, or `None` without that session.
    pub(super) fn push_sending(
        &mut self,
        id: SessionId,
        body: &str,
        internal: bool,
    ) -> Option<String> {
        let client_msg_id = self.new_msg_id();
        let name = self
            .me
            .as_ref()
            .map(|m| m.display_name.clone())
            .unwrap_or_default();
        let now = self.now;
        let s = self.sessions.get_mut(&id)?;
        s.lines.push(ChatLine {
            seq: None,
            author_kind: AuthorKind::Agent,
            author_name: name,
            body: body.to_string(),
            created_at: now,
            client_msg_id: Some(client_msg_id.clone()),
            delivery: Delivery::Sending,
            internal,
        });
        s.scroll = 0;
        s.jump_top = false;
        Some(client_msg_id)
    }

    fn retry_failed(&mut self) -> Vec<Effect> {
        let Some(id) = self.writable() else {
            return Vec::new();
        };
        let mut fx = Vec::new();
        if let Some(s) = self.sessions.get_mut(&id) {
            for line in s
                .lines
                .iter_mut()
                .filter(|l| l.delivery == Delivery::Failed && !l.internal)
            {
                // Every line the agent wrote has its id; the same id is what makes a retry safe.
                let Some(cmid) = line.client_msg_id.clone() else {
                    continue;
                };
                line.delivery = Delivery::Sending;
                fx.push(send_request(id, cmid, line.body.clone()));
            }
        }
        // Notes go again as notes, never as messages to the customer.
        fx.extend(self.retry_failed_notes());
        fx
    }
}

/// The `message.send` of a message the agent wrote (the same on a retry).
fn send_request(session: SessionId, client_msg_id: String, body: String) -> Effect {
    let tag = Tag::Send {
        session,
        client_msg_id: client_msg_id.clone(),
    };
    let message = req::SendMessage {
        session_id: session,
        client_msg_id,
        body,
    };
    request(tag, message)
}
