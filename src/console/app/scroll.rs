//! Scrolling the transcript, and paging older messages in from the server when scrolling
//! past the oldest one loaded. Positions are screen rows up from the bottom, clamped against
//! the rows the transcript really takes at the last drawn size ([`ChatViewport`]).
//!
//! Message seqs are 1, 2, 3… per session, so the page before seq N is
//! `after_seq = max(0, N-1-PAGE)`, `limit = N-1-after_seq`.

use super::effect::{Effect, Tag, request};
use super::layout::{message_height, transcript_height};
use super::state::*;
use crate::model::SessionId;
use crate::protocol::request::Transcript;
use std::collections::BTreeMap;

/// Messages per transcript page.
pub const PAGE: i64 = 100;

/// The request for the newest page of a session whose last message is `last_seq` (the server
/// answers at most its own limit; later messages arrive as events meanwhile).
pub(super) fn newest_page(tag: Tag, id: SessionId, last_seq: i64) -> Effect {
    let page = Transcript {
        session_id: id,
        after_seq: Some((last_seq - PAGE).max(0)),
        limit: None,
    };
    request(tag, page)
}

impl App {
    /// Scrolls the chat by `delta` rows (positive: back in time). Reaching the top of what is
    /// loaded asks for the page before it.
    pub fn scroll_chat(&mut self, delta: i64) -> Vec<Effect> {
        let vp = self.viewport.get();
        let (now, height) = (self.now, vp.height as usize);
        let Some(s) = self.current_mut() else {
            return Vec::new();
        };
        let want = (s.scroll as i64).saturating_add(delta).max(0) as usize;
        let (rows, complete) =
            transcript_height(s, now, vp.width as usize, want.saturating_add(height));
        let top = rows.saturating_sub(height);
        s.scroll = if complete { want.min(top) } else { want };
        if delta < 0 {
            s.jump_top = false;
        }
        if delta > 0 && complete && want >= top {
            let id = s.view.id;
            return self.load_older(id);
        }
        Vec::new()
    }

    /// A page of rows (the transcript's height, less two for context).
    pub fn chat_page(&self) -> i64 {
        (self.viewport.get().height as i64 - 2).max(1)
    }

    /// Home: the first message of the session; pages everything older in first.
    pub fn scroll_top(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected else {
            return Vec::new();
        };
        let fx = self.load_older(id);
        if let Some(s) = self.sessions.get_mut(&id) {
            s.jump_top = s.loading_older;
        }
        self.show_top(id);
        fx
    }

    /// End: back to the newest message.
    pub fn scroll_bottom(&mut self) -> Vec<Effect> {
        if let Some(s) = self.current_mut() {
            s.scroll = 0;
            s.jump_top = false;
        }
        Vec::new()
    }

    fn show_top(&mut self, id: SessionId) {
        let vp = self.viewport.get();
        let now = self.now;
        if let Some(s) = self.sessions.get_mut(&id) {
            let (rows, _) = transcript_height(s, now, vp.width as usize, usize::MAX);
            s.scroll = rows.saturating_sub(vp.height as usize);
        }
    }

    /// Asks for the page before the oldest loaded message, unless it is the first or a page
    /// is already on its way.
    fn load_older(&mut self, id: SessionId) -> Vec<Effect> {
        let Some(s) = self.sessions.get_mut(&id) else {
            return Vec::new();
        };
        let oldest = match s.oldest_seq() {
            Some(n) if s.loaded && !s.loading_older && n > 1 => n,
            _ => return Vec::new(),
        };
        s.loading_older = true;
        let after = (oldest - 1 - PAGE).max(0);
        let page = Transcript {
            session_id: id,
            after_seq: Some(after),
            // At most PAGE, so it fits.
            limit: u32::try_from(oldest - 1 - after).ok(),
        };
        vec![request(Tag::OlderTranscript(id), page)]
    }

    /// An older page arrived: it goes above what is shown, so the view (counted from the
    /// bottom) stays where it is. After Home, keep paging until the first message.
    pub(super) fn on_older_page(&mut self, id: SessionId, messages: Vec<ChatLine>) -> Vec<Effect> {
        let Some(s) = self.sessions.get_mut(&id) else {
            return Vec::new();
        };
        s.loading_older = false;
        merge_lines(&mut s.lines, messages);
        if !s.jump_top {
            return Vec::new();
        }
        let fx = self.load_older(id);
        if fx.is_empty() {
            if let Some(s) = self.sessions.get_mut(&id) {
                s.jump_top = false;
            }
            if self.selected == Some(id) {
                self.show_top(id);
            }
        }
        fx
    }

    /// A new message arrived below: when scrolled back, keep looking at the same rows.
    pub(super) fn keep_view_on_new_line(&mut self, id: SessionId) {
        let width = self.viewport.get().width as usize;
        if let Some(s) = self.sessions.get_mut(&id)
            && s.scroll > 0
            && let Some(last) = s.lines.last()
        {
            s.scroll += message_height(last, width);
        }
    }
}

/// Merges server messages into a session's lines: one line per seq, in seq order, then the
/// lines the server has not acknowledged yet (unless the page holds them: then they are sent).
pub(super) fn merge_lines(lines: &mut Vec<ChatLine>, incoming: Vec<ChatLine>) {
    let mut by_seq: BTreeMap<i64, ChatLine> = BTreeMap::new();
    let mut pending: Vec<ChatLine> = Vec::new();
    for l in lines.drain(..) {
        match l.seq {
            Some(seq) if l.delivery == Delivery::Acked => {
                by_seq.insert(seq, l);
            }
            _ => pending.push(l),
        }
    }
    for l in incoming {
        if let Some(seq) = l.seq {
            by_seq.insert(seq, l);
        }
    }
    pending.retain(|p| {
        p.client_msg_id.is_none()
            || !by_seq
                .values()
                .any(|l| l.client_msg_id == p.client_msg_id && l.author_kind == p.author_kind)
    });
    lines.extend(by_seq.into_values());
    lines.extend(pending);
}
