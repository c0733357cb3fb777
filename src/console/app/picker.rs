//! The fuzzy-filtered pick list the dialogs share (transfer, tag, quick replies).

/// A fuzzy-filtered pick list with a text field, used by transfer, tag and quick replies.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub query: String,
    /// Indexes into the dialog's items, best first.
    pub matches: Vec<usize>,
    pub selected: usize,
}
