//! Cursor movement in the composer: by character (never between a letter and its combining
//! marks), by line (keeping the display column) and by word (CJK runs count as words).

use super::{Composer, is_cjk, is_mark, str_width, width};

/// Coarse character classes for word movement.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Class {
    Space,
    /// Letters and digits of space-separated scripts, and `_`.
    Word,
    /// Han, kana, hangul. Chinese has no spaces, so a run of ideographs counts as one word
    /// and punctuation (，。！) separates them: word movement then goes clause by clause.
    Cjk,
    Punct,
}

fn class(c: char) -> Class {
    if c.is_whitespace() {
        Class::Space
    } else if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() || c == '_' {
        Class::Word
    } else {
        Class::Punct
    }
}

impl Composer {
    // ---- movement ----

    /// The position one visible char after `at`: skips zero-width chars (combining marks,
    /// variation selectors) so the cursor never sits between a letter and its accent.
    pub(super) fn next_stop(&self, at: usize) -> usize {
        let mut chars = self.text[at..].char_indices();
        if chars.next().is_none() {
            return at;
        }
        for (i, c) in chars {
            if !is_mark(c) {
                return at + i;
            }
        }
        self.text.len()
    }

    fn prev_stop(&self, at: usize) -> usize {
        let mut pos = at;
        for (i, c) in self.text[..at].char_indices().rev() {
            pos = i;
            if !is_mark(c) {
                break;
            }
        }
        pos
    }

    pub fn left(&mut self) {
        self.cursor = self.prev_stop(self.cursor);
        self.goal_col = None;
    }

    pub fn right(&mut self) {
        self.cursor = self.next_stop(self.cursor);
        self.goal_col = None;
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    pub fn home(&mut self) {
        self.cursor = self.line_start(self.cursor);
        self.goal_col = None;
    }

    pub fn end(&mut self) {
        self.cursor = self.line_end(self.cursor);
        self.goal_col = None;
    }

    /// Moves to the previous logical line, keeping the display column. Returns false on the
    /// first line, so the caller can fall back to history.
    pub fn up(&mut self) -> bool {
        let start = self.line_start(self.cursor);
        if start == 0 {
            return false;
        }
        let goal = self.goal();
        let prev = self.line_start(start - 1);
        self.cursor = self.column_in_line(prev, goal);
        self.goal_col = Some(goal);
        true
    }

    /// Moves to the next logical line, keeping the display column. Returns false on the last
    /// line.
    pub fn down(&mut self) -> bool {
        let end = self.line_end(self.cursor);
        if end == self.text.len() {
            return false;
        }
        let goal = self.goal();
        self.cursor = self.column_in_line(end + 1, goal);
        self.goal_col = Some(goal);
        true
    }

    fn goal(&self) -> usize {
        self.goal_col
            .unwrap_or_else(|| str_width(&self.text[self.line_start(self.cursor)..self.cursor]))
    }

    /// The position in the line starting at `start` whose column is at most `goal`.
    fn column_in_line(&self, start: usize, goal: usize) -> usize {
        let mut col = 0;
        for (i, c) in self.text[start..].char_indices() {
            let w = width(c);
            if c == '\n' || (w > 0 && col + w > goal) {
                return start + i;
            }
            col += w;
        }
        self.text.len()
    }

    /// Start of the word before `at`: back over spaces, then over one run of a class.
    pub(super) fn word_start_before(&self, at: usize) -> usize {
        let mut pos = at;
        let mut run: Option<Class> = None;
        for (i, c) in self.text[..at].char_indices().rev() {
            // A mark belongs to the char before it; only that char decides.
            if is_mark(c) {
                continue;
            }
            let k = class(c);
            match run {
                None if k == Class::Space => {}
                None => run = Some(k),
                Some(r) if r != k => return pos,
                Some(_) => {}
            }
            pos = i;
        }
        // Reached the start: everything before `at` was one run (orphan marks included).
        0
    }

    /// Moves to the start of the current or previous word.
    pub fn word_left(&mut self) {
        self.cursor = self.word_start_before(self.cursor);
        self.goal_col = None;
    }

    /// Moves past the current word and the spaces after it.
    pub fn word_right(&mut self) {
        let mut run: Option<Class> = None;
        let mut end = self.text.len();
        for (i, c) in self.text[self.cursor..].char_indices() {
            if is_mark(c) {
                continue;
            }
            let k = class(c);
            match run {
                None => run = Some(k),
                Some(r) if r == k => {}
                Some(r) if r != Class::Space && k == Class::Space => run = Some(k),
                Some(_) => {
                    end = self.cursor + i;
                    break;
                }
            }
        }
        self.cursor = end;
        self.goal_col = None;
    }
}
