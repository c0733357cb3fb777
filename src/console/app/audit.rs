//! The Audit screen (`f12`, admins; `docs/audit.md`): a full-screen overlay listing the audit
//! log newest first, a page of `audit.list` at a time (page down: older, page up: back),
//! filtered by action family (`a` cycles) and by the selected entry's actor (`u` toggles).
//! Others get a note on the status line. The state is in `audit_state`, the drawing in
//! `ui::audit`.

use super::audit_state::{AuditScreen, AuditTag, FAMILIES, PAGE};
use super::effect::request;
use super::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::console::reply::Reply;
use crate::console::sanitize::inert_line;
use crate::protocol::account::{AuditList, AuditListReply};

impl App {
    fn audit(&mut self) -> Option<&mut AuditScreen> {
        match &mut self.overlay {
            Some(Overlay::Audit(a)) => Some(&mut **a),
            _ => None,
        }
    }

    /// `f12`: opens the Audit screen (admins), or says why not.
    pub(super) fn open_audit(&mut self) -> Vec<Effect> {
        let admin = self
            .me
            .as_ref()
            .is_some_and(|m| m.role == crate::model::Role::Admin);
        if !admin {
            self.notice(text(self.lang).audit_forbidden);
            return Vec::new();
        }
        self.overlay = Some(Overlay::Audit(Box::default()));
        self.audit_fetch()
    }

    /// Asks for the page the screen is on, with its filters.
    fn audit_fetch(&mut self) -> Vec<Effect> {
        let Some(a) = self.audit() else {
            return Vec::new();
        };
        a.generation += 1;
        a.loading = true;
        a.error = None;
        let q = AuditList {
            action: a.family().map(str::to_string),
            actor: a.actor.clone(),
            before_id: a.page,
            limit: Some(PAGE),
            ..Default::default()
        };
        vec![request(Tag::Audit(AuditTag(a.generation)), q)]
    }

    /// Keys while the Audit screen is open (hook in `dialogs::update_overlay`).
    pub(super) fn audit_action(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let Some(a) = self.audit() else {
            return Vec::new();
        };
        match action {
            A::Audit | A::Cancel | A::Quit => {
                self.overlay = None;
                Vec::new()
            }
            A::Help => {
                self.overlay = Some(Overlay::Help(HelpState::default()));
                Vec::new()
            }
            A::SelectNext | A::CursorDown | A::ScrollDown => {
                a.step(true);
                Vec::new()
            }
            A::SelectPrev | A::CursorUp | A::ScrollUp => {
                a.step(false);
                Vec::new()
            }
            A::PageDown => match a.next {
                Some(older) => {
                    a.newer.push(a.page);
                    a.page = Some(older);
                    self.audit_fetch()
                }
                None => {
                    self.notice(text(self.lang).audit_last_page);
                    Vec::new()
                }
            },
            A::PageUp => match a.newer.pop() {
                Some(newer) => {
                    a.page = newer;
                    self.audit_fetch()
                }
                None => Vec::new(),
            },
            A::AuditFamily => {
                a.family = (a.family + 1) % FAMILIES.len();
                a.page = None;
                a.newer.clear();
                self.audit_fetch()
            }
            A::AuditActor => {
                a.actor = match (&a.actor, a.selected_entry()) {
                    (Some(_), _) => None,
                    (None, Some(e)) => Some(e.actor.clone()),
                    (None, None) => return Vec::new(),
                };
                a.page = None;
                a.newer.clear();
                self.audit_fetch()
            }
            A::AuditRefresh => self.audit_fetch(),
            _ => Vec::new(),
        }
    }

    /// A page arrived (an older request's answer is dropped).
    pub(super) fn on_audit_reply(&mut self, tag: AuditTag, reply: Reply) -> Vec<Effect> {
        let Some(a) = self.audit() else {
            return Vec::new();
        };
        if tag.0 != a.generation {
            return Vec::new();
        }
        if let Reply::AuditList(AuditListReply { entries, next }) = reply {
            a.entries = entries;
            a.next = next;
            a.selected = 0;
            a.loading = false;
        }
        Vec::new()
    }

    /// A request of the screen failed: said on the screen, where it was asked.
    pub(super) fn on_audit_error(&mut self, tag: AuditTag, message: &str) {
        if let Some(a) = self.audit()
            && tag.0 == a.generation
        {
            a.loading = false;
            a.error = Some(inert_line(message).into_owned());
        }
    }
}
