//! The Audit screen in the console (`audit`, admins, `f12`): the page of `audit.list` shown,
//! the filters (action family, actor), where paging has been, and the tag of its requests.

use crate::protocol::account::AuditEntryView;

/// Entries asked for per page.
pub const PAGE: u32 = 50;

/// The action families `a` cycles through (`None`: every action). A family matches itself
/// and every `family.*` (`docs/audit.md`).
pub const FAMILIES: [Option<&str>; 13] = [
    None,
    Some("login"),
    Some("permission"),
    Some("session"),
    Some("agent"),
    Some("totp"),
    Some("group"),
    Some("integration"),
    Some("kb"),
    Some("quick_reply"),
    Some("export"),
    Some("purge"),
    Some("compact"),
];

/// The Audit overlay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditScreen {
    /// Index into [`FAMILIES`].
    pub family: usize,
    /// Only this actor's entries.
    pub actor: Option<String>,
    /// The page shown, newest first.
    pub entries: Vec<crate::protocol::account::AuditEntryView>,
    /// `before_id` of the page shown (`None`: the newest).
    pub page: Option<i64>,
    /// `before_id` of the next (older) page, if there is one.
    pub next: Option<i64>,
    /// The pages before this one, to go back to with page up.
    pub newer: Vec<Option<i64>>,
    pub selected: usize,
    /// Only the reply to the latest request is shown.
    pub generation: u64,
    pub loading: bool,
    /// Why the last request failed (already made inert).
    pub error: Option<String>,
}

impl AuditScreen {
    pub fn family(&self) -> Option<&'static str> {
        FAMILIES.get(self.family).copied().flatten()
    }

    pub fn selected_entry(&self) -> Option<&AuditEntryView> {
        self.entries.get(self.selected)
    }

    /// Moves the selection by one (stops at the ends).
    pub fn step(&mut self, down: bool) {
        let n = self.entries.len();
        if down {
            if self.selected + 1 < n {
                self.selected += 1;
            }
        } else {
            self.selected = self.selected.saturating_sub(1);
        }
    }
}

/// What an `audit.list` reply is for: the screen's request of this generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditTag(pub u64);
