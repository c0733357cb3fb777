//! The multi-line message editor at the bottom of the chat: text, a cursor, shell-like
//! history of sent messages, and the wrapped layout the chat view draws.
//!
//! The cursor is a byte index that always sits on a char boundary. Text is kept "inert"
//! (see [`super::sanitize`]): characters the terminal would draw differently from the text
//! itself are refused on the way in, so what is measured is exactly what is drawn.

use super::sanitize;
use unicode_width::UnicodeWidthChar;

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

fn str_width(s: &str) -> usize {
    s.chars().map(width).sum()
}

/// Appends `s` to `out`, normalising line breaks and dropping what the screen can't show
/// as-is. Tabs become spaces (the sanitizer would draw them that way anyway).
fn push_clean(out: &mut String, s: &str) {
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
            _ => {}
        }
    }
}

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

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{2fdf}'     // radicals
        | '\u{3040}'..='\u{30ff}'   // kana
        | '\u{3100}'..='\u{312f}'   // bopomofo
        | '\u{3400}'..='\u{4dbf}'   // extension A
        | '\u{4e00}'..='\u{9fff}'   // unified ideographs
        | '\u{ac00}'..='\u{d7af}'   // hangul
        | '\u{f900}'..='\u{faff}'   // compatibility ideographs
        | '\u{20000}'..='\u{3ffff}' // extensions B and later
    )
}

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
            push_clean(&mut clean, &text);
            clean
        };
        self.cursor = self.text.len();
        self.goal_col = None;
    }

    pub fn clear(&mut self) {
        self.set_text(String::new());
    }

    /// Returns the text and leaves the composer empty (history is kept; call
    /// [`Self::push_history`] once the message is really sent).
    pub fn take(&mut self) -> String {
        self.stop_browsing();
        self.cursor = 0;
        self.goal_col = None;
        std::mem::take(&mut self.text)
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
        push_clean(&mut clean, s);
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

    // ---- movement ----

    /// The position one visible char after `at`: skips zero-width chars (combining marks,
    /// variation selectors) so the cursor never sits between a letter and its accent.
    fn next_stop(&self, at: usize) -> usize {
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
    fn word_start_before(&self, at: usize) -> usize {
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

/// Appends the byte ranges (offset by `base`) of `line` wrapped to `cols` to `rows`.
fn wrap_line(line: &str, base: usize, cols: usize, rows: &mut Vec<(usize, usize)>) {
    let mut row_start = 0;
    let mut row_w = 0;
    // The latest place the current row may end, and the row's width up to there.
    let mut brk: Option<(usize, usize)> = None;
    let mut prev_cjk = false;
    for (i, c) in line.char_indices() {
        let w = width(c);
        if c == ' ' {
            if row_w >= cols {
                // A space that overflows hangs at the end of the row rather than starting
                // the next one.
                rows.push((base + row_start, base + i + 1));
                row_start = i + 1;
                row_w = 0;
                brk = None;
            } else {
                row_w += 1;
                brk = Some((i + 1, row_w));
            }
            prev_cjk = false;
            continue;
        }
        let cjk = is_cjk(c);
        // CJK text may break between any two characters, except before closing punctuation.
        if w > 0 && row_w > 0 && (cjk || prev_cjk) && !no_break_before(c) {
            brk = Some((i, row_w));
        }
        if w > 0 && row_w > 0 && row_w + w > cols {
            if let Some((b, bw)) = brk.filter(|&(b, _)| b > row_start) {
                rows.push((base + row_start, base + b));
                row_start = b;
                row_w -= bw;
            }
            // No break opportunity (or still too wide): break mid-word.
            if row_w > 0 && row_w + w > cols {
                rows.push((base + row_start, base + i));
                row_start = i;
                row_w = 0;
            }
            brk = None;
        }
        row_w += w;
        if w > 0 {
            prev_cjk = cjk;
        }
    }
    // An empty line is one empty row; a line ending in a hanging space needs no extra row.
    if row_start < line.len() || line.is_empty() {
        rows.push((base + row_start, base + line.len()));
    }
}

/// Punctuation that must not start a row (kinsoku).
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '】'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '…'
            | '～'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(text: &str) -> Composer {
        let mut c = Composer::new();
        c.set_text(text.to_string());
        c
    }

    fn layout(text: &str, w: u16) -> Vec<String> {
        with(text).layout(w).0
    }

    #[test]
    fn cjk_editing() {
        let mut c = with("你好世界");
        c.left();
        c.left();
        c.insert_char('们');
        assert_eq!(c.text(), "你好们世界");
        c.backspace();
        assert_eq!(c.text(), "你好世界");
        c.insert_str("😀");
        c.backspace();
        assert_eq!(c.text(), "你好世界");
        c.delete();
        assert_eq!(c.text(), "你好界");
        c.end();
        c.backspace();
        assert_eq!(c.text(), "你好");
        assert_eq!(c.layout(80).1, (0, 4));
    }

    #[test]
    fn wrapping() {
        assert_eq!(layout("你好世界", 5), ["你好", "世界"]);
        assert_eq!(layout("你好世界", 4), ["你好", "世界", ""]);
        assert_eq!(layout("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(layout("hello world", 8), ["hello ", "world"]);
        assert_eq!(layout("hello world", 5), ["hello ", "world", ""]);
        assert_eq!(layout("hi there you", 9), ["hi there ", "you"]);
        assert_eq!(layout("a\n\nb", 5), ["a", "", "b"]);
        assert_eq!(layout("", 5), [""]);
        assert_eq!(layout("ab你好", 3), ["ab", "你", "好"]);
        // Closing punctuation never starts a row.
        assert_eq!(layout("你好，世界", 5), ["你", "好，", "世界"]);
        // Too narrow for a wide char: it sits alone rather than looping forever.
        assert_eq!(layout("你好", 1).len(), 3);
        assert_eq!(layout("你好", 0).len(), 3);
    }

    #[test]
    fn cursor_position_in_layout() {
        let mut c = with("你好世界");
        assert_eq!(c.layout(5), (vec!["你好".into(), "世界".into()], (1, 4)));
        c.home();
        c.right();
        c.right();
        assert_eq!(c.layout(5).1, (1, 0));
        c.left();
        assert_eq!(c.layout(5).1, (0, 2));
        let c = with("ab\ncd");
        assert_eq!(c.layout(10).1, (1, 2));
        // Cursor after a full row moves to a fresh row.
        let c = with("abc");
        assert_eq!(c.layout(3), (vec!["abc".into(), String::new()], (1, 0)));
        let mut c = with("abc\nd");
        c.up();
        c.end();
        assert_eq!(
            c.layout(3),
            (vec!["abc".into(), String::new(), "d".into()], (1, 0))
        );
    }

    #[test]
    fn paste_normalises_line_breaks() {
        let mut c = Composer::new();
        c.insert_str("one\r\ntwo\rthree\nfour\x1b[31m\tx\u{202e}");
        assert_eq!(c.text(), "one\ntwo\nthree\nfour[31m    x");
        c.set_text("a\r\nb\x07".into());
        assert_eq!(c.text(), "a\nb");
        assert_eq!(c.cursor(), c.text().len());
    }

    #[test]
    fn up_and_down_keep_display_column() {
        let mut c = with("你好世界\nab\nabcdefgh");
        assert_eq!(c.layout(80).1, (2, 8));
        assert!(c.up());
        assert_eq!(c.layout(80).1, (1, 2));
        assert!(c.up());
        assert_eq!(c.layout(80).1, (0, 8));
        assert!(!c.up());
        assert!(c.down());
        assert!(c.down());
        assert_eq!(c.layout(80).1, (2, 8));
        assert!(!c.down());
        // Odd column in a line of wide chars: land before the char that would overshoot.
        let mut c = with("你好\nabc");
        assert!(c.up());
        assert_eq!(c.layout(80).1, (0, 2));
    }

    #[test]
    fn word_movement() {
        let mut c = with("hello, 世界！foo_bar  baz");
        let mut stops = vec![];
        loop {
            let before = c.cursor();
            c.word_left();
            if c.cursor() == before {
                break;
            }
            stops.push(c.text()[c.cursor()..].to_string());
        }
        assert_eq!(
            stops,
            [
                "baz",
                "foo_bar  baz",
                "！foo_bar  baz",
                "世界！foo_bar  baz",
                ", 世界！foo_bar  baz",
                "hello, 世界！foo_bar  baz"
            ]
        );
        let mut stops = vec![];
        loop {
            let before = c.cursor();
            c.word_right();
            if c.cursor() == before {
                break;
            }
            stops.push(c.text()[c.cursor()..].to_string());
        }
        assert_eq!(
            stops,
            [
                ", 世界！foo_bar  baz",
                "世界！foo_bar  baz",
                "！foo_bar  baz",
                "foo_bar  baz",
                "baz",
                ""
            ]
        );
        c.delete_word();
        assert_eq!(c.text(), "hello, 世界！foo_bar  ");
        c.delete_word();
        assert_eq!(c.text(), "hello, 世界！");
        c.delete_word();
        c.delete_word();
        assert_eq!(c.text(), "hello, ");
    }

    #[test]
    fn history_restores_draft() {
        let mut c = Composer::new();
        assert!(!c.history_prev());
        for m in ["first", "second", "second", "  "] {
            c.set_text(m.into());
            let sent = c.take();
            c.push_history(sent);
        }
        c.insert_str("draft");
        assert!(c.history_prev());
        assert_eq!(c.text(), "second");
        assert!(c.history_prev());
        assert_eq!(c.text(), "first");
        assert!(!c.history_prev());
        assert!(c.history_next());
        assert_eq!(c.text(), "second");
        assert!(c.history_next());
        assert_eq!(c.text(), "draft");
        assert!(!c.history_next());
        // Editing a recalled message makes it the draft.
        c.history_prev();
        c.insert_str("!");
        assert!(!c.history_next());
        assert!(c.history_prev());
        assert!(c.history_next());
        assert_eq!(c.text(), "second!");
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        let mut c = with("e\u{301}x");
        c.left();
        c.left();
        assert_eq!(c.cursor(), 0);
        c.right();
        assert_eq!(c.cursor(), 3);
        c.word_right();
        assert_eq!(c.cursor(), 4);
        c.word_left();
        assert_eq!(c.cursor(), 0);
        c.set_text("ab,e\u{301}".into());
        c.word_left();
        assert_eq!(c.cursor(), 3);
        c.end();
        c.delete_word();
        assert_eq!(c.text(), "ab,");
        c.set_text("e\u{301}x".into());
        c.home();
        c.delete();
        assert_eq!(c.text(), "x");
    }

    #[test]
    fn empty_text_never_panics() {
        let mut c = Composer::new();
        c.backspace();
        c.delete();
        c.left();
        c.right();
        assert!(!c.up());
        assert!(!c.down());
        c.home();
        c.end();
        c.word_left();
        c.word_right();
        c.delete_word();
        c.clear();
        assert!(!c.history_next());
        assert!(!c.history_prev());
        c.insert_str("");
        assert_eq!(c.take(), "");
        assert!(c.is_empty());
        for w in [0, 1, 5] {
            assert_eq!(c.layout(w), (vec![String::new()], (0, 0)));
        }
    }

    #[test]
    fn random_editing_keeps_invariants() {
        // Hand-rolled xorshift: reproducible, no extra crates.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pieces = [
            "a", "b ", "你", "好，", "😀", "e\u{301}", "\n", "\r\n", "\x1b[", " ", "word",
        ];
        let mut c = Composer::new();
        for step in 0..5000 {
            let r = next();
            match r % 16 {
                0..=4 => c.insert_str(pieces[(r / 16) as usize % pieces.len()]),
                5 => c.backspace(),
                6 => c.delete(),
                7 => c.left(),
                8 => c.right(),
                9 => _ = c.up(),
                10 => _ = c.down(),
                11 => c.word_left(),
                12 => c.word_right(),
                13 => c.delete_word(),
                14 => c.home(),
                _ if step % 200 == 0 => c.clear(),
                _ => c.end(),
            }
            assert!(c.text().is_char_boundary(c.cursor()));
            let w = (next() % 12) as u16;
            let (rows, (row, col)) = c.layout(w);
            assert!(usize::from(row) < rows.len());
            assert!(col < w.max(1), "col {col} width {w}");
            let cols = usize::from(w.max(1));
            for r in &rows {
                // Only a hanging space or a lone too-wide char may exceed the width.
                let r = r.trim_end_matches(' ');
                let fits = str_width(r) <= cols;
                let visible = r.chars().filter(|&c| width(c) > 0).count();
                assert!(fits || visible == 1, "{r:?} at width {w}");
            }
            let joined: String = rows.concat();
            assert_eq!(joined, c.text().replace('\n', ""));
        }
    }
}
