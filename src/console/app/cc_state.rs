//! The CC dialog's state (`cc` acts on it): the address book, what is typed, the toggle.

use super::picker::{NEW_TAG, Picker, fuzzy_rank};
use crate::cc::Target;
use crate::model::SessionId;
use crate::protocol::{CcContactView, CcKind};

/// Marks the "send to the typed address" row in the picker's matches.
pub const TYPED: usize = NEW_TAG;

/// The CC dialog.
#[derive(Debug, Clone)]
pub struct CcDialog {
    pub session: SessionId,
    /// Who the conversation is with, for the title.
    pub customer: String,
    /// Address-book entries, then the webhooks no entry names.
    pub items: Vec<CcContactView>,
    /// Typed e-mail addresses can be sent to (the server has `[smtp]`).
    pub email: bool,
    /// Still waiting for `cc.contacts`.
    pub loading: bool,
    pub picker: Picker,
    pub include_notes: bool,
}

impl CcDialog {
    /// What a row shows.
    pub fn label(item: &CcContactView) -> String {
        match item.kind {
            CcKind::Email => format!("✉ {} <{}>", item.name, item.address),
            CcKind::Webhook if item.name == item.address => format!("⚑ {} (webhook)", item.name),
            CcKind::Webhook => format!("⚑ {} (webhook {})", item.name, item.address),
        }
    }

    /// Ranks the entries against the query; a query that looks like an address comes first
    /// as a row of its own.
    pub fn refilter(&mut self) {
        let labels: Vec<String> = self.items.iter().map(Self::label).collect();
        let mut matches = fuzzy_rank(&self.picker.query, labels.iter().map(String::as_str));
        if self.typed_address().is_some() {
            matches.insert(0, TYPED);
        }
        self.picker.matches = matches;
        self.picker.selected = 0;
    }

    /// The typed text when it can be an e-mail address.
    pub fn typed_address(&self) -> Option<&str> {
        let q = self.picker.query.trim();
        (q.contains('@') && crate::cc::check_email(q).is_ok()).then_some(q)
    }

    /// Where the selected row sends.
    pub(super) fn target(&self) -> Option<Target> {
        match *self.picker.matches.get(self.picker.selected)? {
            TYPED => self.typed_address().map(|a| Target::Email(a.to_string())),
            i => {
                let item = self.items.get(i)?;
                Some(
                    if item.name == item.address && item.kind == CcKind::Webhook {
                        Target::Webhook(item.name.clone())
                    } else {
                        Target::Contact(item.name.clone())
                    },
                )
            }
        }
    }
}
