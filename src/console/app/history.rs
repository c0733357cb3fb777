//! The History screen (S19, `alt-h`): typing edits the filter line, enter runs it as a
//! `history.search` (or opens the selected conversation when the line is unchanged),
//! pagedown/pageup walk pages with a stack of `before_id` cursors, and a conversation opens
//! read-only with `history.session` and its messages page by page from `session.transcript`.
//! esc goes back from the conversation to the results, then closes the screen; reopening it
//! shows the last search again. Other files call in through one-line hooks.

use super::effect::request;
use super::history_state::{HistoryScreen, HistoryTag, HistoryView, filter_error_text};
use super::net_events::line_of;
use super::*;
use crate::console::action::Action;
use crate::console::reply::{Reply, ReplyError};
use crate::history_filter::{parse, to_line};
use crate::model::SessionId;
use crate::protocol::request as req;
use crate::protocol::{HistorySearch, HistorySearchReply, TranscriptReply};

/// Messages asked for per transcript page.
const VIEW_PAGE: u32 = 100;

impl App {
    /// `alt-h`: the History screen, as it was left; from the profile, this customer's
    /// conversations (searched at once).
    pub(super) fn open_history(&mut self) -> Vec<Effect> {
        let customer = (self.focus == Focus::Profile)
            .then(|| self.current().map(|s| s.view.customer.id))
            .flatten();
        let mut screen = self.history_parked.take().unwrap_or_default();
        screen.under_help = false;
        if let Some(id) = customer {
            let q = HistorySearch {
                customer: Some(format!("#{id}")),
                ..Default::default()
            };
            screen.view = None;
            screen.filter = to_line(&q, &self.followup.tz);
        }
        self.overlay = Some(Overlay::History(screen));
        match customer {
            Some(_) => self.run_history_search(),
            None => Vec::new(),
        }
    }

    fn history(&mut self) -> Option<&mut HistoryScreen> {
        match &mut self.overlay {
            Some(Overlay::History(h)) => Some(h),
            _ => self.history_parked.as_deref_mut(),
        }
    }

    /// Closes the screen; alt-h brings it back as it was.
    fn close_history(&mut self) {
        if let Some(Overlay::History(h)) = self.overlay.take() {
            self.history_parked = Some(h);
        }
    }

    /// After a key: the help overlay opened from History has closed, so History is back.
    pub(super) fn history_back_from_help(&mut self) {
        if self.overlay.is_none()
            && self.history_parked.as_ref().is_some_and(|h| h.under_help)
            && let Some(mut h) = self.history_parked.take()
        {
            h.under_help = false;
            self.overlay = Some(Overlay::History(h));
        }
    }

    /// A character typed on the History screen: into the filter line (not while a
    /// conversation is open, where nothing would show it).
    pub(super) fn history_type(&mut self, c: char) -> Vec<Effect> {
        if let Some(h) = self.history()
            && h.view.is_none()
        {
            h.filter.push(c);
            h.error = None;
        }
        Vec::new()
    }

    /// Pasted text: one line of filter, its line breaks and tabs as spaces (other control
    /// characters dropped).
    pub(super) fn history_paste(&mut self, text: &str) -> Vec<Effect> {
        for c in text.chars() {
            match c {
                '\n' | '\r' | '\t' => self.history_type(' '),
                c if c.is_control() => Vec::new(),
                c => self.history_type(c),
            };
        }
        Vec::new()
    }

    /// Keymap actions on the History screen.
    pub(super) fn history_action(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let Some(Overlay::History(h)) = &mut self.overlay else {
            return Vec::new();
        };
        if let Some(v) = &mut h.view {
            let (max, page) = v.extent.get();
            let page = page.saturating_sub(1).max(1);
            match action {
                A::Cancel => h.view = None,
                A::ScrollUp | A::SelectPrev | A::CursorUp => v.scroll = v.scroll.saturating_sub(1),
                A::PageUp => v.scroll = v.scroll.saturating_sub(page),
                A::FirstItem | A::CursorHome => v.scroll = 0,
                A::ScrollDown | A::SelectNext | A::CursorDown => {
                    v.scroll = (v.scroll + 1).min(max);
                    return self.history_more_lines(max);
                }
                A::PageDown => {
                    v.scroll = (v.scroll + page).min(max);
                    return self.history_more_lines(max);
                }
                A::LastItem | A::CursorEnd => {
                    v.scroll = max;
                    return self.history_more_lines(max);
                }
                A::Confirm => {}
                other => return self.history_common(other),
            }
            return Vec::new();
        }
        match action {
            A::Cancel => self.close_history(),
            A::Confirm => {
                let unchanged = h.ran.as_deref() == Some(h.filter.trim());
                return if unchanged && !h.hits.is_empty() && !h.loading {
                    self.open_history_hit()
                } else {
                    self.run_history_search()
                };
            }
            A::SelectNext | A::CursorDown | A::ScrollDown => {
                h.selected = (h.selected + 1).min(h.hits.len().saturating_sub(1))
            }
            A::SelectPrev | A::CursorUp | A::ScrollUp => h.selected = h.selected.saturating_sub(1),
            A::LastItem | A::CursorEnd => h.selected = h.hits.len().saturating_sub(1),
            A::PageDown => {
                if let (Some(next), false) = (h.next, h.loading) {
                    h.cursors.push(Some(next));
                    return self.history_page();
                }
            }
            A::PageUp => {
                if h.cursors.len() > 1 && !h.loading {
                    h.cursors.pop();
                    return self.history_page();
                }
            }
            A::FirstItem | A::CursorHome => {
                h.selected = 0;
                if h.cursors.len() > 1 && !h.loading {
                    h.cursors.truncate(1);
                    return self.history_page();
                }
            }
            A::DeleteBack => {
                h.filter.pop();
                h.error = None;
            }
            A::DeleteWord => {
                let keep = h
                    .filter
                    .trim_end()
                    .rfind(char::is_whitespace)
                    .map_or(0, |i| i + 1);
                h.filter.truncate(keep);
                h.error = None;
            }
            A::ClearLine => {
                h.filter.clear();
                h.error = None;
            }
            other => return self.history_common(other),
        }
        Vec::new()
    }

    /// Keys that mean the same on the results and in a conversation: alt-h closes, help
    /// opens over it, and the workbench's own keys (accept, switch session, quit…) leave
    /// History and do what they do there.
    fn history_common(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::History => {
                self.close_history();
                Vec::new()
            }
            Action::Help => {
                self.close_history();
                if let Some(h) = &mut self.history_parked {
                    h.under_help = true;
                }
                self.overlay = Some(Overlay::Help(HelpState::default()));
                Vec::new()
            }
            // Editing keys have nothing to edit here.
            Action::DeleteBack
            | Action::DeleteForward
            | Action::DeleteWord
            | Action::ClearLine
            | Action::CursorLeft
            | Action::CursorRight
            | Action::WordLeft
            | Action::WordRight
            | Action::NextField
            | Action::Newline => Vec::new(),
            other => {
                self.close_history();
                self.update(other)
            }
        }
    }

    /// Enter on a changed line: read it and ask for its first page; a line that cannot be
    /// read says why and sends nothing.
    fn run_history_search(&mut self) -> Vec<Effect> {
        let (now, lang, tz) = (self.now, self.lang, self.followup.tz.clone());
        let Some(Overlay::History(h)) = &mut self.overlay else {
            return Vec::new();
        };
        match parse(&h.filter, now, &tz) {
            Ok(q) => {
                h.error = None;
                h.ran = Some(h.filter.trim().to_string());
                h.query = Some(q);
                h.cursors = vec![None];
                h.selected = 0;
                self.history_page()
            }
            Err(e) => {
                h.error = Some(filter_error_text(lang, &e));
                Vec::new()
            }
        }
    }

    /// Asks for the page the top of the cursor stack names.
    fn history_page(&mut self) -> Vec<Effect> {
        let Some(Overlay::History(h)) = &mut self.overlay else {
            return Vec::new();
        };
        let Some(mut q) = h.query.clone() else {
            return Vec::new();
        };
        q.before_id = h.cursors.last().copied().flatten();
        h.generation += 1;
        h.search_gen = h.generation;
        h.loading = true;
        h.failed = None;
        vec![request(Tag::History(HistoryTag::Search(h.generation)), q)]
    }

    /// Enter on a result: the conversation, read-only (its view and transfers, and its
    /// first page of messages).
    fn open_history_hit(&mut self) -> Vec<Effect> {
        let Some(Overlay::History(h)) = &mut self.overlay else {
            return Vec::new();
        };
        let Some(hit) = h.selected_hit().cloned() else {
            return Vec::new();
        };
        h.generation += 1;
        let g = h.generation;
        let id = hit.session_id;
        h.view = Some(HistoryView::new(hit, g));
        vec![
            request(
                Tag::History(HistoryTag::Session(g)),
                req::HistorySession { session_id: id },
            ),
            transcript_page(g, id, 0),
        ]
    }

    /// At the bottom of what is loaded: the next page of messages, unless all are here.
    fn history_more_lines(&mut self, max: usize) -> Vec<Effect> {
        let Some(Overlay::History(h)) = &mut self.overlay else {
            return Vec::new();
        };
        match &mut h.view {
            Some(v) if v.scroll >= max && !v.complete && !v.loading && v.error.is_none() => {
                v.loading = true;
                vec![transcript_page(v.generation, v.session_id, v.last_seq())]
            }
            _ => Vec::new(),
        }
    }

    /// A reply to a History request (dropped when it answers an older one).
    pub(super) fn on_history_reply(&mut self, tag: HistoryTag, reply: Reply) -> Vec<Effect> {
        match (tag, reply) {
            (HistoryTag::Search(g), Reply::HistorySearch(r)) => self.on_history_page(g, r),
            (HistoryTag::Session(g), Reply::HistorySession(r)) => {
                if let Some(v) = self.history_view(g) {
                    v.detail = Some(r);
                }
                Vec::new()
            }
            (HistoryTag::Transcript(g), Reply::Transcript(r)) => self.on_history_lines(g, r),
            (tag, reply) => {
                let e = ReplyError::Unreadable {
                    request: reply.name(),
                    detail: format!("a {} reply for {tag:?}", reply.name()),
                };
                tracing::error!(?tag, reply = reply.name(), "a reply that does not fit");
                self.on_history_error(tag, &e.to_string());
                Vec::new()
            }
        }
    }

    /// A History request failed: said where it was asked (the results, or the conversation).
    pub(super) fn on_history_error(&mut self, tag: HistoryTag, message: &str) {
        match tag {
            HistoryTag::Search(g) => {
                if let Some(h) = self.history().filter(|h| h.search_gen == g) {
                    h.loading = false;
                    h.failed = Some(message.to_string());
                }
            }
            HistoryTag::Session(g) | HistoryTag::Transcript(g) => {
                if let Some(v) = self.history_view(g) {
                    v.loading = false;
                    v.error = Some(message.to_string());
                }
            }
        }
    }

    fn on_history_page(&mut self, g: u64, r: HistorySearchReply) -> Vec<Effect> {
        let Some(h) = self.history().filter(|h| h.search_gen == g) else {
            return Vec::new();
        };
        h.loading = false;
        h.failed = None;
        h.hits = r.hits;
        h.next = r.next;
        h.selected = h.selected.min(h.hits.len().saturating_sub(1));
        Vec::new()
    }

    fn on_history_lines(&mut self, g: u64, r: TranscriptReply) -> Vec<Effect> {
        let Some(v) = self.history_view(g) else {
            return Vec::new();
        };
        let got = r.messages.len();
        let have = v.last_seq();
        v.lines
            .extend(r.messages.into_iter().filter(|m| m.seq > have).map(line_of));
        v.loading = false;
        v.complete = got < VIEW_PAGE as usize || v.last_seq() >= r.session.last_seq;
        Vec::new()
    }

    /// The open conversation, if it was opened in generation `g`.
    fn history_view(&mut self, g: u64) -> Option<&mut HistoryView> {
        self.history()?.view.as_mut().filter(|v| v.generation == g)
    }
}

/// The page of messages after `after_seq`.
fn transcript_page(g: u64, id: SessionId, after_seq: i64) -> Effect {
    let page = req::Transcript {
        session_id: id,
        after_seq: Some(after_seq),
        limit: Some(VIEW_PAGE),
    };
    request(Tag::History(HistoryTag::Transcript(g)), page)
}
