//! The quick-reply manager's state: its list and the edit form (`quick_manager.rs` acts on
//! it).

use super::picker::Picker;
use crate::protocol::{QuickReplySave, QuickScope};

/// The "new quick reply" row at the top of the manager's list.
pub const NEW_REPLY: usize = usize::MAX;

/// The manager overlay.
#[derive(Debug, Clone, Default)]
pub struct QuickManager {
    /// The filter and the list: indexes into `App::quick_replies` (and [`NEW_REPLY`]).
    pub picker: Picker,
    pub form: Option<QuickForm>,
    /// Asked to delete this reply: Enter deletes it, Esc keeps it.
    pub confirm_delete: Option<i64>,
}

/// The edit form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuickForm {
    /// The reply being edited; `None` for a new one.
    pub id: Option<i64>,
    pub team: bool,
    /// Whether the scope may be chosen (a new reply, by a supervisor).
    pub scope_choice: bool,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    /// Intent names separated by spaces or commas.
    pub intents: String,
    /// The field with the cursor: [`FIELD_SHORTCUT`] … [`FIELD_SCOPE`].
    pub field: usize,
    pub error: Option<String>,
    /// Saved, waiting for the answer.
    pub busy: bool,
}

pub const FIELD_SHORTCUT: usize = 0;
pub const FIELD_TITLE: usize = 1;
pub const FIELD_BODY: usize = 2;
pub const FIELD_INTENTS: usize = 3;
pub const FIELD_SCOPE: usize = 4;

impl QuickForm {
    pub(super) fn fields(&self) -> usize {
        if self.scope_choice { 5 } else { 4 }
    }

    /// The text field with the cursor (none on the scope switch).
    pub fn text_field(&mut self) -> Option<&mut String> {
        match self.field {
            FIELD_SHORTCUT => Some(&mut self.shortcut),
            FIELD_TITLE => Some(&mut self.title),
            FIELD_BODY => Some(&mut self.body),
            FIELD_INTENTS => Some(&mut self.intents),
            _ => None,
        }
    }

    /// The request this form saves.
    pub fn to_save(&self) -> QuickReplySave {
        QuickReplySave {
            quick_reply_id: self.id,
            scope: if self.team {
                QuickScope::Team
            } else {
                QuickScope::Personal
            },
            group: None,
            shortcut: self.shortcut.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            intents: crate::protocol::split_keywords(&self.intents),
        }
    }
}
