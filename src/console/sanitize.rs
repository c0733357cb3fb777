//! Makes network text inert before it reaches the terminal.
//!
//! Every string that comes from the network (customer messages, nicknames, tags, article
//! text) goes through [`inert_line`] or [`inert_text`] before it is drawn. A customer must not
//! be able to move the cursor, set the window title, touch the clipboard (OSC 52), ring the
//! bell, or reorder text with bidi controls.
//!
//! We do not try to parse escape sequences: a parser that misjudges where a sequence ends is
//! itself an attack surface. Instead every character a terminal could interpret is replaced
//! by a visible stand-in, so what's left of a sequence (`[2J`, `]0;pwned`) is plain text:
//!
//! - C0 controls U+0000–U+001F (ESC, BEL, CR…) → their control pictures `␀`…`␟`
//!   (`␛`, `␇`, `␍`); `\n` is `␊` in [`inert_line`], a line break in [`inert_text`].
//! - `\t` → four spaces (keeps pasted code readable).
//! - DEL U+007F → `␡`.
//! - C1 controls U+0080–U+009F (8-bit CSI, OSC, DCS…) → `⟦U+009B⟧`.
//! - Bidi controls (U+202A–E, U+2066–9, U+200E/F, U+061C) and the line/paragraph
//!   separators U+2028/9 → `⟦U+202E⟧`.
//! - Zero-width U+200B–D, U+2060–4, U+FEFF and tag characters U+E0000–U+E007F → dropped.
//!
//! Bidi controls are *marked*, not dropped: an agent should see that someone tried to
//! reorder the text. Zero-width characters are *dropped*: they are invisible by design, so a
//! marker would mostly clutter ordinary emoji (ZWJ sequences); terminals also disagree on how
//! wide a ZWJ sequence is, which would break our layout. Without them the agent sees every
//! visible character, each at a width we can measure (a ZWJ family emoji shows as its
//! members). Tag characters are invisible ASCII look-alikes ("ASCII smuggling"), so they go
//! too.

use std::borrow::Cow;

/// What to do with one character.
enum Fate {
    Keep,
    Drop,
    /// A fixed replacement (control pictures, tab expansion).
    Picture(&'static str),
    /// `⟦U+XXXX⟧`: characters with no control picture.
    Mark,
}

const TAB: &str = "    ";

/// Control pictures for U+0000–U+001F (U+2400 + code), spelled out so lookup can't fail.
const C0_PICTURES: [&str; 32] = [
    "␀", "␁", "␂", "␃", "␄", "␅", "␆", "␇", "␈", "␉", "␊", "␋", "␌", "␍", "␎", "␏", "␐", "␑", "␒",
    "␓", "␔", "␕", "␖", "␗", "␘", "␙", "␚", "␛", "␜", "␝", "␞", "␟",
];

fn fate(c: char) -> Fate {
    match c {
        '\t' => Fate::Picture(TAB),
        '\u{0}'..='\u{1f}' => Fate::Picture(C0_PICTURES[c as usize]),
        '\u{7f}' => Fate::Picture("␡"),
        '\u{80}'..='\u{9f}' => Fate::Mark,
        '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{2028}'
        | '\u{2029}' => Fate::Mark,
        '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{e0000}'..='\u{e007f}' => Fate::Drop,
        _ => Fate::Keep,
    }
}

/// True when `c` is drawn as itself. The composer uses this to refuse characters whose
/// on-screen form would differ from the text, so its cursor arithmetic stays exact.
pub fn is_inert(c: char) -> bool {
    matches!(fate(c), Fate::Keep)
}

/// `s` as one inert line: every control character (including `\n`) becomes visible text.
/// Borrows when nothing needed changing, which is the common case.
pub fn inert_line(s: &str) -> Cow<'_, str> {
    // Fast path: printable ASCII is always inert.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(s);
    }
    let Some(first) = s
        .char_indices()
        .find(|&(_, c)| !is_inert(c))
        .map(|(i, _)| i)
    else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match fate(c) {
            Fate::Keep => out.push(c),
            Fate::Drop => {}
            Fate::Picture(p) => out.push_str(p),
            Fate::Mark => out.push_str(&format!("⟦U+{:04X}⟧", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `s` split into inert lines on `\n` (a `\r` just before it is part of the line break, so
/// CRLF text doesn't show `␍` everywhere). A trailing newline yields a final empty line, and
/// the empty string yields one empty line, like `str::split`.
pub fn inert_text(s: &str) -> Vec<Cow<'_, str>> {
    s.split('\n')
        .map(|line| inert_line(line.strip_suffix('\r').unwrap_or(line)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters a terminal might act on, or that reorder or hide text.
    fn is_dangerous(c: char) -> bool {
        (c as u32) < 0x20
            || (0x7f..=0x9f).contains(&(c as u32))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}')
            || matches!(c, '\u{061c}' | '\u{feff}' | '\u{2028}' | '\u{2029}')
            || matches!(c, '\u{e0000}'..='\u{e007f}')
    }

    #[test]
    fn escape_sequences_become_plain_text() {
        let evil = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\u{202E}abc\r\u{9b}31m";
        let out = inert_line(evil);
        assert!(!out.chars().any(is_dangerous), "{out:?}");
        assert_eq!(out, "␛[2J␛]0;pwned␇␛]52;c;ZXZpbA==␇⟦U+202E⟧abc␍⟦U+009B⟧31m");
        for line in inert_text(evil) {
            assert!(!line.chars().any(is_dangerous), "{line:?}");
        }
    }

    #[test]
    fn dcs_and_8bit_introducers_are_visible() {
        let out = inert_line("\x1bPq#0\x1b\\\u{90}x\u{9d}8;;http://x\u{9c}\x7f");
        assert_eq!(out, "␛Pq#0␛\\⟦U+0090⟧x⟦U+009D⟧8;;http://x⟦U+009C⟧␡");
    }

    #[test]
    fn plain_text_is_borrowed() {
        for s in [
            "",
            "hello, world",
            "你好世界，欢迎光临！",
            "emoji 😀 ok",
            "café ñ",
        ] {
            assert!(matches!(inert_line(s), Cow::Borrowed(_)), "{s:?}");
        }
        let lines = inert_text("第一行\r\n第二行\nthird");
        assert_eq!(lines, ["第一行", "第二行", "third"]);
        assert!(lines.iter().all(|l| matches!(l, Cow::Borrowed(_))));
    }

    #[test]
    fn newlines_tabs_and_zero_width() {
        assert_eq!(inert_line("a\nb\tc"), "a␊b    c");
        assert_eq!(inert_text("a\n\nb\n"), ["a", "", "b", ""]);
        assert_eq!(inert_text(""), [""]);
        assert_eq!(inert_text("lone\rcr\r\n"), ["lone␍cr", ""]);
        // ZWJ family emoji falls apart into its members rather than hiding anything.
        assert_eq!(inert_line("p\u{200b}a\u{feff}y 👨\u{200d}👩"), "pay 👨👩");
        assert_eq!(inert_line("x\u{e0041}\u{e0042}y"), "xy");
    }

    #[test]
    fn generated_strings_never_keep_controls() {
        // Hand-rolled xorshift so the test needs no extra crates and is reproducible.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Bias towards the interesting ranges; fall back to any scalar value.
        let pick = |r: u64, n: u64| -> char {
            let cp = match r % 6 {
                0 => (n % 0x20) as u32,
                1 => 0x7f + (n % 0x21) as u32,
                2 => 0x2000 + (n % 0x70) as u32,
                3 => 0x20 + (n % 0x5f) as u32,
                4 => 0x4e00 + (n % 0x100) as u32,
                _ => (n % 0x11_0000) as u32,
            };
            char::from_u32(cp).unwrap_or('\u{fffd}')
        };
        for _ in 0..2000 {
            let len = next() % 40;
            let s: String = (0..len).map(|_| pick(next(), next())).collect();
            let line = inert_line(&s);
            assert!(!line.chars().any(is_dangerous), "{s:?} -> {line:?}");
            for l in inert_text(&s) {
                assert!(!l.chars().any(is_dangerous), "{s:?} -> {l:?}");
            }
            // Idempotent: inert text stays as it is.
            assert!(matches!(inert_line(&line), Cow::Borrowed(_)), "{line:?}");
        }
    }
}
