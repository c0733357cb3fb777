//! The console's CC (抄送) dialog (`alt-e`): the address book as a fuzzy list plus whatever
//! address is typed, an "include internal notes" toggle (off by default), and what the status
//! line says when the CC is queued, delivered or given up (`cc_status`).

use super::cc_state::CcDialog;
use super::effect::{Effect, Tag, request};
use super::state::{App, Overlay, Picker};
use crate::console::action::Action;
use crate::console::sanitize::inert_line;
use crate::model::SessionId;
use crate::protocol::{CcContactView, CcContactsReply, CcInfo, CcKind, CcState, SessionCcReply};

impl App {
    pub(super) fn open_cc(&mut self) -> Vec<Effect> {
        let Some(session) = self.writable() else {
            return Vec::new();
        };
        let customer = self
            .current()
            .map(|s| inert_line(&s.view.customer.nickname).into_owned())
            .unwrap_or_default();
        self.overlay = Some(Overlay::Cc(CcDialog {
            session,
            customer,
            items: Vec::new(),
            email: false,
            loading: true,
            picker: Picker::default(),
            include_notes: false,
        }));
        vec![request(Tag::CcContacts, crate::protocol::CcContacts {})]
    }

    pub(super) fn on_cc_contacts(&mut self, r: CcContactsReply) -> Vec<Effect> {
        if let Some(Overlay::Cc(d)) = &mut self.overlay {
            let mut items = r.contacts;
            for w in r.webhooks {
                if !items
                    .iter()
                    .any(|c| c.kind == CcKind::Webhook && c.address == w)
                {
                    items.push(CcContactView {
                        name: w.clone(),
                        kind: CcKind::Webhook,
                        address: w,
                    });
                }
            }
            d.items = items;
            d.email = r.email;
            d.loading = false;
            d.refilter();
        }
        Vec::new()
    }

    /// Keys while the CC dialog is open.
    pub(super) fn cc_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::Cc(d)) = &mut self.overlay else {
            return Vec::new();
        };
        match action {
            Action::Cancel => self.overlay = None,
            Action::NextField => d.include_notes = !d.include_notes,
            Action::SelectNext | Action::CursorDown => {
                let n = d.picker.matches.len().max(1);
                d.picker.selected = (d.picker.selected + 1) % n;
            }
            Action::SelectPrev | Action::CursorUp => {
                let n = d.picker.matches.len().max(1);
                d.picker.selected = (d.picker.selected + n - 1) % n;
            }
            Action::Confirm => {
                let Some(to) = d.target() else {
                    return Vec::new();
                };
                let cc = crate::protocol::SessionCc {
                    session_id: d.session,
                    to,
                    include_notes: d.include_notes,
                };
                let session = d.session;
                self.overlay = None;
                return vec![request(Tag::Cc(session), cc)];
            }
            other => self.edit_overlay(other),
        }
        Vec::new()
    }

    pub(super) fn on_cc_queued(&mut self, session: SessionId, r: SessionCcReply) -> Vec<Effect> {
        self.notice(format!("#{session} CC {}: queued…", r.cc_id));
        Vec::new()
    }

    pub(super) fn on_cc_status(&mut self, cc: CcInfo) -> Vec<Effect> {
        let to = inert_line(cc.contact.as_deref().unwrap_or(&cc.target)).into_owned();
        let text = match cc.state {
            CcState::Delivered => format!("#{} CC → {to}: delivered ✓", cc.session_id),
            CcState::Failed => format!(
                "#{} CC → {to}: FAILED after {} attempts ({})",
                cc.session_id,
                cc.attempts,
                inert_line(cc.last_error.as_deref().unwrap_or("-"))
            ),
            CcState::Pending => format!("#{} CC → {to}: queued…", cc.session_id),
        };
        self.notice(text);
        Vec::new()
    }
}
