//! Makes network text inert before it reaches the terminal.
//!
//! Every string that comes from the network (customer messages, nicknames, tags, article
//! text) goes through [`inert_line`] or [`inert_text`] before it is drawn. A customer must not
//! be able to move the cursor, set the window title, touch the clipboard (OSC 52), ring the
//! bell, reorder text with bidi controls, or hide text from the agent.
//!
//! We do not try to parse escape sequences: a parser that misjudges where a sequence ends is
//! itself an attack surface. Instead every character a terminal could interpret is replaced
//! by a visible stand-in, so what's left of a sequence (`[2J`, `]0;pwned`) is plain text.
//! Nothing is dropped: the agent sees that something was there.
//!
//! The rule, character by character:
//!
//! - C0 controls U+0000–U+001F (ESC, BEL, CR…) → their control pictures `␀`…`␟`
//!   (`␛`, `␇`, `␍`); `\n` is `␊` in [`inert_line`], a line break in [`inert_text`].
//! - `\t` → four spaces (keeps pasted code readable).
//! - DEL U+007F → `␡`.
//! - C1 controls U+0080–U+009F (8-bit CSI, OSC, DCS…) → `⟦U+009B⟧`.
//! - Invisible and format characters → `⟦U+XXXX⟧`: bidi embeddings, overrides, isolates and
//!   marks (U+202A–E, U+2066–9, U+200E/F, U+061C), zero-width space U+200B, word joiner and
//!   invisible operators U+2060–U+206F, BOM U+FEFF, soft hyphen U+00AD, combining grapheme
//!   joiner U+034F, Hangul fillers, Mongolian vowel separator, interlinear annotation marks,
//!   the line/paragraph separators U+2028/9, noncharacters U+FFFE/F, and the tag and
//!   ignorable block U+E0000–U+E0FFF (except variation selectors).
//! - Zero-width joiner U+200D and non-joiner U+200C are kept when they sit between two
//!   visible characters, because there they change how the text renders: emoji ZWJ
//!   sequences (👨‍👩‍👧, 🏳️‍🌈), Persian and Arabic words (می‌خواهم), Indic conjuncts.
//!   Anywhere else (doubled, next to a space or control, at either end) they are marked.
//!   The composer follows the same rule for what the agent types ([`joinable`],
//!   [`drop_loose_joiners`]), so the agent's own message is shown as written.
//! - Tag characters are kept only inside the three RGI subdivision flags
//!   (England, Scotland, Wales: 🏴 + tags + cancel tag); elsewhere they are invisible ASCII
//!   look-alikes ("ASCII smuggling") and are marked.
//! - Everything else is kept: letters of every script, combining marks, emoji with their
//!   skin-tone modifiers (👍🏽) and variation selectors, CJK, private use.
//!
//! The output contains only characters drawn as themselves, so feeding it back in changes
//! nothing (the functions are idempotent).

use std::borrow::Cow;

/// What to do with one character, before looking at its neighbours.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Keep,
    /// A fixed replacement (control pictures, tab expansion).
    Picture(&'static str),
    /// `⟦U+XXXX⟧`: characters with no control picture.
    Mark,
    /// ZWJ / ZWNJ: kept between two visible characters, else marked.
    Joiner,
    /// A tag character: kept inside an RGI flag tag sequence, else marked.
    Tag,
}

const TAB: &str = "    ";

/// Control pictures for U+0000–U+001F (U+2400 + code), spelled out so lookup can't fail.
const C0_PICTURES: [&str; 32] = [
    "␀", "␁", "␂", "␃", "␄", "␅", "␆", "␇", "␈", "␉", "␊", "␋", "␌", "␍", "␎", "␏", "␐", "␑", "␒",
    "␓", "␔", "␕", "␖", "␗", "␘", "␙", "␚", "␛", "␜", "␝", "␞", "␟",
];

/// The black flag that starts an emoji tag sequence.
const BLACK_FLAG: char = '\u{1f3f4}';

/// The tag sequences (after the black flag) of the RGI subdivision flags: gbeng, gbsct, gbwls,
/// each closed by CANCEL TAG.
const FLAG_TAGS: [&str; 3] = [
    "\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
    "\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
    "\u{e0067}\u{e0062}\u{e0077}\u{e006c}\u{e0073}\u{e007f}",
];

fn fate(c: char) -> Fate {
    match c {
        '\t' => Fate::Picture(TAB),
        '\u{0}'..='\u{1f}' => Fate::Picture(C0_PICTURES[c as usize]),
        '\u{7f}' => Fate::Picture("␡"),
        '\u{80}'..='\u{9f}' => Fate::Mark,
        '\u{200c}' | '\u{200d}' => Fate::Joiner,
        '\u{e0020}'..='\u{e007f}' => Fate::Tag,
        '\u{00ad}'
        | '\u{034f}'
        | '\u{061c}'
        | '\u{115f}'
        | '\u{1160}'
        | '\u{17b4}'
        | '\u{17b5}'
        | '\u{180e}'
        | '\u{200b}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{3164}'
        | '\u{feff}'
        | '\u{ffa0}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{fffe}'
        | '\u{ffff}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e001f}'
        | '\u{e0080}'..='\u{e00ff}'
        | '\u{e01f0}'..='\u{e0fff}' => Fate::Mark,
        _ => Fate::Keep,
    }
}

/// True when `c` is always drawn as itself, whatever surrounds it. The composer uses this to
/// refuse characters whose on-screen form would differ from the text, so its cursor
/// arithmetic stays exact (joiners and tag characters depend on their neighbours, so they are
/// not inert on their own).
pub fn is_inert(c: char) -> bool {
    matches!(fate(c), Fate::Keep)
}

/// Zero-width joiner U+200D or non-joiner U+200C.
pub fn is_joiner(c: char) -> bool {
    matches!(fate(c), Fate::Joiner)
}

/// A character a joiner may connect: drawn as itself and not a space.
pub fn joinable(c: Option<char>) -> bool {
    c.is_some_and(|c| is_inert(c) && !c.is_whitespace())
}

/// `s` without the joiners that do not sit between two visible characters (the ones
/// [`inert_line`] would mark); the others stay.
pub fn drop_loose_joiners(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_joiner) {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let kept = chars.iter().enumerate().filter(|&(i, &c)| {
        !is_joiner(c)
            || (joinable(i.checked_sub(1).and_then(|p| chars.get(p).copied()))
                && joinable(chars.get(i + 1).copied()))
    });
    Cow::Owned(kept.map(|(_, c)| *c).collect())
}

/// `s` as one inert line: every control character (including `\n`) becomes visible text.
/// Borrows when nothing needed changing, which is the common case.
pub fn inert_line(s: &str) -> Cow<'_, str> {
    // Fast path: printable ASCII is always inert.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(s);
    }
    if s.chars().all(is_inert) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut prev: Option<char> = None;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match fate(c) {
            Fate::Keep => {
                out.push(c);
                // A whole RGI flag tag sequence goes through untouched.
                if c == BLACK_FLAG
                    && let Some(tags) = FLAG_TAGS.iter().find(|t| rest.starts_with(**t))
                {
                    out.push_str(tags);
                    rest = &rest[tags.len()..];
                }
            }
            Fate::Joiner if joinable(prev) && joinable(rest.chars().next()) => out.push(c),
            Fate::Picture(p) => out.push_str(p),
            Fate::Mark | Fate::Joiner | Fate::Tag => mark(&mut out, c),
        }
        prev = Some(c);
    }
    // Nothing changed (only joiners between letters, or flags): hand the input back.
    if out == s {
        return Cow::Borrowed(s);
    }
    Cow::Owned(out)
}

fn mark(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "⟦U+{:04X}⟧", c as u32);
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

    /// Characters a terminal might act on, or that reorder or hide text, regardless of
    /// context. Joiners and tag characters are checked separately (they are fine in context).
    fn is_dangerous(c: char) -> bool {
        (c as u32) < 0x20
            || (0x7f..=0x9f).contains(&(c as u32))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            || matches!(
                c,
                '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{2060}'..='\u{2064}'
            )
            || matches!(
                c,
                '\u{061c}' | '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{00ad}'
            )
            || matches!(c, '\u{e0000}'..='\u{e001f}')
    }

    /// Every joiner in `s` sits between two visible characters, and every tag character is
    /// part of an RGI flag.
    fn context_ok(s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        let visible = |c: Option<&char>| c.is_some_and(|c| is_inert(*c) && !c.is_whitespace());
        let flags_removed: String = FLAG_TAGS.iter().fold(s.to_string(), |acc, t| {
            acc.replace(&format!("{BLACK_FLAG}{t}"), "F")
        });
        chars.iter().enumerate().all(|(i, c)| {
            !matches!(c, '\u{200c}' | '\u{200d}')
                || (i > 0 && visible(chars.get(i - 1)) && visible(chars.get(i + 1)))
        }) && !flags_removed
            .chars()
            .any(|c| matches!(c, '\u{e0020}'..='\u{e007f}'))
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
            "family 👨\u{200d}👩\u{200d}👧 thumbs 👍🏽",
            "می\u{200c}خواهم",
        ] {
            assert!(matches!(inert_line(s), Cow::Borrowed(_)), "{s:?}");
        }
        let lines = inert_text("第一行\r\n第二行\nthird");
        assert_eq!(lines, ["第一行", "第二行", "third"]);
        assert!(lines.iter().all(|l| matches!(l, Cow::Borrowed(_))));
    }

    #[test]
    fn newlines_and_tabs() {
        assert_eq!(inert_line("a\nb\tc"), "a␊b    c");
        assert_eq!(inert_text("a\n\nb\n"), ["a", "", "b", ""]);
        assert_eq!(inert_text(""), [""]);
        assert_eq!(inert_text("lone\rcr\r\n"), ["lone␍cr", ""]);
    }

    #[test]
    fn emoji_sequences_stay_whole() {
        for s in [
            "👨\u{200d}👩\u{200d}👧",                                   // family
            "👍🏽",                                                       // skin tone
            "👩🏽\u{200d}💻",        // skin tone inside a ZWJ sequence
            "🏳\u{fe0f}\u{200d}🌈", // rainbow flag (VS16 then ZWJ)
            "❤\u{fe0f}\u{200d}🔥", // heart on fire
            "🇨🇳",                  // regional indicators
            "1\u{fe0f}\u{20e3}",   // keycap
            "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}", // Scotland
        ] {
            assert_eq!(inert_line(s), s, "{s:?}");
        }
    }

    #[test]
    fn joiners_between_letters_are_kept() {
        // Persian "I want": the ZWNJ keeps می from joining خواهم.
        let persian = "می\u{200c}خواهم";
        assert_eq!(inert_line(persian), persian);
        // Devanagari: ZWJ after a virama asks for the half form (क्‍ष).
        let hindi = "क्\u{200d}ष";
        assert_eq!(inert_line(hindi), hindi);
        // A ZWNJ in German typography (Auf‌lage) breaks the ligature.
        assert_eq!(inert_line("Auf\u{200c}lage"), "Auf\u{200c}lage");
    }

    #[test]
    fn stray_joiners_are_marked() {
        assert_eq!(inert_line("\u{200d}a"), "⟦U+200D⟧a");
        assert_eq!(inert_line("a\u{200d}"), "a⟦U+200D⟧");
        assert_eq!(inert_line("a \u{200c}b"), "a ⟦U+200C⟧b");
        assert_eq!(
            inert_line("a\u{200d}\u{200d}b"),
            "a⟦U+200D⟧⟦U+200D⟧b",
            "a doubled joiner is not between two visible characters"
        );
        assert_eq!(inert_line("a\u{200d}\x1bb"), "a⟦U+200D⟧␛b");
    }

    #[test]
    fn invisible_characters_are_shown_not_dropped() {
        let cases = [
            ("p\u{200b}ay", "p⟦U+200B⟧ay"),
            ("\u{feff}bom", "⟦U+FEFF⟧bom"),
            ("soft\u{ad}hyphen", "soft⟦U+00AD⟧hyphen"),
            ("wj\u{2060}x", "wj⟦U+2060⟧x"),
            ("\u{2067}rtl\u{2069}", "⟦U+2067⟧rtl⟦U+2069⟧"),
            ("\u{200e}\u{200f}\u{61c}", "⟦U+200E⟧⟦U+200F⟧⟦U+061C⟧"),
            ("line\u{2028}sep", "line⟦U+2028⟧sep"),
            ("han\u{3164}gul", "han⟦U+3164⟧gul"),
            // "hi" hidden in tag characters (ASCII smuggling).
            ("x\u{e0068}\u{e0069}y", "x⟦U+E0068⟧⟦U+E0069⟧y"),
            // A flag followed by tags that are not an RGI subdivision.
            ("🏴\u{e0078}\u{e007f}", "🏴⟦U+E0078⟧⟦U+E007F⟧"),
        ];
        for (input, want) in cases {
            assert_eq!(inert_line(input), want, "{input:?}");
        }
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
            let cp = match r % 8 {
                0 => (n % 0x20) as u32,
                1 => 0x7f + (n % 0x21) as u32,
                2 => 0x2000 + (n % 0x70) as u32,
                3 => 0x20 + (n % 0x5f) as u32,
                4 => 0x4e00 + (n % 0x100) as u32,
                5 => [0x200c, 0x200d, 0x1f3f4, 0x1f468, 0xfe0f][(n % 5) as usize],
                6 => 0xe0000 + (n % 0x80) as u32,
                _ => (n % 0x11_0000) as u32,
            };
            char::from_u32(cp).unwrap_or('\u{fffd}')
        };
        for _ in 0..3000 {
            let len = next() % 40;
            let s: String = (0..len).map(|_| pick(next(), next())).collect();
            let line = inert_line(&s);
            assert!(!line.chars().any(is_dangerous), "{s:?} -> {line:?}");
            assert!(context_ok(&line), "{s:?} -> {line:?}");
            for l in inert_text(&s) {
                assert!(!l.chars().any(is_dangerous), "{s:?} -> {l:?}");
                assert!(context_ok(&l), "{s:?} -> {l:?}");
            }
            // Idempotent: inert text stays as it is.
            assert!(matches!(inert_line(&line), Cow::Borrowed(_)), "{line:?}");
        }
    }
}
