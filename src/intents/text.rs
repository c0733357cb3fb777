//! Text normalisation, tokenisation and n-gram hashing shared by the intent classifier and the
//! question matcher. No segmenter: Latin-script text splits into words, and every CJK character is
//! its own token, so Chinese is covered by character n-grams (which work as well as a segmenter
//! for short customer messages and cost no dictionary).

use std::ops::Range;

/// What a token is made of: a run of letters/digits, or one CJK character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Latin,
    Cjk,
}

/// A token as a byte range into the normalised text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub range: Range<usize>,
    pub kind: Kind,
}

/// Han, kana and hangul: scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x2FA1F) // extensions B–F and compatibility supplement
}

/// Lower-cases, folds full-width ASCII (Ａ１？ typed with a Chinese IME) to ASCII, and drops
/// apostrophes so that "hasn't" and "hasnt" are the same word.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        };
        if matches!(c, '\'' | '’' | '‘') {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Splits normalised text into tokens: maximal runs of (non-CJK) letters and digits, and single
/// CJK characters. Everything else separates tokens.
pub fn tokens(norm: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in norm.char_indices() {
        if is_cjk(c) {
            if let Some(s) = start.take() {
                out.push(Token {
                    range: s..i,
                    kind: Kind::Latin,
                });
            }
            out.push(Token {
                range: i..i + c.len_utf8(),
                kind: Kind::Cjk,
            });
        } else if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(Token {
                range: s..i,
                kind: Kind::Latin,
            });
        }
    }
    if let Some(s) = start {
        out.push(Token {
            range: s..norm.len(),
            kind: Kind::Latin,
        });
    }
    out
}

/// FNV-1a, 64-bit: deterministic across runs and platforms (std's hasher is randomly seeded).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Fnv {
    pub fn new(tag: u8) -> Self {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        h.byte(tag);
        h
    }
    pub fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
    pub fn bytes(&mut self, bs: &[u8]) {
        for &b in bs {
            self.byte(b);
        }
    }
    pub fn char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.bytes(c.encode_utf8(&mut buf).as_bytes());
    }
    pub fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let n = normalize(text);
        tokens(&n)
            .iter()
            .map(|t| n[t.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn english_lowercases_and_splits_on_punctuation() {
        assert_eq!(
            words("Where's my REFUND?! Order #123-b"),
            ["wheres", "my", "refund", "order", "123", "b"]
        );
    }

    #[test]
    fn chinese_is_one_token_per_character() {
        assert_eq!(words("我要退款！"), ["我", "要", "退", "款"]);
        let n = normalize("退款");
        assert!(tokens(&n).iter().all(|t| t.kind == Kind::Cjk));
    }

    #[test]
    fn mixed_scripts_split_at_the_script_boundary() {
        assert_eq!(
            words("订单ABC123还没到, iPhone充电器"),
            [
                "订", "单", "abc123", "还", "没", "到", "iphone", "充", "电", "器"
            ]
        );
    }

    #[test]
    fn full_width_ascii_folds_to_ascii() {
        assert_eq!(normalize("ＶＩＰ１２３？"), "vip123?");
        assert_eq!(words("我的ＩＤ是　ａｂｃ"), ["我", "的", "id", "是", "abc"]);
    }

    #[test]
    fn empty_and_symbol_only_text_has_no_tokens() {
        assert!(words("").is_empty());
        assert!(words(" ?!… 。，").is_empty());
    }

    #[test]
    fn fnv_is_stable() {
        let mut h = Fnv::new(1);
        h.bytes(b"abc");
        let mut g = Fnv::new(1);
        g.char('a');
        g.char('b');
        g.char('c');
        assert_eq!(h.finish(), g.finish());
        assert_ne!(Fnv::new(1).finish(), Fnv::new(2).finish());
    }
}
