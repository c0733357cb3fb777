//! Follow-up (待跟进) in the console: the dialog that marks a conversation with a reminder
//! time, and what a fired reminder does (alert, mark on the list).

use super::effect::{AlertKind, Effect, Tag, request};
use super::followup_state::{CHOICES, FollowUpDialog, TimeError, remind_at};
use super::state::{App, Overlay, SessionEntry};
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::console::sanitize::inert_line;
use crate::model::SessionId;
use crate::protocol::request as req;

impl App {
    /// A reminder fell due (`follow_up_due`): alert, and show it on the list until opened.
    pub fn on_follow_up_due(&mut self, session: SessionId) -> Vec<Effect> {
        let Some(s) = self.sessions.get(&session) else {
            return Vec::new();
        };
        let who = inert_line(&s.view.customer.nickname).into_owned();
        self.followup.due.insert(session);
        vec![Effect::Alert {
            kind: AlertKind::FollowUp,
            title: text(self.lang).follow_up_due.to_string(),
            body: who,
        }]
    }
}

impl App {
    /// `f6` / `f`: opens the follow-up dialog on an unmarked conversation; unmarks a marked one.
    pub fn toggle_follow_up(&mut self) -> Vec<Effect> {
        let Some(id) = self.writable() else {
            return Vec::new();
        };
        self.followup.due.remove(&id);
        if self.sessions.get(&id).is_some_and(|s| s.view.follow_up) {
            let unmark = req::FollowUp {
                session_id: id,
                pending: false,
                remind_at: None,
            };
            return vec![request(Tag::FollowUp(id), unmark)];
        }
        self.overlay = Some(Overlay::FollowUp(FollowUpDialog::new(id)));
        Vec::new()
    }

    /// Keys in the follow-up dialog: up/down choose, typing goes to the time field (and
    /// chooses it), enter marks, esc cancels.
    pub fn follow_up_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::FollowUp(d)) = &mut self.overlay else {
            return Vec::new();
        };
        let n = CHOICES.len();
        match action {
            Action::SelectNext | Action::CursorDown | Action::NextField => {
                d.choice = (d.choice + 1) % n;
                d.error = None;
            }
            Action::SelectPrev | Action::CursorUp => {
                d.choice = (d.choice + n - 1) % n;
                d.error = None;
            }
            Action::Cancel => self.overlay = None,
            Action::Confirm => return self.confirm_follow_up(),
            other => self.edit_overlay(other),
        }
        Vec::new()
    }

    fn confirm_follow_up(&mut self) -> Vec<Effect> {
        let t = text(self.lang);
        let (now, tz) = (self.now, self.followup.tz.clone());
        let Some(Overlay::FollowUp(d)) = &mut self.overlay else {
            return Vec::new();
        };
        match remind_at(d.current(), &d.typed, now, &tz) {
            Ok(at) => {
                let mark = req::FollowUp {
                    session_id: d.session,
                    pending: true,
                    remind_at: at,
                };
                let session = d.session;
                self.overlay = None;
                vec![request(Tag::FollowUp(session), mark)]
            }
            Err(e) => {
                d.error = Some(
                    match e {
                        TimeError::Unreadable => t.follow_up_unreadable,
                        TimeError::Past => t.follow_up_past,
                        TimeError::TooFar => t.follow_up_too_far,
                    }
                    .to_string(),
                );
                Vec::new()
            }
        }
    }

    /// Typed text in the dialog: the time field.
    pub fn follow_up_text(&mut self, f: impl FnOnce(&mut String)) {
        if let Some(Overlay::FollowUp(d)) = &mut self.overlay {
            f(&mut d.typed);
            d.choice = CHOICES.len() - 1;
            d.error = None;
        }
    }

    /// Whether a fired reminder of this conversation is still waiting for the agent.
    pub fn follow_up_is_due(&self, s: &SessionEntry) -> bool {
        s.view.follow_up && s.view.follow_up_at.is_none() && self.followup.due.contains(&s.view.id)
    }
}

impl App {
    /// Order in the Follow-up section: due reminders, then the soonest, then none.
    pub fn follow_up_order(&self, s: &SessionEntry) -> (u8, i64, SessionId) {
        match (self.follow_up_is_due(s), s.view.follow_up_at) {
            (true, _) => (0, 0, s.view.id),
            (false, Some(at)) => (1, at, s.view.id),
            (false, None) => (2, 0, s.view.id),
        }
    }
}
