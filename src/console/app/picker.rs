//! The fuzzy-filtered pick list the dialogs share (transfer, tag, quick replies, CC, the
//! mention picker) and its ranking.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// A fuzzy-filtered pick list with a text field, used by transfer, tag and quick replies.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub query: String,
    /// Indexes into the dialog's items, best first.
    pub matches: Vec<usize>,
    pub selected: usize,
}

/// Ranks `items` against `query` (fuzzy, skim algorithm); all items in order when empty.
pub fn fuzzy_rank<'a>(query: &str, items: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let items: Vec<&str> = items.collect();
    if query.trim().is_empty() {
        return (0..items.len()).collect();
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut scored: Vec<(i64, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, s)| matcher.fuzzy_match(s, query.trim()).map(|score| (score, i)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// Marks the "new tag" row in the tag picker's matches.
pub const NEW_TAG: usize = usize::MAX;
