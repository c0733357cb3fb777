//! The quick-reply manager (a key from the workbench, `quick_replies` in the keymap): the
//! replies the agent sees, filtered as they type; Enter edits the selected one (or, on the
//! first row, creates one), Delete asks to delete it. A small form edits shortcut, title,
//! body (several lines: the `newline` key) and intents; supervisors and admins also choose
//! team or personal for a new reply. Saving checks the reply like the server does, sends
//! `quick_replies.save` and updates the list from the answer, without fetching it again.

use super::effect::{Effect, Tag, request};
pub use super::quick_state::*;
use super::state::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::protocol::QuickScope;
use crate::protocol::request as req;

impl App {
    /// Whether we may change team replies (supervisors and admins).
    pub fn may_edit_team(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.role.sees_all())
    }

    pub fn open_quick_manager(&mut self) -> Vec<Effect> {
        self.overlay = Some(Overlay::QuickManager(QuickManager::default()));
        self.refilter_quick_manager();
        vec![request(Tag::QuickReplies, req::QuickReplies {})]
    }

    /// Re-lists the manager's replies for its filter (after typing or a change).
    pub(super) fn refilter_quick_manager(&mut self) {
        let Some(Overlay::QuickManager(m)) = &self.overlay else {
            return;
        };
        let query = m.picker.query.clone();
        let ranked = crate::quick::rank(&query, None, &self.quick_replies, self.now);
        if let Some(Overlay::QuickManager(m)) = &mut self.overlay {
            m.picker.matches = std::iter::once(NEW_REPLY)
                .chain(ranked.into_iter().map(|(i, _)| i))
                .collect();
            m.picker.selected = m.picker.selected.min(m.picker.matches.len() - 1);
        }
    }

    /// Keymap actions while the manager is open.
    pub(super) fn quick_manager_action(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let may_team = self.may_edit_team();
        let t = text(self.lang);
        let Some(Overlay::QuickManager(m)) = &mut self.overlay else {
            return Vec::new();
        };
        if let Some(id) = m.confirm_delete {
            match action {
                A::Confirm => {
                    m.confirm_delete = None;
                    let delete = req::QuickReplyDelete { quick_reply_id: id };
                    return vec![request(Tag::QuickReplyDelete(id), delete)];
                }
                A::Cancel => m.confirm_delete = None,
                _ => {}
            }
            return Vec::new();
        }
        if let Some(form) = &mut m.form {
            let n = form.fields();
            match action {
                A::NextField | A::SelectNext | A::CursorDown => form.field = (form.field + 1) % n,
                A::SelectPrev | A::CursorUp => form.field = (form.field + n - 1) % n,
                A::CursorLeft | A::CursorRight if form.field == FIELD_SCOPE => {
                    form.team = !form.team
                }
                A::Newline if form.field == FIELD_BODY => form.body.push('\n'),
                A::Cancel => m.form = None,
                A::Confirm if !form.busy => return self.save_quick_form(),
                other => self.edit_overlay(other),
            }
            return Vec::new();
        }
        let selected = m.picker.matches.get(m.picker.selected).copied();
        let reply = selected.and_then(|i| self.quick_replies.get(i)).cloned();
        match action {
            A::SelectNext | A::SelectPrev | A::CursorDown | A::CursorUp => {
                let n = m.picker.matches.len().max(1);
                m.picker.selected = if matches!(action, A::SelectNext | A::CursorDown) {
                    (m.picker.selected + 1) % n
                } else {
                    (m.picker.selected + n - 1) % n
                };
            }
            A::Cancel => self.overlay = None,
            A::Confirm => match (selected, reply) {
                (Some(NEW_REPLY), _) => {
                    m.form = Some(QuickForm {
                        scope_choice: may_team,
                        ..Default::default()
                    })
                }
                (_, Some(q)) if q.scope == QuickScope::Team && !may_team => {
                    self.notice(t.quick_team_only)
                }
                (_, Some(q)) => {
                    m.form = Some(QuickForm {
                        id: Some(q.id),
                        team: q.scope == QuickScope::Team,
                        scope_choice: false,
                        shortcut: q.shortcut,
                        title: q.title,
                        body: q.body,
                        intents: q.intents.join(" "),
                        ..Default::default()
                    })
                }
                _ => {}
            },
            A::DeleteForward => match reply {
                Some(q) if q.scope == QuickScope::Team && !may_team => {
                    self.notice(t.quick_team_only)
                }
                Some(q) => m.confirm_delete = Some(q.id),
                None => {}
            },
            other => self.edit_overlay(other),
        }
        Vec::new()
    }

    /// Checks the form as the server would and sends it.
    fn save_quick_form(&mut self) -> Vec<Effect> {
        let Some(Overlay::QuickManager(QuickManager {
            form: Some(form), ..
        })) = &mut self.overlay
        else {
            return Vec::new();
        };
        match crate::quick::validate(form.to_save()) {
            Ok(save) => {
                form.busy = true;
                form.error = None;
                vec![request(Tag::QuickReplySave, save)]
            }
            Err(e) => {
                form.error = Some(e.0);
                Vec::new()
            }
        }
    }

    /// The save went through: back to the list.
    pub(super) fn quick_form_saved(&mut self) {
        if let Some(Overlay::QuickManager(m)) = &mut self.overlay {
            m.form = None;
            self.notice(text(self.lang).quick_saved);
        }
        self.refilter_quick_manager();
    }

    /// The save was refused: the reason goes in the form (if it is still open).
    pub(super) fn quick_form_failed(&mut self, message: &str) -> bool {
        match &mut self.overlay {
            Some(Overlay::QuickManager(QuickManager {
                form: Some(form), ..
            })) => {
                form.busy = false;
                form.error = Some(message.to_string());
                true
            }
            _ => false,
        }
    }

    /// A typed character in the manager: into the form's field (space flips the scope
    /// switch) or the filter.
    pub(super) fn quick_manager_type(&mut self, c: char) {
        if let Some(Overlay::QuickManager(m)) = &mut self.overlay {
            if m.confirm_delete.is_some() {
                return;
            }
            match &mut m.form {
                Some(form) if form.field == FIELD_SCOPE => {
                    if c == ' ' {
                        form.team = !form.team;
                    }
                }
                Some(form) => {
                    if let Some(f) = form.text_field() {
                        f.push(c);
                    }
                    form.error = None;
                }
                None => {
                    m.picker.query.push(c);
                    m.picker.selected = 0;
                    self.refilter_quick_manager();
                }
            }
        }
    }
}
