//! The History screen's state (S19): the filter line, the page of results shown with the
//! stack of paging cursors that led to it, and the conversation opened read-only from it.
//! Plain data; what the keys and replies do with it is in `history.rs`.

use super::chat_line::ChatLine;
use crate::console::i18n::{Lang, fill, text};
use crate::history_filter::{FilterError, keys_list};
use crate::model::SessionId;
use crate::protocol::{HistoryHit, HistorySearch, HistorySessionReply};
use std::cell::Cell;

/// What a History reply is for. Each carries the generation it was asked in: a reply for an
/// older search (or an older opening) is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryTag {
    /// `history.search`.
    Search(u64),
    /// `history.session` of the conversation opened.
    Session(u64),
    /// A page of `session.transcript` of the conversation opened.
    Transcript(u64),
}

/// The History screen.
#[derive(Debug, Clone, Default)]
pub struct HistoryScreen {
    /// The filter line as typed.
    pub filter: String,
    /// Why the line could not be read (shown under it; nothing was sent).
    pub error: Option<String>,
    /// The line of the search shown: enter on the same line opens the selection instead.
    pub ran: Option<String>,
    /// The request of that search, without its paging cursor.
    pub query: Option<HistorySearch>,
    /// Bumped by every request: replies carry the one they were asked in.
    pub generation: u64,
    /// The generation the shown (or awaited) page was asked in.
    pub search_gen: u64,
    /// A page is on its way.
    pub loading: bool,
    /// The server refused the search (its words, sanitised when drawn).
    pub failed: Option<String>,
    pub hits: Vec<HistoryHit>,
    /// `before_id` of the page after this one; `None` on the last page.
    pub next: Option<SessionId>,
    /// `before_id` of every page from the first to the one shown (the first is `None`):
    /// pagedown pushes, pageup pops, so going back asks for exactly the page seen before.
    pub cursors: Vec<Option<SessionId>>,
    pub selected: usize,
    /// The conversation opened read-only; esc goes back to the results as they were.
    pub view: Option<HistoryView>,
    /// Put aside while the help overlay is up; comes back when help closes.
    pub under_help: bool,
}

impl HistoryScreen {
    /// Page number shown (1-based).
    pub fn page(&self) -> usize {
        self.cursors.len().max(1)
    }

    pub fn selected_hit(&self) -> Option<&HistoryHit> {
        self.hits.get(self.selected)
    }
}

/// One conversation opened read-only from the results.
#[derive(Debug, Clone)]
pub struct HistoryView {
    pub session_id: SessionId,
    /// Its row in the results, shown while `history.session` is on its way.
    pub hit: HistoryHit,
    /// The generation its requests were asked in.
    pub generation: u64,
    pub detail: Option<HistorySessionReply>,
    /// Its messages and notes, oldest first, page by page.
    pub lines: Vec<ChatLine>,
    /// A transcript page is on its way.
    pub loading: bool,
    /// Every message up to the last is loaded.
    pub complete: bool,
    /// Opening it failed (the server's words).
    pub error: Option<String>,
    /// First row shown.
    pub scroll: usize,
    /// (furthest scroll, page height) of the last frame drawn: the renderer records it, as
    /// for the help pager (the app knows no screen size).
    pub extent: Cell<(usize, usize)>,
}

impl HistoryView {
    pub fn new(hit: HistoryHit, generation: u64) -> HistoryView {
        HistoryView {
            session_id: hit.session_id,
            hit,
            generation,
            detail: None,
            lines: Vec::new(),
            loading: true,
            complete: false,
            error: None,
            scroll: 0,
            extent: Cell::new((usize::MAX, 10)),
        }
    }

    /// Seq of the newest message loaded (0: none).
    pub fn last_seq(&self) -> i64 {
        self.lines.iter().filter_map(|l| l.seq).max().unwrap_or(0)
    }
}

/// A filter line's error in the console's language, naming the token and what is allowed.
pub fn filter_error_text(lang: Lang, e: &FilterError) -> String {
    let t = text(lang);
    match e {
        FilterError::UnknownKey { key } => fill(
            t.history_err_unknown,
            &[("key", key), ("keys", &keys_list())],
        ),
        FilterError::Empty { key } => fill(t.history_err_empty, &[("key", key)]),
        FilterError::BadValue {
            key,
            value,
            allowed,
        } => fill(
            t.history_err_bad,
            &[("key", key), ("value", value), ("allowed", allowed)],
        ),
        FilterError::Twice { key } => fill(t.history_err_twice, &[("key", key)]),
        FilterError::Unclosed => t.history_err_unclosed.to_string(),
        FilterError::EmptyRange { after, before } => {
            fill(t.history_err_range, &[("after", after), ("before", before)])
        }
        FilterError::TooLong => t.history_err_long.to_string(),
    }
}
