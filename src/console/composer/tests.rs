//! Tests for the composer: editing, movement, history, layout and a random walk.

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

#[test]
fn joiners_typed_between_letters_are_kept_as_the_sanitiser_keeps_them() {
    use crate::console::sanitize::inert_line;
    // Persian "I want": a ZWNJ after the prefix می, typed one key at a time.
    let persian = "می\u{200c}خواهم";
    // An emoji ZWJ sequence (family) and a flag with a variation selector (rainbow flag).
    let family = "👨\u{200d}👩\u{200d}👧";
    let rainbow = "🏳\u{fe0f}\u{200d}🌈";
    for word in [persian, family, rainbow] {
        let mut c = Composer::new();
        for ch in word.chars() {
            c.insert_char(ch);
        }
        assert_eq!(c.text(), word, "typed");
        let sent = c.take();
        assert_eq!(sent, word, "sent as typed");
        assert_eq!(inert_line(&sent), word, "and shown as typed");
        // Pasted, and set (history, articles), the same.
        let mut c = Composer::new();
        c.insert_str(word);
        assert_eq!(c.text(), word, "pasted");
        assert_eq!(with(word).text(), word, "set");
    }
    // The family is drawn as one wide glyph: the cursor after it is at column 2.
    let mut c = with(family);
    c.insert_char('!');
    assert_eq!(c.layout(80).1, (0, 3));
}

#[test]
fn joiners_with_nothing_to_join_are_not_kept() {
    let mut c = Composer::new();
    // At the start, after a space, after another joiner: refused as typed.
    for ch in [
        '\u{200d}', 'a', ' ', '\u{200c}', 'b', '\u{200d}', '\u{200d}',
    ] {
        c.insert_char(ch);
    }
    assert_eq!(
        c.text(),
        "a b\u{200d}",
        "one joiner waits for what it joins"
    );
    // Nothing came after it: it is not sent.
    assert_eq!(c.take(), "a b");
    // One that lost its right-hand letter (deleted) or faces a space is dropped too.
    let mut c = with("x\u{200d}y z");
    c.home();
    c.right(); // past x and the joiner that belongs to it
    c.delete();
    assert_eq!(c.text(), "x\u{200d} z");
    assert_eq!(c.take(), "x z");
}
