//! The multi-line message editor at the bottom of the chat: text, a cursor, shell-like
//! history of sent messages, and the wrapped layout the chat view draws.
//!
//! The cursor is a byte index that always sits on a char boundary. Text is kept "inert"
//! (see [`super::sanitize`]): characters the terminal would draw differently from the text
//! itself are refused on the way in, so what is measured is exactly what is drawn. Joiners
//! (ZWJ, ZWNJ) follow the sanitiser's rule: one typed after a visible character is kept (what
//! it joins comes next: Persian می‌خواهم, emoji 👨‍👩‍👧), and one left with nothing to join is
//! dropped when the message is taken to be sent.

use super::sanitize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How many sent messages `history_prev` can go back through.
const HISTORY_LIMIT: usize = 100;

#[derive(Debug, Default, Clone)]
pub struct Composer {
    text: String,
    /// Byte index into `text`, on a char boundary.
    cursor: usize,
    /// Display column `up`/`down` aim for, so moving through a short line doesn't lose it.
    goal_col: Option<usize>,
    /// Sent messages, oldest first.
    history: Vec<String>,
    /// Index into `history` while browsing it.
    history_pos: Option<usize>,
    /// What was being typed when browsing started; restored when coming forward past the end.
    draft: String,
}

fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Zero-width chars that attach to the char before them (combining accents, variation
/// selectors). The cursor never stops just before one.
fn is_mark(c: char) -> bool {
    width(c) == 0 && !c.is_whitespace()
}

/// Columns `s` takes on screen, as the terminal library draws it: by grapheme, so an emoji
/// ZWJ sequence counts once.
fn str_width(s: &str) -> usize {
    s.width()
}

/// Appends `s` to `out`, normalising line breaks and dropping what the screen can't show
/// as-is. Tabs become spaces (the sanitizer would draw them that way anyway). `before` is the
/// character `s` goes after, for a joiner at its start.
fn push_clean(out: &mut String, s: &str, before: Option<char>) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if sanitize::is_inert(c) => out.push(c),
            c if sanitize::is_joiner(c)
                && sanitize::joinable(out.chars().next_back().or(before)) =>
            {
                out.push(c)
            }
            _ => {}
        }
    }
}

pub mod linebreak;
mod movement;
#[cfg(test)]
mod tests;

use linebreak::{is_cjk, wrap_line};

impl Composer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor as a byte index into [`Self::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the text (e.g. a knowledge-base article to edit) and puts the cursor at the
    /// end. The text is cleaned like a paste.
    pub fn set_text(&mut self, text: String) {
        self.stop_browsing();
        self.replace(text);
    }

    fn replace(&mut self, text: String) {
        self.text = if text.chars().all(|c| c == '\n' || sanitize::is_inert(c)) {
            text
        } else {
            let mut clean = String::with_capacity(text.len());
            push_clean(&mut clean, &text, None);
            clean
        };
        self.cursor = self.text.len();
        self.goal_col = None;
    }

    pub fn clear(&mut self) {
        self.set_text(String::new());
    }

    /// Returns the text and leaves the composer empty (history is kept; call
    /// [`Self::push_history`] once the message is really sent). A joiner with nothing to join
    /// is left out, as the sanitiser would show it marked.
    pub fn take(&mut self) -> String {
        self.stop_browsing();
        self.cursor = 0;
        self.goal_col = None;
        let text = std::mem::take(&mut self.text);
        match sanitize::drop_loose_joiners(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(clean) => clean,
        }
    }

    // ---- editing ----

    /// Any edit ends history browsing: the edited text becomes the new draft.
    fn edited(&mut self) {
        self.history_pos = None;
        self.goal_col = None;
    }

    fn stop_browsing(&mut self) {
        self.history_pos = None;
        self.draft.clear();
    }

    pub fn insert_char(&mut self, c: char) {
        let mut buf = [0; 4];
        self.insert_str(c.encode_utf8(&mut buf));
    }

    /// Inserts typed or pasted text at the cursor. Line breaks (`\r\n`, `\r`, `\n`) become
    /// `\n`, tabs four spaces; other control characters are dropped.
    pub fn insert_str(&mut self, s: &str) {
        let mut clean = String::with_capacity(s.len());
        let before = self.text[..self.cursor].chars().next_back();
        push_clean(&mut clean, s, before);
        if clean.is_empty() {
            return;
        }
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
        self.edited();
    }

    pub fn newline(&mut self) {
        self.insert_str("\n");
    }

    /// Deletes the char before the cursor.
    pub fn backspace(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
            self.edited();
        }
    }

    /// Deletes the char under the cursor, with any combining marks that follow it.
    pub fn delete(&mut self) {
        let end = self.next_stop(self.cursor);
        if end > self.cursor {
            self.text.replace_range(self.cursor..end, "");
            self.edited();
        }
    }

    /// Deletes the word before the cursor (and the spaces between it and the cursor).
    pub fn delete_word(&mut self) {
        let start = self.word_start_before(self.cursor);
        if start < self.cursor {
            self.text.replace_range(start..self.cursor, "");
            self.cursor = start;
            self.edited();
        }
    }
}

impl Composer {
    // ---- history ----

    /// Records a sent message. Blank messages and repeats of the newest entry are skipped.
    pub fn push_history(&mut self, text: String) {
        self.stop_browsing();
        if text.trim().is_empty() || self.history.last() == Some(&text) {
            return;
        }
        if self.history.len() == HISTORY_LIMIT {
            self.history.remove(0);
        }
        self.history.push(text);
    }

    /// Shows the next older sent message; the first step saves the current draft. Returns
    /// false when there is nothing older.
    pub fn history_prev(&mut self) -> bool {
        let pos = match self.history_pos {
            Some(0) => return false,
            Some(p) => p - 1,
            None if self.history.is_empty() => return false,
            None => {
                self.draft = std::mem::take(&mut self.text);
                self.history.len() - 1
            }
        };
        self.history_pos = Some(pos);
        let entry = self.history.get(pos).cloned().unwrap_or_default();
        self.replace(entry);
        true
    }

    /// Shows the next newer sent message, or the saved draft when coming forward past the
    /// newest. Returns false when not browsing history.
    pub fn history_next(&mut self) -> bool {
        let Some(pos) = self.history_pos else {
            return false;
        };
        let entry = if pos + 1 < self.history.len() {
            self.history_pos = Some(pos + 1);
            self.history.get(pos + 1).cloned().unwrap_or_default()
        } else {
            self.history_pos = None;
            std::mem::take(&mut self.draft)
        };
        self.replace(entry);
        true
    }

    // ---- layout ----

    /// The text wrapped to `width` display columns and the cursor's (row, col) in it.
    ///
    /// Lines break after spaces and around CJK characters when they can, mid-word when a
    /// word is longer than a row. A wide char never straddles the edge. The cursor column is
    /// always less than `width`: a cursor just past a full row goes to the start of the next
    /// one (adding an empty row if needed). O(text length).
    pub fn layout(&self, width: u16) -> (Vec<String>, (u16, u16)) {
        let cols = usize::from(width.max(1));
        let mut rows: Vec<(usize, usize)> = Vec::new();
        let mut line_start = 0;
        for line in self.text.split('\n') {
            wrap_line(line, line_start, cols, &mut rows);
            line_start += line.len() + 1;
        }

        // Rows are in text order; the cursor belongs to the last row that starts at or
        // before it (a row's end is the next row's start).
        let row = rows
            .partition_point(|&(start, _)| start <= self.cursor)
            .saturating_sub(1);
        let (start, _) = rows.get(row).copied().unwrap_or((0, 0));
        let col = str_width(self.text.get(start..self.cursor).unwrap_or(""));
        let mut lines: Vec<String> = rows
            .iter()
            .map(|&(s, e)| self.text.get(s..e).unwrap_or("").to_string())
            .collect();
        let (row, col) = if col >= cols {
            lines.insert(row + 1, String::new());
            (row + 1, 0)
        } else {
            (row, col)
        };
        let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        (lines, (clamp(row), clamp(col)))
    }
}
